"""Reminders before the scoring deadline and the end of the 公示, and judging's lines
of the daily summary.

Found and run by ``notifications.services.periodic_run`` (celery beat, or
``manage.py send_reminders``):

- two days and one day before a round's scoring deadline, each judge with
  unsubmitted scorecards in it;
- the day before the 公示 ends, while objections are open, the office (and
  its 企业微信 group).

Each is sent once per recipient, deadline and threshold however often this
runs (the key names the deadline, so a moved deadline reminds again).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from competition.enums import Phase
from competition.models import Round
from nominations.reminders import threshold
from notifications import texts
from notifications.enums import Event
from notifications.selectors import office_users
from notifications.services import deadline_key, notify

from .enums import AssignmentStatus, ObjectionStatus
from .models import Assignment, Objection, Publicity

SCORING_THRESHOLDS = (1, 2)  # days before a round's deadline, smallest first


def _scoring(now: dt.datetime) -> int:
    made = 0
    rounds = Round.objects.filter(competition__phase=Phase.JUDGING, closed_at__isnull=True).select_related(
        "competition"
    )
    for round_ in rounds:
        deadline = round_.effective_deadline
        days = threshold(deadline, now, SCORING_THRESHOLDS)
        if days is None:
            continue
        open_per_judge = (
            Assignment.objects.filter(round=round_, status=AssignmentStatus.OPEN, judge__is_active=True)
            .values("judge_id")
            .annotate(n=Count("id"))
            .order_by("judge_id")
            .values_list("judge_id", "n")
        )
        for judge_id, n in open_per_judge:
            made += len(
                notify(
                    event=Event.SCORING_CLOSING,
                    recipients=[judge_id],
                    obj=round_,
                    key=deadline_key(deadline, days),
                    url=reverse("judging:index"),
                    context={
                        "year": round_.competition.year,
                        "round": round_.name,
                        "deadline": deadline,
                        "remaining": texts.remaining(deadline - now),
                        "open": n,
                    },
                )
            )
    return made


def _publicity(now: dt.datetime) -> int:
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    made = 0
    for publicity in Publicity.objects.filter(competition__phase=Phase.PUBLICITY, ends_on=tomorrow).select_related(
        "competition"
    ):
        competition = publicity.competition
        open_n = Objection.objects.filter(competition=competition, status=ObjectionStatus.OPEN).count()
        if not open_n:
            continue
        made += len(
            notify(
                event=Event.PUBLICITY_ENDING,
                recipients=office_users(),
                obj=publicity,
                key=f"{publicity.ends_on.isoformat()}:1d",
                url=reverse("publicity:detail", args=[competition.pk]),
                context={
                    "year": competition.year,
                    "competition": competition.title,
                    "ends": publicity.ends_on,
                    "open": open_n,
                },
            )
        )
    return made


def remind(*, now: dt.datetime) -> int:
    return _scoring(now) + _publicity(now)


def summary(*, now: dt.datetime) -> list[str]:
    """Lines of the office's daily summary: scoring progress of open rounds, open objections."""
    lines = []
    rounds = Round.objects.filter(competition__phase=Phase.JUDGING, closed_at__isnull=True).select_related(
        "competition"
    )
    for round_ in rounds.order_by("competition__year", "order"):
        totals = Assignment.objects.filter(round=round_).aggregate(
            assigned=Count("id"), submitted=Count("id", filter=Q(status=AssignmentStatus.SUBMITTED))
        )
        if not totals["assigned"]:
            continue
        lines.append(
            f"{round_.competition.year}年度{round_.name}：已提交评分表 {totals['submitted']}/{totals['assigned']} 份，"
            f"评分截止 {texts.when(round_.effective_deadline)}。"
        )
    for publicity in Publicity.objects.filter(competition__phase=Phase.PUBLICITY).select_related("competition"):
        open_n = Objection.objects.filter(competition=publicity.competition, status=ObjectionStatus.OPEN).count()
        lines.append(
            f"{publicity.competition.year}年度公示（至 {texts.display(publicity.ends_on)}）：待处理异议 {open_n} 件。"
        )
    return lines
