"""The nomination fields, defined once: per category kind, each field's Chinese
label, section and order on the paper form, help text, whether submission
needs it, whether it is long text, whether judges read it, its spreadsheet
column and the other header names the import understands.

Everything that lists nomination fields derives from here: the form
(``forms.NominationForm``), the completeness checklist
(``services.missing_items``), the fields a unit may write
(``services.EDITABLE_FIELDS``, the API's), the 推荐汇总表 columns
(``spreadsheets.columns``), the import's validation (``clean``), the
nomination page, the judges' materials and the exhibition's whitelist. A
label is the same on the form, in the checklist, in the spreadsheet header,
on the nomination page and in error messages: ``label(kind, name)``.

The model's ``verbose_name`` (admin, API documentation) is the kind-neutral
name (``verbose(name)``); this module imports no model, so the model can
read it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError

from competition.enums import CategoryKind

from .enums import ServiceField
from .validators import INTRODUCTION_MAX, SUMMARY_MAX, validate_media_links, validate_phone

# Largest values of the integer columns (PostgreSQL integer / bigint / smallint).
INT_MAX = 2_147_483_647
BIGINT_MAX = 9_223_372_036_854_775_807
SMALLINT_MAX = 32_767

PLEDGE_TEXT = "本单位承诺：所填内容及上传材料真实、准确、完整，如有不实，愿承担相应责任。"


@dataclass(frozen=True)
class Field:
    """One field of one kind's nomination (or, with ``kind=""``, the kind-neutral base)."""

    name: str
    label: str  # the Chinese name, on every page, checklist, column and message
    verbose: str  # kind-neutral name: the model's verbose_name
    type: str = "text"  # text | int | order | date | bool | choice | list
    section: str = ""
    help: str = ""  # ``{quota}`` is replaced by the unit's quota of the category
    required: bool = False  # submission needs it (services.missing_items)
    long: bool = False  # long text: a textarea, a full-width row
    judge: bool = True  # judges receive it with the materials
    material: bool = True  # shown as a row of the materials (title is the heading instead)
    exhibit: bool = False  # copied to the exhibition's hall, editable there by the office
    derived: bool = False  # computed from other fields: shown and exported, never entered
    aliases: tuple[str, ...] = ()  # other spreadsheet header names for this field
    width: int = 14  # spreadsheet column width
    max_length: int | None = None  # text: characters; list: characters per item
    min_value: int = 0
    max_value: int | None = None
    min_items: int = 0  # list: at least this many for submission
    validators: tuple[Callable[[Any], None], ...] = ()
    kind: str = ""

    @property
    def header(self) -> str:
        """The spreadsheet column header: the label itself."""
        return self.label


def _text(name, verbose, max_length=None, **kw) -> Field:
    return Field(name, verbose, verbose, "text", max_length=max_length, **kw)


def _long(name, verbose, max_length=None, **kw) -> Field:
    return Field(name, verbose, verbose, "text", long=True, max_length=max_length, **{"width": 30, **kw})


def _int(name, verbose, max_value=INT_MAX, **kw) -> Field:
    return Field(name, verbose, verbose, "int", max_value=max_value, **{"width": 11, **kw})


