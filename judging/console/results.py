"""The office's pages after judging: the 公示, objections, finalising, the 表彰名单, statistics.

Under ``/judging/office/`` (``results_urls.py``). The office and observers
read every page; anyone else gets the 404 of a missing page. Every action is
a POST (CSRF) calling the same service as the API, which checks the
permission itself and writes the audit entry; observers see no action
button and their POSTs answer 403 before any service runs. A service's
refusal is shown on the page in its own Chinese words.

- ``overview``: where the second half of the year stands and the next step;
- ``publicity``: write the notice, preview it with the list, publish; then
  the published notice, the public page and the printable 公示文件 (PDF);
- ``objections`` / ``objection_new`` / ``objection_detail``: the list with
  filters, an objection received by letter, phone or visit, and one
  objection beside its nomination with resolving (upheld shows who leaves
  and who enters before it is confirmed) and marking as spam;
- ``finalize``: the final list with the changes since the 公示, confirmed once;
- ``honours``: the 表彰名单 with its .xlsx and PDF;
- ``statistics``: per unit and per category, charts and .xlsx.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competition.enums import Phase
from competition.exceptions import ApplicationError
from competition.models import Competition
from competition.rules import can_read_all
from competition.views import add_service_errors, flash_error

from .. import guards, results_exports, selectors, standings
from ..enums import AwardStatus, ObjectionChannel, ObjectionStatus
from ..models import Award, Objection, Publicity
from ..notice import notice_defaults, notice_of
from ..services import office as office_services
from ..services import results as result_services
from ..views._common import chinese_errors
from . import charts
from .results_forms import (
    FinalizeForm,
    ObjectionEnterForm,
    ObjectionFilterForm,
    PublicityForm,
    ReasonForm,
    ResolveForm,
)

FINAL_PHASES = (Phase.FINAL, Phase.ARCHIVED)
STATUS_LABELS = dict(ObjectionStatus.choices)
CHANNEL_LABELS = dict(ObjectionChannel.choices)


# --------------------------------------------------------------------------- helpers


def _competition(request, pk: int) -> Competition:
    """Office and observers; anyone else 404, exactly as for a missing competition."""
    if not can_read_all(request.user):
        raise Http404
    return get_object_or_404(Competition, pk=pk)


def _allow(request, perm: str) -> None:
    """An action: refused (403) unless the user holds ``perm`` (observers never do)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = re.sub(r'[\\/:*?"<>|\r\n\t]', "_", name)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _context(request, competition: Competition, tab: str, **extra) -> dict:
    return {
        "competition": competition,
        "tab": tab,
        "is_office": request.user.has_perm("judging.publish"),
        **extra,
    }


def next_step(competition: Competition, now: dt.datetime) -> dict:
    """The second half's next step for the office: (text, URL name) from the competition's state."""
    phase = competition.phase
    publicity = Publicity.objects.filter(competition=competition).first()
    if phase in (Phase.DRAFT, Phase.NOMINATING, Phase.REVIEWING):
        return {"text": "评审开始后再进入公示与表彰。", "url": None}
    if phase == Phase.JUDGING:
        refusal = guards.all_rounds_closed(competition, now)
        if refusal:
            return {"text": f"{refusal}全部轮次结束后发布公示。", "url": reverse("judging:index")}
        return {"text": "下一步：发布公示", "url": reverse("judging:results-publicity", args=[competition.pk])}
    if phase == Phase.PUBLICITY:
        open_n = Objection.objects.filter(competition=competition, status=ObjectionStatus.OPEN).count()
        if open_n:
            return {
                "text": f"下一步：处理异议（{open_n} 件待处理）",
                "url": reverse("judging:results-objections", args=[competition.pk]) + "?status=open",
            }
        if publicity and timezone.localtime(now).date() <= publicity.ends_on:
            return {
                "text": f"公示期至 {publicity.ends_on:%Y年%-m月%-d日} 结束；期间收到的来信、来电、来访异议请及时登记。",
                "url": reverse("judging:results-objection-new", args=[competition.pk]),
            }
        return {"text": "下一步：确定表彰结果", "url": reverse("judging:results-finalize", args=[competition.pk])}
    return {
        "text": "下一步：颁发荣誉证书，并发布到云展馆",
        "url": reverse("certificates:competition", args=[competition.pk]),
    }


