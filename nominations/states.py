"""Which state a nomination must be in for each action: the ``*_refusal`` rules.

Each function answers why the action cannot be taken on ``nomination`` at
``now`` (a Chinese reason), or None when its state allows it. They decide
the state (status, nomination window, phase), never who asks: that is
``rules.py`` (an officer of the nomination's unit, the office). The services
raise ``Conflict`` with the reason (409); ``rules.py`` wraps each as a
predicate (``can_be_edited``, ``can_be_withdrawn`` …) so that pages and
templates ask ``has_perm`` instead of re-deriving the conditions.

A reason is a ``Refusal``: a ``str`` that also carries the stable error code
the API answers with.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from competition.enums import Phase
from competition.phases import nominations_window_refusal
from competition.refusals import Refusal

from .enums import EDITABLE_STATUSES, REOPENABLE_STATUSES, Status

# Statuses a unit may take a nomination back from (before the office accepts or rejects it).
WITHDRAWABLE_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
# Phases in which the office's 资格审查 is open.
REVIEW_PHASES = (Phase.NOMINATING, Phase.REVIEWING)


def _status(nomination) -> str:
    return Status(nomination.status).label


def window_refusal(competition, now: datetime) -> Refusal | None:
    reason = nominations_window_refusal(competition, now)
    return Refusal(reason, "window_closed") if reason else None


def _day(value: date) -> str:
    return f"{value:%Y-%m-%d}"


def correction_open(nomination, now: datetime) -> bool:
    """A returned nomination's correction period (补正期) runs: through its ``correct_by``
    day (local time), while 资格审查 is still open (before judging starts)."""
    return (
        nomination.status == Status.RETURNED
        and nomination.correct_by is not None
        and nomination.competition.phase in REVIEW_PHASES
        and timezone.localdate(now) <= nomination.correct_by
    )


def _correction_refusal(nomination, now: datetime) -> Refusal | None:
    """The window's refusal, unless a returned nomination's correction period is open."""
    if correction_open(nomination, now):
        return None
    refusal = window_refusal(nomination.competition, now)
    competition = nomination.competition
    if (
        refusal
        and nomination.status == Status.RETURNED
        and nomination.correct_by is not None
        # The 补正截止 ran past the window (else the window's close was the binding deadline).
        and (
            competition.phase != Phase.NOMINATING
            or nomination.correct_by >= timezone.localdate(competition.nominations_close)
        )
    ):
        return Refusal(
            f"补正截止日期 {_day(nomination.correct_by)} 已过，不能再修改或重新提交。", "correction_closed"
        )
    return refusal


def edit_refusal(nomination, now: datetime) -> Refusal | None:
    """A unit edits a draft while the window is open, a returned nomination while the
    window is open or its correction period (补正期) runs."""
    if nomination.status not in EDITABLE_STATUSES:
        return Refusal(f"推荐处于“{_status(nomination)}”状态，不能修改。", "not_editable")
    return _correction_refusal(nomination, now)


def submit_refusal(nomination, now: datetime) -> Refusal | None:
    """A unit submits a draft while the window is open, a returned nomination while the
    window is open or its correction period runs.

    (Completeness, eligibility and the quota are checked by the service at submission.)
    """
    if nomination.status not in EDITABLE_STATUSES:
        return Refusal(f"推荐处于“{_status(nomination)}”状态，不能提交。", "not_submittable")
    return _correction_refusal(nomination, now)


def lapse_due(nomination, now: datetime) -> bool:
    """A returned nomination lapses (已逾期未更正) once neither the window nor its
    correction period lets the unit resubmit it, while 资格审查 is open."""
    return (
        nomination.status == Status.RETURNED
        and nomination.competition.phase in REVIEW_PHASES
        and _correction_refusal(nomination, now) is not None
    )


def withdraw_refusal(nomination, now: datetime) -> Refusal | None:
    """A unit takes a nomination back until the office accepts or rejects it."""
    if nomination.status not in WITHDRAWABLE_STATUSES:
        return Refusal(f"推荐处于“{_status(nomination)}”状态，不能撤回。", "not_withdrawable")
    return None


def delete_refusal(nomination, now: datetime) -> Refusal | None:
    """Only a draft is deleted; a submitted nomination is withdrawn."""
    if nomination.status != Status.DRAFT:
        return Refusal("只能删除草稿；已提交的推荐可以撤回。", "not_draft")
    return None


def review_refusal(nomination, now: datetime) -> Refusal | None:
    """The office decides on a submitted nomination while nominating or reviewing."""
    if nomination.status != Status.SUBMITTED:
        return Refusal(
            f"只有已提交的推荐可以审查，该推荐处于“{_status(nomination)}”状态。", "not_reviewable"
        )
    phase = nomination.competition.phase
    if phase not in REVIEW_PHASES:
        return Refusal(f"推选活动处于“{Phase(phase).label}”阶段，资格审查已结束。", "review_closed")
    return None


def reopen_refusal(nomination, now: datetime) -> Refusal | None:
    """The office takes a decision back (to submitted) before judging starts."""
    if nomination.status not in REOPENABLE_STATUSES:
        return Refusal(
            f"只有审查通过、不予通过、退回修改或已逾期未更正的推荐可以撤销审查结论，"
            f"该推荐处于“{_status(nomination)}”状态。",
            "not_reopenable",
        )
    phase = nomination.competition.phase
    if phase not in REVIEW_PHASES:
        return Refusal(
            f"推选活动处于“{Phase(phase).label}”阶段，评审已开始，不能再撤销审查结论。", "review_closed"
        )
    return None
