"""A judge's pages: the list of assignments with the pledge, the scoring page, the 回避 declaration."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from competition import selectors as competition_selectors
from competition.enums import Phase
from competition.exceptions import ApplicationError
from nominations import schema
from nominations.enums import ServiceField

from .. import selectors, services
from ..api.serializers import AssignmentDetailSerializer
from ..blind import conflict_for_judge, is_blind_for
from ..conflicts import conflict_reason
from ..enums import ScorecardStatus
from ..forms import PLEDGE_PARAGRAPHS, PLEDGE_TITLE, ConflictForm, PledgeForm
from ..models import Pledge, Scorecard
from ..refusals import round_refusal
from ..scoring import HALF
from ._common import chinese_errors, flash_error, flash_form_errors, percent, points, safe_next
from .office import office_index

SERVICE_FIELDS = dict(ServiceField.choices)
# The materials a judge reads, in the order of the paper form (nominations.schema), without
# what judges never see (contacts) or what is not material (the unit's order, its pledge).
LONG_FIELDS = schema.long_fields()
NOT_MATERIAL = schema.not_material_fields()


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


# --------------------------------------------------------------------------- the judge's list


@login_required
@chinese_errors
@require_GET
def index(request):
    """A judge's assignments per round, with progress and the pledge; for readers, the rounds."""
    user = request.user
    if user.has_perm("judging.view_ranking"):
        return office_index(request)
    _require(user, "judging.pledge")  # the judges
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
                "refusal": round_refusal(a.round, now),
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
            r["percent"] = percent(r["submitted"], r["total"])
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


@login_required
@chinese_errors
@require_POST
def pledge(request, pk: int):
    """The judge signs the competition's pledge (承诺书)."""
    _require(request.user, "judging.pledge")
    competition = get_object_or_404(
        competition_selectors.competition_list(user=request.user).prefetch_related(None), pk=pk
    )
    form = PledgeForm(request.POST)
    target = safe_next(request, reverse("judging:index"))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(target)
    try:
        services.pledge_accept(judge=request.user, competition=competition)
    except ApplicationError as exc:
        flash_error(request, exc)
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
    labels = schema.labels(kind)
    sections = []
    for title, names in schema.sections(kind):
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
    # The API's answer (rubric, scorecard, attachments) and the materials through the same selector.
    data = AssignmentDetailSerializer(assignment, context={"viewer": user}).data
    scorecard = data["scorecard"]
    materials = selectors.assignment_materials(assignment=assignment, viewer=user)
    now = timezone.now()
    is_scorer = user.has_perm("judging.score_assignment", assignment)
    editable = user.has_perm("judging.score", assignment)
    round_ = assignment.round
    # What the notices say (why the scores cannot be changed now); the decision is ``editable``.
    refusal = round_refusal(round_, now)
    pledged = Pledge.objects.filter(
        judge=assignment.judge_id, competition_id=round_.competition_id
    ).exists()
    conflict = conflict_reason(judge=assignment.judge, nomination=assignment.nomination)
    if is_blind_for(user, round_):
        conflict = conflict_for_judge(conflict, blind=True)
    submitted = scorecard["status"] == ScorecardStatus.SUBMITTED
    saved = scorecard["scores"]
    rubric = [
        {
            **c,
            "max_display": points(c["max_points"]),
            "weight_display": points(c["weight"]) if Decimal(c["weight"]) != 1 else "",
            "value": points(saved.get(str(c["id"]))),
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
            "attachments": data["materials"]["attachments"],
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
    _require(request.user, "judging.declare_conflict")
    assignment = get_object_or_404(selectors.assignment_list(user=request.user), pk=pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("judging:assignment", pk=assignment.pk)
    try:
        result = services.conflict_declare(
            judge=request.user, nomination=assignment.nomination, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        flash_error(request, exc)
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
