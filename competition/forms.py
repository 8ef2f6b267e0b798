"""Forms of the foundation."""

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
