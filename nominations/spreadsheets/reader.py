"""Reading an uploaded workbook that may be hostile: refuse what is not a
reasonable .xlsx (size, zip bombs, old or encrypted formats, too many sheets,
rows or columns) before and while openpyxl reads it; find each sheet's
category by its name and its header row by the column names; return the
rows with the cells they fill. Values are not converted here (``cells``).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from competition.exceptions import ValidationFailed
from competition.models import Category

from .columns import EXPORT_ONLY_KEYS, HEADER_MAP, header_key, sheet_names
from .report import ImportResult

# Limits of an uploaded workbook (hostile files: zip bombs, huge sheets).
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_UNCOMPRESSED_SIZE = 60 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
MAX_ROWS = 500  # data rows, over all sheets
MAX_SCANNED_ROWS = 100_000  # rows read per sheet, empty ones included
MAX_SHEETS = 30
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10


@dataclass
class ParsedRow:
    sheet: str
    row: int
    category: Category
    values: dict[str, tuple[str, str, Any]]  # field -> (header as written, cell, raw value)


def _refuse_file(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_file", fields={"file": [message]})


def check_file(content: bytes) -> None:
    """Refuse what is not a reasonable .xlsx before openpyxl parses it."""
    if len(content) > MAX_FILE_SIZE:
        raise _refuse_file(f"文件：不能超过 {MAX_FILE_SIZE // (1024 * 1024)} MB。")
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse_file("文件：这是旧版 Excel（.xls）或加密的文件，请另存为 .xlsx 后再导入。")
    if content[:4] != b"PK\x03\x04":
        raise _refuse_file("文件：不是 .xlsx 格式的 Excel 工作簿。")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse_file("文件：已损坏，无法读取（不是有效的 .xlsx 文件）。") from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise _refuse_file("文件：不是 .xlsx 格式的 Excel 工作簿。")
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED_SIZE:
        raise _refuse_file("文件：解压后内容过大，已拒绝。")


def _plain_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
        return value or None
    return value


def read_workbook(
    content: bytes, categories: list[Category]
) -> tuple[list[ParsedRow], ImportResult]:
    """Parse the sheets into rows; sheet and file problems go into the result's ``errors``."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    result = ImportResult(dry_run=True)
    check_file(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is a 400
        raise _refuse_file("文件：无法作为 Excel 工作簿读取（文件已损坏或不是 .xlsx）。") from exc

    by_name = sheet_names(categories)
    by_name_key = {header_key(name): c for name, c in by_name.items()}
    for category in categories:
        by_name_key.setdefault(header_key(category.name), category)
        by_name_key.setdefault(header_key(category.code), category)
    allowed = "、".join(f"“{n}”" for n in by_name)

    rows: list[ParsedRow] = []
    try:
        worksheets = workbook.worksheets
        if len(worksheets) > MAX_SHEETS:
            raise _refuse_file(f"文件：工作表不能超过 {MAX_SHEETS} 个。")
        for ws in worksheets:
            sheet = ws.title
            category = by_name_key.get(header_key(sheet))
            header: dict[int, tuple[str, str]] | None = None  # column index -> (field, header)
            sheet_rows: list[ParsedRow] = []
            seen_any = False
            # The <dimension> a file declares may be wrong (too small: rows would be
            # cut off silently; too big: a million empty rows). Read what is there.
            ws.reset_dimensions()
            for number, values in enumerate(
                ws.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1
            ):
                if number > MAX_SCANNED_ROWS:
                    raise _refuse_file(
                        f"文件：工作表“{sheet}”的行数过多（超过 {MAX_SCANNED_ROWS} 行）。"
                    )
                if not any(v is not None for v in values):
                    continue
                values = [_plain_cell(v) for v in values]
                if any(v is not None for v in values):
                    seen_any = True
                if header is None:
                    if number > HEADER_SEARCH_ROWS:
                        break
                    header = _match_header(values)
                    if header is not None:
                        problems = _header_problems(sheet, values, header, result)
                        if problems:
                            result.errors.extend(problems)
                            break
                    continue
                cells = {
                    name: (title, f"{get_column_letter(i + 1)}{number}", values[i])
                    for i, (name, title) in header.items()
                    if i < len(values) and values[i] is not None
                }
                if not cells:
                    continue
                if category is not None:
                    sheet_rows.append(ParsedRow(sheet, number, category, cells))
                    if len(rows) + len(sheet_rows) > MAX_ROWS:
                        raise _refuse_file(f"文件：一次最多导入 {MAX_ROWS} 行，请分批导入。")
            if not seen_any:
                continue  # an empty sheet (e.g. Sheet2 of a new workbook)
            if category is None:
                result.errors.append(
                    f"工作表“{sheet}”：不是本次推选活动的奖项名称，工作表名应为 {allowed} 之一。"
                )
                continue
            if header is None:
                result.errors.append(
                    f"工作表“{sheet}”：前 {HEADER_SEARCH_ROWS} 行中未找到表头行"
                    "（应包含“推荐排序”“项目名称”“联系电话”等列名）。"
                )
                continue
            rows.extend(sheet_rows)
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML inside the zip, etc.
        raise _refuse_file("文件：内容无法解析（文件已损坏或不是 .xlsx）。") from exc
    finally:
        workbook.close()
    return rows, result


def _match_header(values: list[Any]) -> dict[int, tuple[str, str]] | None:
    """Column index -> (field, header text) when this row looks like the header row."""
    found: dict[int, tuple[str, str]] = {}
    known = 0
    for index, value in enumerate(values):
        if not isinstance(value, str):
            continue
        key = header_key(value)
        name = HEADER_MAP.get(key)
        if name:
            found[index] = (name, value.replace("\n", ""))
            known += 1
        elif key in EXPORT_ONLY_KEYS:
            known += 1
    if "title" in {name for name, _ in found.values()} and known >= 3:
        return found
    return None


def _header_problems(
    sheet: str, values: list[Any], header: dict[int, tuple[str, str]], result: ImportResult
) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    for name, title in header.values():
        if name in seen:
            problems.append(f"工作表“{sheet}”：列“{seen[name]}”和“{title}”重复，只能保留一列。")
        seen[name] = title
    ignored = [
        str(v)
        for i, v in enumerate(values)
        if v is not None and i not in header and header_key(v) not in EXPORT_ONLY_KEYS
    ]
    if ignored:
        result.ignored_columns[sheet] = ignored
    return problems
