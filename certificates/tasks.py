"""Celery tasks of the certificates: take ids, load, call one service.

``render_certificate`` renders one certificate of a batch, or a chunk of
them (``item_ids``, sent by ``services.batch_send``), within a soft time limit. It is acknowledged late and requeued when its worker dies
(Redis redelivers an unacknowledged message after the broker's visibility
timeout), so it may run twice: ``services.worker.item_render`` makes the
second run a no-op. A failing render is sent again with exponential backoff
(``CERTIFICATES_RETRY_BACKOFF``, doubled each time) until
``CERTIFICATES_RENDER_ATTEMPTS`` attempts (counted in the database, so
redeliveries count too), then reported failed; the rest of the batch carries
on. A character without a glyph is not retried.

The services are imported inside the task bodies: the services enqueue by
task name (``services.dispatch``) and never import this module, so there is
no import circle between the two.
"""

from __future__ import annotations

import logging

from celery import shared_task

from competition.faults import fault_delay

from . import conf, fonts

logger = logging.getLogger(__name__)


@shared_task(
    name="certificates.render",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=conf.soft_time_limit(),
    time_limit=conf.time_limit(),
    max_retries=None,
)
def render_certificate(*, item_id: int | None = None, item_ids: list[int] | None = None) -> str:
    from .services import worker

    if item_ids is not None:
        # A chunk (``dispatch.batch_send``): rendered together; what did not finish goes on one by one.
        left = worker.items_render(item_ids=item_ids, before_each=lambda: fault_delay("render"))
        for rest in left:
            render_certificate.delay(item_id=rest)
        return f"{len(item_ids) - len(left)} done"
    fault_delay("render")  # XLF_FAULT_DELAYS=render=<s>: the killed-worker test only
    try:
        return worker.item_render(item_id=item_id)
    except Exception as exc:  # noqa: BLE001 - every failure is retried, then reported
        attempts = worker.item_attempts(item_id=item_id)
        permanent = isinstance(exc, fonts.GlyphMissing)
        if not permanent and attempts < conf.render_attempts():
            countdown = conf.retry_backoff() * 2 ** max(0, attempts - 1)
            logger.warning("certificate item %s: attempt %s failed (%s), retry in %ss", item_id, attempts, exc, countdown)
            # A new message rather than self.retry(): the same in a worker, and it
            # also retries under eager Celery (where Retry would just propagate).
            render_certificate.apply_async(kwargs={"item_id": item_id}, countdown=countdown)
            return "retrying"
        logger.error("certificate item %s failed after %s attempts: %s", item_id, attempts, exc)
        worker.item_fail(item_id=item_id, error=worker.error_message(exc))
        return "failed"


@shared_task(name="certificates.finish_batch", acks_late=True, reject_on_worker_lost=True)
def finish_batch(*, batch_id: int) -> str | None:
    """Zip a batch whose certificates are all rendered or failed (idempotent)."""
    from .services import archive

    batch = archive.batch_finish(batch_id=batch_id)
    return batch.status if batch is not None else None


@shared_task(name="certificates.drain_outbox")
def drain_outbox() -> int:
    """Send the batches the broker could not take, and the lost messages of stalled batches."""
    from .services import dispatch

    return dispatch.outbox_drain()
