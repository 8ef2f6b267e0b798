"""Fixtures of the judging tests: a competition in the judging phase with
accepted nominations, judges with profiles, and helpers to build more."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Competition, Unit
from judging import services as judging_services
from judging.models import Assignment
from nominations.enums import Status
from nominations.models import Nomination
from tests.factories import STRONG_PASSWORD
from tests.nominations.conftest import competition_payload
from tests.nominations.factories import NominationFactory, next_order

_seq = itertools.count(1)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def make_judge(*, unit: Unit | None = None, organizations=(), username: str | None = None):
    username = username or f"judge{next(_seq):03d}"
    user = competition_services.user_create(
        actor=None, username=username, password=STRONG_PASSWORD, role=Role.JUDGE, display_name=username
    )
    competition_services.judge_profile_set(
        actor=None, user=user, name=username, unit=unit, organizations=list(organizations)
    )
    return user


def judging_competition(office, *, year=2031, judges_per_nomination=3, rounds=None) -> Competition:
    """A competition already in the judging phase (window closed yesterday, judging open 20 days)."""
    now = timezone.now()
    payload = competition_payload(year, opens=now - dt.timedelta(days=30), closes=now - dt.timedelta(days=1))
    payload["judging_close"] = now + dt.timedelta(days=20)
    payload["rounds"] = rounds or [
        {
            "name": "初评",
            "method": "trimmed_mean",
            "judges_per_nomination": judges_per_nomination,
            "weight": 1,
            "blind": True,
            "comment_required": False,
        }
    ]
    competition = competition_services.competition_create(actor=office, data=payload)
    # Straight to judging: the phase machine is tested in the competition tests.
    Competition.objects.filter(pk=competition.pk).update(phase=Phase.JUDGING)
    competition.refresh_from_db()
    return competition


def accepted(competition, category, unit, *, title=None, organization="某志愿服务队", n=1) -> list[Nomination]:
    """Accepted nominations written directly (the nominations app tests the road there)."""
    rows = []
    for _ in range(n):
        order = next_order(category, unit)
        rows.append(
            NominationFactory(
                competition=competition,
                category=category,
                unit=unit,
                order=order,
                status=Status.ACCEPTED,
                title=title or f"{unit.short_name}项目{order}",
                organization=organization,
            )
        )
    return rows


def score_all(round_, points_for):
    """Every assigned judge pledges, scores ``points_for(judge, nomination, criterion)`` and submits."""
    for a in Assignment.objects.filter(round=round_).select_related("judge", "nomination", "nomination__category"):
        judging_services.pledge_accept(judge=a.judge, competition=round_.competition)
        scores = {c.pk: points_for(a.judge, a.nomination, c) for c in a.nomination.category.criteria.all()}
        judging_services.scorecard_save(judge=a.judge, assignment=a, scores=scores, comment="认真评审", version=0)
        judging_services.scorecard_submit(judge=a.judge, assignment=a)


@pytest.fixture
def competition(office):
    return judging_competition(office)


@pytest.fixture
def category(competition):
    return competition.categories.get(code="XM")


@pytest.fixture
def round1(competition):
    return competition.rounds.get(order=1)


@pytest.fixture
def nominations(competition, category, units):
    """Six accepted projects from three units (小店区, 迎泽区, 杏花岭区)."""
    out = []
    for unit in units[:3]:
        out += accepted(competition, category, unit, n=2)
    return out


@pytest.fixture
def judges(units):
    """Five judges: judge A of 小店区 (the first unit), the rest without a unit."""
    return [make_judge(unit=units[0], username="judgeA")] + [make_judge(username=f"judge{c}") for c in "BCDE"]
