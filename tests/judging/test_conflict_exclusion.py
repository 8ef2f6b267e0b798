"""A scorecard whose judge must 回避 after submitting no longer counts; the office is told and can reassign."""

from decimal import Decimal

import pytest

from competition import services as competition_services
from judging import selectors, services
from judging.conflicts import conflict_reason
from judging.models import Assignment, RankingEntry
from judging.services.results import snapshot_compute
from tests.judging.conftest import api, score_all

pytestmark = pytest.mark.django_db

# Each judge scores every criterion at a fixed fraction of its maximum, so the
# totals differ per judge and the means are easy to check.
FRACTION = {"judgeA": Decimal("0.5"), "judgeB": Decimal("1"), "judgeC": Decimal("0.6"), "judgeD": Decimal("0.7"), "judgeE": Decimal("0.8")}


def points(judge, nomination, criterion):
    value = criterion.max_points * FRACTION[judge.username]
    return float((value * 2).to_integral_value() / 2)


@pytest.fixture
def scored(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    score_all(round1, points)
    # A nomination that judgeB scored (judgeB gives full marks: excluding it moves the mean).
    target = Assignment.objects.filter(round=round1, judge__username="judgeB").select_related("nomination").first()
    return target


def totals_of(nomination_id, round1):
    return {
        a.judge.username: a.scorecard.total
        for a in Assignment.objects.filter(round=round1, nomination_id=nomination_id).select_related("judge", "scorecard")
    }


def entry(snapshot, nomination_id):
    return RankingEntry.objects.get(snapshot=snapshot, nomination_id=nomination_id)


def test_a_conflict_declared_after_submitting_excludes_the_scorecard_from_aggregation(scored, round1, office, client):
    nomination_id = scored.nomination_id
    totals = totals_of(nomination_id, round1)
    assert len(totals) == 3 and "judgeB" in totals
    before = entry(snapshot_compute(round_=round1, method="mean"), nomination_id)
    assert before.judges == 3
    assert before.score == (sum(totals.values()) / 3).quantize(Decimal("0.01"))

    response = api(scored.judge).post(
        f"/api/v1/nominations/{nomination_id}/conflict/", {"reason": "评分后才发现曾在该组织任职"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["released"] == 0

    snapshot = snapshot_compute(round_=round1, method="mean")
    after = entry(snapshot, nomination_id)
    others = [t for judge, t in totals.items() if judge != "judgeB"]
    assert after.judges == 2
    assert after.score == (sum(others) / 2).quantize(Decimal("0.01"))
    assert after.score < before.score
    assert snapshot.parameters["excluded_scorecards"] == [scored.scorecard.pk]
    # The judges' breakdown no longer lists the voided card either.
    breakdown = selectors.judge_breakdown(snapshot=snapshot)
    row = next(r for r in breakdown["nominations"] if r["nomination"] == nomination_id)
    assert len(row["scores"]) == 2

    # The ranking page and the API say so, naming the nomination.
    client.force_login(office)
    page = client.get(f"/judging/rounds/{round1.pk}/ranking/?method=mean").content.decode()
    assert "已排除 1 份因回避作废的评分表" in page
    assert f"“{scored.nomination.title}”的评委" in page
    assert "评委已申明与该推荐存在利益关系，须回避。" in page
    body = api(office).get(f"/api/v1/rounds/{round1.pk}/ranking/?method=mean").json()
    assert body["excluded_scorecards"] == [
        {
            "nomination": nomination_id,
            "title": scored.nomination.title,
            "judge": selectors.judge_codes(round_=round1)[scored.judge_id],
            "reason": "评委已申明与该推荐存在利益关系，须回避。",
            "in_snapshot": True,
        }
    ]


def test_the_office_reassigns_the_nomination_to_another_judge(scored, round1, office):
    nomination_id = scored.nomination_id
    judges_before = set(Assignment.objects.filter(round=round1, nomination_id=nomination_id).values_list("judge__username", flat=True))
    services.conflict_declare(judge=scored.judge, nomination=scored.nomination, reason="评分后才发现曾在该组织任职")

    summary = services.assignments_auto(actor=office, round_=round1, seed=7)

    assert summary.created == 1
    new = Assignment.objects.filter(round=round1, nomination_id=nomination_id).exclude(judge__username__in=judges_before)
    assert new.count() == 1
    newcomer = new.get()
    assert conflict_reason(judge=newcomer.judge, nomination=scored.nomination) is None
    assert not summary.short
    # The newcomer scores: the nomination has three valid scorecards again.
    services.pledge_accept(judge=newcomer.judge, competition=round1.competition)
    scores = {c.pk: points(newcomer.judge, scored.nomination, c) for c in scored.nomination.category.criteria.all()}
    services.scorecard_save(judge=newcomer.judge, assignment=newcomer, scores=scores, comment="认真评审", version=0)
    services.scorecard_submit(judge=newcomer.judge, assignment=newcomer)
    after = entry(snapshot_compute(round_=round1, method="mean"), nomination_id)
    assert after.judges == 3


def test_a_conflict_detected_after_submitting_excludes_the_scorecard_too(scored, round1):
    """The judge's profile later shows the nomination's unit: the same exclusion without a declaration."""
    nomination = scored.nomination
    totals = totals_of(nomination.pk, round1)
    competition_services.judge_profile_set(actor=None, user=scored.judge, name="judgeB", unit=nomination.unit, organizations=[])

    after = entry(snapshot_compute(round_=round1, method="mean"), nomination.pk)

    others = [t for judge, t in totals.items() if judge != "judgeB"]
    assert after.judges == 2
    assert after.score == (sum(others) / 2).quantize(Decimal("0.01"))
    # Every card judgeB submitted for a nomination of that unit is voided, and only those.
    same_unit = sorted(
        Assignment.objects.filter(round=round1, judge=scored.judge, nomination__unit=nomination.unit).values_list(
            "nomination_id", flat=True
        )
    )
    assert nomination.pk in same_unit
    excluded = selectors.conflicted_scorecards(round_=round1)
    assert [(x["nomination"], x["reason"]) for x in excluded] == [
        (n, "评委与被推荐对象同属一个推荐单位，须回避。") for n in same_unit
    ]
