"""Celery tasks of judging: take ids, load, call one service."""

import logging

from celery import shared_task

from .services import results

logger = logging.getLogger(__name__)


@shared_task(name="judging.aggregate_round", acks_late=True, reject_on_worker_lost=True)
def aggregate_round(*, job_id: int) -> int | None:
    """Aggregate a round for one job. Safe to run twice: the snapshot is unique by its inputs."""
    job = results.job_run(job_id=job_id)
    if job is None:
        logger.warning("aggregation job %s is gone", job_id)
        return None
    return job.snapshot_id


@shared_task(name="judging.drain_outbox")
def drain_outbox() -> int:
    """Send the jobs the broker could not take when they were requested."""
    return results.outbox_drain()
