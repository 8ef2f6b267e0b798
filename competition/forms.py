"""Forms of the foundation."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import services
from .middleware import client_address


class ThrottledAuthenticationForm(AuthenticationForm):
    """The web sign-in uses the same check and throttle as the API token endpoint."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "inactive": "该账号已停用。",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.login_check(
                    request=self.request,
                    username=username,
                    password=password,
                    address=client_address(self.request),
                    # Refusals by role (the admin) are audited as failed sign-ins.
                    allowed=self.confirm_login_allowed,
                )
            except services.LoginThrottled as exc:
                raise ValidationError(exc.message, code="throttled") from exc
            except services.LoginFailed as exc:
                raise self.get_invalid_login_error() from exc
        return self.cleaned_data


class PasswordChangeForm(forms.Form):
    """Old password and the new one twice; the service checks and changes it."""

    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # The service names these fields; the form shows them on its own.
    SERVICE_FIELDS = {"old_password": "old_password", "new_password": "new_password1"}

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return cleaned


class CalendarForm(forms.Form):
    """The year's working-day calendar: one date a line (commas and spaces also separate).

    The dates are checked by ``services.competition_calendar_set``; the form only splits the text.
    """

    holidays = forms.CharField(
        label="节假日（放假的日期）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "2023-10-02\n2023-10-03"}),
        help_text="每行一个日期，格式 YYYY-MM-DD。落在工作日的节假日不计入公示期。",
    )
    workdays = forms.CharField(
        label="调休上班日（上班的星期六、星期日）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2023-10-07"}),
        help_text="每行一个日期，必须是星期六或星期日；这些日子计入公示期。",
    )

    @staticmethod
    def split(text: str) -> list[str]:
        return [part for part in text.replace(",", " ").replace("，", " ").replace("、", " ").split() if part]

    @staticmethod
    def joined(days) -> str:
        return "\n".join(d.isoformat() if hasattr(d, "isoformat") else str(d) for d in days)
