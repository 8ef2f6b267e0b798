"""The office's and observers' pages of a round: the list of rounds, the progress board, the
conflict report, the ranking page (method switch, comparison, severity chart) and closing the round."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from competition import selectors as competition_selectors
from competition.enums import AggregationMethod, Phase, Role
from competition.exceptions import ApplicationError
from competition.models import Category, Round, User

from .. import selectors, services
from ..aggregation import DEFAULT_SEVERITY_THRESHOLD
from ..charts import severity_chart
from ..enums import AssignmentStatus
from ..forms import CloseRoundForm
from ..models import Publicity, RankingSnapshot
from ..refusals import close_refusal
from ._common import (
    METHOD_LABELS,
    acting_round,
    chinese_errors,
    flash_error,
    flash_form_errors,
    percent,
    reader_round,
)

METHOD_SHORT = {
    AggregationMethod.MEAN: "算术平均",
    AggregationMethod.TRIMMED_MEAN: "去高低分平均",
    AggregationMethod.MEDIAN: "中位数",
    AggregationMethod.NORMALIZED: "标准化",
}
ASSIGNMENT_STATUS = dict(AssignmentStatus.choices)


def office_index(request):
    """``/judging/`` for the office and observers: the competitions' rounds (``judge.index`` sends them here)."""
    competitions = list(
        competition_selectors.competition_list(user=request.user)
        .prefetch_related(None)
        .prefetch_related("rounds")
        .exclude(phase=Phase.DRAFT)
        .order_by("-year")
    )
    published = set(
        Publicity.objects.filter(competition__in=competitions).values_list(
            "competition_id", flat=True
        )
    )
    return render(
        request,
        "judging/office_index.html",
        {
            "competitions": competitions,
            "published": published,
            "method_labels": METHOD_LABELS,
        },
    )


# --------------------------------------------------------------------------- the boards


@login_required
@chinese_errors
@require_GET
def progress(request, pk: int):
    """Assigned and submitted per judge and per category, with bars."""
    round_ = reader_round(request, pk, "judging.view_progress")
    data = selectors.round_progress(round_=round_)
    judges = [
        {
            **j,
            "label": j["name"] or j["username"],
            "percent": percent(j["submitted"], j["assigned"]),
        }
        for j in data["judges"]
    ]
    categories: dict[str, dict] = OrderedDict()
    for n in data["nominations"]:
        block = categories.setdefault(
            n["category"],
            {
                "name": n["category"],
                "assigned": 0,
                "submitted": 0,
                "count": 0,
                "complete": 0,
                "nominations": [],
            },
        )
        block["assigned"] += n["assigned"]
        block["submitted"] += n["submitted"]
        block["count"] += 1
        block["complete"] += n["submitted"] >= n["assigned"] > 0
        block["nominations"].append({**n, "percent": percent(n["submitted"], n["assigned"])})
    for block in categories.values():
        block["percent"] = percent(block["submitted"], block["assigned"])
    return render(
        request,
        "judging/progress.html",
        {
            "round": round_,
            "data": data,
            "percent": percent(data["submitted"], data["assigned"]),
            "judges": judges,
            "categories": list(categories.values()),
            "now": timezone.now(),
            "can_remind": request.user.has_perm("judging.remind", round_),
        },
    )


@login_required
@chinese_errors
@require_POST
def remind_judges(request, pk: int):
    """The office's 提醒 on the progress board: one judge (``judge``) or every judge with unsubmitted cards."""
    round_ = acting_round(request, pk, read="judging.view_progress", act="judging.send_reminders")
    judge = None
    if request.POST.get("judge"):
        judge = get_object_or_404(User, pk=request.POST["judge"], role=Role.JUDGE)
    try:
        reminded = services.judges_remind(actor=request.user, round_=round_, judge=judge)
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        who = f"评委 {judge}" if judge is not None else f"{reminded} 位评委"
        messages.success(request, f"已向{who}发送评分提醒（站内消息，已填写邮箱的同时发送电子邮件）。")
    return redirect("judging:progress", pk=round_.pk)


@login_required
@chinese_errors
@require_GET
def conflicts(request, pk: int):
    """Every assignment of the round that breaks a 回避 rule now."""
    round_ = reader_round(request, pk, "judging.view_conflicts")
    rows = selectors.conflict_report(round_=round_)
    for row in rows:
        row["status_label"] = ASSIGNMENT_STATUS.get(row["status"], row["status"])
    return render(request, "judging/conflicts.html", {"round": round_, "rows": rows})


# --------------------------------------------------------------------------- the ranking page


def _latest_by_method(round_: Round) -> dict[str, RankingSnapshot]:
    """For each method, the snapshot the API shows for it (the official one, else the newest)."""
    latest = {}
    for method in METHOD_LABELS:
        snapshot = selectors.ranking_snapshot(round_=round_, method=method)
        if snapshot is not None:
            latest[method] = snapshot
    return latest


