"""The .xlsx exchange of nominations: the 推荐汇总表 export and its import into drafts.

Layout of a workbook (the export writes it, the import reads it back):

- one worksheet per award category, named after the category (sanitised to
  Excel's 31 characters without ``[]:*?/\\``); the import decides the 奖项 by
  the sheet name, so an exported file round-trips into the import;
- row 1: the title (``2022年度……推选 最佳志愿服务项目推荐汇总表``); row 2: who
  exported it and when; row 3: the header, in Chinese; data from row 4;
- the import finds the header row by its Chinese names (anywhere in the first
  rows) and ignores the export-only columns (序号, 推荐单位, 运行年限, 状态,
  资格提示): the unit is always the importing officer's and rows are drafts.

Every row of an import goes through the same validation as the API
(``NominationSerializer``) and the same service (``services.nomination_create``:
window, own unit, order within the quota, dates, audit entry). A dry run and a
real run execute the same code inside one transaction; the dry run (and a real
run with any wrong row) rolls it back, so nothing is written.

openpyxl is imported inside the functions that use it (architecture.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from competition.enums import CategoryKind
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Category, Competition, Unit, User
from competition.rules import is_officer, require

from . import services
from .enums import ServiceField, Status
from .models import Nomination

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Limits of an uploaded workbook (hostile files: zip bombs, huge sheets).
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_UNCOMPRESSED_SIZE = 60 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
MAX_ROWS = 500  # data rows, over all sheets
MAX_SCANNED_ROWS = 100_000  # rows read per sheet, empty ones included
MAX_SHEETS = 30
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10

# Statuses the export leaves out: drafts (unless a unit exports its own with
# include_drafts) and withdrawn nominations (taken back, no longer proposed).
EXPORT_EXCLUDED = (Status.DRAFT, Status.WITHDRAWN)

TITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # a Nomination field the import fills; None: export only
    type: str = "text"  # text | int | date | bool | list | choice
    width: int = 14
    export: str | None = None  # export-only value: seq | unit | years | status | warnings


SEQ = Column("序号", None, width=6, export="seq")
UNIT = Column("推荐单位", None, width=18, export="unit")
ORDER = Column("推荐排序", "order", "int", width=9)
STATUS = Column("状态", None, width=10, export="status")
WARNINGS = Column("资格提示", None, width=30, export="warnings")
TAIL = [
    Column("获奖情况", "honors", width=30),
    Column("媒体报道", "media_links", "list", width=36),
    Column("诚信承诺", "pledge", "bool", width=9),
    Column("联系人", "contact_name", width=10),
    Column("联系电话", "contact_phone", width=14),
    STATUS,
    WARNINGS,
]

COLUMNS: dict[str, list[Column]] = {
    CategoryKind.PROJECT: [
        SEQ,
        UNIT,
        ORDER,
        Column("项目名称", "title", width=26),
        Column("实施单位", "organization", width=24),
        Column("服务领域", "field", "choice", width=14),
        Column("启动时间", "started_on", "date", width=12),
        Column("运行年限", None, width=9, export="years"),
        Column("志愿者人数", "volunteers", "int", width=11),
        Column("经常参与志愿者人数", "active_volunteers", "int", width=11),
        Column("累计服务时长（小时）", "service_hours", "int", width=12),
        Column("活动次数", "activities", "int", width=9),
        Column("受益人数（人次）", "beneficiaries", "int", width=12),
        Column("服务对象", "service_targets", width=16),
        Column("服务地域", "service_area", width=16),
        Column("项目负责人", "leader", width=10),
        Column("项目概述及亮点成效", "summary", width=50),
        Column("项目简介", "introduction", width=40),
        Column("创新点", "innovation", width=30),
        Column("社会效益", "social_benefit", width=30),
        Column("可持续性/可推广性", "sustainability", width=30),
        *TAIL,
    ],
    CategoryKind.ORGANIZATION: [
        SEQ,
        UNIT,
        ORDER,
        Column("组织名称", "title", width=26),
        Column("所属单位", "organization", width=24),
        Column("登记/备案情况", "registration", width=20),
        Column("成立时间", "founded_on", "date", width=12),
        Column("成立年限", None, width=9, export="years"),
        Column("服务领域", "field", "choice", width=14),
        Column("负责人", "leader", width=10),
        Column("注册志愿者数", "volunteers", "int", width=11),
        Column("经常参与志愿者数", "active_volunteers", "int", width=11),
        Column("品牌项目", "brand_projects", "list", width=30),
        Column("年度服务时长（小时）", "service_hours", "int", width=12),
        Column("活动次数", "activities", "int", width=9),
        Column("受益人数（人次）", "beneficiaries", "int", width=12),
        Column("制度建设", "system_building", width=30),
        Column("事迹材料", "summary", width=50),
        Column("组织简介", "introduction", width=40),
        *TAIL,
    ],
    CategoryKind.PERSON: [
        SEQ,
        UNIT,
        ORDER,
        Column("姓名", "title", width=12),
        Column("所在单位", "organization", width=24),
        Column("主要事迹", "summary", width=50),
        Column("简介", "introduction", width=40),
        *TAIL,
    ],
    CategoryKind.COMMUNITY: [
        SEQ,
        UNIT,
        ORDER,
        Column("社区名称", "title", width=20),
        Column("所属街道/单位", "organization", width=24),
        Column("主要事迹", "summary", width=50),
        Column("简介", "introduction", width=40),
        *TAIL,
    ],
}

# Header names the import also understands (other spellings in offices' own
# sheets), matched after ``_header_key`` normalisation.
ALIASES: dict[str, str] = {
    "排序": "order",
    "名称": "title",
    "推荐对象": "title",
    "推荐对象名称": "title",
    "志愿者姓名": "title",
    "单位": "organization",
    "实施单位/所在单位": "organization",
    "主管单位": "organization",
    "业务主管单位": "organization",
    "所属街道": "organization",
    "登记情况": "registration",
    "备案情况": "registration",
    "志愿者数": "volunteers",
    "注册志愿者人数": "volunteers",
    "经常参与志愿者数": "active_volunteers",
    "经常参与志愿者人数": "active_volunteers",
    "服务时长": "service_hours",
    "累计服务时长": "service_hours",
    "年度服务时长": "service_hours",
    "受益人数": "beneficiaries",
    "受益人次": "beneficiaries",
    "负责人": "leader",
    "项目负责人": "leader",
    "手机": "contact_phone",
    "联系人手机": "contact_phone",
    "联系方式": "contact_phone",
    "概述": "summary",
    "项目概述": "summary",
    "概述及亮点成效": "summary",
    "事迹材料": "summary",
    "主要事迹": "summary",
    "简介": "introduction",
    "项目简介": "introduction",
    "组织简介": "introduction",
    "可持续性": "sustainability",
    "可推广性": "sustainability",
    "媒体报道链接": "media_links",
    "诚信承诺书": "pledge",
}
# Columns of the export that the import reads past on purpose.
EXPORT_ONLY_HEADERS = {
    "序号",
    "推荐单位",
    "运行年限",
    "成立年限",
    "状态",
    "资格提示",
    "奖项",
    "审查意见",
}

FIELD_TYPES: dict[str, str] = {}
for _columns in COLUMNS.values():
    for _column in _columns:
        if _column.field:
            FIELD_TYPES[_column.field] = _column.type

TRUE_WORDS = {"是", "已承诺", "承诺", "同意", "√", "✓", "✔", "y", "yes", "true", "1", "t"}
FALSE_WORDS = {"否", "未承诺", "不同意", "×", "✗", "n", "no", "false", "0", "f"}
LIST_SEPARATORS = re.compile(r"[\r\n、；;]+")
DATE_RE = re.compile(
    r"^(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?|(\d{2})(\d{2}))$"
)
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _header_key(text: Any) -> str:
    """Comparable form of a header: NFKC, no spaces, no required-marks, no "(单位)" suffix."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s*]", "", text)


