"""The office console's services: preview, replace, reassign, exclude, withdraw from a round."""

from __future__ import annotations

from decimal import Decimal

import pytest

from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry
from judging import services
from judging.conflicts import SAME_UNIT_REASON
from judging.models import Assignment, RoundWithdrawal, ScorecardExclusion
from judging.services.results import round_scorecards, snapshot_compute
from tests.judging.conftest import make_judge, score_all

pytestmark = pytest.mark.django_db


def pairs(round_) -> set[tuple[int, int]]:
    return set(Assignment.objects.filter(round=round_).values_list("judge_id", "nomination_id"))


def submit(assignment, points=10):
    services.pledge_accept(judge=assignment.judge, competition=assignment.round.competition)
    criteria = assignment.nomination.category.criteria.all()
    services.scorecard_save(
        judge=assignment.judge, assignment=assignment, scores={c.pk: points for c in criteria}, comment="", version=0
    )
    services.scorecard_submit(judge=assignment.judge, assignment=assignment)


# --------------------------------------------------------------------------- preview


def test_the_preview_writes_nothing_and_saving_gives_what_it_showed(office, round1, nominations, judges):
    audited = AuditEntry.objects.count()

    plan = services.assignments_auto_preview(actor=office, round_=round1, seed=42)

    assert not Assignment.objects.filter(round=round1).exists()
    assert AuditEntry.objects.count() == audited
    assert len(plan.new_pairs) == 3 * len(nominations)
    assert sum(plan.load.values()) == len(plan.new_pairs)
    # judgeA belongs to 小店区: the two 小店区 projects are avoided, with the reason.
    avoided = {(a["judge_username"], a["nomination"]) for a in plan.avoided}
    xiaodian = [n.pk for n in nominations if n.unit_id == judges[0].judge_profile.unit_id]
    assert avoided == {("judgeA", n) for n in xiaodian}
    assert {a["reason"] for a in plan.avoided} == {SAME_UNIT_REASON}

    summary = services.assignments_auto(actor=office, round_=round1, seed=42, expect=plan.fingerprint)

    assert pairs(round1) == set(plan.new_pairs)
    assert summary.created == len(plan.new_pairs)


def test_saving_a_stale_preview_is_refused_and_changes_nothing(office, round1, nominations, judges):
    plan = services.assignments_auto_preview(actor=office, round_=round1, seed=42)
    services.assignment_add(actor=office, round_=round1, judge=judges[1], nomination=nominations[0])

    with pytest.raises(Conflict, match="请重新预览"):
        services.assignments_auto(actor=office, round_=round1, seed=42, expect=plan.fingerprint)

    assert pairs(round1) == {(judges[1].pk, nominations[0].pk)}


def test_the_number_of_judges_per_nomination_is_changed_with_the_assignment(office, round1, nominations, judges):
    plan = services.assignments_auto_preview(actor=office, round_=round1, seed=1, judges_per_nomination=2)
    assert len(plan.new_pairs) == 2 * len(nominations)

    services.assignments_auto(actor=office, round_=round1, seed=1, judges_per_nomination=2, expect=plan.fingerprint)

    round1.refresh_from_db()
    assert round1.judges_per_nomination == 2
    entry = AuditEntry.objects.filter(action="judging.assign_auto").latest("id")
    assert entry.before == {"judges_per_nomination": 3}
    assert entry.after["judges_per_nomination"] == 2
    with pytest.raises(ValidationFailed) as refused:
        services.assignments_auto_preview(actor=office, round_=round1, judges_per_nomination=0)
    assert "每件评委数" in str(refused.value.fields)


def test_only_the_office_previews(observer, round1, nominations, judges):
    with pytest.raises(Forbidden):
        services.assignments_auto_preview(actor=observer, round_=round1)


# --------------------------------------------------------------------------- replace and reassign


