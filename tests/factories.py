"""Factories of the foundation, shared by every app's tests.

- ``UnitFactory``; the 24 Taiyuan units already exist (data migration), so
  most tests take one of those with ``taiyuan_unit("140105")``.
- ``UserFactory`` and one per role: ``OfficeFactory``, ``OfficerFactory``
  (with a unit), ``JudgeFactory`` (with a ``JudgeProfile``), ``ObserverFactory``.
  Every account's password is ``PASSWORD``.
- ``CompetitionFactory`` builds the competition row only; ``competition_factory``
  builds a whole valid competition: categories whose rubric totals 100, two
  rounds whose weights sum to 1, two issuers, in any phase.
- ``competition_payload`` is the JSON body of ``POST /api/v1/competitions/``
  for a valid competition (rubric 100, weights 1).
- ``api_client(user)`` is a DRF client carrying a real token of ``user``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone
from factory.django import DjangoModelFactory, Password
from rest_framework.test import APIClient

from competition.enums import AggregationMethod, CategoryKind, Phase, Role, UnitKind
from competition.models import (
    ApiToken,
    Category,
    Competition,
    Criterion,
    Issuer,
    JudgeProfile,
    Round,
    Unit,
    User,
)

PASSWORD = "correct horse battery"
# The password of accounts made through services.user_create (which applies
# the password validators: length, common, numeric, similarity).
STRONG_PASSWORD = "Xlf-test-pass-2026"

# The default rubric of docs/domain.md: (name, max points, guidance); totals 100.
DEFAULT_RUBRIC = [
    ("项目设计", 15, "需求真实，服务对象明确，目标清晰"),
    ("组织管理", 15, "骨干团队，招募、培训、记录、激励，经费公开"),
    ("执行情况", 20, "运行年限、活动频次、服务时长"),
    ("社会效益", 25, "覆盖面与受益人数，社会影响"),
    ("创新性", 15, "服务方式有创新"),
    ("可持续性/可推广性", 10, "能否长期坚持，能否被复制推广"),
]
# (code, name, kind, award quota, nomination quota per unit)
DEFAULT_CATEGORIES = [
    ("XM", "最佳志愿服务项目", CategoryKind.PROJECT, 10, 3),
    ("ZZ", "最佳志愿服务组织", CategoryKind.ORGANIZATION, 10, 2),
    ("ZYZ", "最美志愿者", CategoryKind.PERSON, 10, 2),
    ("SQ", "最美志愿服务社区", CategoryKind.COMMUNITY, 5, 1),
]
# (name, weight, judges per nomination, advance per category, blind, comment required)
DEFAULT_ROUNDS = [
    ("初评", Decimal("0.4"), 5, 12, True, False),
    ("终评", Decimal("0.6"), 7, None, False, True),
]


def _letters(n: int, width: int = 4) -> str:
    """``n`` written with the letters A-Z (0 -> "AAAA", 27 -> "AABB")."""
    out = ""
    for _ in range(width):
        n, digit = divmod(n, 26)
        out = chr(ord("A") + digit) + out
    return out


def taiyuan_unit(code: str) -> Unit:
    """One of the 24 units shipped by the data migration."""
    return Unit.objects.get(code=code)


# --------------------------------------------------------------------------- units, accounts


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-{n:04d}")
    name = factory.Sequence(lambda n: f"测试推荐单位{n:04d}")
    short_name = factory.Sequence(lambda n: f"测试{n:04d}")
    kind = UnitKind.MUNICIPAL
    order = factory.Sequence(lambda n: 100 + n)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n:04d}")
    password = Password(PASSWORD)
    role = Role.OBSERVER
    unit = None
    display_name = factory.Sequence(lambda n: f"用户{n:04d}")
    is_staff = False


class OfficeFactory(UserFactory):
    username = factory.Sequence(lambda n: f"office{n:04d}")
    role = Role.OFFICE
    is_staff = True


class ObserverFactory(UserFactory):
    username = factory.Sequence(lambda n: f"observer{n:04d}")
    role = Role.OBSERVER


class OfficerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"officer{n:04d}")
    role = Role.OFFICER
    unit = factory.SubFactory(UnitFactory)


class JudgeFactory(UserFactory):
    """A judge account with its profile (``profile__unit=...`` sets the affiliation)."""

    class Meta:
        skip_postgeneration_save = True  # the profile points at the user; the user is unchanged

    username = factory.Sequence(lambda n: f"judge{n:04d}")
    role = Role.JUDGE
    profile = factory.RelatedFactory(
        "tests.factories.JudgeProfileFactory", factory_related_name="user"
    )


class JudgeProfileFactory(DjangoModelFactory):
    class Meta:
        model = JudgeProfile

    user = factory.SubFactory(JudgeFactory, profile=None)
    name = factory.Sequence(lambda n: f"评审专家{n:04d}")
    expertise = "志愿服务"
    unit = None
    organizations = factory.LazyFunction(list)
    active = True


# --------------------------------------------------------------------------- competitions


def _now() -> dt.datetime:
    return timezone.now().replace(microsecond=0)


class CompetitionFactory(DjangoModelFactory):
    """The competition row alone; use ``competition_factory`` for a whole, valid one.

    Dates by default: nominations opened yesterday, close in 14 days, judging
    closes in 35 days (relative to the clock, so ``time_machine`` moves them).
    """

    class Meta:
        model = Competition

    year = factory.Sequence(lambda n: 2030 + n % 60)
    title = factory.LazyAttribute(lambda o: f"{o.year}年度太原市学雷锋志愿服务先进典型推选")
    certificate_wording = "特发此证，以资鼓励。"
    nominations_open = factory.LazyFunction(lambda: _now() - dt.timedelta(days=1))
    nominations_close = factory.LazyAttribute(lambda o: o.nominations_open + dt.timedelta(days=15))
    judging_close = factory.LazyAttribute(lambda o: o.nominations_close + dt.timedelta(days=21))
    publicity_working_days = 5
    holidays = factory.LazyFunction(list)
    phase = Phase.DRAFT


class IssuerFactory(DjangoModelFactory):
    class Meta:
        model = Issuer

    competition = factory.SubFactory(CompetitionFactory)
    name = factory.Sequence(lambda n: f"颁发单位{n:04d}")
    order = factory.Sequence(lambda n: n + 1)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    competition = factory.SubFactory(CompetitionFactory)
    code = factory.Sequence(lambda n: "C" + _letters(n))  # Latin letters, as the API and numbering want
    name = factory.Sequence(lambda n: f"奖项{n:04d}")
    kind = CategoryKind.PROJECT
    order = factory.Sequence(lambda n: n + 1)
    award_quota = 10
    nomination_quota_per_unit = 3
    min_years_running = 0
    min_volunteers = 0
    exclude_past_winners = True


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"评分项{n:04d}")
    guidance = ""
    max_points = Decimal("10")
    weight = Decimal("1")
    order = factory.Sequence(lambda n: n + 1)
    tie_break_rank = None


class RoundFactory(DjangoModelFactory):
    class Meta:
        model = Round

    competition = factory.SubFactory(CompetitionFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"第{n}轮")
    method = AggregationMethod.TRIMMED_MEAN
    trim_min_judges = 5
    judges_per_nomination = 5
    advance_per_category = None
    weight = Decimal("1")
    blind = False
    comment_required = False


def competition_factory(
    *,
    phase: str = Phase.DRAFT,
    categories=DEFAULT_CATEGORIES,
    rubric=DEFAULT_RUBRIC,
    rounds=DEFAULT_ROUNDS,
    tie_break=("社会效益",),
    issuers=("中共太原市委宣传部", "太原市精神文明建设委员会办公室"),
    **fields,
) -> Competition:
    """A whole competition that may leave draft: every rubric totals 100, round weights sum to 1.

    ``categories`` is a list of ``(code, name, kind, award_quota, nomination_quota_per_unit)``,
    ``rubric`` of ``(name, max_points, guidance)`` (used for every category; a
    ``(name, max_points, guidance, weight)`` 4-tuple sets the weight), ``rounds``
    of ``(name, weight, judges_per_nomination, advance_per_category, blind,
    comment_required)``. Other keywords go to ``CompetitionFactory`` (dates,
    year, title…). The phase is set directly, without the guards: tests of
    later phases start there.
    """
    competition = CompetitionFactory(phase=phase, **fields)
    for i, name in enumerate(issuers, start=1):
        IssuerFactory(competition=competition, name=name, order=i)
    for i, (code, name, kind, award_quota, per_unit) in enumerate(categories, start=1):
        category = CategoryFactory(
            competition=competition,
            code=code,
            name=name,
            kind=kind,
            order=i,
            award_quota=award_quota,
            nomination_quota_per_unit=per_unit,
        )
        for j, line in enumerate(rubric, start=1):
            crit_name, points, guidance, *rest = line
            CriterionFactory(
                category=category,
                name=crit_name,
                max_points=Decimal(str(points)),
                weight=Decimal(str(rest[0])) if rest else Decimal("1"),
                guidance=guidance,
                order=j,
                tie_break_rank=(list(tie_break).index(crit_name) + 1)
                if crit_name in tie_break
                else None,
            )
    for i, (name, weight, judges, advance, blind, comment) in enumerate(rounds, start=1):
        RoundFactory(
            competition=competition,
            order=i,
            name=name,
            weight=Decimal(str(weight)),
            judges_per_nomination=judges,
            advance_per_category=advance,
            blind=blind,
            comment_required=comment,
        )
    return competition


def competition_payload(**overrides) -> dict:
    """The body of ``POST /api/v1/competitions/`` for a valid competition (rubric 100, weights 1)."""
    body = {
        "year": 2029,  # outside CompetitionFactory's years (2030-2089)
        "title": "2029年度太原市学雷锋志愿服务先进典型推选",
        "nominations_open": "2029-10-08T00:00:00+08:00",
        "nominations_close": "2029-10-31T18:00:00+08:00",
        "judging_close": "2029-11-20T18:00:00+08:00",
        "publicity_working_days": 5,
        "holidays": ["2029-10-03"],
        "issuers": [{"name": "中共太原市委宣传部"}, {"name": "太原市精神文明建设委员会办公室"}],
        "categories": [
            {
                "code": code,
                "name": name,
                "kind": str(kind),
                "award_quota": award,
                "nomination_quota_per_unit": per_unit,
                "min_years_running": 0,
                "min_volunteers": 0,
                "exclude_past_winners": True,
                "criteria": [
                    {"name": n, "max_points": p, "weight": 1, "guidance": g}
                    for n, p, g in DEFAULT_RUBRIC
                ],
                "tie_break": ["社会效益"],
            }
            for code, name, kind, award, per_unit in DEFAULT_CATEGORIES
        ],
        "rounds": [
            {
                "name": name,
                "method": "trimmed_mean",
                "trim_min_judges": 5,
                "judges_per_nomination": judges,
                "advance_per_category": advance,
                "weight": str(weight),
                "blind": blind,
                "comment_required": comment,
            }
            for name, weight, judges, advance, blind, comment in DEFAULT_ROUNDS
        ],
    }
    body.update(overrides)
    return body


# --------------------------------------------------------------------------- API clients


def api_client(user: User | None = None, **defaults) -> APIClient:
    """An API client; with ``user``, it carries a real token of theirs (``Authorization: Token``)."""
    client = APIClient(**defaults)
    if user is not None:
        # A fixture token made directly, like the factories' accounts: the
        # service (tested in test_auth) would add a ``token.issue`` audit entry
        # to every test that counts its own entries.
        raw = secrets.token_urlsafe(32)
        ApiToken.objects.create(
            user=user,
            key_hash=hashlib.sha256(raw.encode()).hexdigest(),
            expires_at=timezone.now() + settings.API_TOKEN_TTL,
        )
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client