def _header_map() -> dict[str, str]:
    out = {_header_key(k): v for k, v in ALIASES.items()}
    for columns in COLUMNS.values():
        for column in columns:
            if column.field:
                out[_header_key(column.header)] = column.field
    return out


HEADER_MAP = _header_map()
EXPORT_ONLY_KEYS = {_header_key(h) for h in EXPORT_ONLY_HEADERS}


def sheet_name(category: Category) -> str:
    name = SHEET_FORBIDDEN.sub("_", category.name).strip("'") or category.code
    return name[:31]


def _sheet_names(categories: Iterable[Category]) -> dict[str, Category]:
    """Sheet name -> category; a clash after truncation falls back to the category's code."""
    out: dict[str, Category] = {}
    for category in categories:
        name = sheet_name(category)
        if name in out:
            name = SHEET_FORBIDDEN.sub("_", category.code)[:31]
        out[name] = category
    return out


# --------------------------------------------------------------------------- export


def export_queryset(
    nominations: QuerySet[Nomination], *, competition: Competition, include_drafts: bool = False
) -> QuerySet[Nomination]:
    """The rows of an export, from an already scoped queryset, in the 推荐汇总表 order.

    Ordered per category by the unit's order, then the unit's preference
    order (unnumbered drafts last). One query whatever the number of rows.
    """
    excluded = [Status.WITHDRAWN] if include_drafts else list(EXPORT_EXCLUDED)
    return (
        nominations.filter(competition=competition)
        .exclude(status__in=excluded)
        .select_related("competition", "category", "unit")
        .prefetch_related(None)
        .order_by(
            "category__order",
            "category_id",
            "unit__order",
            "unit__code",
            F("order").asc(nulls_last=True),
            "id",
        )
    )


