"""Reads of the office console: the year's state for the next step, and a round's assignments."""

from __future__ import annotations

from collections import OrderedDict

from django.db.models import Count, Max, Q
from django.utils import timezone

from competition.models import Competition, JudgeProfile, Round
from nominations.enums import Status
from nominations.models import Nomination

from .. import selectors
from ..enums import AssignmentStatus, AwardStatus, ObjectionStatus, ScorecardStatus
from ..models import Assignment, Award, Objection, PanelMember, Pledge, Publicity, RoundWithdrawal
from . import nav
from .nav import Badge, RoundState, YearState


def badges() -> dict[str, Badge]:
    """The badges of the console's entries that have something waiting (``nav.BADGES``,
    registered by the apps that own the pages; one count each)."""
    out = {}
    for name, counter in nav.BADGES.items():
        badge = counter()
        if badge is not None and badge.count > 0:
            out[name] = badge
    return out


def round_counts(competition: Competition) -> dict[int, dict[str, int]]:
    rows = (
        Assignment.objects.filter(round__competition=competition)
        .values("round_id")
        .annotate(assigned=Count("id"), submitted=Count("id", filter=Q(status=AssignmentStatus.SUBMITTED)))
    )
    return {r["round_id"]: {"assigned": r["assigned"], "submitted": r["submitted"]} for r in rows}


def nomination_counts(competition: Competition) -> dict[str, int]:
    rows = Nomination.objects.filter(competition=competition).values("status").annotate(n=Count("id"))
    counts = {r["status"]: r["n"] for r in rows}
    return {s.value: counts.get(s.value, 0) for s in Status}


def year_state(competition: Competition, *, rounds: list[Round] | None = None) -> YearState:
    """Everything ``nav.next_step`` reads, in a handful of queries."""
    rounds = rounds if rounds is not None else list(competition.rounds.order_by("order"))
    counts = round_counts(competition)
    corrections = Nomination.objects.filter(
        competition=competition, status=Status.RETURNED, correct_by__gte=timezone.localdate()
    ).aggregate(open=Count("id"), until=Max("correct_by"))
    return YearState(
        pk=competition.pk,
        phase=competition.phase,
        rounds=tuple(
            RoundState(
                pk=r.pk,
                name=r.name,
                order=r.order,
                closed=r.closed_at is not None,
                assigned=counts.get(r.pk, {}).get("assigned", 0),
                submitted=counts.get(r.pk, {}).get("submitted", 0),
            )
            for r in rounds
        ),
        nominations_submitted=Nomination.objects.filter(competition=competition, status=Status.SUBMITTED).count(),
        corrections_open=corrections["open"],
        corrections_until=corrections["until"],
        publicity=Publicity.objects.filter(competition=competition).exists(),
        open_objections=Objection.objects.filter(competition=competition, status=ObjectionStatus.OPEN).count(),
        proposed_awards=Award.objects.filter(competition=competition, status=AwardStatus.PROPOSED).count(),
    )


def active_judges() -> list[JudgeProfile]:
    return list(
        JudgeProfile.objects.filter(user__is_active=True, active=True)
        .select_related("user", "unit")
        .order_by("user__username")
    )


def panels(competition: Competition) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for category_id, judge_id in PanelMember.objects.filter(category__competition=competition).values_list(
        "category_id", "judge_id"
    ):
        out.setdefault(category_id, set()).add(judge_id)
    return out


