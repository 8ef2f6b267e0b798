"""What must never be false is refused by the database itself."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from competition import services
from competition.enums import Role
from competition.exceptions import ValidationFailed
from competition.models import Category, Competition, Criterion, Round, User
from tests.factories import (
    STRONG_PASSWORD,
    CategoryFactory,
    CompetitionFactory,
    CriterionFactory,
    RoundFactory,
    competition_factory,
    taiyuan_unit,
)

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_officer_without_unit_is_refused_by_the_database():
    refused(lambda: User.objects.create(username="o1", role=Role.OFFICER, unit=None))
    assert not User.objects.filter(username="o1").exists()


@pytest.mark.parametrize("role", [Role.OFFICE, Role.JUDGE, Role.OBSERVER])
def test_non_officer_with_unit_is_refused_by_the_database(role):
    refused(lambda: User.objects.create(username="x1", role=role, unit=taiyuan_unit("140105")))


def test_unknown_role_is_refused_by_the_database():
    refused(lambda: User.objects.create(username="x2", role="admin"))


def test_changing_an_officer_to_judge_keeping_the_unit_is_refused():
    user = User.objects.create(username="o2", role=Role.OFFICER, unit=taiyuan_unit("140105"))
    user.role = Role.JUDGE
    refused(user.save)


def test_user_create_service_refuses_a_unit_mismatch_before_the_database():
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(actor=None, username="o3", password=STRONG_PASSWORD, role=Role.OFFICER)
    assert exc.value.fields["unit"][0].startswith("推荐单位：")
    with pytest.raises(ValidationFailed):
        services.user_create(
            actor=None,
            username="o4",
            password=STRONG_PASSWORD,
            role=Role.JUDGE,
            unit=taiyuan_unit("140105"),
        )
    assert not User.objects.filter(username__in=["o3", "o4"]).exists()


@pytest.mark.parametrize(
    ("close_shift", "judging_shift"),
    [
        (dt.timedelta(0), dt.timedelta(days=1)),
        (-dt.timedelta(days=1), dt.timedelta(days=1)),
        (dt.timedelta(days=10), dt.timedelta(days=-1)),
    ],
)
def test_competition_dates_out_of_order_are_refused(close_shift, judging_shift):
    opened = dt.datetime(2031, 10, 8, tzinfo=dt.UTC)
    refused(
        lambda: CompetitionFactory(
            nominations_open=opened,
            nominations_close=opened + close_shift,
            judging_close=opened + close_shift + judging_shift,
        )
    )
    assert not Competition.objects.exists()


def test_competition_judging_may_close_with_nominations():
    opened = dt.datetime(2031, 10, 8, tzinfo=dt.UTC)
    closed = opened + dt.timedelta(days=20)
    CompetitionFactory(nominations_open=opened, nominations_close=closed, judging_close=closed)


def test_competition_year_is_unique():
    CompetitionFactory(year=2040)
    refused(lambda: CompetitionFactory(year=2040))


def test_unknown_phase_is_refused_by_the_database():
    refused(lambda: CompetitionFactory(phase="closed"))


def test_duplicate_category_code_within_a_competition_is_refused():
    competition = competition_factory()
    refused(lambda: CategoryFactory(competition=competition, code="XM", name="另一个"))
    # The same code in another year's competition is fine.
    CategoryFactory(competition=competition_factory(), code="QT", name="其他")
    CategoryFactory(competition=CompetitionFactory(), code="QT", name="其他")


def test_duplicate_category_name_within_a_competition_is_refused():
    competition = competition_factory()
    refused(lambda: CategoryFactory(competition=competition, code="QT", name="最美志愿者"))


@pytest.mark.parametrize(
    "fields", [{"award_quota": 0}, {"nomination_quota_per_unit": 0}, {"kind": "team"}]
)
def test_category_bad_quota_or_kind_is_refused(fields):
    refused(lambda: CategoryFactory(**fields))


@pytest.mark.parametrize(
    "fields",
    [{"max_points": Decimal("0")}, {"max_points": Decimal("-5")}, {"weight": Decimal("0")}],
)
def test_criterion_non_positive_points_or_weight_is_refused(fields):
    refused(lambda: CriterionFactory(**fields))


def test_criterion_name_and_tie_break_rank_unique_within_a_category():
    category = competition_factory().categories.get(code="XM")
    refused(lambda: CriterionFactory(category=category, name="社会效益"))
    refused(lambda: CriterionFactory(category=category, tie_break_rank=1))
    assert Criterion.objects.filter(category=category).count() == 6


@pytest.mark.parametrize(
    "fields",
    [
        {"weight": Decimal("0")},
        {"weight": Decimal("1.1")},
        {"judges_per_nomination": 0},
        {"method": "vote"},
    ],
)
def test_round_bad_weight_judges_or_method_is_refused(fields):
    refused(lambda: RoundFactory(**fields))


def test_round_order_unique_within_a_competition():
    competition = competition_factory()
    refused(lambda: RoundFactory(competition=competition, order=1))
    assert Round.objects.filter(competition=competition).count() == 2
    assert Category.objects.filter(competition=competition).count() == 4
