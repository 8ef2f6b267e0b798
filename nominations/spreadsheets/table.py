"""A plain one-table workbook (a header row, then one record per row), read as
hostile input: the same file checks as the 推荐汇总表 import (``reader.check_file``),
at most ``MAX_ROWS`` records. Used by the past-winner list and the exhibition's
historic winners. openpyxl is imported inside the functions (architecture.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from competition.exceptions import ValidationFailed
from competition.xlsx import write_cell

from .columns import header_key
from .reader import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    _refuse_file,
    check_file,
)


@dataclass(frozen=True)
class TableColumn:
    name: str
    header: str  # as the template writes it
    aliases: tuple[str, ...] = ()
    width: int = 18
    example: Any = None

    def header_keys(self) -> set[str]:
        return {header_key(h) for h in (self.header, *self.aliases)}


@dataclass
class TableRow:
    row: int
    values: dict[str, Any]  # field -> value (None when empty)
    cells: dict[str, str] = field(default_factory=dict)  # field -> "C5"


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
        return value or None
    return value


def read_table(content: bytes, columns: list[TableColumn], *, required: tuple[str, ...]) -> tuple[list[TableRow], list[str], list[str]]:
    """The records of the first worksheet that has the header: (rows, file problems, ignored headers)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    check_file(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is a 400
        raise _refuse_file("文件：无法作为 Excel 工作簿读取（文件已损坏或不是 .xlsx）。") from exc
    by_key = {key: c for c in columns for key in c.header_keys()}
    wanted = "、".join(f"“{c.header}”" for c in columns if c.name in required)
    rows: list[TableRow] = []
    ignored: list[str] = []
    problems: list[str] = []
    found_header = False
    try:
        for ws in workbook.worksheets[:30]:
            ws.reset_dimensions()
            header: dict[int, TableColumn] | None = None
            for number, values in enumerate(ws.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1):
                if number > MAX_SCANNED_ROWS:
                    raise _refuse_file(f"文件：工作表“{ws.title}”的行数过多（超过 {MAX_SCANNED_ROWS} 行）。")
                values = [_plain(v) for v in values]
                if not any(v is not None for v in values):
                    continue
                if header is None:
                    if number > HEADER_SEARCH_ROWS:
                        break
                    matched = {
                        i: by_key[header_key(v)]
                        for i, v in enumerate(values)
                        if isinstance(v, str) and header_key(v) in by_key
                    }
                    if all(any(c.name == r for c in matched.values()) for r in required):
                        header = matched
                        seen: dict[str, str] = {}
                        for i, c in matched.items():
                            if c.name in seen:
                                problems.append(f"工作表“{ws.title}”：列“{seen[c.name]}”和“{values[i]}”重复，只能保留一列。")
                            seen[c.name] = str(values[i])
                        ignored = [str(v) for i, v in enumerate(values) if v is not None and i not in matched]
                    continue
                record = TableRow(row=number, values={c.name: None for c in columns})
                for i, column in header.items():
                    if i < len(values) and values[i] is not None:
                        record.values[column.name] = values[i]
                        record.cells[column.name] = f"{get_column_letter(i + 1)}{number}"
                if any(v is not None for v in record.values.values()):
                    rows.append(record)
                    if len(rows) > MAX_ROWS:
                        raise _refuse_file(f"文件：一次最多导入 {MAX_ROWS} 行，请分批导入。")
            if header is not None:
                found_header = True
                break
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML inside the zip, etc.
        raise _refuse_file("文件：内容无法解析（文件已损坏或不是 .xlsx）。") from exc
    finally:
        workbook.close()
    if not found_header:
        problems.append(f"文件：前 {HEADER_SEARCH_ROWS} 行中未找到表头行（应包含 {wanted} 等列名）。")
    return rows, problems, ignored


def template_workbook(title: str, columns: list[TableColumn], notes: list[str]) -> bytes:
    """A template: a note row per line of ``notes``, the header row, one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    row = 1
    for note in notes:
        write_cell(ws, row, 1, note)
        row += 1
    for i, column in enumerate(columns, start=1):
        cell = write_cell(ws, row, i, column.header)
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = column.width
        if column.example is not None:
            write_cell(ws, row + 1, i, column.example)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