# The kind-neutral base of every field, in the API's (and the judges') order.
_BASE: dict[str, Field] = {
    f.name: f
    for f in [
        Field(
            "order",
            "推荐排序",
            "推荐排序",
            "order",
            help="本单位在该奖项中的推荐顺序（1 为首推），本单位名额 {quota} 个。",
            required=True,
            judge=False,
            material=False,
            aliases=("排序",),
            width=9,
            min_value=1,
            max_value=SMALLINT_MAX,
        ),
        _text(
            "title",
            "名称",
            100,
            required=True,
            material=False,
            aliases=("名称", "推荐对象", "推荐对象名称", "志愿者姓名"),
            width=26,
        ),
        _text(
            "organization",
            "实施单位/所在单位",
            100,
            aliases=("单位", "实施单位/所在单位", "主管单位", "业务主管单位", "所属单位", "所属街道"),
            width=24,
        ),
        _long(
            "introduction",
            f"简介（≤{INTRODUCTION_MAX}字）",
            INTRODUCTION_MAX,
            help=f"用于云展馆展示，不超过 {INTRODUCTION_MAX} 字。",
            required=True,
            aliases=("简介", "项目简介", "组织简介"),
        ),
        _long(
            "summary",
            f"概述及亮点成效/事迹材料（≤{SUMMARY_MAX}字）",
            SUMMARY_MAX,
            help=f"不超过 {SUMMARY_MAX} 字，写明开展情况、亮点和成效。",
            required=True,
            aliases=("概述", "项目概述", "概述及亮点成效", "事迹材料", "主要事迹"),
        ),
        _long("honors", "获奖情况", help="曾获得的表彰，写明年份和授予单位。"),
        Field(
            "media_links",
            "媒体报道",
            "媒体报道",
            "list",
            help="每行一个链接，以 http:// 或 https:// 开头。",
            long=True,
            aliases=("媒体报道链接",),
            width=36,
            validators=(validate_media_links,),
        ),
        _text("leader", "负责人", 50, aliases=("负责人", "项目负责人"), width=10),
        _text("contact_name", "联系人", 50, required=True, judge=False, material=False, width=10),
        _text(
            "contact_phone",
            "联系电话",
            20,
            help="11 位手机号码，或带区号的固定电话（如 0351-1234567）。",
            required=True,
            judge=False,
            material=False,
            aliases=("手机", "联系人手机", "联系方式"),
            validators=(validate_phone,),
        ),
        Field(
            "pledge",
            "诚信承诺",
            "诚信承诺",
            "bool",
            help=PLEDGE_TEXT,
            required=True,
            judge=False,
            material=False,
            aliases=("诚信承诺书",),
            width=9,
        ),
        Field("field", "服务领域", "服务领域", "choice"),
        _text("service_targets", "服务对象", 200, width=16),
        _text("service_area", "服务地域", 200, width=16),
        Field("started_on", "启动时间", "启动时间", "date", help="据此计算项目运行年限。", width=12),
        _int("volunteers", "志愿者人数", aliases=("志愿者数", "注册志愿者人数")),
        _int(
            "active_volunteers",
            "经常参与志愿者人数",
            help="不能多于志愿者人数。",
            aliases=("经常参与志愿者数", "经常参与志愿者人数"),
        ),
        _int(
            "service_hours",
            "累计服务时长（小时）",
            aliases=("服务时长", "累计服务时长", "年度服务时长"),
            width=12,
        ),
        _int("activities", "活动次数", width=9),
        _int(
            "beneficiaries",
            "受益人数（人次）",
            max_value=BIGINT_MAX,
            aliases=("受益人数", "受益人次"),
            width=12,
        ),
        _long("innovation", "创新点"),
        _long("social_benefit", "社会效益"),
        _long("sustainability", "可持续性/可推广性", aliases=("可持续性", "可推广性")),
        _text(
            "registration",
            "登记/备案情况",
            200,
            help="如：太原市民政局登记，统一社会信用代码……",
            aliases=("登记情况", "备案情况"),
            width=20,
        ),
        Field("founded_on", "成立时间", "成立时间", "date", help="据此计算组织成立年限。", width=12),
        Field(
            "brand_projects",
            "品牌项目",
            "品牌项目",
            "list",
            long=True,
            width=30,
            max_length=100,
        ),
        _long("system_building", "制度建设"),
        # Derived: completed years from started_on / founded_on to the deadline.
        Field(
            "years_running",
            "运行年限",
            "运行年限",
            "int",
            judge=False,
            material=False,
            derived=True,
            width=9,
        ),
    ]
}


def _f(name: str, **overrides) -> Field:
    return replace(_BASE[name], **overrides)