def round_board(round_: Round) -> dict:
    """A round's nominations per category with each assignment's state, and each judge's load."""
    assignments = list(
        Assignment.objects.filter(round=round_)
        .select_related("judge", "scorecard", "scorecard__exclusion")
        .order_by("nomination_id", "judge__username")
    )
    conflicts = {row["assignment"]: row["reason"] for row in selectors.conflict_report(round_=round_)}
    by_nomination: dict[int, list[dict]] = {}
    loads: dict[int, dict[str, int]] = {}
    for a in assignments:
        card = getattr(a, "scorecard", None) if _has_card(a) else None
        excluded = card is not None and _has_exclusion(card)
        if excluded:
            state, label = "excluded", "已排除"
        elif a.pk in conflicts:
            state, label = "conflict", "须回避"
        elif card is not None and card.status == ScorecardStatus.SUBMITTED:
            state, label = "submitted", "已提交"
        elif card is not None:
            state, label = "draft", "草稿"
        else:
            state, label = "open", "未开始"
        by_nomination.setdefault(a.nomination_id, []).append(
            {
                "assignment": a,
                "judge": a.judge,
                "state": state,
                "label": label,
                "conflict": conflicts.get(a.pk, ""),
                "exclusion": card.exclusion.reason if excluded else "",
                "submitted": state in ("submitted", "excluded") or (state == "conflict" and card is not None and card.status == ScorecardStatus.SUBMITTED),
            }
        )
        load = loads.setdefault(a.judge_id, {"assigned": 0, "submitted": 0})
        load["assigned"] += 1
        load["submitted"] += a.status == AssignmentStatus.SUBMITTED
    nominations = list(
        selectors.round_nominations(round_=round_)
        .select_related("category", "unit")
        .order_by("category__order", "category_id", "unit__order", "order", "pk")
    )
    counted_ids = {n.pk for n in nominations}
    # Assignments of nominations no longer in the round (kept on record) are listed too.
    extra = set(by_nomination) - counted_ids
    if extra:
        nominations += list(Nomination.objects.filter(pk__in=extra).select_related("category", "unit"))
    categories: OrderedDict[int, dict] = OrderedDict()
    need = round_.judges_per_nomination
    for n in nominations:
        rows = by_nomination.get(n.pk, [])
        counting = sum(1 for r in rows if r["state"] not in ("excluded", "conflict"))
        block = categories.setdefault(
            n.category_id, {"category": n.category, "nominations": [], "short": 0}
        )
        block["nominations"].append(
            {"nomination": n, "rows": rows, "counting": counting, "short": max(0, need - counting)}
        )
        block["short"] += counting < need
    withdrawn = {
        w.judge_id: w for w in RoundWithdrawal.objects.filter(round=round_).select_related("judge")
    }
    pledged = set(
        Pledge.objects.filter(competition_id=round_.competition_id).values_list("judge_id", flat=True)
    )
    return {
        "categories": list(categories.values()),
        "loads": loads,
        "withdrawn": withdrawn,
        "pledged": pledged,
        "total": len(assignments),
        "short": sum(b["short"] for b in categories.values()),
        "nominations": len(nominations),
    }


def _has_card(assignment: Assignment) -> bool:
    try:
        assignment.scorecard  # noqa: B018
    except Assignment.scorecard.RelatedObjectDoesNotExist:
        return False
    return True


def _has_exclusion(card) -> bool:
    try:
        card.exclusion  # noqa: B018
    except card.__class__.exclusion.RelatedObjectDoesNotExist:
        return False
    return True


def unlock_reasons(assignment_ids: list[int]) -> dict[int, dict]:
    """The office's latest unlock of each assignment's scorecard: the reason and when."""
    from competition.models import AuditEntry

    cards = dict(
        Assignment.objects.filter(pk__in=assignment_ids, scorecard__isnull=False).values_list(
            "scorecard__id", "pk"
        )
    )
    out: dict[int, dict] = {}
    for entry in AuditEntry.objects.filter(
        action="scorecard.unlock", object_type="judging.scorecard", object_id__in=[str(c) for c in cards]
    ).order_by("created_at", "id"):
        out[cards[int(entry.object_id)]] = {"reason": entry.reason, "at": entry.created_at}
    return out


def submitted_cards(round_: Round) -> list[dict]:
    """The round's submitted scorecards per judge (the progress board's unlock list)."""
    rows = (
        Assignment.objects.filter(round=round_, scorecard__status=ScorecardStatus.SUBMITTED)
        .select_related("judge", "nomination", "scorecard")
        .order_by("judge__username", "nomination_id")
    )
    judges: OrderedDict[int, dict] = OrderedDict()
    for a in rows:
        block = judges.setdefault(a.judge_id, {"judge": a.judge, "cards": []})
        block["cards"].append(a)
    return list(judges.values())
