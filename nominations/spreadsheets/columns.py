"""The columns of a 推荐汇总表 sheet and how its header is recognised.

The field columns of each kind come from the nomination schema
(``schema.spreadsheet_columns``): their headers are the schema's labels, so
that the form, the checklist, the messages and the sheet use the same names.
Around them the export adds row columns that the import reads past (序号,
推荐单位, 状态, 资格提示). The import also understands every alias the schema
lists (other spellings in offices' own sheets, and the headers of files
exported before a label was corrected).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from competition.models import Category

from .. import schema

TITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # a Nomination field the import fills; None: export only
    type: str = "text"  # text | int | date | bool | list | choice
    width: int = 14
    export: str | None = None  # export-only value: seq | unit | years | status | warnings


SEQ = Column("序号", None, width=6, export="seq")
UNIT = Column("推荐单位", None, width=18, export="unit")
STATUS = Column("状态", None, width=10, export="status")
WARNINGS = Column("资格提示", None, width=30, export="warnings")
# Headers of other offices' sheets that are about the row, not the nomination.
OTHER_ROW_HEADERS = ("奖项", "审查意见")


def _column(spec: schema.Field) -> Column:
    if spec.derived:
        return Column(spec.header, None, width=spec.width, export="years")
    kind = "int" if spec.type == "order" else spec.type
    return Column(spec.header, spec.name, kind, width=spec.width)


def columns_of(kind: str) -> list[Column]:
    return [SEQ, UNIT, *(_column(s) for s in schema.spreadsheet_columns(kind)), STATUS, WARNINGS]


COLUMNS: dict[str, list[Column]] = {kind: columns_of(kind) for kind in schema.KINDS}

# Columns of the export that the import reads past on purpose.
EXPORT_ONLY_HEADERS = {
    *(c.header for columns in COLUMNS.values() for c in columns if c.field is None),
    *OTHER_ROW_HEADERS,
}

FIELD_TYPES: dict[str, str] = {
    c.field: c.type for columns in COLUMNS.values() for c in columns if c.field
}


def header_key(text: Any) -> str:
    """Comparable form of a header: NFKC, no spaces, no required-marks, no "(单位)" suffix."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s*]", "", text)


HEADER_MAP: dict[str, str] = {header_key(h): name for h, name in schema.header_names().items()}
EXPORT_ONLY_KEYS = {header_key(h) for h in EXPORT_ONLY_HEADERS}


def sheet_name(category: Category) -> str:
    name = SHEET_FORBIDDEN.sub("_", category.name).strip("'") or category.code
    return name[:31]


def sheet_names(categories: Iterable[Category]) -> dict[str, Category]:
    """Sheet name -> category; a clash after truncation falls back to the category's code."""
    out: dict[str, Category] = {}
    for category in categories:
        name = sheet_name(category)
        if name in out:
            name = SHEET_FORBIDDEN.sub("_", category.code)[:31]
        out[name] = category
    return out