# Per kind: (section, [fields]) in the order of the paper form. A field not
# named here does not exist for that kind.
_LAYOUT: dict[str, list[tuple[str, list[Field]]]] = {
    CategoryKind.PROJECT: [
        (
            "基本信息",
            [
                _f("order"),
                _f("title", label="项目名称", exhibit=True),
                _f("organization", label="实施单位", required=True, exhibit=True),
                _f("field", required=True, exhibit=True),
                _f("service_targets", required=True),
                _f("service_area", required=True),
                _f("started_on", required=True),
                _f("years_running", exhibit=True),
            ],
        ),
        (
            "规模与成效",
            [
                _f("volunteers", required=True, exhibit=True),
                _f("active_volunteers", required=True),
                _f("service_hours", required=True, exhibit=True),
                _f("activities", required=True, exhibit=True),
                _f("beneficiaries", required=True, exhibit=True),
            ],
        ),
        (
            "负责人与联系人",
            [_f("leader", label="项目负责人", required=True), _f("contact_name"), _f("contact_phone")],
        ),
        (
            "项目介绍",
            [
                _f("introduction", label="项目简介", exhibit=True),
                _f("summary", label="项目概述及亮点成效"),
                _f("innovation"),
                _f("social_benefit"),
                _f("sustainability"),
                _f("honors"),
                _f("media_links"),
            ],
        ),
        ("诚信承诺", [_f("pledge")]),
    ],
    CategoryKind.ORGANIZATION: [
        (
            "基本信息",
            [
                _f("order"),
                _f("title", label="组织名称", exhibit=True),
                _f("organization", label="业务主管单位"),
                _f("registration", required=True),
                _f("founded_on", required=True, exhibit=True),
                _f("years_running", label="成立年限"),
                _f("field", label="主要服务领域"),
            ],
        ),
        (
            "规模与成效",
            [
                _f("volunteers", label="注册志愿者数", required=True, exhibit=True),
                _f("active_volunteers", label="经常参与志愿者数", help="不能多于注册志愿者数。", required=True),
                _f("service_hours", label="年度服务时长（小时）", required=True),
                _f("activities", label="年度活动次数"),
                _f("beneficiaries"),
            ],
        ),
        ("负责人与联系人", [_f("leader", required=True), _f("contact_name"), _f("contact_phone")]),
        (
            "组织介绍",
            [
                _f("introduction", label="组织简介", exhibit=True),
                _f("summary", label="事迹材料"),
                _f(
                    "brand_projects",
                    help="每行一个项目名称，至少填写 2 个。",
                    required=True,
                    min_items=2,
                    exhibit=True,
                ),
                _f("system_building"),
                _f("honors"),
                _f("media_links"),
            ],
        ),
        ("诚信承诺", [_f("pledge")]),
    ],
    CategoryKind.PERSON: [
        ("基本信息", [_f("order"), _f("title", label="姓名", width=12), _f("organization", label="所在单位", required=True)]),
        ("联系人", [_f("contact_name"), _f("contact_phone")]),
        (
            "事迹介绍",
            [
                _f("introduction", label="个人简介"),
                _f("summary", label="主要事迹"),
                _f("honors"),
                _f("media_links"),
            ],
        ),
        ("诚信承诺", [_f("pledge")]),
    ],
    CategoryKind.COMMUNITY: [
        (
            "基本信息",
            [
                _f("order"),
                _f("title", label="社区名称", width=20),
                _f("organization", label="所属街道/单位", required=True),
                _f("leader", label="社区负责人"),
            ],
        ),
        ("联系人", [_f("contact_name"), _f("contact_phone")]),
        (
            "事迹介绍",
            [
                _f("introduction", label="社区简介"),
                _f("summary", label="主要事迹"),
                _f("honors"),
                _f("media_links"),
            ],
        ),
        ("诚信承诺", [_f("pledge")]),
    ],
}

