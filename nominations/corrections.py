"""Correction during 资格审查: the 补正截止 of a returned nomination, lapsing, reopening.

When the office returns a nomination (退回修改) it sets ``correct_by``: by
default five working days after today on the competition's own calendar
(``competition.workdays``). Until the end of that day the unit may edit and
resubmit the nomination even though the nominations window has closed
(``states.edit_refusal`` / ``submit_refusal``). The step from 资格审查 to
评审 is refused while a correction period is open (``correction_guard``);
once it has passed the nomination is marked 已逾期未更正 (``Status.LAPSED``,
audited, the unit told), by the periodic task and by the step to judging
itself (``lapse_before_judging``) so that none silently drops out. The office
may take a decision back (``nomination_reopen``) before judging starts.

This module never imports ``services`` (``services`` imports it).
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from competition.audit import audit_record
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Competition, Unit, User
from competition.rules import is_office, require
from competition.workdays import competition_working_days_after
from notifications.enums import Event
from notifications.selectors import unit_officers
from notifications.services import notify

from . import states
from .enums import CORRECTION_WORKING_DAYS, QUOTA_STATUSES, Status
from .models import Nomination
from .rules import can_review_nomination


def default_correct_by(competition: Competition, *, today: dt.date | None = None) -> dt.date:
    """Five working days after today, by the competition's calendar (holidays, 调休)."""
    today = today or timezone.localdate()
    return competition_working_days_after(competition, today, CORRECTION_WORKING_DAYS)


def clean_correct_by(value: dt.date | None, competition: Competition, *, now: datetime) -> dt.date:
    """The 补正截止 of a return: the given date (not before today) or the default."""
    today = timezone.localdate(now)
    if value is None:
        return default_correct_by(competition, today=today)
    if value < today:
        raise ValidationFailed(
            fields={"correct_by": [f"补正截止：不能早于今天（{today:%Y-%m-%d}）。"]}
        )
    return value