def test_replacing_a_judge_moves_one_assignment(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    assignment = Assignment.objects.filter(round=round1).exclude(judge__username="judgeE").first()
    taken = set(Assignment.objects.filter(nomination=assignment.nomination, round=round1).values_list("judge_id", flat=True))
    free = next(j for j in judges[1:] if j.pk not in taken)

    new = services.assignment_replace(actor=office, assignment=assignment, judge=free, reason="原评委出差")

    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert new.judge == free and new.nomination_id == assignment.nomination_id
    entry = AuditEntry.objects.get(action="judging.assign_replace")
    assert entry.before["judge"] == assignment.judge_id and entry.reason == "原评委出差"


def test_replacing_with_a_conflicted_judge_is_refused_and_changes_nothing(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    xiaodian = next(n for n in nominations if n.unit_id == judges[0].judge_profile.unit_id)
    assignment = Assignment.objects.filter(round=round1, nomination=xiaodian).first()
    before = pairs(round1)

    with pytest.raises(Conflict, match="同属一个推荐单位"):
        services.assignment_replace(actor=office, assignment=assignment, judge=judges[0])

    assert pairs(round1) == before


def test_a_submitted_scorecard_is_not_replaced(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    assignment = Assignment.objects.filter(round=round1).first()
    submit(assignment)
    free = make_judge(username="judgeF")

    with pytest.raises(Conflict, match="请先排除该评分表"):
        services.assignment_replace(actor=office, assignment=assignment, judge=free)


def test_reassigning_a_conflicted_assignment_gives_the_nomination_another_judge(office, round1, nominations, judges):
    make_judge(username="judgeF")
    services.assignments_auto(actor=office, round_=round1, seed=7)
    assignment = Assignment.objects.filter(round=round1).select_related("nomination", "judge").first()
    # The judge's unit turns out to be the nomination's: a conflict found after assigning.
    from competition.models import JudgeProfile

    JudgeProfile.objects.filter(user=assignment.judge).update(unit=assignment.nomination.unit)

    result = services.assignment_reassign(actor=office, assignment=assignment, reason="同单位")

    assert result.removed == 1
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    judges_now = set(
        Assignment.objects.filter(round=round1, nomination=assignment.nomination).values_list("judge_id", flat=True)
    )
    assert len(judges_now) == 3 and assignment.judge_id not in judges_now
    assert [a["nomination"] for a in result.added] == [assignment.nomination_id]


def test_a_counted_submitted_scorecard_is_not_reassigned(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    assignment = Assignment.objects.filter(round=round1).first()
    submit(assignment)

    with pytest.raises(Conflict, match="请先排除该评分表"):
        services.assignment_reassign(actor=office, assignment=assignment)


# --------------------------------------------------------------------------- exclusion


def test_an_excluded_scorecard_stops_counting_and_the_nomination_is_staffed_again(office, round1, nominations, judges):
    make_judge(username="judgeF")
    services.assignments_auto(actor=office, round_=round1, seed=7)
    score_all(round1, lambda judge, nomination, c: c.max_points if judge.username == "judgeB" else c.max_points / 2)
    assignment = Assignment.objects.filter(round=round1, judge__username="judgeB").first()
    with pytest.raises(ValidationFailed):
        services.scorecard_exclude(actor=office, assignment=assignment, reason="  ")

    result = services.scorecard_exclude(actor=office, assignment=assignment, reason="评分明显失准，经评审组复核排除")

    card = assignment.scorecard
    assert ScorecardExclusion.objects.get(scorecard=card).reason == "评分明显失准，经评审组复核排除"
    counted = [c for cards in round_scorecards(round1).values() for c in cards]
    assert all(not (c.judge == assignment.judge_id and c.nomination == assignment.nomination_id) for c in counted)
    assert len(result.added) == 1 and result.added[0]["judge"] != assignment.judge_id
    entry = snapshot_compute(round_=round1, method="mean").entries.get(nomination=assignment.nomination)
    assert entry.judges == 2 and entry.score == Decimal("50.00")
    with pytest.raises(Conflict, match="已被排除"):
        services.scorecard_exclude(actor=office, assignment=assignment, reason="再次")
    assert AuditEntry.objects.filter(action="scorecard.exclude", reason__startswith="评分明显失准").count() == 1


def test_the_progress_board_counts_an_excluded_scorecard_apart(office, round1, nominations, judges, client):
    """An excluded card is no longer submitted work that counts: the nomination is short of a
    score until its replacement is submitted, and the board says how many were excluded."""
    from django.urls import reverse

    from judging.selectors import round_progress

    make_judge(username="judgeF")
    services.assignments_auto(actor=office, round_=round1, seed=7)
    score_all(round1, lambda judge, nomination, c: c.max_points / 2)
    before = round_progress(round_=round1)
    assert before["submitted"] == before["assigned"] and before["excluded"] == 0
    assignment = Assignment.objects.filter(round=round1, judge__username="judgeB").first()
    result = services.scorecard_exclude(actor=office, assignment=assignment, reason="评分明显失准，经评审组复核排除")
    assert len(result.added) == 1

    after = round_progress(round_=round1)
    assert after["excluded"] == 1
    assert (after["assigned"], after["submitted"]) == (before["assigned"], before["submitted"] - 1)
    row = next(n for n in after["nominations"] if n["nomination"] == assignment.nomination_id)
    assert (row["submitted"], row["assigned"], row["excluded"]) == (row["assigned"] - 1, row["assigned"], 1)
    judge = next(j for j in after["judges"] if j["judge"] == assignment.judge_id)
    assert judge["excluded"] == 1

    client.force_login(office)
    page = client.get(reverse("judging:progress", args=[round1.pk])).content.decode()
    assert f'<strong id="submitted-total">{after["submitted"]}</strong> / {after["assigned"]}' in page
    assert "另有 1 份已排除，不计入排名" in page


def test_a_draft_is_not_excluded(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    assignment = Assignment.objects.filter(round=round1).first()
    with pytest.raises(Conflict, match="尚未提交"):
        services.scorecard_exclude(actor=office, assignment=assignment, reason="理由")


# --------------------------------------------------------------------------- withdrawal from a round


def test_a_withdrawn_judge_keeps_submitted_cards_and_loses_the_rest(office, round1, nominations, judges):
    make_judge(username="judgeF")
    services.assignments_auto(actor=office, round_=round1, seed=7)
    judge = judges[1]
    mine = list(Assignment.objects.filter(round=round1, judge=judge).order_by("pk"))
    assert len(mine) >= 2
    submit(mine[0])

    result = services.judge_withdraw_round(actor=office, round_=round1, judge=judge, reason="身体原因")

    left = list(Assignment.objects.filter(round=round1, judge=judge))
    assert left == [mine[0]]
    assert result.removed == len(mine) - 1 and result.kept == 1 and result.excluded == 0
    for a in mine[1:]:
        assert Assignment.objects.filter(round=round1, nomination=a.nomination).count() == 3
    assert RoundWithdrawal.objects.filter(round=round1, judge=judge).exists()
    # Automatic assignment never picks them again in this round.
    Assignment.objects.filter(round=round1).exclude(judge=judge).first().delete()
    services.assignments_auto(actor=office, round_=round1, seed=9)
    assert Assignment.objects.filter(round=round1, judge=judge).count() == 1
    entry = AuditEntry.objects.get(action="judging.judge_withdraw_round")
    assert entry.reason == "身体原因" and entry.after["moved"] == len(mine) - 1


def test_withdrawing_with_exclusion_excludes_the_submitted_cards(office, round1, nominations, judges):
    make_judge(username="judgeF")
    services.assignments_auto(actor=office, round_=round1, seed=7)
    judge = judges[1]
    first = Assignment.objects.filter(round=round1, judge=judge).order_by("pk").first()
    submit(first)

    result = services.judge_withdraw_round(
        actor=office, round_=round1, judge=judge, reason="与被推荐人存在利益关系", exclude_submitted=True
    )

    assert result.excluded == 1
    assert ScorecardExclusion.objects.filter(scorecard__assignment=first).exists()
    assert Assignment.objects.filter(round=round1, nomination=first.nomination).exclude(judge=judge).count() == 3


def test_withdrawal_needs_a_reason_and_the_office(office, observer, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    before = pairs(round1)
    with pytest.raises(Forbidden):
        services.judge_withdraw_round(actor=observer, round_=round1, judge=judges[1], reason="理由")
    with pytest.raises(ValidationFailed):
        services.judge_withdraw_round(actor=office, round_=round1, judge=judges[1], reason="")
    assert pairs(round1) == before
    assert not RoundWithdrawal.objects.exists()
