"""The Chinese web pages of judging and rankings.

For a judge (``/judging/``): their assignments per round with progress and
the integrity pledge (承诺书) until it is signed; the scoring page of one
assignment (``assignments/<id>/``) with the nomination's materials as the
judge may see them, each criterion's guidance beside its input, the running
total, draft autosave and submit through the JSON API (``static/judging/
scoring.js``), and the declaration of a conflict (回避申明).

For the office, observers reading (``rounds/<id>/…``): the progress board,
the conflict report, and the ranking page with the method switch (the JSON
API's asynchronous aggregation, polled with a progress bar), ties, the
comparison of two methods, the judges' severity chart and, for the office,
closing the round.

For anyone (``/publicity/<competition id>/``): the 公示 list and the
objection form, which posts to the public API.

Views read through selectors (and the API's serializer, so that the scoring
page shows exactly what the API gives the judge) and write through services
only. An object the user may not see answers 404 exactly like a missing one.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from competition import selectors as competition_selectors
from competition.enums import AggregationMethod, CategoryKind, Phase, Role
from competition.exceptions import ApplicationError
from competition.models import Category, Round, User
from competition.rules import can_read_all
from competition.views import chinese_error_pages
from nominations.enums import ServiceField
from nominations.forms import LAYOUT, labels_for

from . import selectors, services
from .aggregation import DEFAULT_SEVERITY_THRESHOLD
from .api.serializers import AssignmentDetailSerializer
from .blind import conflict_for_judge, is_blind_for
from .conflicts import conflict_reason
from .enums import AssignmentStatus, ScorecardStatus
from .forms import PLEDGE_PARAGRAPHS, PLEDGE_TITLE, CloseRoundForm, ConflictForm, PledgeForm
from .models import Pledge, Publicity, RankingSnapshot, Scorecard
from .scoring import HALF

METHOD_LABELS = dict(AggregationMethod.choices)
METHOD_SHORT = {
    AggregationMethod.MEAN: "算术平均",
    AggregationMethod.TRIMMED_MEAN: "去高低分平均",
    AggregationMethod.MEDIAN: "中位数",
    AggregationMethod.NORMALIZED: "标准化",
}
ASSIGNMENT_STATUS = dict(AssignmentStatus.choices)
SERVICE_FIELDS = dict(ServiceField.choices)
LONG_FIELDS = {
    "introduction",
    "summary",
    "innovation",
    "social_benefit",
    "sustainability",
    "system_building",
    "honors",
    "brand_projects",
    "media_links",
}
# The materials a judge reads, in the order of the paper form, without what
# judges never see (contacts) or what is not material (the unit's order, its pledge).
NOT_MATERIAL = {"order", "pledge", "contact_name", "contact_phone", "title"}


# --------------------------------------------------------------------------- helpers


chinese_errors = chinese_error_pages("judging/error.html", not_found="该页面不存在，或您无权查看。")


def _require_reader(user) -> None:
    """Office and observers; anyone else gets 404, exactly as for a missing round."""
    if not can_read_all(user):
        raise Http404


def _require_judge(user) -> None:
    if user.role != Role.JUDGE:
        raise PermissionDenied


def _flash_error(request, exc: ApplicationError) -> None:
    lines = [exc.message]
    for field_messages in exc.fields.values():
        lines.extend(m for m in field_messages if m not in lines)
    messages.error(request, lines[0] + ("" if len(lines) == 1 else " " + "；".join(lines[1:])))


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _points(value) -> str:
    """12.0 → "12", 12.5 → "12.5" (scores are half points)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    return f"{number.normalize():f}" if number == number.to_integral_value() else f"{number:.1f}"


def _round(request, pk: int) -> Round:
    _require_reader(request.user)
    return get_object_or_404(Round.objects.select_related("competition"), pk=pk)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --------------------------------------------------------------------------- the judge's list


