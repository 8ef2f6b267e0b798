"""Celery tasks of judging: take ids, load, call one service.

The services are imported inside the task bodies: the services enqueue by
task name (``services.results.job_send``) and never import this module, so
the two do not import each other. ``JudgingConfig.ready`` imports this
module, so every process has the tasks registered.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="judging.aggregate_round", acks_late=True, reject_on_worker_lost=True)
def aggregate_round(*, job_id: int) -> int | None:
    """Aggregate a round for one job. Safe to run twice: the snapshot is unique by its inputs."""
    from .services import results

    job = results.job_run(job_id=job_id)
    if job is None:
        logger.warning("aggregation job %s is gone", job_id)
        return None
    return job.snapshot_id


@shared_task(name="judging.drain_outbox")
def drain_outbox() -> int:
    """Send the jobs the broker could not take when they were requested."""
    from .services import results

    return results.outbox_drain()