# The 推荐汇总表's column order per kind (a document of its own, not the form's
# order): every field of the kind, the derived years after the start date.
_SPREADSHEET_ORDER: dict[str, list[str]] = {
    CategoryKind.PROJECT: [
        "order", "title", "organization", "field", "started_on", "years_running",
        "volunteers", "active_volunteers", "service_hours", "activities", "beneficiaries",
        "service_targets", "service_area", "leader", "summary", "introduction",
        "innovation", "social_benefit", "sustainability",
        "honors", "media_links", "pledge", "contact_name", "contact_phone",
    ],
    CategoryKind.ORGANIZATION: [
        "order", "title", "organization", "registration", "founded_on", "years_running",
        "field", "leader", "volunteers", "active_volunteers", "brand_projects",
        "service_hours", "activities", "beneficiaries", "system_building", "summary", "introduction",
        "honors", "media_links", "pledge", "contact_name", "contact_phone",
    ],
    CategoryKind.PERSON: [
        "order", "title", "organization", "summary", "introduction",
        "honors", "media_links", "pledge", "contact_name", "contact_phone",
    ],
    CategoryKind.COMMUNITY: [
        "order", "title", "organization", "leader", "summary", "introduction",
        "honors", "media_links", "pledge", "contact_name", "contact_phone",
    ],
}  # fmt: skip

KINDS: tuple[str, ...] = tuple(_LAYOUT)
KNOWN: frozenset[str] = frozenset(_BASE)  # every field name the schema describes
_BY_KIND: dict[str, dict[str, Field]] = {
    kind: {f.name: replace(f, section=title, kind=kind) for title, fs in sections for f in fs}
    for kind, sections in _LAYOUT.items()
}


# --------------------------------------------------------------------------- reading the schema


def spec(kind: str, name: str) -> Field:
    """The field ``name`` of ``kind``; for a field the kind has not, its kind-neutral base."""
    return _BY_KIND.get(kind, {}).get(name) or _BASE[name]


def all_fields(kind: str) -> list[Field]:
    """Every field of ``kind`` in the form's order, derived ones included."""
    return list(_BY_KIND[kind].values())


def fields(kind: str) -> list[Field]:
    """The fields a unit fills in for ``kind``, in the form's order."""
    return [f for f in _BY_KIND[kind].values() if not f.derived]


def names(kind: str) -> list[str]:
    return [f.name for f in fields(kind)]


def label(kind: str, name: str) -> str:
    return spec(kind, name).label


def labels(kind: str) -> dict[str, str]:
    return {f.name: f.label for f in all_fields(kind)}


def verbose(name: str) -> str:
    """The kind-neutral name (the model's ``verbose_name``)."""
    return _BASE[name].verbose


def sections(kind: str) -> list[tuple[str, list[str]]]:
    """[(section title, [names of the fields a unit fills in])] in the form's order."""
    return [
        (title, [f.name for f in fs if not f.derived]) for title, fs in _LAYOUT[kind]
    ]


def required(kind: str) -> list[Field]:
    """What submission needs, in the form's order (the completeness checklist)."""
    return [f for f in fields(kind) if f.required]


def editable_fields() -> list[str]:
    """Every field a unit may write (whatever the kind), sorted: the API's and the services' list."""
    return sorted({f.name for kind in KINDS for f in fields(kind)})


def _base_order(selected: Iterable[str]) -> list[str]:
    chosen = set(selected)
    return [name for name in _BASE if name in chosen]


def judge_fields(kind: str | None = None) -> list[str]:
    """The fields judges receive with the materials (not contacts, order or pledge)."""
    pool = fields(kind) if kind else [f for k in KINDS for f in fields(k)]
    return _base_order(f.name for f in pool if f.judge)


def material_fields(kind: str | None = None) -> set[str]:
    """The fields shown to judges as rows of the materials."""
    pool = fields(kind) if kind else [f for k in KINDS for f in fields(k)]
    return {f.name for f in pool if f.material}


