"""Scoring through the API: pledges, scorecards, versions, deadlines, blindness, 回避."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import close_old_connections, connection

from judging import services
from judging.models import Assignment, Scorecard
from tests.judging.conftest import api, make_judge

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(office, round1, nominations, judges):
    services.assignments_auto(actor=office, round_=round1, seed=7)
    return Assignment.objects.filter(round=round1)


def full_scores(category, points=None):
    return {str(c.pk): float(points if points is not None else c.max_points - 1) for c in category.criteria.all()}


def test_no_scorecard_before_the_pledge(assigned, category, competition):
    a = assigned.exclude(judge__username="judgeA").first()
    client = api(a.judge)
    response = client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": full_scores(category), "version": 0}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "pledge_required"

    assert client.post(f"/api/v1/competitions/{competition.pk}/pledge/").status_code == 200
    response = client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": full_scores(category), "version": 0}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 1
    expected = sum(float(c.max_points - 1) * float(c.weight) for c in category.criteria.all())
    assert float(body["total"]) == pytest.approx(expected)


def test_a_scorecard_never_saved_has_version_0(assigned):
    a = assigned.first()
    body = api(a.judge).get(f"/api/v1/assignments/{a.pk}/").json()
    assert body["scorecard"]["version"] == 0
    assert body["scorecard"]["scores"] == {}
    assert [c["name"] for c in body["rubric"]][:2] == ["项目设计", "组织管理"]
    assert body["rubric"][0]["guidance"] is not None


def pledged(assignment):
    services.pledge_accept(judge=assignment.judge, competition=assignment.round.competition)
    return assignment


def test_score_above_max_or_off_grid_is_400_naming_the_criterion(assigned, category):
    a = pledged(assigned.first())
    first = category.criteria.order_by("order").first()
    client = api(a.judge)

    over = client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": {str(first.pk): 15.5}, "version": 0}, format="json")
    assert over.status_code == 400
    assert over.json()["error"]["fields"][f"scores.{first.pk}"] == ["项目设计：不能超过满分 15 分。"]

    grid = client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": {str(first.pk): 12.3}, "version": 0}, format="json")
    assert grid.status_code == 400
    assert "0.5" in grid.json()["error"]["fields"][f"scores.{first.pk}"][0]
    assert not Scorecard.objects.filter(assignment=a).exists()


def test_stale_version_gets_409_never_a_silent_overwrite(assigned, category):
    a = pledged(assigned.first())
    client = api(a.judge)
    first = category.criteria.order_by("order").first()
    ok = client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": {str(first.pk): 10}, "version": 0}, format="json")
    assert ok.json()["version"] == 1
    stale = client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": {str(first.pk): 5}, "version": 0}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    assert Scorecard.objects.get(assignment=a).scores.get().points == 10


def test_submit_checks_completeness_and_locks(assigned, category):
    a = pledged(assigned.first())
    client = api(a.judge)
    first = category.criteria.order_by("order").first()
    client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": {str(first.pk): 10}, "version": 0}, format="json")
    incomplete = client.post(f"/api/v1/assignments/{a.pk}/scorecard/submit/")
    assert incomplete.status_code == 400
    assert len(incomplete.json()["error"]["fields"]) == category.criteria.count() - 1

    client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": full_scores(category), "version": 1}, format="json")
    done = client.post(f"/api/v1/assignments/{a.pk}/scorecard/submit/")
    assert done.status_code == 200
    assert done.json()["status"] == "submitted"
    again = client.post(f"/api/v1/assignments/{a.pk}/scorecard/submit/")
    assert again.status_code == 200
    assert Scorecard.objects.filter(assignment=a).count() == 1
    locked = client.put(
        f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": full_scores(category, 1), "version": done.json()["version"]}, format="json"
    )
    assert locked.status_code == 409
    assert locked.json()["error"]["code"] == "scorecard_locked"


def test_office_unlocks_with_a_reason(assigned, category, office):
    a = pledged(assigned.first())
    services.scorecard_save(judge=a.judge, assignment=a, scores=full_scores(category), comment="", version=0)
    services.scorecard_submit(judge=a.judge, assignment=a)
    client = api(office)
    assert client.post(f"/api/v1/assignments/{a.pk}/scorecard/unlock/", {"reason": ""}, format="json").status_code == 400
    response = client.post(f"/api/v1/assignments/{a.pk}/scorecard/unlock/", {"reason": "评委误填"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert api(a.judge).post(f"/api/v1/assignments/{a.pk}/scorecard/unlock/", {"reason": "x"}, format="json").status_code == 403


def test_save_after_the_deadline_gets_409(assigned, category, competition):
    a = pledged(assigned.first())
    with time_machine.travel(competition.judging_close + dt.timedelta(seconds=1), tick=False):
        response = api(a.judge).put(
            f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": full_scores(category), "version": 0}, format="json"
        )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "round_locked"


def test_judge_sees_only_own_assignments_and_another_judges_is_404(assigned):
    mine = assigned.first()
    other = assigned.exclude(judge=mine.judge).first()
    client = api(mine.judge)
    listed = client.get("/api/v1/assignments/").json()["results"]
    assert {row["id"] for row in listed} == set(assigned.filter(judge=mine.judge).values_list("pk", flat=True))
    assert all(row["judge"] is None for row in listed)

    hidden = client.get(f"/api/v1/assignments/{other.pk}/")
    missing = client.get("/api/v1/assignments/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.put(f"/api/v1/assignments/{other.pk}/scorecard/", {"scores": {}, "version": 0}, format="json").status_code == 404


def test_unassigned_nomination_is_404_for_a_judge(assigned, nominations):
    judge = make_judge(username="outsider")
    assert api(judge).get(f"/api/v1/nominations/{nominations[0].pk}/").status_code in (403, 404)
    assert api(judge).post(f"/api/v1/nominations/{nominations[0].pk}/conflict/", {"reason": "x"}, format="json").status_code == 404


def test_blind_round_hides_the_unit_and_contacts_from_judges(assigned, office):
    a = assigned.first()
    materials = api(a.judge).get(f"/api/v1/assignments/{a.pk}/").json()["materials"]
    assert "unit" not in materials
    assert "contact_phone" not in materials
    office_view = api(office).get(f"/api/v1/assignments/{a.pk}/").json()["materials"]
    assert office_view["unit"] == a.nomination.unit.name


def test_own_unit_nomination_is_never_assigned(assigned, units):
    judge_a = assigned.model.objects.filter(judge__username="judgeA")
    assert not judge_a.filter(nomination__unit=units[0]).exists()


def test_manual_assignment_of_a_conflicted_pair_is_409(office, round1, nominations, judges, units):
    own = next(n for n in nominations if n.unit_id == units[0].pk)
    response = api(office).post(
        "/api/v1/assignments/", {"round": round1.pk, "judge": judges[0].pk, "nomination": own.pk}, format="json"
    )
    assert response.status_code == 409
    assert "同属一个推荐单位" in response.json()["error"]["message"]


def test_forced_conflicted_row_blocks_scoring_and_shows_in_report(office, round1, nominations, judges, units, category):
    own = next(n for n in nominations if n.unit_id == units[0].pk)
    forced = Assignment.objects.create(round=round1, judge=judges[0], nomination=own)
    pledged(forced)
    response = api(judges[0]).put(
        f"/api/v1/assignments/{forced.pk}/scorecard/", {"scores": full_scores(category), "version": 0}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict_of_interest"
    report = api(office).get(f"/api/v1/rounds/{round1.pk}/conflicts/").json()
    assert [row["assignment"] for row in report] == [forced.pk]


def test_affiliation_added_after_assignment_blocks_scoring(office, round1, nominations, judges, category):
    from competition.services import judge_profile_set

    services.assignments_auto(actor=office, round_=round1, seed=1)
    a = Assignment.objects.filter(round=round1, judge=judges[1]).select_related("nomination").first()
    pledged(a)
    judge_profile_set(actor=office, user=judges[1], name="B", organizations=[" " + a.nomination.organization])
    response = api(judges[1]).put(
        f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": full_scores(category), "version": 0}, format="json"
    )
    assert response.status_code == 409
    # The round is blind: the judge is not told which rule (it would name the organisation);
    # the office's conflict report does.
    assert response.json()["error"]["message"] == "评委与被推荐对象存在利益关联，须回避。"
    report = api(office).get(f"/api/v1/rounds/{round1.pk}/conflicts/").json()
    assert [row["reason"] for row in report if row["assignment"] == a.pk] == ["评委与被推荐对象的组织有关联，须回避。"]


def test_declared_conflict_releases_the_open_assignment(assigned):
    a = assigned.first()
    response = api(a.judge).post(f"/api/v1/nominations/{a.nomination_id}/conflict/", {"reason": "曾担任该组织顾问"}, format="json")
    assert response.status_code == 201
    assert response.json()["released"] == 1
    assert not Assignment.objects.filter(pk=a.pk).exists()


def test_progress_for_office_and_observer_only(assigned, office, observer, round1):
    body = api(office).get(f"/api/v1/rounds/{round1.pk}/progress/").json()
    assert body["assigned"] == assigned.count()
    assert body["submitted"] == 0
    assert api(observer).get(f"/api/v1/rounds/{round1.pk}/progress/").status_code == 200
    assert api(assigned.first().judge).get(f"/api/v1/rounds/{round1.pk}/progress/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_with_the_same_version_one_wins(postgres, office, round1, nominations, judges, category):
    services.assignments_auto(actor=office, round_=round1, seed=3)
    a = pledged(Assignment.objects.filter(round=round1).first())
    barrier = threading.Barrier(2)
    results = []

    def save(points):
        try:
            barrier.wait()
            services.scorecard_save(judge=a.judge, assignment=a, scores=full_scores(category, points), comment="", version=0)
            results.append("ok")
        except Exception as exc:  # noqa: BLE001
            results.append(getattr(exc, "code", repr(exc)))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=save, args=(p,)) for p in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "stale_version"]
    assert Scorecard.objects.filter(assignment=a).count() == 1
    assert Scorecard.objects.get(assignment=a).version == 1


@pytest.mark.django_db(transaction=True)
def test_double_submit_racing_leaves_one_scorecard(postgres, office, round1, nominations, judges, category):
    services.assignments_auto(actor=office, round_=round1, seed=3)
    a = pledged(Assignment.objects.filter(round=round1).first())
    services.scorecard_save(judge=a.judge, assignment=a, scores=full_scores(category), comment="", version=0)
    barrier = threading.Barrier(2)
    results = []

    def submit():
        try:
            barrier.wait()
            results.append(services.scorecard_submit(judge=a.judge, assignment=a).status)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["submitted", "submitted"]
    assert Scorecard.objects.filter(assignment=a).count() == 1


def test_database_refuses_a_second_scorecard_and_a_score_above_the_maximum(assigned, category):
    from django.db import IntegrityError, transaction

    from judging.models import Score

    a = pledged(assigned.first())
    services.scorecard_save(judge=a.judge, assignment=a, scores=full_scores(category), comment="", version=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(assignment=a)
    score = Score.objects.filter(scorecard__assignment=a).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(pk=score.pk).update(half_points=score.max_half_points + 1)


def test_an_emptied_score_is_cleared(assigned, category):
    a = pledged(assigned.first())
    first = category.criteria.order_by("order").first()
    client = api(a.judge)
    client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": full_scores(category), "version": 0}, format="json")
    response = client.put(f"/api/v1/assignments/{a.pk}/scorecard/", {"scores": {str(first.pk): None}, "version": 1}, format="json")
    assert response.status_code == 200
    assert str(first.pk) not in response.json()["scores"]
    expected = sum(float(c.max_points - 1) * float(c.weight) for c in category.criteria.all() if c.pk != first.pk)
    assert float(response.json()["total"]) == pytest.approx(expected)


def test_the_service_refuses_a_conflict_on_an_unassigned_nomination(nominations):
    from competition.exceptions import NotFound
    from judging.models import ConflictDeclaration

    outsider = make_judge(username="outsider-2")
    with pytest.raises(NotFound):
        services.conflict_declare(judge=outsider, nomination=nominations[0], reason="与该组织有关联")
    assert not ConflictDeclaration.objects.exists()
