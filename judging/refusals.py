"""Why an action of judging is refused now: the state rules, in one place.

Each ``*_refusal(obj, user, now)`` answers the Chinese reason an action on
``obj`` is refused at ``now``, or None when it may go ahead. The reason is a
``Refusal``: a ``str`` (the message a person reads) that also carries the
stable ``code`` the API answers with.

- The services check them on the rows they have locked and raise
  ``Conflict(reason, code=reason.code)`` (``refuse``), so the API answers
  409 with exactly this message.
- ``judging.rules`` wraps them as django-rules predicates (the "may now"
  permissions ``judging.score``, ``judging.close``, …), which pages ask with
  ``has_perm`` to decide what to show.

Who may act at all (the role, the judge's own assignment) is decided by the
predicates in ``rules.py``; these functions decide when. ``user`` matters
where the rule is the user's own (a judge's pledge and conflicts); the other
functions take it for one calling convention.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from competition import phases
from competition.enums import Phase
from competition.models import JudgeProfile
from competition.refusals import Refusal, refuse  # noqa: F401 - one Refusal for every app; refuse stays importable from here

from . import guards
from .blind import conflict_for_judge
from .conflicts import conflict_reason
from .enums import ObjectionStatus, ScorecardStatus
from .models import Pledge, Publicity, Scorecard


def _card(assignment) -> Scorecard | None:
    try:
        return assignment.scorecard
    except Scorecard.DoesNotExist:
        return None


# --------------------------------------------------------------------------- rounds


def round_refusal(round_, now: datetime, *, earlier_open: bool | None = None) -> Refusal | None:
    """Why judges cannot save scores in this round now, or None while it is open.

    ``earlier_open``: whether an earlier round is still open, when the caller
    already read it (``services.assignments._scoring_row``); otherwise it is queried.
    """
    competition = round_.competition
    if competition.phase != Phase.JUDGING:
        return Refusal(f"推选活动处于“{Phase(competition.phase).label}”阶段，不在评审期内。", "round_locked")
    if round_.closed_at is not None:
        return Refusal(f"“{round_.name}”已结束，评分已锁定。", "round_locked")
    if earlier_open is None:
        earlier_open = competition.rounds.filter(order__lt=round_.order, closed_at__isnull=True).exists()
    if earlier_open:
        return Refusal(f"“{round_.name}”尚未开始：上一轮评审还未结束。", "round_locked")
    deadline = round_.effective_deadline
    if now >= deadline:
        local = timezone.localtime(deadline)
        return Refusal(f"评审已于 {local:%Y-%m-%d %H:%M} 截止，评分已锁定。", "round_locked")
    return None


def assign_refusal(round_, user, now: datetime) -> Refusal | None:
    """Assigning judges (automatic or by hand) to the round."""
    if round_.closed_at is not None:
        return Refusal(f"“{round_.name}”已结束，不能再分配。", "round_closed")
    return None


def remind_refusal(round_, user, now: datetime) -> Refusal | None:
    """Reminding the round's judges of their unsubmitted scorecards."""
    if round_.closed_at is not None:
        return Refusal(f"“{round_.name}”已结束，无需提醒。", "round_closed")
    return None


def close_refusal(round_, user, now: datetime) -> Refusal | None:
    """Closing the round: scorecards lock and the official ranking is computed."""
    competition = round_.competition
    if round_.closed_at is not None:
        return Refusal(f"“{round_.name}”已经结束。", "round_closed")
    if competition.phase != Phase.JUDGING:
        return Refusal(
            f"推选活动处于“{Phase(competition.phase).label}”阶段，不能结束评审轮次。", "wrong_phase"
        )
    if competition.rounds.filter(order__lt=round_.order, closed_at__isnull=True).exists():
        return Refusal("请先结束上一轮评审。", "previous_round_open")
    if not Scorecard.objects.filter(assignment__round=round_, status=ScorecardStatus.SUBMITTED).exists():
        return Refusal(f"“{round_.name}”还没有任何已提交的评分表。", "no_scores")
    return None


# --------------------------------------------------------------------------- scorecards


