"""Fixtures of the exhibition tests: a competition whose results are final, with
winners (and non-winners) whose nominations carry private material that must
never reach the public, and helpers to build more.

The road to ``final`` (scoring, 公示, objections) is tested by the judging
app; here the rows are written directly: nominations ``accepted``, awards
``final``, the competition's phase set to ``final``.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from competition.enums import Phase
from competition.models import Competition, Unit
from judging.enums import AwardStatus
from judging.models import Award
from nominations.enums import Status
from nominations.models import Attachment, Nomination
from tests.judging.conftest import judging_competition
from tests.judging.factories import AwardFactory
from tests.nominations.factories import AttachmentFactory, NominationFactory

# Material of a nomination that must never leave through the public interface.
SECRETS = {
    "contact_name": "联系人甲乙丙",
    "contact_phone": "13912345678",
    "leader": "负责人丁戊己",
    "summary": "内部概述材料XYZ",
    "innovation": "内部创新点材料",
    "social_benefit": "内部社会效益材料",
    "sustainability": "内部可持续性材料",
    "honors": "内部获奖情况材料",
    "service_targets": "内部服务对象",
    "service_area": "内部服务地域",
    "registration": "内部登记备案情况",
    "system_building": "内部制度建设材料",
    "review_reason": "",
}
SECRET_SCORE = Decimal("87.65")

_seq = itertools.count(1)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def photo_bytes(size=(1600, 1200), color=(180, 40, 40), exif_gps: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, color)
    buf = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretCameraMaker"  # Make
        exif[0x8825] = {1: "N", 2: (37.0, 52.0, 0.0)}  # GPSInfo
        image.save(buf, "JPEG", quality=85, exif=exif)
    else:
        image.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def add_photo(
    nomination: Nomination, *, caption: str, order: int = 0, content: bytes | None = None, size=(640, 480)
) -> Attachment:
    n = next(_seq)  # every photo different: renditions are named by their content
    content = content or photo_bytes(size=size, color=(40 + (n * 37) % 200, 90 + (n * 11) % 150, 160))
    return AttachmentFactory(
        nomination=nomination,
        content=content,
        original_name="现场.jpg",
        content_type="image/jpeg",
        width=1600,
        height=1200,
        caption=caption,
        order=order,
    )


def nominee(
    competition: Competition,
    category,
    unit: Unit,
    *,
    title: str | None = None,
    organization: str = "某志愿服务队",
    field: str = "为老服务",
    photos: int = 1,
    photo_size=(640, 480),
    status: str = Status.ACCEPTED,
) -> Nomination:
    """A nomination with every field filled (the private ones with ``SECRETS``)."""
    n = next(_seq)
    nomination = NominationFactory(
        competition=competition,
        category=category,
        unit=unit,
        status=status,
        title=title or f"{unit.short_name}志愿服务项目{n}",
        organization=organization,
        introduction=f"{unit.short_name}常态化开展志愿服务的简介{n}。",
        media_links=["https://example.org/secret-report"],
        field=field if category.kind == "project" else "",
        started_on=dt.date(2015, 3, 5),
        founded_on=dt.date(2012, 5, 4) if category.kind == "organization" else None,
        volunteers=320,
        active_volunteers=260,
        service_hours=38000,
        activities=1460,
        beneficiaries=52000,
        brand_projects=["银龄陪伴", "周末课堂"] if category.kind == "organization" else [],
        pledge=True,
        **SECRETS,
    )
    for i in range(photos):
        add_photo(nomination, caption=f"{nomination.title}活动现场{i + 1}", order=i, size=photo_size)
    return nomination


def award(nomination: Nomination, *, status: str = AwardStatus.FINAL, rank: int = 1) -> Award:
    return AwardFactory(nomination=nomination, final_score=SECRET_SCORE, final_rank=rank, status=status)


def winner(competition, category, unit, **kwargs) -> Nomination:
    nomination = nominee(competition, category, unit, **kwargs)
    award(nomination)
    return nomination


def person_category(competition: Competition):
    from competition.models import Category

    return Category.objects.get_or_create(
        competition=competition,
        code="ZYZ",
        defaults={"name": "最美志愿者", "kind": "person", "order": 3, "award_quota": 5, "nomination_quota_per_unit": 2},
    )[0]


def make_final(competition: Competition) -> Competition:
    Competition.objects.filter(pk=competition.pk).update(phase=Phase.FINAL)
    competition.refresh_from_db()
    return competition


@pytest.fixture(autouse=True)
def _fresh_exhibition_memo():
    """Each test starts without the process memo of the exhibition (stamp, lookups, bodies)."""
    from exhibition import caching

    caching.forget_all()
    yield
    caching.forget_all()


@pytest.fixture
def competition(office):
    """2031's competition, its judging over (phase set to judging)."""
    return judging_competition(office, year=2031)


@pytest.fixture
def xm(competition):
    return competition.categories.get(code="XM")


@pytest.fixture
def zz(competition):
    return competition.categories.get(code="ZZ")


@pytest.fixture
def year(competition, xm, zz, units):
    """The year's nominees: two project winners, one organisation winner, and
    non-winners: a project without award, a proposed one, a removed one, and a
    winner of a person category (shown in the 最美志愿者 hall since issue 16). The phase is ``final``."""
    data = {
        "project_a": winner(competition, xm, units[0], title="银龄陪伴助老服务", photos=2, photo_size=(1600, 1200)),
        "project_b": winner(competition, xm, units[1], title="汾河岸线护水行动", field="节水护水"),
        "organization": winner(competition, zz, units[2], title="杏花岭区青年志愿者协会", photos=1),
        "no_award": nominee(competition, xm, units[3], title="未获奖的项目甲"),
        "proposed": nominee(competition, xm, units[4], title="仅拟表彰的项目乙"),
        "removed": nominee(competition, xm, units[5], title="已撤销表彰的项目丙"),
        "person": nominee(competition, person_category(competition), units[0], title="最美志愿者丁", photos=0),
    }
    award(data["proposed"], status=AwardStatus.PROPOSED, rank=3)
    award(data["removed"], status=AwardStatus.REMOVED, rank=2)
    award(data["person"])
    data["competition"] = make_final(competition)
    return data


@pytest.fixture
def published(office, year):
    from exhibition import services

    services.exhibition_publish(actor=office, competition=year["competition"])
    return year


def exhibit_of(nomination: Nomination):
    from exhibition.models import Exhibit

    return Exhibit.objects.get(nomination=nomination)
