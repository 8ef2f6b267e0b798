"""Forms of the nominations pages: they validate and speak Chinese; services act.

``NominationForm`` is built for one category kind (project, organisation,
person, community): its fields, their Chinese labels and help texts, and the
sections they are shown in come from ``LAYOUT``. The names of the fields are
the API's field names, so that the page's autosave script can send the same
form to ``PATCH /api/v1/nominations/{id}/``; each widget carries a
``data-type`` telling the script how to encode the value (text, int, date,
lines, bool, order).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from competition.enums import CategoryKind
from competition.models import Category, Competition, Unit

from .enums import Decision, ServiceField, Status
from .services import REQUIRED
from .validators import INTRODUCTION_MAX, SUMMARY_MAX, validate_media_links, validate_phone

# (section title, [field names]) per kind, in the order of the paper form.
LAYOUT: dict[str, list[tuple[str, list[str]]]] = {
    CategoryKind.PROJECT: [
        (
            "基本信息",
            ["order", "title", "organization", "field", "service_targets", "service_area", "started_on"],
        ),
        (
            "规模与成效",
            ["volunteers", "active_volunteers", "service_hours", "activities", "beneficiaries"],
        ),
        ("负责人与联系人", ["leader", "contact_name", "contact_phone"]),
        (
            "项目介绍",
            [
                "introduction",
                "summary",
                "innovation",
                "social_benefit",
                "sustainability",
                "honors",
                "media_links",
            ],
        ),
        ("诚信承诺", ["pledge"]),
    ],
    CategoryKind.ORGANIZATION: [
        ("基本信息", ["order", "title", "organization", "registration", "founded_on", "field"]),
        (
            "规模与成效",
            ["volunteers", "active_volunteers", "service_hours", "activities", "beneficiaries"],
        ),
        ("负责人与联系人", ["leader", "contact_name", "contact_phone"]),
        (
            "组织介绍",
            ["introduction", "summary", "brand_projects", "system_building", "honors", "media_links"],
        ),
        ("诚信承诺", ["pledge"]),
    ],
    CategoryKind.PERSON: [
        ("基本信息", ["order", "title", "organization"]),
        ("联系人", ["contact_name", "contact_phone"]),
        ("事迹介绍", ["introduction", "summary", "honors", "media_links"]),
        ("诚信承诺", ["pledge"]),
    ],
    CategoryKind.COMMUNITY: [
        ("基本信息", ["order", "title", "organization", "leader"]),
        ("联系人", ["contact_name", "contact_phone"]),
        ("事迹介绍", ["introduction", "summary", "honors", "media_links"]),
        ("诚信承诺", ["pledge"]),
    ],
}

# Labels that differ by kind; the rest come from DEFAULT_LABELS.
KIND_LABELS: dict[str, dict[str, str]] = {
    CategoryKind.PROJECT: {
        "title": "项目名称",
        "organization": "实施单位",
        "leader": "项目负责人",
        "contact_phone": "联系人手机",
        "introduction": "项目简介",
        "summary": "项目概述及亮点成效",
    },
    CategoryKind.ORGANIZATION: {
        "title": "组织名称",
        "organization": "业务主管单位",
        "field": "主要服务领域",
        "volunteers": "注册志愿者数",
        "active_volunteers": "经常参与志愿者数",
        "service_hours": "年度服务时长（小时）",
        "activities": "年度活动次数",
        "introduction": "组织简介",
        "summary": "事迹材料",
    },
    CategoryKind.PERSON: {
        "title": "姓名",
        "organization": "所在单位",
        "introduction": "个人简介",
        "summary": "主要事迹",
    },
    CategoryKind.COMMUNITY: {
        "title": "社区名称",
        "organization": "所属街道/单位",
        "leader": "社区负责人",
        "introduction": "社区简介",
        "summary": "主要事迹",
    },
}

DEFAULT_LABELS = {
    "order": "推荐排序",
    "title": "名称",
    "organization": "所在单位",
    "field": "服务领域",
    "service_targets": "服务对象",
    "service_area": "服务地域",
    "started_on": "启动时间",
    "volunteers": "志愿者人数",
    "active_volunteers": "经常参与志愿者人数",
    "service_hours": "累计服务时长（小时）",
    "activities": "活动次数",
    "beneficiaries": "受益人数（人次）",
    "leader": "负责人",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "introduction": "简介",
    "summary": "概述",
    "innovation": "创新点",
    "social_benefit": "社会效益",
    "sustainability": "可持续性/可推广性",
    "honors": "获奖情况",
    "media_links": "媒体报道",
    "registration": "登记/备案情况",
    "founded_on": "成立时间",
    "brand_projects": "品牌项目",
    "system_building": "制度建设",
    "pledge": "诚信承诺",
}

HELP = {
    "introduction": f"用于云展馆展示，不超过 {INTRODUCTION_MAX} 字。",
    "summary": f"不超过 {SUMMARY_MAX} 字，写明开展情况、亮点和成效。",
    "started_on": "据此计算项目运行年限。",
    "founded_on": "据此计算组织成立年限。",
    "active_volunteers": "不能多于志愿者人数。",
    "contact_phone": "11 位手机号码，或带区号的固定电话（如 0351-1234567）。",
    "media_links": "每行一个链接，以 http:// 或 https:// 开头。",
    "brand_projects": "每行一个项目名称，至少填写 2 个。",
    "registration": "如：太原市民政局登记，统一社会信用代码……",
    "honors": "曾获得的表彰，写明年份和授予单位。",
}

PLEDGE_TEXT = "本单位承诺：所填内容及上传材料真实、准确、完整，如有不实，愿承担相应责任。"


def labels_for(kind: str) -> dict[str, str]:
    return {**DEFAULT_LABELS, **KIND_LABELS.get(kind, {})}


def fields_for(kind: str) -> list[str]:
    return [name for _, names in LAYOUT[kind] for name in names]


class LinesField(forms.CharField):
    """A textarea whose non-empty lines make a list of strings."""

    widget = forms.Textarea

    def __init__(self, *args, item_validator=None, **kwargs):
        self.item_validator = item_validator
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, value):
        if self.item_validator is not None:
            self.item_validator(value)


def _text(text: str) -> str:
    """Textareas post CRLF; the database and the length limits count LF."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _validate_brand_projects(value: list[str]) -> None:
    too_long = [v for v in value if len(v) > 100]
    if too_long:
        raise ValidationError(f"品牌项目“{too_long[0][:20]}…”的名称超过 100 字。")


