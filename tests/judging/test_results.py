"""From submitted scorecards to the final list: close, rank, 公示, objections, finalise."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from competition.enums import Phase
from competition.exceptions import Conflict, ValidationFailed
from judging import services
from judging.enums import AwardStatus
from judging.models import AggregationJob, Assignment, Award, RankingSnapshot
from judging.selectors import round_nominations
from judging.workdays import publicity_period
from nominations.models import Nomination
from tests.factories import STRONG_PASSWORD
from tests.judging.conftest import accepted, api, judging_competition, make_judge, score_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _a_wednesday():
    """公示 starts on the publication day only if it is a working day: run on a Wednesday."""
    from zoneinfo import ZoneInfo

    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
def scored(office, competition, category, units, round1):
    """Six projects, three judges each; nomination i gets (max − i) on every criterion."""
    nominations = []
    for unit in units[3:6]:
        nominations += accepted(competition, category, unit, n=2)
    for i in range(4):
        make_judge(username=f"r{i}")
    services.assignments_auto(actor=office, round_=round1, seed=1)
    rank_of = {n.pk: i for i, n in enumerate(nominations)}
    score_all(round1, lambda judge, nomination, c: max(Decimal(0), c.max_points - rank_of[nomination.pk]))
    return nominations


def test_close_ranks_the_round_and_locks_it(office, round1, scored, category):
    response = api(office).post(f"/api/v1/rounds/{round1.pk}/close/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "official"
    assert body["method"] == "trimmed_mean"
    assert [e["nomination"] for e in body["entries"]] == [n.pk for n in scored]
    assert [e["rank"] for e in body["entries"]] == [1, 2, 3, 4, 5, 6]
    assert body["entries"][0]["score"] == "100.00"
    assert all(e["judges"] == 3 for e in body["entries"])
    # award quota of XM is 3 in the fixture and this is the last round
    assert [e["proposed_winner"] for e in body["entries"]] == [True] * 3 + [False] * 3

    a = Assignment.objects.filter(round=round1).first()
    with pytest.raises(Conflict):
        services.scorecard_unlock(actor=office, assignment=a, reason="x")
    assert api(office).post(f"/api/v1/rounds/{round1.pk}/close/").status_code == 409


def test_same_inputs_reuse_the_snapshot(office, round1, scored):
    first = services.snapshot_compute(round_=round1, method="mean")
    second = services.snapshot_compute(round_=round1, method="mean")
    assert first.pk == second.pk
    assert RankingSnapshot.objects.filter(round=round1, method="mean").count() == 1
    other = services.snapshot_compute(round_=round1, method="median")
    assert other.checksum != first.checksum


def test_aggregate_answers_202_with_a_status_url_and_compare(
    office, round1, scored, django_capture_on_commit_callbacks
):
    client = api(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/rounds/{round1.pk}/aggregate/", {"method": "normalized"}, format="json")
    assert response.status_code == 202
    status = client.get(response.json()["status_url"]).json()
    assert status["status"] == "done"  # eager Celery in this test
    assert status["done"] == status["total"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/rounds/{round1.pk}/aggregate/", {"method": "mean"}, format="json")
    ranking = client.get(f"/api/v1/rounds/{round1.pk}/ranking/", {"method": "normalized"}).json()
    assert ranking["status"] == "trial"
    round1.refresh_from_db()
    assert round1.method == "trimmed_mean"  # a trial does not change the round
    compare = client.get(f"/api/v1/rounds/{round1.pk}/ranking/compare/", {"methods": "mean,normalized"}).json()
    assert len(compare["rows"]) == 6
    assert compare["methods"] == ["mean", "normalized"]
    judges = client.get(f"/api/v1/rounds/{round1.pk}/ranking/judges/", {"method": "mean"}).json()
    codes = {s["judge"] for row in judges["nominations"] for s in row["scores"]}
    assert codes <= {"J01", "J02", "J03", "J04"}
    assert AggregationJob.objects.count() == 2


def test_results_are_invisible_to_judges_and_units(office, round1, scored, units):
    from competition import services as competition_services

    services.round_close(actor=office, round_=round1)
    judge = Assignment.objects.filter(round=round1).first().judge
    officer = competition_services.user_create(
        actor=None, username="u1", password=STRONG_PASSWORD, role="officer", unit=units[3]
    )
    for user in (judge, officer):
        for url in (
            f"/api/v1/rounds/{round1.pk}/ranking/",
            f"/api/v1/rounds/{round1.pk}/ranking/judges/",
            f"/api/v1/competitions/{round1.competition_id}/awards/",
        ):
            assert api(user).get(url).status_code == 404, (user, url)
        assert api(user).post(f"/api/v1/rounds/{round1.pk}/aggregate/", {}, format="json").status_code == 404


def test_publicity_end_date_skips_weekends_and_holidays():
    # Friday 2022-12-02, 5 working days, Monday 12-05 a holiday: Fri, Tue, Wed, Thu, Fri
    start, end = publicity_period(dt.date(2022, 12, 2), 5, ["2022-12-05"])
    assert start == dt.date(2022, 12, 2)
    assert end == dt.date(2022, 12, 9)
    # published on a Saturday: starts Monday
    start, end = publicity_period(dt.date(2022, 12, 3), 5, [])
    assert (start, end) == (dt.date(2022, 12, 5), dt.date(2022, 12, 9))


def _publish(office, round1, competition):
    services.round_close(actor=office, round_=round1)
    return services.publicity_publish(actor=office, competition=competition, working_days=5)


def test_publicity_lists_proposed_winners_publicly_without_scores(office, round1, scored, competition):
    publicity = _publish(office, round1, competition)
    competition.refresh_from_db()
    assert competition.phase == Phase.PUBLICITY
    body = api().get(f"/api/v1/public/competitions/{competition.pk}/publicity/").json()
    assert [e["nomination"] for e in body["entries"]] == [n.pk for n in scored[:3]]
    assert set(body["entries"][0]) == {"nomination", "name", "organization", "unit", "category"}
    assert body["ends_on"] == publicity.ends_on.isoformat()


def objection(competition, nomination, **extra):
    return {
        "competition": competition.pk,
        "nomination": nomination.pk,
        "name": "张三",
        "phone": "13912345678",
        "content": "该项目申报的服务时长与实际不符，请核实。",
        **extra,
    }


def test_objection_needs_real_name_and_mobile_and_only_during_publicity(office, round1, scored, competition):
    client = api()
    early = client.post("/api/v1/public/objections/", objection(competition, scored[0]), format="json")
    assert early.status_code == 409
    _publish(office, round1, competition)
    bad = client.post("/api/v1/public/objections/", objection(competition, scored[0], name="", phone="123"), format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) >= {"name", "phone"}
    not_listed = client.post("/api/v1/public/objections/", objection(competition, scored[5]), format="json")
    assert not_listed.status_code == 404
    ok = client.post("/api/v1/public/objections/", objection(competition, scored[0]), format="json")
    assert ok.status_code == 201
    publicity = competition.publicity
    late = timezone.make_aware(dt.datetime.combine(publicity.ends_on + dt.timedelta(days=1), dt.time(9)))
    with time_machine.travel(late, tick=False):
        assert client.post("/api/v1/public/objections/", objection(competition, scored[1]), format="json").status_code == 409


def test_upheld_objection_removes_the_nominee_and_the_next_enters(office, round1, scored, competition):
    _publish(office, round1, competition)
    response = api().post("/api/v1/public/objections/", objection(competition, scored[1]), format="json")
    objection_id = response.json()["id"]

    resolved = api(office).post(
        f"/api/v1/objections/{objection_id}/resolve/", {"decision": "upheld", "reason": "经核实服务时长虚报"}, format="json"
    )
    assert resolved.status_code == 200
    listed = [e["nomination"] for e in api().get(f"/api/v1/public/competitions/{competition.pk}/publicity/").json()["entries"]]
    assert listed == [scored[0].pk, scored[2].pk, scored[3].pk]
    assert Award.objects.get(nomination=scored[1]).status == AwardStatus.REMOVED


def test_finalise_refused_while_an_objection_is_open_or_before_the_end(office, round1, scored, competition):
    publicity = _publish(office, round1, competition)
    objection_id = api().post("/api/v1/public/objections/", objection(competition, scored[0]), format="json").json()["id"]
    client = api(office)
    before_end = client.post(f"/api/v1/competitions/{competition.pk}/finalize/")
    assert before_end.status_code == 409
    after = timezone.make_aware(dt.datetime.combine(publicity.ends_on + dt.timedelta(days=1), dt.time(9)))
    with time_machine.travel(after, tick=False):
        still_open = client.post(f"/api/v1/competitions/{competition.pk}/finalize/")
        assert still_open.status_code == 409
        assert "异议" in still_open.json()["error"]["message"]
        client.post(f"/api/v1/objections/{objection_id}/resolve/", {"decision": "dismissed", "reason": "经核实，反映情况不属实"}, format="json")
        done = client.post(f"/api/v1/competitions/{competition.pk}/finalize/")
    assert done.status_code == 200, done.json()
    assert done.json()["phase"] == "final"
    assert [a["status"] for a in done.json()["awards"]] == ["final"] * 3
    assert Nomination.objects.filter(awarded_at__isnull=False).count() == 3


def test_two_rounds_weighted_and_non_finalists_rank_below(office, units):
    competition = judging_competition(
        office,
        year=2033,
        rounds=[
            {"name": "初评", "method": "mean", "judges_per_nomination": 2, "advance_per_category": 2, "weight": "0.4"},
            {"name": "终评", "method": "mean", "judges_per_nomination": 2, "weight": "0.6"},
        ],
    )
    category = competition.categories.get(code="XM")
    a, b, c = (accepted(competition, category, u)[0] for u in units[3:6])
    make_judge(username="x1")
    make_judge(username="x2")
    r1, r2 = competition.rounds.order_by("order")
    services.assignments_auto(actor=office, round_=r1, seed=1)
    off = {a.pk: 0, b.pk: 1, c.pk: 2}  # points below the maximum on every criterion: a best, c last
    score_all(r1, lambda j, n, k: k.max_points - off[n.pk])
    services.round_close(actor=office, round_=r1)
    advancing = set(round_nominations(round_=r2).values_list("pk", flat=True))
    assert len(advancing) == 2 and c.pk not in advancing
    services.assignments_auto(actor=office, round_=r2, seed=1)
    # the final round reverses a and b: b full marks, a one point off everywhere
    score_all(r2, lambda j, n, k: k.max_points - (1 if n.pk == a.pk else 0))
    services.round_close(actor=office, round_=r2)
    standings = services.final_standings(competition)[category.pk]
    # six criteria: first round a 100, b 94, c 88; final a 94, b 100
    # final = 0.4 × r1 + 0.6 × r2: a 96.40, b 97.60; c stays below on its 88
    assert [(e.nomination, e.score, e.rank) for e in standings] == [
        (b.pk, Decimal("97.60"), 1),
        (a.pk, Decimal("96.40"), 2),
        (c.pk, Decimal("88.00"), 3),
    ]
    assert [e.reached_last for e in standings] == [True, True, False]


def test_validation_of_method(office, round1, scored):
    with pytest.raises(ValidationFailed):
        services.aggregation_request(actor=office, round_=round1, method="best_of")


def test_the_bare_phase_step_cannot_skip_fixing_the_awards(office, round1, scored, competition):
    from competition.services import competition_advance

    publicity = _publish(office, round1, competition)
    after = timezone.make_aware(dt.datetime.combine(publicity.ends_on + dt.timedelta(days=1), dt.time(9)))
    with time_machine.travel(after, tick=False), pytest.raises(Conflict) as exc:
        competition_advance(actor=office, competition=competition, to=Phase.FINAL)
    assert "确定表彰结果" in exc.value.message
    assert set(Award.objects.values_list("status", flat=True)) == {AwardStatus.PROPOSED}
