"""Fixtures of the nominations tests: a competition whose window is open now,
accounts of every role, and nominations in useful states.

Files are made in memory by ``tests.nominations.files``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Competition
from nominations.enums import Status
from nominations.models import Nomination
from tests.factories import STRONG_PASSWORD

RUBRIC = [("项目设计", 15), ("组织管理", 15), ("执行情况", 20), ("社会效益", 25), ("创新性", 15), ("可持续性", 10)]

PROJECT = {
    "title": "举手之劳·为树木松绑拔刺",
    "organization": "太原市城市综合管理服务指挥中心",
    "field": "环境保护",
    "service_targets": "城市树木与市民",
    "service_area": "太原市六城区",
    "started_on": dt.date(2016, 3, 5),
    "volunteers": 758,
    "active_volunteers": 700,
    "service_hours": 104100,
    "activities": 3412,
    "beneficiaries": 1000000,
    "leader": "项目负责人",
    "contact_name": "联系人",
    "contact_phone": "13800000000",
    "summary": "为树木松绑拔刺，清除城市牛皮癣。",
    "introduction": "市民志愿者为行道树解除铁丝、钉子等束缚。",
    "innovation": "随手可做",
    "social_benefit": "六年处理树木问题近五万处",
    "sustainability": "常态化开展",
    "honors": "2019年12月获评最佳志愿服务组织",
    "media_links": ["https://example.org/report"],
    "pledge": True,
    "order": 1,
}


def competition_payload(year: int, *, opens: dt.datetime, closes: dt.datetime) -> dict:
    return {
        "year": year,
        "title": f"{year}年度太原市学雷锋志愿服务先进典型推选",
        "nominations_open": opens,
        "nominations_close": closes,
        "judging_close": closes + dt.timedelta(days=20),
        "issuers": [{"name": "太原市精神文明建设委员会办公室"}],
        "categories": [
            {
                "code": "XM",
                "name": "最佳志愿服务项目",
                "kind": "project",
                "award_quota": 3,
                "nomination_quota_per_unit": 2,
                "min_years_running": 3,
                "min_volunteers": 20,
                "exclude_past_winners": True,
                "hard_rules": ["past_winner"],
                "criteria": [{"name": n, "max_points": p, "weight": 1} for n, p in RUBRIC],
                "tie_break": ["社会效益"],
            },
            {
                "code": "ZZ",
                "name": "最佳志愿服务组织",
                "kind": "organization",
                "award_quota": 2,
                "nomination_quota_per_unit": 1,
                "min_years_running": 3,
                "min_volunteers": 20,
                "criteria": [{"name": n, "max_points": p, "weight": 1} for n, p in RUBRIC],
            },
        ],
        "rounds": [
            {"name": "初评", "method": "trimmed_mean", "judges_per_nomination": 5, "weight": 1}
        ],
    }


@pytest.fixture
def second_officer(unit):
    """Another officer of the same unit."""
    return competition_services.user_create(
        actor=None, username="unit-140105-b", password=STRONG_PASSWORD, role=Role.OFFICER, unit=unit
    )


@pytest.fixture
def other_officer(other_unit):
    return competition_services.user_create(
        actor=None, username="unit-140106", password=STRONG_PASSWORD, role=Role.OFFICER, unit=other_unit
    )


@pytest.fixture
def judge(db):
    return competition_services.user_create(
        actor=None, username="judge01", password=STRONG_PASSWORD, role=Role.JUDGE
    )


@pytest.fixture
def competition(office) -> Competition:
    """A competition in the nominating phase whose window is open now (closes in 10 days)."""
    now = timezone.now()
    competition = competition_services.competition_create(
        actor=office,
        data=competition_payload(
            2030, opens=now - dt.timedelta(days=1), closes=now + dt.timedelta(days=10)
        ),
    )
    return competition_services.competition_advance(
        actor=office, competition=competition, to=Phase.NOMINATING
    )


@pytest.fixture
def project_category(competition):
    return competition.categories.get(code="XM")


@pytest.fixture
def organization_category(competition):
    return competition.categories.get(code="ZZ")


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def make_nomination(officer, competition, category, **fields) -> Nomination:
    from nominations import services

    data = {**PROJECT, **fields}
    return services.nomination_create(
        actor=officer, competition=competition, category=category, data=data
    )


def attach_required(nomination: Nomination) -> None:
    """Attach a stamped form and a photo directly (the attachment service is tested on its own)."""
    from tests.nominations.factories import AttachmentFactory

    AttachmentFactory(nomination=nomination, stamped_form=True, original_name="form.pdf")
    AttachmentFactory(nomination=nomination, original_name="photo.png")


@pytest.fixture
def draft(officer, competition, project_category) -> Nomination:
    return make_nomination(officer, competition, project_category)


@pytest.fixture
def complete_draft(draft) -> Nomination:
    attach_required(draft)
    return draft


@pytest.fixture
def submitted(officer, complete_draft) -> Nomination:
    from nominations import services

    return services.nomination_submit(actor=officer, nomination=complete_draft)


__all__ = ["Status"]