def _widget_type(field: forms.Field) -> str:
    if isinstance(field, forms.BooleanField):
        return "bool"
    if isinstance(field, LinesField):
        return "lines"
    if isinstance(field, forms.IntegerField):
        return "int"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.TypedChoiceField):
        return "order"
    return "text"


class NominationForm(forms.Form):
    """The nomination form of one category; every field may be left blank in a draft.

    Completeness is checked at submission (``services.missing_items``), not here;
    this form checks types, lengths and formats only.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, category: Category, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.kind = category.kind
        labels = labels_for(self.kind)
        required = {name for name, _ in REQUIRED[self.kind]} | {"order", "pledge"}
        quota = category.nomination_quota_per_unit
        builders = {
            "order": lambda: forms.TypedChoiceField(
                choices=[("", "（暂不确定）")] + [(i, f"第 {i} 位") for i in range(1, quota + 1)],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=f"本单位在该奖项中的推荐顺序（1 为首推），本单位名额 {quota} 个。",
            ),
            "title": lambda: forms.CharField(max_length=100),
            "organization": lambda: forms.CharField(max_length=100),
            "field": lambda: forms.ChoiceField(
                choices=[("", "请选择")] + list(ServiceField.choices)
            ),
            "service_targets": lambda: forms.CharField(max_length=200),
            "service_area": lambda: forms.CharField(max_length=200),
            "started_on": lambda: forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")),
            "founded_on": lambda: forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")),
            "volunteers": lambda: forms.IntegerField(min_value=0),
            "active_volunteers": lambda: forms.IntegerField(min_value=0),
            "service_hours": lambda: forms.IntegerField(min_value=0),
            "activities": lambda: forms.IntegerField(min_value=0),
            "beneficiaries": lambda: forms.IntegerField(min_value=0),
            "leader": lambda: forms.CharField(max_length=50),
            "contact_name": lambda: forms.CharField(max_length=50),
            "contact_phone": lambda: forms.CharField(
                max_length=20,
                validators=[validate_phone],
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            ),
            "introduction": lambda: forms.CharField(
                max_length=INTRODUCTION_MAX,
                widget=forms.Textarea(attrs={"rows": 4, "data-max": INTRODUCTION_MAX}),
            ),
            "summary": lambda: forms.CharField(
                max_length=SUMMARY_MAX,
                widget=forms.Textarea(attrs={"rows": 10, "data-max": SUMMARY_MAX}),
            ),
            "innovation": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 3})),
            "social_benefit": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 3})),
            "sustainability": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 3})),
            "system_building": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 3})),
            "honors": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 3})),
            "registration": lambda: forms.CharField(max_length=200),
            "media_links": lambda: LinesField(
                item_validator=validate_media_links, widget=forms.Textarea(attrs={"rows": 3})
            ),
            "brand_projects": lambda: LinesField(
                item_validator=_validate_brand_projects, widget=forms.Textarea(attrs={"rows": 3})
            ),
            "pledge": lambda: forms.BooleanField(),
        }
        for name in fields_for(self.kind):
            field = builders[name]()
            field.required = False
            field.label = labels[name]
            if name in HELP and not field.help_text:
                field.help_text = HELP[name]
            if name == "pledge":
                field.help_text = PLEDGE_TEXT
            field.widget.attrs["data-type"] = _widget_type(field)
            field.is_required_for_submit = name in required
            field.wide = isinstance(field.widget, forms.Textarea) or name == "pledge"
            self.fields[name] = field

    def sections(self):
        """[(title, [bound fields])] in the layout's order, for the template."""
        return [(title, [self[name] for name in names]) for title, names in LAYOUT[self.kind]]

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(self.fields.get(name), forms.CharField) and not isinstance(
                self.fields[name], LinesField
            ):
                data[name] = _text(value).strip() if isinstance(value, str) else value
        return data

    def service_data(self) -> dict[str, Any]:
        """The cleaned values as ``nomination_create``/``nomination_update`` take them."""
        data = {}
        for name in fields_for(self.kind):
            value = self.cleaned_data.get(name)
            if isinstance(self.fields[name], forms.CharField) and value is None:
                value = ""
            data[name] = value
        return data

    def add_service_errors(self, fields: dict[str, list[str]]) -> None:
        """Put a service's per-field messages next to the fields they name."""
        for name, messages in fields.items():
            base = name.split("[", 1)[0].split(".", 1)[0]
            target = base if base in self.fields else None
            for message in messages:
                self.add_error(target, message)