def score_refusal(assignment, user, now: datetime) -> Refusal | None:
    """Saving or submitting ``user``'s scorecard of ``assignment``: the round open, the
    pledge signed, no 回避 (told in neutral words in a blind round).

    An assignment read by ``services.assignments._scoring_row`` carries the
    answers as annotations (``earlier_open``, ``pledged``, ``declared``, the
    judge's profile): they are used instead of a query each.
    """
    round_ = assignment.round
    annotated = hasattr(assignment, "pledged")
    reason = round_refusal(round_, now, earlier_open=assignment.earlier_open if annotated else None)
    if reason:
        return reason
    if annotated:
        pledged = assignment.pledged
    else:
        pledged = Pledge.objects.filter(competition_id=round_.competition_id, judge=user).exists()
    if not pledged:
        return Refusal("请先签署本次推选活动的评审承诺书，再开始评分。", "pledge_required")
    if annotated:
        try:
            profile = assignment.judge.judge_profile
        except JudgeProfile.DoesNotExist:
            profile = JudgeProfile(user_id=assignment.judge_id, organizations=[])  # none: no unit, no organisation
        declared = {assignment.nomination_id} if assignment.declared else set()
        conflict = conflict_reason(judge=user, nomination=assignment.nomination, profile=profile, declared=declared)
    else:
        conflict = conflict_reason(judge=user, nomination=assignment.nomination)
    if conflict:
        # In a blind round the rule is not named: "same unit" would tell the judge the unit.
        return Refusal(conflict_for_judge(conflict, blind=round_.blind), "conflict_of_interest")
    return None


def locked_refusal(card: Scorecard | None) -> Refusal | None:
    """Changing the scores of a submitted scorecard."""
    if card is not None and card.status == ScorecardStatus.SUBMITTED:
        return Refusal("评分表已提交并锁定，如需修改请联系组委会办公室解锁。", "scorecard_locked")
    return None


def edit_refusal(assignment, user, now: datetime) -> Refusal | None:
    """Changing the scores now: may score (``score_refusal``) and the scorecard is not submitted."""
    return score_refusal(assignment, user, now) or locked_refusal(_card(assignment))


def unlock_refusal(assignment, user, now: datetime) -> Refusal | None:
    """Reopening a submitted scorecard (the office, with a reason)."""
    if assignment.round.closed_at is not None:
        return Refusal(f"“{assignment.round.name}”已结束，评分不能再解锁。", "round_closed")
    card = _card(assignment)
    if card is None or card.status != ScorecardStatus.SUBMITTED:
        return Refusal("评分表尚未提交，无需解锁。", "not_submitted")
    return None


# --------------------------------------------------------------------------- 公示, objections, awards


def publish_refusal(competition, user, now: datetime) -> Refusal | None:
    """Publishing the proposed winners for 公示."""
    if competition.phase != Phase.JUDGING:
        return Refusal(
            f"推选活动处于“{Phase(competition.phase).label}”阶段，只能在评审结束后发布公示。", "wrong_phase"
        )
    reason = guards.all_rounds_closed(competition, now)
    if reason:
        return Refusal(reason, "rounds_open")
    return None


def publicity_open_refusal(competition, now: datetime) -> Refusal | None:
    """Lodging an objection (anyone, no account): from the moment the 公示 is published
    (the Publicity row and the phase exist from then on; also on the weekend or holiday
    days before its first working day) until the end of its last working day."""
    publicity = Publicity.objects.filter(competition=competition).first()
    if competition.phase != Phase.PUBLICITY or publicity is None:
        return Refusal("当前不在公示期内，不受理异议。", "publicity_closed")
    today = timezone.localtime(now).date()
    if today > publicity.ends_on:
        return Refusal(f"公示已于 {publicity.ends_on:%Y年%-m月%-d日} 结束，不再受理异议。", "publicity_closed")
    return None


def objection_refusal(objection, user, now: datetime) -> Refusal | None:
    """Resolving an objection or marking it as spam: it is open and the 公示 is on."""
    if objection.status != ObjectionStatus.OPEN:
        return Refusal("该异议已处理。", "objection_resolved")
    if objection.competition.phase != Phase.PUBLICITY:
        return Refusal("公示阶段已结束，异议不能再处理。", "wrong_phase")
    return None


def finalize_refusal(competition, user, now: datetime) -> Refusal | None:
    """Fixing the awards: the step from 公示 to 结果确定, refused before the 公示 ends or while
    an objection is open. (The awards themselves are fixed by the finalisation, so the
    ``awards_fixed`` guard of that step is not asked here.)"""
    if competition.phase != Phase.PUBLICITY:
        return Refusal(phases.refusal(competition, Phase.FINAL, now=now), "phase_guard_failed")
    reason = guards.publicity_over(competition, now)
    if reason:
        return Refusal(reason, "phase_guard_failed")
    return None
