"""Factories of the judging app: pledges, conflicts, panels, assignments, scorecards
and scores, ranking snapshots, aggregation jobs, the 公示, awards and objections.

They write rows directly, without the services, to set the scene (the
certificates and the exhibition start from final awards). A test of assigning,
scoring, ranking, publishing or resolving goes through ``judging.services``.

Related rows belong together by default: an assignment's nomination is in a
category of its round's competition, a score's criterion is in its
nomination's category, an award's competition and category are its
nomination's. ``AwardFactory(status=AwardStatus.FINAL)`` is a final award
(``finalized_at`` set); ``REMOVED`` carries a reason, as the database demands.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from judging.enums import AwardStatus, JobStatus, ObjectionStatus, ScorecardStatus
from judging.models import (
    AggregationJob,
    Assignment,
    Award,
    ConflictDeclaration,
    Objection,
    PanelMember,
    Pledge,
    Publicity,
    RankingEntry,
    RankingSnapshot,
    Score,
    Scorecard,
)
from nominations.enums import Status
from tests.factories import (
    CategoryFactory,
    CompetitionFactory,
    CriterionFactory,
    JudgeFactory,
    RoundFactory,
)
from tests.nominations.factories import NominationFactory

__all__ = [
    "AggregationJobFactory",
    "AssignmentFactory",
    "AwardFactory",
    "ConflictDeclarationFactory",
    "ObjectionFactory",
    "PanelMemberFactory",
    "PledgeFactory",
    "PublicityFactory",
    "RankingEntryFactory",
    "RankingSnapshotFactory",
    "ScoreFactory",
    "ScorecardFactory",
]


class PledgeFactory(DjangoModelFactory):
    class Meta:
        model = Pledge

    competition = factory.SubFactory(CompetitionFactory)
    judge = factory.SubFactory(JudgeFactory)


class ConflictDeclarationFactory(DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    judge = factory.SubFactory(JudgeFactory)
    nomination = factory.SubFactory(NominationFactory, status=Status.ACCEPTED)
    reason = "曾在该单位任职"


class PanelMemberFactory(DjangoModelFactory):
    class Meta:
        model = PanelMember

    category = factory.SubFactory(CategoryFactory)
    judge = factory.SubFactory(JudgeFactory)


class AssignmentFactory(DjangoModelFactory):
    """An open assignment; its nomination (accepted) is in a category of the round's competition."""

    class Meta:
        model = Assignment

    round = factory.SubFactory(RoundFactory)
    judge = factory.SubFactory(JudgeFactory)
    nomination = factory.SubFactory(
        NominationFactory,
        status=Status.ACCEPTED,
        category=factory.SubFactory(CategoryFactory, competition=factory.SelfAttribute("...round.competition")),
    )


class ScorecardFactory(DjangoModelFactory):
    """A draft scorecard; ``status=ScorecardStatus.SUBMITTED`` sets ``submitted_at`` too."""

    class Meta:
        model = Scorecard

    assignment = factory.SubFactory(AssignmentFactory)
    status = ScorecardStatus.DRAFT
    comment = "认真评审"
    total = Decimal("0")
    version = 1
    submitted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == ScorecardStatus.SUBMITTED else None
    )


class ScoreFactory(DjangoModelFactory):
    """One criterion's score in half points; the maximum is copied from the criterion."""

    class Meta:
        model = Score

    scorecard = factory.SubFactory(ScorecardFactory)
    criterion = factory.SubFactory(
        CriterionFactory, category=factory.SelfAttribute("..scorecard.assignment.nomination.category")
    )
    half_points = factory.LazyAttribute(lambda o: int(o.criterion.max_points * 2) - 2)
    max_half_points = factory.LazyAttribute(lambda o: int(o.criterion.max_points * 2))


class RankingSnapshotFactory(DjangoModelFactory):
    class Meta:
        model = RankingSnapshot

    round = factory.SubFactory(RoundFactory)
    method = factory.LazyAttribute(lambda o: o.round.method)
    parameters = factory.LazyFunction(dict)
    checksum = factory.LazyFunction(lambda: secrets.token_hex(32))
    official = False
    statistics = factory.LazyFunction(dict)


class RankingEntryFactory(DjangoModelFactory):
    class Meta:
        model = RankingEntry

    snapshot = factory.SubFactory(RankingSnapshotFactory)
    nomination = factory.SubFactory(
        NominationFactory,
        status=Status.ACCEPTED,
        category=factory.SubFactory(
            CategoryFactory, competition=factory.SelfAttribute("...snapshot.round.competition")
        ),
    )
    category = factory.LazyAttribute(lambda o: o.nomination.category)
    score = Decimal("80.00")
    rank = 1
    judges = 5
    details = factory.LazyFunction(lambda: {"tie_break": []})


class AggregationJobFactory(DjangoModelFactory):
    class Meta:
        model = AggregationJob

    round = factory.SubFactory(RoundFactory)
    method = factory.LazyAttribute(lambda o: o.round.method)
    status = JobStatus.QUEUED


class PublicityFactory(DjangoModelFactory):
    """A 公示 that started today and runs ``working_days`` calendar days here (no holiday arithmetic)."""

    class Meta:
        model = Publicity

    competition = factory.SubFactory(CompetitionFactory)
    working_days = 5
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=o.working_days))


class AwardFactory(DjangoModelFactory):
    """A proposed award of an accepted nomination; ``status`` FINAL or REMOVED fills what those need."""

    class Meta:
        model = Award

    nomination = factory.SubFactory(NominationFactory, status=Status.ACCEPTED)
    competition = factory.LazyAttribute(lambda o: o.nomination.competition)
    category = factory.LazyAttribute(lambda o: o.nomination.category)
    final_score = Decimal("90.00")
    final_rank = 1
    status = AwardStatus.PROPOSED
    removed_reason = factory.LazyAttribute(lambda o: "异议成立" if o.status == AwardStatus.REMOVED else "")
    finalized_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == AwardStatus.FINAL else None)


class ObjectionFactory(DjangoModelFactory):
    """An open real-name objection to an accepted nomination; a closed status carries a resolution."""

    class Meta:
        model = Objection

    nomination = factory.SubFactory(NominationFactory, status=Status.ACCEPTED)
    competition = factory.LazyAttribute(lambda o: o.nomination.competition)
    name = "张三"
    phone = "13800001111"
    content = "反映该项目服务时长存在虚报情况"
    status = ObjectionStatus.OPEN
    resolution = factory.LazyAttribute(lambda o: "" if o.status == ObjectionStatus.OPEN else "经核实，已处理。")
    resolved_at = factory.LazyAttribute(lambda o: None if o.status == ObjectionStatus.OPEN else timezone.now())
