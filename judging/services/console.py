"""The office console's changes to a round's assignments that the API lacked.

Replace the judge of one assignment, move a nomination away from a judge and
let automatic assignment find another (the conflict report's "移出并另行安排评委"),
exclude a submitted scorecard with a reason, and withdraw a judge from one
round. Each checks the office's role itself, runs in one transaction and
writes its audit entry; the web pages and the API call these same functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from competition.audit import audit_record
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Round, User
from competition.rules import is_office, require
from notifications.enums import Event
from notifications.services import notify

from ..conflicts import conflict_reason
from ..enums import ScorecardStatus
from ..models import Assignment, RoundWithdrawal, Scorecard, ScorecardExclusion
from ..refusals import assign_refusal, refuse
from .assignments import (
    _plan_apply,
    _round_context,
    assignment_add,
    assignment_plan,
    assignment_remove,
)

__all__ = [
    "Refilled",
    "assignment_reassign",
    "assignment_replace",
    "judge_withdraw_round",
    "scorecard_exclude",
]

OFFICE_ONLY = "只有组委会办公室可以调整评审分配。"


@dataclass
class Refilled:
    """What a change did: assignments removed, scorecards excluded, judges newly assigned."""

    removed: int = 0
    excluded: int = 0
    kept: int = 0
    added: list[dict[str, Any]] = field(default_factory=list)
    short: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "removed": self.removed,
            "excluded": self.excluded,
            "kept": self.kept,
            "added": self.added,
            "short": self.short,
        }


def _reason(reason: str | None, *, required: bool, label: str = "理由") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed(fields={"reason": [f"{label}：必须填写。"]})
    return reason


def _open_round(round_id: int) -> Round:
    round_ = Round.objects.select_for_update().select_related("competition").get(pk=round_id)
    refuse(assign_refusal(round_, None, timezone.now()))  # the same rule as assigning in the first place
    return round_


def _card(assignment: Assignment) -> Scorecard | None:
    return Scorecard.objects.select_for_update().filter(assignment=assignment).first()


def _submitted(card: Scorecard | None) -> bool:
    return card is not None and card.status == ScorecardStatus.SUBMITTED


def _excluded(card: Scorecard) -> bool:
    return ScorecardExclusion.objects.filter(scorecard=card).exists()


def _refill(
    *, round_: Round, nomination_ids: set[int], exclude_judges: set[int], key: str, result: Refilled
) -> None:
    """Staff ``nomination_ids`` again by the automatic plan (never with ``exclude_judges``)."""
    if not nomination_ids:
        return
    plan = assignment_plan(round_=round_, nomination_ids=nomination_ids, exclude_judges=exclude_judges)
    _plan_apply(round_=round_, plan=plan, key=key)
    result.added = [
        {"judge": j, "judge_username": plan.names[j], "nomination": n} for j, n in plan.new_pairs
    ]
    result.short = plan.short


def _refill_one(*, round_: Round, assignment: Assignment, key: str, result: Refilled) -> None:
    """Staff the assignment's nomination again, not with the assignment's judge."""
    _refill(
        round_=round_,
        nomination_ids={assignment.nomination_id},
        exclude_judges={assignment.judge_id},
        key=key,
        result=result,
    )


@transaction.atomic
def assignment_replace(*, actor: User, assignment: Assignment, judge: User, reason: str = "") -> Assignment:
    """Give one nomination another judge: ``judge`` takes over ``assignment`` (not yet submitted).

    The new judge is checked as for a manual assignment (a judge, in the round's
    nominations, no 回避, not already assigned); both judges are told.
    """
    require(is_office, actor, message=OFFICE_ONLY)
    assignment = Assignment.objects.select_related("round", "nomination", "judge").get(pk=assignment.pk)
    round_ = _open_round(assignment.round_id)
    reason = _reason(reason, required=False)
    if judge.pk == assignment.judge_id:
        raise ValidationFailed(fields={"judge": ["替换评委：请选择另一位评委。"]})
    card = _card(assignment)
    if _submitted(card):
        raise Conflict(
            "该评委已提交评分表，不能直接替换；如该评分不应计入，请先排除该评分表（写明理由）。",
            code="scorecard_submitted",
        )
    # The new one first: if it is refused, nothing has changed.
    new = assignment_add(actor=actor, round_=round_, judge=judge, nomination=assignment.nomination)
    old_judge = assignment.judge_id
    assignment_remove(actor=actor, assignment=assignment, reason=reason or f"改由评委 {judge} 评审")
    audit_record(
        actor=actor,
        action="judging.assign_replace",
        obj=new,
        before={"judge": old_judge, "assignment": assignment.pk},
        after={"judge": judge.pk, "assignment": new.pk, "nomination": new.nomination_id},
        reason=reason,
    )
    return new


@transaction.atomic
def assignment_reassign(*, actor: User, assignment: Assignment, reason: str = "") -> Refilled:
    """Move a nomination away from this judge and let automatic assignment pick another.

    The conflict report's action (移出并另行安排评委). A scorecard not yet
    submitted goes with its assignment. A submitted one stays on record: it
    must already not count (the judge must 回避, or the office excluded it),
    otherwise the office excludes it first, with a reason.
    """
    require(is_office, actor, message=OFFICE_ONLY)
    assignment = Assignment.objects.select_related("round", "nomination", "nomination__category", "judge").get(
        pk=assignment.pk
    )
    round_ = _open_round(assignment.round_id)
    reason = _reason(reason, required=False)
    result = Refilled()
    card = _card(assignment)
    if _submitted(card):
        voided = _excluded(card) or conflict_reason(
            judge=assignment.judge, nomination=assignment.nomination
        )
        if not voided:
            raise Conflict(
                "该评委已提交评分表，且无须回避；如该评分不应计入，请先排除该评分表（写明理由）。",
                code="scorecard_submitted",
            )
        result.kept = 1
    else:
        assignment_remove(actor=actor, assignment=assignment, reason=reason or "移出并另行安排评委")
        result.removed = 1
    entry = audit_record(
        actor=actor,
        action="judging.assign_reassign",
        obj=round_,
        before={"assignment": assignment.pk, "judge": assignment.judge_id, "nomination": assignment.nomination_id},
        reason=reason,
    )
    _refill_one(round_=round_, assignment=assignment, key=f"reassign:{entry.pk}", result=result)
    return result


@transaction.atomic
def scorecard_exclude(*, actor: User, assignment: Assignment, reason: str, refill: bool = True) -> Refilled:
    """The office excludes a submitted scorecard from every aggregation, with a reason.

    The card stays on record (and in the audit trail); with ``refill`` the
    nomination is staffed again by automatic assignment (not with the same judge).
    """
    require(is_office, actor, message=OFFICE_ONLY)
    assignment = Assignment.objects.select_related("round", "nomination").get(pk=assignment.pk)
    round_ = _open_round(assignment.round_id)
    reason = _reason(reason, required=True, label="排除理由")
    card = _card(assignment)
    if not _submitted(card):
        raise Conflict("评分表尚未提交，无需排除；未提交的分配可以直接移出或替换评委。", code="not_submitted")
    if _excluded(card):
        raise Conflict("该评分表已被排除。", code="already_excluded")
    ScorecardExclusion.objects.create(scorecard=card, reason=reason, excluded_by=actor)
    entry = audit_record(
        actor=actor,
        action="scorecard.exclude",
        obj=card,
        before={"counted": True},
        after={"counted": False, "assignment": assignment.pk, "nomination": assignment.nomination_id},
        reason=reason,
    )
    result = Refilled(excluded=1)
    if refill:
        _refill_one(round_=round_, assignment=assignment, key=f"exclude:{entry.pk}", result=result)
    return result


@transaction.atomic
def judge_withdraw_round(
    *, actor: User, round_: Round, judge: User, reason: str, exclude_submitted: bool = False
) -> Refilled:
    """Withdraw a judge from one round.

    Their assignments without a submitted scorecard move to other judges
    (automatic assignment, never to them again in this round); submitted
    scorecards stay and count, unless ``exclude_submitted``: then each is
    excluded with the same reason and its nomination staffed again.
    """
    require(is_office, actor, message=OFFICE_ONLY)
    round_ = _open_round(round_.pk)
    reason = _reason(reason, required=True, label="退出理由")
    rows = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(round=round_, judge=judge)
        .select_related("nomination")
        .order_by("pk")
    )
    if not rows:
        raise Conflict(f"评委 {judge} 在“{round_.name}”中没有评审任务。", code="not_in_round")
    if RoundWithdrawal.objects.filter(round=round_, judge=judge).exists():
        raise Conflict(f"评委 {judge} 已退出“{round_.name}”。", code="already_withdrawn")
    RoundWithdrawal.objects.create(round=round_, judge=judge, reason=reason, withdrawn_by=actor)
    result = Refilled()
    affected: set[int] = set()
    excluded_cards = []
    for assignment in rows:
        card = _card(assignment)
        if _submitted(card):
            if exclude_submitted and not _excluded(card):
                ScorecardExclusion.objects.create(scorecard=card, reason=reason, excluded_by=actor)
                excluded_cards.append(card.pk)
                result.excluded += 1
                affected.add(assignment.nomination_id)
            else:
                result.kept += 1
            continue
        if card is not None:
            card.delete()
        assignment.delete()
        result.removed += 1
        affected.add(assignment.nomination_id)
    entry = audit_record(
        actor=actor,
        action="judging.judge_withdraw_round",
        obj=round_,
        before={"judge": judge.pk, "assignments": len(rows)},
        after={
            "judge": judge.pk,
            "moved": result.removed,
            "excluded_scorecards": excluded_cards,
            "kept_scorecards": result.kept,
        },
        reason=reason,
    )
    _refill(round_=round_, nomination_ids=affected, exclude_judges={judge.pk}, key=f"withdraw:{entry.pk}", result=result)
    change = f"您已退出本轮评审（{reason}），{result.removed} 项尚未提交评分的任务已改由其他评委承担"
    if result.excluded:
        change += f"，{result.excluded} 份已提交的评分表不再计入"
    notify(
        event=Event.ASSIGNMENT_CHANGED,
        recipients=[judge],
        obj=round_,
        key=f"withdraw-round:{entry.pk}",
        url=reverse("judging:index"),
        context=_round_context(
            round_, change=change, total=Assignment.objects.filter(round=round_, judge=judge).count()
        ),
    )
    return result
