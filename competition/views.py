"""Web pages of the foundation: sign-in, the home page."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render

from . import selectors, services
from .enums import Phase
from .exceptions import ApplicationError, ValidationFailed
from .forms import PasswordChangeForm, ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "competition/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    competitions = selectors.competition_list(user=request.user)
    return render(
        request,
        "competition/home.html",
        {"competitions": competitions, "phases": Phase},
    )


@login_required
def password_change(request):
    """Every signed-in user changes their own password here; their API tokens
    are revoked, this session stays signed in."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except (ValidationFailed, services.PasswordChangeThrottled) as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(form.SERVICE_FIELDS.get(field), error)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。您的接口令牌已全部失效，请用新密码重新获取。")
            return redirect("password_change")
    return render(request, "competition/password_change.html", {"form": form})


def flash_error(request, exc: ApplicationError) -> None:
    """A service's refusal as one flash message: its message, then each field's (without repeats)."""
    lines = [exc.message]
    for field_messages in exc.fields.values():
        lines.extend(m for m in field_messages if m not in lines)
    messages.error(request, lines[0] + ("" if len(lines) == 1 else " " + "；".join(lines[1:])))


def add_service_errors(form, exc: ApplicationError) -> None:
    """A service's field errors on the form's fields of the same name (any other at the form's top)."""
    for name, errors in exc.fields.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def chinese_error_pages(template: str, not_found: str = "该页面不存在，或您无权查看。"):
    """A view decorator rendering 404 and 403 as Chinese pages with an app's own
    ``template`` (the same page for "missing" and "not yours"), in DEBUG too."""

    def render_error(request, status: int, title: str, message: str):
        return render(request, template, {"title": title, "message": message}, status=status)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return render_error(request, 404, "未找到", not_found)
            except PermissionDenied:
                return render_error(request, 403, "无权访问", "您的账号无权访问此页面或执行此操作。")

        return wrapper

    return decorator


def healthz(request):
    """A trivial endpoint: the baseline the benchmarks compare against."""
    return JsonResponse({"ok": True})
