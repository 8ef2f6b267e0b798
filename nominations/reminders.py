"""Reminders before the nominations deadline, and the nominations' lines of the daily summary.

Found and run by ``notifications.services.periodic_run`` (celery beat, or
``manage.py send_reminders``). Three days and one day before a competition's
nominations close, the officers of every unit that still has a draft or a
returned nomination, or has submitted nothing, are reminded: once per
recipient, deadline and threshold however often this runs (the key names
the deadline, so a moved deadline reminds again).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse

from competition.enums import Phase
from competition.models import Competition, Unit
from notifications import texts
from notifications.enums import Event
from notifications.selectors import unit_officers
from notifications.services import deadline_key, notify

from .enums import EDITABLE_STATUSES, QUOTA_STATUSES, Status
from .models import Nomination

THRESHOLDS = (1, 3)  # days before the deadline, smallest first


def threshold(deadline: dt.datetime, now: dt.datetime, thresholds=THRESHOLDS) -> int | None:
    """The reminder due now: the smallest threshold (in days) the time left is within, or None."""
    left = deadline - now
    if left <= dt.timedelta(0):
        return None
    for days in thresholds:
        if left <= dt.timedelta(days=days):
            return days
    return None


def _unit_status(drafts: int, returned: int, submitted: int) -> str:
    parts = []
    if drafts:
        parts.append(f"{drafts} 份草稿未提交")
    if returned:
        parts.append(f"{returned} 份退回修改的推荐未重新提交")
    parts.append(f"已提交 {submitted} 份" if submitted else "尚未提交任何推荐")
    return "，".join(parts)


def remind(*, now: dt.datetime) -> int:
    """Remind the units that have work left before each open competition's deadline."""
    made = 0
    for competition in Competition.objects.filter(
        phase=Phase.NOMINATING, nominations_close__gt=now, nominations_close__lte=now + dt.timedelta(days=max(THRESHOLDS))
    ):
        days = threshold(competition.nominations_close, now)
        if days is None:
            continue
        counts = {
            row["unit_id"]: row
            for row in Nomination.objects.filter(competition=competition)
            .values("unit_id")
            .annotate(
                drafts=Count("id", filter=Q(status=Status.DRAFT)),
                returned=Count("id", filter=Q(status=Status.RETURNED)),
                submitted=Count("id", filter=Q(status__in=QUOTA_STATUSES)),
                editable=Count("id", filter=Q(status__in=EDITABLE_STATUSES)),
            )
        }
        key = deadline_key(competition.nominations_close, days)
        for unit in Unit.objects.filter(officers__is_active=True).distinct().order_by("order", "code"):
            row = counts.get(unit.pk, {"drafts": 0, "returned": 0, "submitted": 0, "editable": 0})
            if not row["editable"] and row["submitted"]:
                continue  # everything of this unit is in: nothing to remind
            made += len(
                notify(
                    event=Event.NOMINATIONS_CLOSING,
                    recipients=unit_officers(unit_ids=[unit.pk]),
                    obj=competition,
                    key=key,
                    url=reverse("nominations:index"),
                    context={
                        "year": competition.year,
                        "competition": competition.title,
                        "deadline": competition.nominations_close,
                        "remaining": texts.remaining(competition.nominations_close - now),
                        "unit_status": _unit_status(row["drafts"], row["returned"], row["submitted"]),
                    },
                )
            )
    return made


def summary(*, now: dt.datetime) -> list[str]:
    """Lines of the office's daily summary while units nominate and the office reviews."""
    lines = []
    for competition in Competition.objects.filter(phase__in=[Phase.NOMINATING, Phase.REVIEWING]).order_by("year"):
        by_status = dict(
            Nomination.objects.filter(competition=competition)
            .values("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        parts = [f"{Status(s).label} {by_status[s]}" for s in Status.values if by_status.get(s)]
        lines.append(
            f"{competition.year}年度推荐（{Phase(competition.phase).label}，"
            f"申报截止 {texts.when(competition.nominations_close)}）：{'，'.join(parts) or '暂无推荐'}。"
        )
    return lines
