"""Reads of the results the office works with after judging.

- ``award_rows``: the list per category as it stands, each row marked with
  its change since the 公示 (removed on an upheld objection, or entered as
  the next ranked), for the finalise page and the 表彰名单;
- ``objection_list``: the objections of a competition, filtered;
- ``statistics``: per recommending unit and per category, nominations
  submitted, accepted, returned, rejected and winners, and the volunteers,
  service hours and activities of the accepted ones.

A constant number of queries each, whatever the number of rows.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from competition.enums import Phase
from competition.models import AuditEntry, Category, Competition, Unit
from nominations.enums import Status
from nominations.models import Nomination

from .enums import AwardStatus, ObjectionChannel, ObjectionStatus
from .models import Award, Objection, Publicity

CHANGE_ENTERED = "entered"
CHANGE_REMOVED = "removed"


@dataclass
class AwardRow:
    award: Award
    change: str | None  # CHANGE_ENTERED, CHANGE_REMOVED or None

    @property
    def nomination(self) -> Nomination:
        return self.award.nomination

    @property
    def change_label(self) -> str:
        return {CHANGE_ENTERED: "递补进入", CHANGE_REMOVED: "异议成立，已移出"}.get(self.change or "", "")


@dataclass
class CategoryBlock:
    category: Category
    rows: list[AwardRow] = field(default_factory=list)

    @property
    def on_list(self) -> list[AwardRow]:
        return [r for r in self.rows if r.award.status != AwardStatus.REMOVED]

    @property
    def changes(self) -> int:
        return sum(1 for r in self.rows if r.change)


def award_rows(*, competition: Competition, final_only: bool = False) -> list[CategoryBlock]:
    """Every award of the competition per category (in the categories' order, then by final rank)."""
    publicity = Publicity.objects.filter(competition=competition).first()
    awards = (
        Award.objects.filter(competition=competition)
        .select_related("nomination", "nomination__unit", "category")
        .order_by("category__order", "category_id", "final_rank", "nomination_id")
    )
    if final_only:
        awards = awards.filter(status=AwardStatus.FINAL)
    blocks: OrderedDict[int, CategoryBlock] = OrderedDict()
    for award in awards:
        if award.status == AwardStatus.REMOVED:
            change = CHANGE_REMOVED
        elif publicity is not None and award.created_at > publicity.published_at:
            change = CHANGE_ENTERED
        else:
            change = None
        blocks.setdefault(award.category_id, CategoryBlock(category=award.category)).rows.append(
            AwardRow(award=award, change=change)
        )
    return list(blocks.values())


def objection_list(
    *, competition: Competition, status: str = "", nomination: int | None = None, channel: str = ""
) -> QuerySet[Objection]:
    qs = Objection.objects.filter(competition=competition).select_related(
        "nomination", "nomination__unit", "nomination__category", "resolved_by", "entered_by"
    )
    if status in ObjectionStatus.values:
        qs = qs.filter(status=status)
    if nomination:
        qs = qs.filter(nomination_id=nomination)
    if channel in ObjectionChannel.values:
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-id")


def objection_counts(*, competition: Competition) -> dict[str, int]:
    counts = dict(
        Objection.objects.filter(competition=competition).values_list("status").annotate(n=Count("id"))
    )
    return {status: counts.get(status, 0) for status in ObjectionStatus.values}


# --------------------------------------------------------------------------- statistics

COUNT_KEYS = ("submitted", "accepted", "returned", "rejected", "winners")
SUM_KEYS = ("volunteers", "service_hours", "activities")
STAT_LABELS = {
    "submitted": "已提交推荐",
    "accepted": "审查通过",
    "returned": "曾退回修改",
    "rejected": "不予通过",
    "winners": "获评",
    "volunteers": "志愿者人数",
    "service_hours": "服务时长（小时）",
    "activities": "活动次数",
}


@dataclass
class StatRow:
    key: int
    name: str
    values: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> int:
        return self.values.get(key, 0)


@dataclass
class Statistics:
    competition: Competition
    winners_label: str
    units: list[StatRow]
    categories: list[StatRow]
    totals: dict[str, int]


def statistics(*, competition: Competition) -> Statistics:
    """Per unit and per category: the counts of the nominations and the sums of the accepted ones.

    *Submitted*: every nomination sent to the office and not withdrawn
    (whatever became of it); *returned*: those ever returned for correction
    (from the audit trail, so a returned nomination accepted later counts
    too); *winners*: final awards once the results are final, the proposed
    ones (拟表彰) during the 公示.
    """
    final = competition.phase in (Phase.FINAL, Phase.ARCHIVED)
    winner_status = AwardStatus.FINAL if final else AwardStatus.PROPOSED
    nominations = Nomination.objects.filter(competition=competition).exclude(
        status__in=[Status.DRAFT, Status.WITHDRAWN]
    )
    aggregates = {
        "submitted": Count("id", distinct=True),
        "accepted": Count("id", filter=Q(status=Status.ACCEPTED), distinct=True),
        "rejected": Count("id", filter=Q(status=Status.REJECTED), distinct=True),
        "winners": Count("id", filter=Q(award__status=winner_status), distinct=True),
        "volunteers": Sum("volunteers", filter=Q(status=Status.ACCEPTED)),
        "service_hours": Sum("service_hours", filter=Q(status=Status.ACCEPTED)),
        "activities": Sum("activities", filter=Q(status=Status.ACCEPTED)),
    }
    ids = [str(pk) for pk in nominations.values_list("pk", flat=True)]
    ever_returned = {
        int(pk)
        for pk in AuditEntry.objects.filter(
            action="nomination.review.return", object_type="nominations.nomination", object_id__in=ids
        ).values_list("object_id", flat=True)
    }
    empty = dict.fromkeys((*COUNT_KEYS, *SUM_KEYS), 0)

    def rows(group: str) -> dict[int, dict]:
        out = {}
        for row in nominations.values(group).annotate(**aggregates).order_by():
            out[row[group]] = {**empty, **{key: row[key] or 0 for key in aggregates}}
        for group_id in nominations.filter(pk__in=ever_returned).values_list(group, flat=True):
            out.setdefault(group_id, dict(empty))["returned"] += 1
        return out

    by_unit = rows("unit_id")
    by_category = rows("category_id")
    units = [
        StatRow(key=u.pk, name=u.name, values=by_unit[u.pk])
        for u in Unit.objects.filter(pk__in=list(by_unit)).order_by("order", "id")
    ]
    categories = [
        StatRow(key=c.pk, name=c.name, values=by_category.get(c.pk, dict(empty)))
        for c in competition.categories.order_by("order", "id")
    ]
    totals = {key: sum(r.get(key) for r in categories) for key in (*COUNT_KEYS, *SUM_KEYS)}
    return Statistics(
        competition=competition,
        winners_label="获评" if final else "拟表彰",
        units=units,
        categories=categories,
        totals=totals,
    )
