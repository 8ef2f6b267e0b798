"""Forms of the nominations pages: they validate and speak Chinese; services act.

``NominationForm`` is built for one category kind (project, organisation,
person, community): its fields, their Chinese labels, help texts, types and
limits, and the sections they are shown in come from ``schema``. The names of the fields are
the API's field names, so that the page's autosave script can send the same
form to ``PATCH /api/v1/nominations/{id}/``; each widget carries a
``data-type`` telling the script how to encode the value (text, int, date,
lines, bool, order).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from competition.models import Category, Competition, Unit
from competition.selectors import nomination_quota

from . import schema
from .enums import Decision, ServiceField, Status
from .models import Nomination

PLEDGE_TEXT = schema.PLEDGE_TEXT
# (section title, [field names]) per kind, in the order of the paper form.
LAYOUT: dict[str, list[tuple[str, list[str]]]] = {kind: schema.sections(kind) for kind in schema.KINDS}
# Textarea heights of the long fields (rows); others 3.
TEXTAREA_ROWS = {"introduction": 4, "summary": 10}


def labels_for(kind: str) -> dict[str, str]:
    return schema.labels(kind)


def fields_for(kind: str) -> list[str]:
    return schema.names(kind)


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


def _form_field(spec: schema.Field, quota: int) -> forms.Field:
    """The form field of one schema field: its type, limits and checks come from the schema."""
    if spec.type == "order":
        return forms.TypedChoiceField(
            choices=[("", "（暂不确定）")] + [(i, f"第 {i} 位") for i in range(1, quota + 1)],
            coerce=int,
            empty_value=None,
        )
    if spec.type == "int":
        return forms.IntegerField(min_value=spec.min_value, max_value=spec.max_value)
    if spec.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    if spec.type == "bool":
        return forms.BooleanField()
    if spec.type == "choice":
        return forms.ChoiceField(choices=[("", "请选择")] + list(ServiceField.choices))
    rows = TEXTAREA_ROWS.get(spec.name, 3)
    if spec.type == "list":
        return LinesField(
            item_validator=lambda value: schema.clean_value(spec, value),
            widget=forms.Textarea(attrs={"rows": rows}),
        )
    # Text: a model CharField's max_length, or the schema's limit of a long text.
    max_length = spec.max_length or getattr(Nomination._meta.get_field(spec.name), "max_length", None)
    if spec.long:
        attrs = {"rows": rows}
        if spec.max_length:
            attrs["data-max"] = spec.max_length
        return forms.CharField(max_length=max_length, widget=forms.Textarea(attrs=attrs))
    widget = (
        forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
        if spec.name == "contact_phone"
        else None
    )
    return forms.CharField(max_length=max_length, validators=list(spec.validators), widget=widget)


class NominationForm(forms.Form):
    """The nomination form of one category; every field may be left blank in a draft.

    Completeness is checked at submission (``services.missing_items``), not here;
    this form checks types, lengths and formats only.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, category: Category, unit: Unit | int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.kind = category.kind
        quota = nomination_quota(category, unit) if unit is not None else category.nomination_quota_per_unit
        for spec in schema.fields(self.kind):
            field = _form_field(spec, quota)
            field.required = False
            field.label = spec.label
            field.help_text = spec.help.format(quota=quota)
            field.widget.attrs["data-type"] = _widget_type(field)
            field.is_required_for_submit = spec.required
            field.wide = spec.long or spec.type == "bool"
            self.fields[spec.name] = field

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
    """The office's decision: accept, return (with a reason and a 补正截止) or reject (with a
    reason); or reopen a decision (with a reason)."""

    decision = forms.ChoiceField(
        label="审查结论",
        choices=Decision.choices,
        error_messages={"required": "请选择审查结论。", "invalid_choice": "审查结论无效。"},
    )
    reason = forms.CharField(
        label="理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    correct_by = forms.DateField(
        label="补正截止",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "补正截止：请填写有效的日期（年-月-日）。"},
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
        elif decision == Decision.REOPEN and not reason:
            self.add_error("reason", "请填写撤销审查结论的理由。")
        if decision != Decision.RETURN:
            data["correct_by"] = None  # only a return carries a 补正截止
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
