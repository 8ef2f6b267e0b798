"""The shared factories build valid data (later apps' tests stand on them)."""

from decimal import Decimal

import pytest

from competition import phases
from competition.enums import Phase, Role
from tests.factories import (
    JudgeFactory,
    OfficeFactory,
    OfficerFactory,
    competition_factory,
    taiyuan_unit,
)

pytestmark = pytest.mark.django_db


def test_competition_factory_builds_a_competition_that_may_leave_draft():
    competition = competition_factory()
    assert competition.phase == Phase.DRAFT
    assert phases.refusal(competition, Phase.NOMINATING) is None
    assert [c.code for c in competition.categories.all()] == ["XM", "ZZ", "ZYZ", "SQ"]
    assert all(phases.rubric_total(c) == 100 for c in competition.categories.all())
    assert sum(r.weight for r in competition.rounds.all()) == Decimal("1")
    xm = competition.categories.get(code="XM")
    assert xm.criteria.get(tie_break_rank=1).name == "社会效益"


def test_competition_factory_takes_phase_structure_and_dates():
    competition = competition_factory(
        phase=Phase.JUDGING,
        year=2088,
        categories=[("SQ", "最美志愿服务社区", "community", 5, 1)],
        rubric=[("服务成效", 50, "", 2)],
        rounds=[("终评", 1, 7, None, False, True)],
    )
    assert (competition.phase, competition.year) == (Phase.JUDGING, 2088)
    category = competition.categories.get()
    assert phases.rubric_total(category) == 100
    assert competition.rounds.get().judges_per_nomination == 7


def test_role_factories_build_valid_accounts():
    officer = OfficerFactory(unit=taiyuan_unit("140181"))
    judge = JudgeFactory(profile__unit=taiyuan_unit("140105"), profile__name="赵六")
    office = OfficeFactory()
    assert (officer.role, officer.unit.short_name) == (Role.OFFICER, "古交市")
    assert OfficerFactory().unit is not None
    assert (judge.role, judge.unit) == (Role.JUDGE, None)
    assert (judge.judge_profile.name, judge.judge_profile.unit.code) == ("赵六", "140105")
    assert office.check_password("correct horse battery")
