"""Redis stopped when the office starts an aggregation: the work is queued in the
database (the job row is the outbox), nothing is lost, and it completes once Redis
is back and the outbox is drained."""

import shutil
import socket

import pytest

from judging.enums import JobStatus
from judging.models import AggregationJob, RankingSnapshot
from judging.services import results
from tests.judging.conftest import api
from tests.workers import RedisServer, broker, celery_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(redis_url, tmp_path):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for the broker fault test")
    server = RedisServer(free_port(), tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


def test_aggregation_requested_while_redis_is_down_completes_when_it_returns(
    postgres, own_redis, scored_round, office, tmp_path
):
    with broker(own_redis.url), celery_worker(own_redis.url, tmp_path / "worker.log"):
        own_redis.stop()

        response = api(office).post(f"/api/v1/rounds/{scored_round.pk}/aggregate/", {}, format="json")

        assert response.status_code == 202
        body = response.json()
        assert body["status"] == "queued"
        assert "消息队列暂不可用" in body["message"]
        job = AggregationJob.objects.get(pk=body["id"])
        assert job.sent_at is None and job.attempts >= 1

        own_redis.start()
        assert results.outbox_drain(older_than_seconds=0) == 1
        wait_until(lambda: AggregationJob.objects.get(pk=job.pk).status == JobStatus.DONE, 90, "the drained job")

    assert RankingSnapshot.objects.filter(round=scored_round).count() == 1
    assert results.outbox_drain(older_than_seconds=0) == 0
