"""The forms of the year setup pages. They parse and show; the services decide."""

from __future__ import annotations

from django import forms

from ..enums import AggregationMethod, CategoryKind, EligibilityRule
from ..models import Competition

NUMBER = {"inputmode": "decimal"}


class YearNewForm(forms.Form):
    source = forms.ModelChoiceField(
        label="从哪一年复制",
        queryset=Competition.objects.order_by("-year"),
        required=False,
        empty_label="不复制，从空白开始",
        help_text="复制奖项、名额、资格条件、评分细则、评审轮次、颁发单位与印章、证书正文；日期顺延相应年数；节假日不复制。",
    )
    year = forms.IntegerField(label="新年度", widget=forms.NumberInput(attrs={"placeholder": "例如 2023"}))
    title = forms.CharField(
        label="名称（可不填）",
        required=False,
        max_length=200,
        help_text="不填则按来源年度的名称换成新年度。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].label_from_instance = lambda c: f"{c.year}年度：{c.title}"


class CategoryForm(forms.Form):
    code = forms.CharField(label="代码", max_length=8, help_text="例如 XM、ZZ。")
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=CategoryKind.choices)
    order = forms.IntegerField(label="排序", min_value=0, initial=0)
    award_quota = forms.IntegerField(label="表彰名额", min_value=1)
    nomination_quota_per_unit = forms.IntegerField(label="每单位推荐名额", min_value=1)
    min_years_running = forms.IntegerField(label="最少运行年限", min_value=0, initial=0)
    min_volunteers = forms.IntegerField(label="最少志愿者人数", min_value=0, initial=0)
    exclude_past_winners = forms.BooleanField(label="往年获奖者不得推荐", required=False, initial=True)
    hard_rules = forms.MultipleChoiceField(
        label="硬性资格条件（不满足即不能提交）",
        choices=EligibilityRule.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    FIELDS = [
        "code", "name", "kind", "order", "award_quota", "nomination_quota_per_unit",
        "min_years_running", "min_volunteers", "exclude_past_winners", "hard_rules",
    ]

    @classmethod
    def initial_of(cls, category) -> dict:
        return {name: getattr(category, name) for name in cls.FIELDS}


class QuotaOverridesForm(forms.Form):
    """One field per recommending unit: blank is the category's own quota."""

    def __init__(self, *args, units, overrides: dict[int, int], default: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for unit in self.units:
            self.fields[f"unit_{unit.pk}"] = forms.IntegerField(
                label=unit.name,
                required=False,
                min_value=1,
                initial=overrides.get(unit.pk),
                widget=forms.NumberInput(attrs={"placeholder": str(default), "min": 1}),
            )

    def rows(self):
        for unit in self.units:
            yield unit, self[f"unit_{unit.pk}"]

    def values(self) -> dict[int, int | None]:
        return {unit.pk: self.cleaned_data.get(f"unit_{unit.pk}") for unit in self.units}


class CriterionRowForm(forms.Form):
    name = forms.CharField(label="名称", max_length=50)
    max_points = forms.DecimalField(
        label="满分", max_digits=5, decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5", **NUMBER})
    )
    weight = forms.DecimalField(
        label="权重", max_digits=5, decimal_places=2, initial=1,
        widget=forms.NumberInput(attrs={"step": "0.05", **NUMBER}),
    )
    order = forms.IntegerField(label="排序", min_value=1, required=False)
    tie_break_rank = forms.IntegerField(label="同分比较顺序", min_value=1, required=False)
    guidance = forms.CharField(
        label="评分要点", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RoundRowForm(forms.Form):
    name = forms.CharField(label="名称", max_length=50)
    method = forms.ChoiceField(label="计分方法", choices=AggregationMethod.choices)
    judges_per_nomination = forms.IntegerField(label="每件评委数", min_value=1)
    trim_min_judges = forms.IntegerField(label="去高低分最少评委数", min_value=3, initial=5)
    advance_per_category = forms.IntegerField(
        label="每奖项晋级数", min_value=1, required=False, help_text="留空：不设晋级（最后一轮）。"
    )
    weight = forms.DecimalField(
        label="权重", max_digits=4, decimal_places=3, widget=forms.NumberInput(attrs={"step": "0.05", **NUMBER})
    )
    blind = forms.BooleanField(label="隐去推荐单位", required=False)
    comment_required = forms.BooleanField(label="必须填写评语", required=False)
    deadline = forms.DateTimeField(
        label="评分截止",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="不填则用活动的评审截止时间。",
    )


class IssuerRowForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="名称", max_length=100)


class WordingForm(forms.Form):
    certificate_wording = forms.CharField(
        label="证书正文",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="荣誉证书上获奖者名称下面的一段话。可用 {year}（年度）和 {award}（奖项名称）；留空则用系统的标准正文，见证书样张。",
    )


class SealForm(forms.Form):
    seal = forms.FileField(
        label="印章图片（透明背景 PNG）",
        help_text="PNG 格式，宽高 200–2000 像素、接近正方形，不超过 2 MB，背景透明。",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png"}),
    )


CriterionFormSet = forms.formset_factory(CriterionRowForm, extra=0, can_delete=True)
RoundFormSet = forms.formset_factory(RoundRowForm, extra=0, can_delete=True)
IssuerFormSet = forms.formset_factory(IssuerRowForm, extra=0, can_delete=True)


LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _moment(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        error_messages={"required": f"{label}：请填写日期和时间。", "invalid": f"{label}：请填写有效的日期和时间。"},
    )


class DatesForm(forms.Form):
    nominations_open = _moment("申报开始", "从此时起推荐单位可以新建和提交推荐。")
    nominations_close = _moment("申报截止", "截止后不能再修改或提交推荐。")
    judging_close = _moment("评审截止", "公示期试算默认从其次日起算。")
    publicity_working_days = forms.IntegerField(
        label="公示期（工作日）",
        min_value=1,
        max_value=30,
        error_messages={
            "required": "公示期（工作日）：请填写天数。",
            "invalid": "公示期（工作日）：请填写整数。",
            "min_value": "公示期（工作日）：至少 1 个工作日。",
            "max_value": "公示期（工作日）：不超过 30 个工作日。",
        },
    )

    FIELDS = ["nominations_open", "nominations_close", "judging_close", "publicity_working_days"]

    @classmethod
    def initial_of(cls, competition) -> dict:
        return {name: getattr(competition, name) for name in cls.FIELDS}
