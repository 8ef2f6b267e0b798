"""Which nominations a recorded past winner matches (往年获奖者不得推荐): found by the year
setup journey. A winner recorded by its name alone (the past-winner page says "组织可不填")
matches a nomination of that name whatever unit the officer types beside it; a winner
recorded with its unit matches only that unit."""

from __future__ import annotations

import pytest

from nominations import past_winners, services

pytestmark = pytest.mark.django_db

CENTRE = "太原市城市综合管理服务指挥中心"
TREES = "举手之劳·为树木松绑拔刺"


def codes(nomination) -> list[str]:
    return [w["code"] for w in nomination.warnings]


def test_an_organisation_recorded_by_its_name_is_found_whatever_its_supervising_body(
    office, officer, competition, organization_category
):
    past_winners.past_winner_create(
        actor=office,
        data={"year": 2019, "category_code": "ZZ", "title": CENTRE, "organization": "", "unit_name": "太原市城乡管理局"},
    )
    alone = services.nomination_create(
        actor=officer, competition=competition, category=organization_category, data={"title": CENTRE}
    )
    assert codes(alone) == ["past_winner"]
    supervised = services.nomination_update(
        actor=officer, nomination=alone, data={"organization": "太原市城乡管理局"}, version=alone.version
    )
    assert codes(supervised) == ["past_winner"]
    assert supervised.warnings[0]["message"] == "已于 2019 年度获评“最佳志愿服务组织”。"


def test_a_winner_recorded_with_its_unit_matches_only_that_unit(office, officer, competition, project_category):
    project_category.hard_rules = []
    project_category.save()
    past_winners.past_winner_create(
        actor=office,
        data={"year": 2019, "category_code": "XM", "title": TREES, "organization": CENTRE, "unit_name": ""},
    )
    same = services.nomination_create(
        actor=officer, competition=competition, category=project_category,
        data={"title": TREES, "organization": CENTRE},
    )
    assert codes(same) == ["past_winner"]
    other = services.nomination_create(
        actor=officer, competition=competition, category=project_category,
        data={"title": TREES, "organization": "太原市园林局"},
    )
    assert "past_winner" not in codes(other)
