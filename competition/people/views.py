"""The office's pages of units, accounts and judges (under /office/), and the
password reset pages every user reaches from the sign-in page.

Pages are for the office and observers (anyone else: 404, as for a missing
page); observers see them without the action buttons and the services refuse
their actions anyway. Every action posts to a view that calls one service;
its Chinese refusal is shown on the page as it is.

The sheet of one-time passwords is the answer to the POST that made them
(an import, a new account, a reset): shown once, never stored in clear, never
cached by the browser.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..enums import Role
from ..exceptions import ApplicationError, Forbidden, NotFound, ValidationFailed
from ..middleware import client_address
from ..models import Category, Competition, JudgeProfile, Unit, User
from ..ratelimit import RateLimited
from ..rules import can_read_all, is_office
from ..views import add_service_errors, chinese_error_pages, flash_error, xlsx_download
from . import forms, services, spreadsheet

chinese_errors = chinese_error_pages("competition/people/error.html")

TABS = [
    ("people:units", "推荐单位"),
    ("people:accounts", "账号"),
    ("people:import", "批量导入账号"),
    ("people:judges", "评审专家"),
]


def _reader(view):
    @login_required
    @chinese_errors
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_read_all(request.user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404 from exc

    return wrapper


def _context(request, current: str, **extra) -> dict:
    latest = Competition.objects.order_by("-year").values_list("pk", flat=True).first()
    return {
        "tabs": [{"url": reverse(name), "label": label, "current": name == current} for name, label in TABS],
        "can_act": is_office(request.user),
        "latest_competition": latest,
        **extra,
    }


def _sheet(request, made: list[services.NewAccount], *, title: str) -> HttpResponse:
    """The printable sheet of usernames and one-time passwords (shown once)."""
    response = render(
        request,
        "competition/people/sheet.html",
        _context(
            request,
            "people:accounts",
            title=title,
            accounts=made,
            email_on=services.email_configured(),
            with_email=[n.user for n in made if n.user.email],
            login_url=request.build_absolute_uri(reverse("login")),
        ),
    )
    response["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- units


@require_http_methods(["GET", "POST"])
@_reader
def units(request):
    form = forms.UnitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                unit = services.unit_add(actor=request.user, **form.cleaned_data)
            except Forbidden:
                raise
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已添加推荐单位“{unit.name}”。")
                return redirect(f"{reverse('people:units')}#unit-{unit.pk}")
        status = 400
    rows = Unit.objects.annotate(
        officer_count=Count("officers", distinct=True),
        nomination_count=Count("nominations", distinct=True),
    ).order_by("-active", "order", "code")
    return render(
        request,
        "competition/people/units.html",
        _context(request, "people:units", units=rows, form=form),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@_reader
def unit_edit(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    initial = {"name": unit.name, "short_name": unit.short_name, "kind": unit.kind, "order": unit.order}
    form = forms.UnitForm(request.POST or None, initial=initial, renaming=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.unit_rename(actor=request.user, unit=unit, **form.cleaned_data)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"推荐单位“{form.cleaned_data['name']}”已保存。")
                return redirect(f"{reverse('people:units')}#unit-{unit.pk}")
        status = 400
    return render(
        request, "competition/people/unit_edit.html", _context(request, "people:units", unit=unit, form=form), status=status
    )


@require_POST
@_reader
def unit_active(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.unit_set_active(actor=request.user, unit=unit, active=active, reason=request.POST.get("reason", ""))
    except Forbidden:
        raise
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        if active:
            messages.success(request, f"推荐单位“{unit.name}”已重新启用。")
        else:
            messages.success(request, f"推荐单位“{unit.name}”已停用：其推荐和账号保留，不能再新建推荐和账号。")
    return redirect(f"{reverse('people:units')}#unit-{unit.pk}")


# --------------------------------------------------------------------------- accounts


@require_GET
@_reader
def accounts(request):
    role = request.GET.get("role", "")
    q = (request.GET.get("q") or "").strip()
    rows = User.objects.select_related("unit").filter(role__in=[Role.OFFICER, Role.JUDGE]).order_by("role", "unit__order", "username")
    if role in (Role.OFFICER, Role.JUDGE):
        rows = rows.filter(role=role)
    if q:
        rows = rows.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(unit__name__icontains=q))
    return render(
        request,
        "competition/people/accounts.html",
        _context(
            request,
            "people:accounts",
            accounts=rows[:500],
            role=role,
            q=q,
            email_on=services.email_configured(),
        ),
    )


@require_http_methods(["GET", "POST"])
@_reader
@never_cache
def account_add(request):
    form = forms.AccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.account_create(actor=request.user, data=form.account_data())
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                return _sheet(request, [made], title="新账号的一次性密码")
        status = 400
    return render(
        request, "competition/people/account_add.html", _context(request, "people:accounts", form=form), status=status
    )


@require_POST
@_reader
def account_reset(request, pk: int):
    user = get_object_or_404(User, pk=pk, role__in=[Role.OFFICER, Role.JUDGE])
    try:
        made = services.account_password_reset(actor=request.user, user=user)
    except Forbidden:
        raise
    except ApplicationError as exc:
        flash_error(request, exc)
        return redirect("people:accounts")
    return _sheet(request, [made], title=f"“{user}”的新一次性密码")


@require_POST
@_reader
def account_invite(request):
    ids = [int(x) for x in request.POST.getlist("users") if x.isdigit()]
    users = list(User.objects.filter(pk__in=ids, role__in=[Role.OFFICER, Role.JUDGE]).order_by("username"))
    if not users:
        messages.error(request, "账号：请选择要发送邀请邮件的账号。")
        return redirect("people:accounts")
    sent, refused = [], []
    base = request.build_absolute_uri("/")
    for user in users:
        try:
            services.account_invite(actor=request.user, user=user, base_url=base)
        except Forbidden:
            raise
        except ApplicationError as exc:
            refused.append(f"{user.username}：{exc.fields and next(iter(exc.fields.values()))[0] or exc.message}")
        else:
            sent.append(user.username)
    if sent:
        messages.success(request, f"已向 {len(sent)} 个账号发送设置密码的邀请邮件：{'、'.join(sent)}。")
    for line in refused:
        messages.error(request, line)
    return redirect("people:accounts")


# --------------------------------------------------------------------------- import


@require_GET
@_reader
def import_template(request):
    return xlsx_download(spreadsheet.template_bytes(), spreadsheet.TEMPLATE_NAME)


CHECKED_KEY = "people_import_checked"


def _row_dict(data: services.AccountData) -> dict:
    return {
        "display_name": data.display_name,
        "username": data.username,
        "role": data.role,
        "unit": data.unit.pk if data.unit else None,
        "phone": data.phone,
        "email": data.email,
        "organizations": data.organizations,
        "expertise": data.expertise,
    }


def _row_data(row: dict) -> services.AccountData:
    unit = Unit.objects.filter(pk=row["unit"]).first() if row.get("unit") else None
    return services.AccountData(**{**row, "unit": unit})


@require_http_methods(["GET", "POST"])
@_reader
@never_cache
def accounts_import(request):
    """Upload and "试运行": every row and its problems, nothing written; a clean dry
    run keeps the checked rows (no passwords) in the session for "导入", which
    creates every account or none (the service checks every row again)."""
    action = request.POST.get("action", "")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if not is_office(request.user):
            raise PermissionDenied("只有组委会办公室可以导入账号。")
        if action == "import":
            checked = request.session.get(CHECKED_KEY)
            if not checked:
                messages.error(request, "请先上传文件并试运行，检查通过后再导入。")
                return redirect("people:import")
            try:
                made = services.accounts_import(actor=request.user, rows=[_row_data(r) for r in checked])
            except ValidationFailed as exc:
                request.session.pop(CHECKED_KEY, None)
                flash_error(request, exc)
                return redirect("people:import")
            request.session.pop(CHECKED_KEY, None)
            return _sheet(request, made, title=f"批量导入的 {len(made)} 个账号的一次性密码")
        request.session.pop(CHECKED_KEY, None)
        if form.is_valid():
            try:
                report = spreadsheet.read(form.cleaned_data["file"].read())
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                if report.valid:
                    request.session[CHECKED_KEY] = [_row_dict(r.data) for r in report.rows]
        if report is None or not report.valid:
            status = 400
    return render(
        request,
        "competition/people/import.html",
        _context(request, "people:import", form=form, report=report),
        status=status,
    )


# --------------------------------------------------------------------------- judges


@require_GET
@_reader
def judges(request):
    rows = JudgeProfile.objects.select_related("user", "unit").order_by("-active", "name")
    # The 评审组 (judging.PanelMember, an app to the right) read through the reverse relation.
    panels: dict[int, list[str]] = {}
    for judge_id, year, name in (
        Category.objects.filter(panel__isnull=False)
        .order_by("-competition__year", "order")
        .values_list("panel__judge_id", "competition__year", "name")
    ):
        panels.setdefault(judge_id, []).append(f"{year} {name}")
    return render(
        request,
        "competition/people/judges.html",
        _context(request, "people:judges", judges=[{"profile": p, "panels": panels.get(p.user_id, [])} for p in rows]),
    )


@require_http_methods(["GET", "POST"])
@_reader
def judge_edit(request, pk: int):
    profile = get_object_or_404(JudgeProfile.objects.select_related("user"), pk=pk)
    initial = {
        "name": profile.name,
        "expertise": profile.expertise,
        "unit": profile.unit_id,
        "organizations": "\n".join(profile.organizations or []),
    }
    form = forms.JudgeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            try:
                services.judge_update(
                    actor=request.user,
                    profile=profile,
                    name=c["name"],
                    expertise=c["expertise"],
                    unit=c["unit"],
                    organizations=services.split_list(c["organizations"]),
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"评审专家“{c['name']}”的信息已保存。")
                return redirect(f"{reverse('people:judges')}#judge-{profile.pk}")
        status = 400
    return render(
        request,
        "competition/people/judge_edit.html",
        _context(request, "people:judges", profile=profile, form=form),
        status=status,
    )


@require_POST
@_reader
def judge_active(request, pk: int):
    profile = get_object_or_404(JudgeProfile, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.judge_set_active(actor=request.user, profile=profile, active=active)
    except Forbidden:
        raise
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(
            request,
            f"评审专家“{profile.name}”已{'恢复在库' if active else '停用：不再参与自动分配，已有的评审任务保留'}。",
        )
    return redirect(f"{reverse('people:judges')}#judge-{profile.pk}")


# --------------------------------------------------------------------------- password reset (every user)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "competition/people/password_reset_form.html"
    email_template_name = "competition/people/password_reset_email.txt"
    subject_template_name = "competition/people/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        try:
            services.password_reset_throttle(email=form.cleaned_data["email"], address=client_address(self.request))
        except RateLimited as exc:
            form.add_error("email", exc.message)
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(exc.retry_after)
            return response
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "competition/people/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "competition/people/password_reset_confirm.html"
    form_class = forms.ServiceSetPasswordForm
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "competition/people/password_reset_complete.html"