def _export_value(column: Column, nomination: Nomination, seq: int) -> Any:
    if column.export == "seq":
        return seq
    if column.export == "unit":
        return nomination.unit.name
    if column.export == "years":
        return nomination.years_running
    if column.export == "status":
        return nomination.get_status_display()
    if column.export == "warnings":
        return "\n".join(w.get("message", "") for w in nomination.warnings or [])
    value = getattr(nomination, column.field)
    if column.type == "list":
        return "\n".join(value or [])
    if column.type == "bool":
        return "是" if value else "否"
    return value


def export_workbook(
    *,
    competition: Competition,
    nominations: Iterable[Nomination],
    categories: Iterable[Category] | None = None,
    unit: Unit | None = None,
) -> bytes:
    """The 推荐汇总表 as .xlsx bytes: one sheet per category, rows in the given order."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if categories is None:
        categories = Category.objects.filter(competition=competition).order_by("order", "id")
    categories = list(categories)
    by_category: dict[int, list[Nomination]] = {c.pk: [] for c in categories}
    for nomination in nominations:
        by_category.setdefault(nomination.category_id, []).append(nomination)

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    exported_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    who = f"推荐单位（盖章）：{unit.name}" if unit else "推荐单位：全部"

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, category in _sheet_names(categories).items():
        columns = COLUMNS[category.kind]
        rows = by_category.get(category.pk, [])
        ws = workbook.create_sheet(title=name)
        last = get_column_letter(len(columns))

        ws.cell(TITLE_ROW, 1, f"{competition.title} {category.name}推荐汇总表")
        ws.cell(TITLE_ROW, 1).font = Font(bold=True, size=16)
        ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
        ws.row_dimensions[TITLE_ROW].height = 30
        ws.cell(INFO_ROW, 1, f"{who}    导出时间：{exported_at}    共 {len(rows)} 项")
        ws.merge_cells(f"A{INFO_ROW}:{last}{INFO_ROW}")

        for index, column in enumerate(columns, start=1):
            cell = ws.cell(HEADER_ROW, index, column.header)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 5)

        for seq, nomination in enumerate(rows, start=1):
            row = FIRST_DATA_ROW + seq - 1
            for index, column in enumerate(columns, start=1):
                value = _export_value(column, nomination, seq)
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = ws.cell(row, index, value)
                if isinstance(value, str):
                    # Text entered by units is text: "=…" is never a formula, "#N/A" never an error.
                    cell.data_type = "s"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cell.alignment = wrap
                cell.border = border

        # Help whoever fills the sheet in by hand (the export doubles as a template).
        headers = [c.header for c in columns]
        if "服务领域" in headers:
            letter = get_column_letter(headers.index("服务领域") + 1)
            choices = ",".join(ServiceField.values)
            validation = DataValidation(
                type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=False
            )
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + MAX_ROWS}")
            ws.add_data_validation(validation)
        letter = get_column_letter(headers.index("诚信承诺") + 1)
        validation = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + MAX_ROWS}")
        ws.add_data_validation(validation)

    if not workbook.sheetnames:
        ws = workbook.create_sheet(title="推荐汇总表")
        ws.cell(1, 1, f"{competition.title}：尚未设置奖项。")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(competition: Competition, unit: Unit | None = None) -> str:
    who = (unit.short_name or unit.name) if unit else ""
    name = f"{competition.title}{who}推荐汇总表.xlsx"
    return re.sub(r'[\\/:*?"<>|\r\n]', "_", name)


# --------------------------------------------------------------------------- import: report


@dataclass
class RowReport:
    sheet: str
    row: int
    title: str
    action: str = "create"
    errors: dict[str, list[str]] = field(default_factory=dict)
    id: int | None = None
    cells: dict[str, str] = field(default_factory=dict)  # field -> cell ("S5")

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def as_dict(self) -> dict:
        out = {
            "sheet": self.sheet,
            "row": self.row,
            "title": self.title,
            "action": self.action,
            "errors": self.errors,
        }
        if self.id is not None:
            out["id"] = self.id
        return out


@dataclass
class ImportResult:
    dry_run: bool
    rows: list[RowReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about a whole sheet or the file
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors and not any(r.errors for r in self.rows)

    @property
    def wrong_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.errors]

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "valid": self.valid,
            "rows": [r.as_dict() for r in self.rows],
            "errors": self.errors,
            "ignored_columns": self.ignored_columns,
            "created": len(self.created),
            "ids": self.created,
        }

    def error_fields(self) -> dict[str, list[str]]:
        """The wrong cells in the API's one error shape: ``{"<sheet>!<cell>": [messages]}``."""
        out: dict[str, list[str]] = {}
        if self.errors:
            out["file"] = list(self.errors)
        for report in self.wrong_rows:
            for name, messages in report.errors.items():
                where = report.cells.get(name) or f"第{report.row}行"
                out.setdefault(f"{report.sheet}!{where}", []).extend(messages)
        return out

    def summary(self) -> str:
        wrong = len(self.wrong_rows)
        if self.errors or wrong:
            return (
                f"导入文件共 {len(self.rows)} 行，其中 {wrong} 行有误"
                + (f"，另有 {len(self.errors)} 处文件或工作表问题" if self.errors else "")
                + "，未导入任何推荐。"
            )
        if not self.rows:
            return "导入文件中没有可导入的数据行。"
        if self.dry_run:
            return f"试运行：共 {len(self.rows)} 行，全部可以导入为草稿；未写入任何数据。"
        return f"已导入 {len(self.created)} 项推荐，均为草稿。"