@login_required
@chinese_errors
@require_GET
def index(request):
    """A judge's assignments per round, with progress and the pledge; for readers, the rounds."""
    user = request.user
    if can_read_all(user):
        return _office_index(request)
    _require_judge(user)
    now = timezone.now()
    assignments = list(
        selectors.assignment_list(user=user)
        .prefetch_related(None)
        .select_related("scorecard")
        .order_by(
            "round__competition__year",
            "round__order",
            "nomination__category__order",
            "nomination_id",
        )
    )
    competitions = OrderedDict()
    for competition in (
        competition_selectors.competition_list(user=user)
        .prefetch_related(None)
        .filter(phase=Phase.JUDGING)
        .order_by("-year")
    ):
        competitions[competition.pk] = competition
    for a in assignments:
        competitions.setdefault(a.round.competition_id, a.round.competition)
    pledged = set(
        Pledge.objects.filter(judge=user, competition_id__in=list(competitions)).values_list(
            "competition_id", flat=True
        )
    )
    rounds: dict[int, dict] = OrderedDict()
    for a in assignments:
        block = rounds.get(a.round_id)
        if block is None:
            block = rounds[a.round_id] = {
                "round": a.round,
                "refusal": services.round_refusal(a.round, now),
                "rows": [],
                "total": 0,
                "submitted": 0,
                "drafts": 0,
            }
        card = _card(a)
        status = card.status if card else None
        a.card = card
        a.state = (
            "submitted" if status == ScorecardStatus.SUBMITTED else ("draft" if card else "open")
        )
        a.state_label = {"submitted": "已提交", "draft": "草稿已保存", "open": "未开始"}[a.state]
        block["rows"].append(a)
        block["total"] += 1
        block["submitted"] += a.state == "submitted"
        block["drafts"] += a.state == "draft"
    blocks = []
    for competition in competitions.values():
        own_rounds = [r for r in rounds.values() if r["round"].competition_id == competition.pk]
        for r in own_rounds:
            r["percent"] = _percent(r["submitted"], r["total"])
        blocks.append(
            {
                "competition": competition,
                "pledged": competition.pk in pledged,
                "rounds": own_rounds,
                "form": PledgeForm(),
            }
        )
    return render(
        request,
        "judging/index.html",
        {
            "blocks": blocks,
            "pledge_title": PLEDGE_TITLE,
            "pledge_paragraphs": PLEDGE_PARAGRAPHS,
        },
    )


def _card(assignment) -> Scorecard | None:
    try:
        return assignment.scorecard
    except Scorecard.DoesNotExist:
        return None


def _office_index(request):
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


