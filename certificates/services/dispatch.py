"""Handing a batch's work to Celery, and sending again what the broker lost.

The services never import ``certificates.tasks`` (the tasks import the
services, inside their bodies): they look a task up by its registered name
in the Celery app (``certificates.apps`` imports the task module, so every
process has it registered). ``certificates_issue`` calls ``batch_send`` on
``transaction.on_commit``; the worker calls ``batch_check_finished`` when an
item is finished.

The batch row is the outbox: a batch the broker could not take stays
``queued`` with no ``sent_at``, and ``outbox_drain`` sends it later.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from celery import current_app
from django.db.models import F
from django.utils import timezone

from .. import conf
from ..enums import FINISHED_BATCH_STATUSES, BatchStatus, ItemStatus
from ..models import BatchItem, CertificateBatch

logger = logging.getLogger(__name__)

RENDER_TASK = "certificates.render"
FINISH_TASK = "certificates.finish_batch"
UNFINISHED = (BatchStatus.QUEUED, BatchStatus.RUNNING)


def task(name: str):
    """The registered Celery task called ``name`` (``RENDER_TASK``, ``FINISH_TASK``)."""
    return current_app.tasks[name]


def batch_send(*, batch_id: int, after_each: Callable[[], None] | None = None) -> bool:
    """Send a render task for every pending item. False (the batch stays queued) when the broker is down.

    ``after_each`` is called after each task is sent (with eager Celery, after
    each certificate is rendered: the management command's progress bar).
    """
    render_certificate = task(RENDER_TASK)
    CertificateBatch.objects.filter(pk=batch_id).update(attempts=F("attempts") + 1)
    pending = list(
        BatchItem.objects.filter(batch_id=batch_id, status=ItemStatus.PENDING).values_list("pk", flat=True)
    )
    eager = bool(render_certificate.app.conf.task_always_eager)
    # A task renders a chunk of certificates: the reads they share are made once per
    # chunk, and the broker carries a tenth of the messages (eager: one by one, so that
    # the management command's progress bar moves with each certificate).
    size = 1 if eager else conf.render_chunk()
    for start in range(0, len(pending), size):
        chunk = pending[start : start + size]
        try:
            if len(chunk) == 1:
                render_certificate.delay(item_id=chunk[0])
            else:
                render_certificate.delay(item_ids=chunk)
        except Exception:  # noqa: BLE001 - kombu raises many kinds when Redis is away
            if eager:  # not the broker: the task itself failed in process; the others go on
                logger.exception("certificate batch %s: item %s failed in process", batch_id, chunk[0])
                continue
            logger.warning("certificate batch %s: broker unavailable, left queued", batch_id, exc_info=True)
            return False
        if after_each is not None:
            after_each()
    CertificateBatch.objects.filter(pk=batch_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if not pending:
        batch_check_finished(batch_id=batch_id)
    return True


def batch_check_finished(*, batch_id: int) -> None:
    """When no item is pending any more, send the task that zips the batch."""
    if BatchItem.objects.filter(batch_id=batch_id, status=ItemStatus.PENDING).exists():
        return
    if CertificateBatch.objects.filter(pk=batch_id, status__in=FINISHED_BATCH_STATUSES).exists():
        return
    try:
        task(FINISH_TASK).delay(batch_id=batch_id)
    except Exception:  # noqa: BLE001 - the drain finishes it later
        logger.warning("certificate batch %s: could not send finish_batch", batch_id, exc_info=True)


def outbox_drain(*, older_than_seconds: int = 30, stalled_after: int | None = None) -> int:
    """Send again the batches the broker could not take, and the pending items of stalled batches.

    A batch still ``queued`` and never sent (Redis was down when it was
    requested) is sent; a batch with pending items and nothing finished for
    ``stalled_after`` seconds (a message lost) has them sent again; a batch
    with nothing pending left unfinished is finished. Duplicates are harmless.
    """
    now = timezone.now()
    stalled_after = conf.stalled_after() if stalled_after is None else stalled_after
    sent = 0
    for batch_id in CertificateBatch.objects.filter(
        status=BatchStatus.QUEUED, sent_at__isnull=True, created_at__lte=now - dt.timedelta(seconds=older_than_seconds)
    ).values_list("pk", flat=True):
        sent += batch_send(batch_id=batch_id)
    for batch in CertificateBatch.objects.filter(status__in=UNFINISHED, sent_at__isnull=False):
        last = (
            BatchItem.objects.filter(batch=batch, finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        ) or batch.sent_at
        if last <= now - dt.timedelta(seconds=stalled_after):
            sent += batch_send(batch_id=batch.pk)
    return sent
