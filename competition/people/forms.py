"""Forms of the units-and-accounts pages: they read and shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from ..enums import Role, UnitKind
from ..models import Unit
from . import services


class UnitForm(forms.Form):
    code = forms.CharField(label="代码", max_length=16, help_text="唯一，建立后不能修改，例如 140105。")
    name = forms.CharField(label="名称（全称）", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50)
    kind = forms.ChoiceField(label="类型", choices=UnitKind.choices)
    order = forms.IntegerField(label="排序", min_value=0, initial=0, help_text="数字小的排在前面。")

    def __init__(self, *args, renaming: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if renaming:
            del self.fields["code"]


class AccountForm(forms.Form):
    display_name = forms.CharField(label="姓名", max_length=50)
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，3 至 150 个字母、数字或 @ . + - _。")
    role = forms.ChoiceField(label="角色", choices=[(Role.OFFICER, Role.OFFICER.label), (Role.JUDGE, Role.JUDGE.label)])
    unit = forms.ModelChoiceField(
        label="推荐单位",
        queryset=Unit.objects.filter(active=True).order_by("order", "code"),
        required=False,
        empty_label="（评审专家可不选）",
        help_text="推荐单位管理员必选；评审专家可选其所属单位（用于回避）。只列出启用的单位。",
    )
    phone = forms.CharField(label="手机", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    organizations = forms.CharField(
        label="关联单位/组织（评审专家）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个；评审时回避与这些单位或组织有关的推荐。",
    )
    expertise = forms.CharField(label="专业领域/擅长奖项（评审专家）", max_length=200, required=False)

    def account_data(self) -> services.AccountData:
        c = self.cleaned_data
        return services.AccountData(
            display_name=c["display_name"],
            username=c["username"],
            role=c["role"],
            unit=c["unit"],
            phone=c["phone"].strip(),
            email=c["email"].strip(),
            organizations=services.split_list(c["organizations"]),
            expertise=c["expertise"].strip(),
        )


class ImportForm(forms.Form):
    file = forms.FileField(label="账号表（.xlsx）", help_text="请使用本页下载的模板填写。")


class JudgeForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    expertise = forms.CharField(label="专业领域/擅长奖项", max_length=200, required=False)
    unit = forms.ModelChoiceField(
        label="所属推荐单位",
        queryset=Unit.objects.order_by("order", "code"),
        required=False,
        empty_label="（无）",
        help_text="评审时回避本单位的推荐。",
    )
    organizations = forms.CharField(
        label="关联单位/组织",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一个；评审时回避与这些单位或组织有关的推荐。",
    )


class ServiceSetPasswordForm(SetPasswordForm):
    """Django's set-password form (reset and invitation links) saving through the service."""

    def save(self, commit=True):
        return services.password_reset_complete(user=self.user, password=self.cleaned_data["new_password1"])