@login_required
@chinese_errors
@require_POST
def pledge(request, pk: int):
    """The judge signs the competition's pledge (承诺书)."""
    _require_judge(request.user)
    competition = get_object_or_404(
        competition_selectors.competition_list(user=request.user).prefetch_related(None), pk=pk
    )
    form = PledgeForm(request.POST)
    target = _safe_next(request, reverse("judging:index"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    try:
        services.pledge_accept(judge=request.user, competition=competition)
    except ApplicationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, "评审承诺书已签署，可以开始评分。")
    return redirect(target)


# --------------------------------------------------------------------------- the scoring page


def _display(name: str, value, materials: dict) -> str:
    if value is None or value == "" or value == []:
        return ""
    if name == "field":
        return SERVICE_FIELDS.get(value, value)
    if name in ("started_on", "founded_on"):
        year, month, day = (int(x) for x in str(value).split("-"))
        years = materials.get("years_running")
        suffix = f"（截至申报截止满 {years} 年）" if years is not None else ""
        return f"{year}年{month}月{day}日{suffix}"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _material_sections(kind: str, materials: dict) -> list[tuple[str, list[dict]]]:
    labels = labels_for(kind)
    sections = []
    for title, names in LAYOUT.get(kind, LAYOUT[CategoryKind.PROJECT]):
        rows = []
        for name in names:
            if name in NOT_MATERIAL or name not in materials:
                continue
            rows.append(
                {
                    "name": name,
                    "label": labels.get(name, name),
                    "value": _display(name, materials[name], materials),
                    "links": materials[name] if name == "media_links" else None,
                    "long": name in LONG_FIELDS,
                }
            )
        if rows:
            sections.append((title.replace("负责人与联系人", "负责人"), rows))
    return sections


@login_required
@chinese_errors
@require_GET
def assignment_page(request, pk: int):
    """Score one assignment (the judge), or read it (the office, observers)."""
    user = request.user
    assignment = get_object_or_404(
        selectors.assignment_list(user=user).select_related("nomination__competition"), pk=pk
    )
    data = AssignmentDetailSerializer(assignment, context={"viewer": user}).data
    scorecard = data["scorecard"]
    materials = data["materials"]
    now = timezone.now()
    is_scorer = user.role == Role.JUDGE and assignment.judge_id == user.pk
    round_ = assignment.round
    refusal = services.round_refusal(round_, now)
    pledged = Pledge.objects.filter(
        judge=assignment.judge_id, competition_id=round_.competition_id
    ).exists()
    conflict = conflict_reason(judge=assignment.judge, nomination=assignment.nomination)
    if is_blind_for(user, round_):
        conflict = conflict_for_judge(conflict, blind=True)
    submitted = scorecard["status"] == ScorecardStatus.SUBMITTED
    editable = is_scorer and refusal is None and pledged and conflict is None and not submitted
    saved = scorecard["scores"]
    rubric = [
        {
            **c,
            "max_display": _points(c["max_points"]),
            "weight_display": _points(c["weight"]) if Decimal(c["weight"]) != 1 else "",
            "value": _points(saved.get(str(c["id"]))),
        }
        for c in data["rubric"]
    ]
    kind = assignment.nomination.category.kind
    config = {
        "assignment": assignment.pk,
        "editable": editable,
        "saveUrl": reverse("assignment-scorecard", args=[assignment.pk]),
        "submitUrl": reverse("assignment-scorecard-submit", args=[assignment.pk]),
        "version": scorecard["version"],
        "status": scorecard["status"],
        "commentRequired": data["comment_required"],
        "step": str(HALF),  # the grid scores are kept on (Score.half_points)
        "criteria": [
            {
                "id": c["id"],
                "name": c["name"],
                "max": float(c["max_points"]),
                "weight": float(c["weight"]),
            }
            for c in data["rubric"]
        ],
    }
    return render(
        request,
        "judging/assignment.html",
        {
            "assignment": assignment,
            "round": round_,
            "data": data,
            "materials": materials,
            "sections": _material_sections(kind, materials),
            "attachments": materials.get("attachments", []),
            "rubric": rubric,
            "scorecard": scorecard,
            "config": config,
            "editable": editable,
            "is_scorer": is_scorer,
            "refusal": refusal,
            "pledged": pledged,
            "conflict": conflict,
            "submitted": submitted,
            "max_total": sum(
                Decimal(c["max_points"]) * Decimal(c["weight"]) for c in data["rubric"]
            ),
            "conflict_form": ConflictForm(),
            "pledge_form": PledgeForm(),
            "pledge_title": PLEDGE_TITLE,
            "pledge_paragraphs": PLEDGE_PARAGRAPHS,
            "deadline": round_.effective_deadline,
        },
    )


@login_required
@chinese_errors
@require_POST
def declare_conflict(request, pk: int):
    """The judge declares a conflict (回避申明) with the nomination of one of their assignments."""
    _require_judge(request.user)
    assignment = get_object_or_404(selectors.assignment_list(user=request.user), pk=pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("judging:assignment", pk=assignment.pk)
    try:
        result = services.conflict_declare(
            judge=request.user, nomination=assignment.nomination, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        _flash_error(request, exc)
        return redirect("judging:assignment", pk=assignment.pk)
    if result.released:
        messages.success(
            request,
            f"已申明回避。“{assignment.nomination.title}”已从您的评审任务中移出，组委会办公室将另行安排评委。",
        )
    else:
        messages.success(
            request,
            f"已申明回避。您对“{assignment.nomination.title}”已提交的评分表将不再计入排名，组委会办公室将另行安排评委。",
        )
    return redirect("judging:index")


# --------------------------------------------------------------------------- the office's boards


@login_required
@chinese_errors
@require_GET
def progress(request, pk: int):
    """Assigned and submitted per judge and per category, with bars."""
    round_ = _round(request, pk)
    data = selectors.round_progress(round_=round_)
    judges = [
        {
            **j,
            "label": j["name"] or j["username"],
            "percent": _percent(j["submitted"], j["assigned"]),
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
        block["nominations"].append({**n, "percent": _percent(n["submitted"], n["assigned"])})
    for block in categories.values():
        block["percent"] = _percent(block["submitted"], block["assigned"])
    return render(
        request,
        "judging/progress.html",
        {
            "round": round_,
            "data": data,
            "percent": _percent(data["submitted"], data["assigned"]),
            "judges": judges,
            "categories": list(categories.values()),
            "now": timezone.now(),
            "can_remind": request.user.role == Role.OFFICE and round_.closed_at is None,
        },
    )


@login_required
@chinese_errors
@require_POST
def remind_judges(request, pk: int):
    """The office's 提醒 on the progress board: one judge (``judge``) or every judge with unsubmitted cards."""
    round_ = _round(request, pk)
    if request.user.role != Role.OFFICE:
        raise PermissionDenied
    judge = None
    if request.POST.get("judge"):
        judge = get_object_or_404(User, pk=request.POST["judge"], role=Role.JUDGE)
    try:
        reminded = services.judges_remind(actor=request.user, round_=round_, judge=judge)
    except ApplicationError as exc:
        _flash_error(request, exc)
    else:
        who = f"评委 {judge}" if judge is not None else f"{reminded} 位评委"
        messages.success(request, f"已向{who}发送评分提醒（站内消息，已填写邮箱的同时发送电子邮件）。")
    return redirect("judging:progress", pk=round_.pk)


@login_required
@chinese_errors
@require_GET
def conflicts(request, pk: int):
    """Every assignment of the round that breaks a 回避 rule now."""
    round_ = _round(request, pk)
    rows = selectors.conflict_report(round_=round_)
    for row in rows:
        row["status_label"] = ASSIGNMENT_STATUS.get(row["status"], row["status"])
    return render(request, "judging/conflicts.html", {"round": round_, "rows": rows})


# --------------------------------------------------------------------------- the ranking page

CHART_WIDTH = 640
CHART_LABEL = 64
CHART_VALUE = 120
CHART_ROW = 30


def _severity_chart(stats: dict, threshold: Decimal) -> dict:
    """Geometry of a horizontal bar chart of each judge's severity, centred on 0."""
    judges = stats.get("judges", [])
    values = [Decimal(j["severity"]) for j in judges if j.get("severity") is not None]
    scale_max = max([abs(v) for v in values] + [threshold]) * Decimal("1.15")
    plot = CHART_WIDTH - CHART_LABEL - CHART_VALUE
    centre = CHART_LABEL + plot / 2
    half = Decimal(plot / 2)

    def x(value: Decimal) -> float:
        return round(float(Decimal(centre) + value / scale_max * half), 1)

    rows = []
    for i, j in enumerate(judges):
        y = 24 + i * CHART_ROW
        severity = None if j.get("severity") is None else Decimal(j["severity"])
        row = {
            **j,
            "y": y,
            "text_y": y + 15,
            "severity_value": severity,
            "far": bool(j.get("far_from_consensus")),
        }
        if severity is not None:
            end = x(severity)
            row["bar_x"] = min(centre, end)
            row["bar_width"] = round(max(abs(end - centre), 1.5), 1)
            row["label_x"] = CHART_WIDTH - CHART_VALUE + 8
            row["kind"] = "lenient" if severity > 0 else ("severe" if severity < 0 else "even")
        rows.append(row)
    height = 24 + len(judges) * CHART_ROW + 26
    return {
        "width": CHART_WIDTH,
        "height": height,
        "centre": centre,
        "plot_left": CHART_LABEL,
        "plot_right": CHART_LABEL + plot,
        "minus": x(-threshold),
        "plus": x(threshold),
        "band": round(x(threshold) - x(-threshold), 1),
        "band_height": height - 22 - 16,
        "axis_bottom": height - 22,
        "value_x": CHART_WIDTH - CHART_VALUE + 8,
        "scale": f"{scale_max:.1f}",
        "rows": rows,
        "kendall_w": stats.get("kendall_w"),
    }


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
    round_ = _round(request, pk)
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
            chart = _severity_chart(
                breakdown["statistics"][category_id], DEFAULT_SEVERITY_THRESHOLD
            )
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
    is_office = request.user.role == Role.OFFICE
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
            "is_office": is_office,
            "can_close": is_office and round_.closed_at is None,
            "close_form": CloseRoundForm(),
            "aggregate_url": reverse("round-ranking-aggregate", args=[round_.pk]),
        },
    )


@login_required
@chinese_errors
@require_POST
def close_round(request, pk: int):
    """The office closes the round: scorecards lock, the official ranking is computed."""
    round_ = _round(request, pk)
    if request.user.role != Role.OFFICE:
        raise PermissionDenied
    form = CloseRoundForm(request.POST)
    url = reverse("judging:ranking", args=[round_.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(url)
    try:
        snapshot = services.round_close(actor=request.user, round_=round_)
    except ApplicationError as exc:
        _flash_error(request, exc)
        return redirect(url)
    messages.success(
        request,
        f"“{round_.name}”已结束，评分已锁定，已按“{METHOD_LABELS[snapshot.method]}”生成正式排名。",
    )
    return redirect(f"{url}?method={snapshot.method}")


# --------------------------------------------------------------------------- the public 公示 page


@chinese_errors
@require_GET
def publicity(request, pk: int):
    """The public 公示 list (names, units, categories; never scores) and the objection form."""
    item = get_object_or_404(Publicity.objects.select_related("competition"), competition_id=pk)
    data = selectors.publicity_data(publicity=item, public=True)
    groups: dict[str, list[dict]] = defaultdict(list)
    for entry in data["entries"]:
        groups[entry["category"]].append(entry)
    refusal = services.publicity_open_refusal(item.competition, timezone.now())
    return render(
        request,
        "judging/publicity.html",
        {
            "publicity": item,
            "data": data,
            "groups": list(groups.items()),
            "refusal": refusal,
            "objection_url": reverse("public-objection"),
            "final": item.competition.phase in (Phase.FINAL, Phase.ARCHIVED),
        },
    )
