"""The .xlsx exchange of nominations: the 推荐汇总表 export and its import into drafts.

- ``columns``: the sheet's columns (from the nomination schema), header recognition, sheet names;
- ``writer``: the export;
- ``reader``: the hostile-file reader (limits, header row, rows);
- ``cells``: conversion of what people type into cells;
- ``report``: the row-by-row report of an import;
- ``importer``: the import (validation through the schema, creation through the service).

Layout of a workbook (the export writes it, the import reads it back): one
worksheet per award category, named after the category; row 1 the title,
row 2 who exported it and when, row 3 the header in Chinese, data from row 4.
The import finds the header row by its Chinese names (anywhere in the first
rows) and ignores the export-only columns (序号, 推荐单位, 运行年限, 状态,
资格提示): the unit is always the importing officer's and rows are drafts.

openpyxl is imported inside the functions that use it (architecture.md).
"""

from __future__ import annotations

from competition.models import Competition
from competition.xlsx import XLSX_CONTENT_TYPE

from .columns import (
    COLUMNS,
    EXPORT_ONLY_HEADERS,
    FIRST_DATA_ROW,
    HEADER_MAP,
    HEADER_ROW,
    Column,
    header_key,
    sheet_name,
)
from .importer import import_workbook
from .reader import MAX_FILE_SIZE, MAX_ROWS, ParsedRow, check_file, read_workbook
from .report import ImportResult, RowReport
from .writer import EXPORT_EXCLUDED, export_filename, export_queryset, export_workbook


def resolve_competition(value: str) -> Competition:
    """A competition by year (4 digits, when one has that year) or by id, for the commands."""
    text = str(value).strip()
    if not text.isdigit():
        raise Competition.DoesNotExist(text)
    number = int(text)
    if 1900 <= number <= 2999:
        found = Competition.objects.filter(year=number).first()
        if found:
            return found
    return Competition.objects.get(pk=number)


__all__ = [
    "COLUMNS",
    "EXPORT_EXCLUDED",
    "EXPORT_ONLY_HEADERS",
    "FIRST_DATA_ROW",
    "HEADER_MAP",
    "HEADER_ROW",
    "MAX_FILE_SIZE",
    "MAX_ROWS",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportResult",
    "ParsedRow",
    "RowReport",
    "check_file",
    "export_filename",
    "export_queryset",
    "export_workbook",
    "header_key",
    "import_workbook",
    "read_workbook",
    "resolve_competition",
    "sheet_name",
]
