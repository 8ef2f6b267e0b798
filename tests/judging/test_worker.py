"""Aggregation on a real Celery worker over the real Redis, including a worker killed mid-task."""

from decimal import Decimal

import pytest

from judging import aggregation, services
from judging.enums import JobStatus
from judging.models import AggregationJob, RankingSnapshot
from tests.judging.conftest import accepted, judging_competition, make_judge, score_all
from tests.workers import celery_worker, flush_queue, tasks_sent_to_broker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored_round(postgres, redis_url, office, units):
    competition = judging_competition(office, year=2034)
    category = competition.categories.get(code="XM")
    for unit in units[3:6]:
        accepted(competition, category, unit, n=2)
    for i in range(3):
        make_judge(username=f"w{i}")
    round_ = competition.rounds.get(order=1)
    services.assignments_auto(actor=office, round_=round_, seed=1)
    score_all(round_, lambda judge, nomination, c: c.max_points - Decimal(nomination.pk % 4) - Decimal(judge.pk % 2))
    flush_queue(redis_url)
    return round_


def expected_ranking(round_):
    """The same ranking computed in this process by the pure functions."""
    by_category = services.round_scorecards(round_)
    (cards,) = by_category.values()
    return [(e.nomination, e.score, e.rank) for e in aggregation.rank(cards, method="trimmed_mean", trim_min_judges=5)]


def snapshot_rows(snapshot):
    return [(e.nomination_id, e.score, e.rank) for e in snapshot.entries.order_by("rank", "nomination_id")]


def test_aggregation_runs_on_a_real_worker(scored_round, redis_url, office, tmp_path):
    with celery_worker(redis_url, tmp_path / "worker.log"), tasks_sent_to_broker():
        job = services.aggregation_request(actor=office, round_=scored_round)
        wait_until(lambda: AggregationJob.objects.get(pk=job.pk).status == JobStatus.DONE, 60, "the job")

    job.refresh_from_db()
    assert job.sent_at is not None
    assert job.done == job.total == 1
    assert snapshot_rows(job.snapshot) == sorted(expected_ranking(scored_round), key=lambda r: (r[2], r[0]))


def test_worker_killed_mid_task_leaves_exactly_one_correct_snapshot(scored_round, redis_url, office, tmp_path):
    with tasks_sent_to_broker():
        first = celery_worker(redis_url, tmp_path / "first.log", XLF_FAULT_DELAYS="aggregation=30")
        worker = first.__enter__()
        try:
            job = services.aggregation_request(actor=office, round_=scored_round)
            wait_until(lambda: AggregationJob.objects.get(pk=job.pk).status == JobStatus.RUNNING, 60, "the task to start")
            worker.kill()
        finally:
            first.__exit__(None, None, None)
        assert RankingSnapshot.objects.filter(round=scored_round).count() == 0  # nothing half-written

        with celery_worker(redis_url, tmp_path / "second.log"):
            wait_until(lambda: AggregationJob.objects.get(pk=job.pk).status == JobStatus.DONE, 90, "the redelivered task")

    assert RankingSnapshot.objects.filter(round=scored_round).count() == 1
    job.refresh_from_db()
    assert snapshot_rows(job.snapshot) == sorted(expected_ranking(scored_round), key=lambda r: (r[2], r[0]))


def test_duplicate_delivery_reuses_the_snapshot(scored_round, redis_url, office, tmp_path):
    from judging.tasks import aggregate_round

    with celery_worker(redis_url, tmp_path / "worker.log"), tasks_sent_to_broker():
        job = services.aggregation_request(actor=office, round_=scored_round)
        wait_until(lambda: AggregationJob.objects.get(pk=job.pk).status == JobStatus.DONE, 60, "the job")
        AggregationJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)  # as if never acknowledged
        aggregate_round.delay(job_id=job.pk)
        aggregate_round.delay(job_id=job.pk)
        wait_until(lambda: AggregationJob.objects.get(pk=job.pk).status == JobStatus.DONE, 60, "the duplicates")

    assert RankingSnapshot.objects.filter(round=scored_round).count() == 1