def _compare(request, latest: dict[str, RankingSnapshot], current: str | None) -> dict | None:
    if request.GET.get("a") or request.GET.get("b"):
        requested = [request.GET.get("a", ""), request.GET.get("b", "")]
    else:
        requested = request.GET.get("compare", "").split(",")
    methods = [m for m in requested if m in METHOD_LABELS][:2]
    if len(methods) != 2:
        computed = [m for m in METHOD_LABELS if m in latest]
        if current in latest and len(computed) >= 2:
            methods = [current, next(m for m in computed if m != current)]
        else:
            others = [m for m in METHOD_LABELS if m != current]
            return {
                "methods": [current, next((m for m in others if m in latest), others[0])],
                "missing": [],
                "rows": None,
            }
    missing = [m for m in methods if m not in latest]
    if missing or methods[0] == methods[1]:
        return {
            "methods": methods,
            "missing": missing,
            "same": methods[0] == methods[1],
            "rows": None,
        }
    a, b = methods
    data = selectors.ranking_compare(a=latest[a], b=latest[b])
    rows = []
    for row in data["rows"]:
        change = row["rank_change"]
        rows.append(
            {
                "nomination": row["nomination"],
                "title": row["title"],
                "category": row["category"],
                "left": row[a],
                "right": row[b],
                "change": change,
                "change_abs": abs(change) if change else 0,
            }
        )
    return {
        "methods": methods,
        "labels": [METHOD_SHORT[a], METHOD_SHORT[b]],
        "missing": [],
        "rows": rows,
        "moved": sum(1 for r in rows if r["change"]),
    }


@login_required
@chinese_errors
@require_GET
def ranking(request, pk: int):
    """A round's ranking by one method, the method switch, a comparison and the severity chart."""
    round_ = reader_round(request, pk)
    latest = _latest_by_method(round_)
    method = request.GET.get("method")
    if method not in METHOD_LABELS:
        # As the API: the official ranking, else the latest trial, else the round's own method.
        default = selectors.ranking_snapshot(round_=round_)
        method = default.method if default else round_.method
    snapshot = latest.get(method)
    categories_by_name: dict[str, dict] = OrderedDict()
    charts = []
    if snapshot is not None:
        breakdown = selectors.judge_breakdown(snapshot=snapshot)
        per_nomination = {row["nomination"]: row["scores"] for row in breakdown["nominations"]}
        for entry in selectors.ranking_entries(snapshot=snapshot):
            entry["judge_scores"] = per_nomination.get(entry["nomination"], [])
            categories_by_name.setdefault(
                entry["category"], {"name": entry["category"], "entries": []}
            )["entries"].append(entry)
        names = {
            str(c.pk): c.name
            for c in Category.objects.filter(competition_id=round_.competition_id).order_by(
                "order", "id"
            )
        }
        order = list(names)
        for category_id in sorted(
            breakdown["statistics"], key=lambda c: order.index(c) if c in order else 999
        ):
            chart = severity_chart(breakdown["statistics"][category_id], DEFAULT_SEVERITY_THRESHOLD)
            chart["category"] = names.get(category_id, category_id)
            charts.append(chart)
    methods = [
        {
            "value": value,
            "label": label,
            "short": METHOD_SHORT[value],
            "snapshot": latest.get(value),
            "is_round_method": value == round_.method,
            "current": value == method,
        }
        for value, label in AggregationMethod.choices
    ]
    user = request.user
    can_close = user.has_perm("judging.close", round_)
    codes = selectors.judge_codes(round_=round_)
    left_out = set((snapshot.parameters or {}).get("excluded_scorecards", [])) if snapshot else set()
    excluded = [
        {**row, "judge_code": codes.get(row["judge"], "J??"), "in_snapshot": row["scorecard"] in left_out}
        for row in selectors.conflicted_scorecards(round_=round_)
    ]
    return render(
        request,
        "judging/ranking.html",
        {
            "round": round_,
            "method": method,
            "method_label": METHOD_LABELS.get(method, method),
            "methods": methods,
            "snapshot": snapshot,
            "categories": list(categories_by_name.values()),
            "charts": charts,
            "excluded": excluded,
            "excluded_after_snapshot": [row for row in excluded if not row["in_snapshot"]],
            "threshold": DEFAULT_SEVERITY_THRESHOLD,
            "compare": _compare(request, latest, method),
            "can_aggregate": user.has_perm("judging.aggregate", round_),
            "can_close": can_close,
            "close_refusal": _close_refusal_shown(round_, user, can_close),
            "close_form": CloseRoundForm(),
            "aggregate_url": reverse("round-ranking-aggregate", args=[round_.pk]),
        },
    )


def _close_refusal_shown(round_: Round, user, can_close: bool) -> str | None:
    """Why the office cannot close the round yet, in place of the button (not once it is
    closed: the page says that already)."""
    if can_close or not user.has_perm("judging.close_round", round_):
        return None
    reason = close_refusal(round_, user, timezone.now())
    return reason if reason is not None and reason.code != "round_closed" else None


@login_required
@chinese_errors
@require_POST
def close_round(request, pk: int):
    """The office closes the round: scorecards lock, the official ranking is computed."""
    round_ = acting_round(request, pk, read="judging.view_ranking", act="judging.close_round")
    form = CloseRoundForm(request.POST)
    url = reverse("judging:ranking", args=[round_.pk])
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(url)
    try:
        snapshot = services.round_close(actor=request.user, round_=round_)
    except ApplicationError as exc:
        flash_error(request, exc)
        return redirect(url)
    messages.success(
        request,
        f"“{round_.name}”已结束，评分已锁定，已按“{METHOD_LABELS[snapshot.method]}”生成正式排名。",
    )
    return redirect(f"{url}?method={snapshot.method}")