# --------------------------------------------------------------------------- import: reading


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

    by_name = _sheet_names(categories)
    by_name_key = {_header_key(name): c for name, c in by_name.items()}
    for category in categories:
        by_name_key.setdefault(_header_key(category.name), category)
        by_name_key.setdefault(_header_key(category.code), category)
    allowed = "、".join(f"“{n}”" for n in by_name)

    rows: list[ParsedRow] = []
    try:
        worksheets = workbook.worksheets
        if len(worksheets) > MAX_SHEETS:
            raise _refuse_file(f"文件：工作表不能超过 {MAX_SHEETS} 个。")
        for ws in worksheets:
            sheet = ws.title
            category = by_name_key.get(_header_key(sheet))
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
        key = _header_key(value)
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
        if v is not None and i not in header and _header_key(v) not in EXPORT_ONLY_KEYS
    ]
    if ignored:
        result.ignored_columns[sheet] = ignored
    return problems


# --------------------------------------------------------------------------- import: values


def _to_int_text(value: float) -> Any:
    return int(value) if float(value).is_integer() else value


def _convert(name: str, header: str, value: Any, report: RowReport) -> Any:
    """A cell's value as the API would receive it (the serializer validates it)."""
    from openpyxl.utils.datetime import from_excel

    kind = FIELD_TYPES.get(name, "text")
    if kind == "int":
        if isinstance(value, bool):
            return value
        if isinstance(value, float):
            return _to_int_text(value)
        if isinstance(value, str):
            return re.sub(r"[\s,，]", "", value)
        return value
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 19000101 <= value <= 29991231 and float(value).is_integer():
                value = str(int(value))  # 20160305 typed as a number
            elif 3000 < value < 2958466:
                # An Excel date serial without a date format (a bare year such as
                # 2016 is not one: it goes on, as text, to the date validation).
                return from_excel(value).date().isoformat()
            else:
                return str(_to_int_text(value))
        if isinstance(value, str):
            match = DATE_RE.match(value)
            if match:
                year, month, day = (int(g) for g in match.groups() if g is not None)
                try:
                    return dt.date(year, month, day).isoformat()
                except ValueError:
                    return value
        return str(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(_to_int_text(value) if isinstance(value, float) else value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        report.add(name, f"{header}：应填写“是”或“否”。")
        return None
    if kind == "list":
        return [part.strip() for part in LIST_SEPARATORS.split(str(value)) if part.strip()]
    # Text: a phone typed as a number arrives as 13800000000 or 13800000000.0.
    if isinstance(value, float):
        value = _to_int_text(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            prefix = f"第 {int(key) + 1} 项：" if str(key).isdigit() else ""
            out.extend(prefix + m for m in _messages(value))
        return out
    if isinstance(detail, list | tuple):
        return [m for item in detail for m in _messages(item)]
    return [str(detail)]


@functools.cache
def _labels_of(name: str) -> frozenset[str]:
    """Every way a message may already name this field (serializer, model, service labels)."""
    from .api.serializers import NominationSerializer

    labels = {k for k, v in ALIASES.items() if v == name}
    labels |= {c.header for cs in COLUMNS.values() for c in cs if c.field == name}
    labels |= {label for items in services.REQUIRED.values() for f, label in items if f == name}
    with contextlib.suppress(FieldDoesNotExist):
        labels.add(str(Nomination._meta.get_field(name).verbose_name))
    serializer_field = NominationSerializer().fields.get(name)
    if serializer_field is not None and serializer_field.label:
        labels.add(str(serializer_field.label))
    return frozenset(labels)


def _name_column(message: str, name: str, header: str | None) -> str:
    """The message with the sheet's own column name in front ("项目简介：…")."""
    if not header:
        return message
    for label in sorted(_labels_of(name), key=len, reverse=True):
        if message.startswith(f"{label}："):
            message = message[len(label) + 1 :]
            break
    return f"{header}：{message}"


def _validate_row(
    parsed: ParsedRow, competition: Competition, report: RowReport
) -> dict[str, Any] | None:
    """The row through the API's serializer: typed data for the service, or None with errors."""
    from .api.serializers import NominationSerializer

    headers = {name: header for name, (header, _, _) in parsed.values.items()}
    data: dict[str, Any] = {"competition": competition.pk, "category": parsed.category.pk}
    for name, (header, _cell, raw) in parsed.values.items():
        value = _convert(name, header, raw, report)
        if value is not None and value != []:
            data[name] = value
    if not str(data.get("title", "")).strip():
        title = headers.get("title") or _title_header(parsed.category)
        report.add("title", f"{title}：未填写，导入的每一行都必须有名称。")

    serializer = NominationSerializer(data=data)
    if not serializer.is_valid():
        for name, detail in serializer.errors.items():
            for message in _messages(detail):
                report.add(name, _name_column(message, name, headers.get(name)))
    if report.errors:
        return None
    validated = dict(serializer.validated_data)
    for name in ("competition", "category", "version"):
        validated.pop(name, None)
    return validated


def _title_header(category: Category) -> str:
    return next(c.header for c in COLUMNS[category.kind] if c.field == "title")


# --------------------------------------------------------------------------- import


def import_workbook(
    *,
    actor: User,
    competition: Competition,
    content: bytes,
    dry_run: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a unit's 推荐汇总表 as drafts of the actor's unit, or (dry run) report what it would do.

    Refuses (403) anyone but a unit officer, (409) outside the nomination
    window, (400) a file that is not a reasonable .xlsx. Otherwise returns the
    row-by-row report; when any row is wrong, or on a dry run, nothing is written.
    """
    require(is_officer, actor, message="只有推荐单位管理员可以导入本单位的推荐。")
    reason = services.window_refusal(competition, timezone.now())
    if reason:
        raise Conflict(reason, code="window_closed")

    categories = list(Category.objects.filter(competition=competition).order_by("order", "id"))
    parsed_rows, result = read_workbook(content, categories)
    result.dry_run = dry_run
    if not parsed_rows and not result.errors:
        result.errors.append(
            "文件：没有可导入的数据行（工作表名应为奖项名称，表头行之下每行一项推荐）。"
        )
    total = len(parsed_rows)

    with transaction.atomic():
        for done, parsed in enumerate(parsed_rows, start=1):
            title = parsed.values.get("title", (None, None, ""))[2]
            report = RowReport(
                sheet=parsed.sheet,
                row=parsed.row,
                title=str(title or ""),
                cells={name: cell for name, (_, cell, _) in parsed.values.items()},
            )
            result.rows.append(report)
            data = _validate_row(parsed, competition, report)
            if data is not None:
                _create(actor, competition, parsed, data, report)
            if progress:
                progress(done, total)
        if dry_run or not result.valid:
            transaction.set_rollback(True)
            for report in result.rows:
                report.id = None
        else:
            result.created = [r.id for r in result.rows if r.id is not None]
    return result


def _create(
    actor: User, competition: Competition, parsed: ParsedRow, data: dict, report: RowReport
) -> None:
    headers = {name: header for name, (header, _, _) in parsed.values.items()}
    try:
        with transaction.atomic():
            nomination = services.nomination_create(
                actor=actor, competition=competition, category=parsed.category, data=data
            )
    except ValidationFailed as exc:
        for name, messages in (exc.fields or {"non_field_errors": [exc.message]}).items():
            for message in messages:
                report.add(name, _name_column(message, name, headers.get(name)))
        return
    except IntegrityError:
        report.add("non_field_errors", "与已有数据冲突，无法导入这一行。")
        return
    report.id = nomination.pk


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
