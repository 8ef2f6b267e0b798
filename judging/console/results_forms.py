"""Input forms of the office's results pages. They shape the input; the services decide."""

from __future__ import annotations

from django import forms

from ..enums import OFFLINE_CHANNELS, ObjectionChannel, ObjectionStatus

CHANNEL_CHOICES = [(c.value, c.label) for c in OFFLINE_CHANNELS]


class PublicityForm(forms.Form):
    working_days = forms.IntegerField(label="公示期（工作日）", min_value=1, max_value=30)
    title = forms.CharField(label="公示标题", max_length=200, required=False)
    intro = forms.CharField(label="公示说明", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    how_to_object = forms.CharField(label="异议方式", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    phone = forms.CharField(
        label="联系电话",
        max_length=40,
        help_text="组委会办公室受理异议的电话，如 0351-1234567。",
        error_messages={"required": "联系电话：请填写组委会办公室受理异议的电话。"},
    )
    address = forms.CharField(label="通讯地址", max_length=200, required=False)
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    issuers = forms.CharField(
        label="落款单位", widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="每行一个单位。"
    )
    date = forms.CharField(
        label="落款日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def notice(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "working_days"}


class ObjectionEnterForm(forms.Form):
    nomination = forms.TypedChoiceField(label="异议对象", coerce=int, choices=())
    channel = forms.ChoiceField(label="提出方式", choices=CHANNEL_CHOICES)
    received_on = forms.DateField(
        label="收到日期", widget=forms.DateInput(attrs={"type": "date"}), required=False,
        error_messages={"invalid": "收到日期：请填写有效日期。"},
    )
    name = forms.CharField(label="姓名", max_length=30, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 6}), max_length=2000, required=False)

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].choices = [("", "请选择公示对象")] + [
            (e["nomination"], f"{e['name']}（{e['category']}，{e['unit']}）") for e in entries
        ]
        self.fields["nomination"].error_messages["required"] = "异议对象：请选择公示名单中的对象。"


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结论",
        choices=[(ObjectionStatus.UPHELD.value, "异议成立"), (ObjectionStatus.DISMISSED.value, "异议不成立")],
        widget=forms.RadioSelect,
        error_messages={"required": "处理结论：请选择异议成立或不成立。"},
    )
    reason = forms.CharField(
        label="处理意见", widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text="写明核实的经过和结论，将通知被异议对象的推荐单位。",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ObjectionFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部")] + list(ObjectionStatus.choices), required=False)
    channel = forms.ChoiceField(label="提出方式", choices=[("", "全部")] + list(ObjectionChannel.choices), required=False)
    nomination = forms.TypedChoiceField(label="异议对象", coerce=int, choices=(), required=False, empty_value=None)

    def __init__(self, *args, nominations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].choices = [("", "全部")] + [(n.pk, n.title) for n in nominations]


class FinalizeForm(forms.Form):
    confirm = forms.BooleanField(
        label="我已核对以上名单，确定表彰结果（确定后不可撤回）",
        error_messages={"required": "请先勾选确认已核对名单。"},
    )
