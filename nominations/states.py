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

from datetime import datetime

from competition.enums import Phase
from competition.phases import nominations_window_refusal

from .enums import EDITABLE_STATUSES, Status

# Statuses a unit may take a nomination back from (before the office accepts or rejects it).
WITHDRAWABLE_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
# Phases in which the office's 资格审查 is open.
REVIEW_PHASES = (Phase.NOMINATING, Phase.REVIEWING)


class Refusal(str):
    """A reason (the string) with the code of the 409 the services answer."""

    code: str

    def __new__(cls, message: str, code: str) -> Refusal:
        refusal = super().__new__(cls, message)
        refusal.code = code
        return refusal


def _status(nomination) -> str:
    return Status(nomination.status).label


def window_refusal(competition, now: datetime) -> Refusal | None:
    reason = nominations_window_refusal(competition, now)
    return Refusal(reason, "window_closed") if reason else None


def edit_refusal(nomination, now: datetime) -> Refusal | None:
    """A unit edits a draft or a returned nomination while the window is open."""
    if nomination.status not in EDITABLE_STATUSES:
        return Refusal(f"推荐处于“{_status(nomination)}”状态，不能修改。", "not_editable")
    return window_refusal(nomination.competition, now)


def submit_refusal(nomination, now: datetime) -> Refusal | None:
    """A unit submits a draft or a returned nomination while the window is open.

    (Completeness, eligibility and the quota are checked by the service at submission.)
    """
    if nomination.status not in EDITABLE_STATUSES:
        return Refusal(f"推荐处于“{_status(nomination)}”状态，不能提交。", "not_submittable")
    return window_refusal(nomination.competition, now)


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