# --------------------------------------------------------------------------- overview


@login_required
@chinese_errors
@require_GET
def overview(request, pk: int):
    competition = _competition(request, pk)
    now = timezone.now()
    publicity = Publicity.objects.filter(competition=competition).first()
    counts = standings.objection_counts(competition=competition)
    awards = Award.objects.filter(competition=competition)
    return render(
        request,
        "judging/console/results_overview.html",
        _context(
            request,
            competition,
            "overview",
            publicity=publicity,
            step=next_step(competition, now),
            counts=counts,
            objections_total=sum(counts.values()),
            proposed=awards.filter(status=AwardStatus.PROPOSED).count(),
            final=awards.filter(status=AwardStatus.FINAL).count(),
            removed=awards.filter(status=AwardStatus.REMOVED).count(),
            is_final=competition.phase in FINAL_PHASES,
        ),
    )


# --------------------------------------------------------------------------- 公示


def _grouped(entries: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for entry in entries:
        groups.setdefault(entry["category"], []).append(entry)
    return list(groups.items())


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def publicity(request, pk: int):
    """Before publication: the notice's form, its preview, publishing. After: the published notice."""
    competition = _competition(request, pk)
    item = Publicity.objects.filter(competition=competition).first()
    if item is not None:
        if request.method == "POST":
            _allow(request, "judging.publish")
            messages.error(request, "公示已经发布，不能再次发布。")
            return redirect("judging:results-publicity", pk=competition.pk)
        data = selectors.publicity_data(publicity=item, public=False)
        return render(
            request,
            "judging/console/results_publicity.html",
            _context(
                request, competition, "publicity",
                publicity=item, notice=notice_of(item), data=data, groups=_grouped(data["entries"]),
            ),
        )
    now = timezone.now()
    today = timezone.localtime(now).date()
    if request.method == "POST":
        _allow(request, "judging.publish")
        form = PublicityForm(request.POST)
    else:
        defaults = notice_defaults(competition, today)
        form = PublicityForm(
            initial={"working_days": competition.publicity_working_days, **defaults.form_initial(), "date": today.isoformat()}
        )
    preview = None
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            if action == "publish":
                result_services.publicity_publish(
                    actor=request.user,
                    competition=competition,
                    working_days=form.cleaned_data["working_days"],
                    notice=form.notice(),
                )
                messages.success(request, "公示已发布，公示页面已向社会公开。")
                return redirect("judging:results-publicity", pk=competition.pk)
            preview = office_services.publicity_preview(
                actor=request.user,
                competition=competition,
                working_days=form.cleaned_data["working_days"],
                notice=form.notice(),
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
            preview = None
    refusal = result_services.publicity_refusal(competition, now)
    return render(
        request,
        "judging/console/results_publicity.html",
        _context(
            request, competition, "publicity",
            publicity=None, form=form, preview=preview, refusal=refusal,
            preview_groups=_preview_groups(preview) if preview else [],
        ),
    )


def _preview_groups(preview) -> list[tuple[str, list[Award]]]:
    groups: dict[str, list[Award]] = {}
    for award in preview.awards:
        groups.setdefault(award.category.name, []).append(award)
    return list(groups.items())


# --------------------------------------------------------------------------- objections


@login_required
@chinese_errors
@require_GET
def objections(request, pk: int):
    competition = _competition(request, pk)
    nominations = [
        a.nomination
        for a in Award.objects.filter(competition=competition)
        .select_related("nomination")
        .order_by("category__order", "final_rank")
    ]
    filters = ObjectionFilterForm(request.GET or None, nominations=nominations)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = standings.objection_list(
        competition=competition,
        status=chosen.get("status") or "",
        nomination=chosen.get("nomination"),
        channel=chosen.get("channel") or "",
    )
    return render(
        request,
        "judging/console/results_objections.html",
        _context(
            request, competition, "objections",
            filters=filters, rows=rows, counts=standings.objection_counts(competition=competition),
            status_labels=STATUS_LABELS, can_enter=request.user.has_perm("judging.enter_objection")
            and competition.phase == Phase.PUBLICITY,
        ),
    )


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def objection_new(request, pk: int):
    """The office enters an objection received by letter, phone or visit."""
    competition = _competition(request, pk)
    item = get_object_or_404(Publicity, competition=competition)
    entries = selectors.publicity_data(publicity=item, public=True)["entries"]
    if request.method == "POST":
        _allow(request, "judging.enter_objection")
        form = ObjectionEnterForm(request.POST, entries=entries)
        if form.is_valid():
            data = form.cleaned_data
            nomination = competition.nominations.filter(pk=data["nomination"]).first()
            try:
                objection = office_services.objection_enter(
                    actor=request.user,
                    competition=competition,
                    nomination=nomination,
                    channel=data["channel"],
                    name=data["name"],
                    phone=data["phone"],
                    content=data["content"],
                    received_on=data["received_on"],
                )
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已登记{CHANNEL_LABELS[objection.channel]}异议（回执编号 {objection.receipt}），请核实后处理。")
                return redirect("judging:results-objection", pk=objection.pk)
    else:
        form = ObjectionEnterForm(entries=entries, initial={"received_on": timezone.localdate().isoformat()})
    return render(
        request,
        "judging/console/results_objection_new.html",
        _context(request, competition, "objections", form=form, publicity=item,
                 open=competition.phase == Phase.PUBLICITY),
    )


def _objection(request, pk: int) -> Objection:
    if not can_read_all(request.user):
        raise Http404
    return get_object_or_404(
        Objection.objects.select_related(
            "competition", "nomination", "nomination__unit", "nomination__category", "resolved_by", "entered_by"
        ),
        pk=pk,
    )


def _objection_page(request, objection: Objection, *, resolve_form=None, spam_form=None, confirm=None, status=200):
    competition = objection.competition
    award = Award.objects.filter(nomination=objection.nomination).first()
    others = Objection.objects.filter(nomination=objection.nomination).exclude(pk=objection.pk).order_by("-created_at")
    can_act = request.user.has_perm("judging.resolve_objection") and objection.status == ObjectionStatus.OPEN
    return render(
        request,
        "judging/console/results_objection.html",
        _context(
            request, competition, "objections",
            objection=objection,
            nomination=objection.nomination,
            award=award,
            others=others,
            can_act=can_act and competition.phase == Phase.PUBLICITY,
            resolve_form=resolve_form or ResolveForm(),
            spam_form=spam_form or ReasonForm(),
            confirm=confirm,
            status_labels=STATUS_LABELS,
        ),
        status=status,
    )


@login_required
@chinese_errors
@require_GET
def objection_detail(request, pk: int):
    return _objection_page(request, _objection(request, pk))


@login_required
@chinese_errors
@require_POST
def objection_resolve(request, pk: int):
    """First POST: the confirmation (upheld: who leaves the list and who enters); with ``confirm``: resolve."""
    objection = _objection(request, pk)
    _allow(request, "judging.resolve_objection")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _objection_page(request, objection, resolve_form=form, status=400)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    if not request.POST.get("confirm"):
        if not reason.strip():
            form.add_error("reason", "处理意见：必须写明理由。")
            return _objection_page(request, objection, resolve_form=form, status=400)
        preview = office_services.objection_uphold_preview(actor=request.user, objection=objection)
        return _objection_page(
            request, objection, resolve_form=form,
            confirm={"decision": decision, "label": STATUS_LABELS[decision], "reason": reason, "preview": preview},
        )
    return _objection_close(
        request, objection, result_services.objection_resolve, f"异议已处理：{STATUS_LABELS[decision]}。",
        decision=decision, reason=reason,
    )


@login_required
@chinese_errors
@require_POST
def objection_spam(request, pk: int):
    objection = _objection(request, pk)
    _allow(request, "judging.mark_objection_spam")
    form = ReasonForm(request.POST)
    form.is_valid()
    return _objection_close(
        request, objection, result_services.objection_mark_spam, "已标记为无效异议（垃圾信息）。",
        reason=form.cleaned_data.get("reason", ""),
    )


def _objection_close(request, objection: Objection, close, done: str, **fields):
    """Resolve the objection or mark it as spam through ``close`` (the service): its refusal,
    or ``done``, is shown on the objection's page."""
    try:
        close(actor=request.user, objection=objection, **fields)
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, done)
    return redirect("judging:results-objection", pk=objection.pk)


# --------------------------------------------------------------------------- finalise and the 表彰名单


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def finalize(request, pk: int):
    competition = _competition(request, pk)
    if competition.phase in FINAL_PHASES and request.method == "GET":
        return redirect("judging:results-honours", pk=competition.pk)
    form = FinalizeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _allow(request, "judging.finalize")
        if form.is_valid():
            try:
                result_services.competition_finalize(actor=request.user, competition=competition)
            except ApplicationError as exc:
                flash_error(request, exc)
                return redirect("judging:results-finalize", pk=competition.pk)
            messages.success(request, "表彰结果已确定。")
            return redirect("judging:results-honours", pk=competition.pk)
    refusal = None
    if competition.phase != Phase.PUBLICITY:
        refusal = f"推选活动处于“{competition.get_phase_display()}”阶段，公示结束后才能确定表彰结果。"
    else:
        refusal = guards.publicity_over(competition, timezone.now())
    blocks = standings.award_rows(competition=competition)
    return render(
        request,
        "judging/console/results_finalize.html",
        _context(
            request, competition, "finalize",
            blocks=blocks, form=form, refusal=refusal,
            changes=sum(b.changes for b in blocks),
            total=sum(len(b.on_list) for b in blocks),
        ),
    )


@login_required
@chinese_errors
@require_GET
def honours(request, pk: int):
    competition = _competition(request, pk)
    final = competition.phase in FINAL_PHASES
    blocks = standings.award_rows(competition=competition, final_only=True) if final else []
    return render(
        request,
        "judging/console/results_honours.html",
        _context(request, competition, "honours", blocks=blocks, final=final,
                 total=sum(len(b.rows) for b in blocks)),
    )


@login_required
@chinese_errors
@require_GET
def honours_xlsx(request, pk: int):
    competition = _competition(request, pk)
    if competition.phase not in FINAL_PHASES:
        raise Http404
    content = results_exports.honours_xlsx(competition)
    return _download(
        content, results_exports.XLSX_CONTENT_TYPE, f"{competition.title}表彰名单.xlsx"
    )


# --------------------------------------------------------------------------- statistics


@login_required
@chinese_errors
@require_GET
def statistics(request, pk: int):
    competition = _competition(request, pk)
    stats = standings.statistics(competition=competition)
    unit_chart = charts.grouped_bars(
        [(r.name, [r.get("submitted"), r.get("accepted"), r.get("winners")]) for r in stats.units],
        series=["已提交", "审查通过", stats.winners_label],
    )
    category_chart = charts.grouped_bars(
        [(r.name, [r.get("submitted"), r.get("accepted"), r.get("winners")]) for r in stats.categories],
        series=["已提交", "审查通过", stats.winners_label],
    )
    return render(
        request,
        "judging/console/results_statistics.html",
        _context(
            request, competition, "statistics",
            stats=stats, labels=standings.STAT_LABELS, unit_chart=unit_chart, category_chart=category_chart,
        ),
    )


@login_required
@chinese_errors
@require_GET
def statistics_xlsx(request, pk: int):
    competition = _competition(request, pk)
    content = results_exports.statistics_xlsx(standings.statistics(competition=competition))
    return _download(
        content, results_exports.XLSX_CONTENT_TYPE, f"{competition.title}数据统计.xlsx"
    )
