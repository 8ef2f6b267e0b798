"""Web pages of the foundation: sign-in, the home page."""

from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode

from . import selectors, services
from .enums import Phase
from .exceptions import ApplicationError, ValidationFailed
from .forms import PasswordChangeForm, ThrottledAuthenticationForm
from .workdays import publicity_period


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
    first_time = request.user.must_change_password  # a one-time password from the office
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
            if first_time:
                messages.success(request, "新密码已设置，欢迎使用。")
                return redirect("home")
            messages.success(request, "密码已修改。您的接口令牌已全部失效，请用新密码重新获取。")
            return redirect("password_change")
    return render(request, "competition/password_change.html", {"form": form, "first_time": first_time})


def flash_error(request, exc: ApplicationError) -> None:
    """A service's refusal as one flash message: its message, then each field's (without repeats)."""
    lines = [exc.message]
    for field_messages in exc.fields.values():
        lines.extend(m for m in field_messages if m not in lines)
    messages.error(request, lines[0] + ("" if len(lines) == 1 else " " + "；".join(lines[1:])))


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx file to save, its (Chinese) name in a header Django writes."""
    from .xlsx import XLSX_CONTENT_TYPE

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def add_service_errors(form, exc: ApplicationError) -> None:
    """A service's field errors on the form's fields of the same name (any other at the form's
    top); a refusal that names no field goes to the form's top, so it is never lost."""
    if not exc.fields:
        form.add_error(None, exc.message)
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


@login_required
def calendar(request, pk: int):
    """The office's page of a year's working-day calendar: holidays and make-up working days (调休).

    "按国务院办公厅通知填入" fills the form from ``services.calendar_suggest`` without
    saving; "保存" sets the calendar through ``services.competition_calendar_set``.
    """
    from .forms import CalendarForm
    from .models import Competition
    from .rules import is_office

    if not is_office(request.user):
        raise PermissionDenied("只有组委会办公室可以设置工作日历。")
    competition = get_object_or_404(Competition, pk=pk)
    suggestion_error = None
    try:
        services.calendar_suggest(competition.year)
    except ValidationFailed as exc:
        suggestion_error = exc.message
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if action == "suggest" and suggestion_error is None:
        holidays, workdays = services.calendar_suggest(competition.year)
        form = CalendarForm(initial={"holidays": CalendarForm.joined(holidays), "workdays": CalendarForm.joined(workdays)})
        messages.info(request, f"已按国务院办公厅通知填入 {competition.year} 年的放假安排，请核对后点击“保存”。")
    elif action == "save":
        form = CalendarForm(request.POST)
        if form.is_valid():
            try:
                services.competition_calendar_set(
                    actor=request.user,
                    competition=competition,
                    holidays=CalendarForm.split(form.cleaned_data["holidays"]),
                    workdays=CalendarForm.split(form.cleaned_data["workdays"]),
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "工作日历已保存，公示期将按新的日历计算。")
                published = request.POST.get("published", "")
                url = reverse("competition-calendar", args=[competition.pk])
                return redirect(f"{url}?{urlencode({'published': published})}" if published else url)
    else:
        form = CalendarForm(
            initial={
                "holidays": CalendarForm.joined(competition.holidays),
                "workdays": CalendarForm.joined(competition.workdays),
            }
        )
    return render(
        request,
        "competition/calendar.html",
        {
            "competition": competition,
            "tab": "calendar",  # one of the year setup pages' tabs
            "form": form,
            "suggestion_error": suggestion_error,
            "trial": _publicity_trial(competition, request.GET.get("published") or request.POST.get("published")),
        },
    )


def _publicity_trial(competition, published: str | None) -> dict:
    """The 公示 period the saved calendar gives for a publication day (by default the day
    after 评审截止), so that the office sees what a holiday or a make-up day changes."""
    default = timezone.localtime(competition.judging_close).date() + timedelta(days=1)
    error = ""
    day = default
    if published:
        try:
            day = date.fromisoformat(published.strip())
        except ValueError:
            error = f"公示发布日期：“{published}”不是日期，请按 {default:%Y-%m-%d} 的格式填写。已按默认日期试算。"
    starts, ends = publicity_period(day, competition.publicity_working_days, competition.holidays, competition.workdays)
    return {
        "published": day,
        "default": default,
        "is_default": day == default,
        "starts": starts,
        "ends": ends,
        "days": competition.publicity_working_days,
        "error": error,
    }
