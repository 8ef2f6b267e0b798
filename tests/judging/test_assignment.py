"""Automatic assignment: staffing, 回避, load balance, determinism, withdrawal."""

import pytest

from judging import services
from judging.models import Assignment, PanelMember
from judging.selectors import conflict_report
from tests.judging.conftest import accepted, api, judging_competition, make_judge

pytestmark = pytest.mark.django_db


@pytest.fixture
def big(office, units):
    """300 accepted projects from the 24 units, 40 judges (24 affiliated with a unit)."""
    competition = judging_competition(office, year=2032, judges_per_nomination=5)
    category = competition.categories.get(code="XM")
    for i in range(300):
        accepted(competition, category, units[i % len(units)], title=f"项目{i:03d}", organization=f"组织{i % 37}")
    judges = [make_judge(unit=units[i % len(units)] if i < 24 else None, username=f"j{i:02d}") for i in range(40)]
    # a few organisational ties too
    from competition.services import judge_profile_set

    judge_profile_set(actor=office, user=judges[30], name="j30", organizations=["组织1", "组织2"])
    return competition, category, judges


def pairs(round_):
    return sorted(Assignment.objects.filter(round=round_).values_list("judge_id", "nomination_id"))


def test_load_balance_bound_on_300_nominations_and_40_judges(office, big):
    competition, category, judges = big
    round1 = competition.rounds.get(order=1)

    summary = services.assignments_auto(actor=office, round_=round1, seed=42)

    assert summary.created == 1500
    assert summary.short == []
    per_nomination = {}
    for judge_id, nomination_id in pairs(round1):
        per_nomination.setdefault(nomination_id, set()).add(judge_id)
    assert len(per_nomination) == 300
    assert all(len(js) == 5 for js in per_nomination.values())
    loads = list(summary.per_judge.values())
    assert max(loads) - min(loads) <= 1
    assert conflict_report(round_=round1) == []


def test_same_seed_same_assignment_and_rerun_adds_nothing(office, big):
    competition, _, _ = big
    round1 = competition.rounds.get(order=1)
    services.assignments_auto(actor=office, round_=round1, seed=5)
    first = pairs(round1)
    assert services.assignments_auto(actor=office, round_=round1, seed=5).created == 0

    Assignment.objects.filter(round=round1).delete()
    services.assignments_auto(actor=office, round_=round1, seed=5)
    assert pairs(round1) == first

    Assignment.objects.filter(round=round1).delete()
    services.assignments_auto(actor=office, round_=round1, seed=6)
    assert pairs(round1) != first


def test_short_staffing_is_reported_with_the_reason(office, competition, category, round1, units):
    accepted(competition, category, units[0], n=2)
    make_judge(unit=units[0], username="same-unit")
    make_judge(username="free-1")

    summary = api(office).post(f"/api/v1/rounds/{round1.pk}/assignments/auto/", {"seed": 1}, format="json").json()

    assert summary["created"] == 2
    assert len(summary["short"]) == 2
    assert summary["short"][0]["assigned"] == 1
    assert "回避" in summary["short"][0]["reason"] or "评审组" in summary["short"][0]["reason"]


def test_narrowed_panel_is_respected(office, competition, category, round1, nominations, judges):
    services.panel_set(actor=office, category=category, judges=judges[1:4])
    services.assignments_auto(actor=office, round_=round1, seed=2)
    used = set(Assignment.objects.filter(round=round1).values_list("judge_id", flat=True))
    assert used <= {j.pk for j in judges[1:4]}
    assert PanelMember.objects.filter(category=category).count() == 3


def test_withdrawn_judge_hands_over_open_assignments(office, competition, round1, nominations, judges, category):
    services.assignments_auto(actor=office, round_=round1, seed=9)
    leaving = judges[1]
    kept = Assignment.objects.filter(round=round1, judge=leaving).first()
    services.pledge_accept(judge=leaving, competition=competition)
    scores = {c.pk: c.max_points for c in category.criteria.all()}
    services.scorecard_save(judge=leaving, assignment=kept, scores=scores, comment="", version=0)
    services.scorecard_submit(judge=leaving, assignment=kept)

    result = services.judge_withdraw(actor=office, judge=leaving, competition=competition, reason="因病退出")

    assert result["moved"] >= 1
    assert list(Assignment.objects.filter(round=round1, judge=leaving)) == [kept]
    counts = {}
    for _, nomination_id in pairs(round1):
        counts[nomination_id] = counts.get(nomination_id, 0) + 1
    assert all(counts[n.pk] == 3 for n in nominations)


def test_only_the_office_assigns(judges, round1):
    response = api(judges[1]).post(f"/api/v1/rounds/{round1.pk}/assignments/auto/", {}, format="json")
    assert response.status_code == 403
    assert not Assignment.objects.exists()