def initial_from(nomination) -> dict[str, Any]:
    data = {name: getattr(nomination, name) for name in fields_for(nomination.category.kind)}
    data["version"] = nomination.version
    return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写撤回理由。"},
    )

    def clean_reason(self):
        reason = _text(self.cleaned_data["reason"]).strip()
        if not reason:
            raise ValidationError("请填写撤回理由。")
        return reason


class ReviewForm(forms.Form):
    """The office's decision: accept, or return / reject with a reason."""

    decision = forms.ChoiceField(
        label="审查结论",
        choices=Decision.choices,
        error_messages={"required": "请选择审查结论。", "invalid_choice": "审查结论无效。"},
    )
    reason = forms.CharField(
        label="理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        reason = _text(data.get("reason") or "").strip()
        data["reason"] = reason
        if decision == Decision.RETURN and not reason:
            self.add_error("reason", "请填写退回修改的理由，告诉推荐单位需要改什么。")
        elif decision == Decision.REJECT and not reason:
            self.add_error("reason", "请填写不予通过的理由。")
        return data


class ReviewFilterForm(forms.Form):
    """The review queue's filters (GET)."""

    competition = forms.ModelChoiceField(
        label="推选活动", queryset=Competition.objects.none(), required=False, empty_label=None
    )
    category = forms.ModelChoiceField(
        label="奖项", queryset=Category.objects.none(), required=False, empty_label="全部奖项"
    )
    unit = forms.ModelChoiceField(
        label="推荐单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位"
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态")] + [c for c in Status.choices if c[0] != Status.DRAFT],
    )
    has_warnings = forms.ChoiceField(
        label="资格提示",
        required=False,
        choices=[("", "不限"), ("yes", "有提示"), ("no", "无提示")],
    )

    def __init__(self, *args, competitions, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competition"].queryset = competitions
        self.fields["unit"].queryset = units
        self.fields["competition"].error_messages["invalid_choice"] = "所选推选活动不存在。"
        self.fields["category"].error_messages["invalid_choice"] = "所选奖项不属于该推选活动。"
        self.fields["unit"].error_messages["invalid_choice"] = "所选推荐单位不存在。"
        self.fields["status"].error_messages["invalid_choice"] = "所选状态无效。"

    def set_categories(self, queryset) -> None:
        self.fields["category"].queryset = queryset
