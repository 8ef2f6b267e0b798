"""Forms of the judging pages: they validate and speak Chinese; services act.

Scores are not a Django form: the scoring page's script saves them through
the JSON API (``PUT /api/v1/assignments/{id}/scorecard/``), exactly as a
judge's own tools would.
"""

from __future__ import annotations

from django import forms

PLEDGE_TITLE = "评审专家承诺书"

# The integrity pledge (承诺书) a judge signs once per competition.
PLEDGE_PARAGRAPHS = [
    "本人受邀担任太原市学雷锋志愿服务先进典型推选活动评审专家，郑重承诺：",
    "一、坚持公开、公平、公正原则，严格按照评审标准和评分细则独立评分，对评审意见负责。",
    "二、遵守回避制度。本人与被推荐对象同属一个推荐单位、与其所在组织存在隶属或合作关系，"
    "或存在其他可能影响公正评审的利益关系的，主动申明回避。",
    "三、严守评审纪律。不私下接触被推荐对象及推荐单位，不接受任何形式的请托、礼品礼金和宴请，"
    "不利用评审专家身份谋取私利。",
    "四、严格保密。不泄露申报材料、评审过程、评分情况和评审结果，不对外透露其他评审专家的意见。",
    "五、本人如有违反上述承诺的行为，自愿接受组委会办公室取消评审资格等处理，并承担相应责任。",
]


class PledgeForm(forms.Form):
    agree = forms.BooleanField(
        label="我已认真阅读以上承诺书，并承诺遵守。",
        error_messages={"required": "请勾选“我已认真阅读以上承诺书，并承诺遵守”。"},
    )


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label="回避理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：本人曾在该项目实施单位任职。"}),
        error_messages={"required": "请填写回避理由。", "max_length": "回避理由不超过 500 字。"},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写回避理由。")
        return reason


class CloseRoundForm(forms.Form):
    confirm = forms.BooleanField(
        label="我已核对本轮排名，确认结束本轮评审。",
        error_messages={"required": "请先勾选确认，再结束本轮评审。"},
    )
