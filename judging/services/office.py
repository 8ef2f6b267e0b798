"""The office's steps of the 公示 that the results services lacked.

- ``publicity_preview``: what publishing the 公示 now would publish (the
  period, the notice, the proposed winners), written nowhere;
- ``objection_enter``: an objection received by letter, phone or visit,
  entered by the office with its channel and the day it was received;
- ``objection_uphold_preview``: who leaves the list and who enters it if an
  objection is upheld, before the office confirms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from competition.audit import audit_record
from competition.enums import Phase
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Competition, User
from competition.rules import can_read_all, is_office, require
from nominations.models import Nomination

from .. import aggregation
from ..enums import OFFLINE_CHANNELS, AwardStatus, ObjectionChannel, ObjectionStatus
from ..models import Award, Objection, Publicity
from ..notice import Notice
from .results import (
    next_ranked_entry,
    objection_fields,
    on_publicity_list,
    proposed_awards,
    publicity_refusal,
    publicity_terms,
)

__all__ = [
    "PublicityPreview",
    "UpholdPreview",
    "objection_enter",
    "objection_uphold_preview",
    "publicity_preview",
]


@dataclass(frozen=True)
class PublicityPreview:
    competition: Competition
    working_days: int
    starts_on: dt.date
    ends_on: dt.date
    notice: Notice
    awards: list[Award]  # unsaved, with their nomination, unit and category loaded
    refusal: str | None  # why publishing would be refused now


def publicity_preview(
    *, actor: User, competition: Competition, working_days: int | None = None, notice: dict | None = None,
    now: datetime | None = None,
) -> PublicityPreview:
    """What ``publicity_publish`` with the same arguments would publish, without writing anything.

    Bad notice fields or working days raise ``ValidationFailed`` exactly as publishing does.
    """
    require(is_office, actor)
    now = now or timezone.now()
    days, text, starts, ends = publicity_terms(competition, working_days, notice, now)
    refusal = publicity_refusal(competition, now)
    awards = [] if refusal else proposed_awards(competition)
    nominations = Nomination.objects.select_related("unit", "category").in_bulk([a.nomination_id for a in awards])
    for award in awards:
        award.nomination = nominations[award.nomination_id]
        award.category = award.nomination.category
    awards.sort(key=lambda a: (a.category.order, a.category_id, a.final_rank, a.nomination_id))
    return PublicityPreview(
        competition=competition,
        working_days=days,
        starts_on=starts,
        ends_on=ends,
        notice=text,
        awards=awards,
        refusal=refusal,
    )


@transaction.atomic
def objection_enter(
    *,
    actor: User,
    competition: Competition,
    nomination: Nomination | None,
    channel: str,
    name: str,
    phone: str,
    content: str,
    received_on: dt.date | None = None,
    now: datetime | None = None,
) -> Objection:
    """The office enters an objection it received by letter, phone or visit during the 公示.

    The person's name and mobile number are required as on the public form;
    the day it was received must fall within the 公示 period and not after
    today (late objections are not accepted). Entered after the period's end
    is fine while the results are not final: a letter posted in time arrives late.
    """
    require(is_office, actor, message="只有组委会办公室可以登记异议。")
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    name, phone, content, errors = objection_fields(name=name, phone=phone, content=content)
    if channel not in OFFLINE_CHANNELS:
        errors["channel"] = ["提出方式：请选择来信、来电或来访。"]
    received_on = received_on or today
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    publicity = Publicity.objects.filter(competition=competition).first()
    if competition.phase != Phase.PUBLICITY or publicity is None:
        raise Conflict("当前不在公示阶段，不能登记异议。", code="wrong_phase")
    if received_on > today:
        errors["received_on"] = ["收到日期：不能晚于今天。"]
    elif not (opens := min(timezone.localtime(publicity.published_at).date(), publicity.starts_on)) <= received_on <= publicity.ends_on:
        # Objections are accepted from the day the 公示 is published, as on the public form
        # (never later than its first working day, for a 公示 recorded with a past date).
        errors["received_on"] = [
            f"收到日期：应在公示发布（{opens:%Y年%-m月%-d日}）至公示结束（{publicity.ends_on:%Y年%-m月%-d日}）之间；"
            "公示期外收到的异议不予受理。"
        ]
    if not on_publicity_list(competition, nomination):
        errors["nomination"] = ["异议对象：请选择公示名单中的对象。"]
    if errors:
        raise ValidationFailed(fields=errors)
    objection = Objection.objects.create(
        competition=competition,
        nomination=nomination,
        name=name,
        phone=phone,
        content=content,
        channel=channel,
        received_on=received_on,
        entered_by=actor,
    )
    audit_record(
        actor=actor,
        action="objection.enter",
        obj=objection,
        after={"nomination": nomination.pk, "channel": channel, "received_on": received_on},
    )
    return objection


@dataclass(frozen=True)
class UpholdPreview:
    """If the objection is upheld: the award that leaves the list and the finalist who enters it."""

    leaving: Award | None
    entering: aggregation.FinalEntry | None
    entering_nomination: Nomination | None


def objection_uphold_preview(*, actor: User, objection: Objection) -> UpholdPreview:
    """What ``objection_resolve(decision="upheld")`` would change now; writes nothing."""
    require(can_read_all, actor)
    leaving = (
        Award.objects.select_related("nomination", "nomination__unit", "category")
        .filter(
            competition_id=objection.competition_id,
            nomination_id=objection.nomination_id,
            status=AwardStatus.PROPOSED,
        )
        .first()
    )
    entering = None
    nomination = None
    if leaving is not None and objection.status == ObjectionStatus.OPEN:
        entering = next_ranked_entry(leaving.competition, leaving.category_id)
        if entering is not None:
            nomination = Nomination.objects.select_related("unit").get(pk=entering.nomination)
    return UpholdPreview(leaving=leaving, entering=entering, entering_nomination=nomination)


CHANNEL_LABELS = dict(ObjectionChannel.choices)