def not_material_fields() -> set[str]:
    """The fields a unit fills in that are never a row of the judges' materials."""
    return {f.name for k in KINDS for f in fields(k) if not f.material}


def long_fields() -> set[str]:
    """Long texts (and lists): a textarea on the form, a full-width row on the pages."""
    return {f.name for k in KINDS for f in all_fields(k) if f.long}


def exhibit_fields(kind: str) -> list[str]:
    """What the exhibition's hall of ``kind`` shows and the office may edit there, in the form's order."""
    return [f.name for f in all_fields(kind) if f.exhibit]


def spreadsheet_columns(kind: str) -> list[Field]:
    """The 推荐汇总表's field columns of ``kind`` (the row columns 序号, 推荐单位, 状态 … aside)."""
    return [_BY_KIND[kind][name] for name in _SPREADSHEET_ORDER[kind]]


def header_names() -> dict[str, str]:
    """Every header the import understands (each kind's label and every alias) -> field name."""
    out: dict[str, str] = {}
    for kind in KINDS:
        for f in spreadsheet_columns(kind):
            if f.derived:
                continue
            for header in (f.header, *f.aliases):
                out.setdefault(header, f.name)
    return out


# --------------------------------------------------------------------------- validation


def clean_value(f: Field, value: Any) -> Any:
    """``value`` as the model stores it, or ``ValidationError`` with a message without the label."""
    if f.type in ("int", "order"):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationError("应为整数。")
        if value < f.min_value:
            raise ValidationError(f"不能小于 {f.min_value}。")
        if f.max_value is not None and value > f.max_value:
            raise ValidationError(f"不能大于 {f.max_value}。")
        return value
    if f.type == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError("应为日期，如 2016-03-05。") from None
    if f.type == "bool":
        if not isinstance(value, bool):
            raise ValidationError("应填写“是”或“否”。")
        return value
    if f.type == "choice":
        value = str(value).strip()
        if value and value not in ServiceField.values:
            raise ValidationError(f"“{value}”不是可选的服务领域（可选：{'、'.join(ServiceField.values)}）。")
        return value
    if f.type == "list":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            raise ValidationError("应为列表。")
        items = [str(v).strip() for v in value if str(v).strip()]
        if f.max_length:
            for index, item in enumerate(items, start=1):
                if len(item) > f.max_length:
                    raise ValidationError(f"第 {index} 项：不能超过 {f.max_length} 字。")
        for validator in f.validators:
            validator(items)
        return items
    # Text.
    value = "" if value is None else str(value).strip()
    if f.max_length is not None and len(value) > f.max_length:
        raise ValidationError(f"不能超过 {f.max_length} 字（现有 {len(value)} 字）。")
    for validator in f.validators:
        validator(value)
    return value


def clean(kind: str, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Typed values of ``data`` for the services, and per field the Chinese messages naming it.

    The same rules as the form and the API (types, lengths, formats, choices);
    the services add the rules that need the nomination (order within the
    quota, dates not in the future, completeness at submission).
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if name not in _BASE or _BASE[name].derived:
            errors.setdefault(name, []).append(f"{name}：不能由推荐单位填写。")
            continue
        f = spec(kind, name)
        try:
            cleaned[name] = clean_value(f, value)
        except ValidationError as exc:
            errors[name] = [f"{f.label}：{m}" for m in exc.messages]
    return cleaned, errors


__all__ = [
    "KINDS",
    "KNOWN",
    "PLEDGE_TEXT",
    "Field",
    "all_fields",
    "clean",
    "clean_value",
    "editable_fields",
    "exhibit_fields",
    "fields",
    "header_names",
    "judge_fields",
    "label",
    "labels",
    "long_fields",
    "material_fields",
    "names",
    "not_material_fields",
    "required",
    "sections",
    "spec",
    "spreadsheet_columns",
    "verbose",
]
