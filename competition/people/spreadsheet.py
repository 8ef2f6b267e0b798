"""The accounts import workbook: its template and reading it row by row.

The uploaded file is checked as the nominations import checks its own
(``nominations.spreadsheets.reader.check_file``, which this app to its left may
not import: size, zip bombs, old or encrypted formats); the header row is found by the column names; every row's
problems are listed by row and column. openpyxl is imported inside the
functions (architecture.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from ..enums import Role
from ..models import Category, Competition, Unit
from .services import AccountData, account_problems, split_list

TEMPLATE_NAME = "账号导入模板.xlsx"
MAX_ROWS = 500
HEADER_SEARCH_ROWS = 10

# field -> (the header written in the template, other accepted spellings)
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("display_name", "姓名", ("名字",)),
    ("username", "用户名", ("登录名", "账号")),
    ("role", "角色", ("身份",)),
    ("unit", "推荐单位", ("单位", "所属单位")),
    ("phone", "手机", ("手机号", "手机号码", "联系电话")),
    ("email", "电子邮箱", ("邮箱", "email", "e-mail")),
    ("organizations", "关联单位/组织", ("关联单位", "关联组织", "回避单位")),
    ("expertise", "专业领域/擅长奖项", ("专业领域", "擅长奖项")),
]
LABELS = {name: title for name, title, _ in COLUMNS}
ROLE_WORDS = {
    "推荐单位管理员": Role.OFFICER,
    "单位管理员": Role.OFFICER,
    "officer": Role.OFFICER,
    "评审专家": Role.JUDGE,
    "评委": Role.JUDGE,
    "专家": Role.JUDGE,
    "judge": Role.JUDGE,
}


def _key(text: Any) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")


HEADERS = {_key(alias): name for name, title, aliases in COLUMNS for alias in (title, *aliases)}


@dataclass
class Row:
    row: int
    data: AccountData
    errors: dict[str, list[str]] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        return [m for messages in self.errors.values() for m in messages]


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the whole file

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors and not any(r.errors for r in self.rows)

    @property
    def wrong_rows(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    def summary(self) -> str:
        if self.errors:
            return "文件有误，未建立任何账号：" + "；".join(self.errors)
        if not self.rows:
            return "文件中没有可导入的数据行。"
        wrong = len(self.wrong_rows)
        if wrong:
            return f"共 {len(self.rows)} 行，其中 {wrong} 行有误，请修改后重新上传；未建立任何账号。"
        return f"试运行：共 {len(self.rows)} 行，全部可以导入；未建立任何账号。"


def _categories() -> list[Category]:
    latest = Competition.objects.order_by("-year").first()
    return list(latest.categories.order_by("order", "id")) if latest else []


def template_bytes() -> bytes:
    """The template: the header row, two example rows, and a sheet of valid values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..xlsx import write_cell

    workbook = Workbook()
    ws = workbook.active
    ws.title = "账号"
    for column, (_, title, _aliases) in enumerate(COLUMNS, start=1):
        cell = write_cell(ws, 1, column, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
        ws.column_dimensions[cell.column_letter].width = 22 if column > 3 else 14
    examples = [
        ["张三", "zhangsan", "推荐单位管理员", "小店区", "13800000000", "zhangsan@example.com", "", ""],
        ["李四", "lisi", "评审专家", "", "13900000000", "", "太原市志愿服务联合会、山西大学", "志愿服务项目、志愿服务组织"],
    ]
    for r, values in enumerate(examples, start=2):
        for c, value in enumerate(values, start=1):
            write_cell(ws, r, c, value)
    roles = DataValidation(type="list", formula1='"推荐单位管理员,评审专家"', allow_blank=False)
    ws.add_data_validation(roles)
    roles.add("C2:C501")

    help_ws = workbook.create_sheet("填写说明")
    lines = [
        "每行一个账号；第一行为表头，请勿修改列名。示例行请删除后再导入。",
        "角色：推荐单位管理员 或 评审专家。",
        "推荐单位：推荐单位管理员必填（填单位全称、简称或代码）；评审专家可填其所属单位（用于回避），也可留空。",
        "手机：11 位手机号码，可留空。电子邮箱：可留空；填写后可发送设置密码的邀请邮件。",
        "关联单位/组织：仅评审专家填写，多个用顿号或逗号分隔；评审时回避与这些单位或组织有关的推荐。",
        "专业领域/擅长奖项：仅评审专家填写，填奖项名称或代码，多个用顿号或逗号分隔。",
        "",
        "可用的推荐单位（全称 / 简称 / 代码）：",
    ]
    lines += [f"{u.name} / {u.short_name} / {u.code}" for u in Unit.objects.filter(active=True).order_by("order", "code")]
    lines += ["", "可用的奖项（名称 / 代码）："]
    lines += [f"{c.name} / {c.code}" for c in _categories()]
    help_ws.column_dimensions["A"].width = 90
    for r, line in enumerate(lines, start=1):
        write_cell(help_ws, r, 1, line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_UNCOMPRESSED_SIZE = 30 * 1024 * 1024
MAX_ZIP_MEMBERS = 200


def check_file(content: bytes) -> None:
    """Refuse what is not a reasonable .xlsx before openpyxl parses it."""
    import zipfile

    from ..exceptions import ValidationFailed

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, code="invalid_file", fields={"file": [message]})

    if not content:
        raise refuse("文件：请选择要上传的 .xlsx 文件。")
    if len(content) > MAX_FILE_SIZE:
        raise refuse(f"文件：不能超过 {MAX_FILE_SIZE // (1024 * 1024)} MB。")
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise refuse("文件：这是旧版 Excel（.xls）或加密的文件，请另存为 .xlsx 后再导入。")
    if content[:4] != b"PK\x03\x04":
        raise refuse("文件：不是 .xlsx 格式的 Excel 工作簿。")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise refuse("文件：已损坏，无法读取（不是有效的 .xlsx 文件）。") from exc
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED_SIZE:
        raise refuse("文件：解压后内容过大，已拒绝。")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Lookup:
    def __init__(self) -> None:
        units = list(Unit.objects.all())
        self.units: dict[str, Unit] = {}
        for u in units:
            for key in (u.code, u.short_name, u.name):
                self.units.setdefault(_key(key), u)
        self.categories: dict[str, Category] = {}
        for c in _categories():
            self.categories.setdefault(_key(c.code), c)
            self.categories.setdefault(_key(c.name), c)


def _row(number: int, cells: dict[str, tuple[str, Any]], lookup: _Lookup, taken: set[str]) -> Row:
    values = {name: _text(value) for name, (_cell, value) in cells.items()}
    errors: dict[str, list[str]] = {}
    role_text = values.get("role", "")
    role = ROLE_WORDS.get(_key(role_text)) if role_text else None
    unit = None
    unit_text = values.get("unit", "")
    if unit_text:
        unit = lookup.units.get(_key(unit_text))
        if unit is None:
            errors.setdefault("unit", []).append(f"推荐单位：“{unit_text}”不是系统中的推荐单位（填全称、简称或代码）。")
    expertise: list[str] = []
    for item in split_list(values.get("expertise")):
        category = lookup.categories.get(_key(item))
        if category is None:
            errors.setdefault("expertise", []).append(f"专业领域/擅长奖项：“{item}”不是奖项名称或代码。")
        elif category.name not in expertise:
            expertise.append(category.name)
    data = AccountData(
        display_name=values.get("display_name", ""),
        username=values.get("username", ""),
        role=role or "",
        unit=unit,
        phone=values.get("phone", ""),
        email=values.get("email", ""),
        organizations=split_list(values.get("organizations")),
        expertise="、".join(expertise),
    )
    problems = account_problems(data, taken=taken)
    if role_text and role is None:
        problems["role"] = [f"角色：“{role_text}”应为“推荐单位管理员”或“评审专家”。"]
    elif not role_text:
        problems["role"] = ["角色：不能为空，应为“推荐单位管理员”或“评审专家”。"]
    if role == Role.OFFICER and unit_text and unit is None:
        problems.pop("unit", None)  # the lookup's message says more
    for name, messages in problems.items():
        errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if data.username:
        taken.add(data.username.strip().lower())
    return Row(row=number, data=data, errors=errors, cells={n: c for n, (c, _v) in cells.items()})


def read(content: bytes) -> Report:
    """Every row of the uploaded workbook's first sheet with a header row, and its problems."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from ..exceptions import ValidationFailed

    check_file(content)  # raises ValidationFailed naming the file
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file
        raise ValidationFailed(fields={"file": ["文件：无法作为 Excel 工作簿读取（文件已损坏或不是 .xlsx）。"]}) from exc
    report = Report()
    lookup = _Lookup()
    taken: set[str] = set()
    try:
        ws = workbook.worksheets[0]
        ws.reset_dimensions()
        header: dict[int, str] | None = None
        for number, values in enumerate(ws.iter_rows(min_row=1, max_col=30, values_only=True), start=1):
            if not any(v is not None and str(v).strip() for v in values):
                continue
            if header is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                found = {i: HEADERS[_key(v)] for i, v in enumerate(values) if v is not None and _key(v) in HEADERS}
                if {"display_name", "username", "role"} <= set(found.values()):
                    header = found
                continue
            cells = {
                name: (f"{get_column_letter(i + 1)}{number}", values[i])
                for i, name in header.items()
                if i < len(values) and values[i] is not None and str(values[i]).strip()
            }
            if not cells:
                continue
            if len(report.rows) >= MAX_ROWS:
                raise ValidationFailed(fields={"file": [f"文件：一次最多导入 {MAX_ROWS} 行，请分批导入。"]})
            report.rows.append(_row(number, cells, lookup, taken))
        if header is None:
            report.errors.append(f"文件：第一个工作表的前 {HEADER_SEARCH_ROWS} 行中未找到表头行（应包含“姓名”“用户名”“角色”等列名），请使用下载的模板。")
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML inside the zip, etc.
        raise ValidationFailed(fields={"file": ["文件：内容无法解析（文件已损坏或不是 .xlsx）。"]}) from exc
    finally:
        workbook.close()
    return report