def correction_deadline(day: dt.date) -> datetime:
    """The moment a correction period ends: the end of its last day, local time."""
    end = dt.datetime.combine(day, dt.time(23, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def _lock(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("competition", "category", "unit")
        .get(pk=nomination.pk)
    )


def _refuse(refusal: states.Refusal | None) -> None:
    if refusal:
        raise Conflict(str(refusal), code=refusal.code)


# --------------------------------------------------------------------------- lapsing


@transaction.atomic
def nomination_lapse(*, nomination: Nomination, actor: User | None = None, now=None) -> Nomination | None:
    """Mark a returned nomination whose correction period has passed as 已逾期未更正.

    A system job (``actor=None``) or the office. Idempotent: a nomination not
    (or no longer) due is left as it is and None returned.
    """
    require(is_office, actor, nomination, message="只有组委会办公室可以处理逾期的推荐。", system=True)
    now = now or timezone.now()
    nomination = _lock(nomination)
    if not states.lapse_due(nomination, now):
        return None
    deadline = nomination.correct_by
    nomination.status = Status.LAPSED
    nomination.version += 1
    nomination.save(update_fields=["status", "version", "updated_at"])
    when = f"补正截止 {deadline:%Y-%m-%d}" if deadline else "申报截止"
    audit_record(
        actor=actor,
        action="nomination.lapse",
        obj=nomination,
        before={"status": Status.RETURNED},
        after={"status": Status.LAPSED, "correct_by": deadline},
        reason=f"退回修改后未在{when}前重新提交。",
    )
    notify(
        event=Event.NOMINATION_LAPSED,
        recipients=unit_officers(unit_ids=[nomination.unit_id]),
        obj=nomination,
        key=f"v{nomination.version}",
        url=reverse("nominations:detail", args=[nomination.pk]),
        context={
            "year": nomination.competition.year,
            "category": nomination.category.name,
            "nomination": str(nomination),
            "deadline": correction_deadline(deadline) if deadline else nomination.competition.nominations_close,
        },
    )
    return nomination


def nominations_lapse_due(
    *, competition: Competition | None = None, actor: User | None = None, now=None
) -> list[Nomination]:
    """Lapse every returned nomination whose correction period has passed (each in its own transaction)."""
    now = now or timezone.now()
    candidates = Nomination.objects.filter(status=Status.RETURNED, competition__phase__in=states.REVIEW_PHASES)
    if competition is not None:
        candidates = candidates.filter(competition=competition)
    lapsed = []
    for nomination in candidates.select_related("competition").order_by("pk"):
        if states.lapse_due(nomination, now):
            done = nomination_lapse(nomination=nomination, actor=actor, now=now)
            if done is not None:
                lapsed.append(done)
    return lapsed


def lapse_before_judging(competition: Competition, *, actor: User | None, now: datetime) -> None:
    """The step from 资格审查 to 评审 first lapses the overdue returned nominations."""
    nominations_lapse_due(competition=competition, actor=actor, now=now)


def correction_guard(competition: Competition, now: datetime) -> str | None:
    """Refuse the step to judging while a returned nomination's correction period is open
    (or while one is overdue and not yet marked lapsed: none drops out silently)."""
    returned = list(
        competition.nominations.filter(status=Status.RETURNED)
        .select_related("competition")
        .order_by("correct_by", "pk")
    )
    open_ = [n for n in returned if states.correction_open(n, now)]
    if open_:
        names = "、".join(f"“{n}”（补正截止 {n.correct_by:%Y-%m-%d}）" for n in open_)
        return f"以下退回修改的推荐仍在补正期内，补正截止前不能开始评审：{names}。"
    if returned:
        names = "、".join(f"“{n}”" for n in returned)
        return f"以下退回修改的推荐补正期已过，但尚未标记为“已逾期未更正”，请稍后重试：{names}。"
    return None


# --------------------------------------------------------------------------- reopening


@transaction.atomic
def nomination_reopen(*, actor: User, nomination: Nomination, reason: str, now=None) -> Nomination:
    """The office takes its review decision back (to 已提交) with a reason, before judging starts."""
    require(can_review_nomination, actor, nomination, message="只有组委会办公室可以撤销审查结论。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["理由：撤销审查结论必须写明理由。"]})
    now = now or timezone.now()
    # The unit's submissions are serialised on the unit (as at submission): the quota check holds.
    Unit.objects.select_for_update().get(pk=nomination.unit_id)
    nomination = _lock(nomination)
    _refuse(states.reopen_refusal(nomination, now))
    before = {"status": nomination.status, "correct_by": nomination.correct_by}
    if nomination.status not in QUOTA_STATUSES:
        category = nomination.category
        live = Nomination.objects.filter(
            category=category, unit_id=nomination.unit_id, status__in=QUOTA_STATUSES
        ).exclude(pk=nomination.pk)
        if live.count() >= category.nomination_quota_per_unit:
            raise Conflict(
                f"推荐单位“{nomination.unit.name}”的“{category.name}”推荐名额"
                f"（{category.nomination_quota_per_unit} 个）已被其他推荐占满，不能撤销审查结论。",
                code="quota_exceeded",
            )
        if nomination.order is None or live.filter(order=nomination.order).exists():
            raise Conflict(
                f"推荐排序 {nomination.order or '（空）'} 已被该单位的另一项推荐占用，不能撤销审查结论。",
                code="order_taken",
            )
    nomination.status = Status.SUBMITTED
    nomination.correct_by = None
    nomination.review_reason = ""
    nomination.reviewed_at = None
    nomination.reviewed_by = None
    nomination.version += 1
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError as exc:
        raise Conflict("推荐排序已被占用或名额已满，不能撤销审查结论。", code="quota_exceeded") from exc
    audit_record(
        actor=actor,
        action="nomination.review.reopen",
        obj=nomination,
        before=before,
        after={"status": nomination.status, "correct_by": None},
        reason=reason,
    )
    return nomination
