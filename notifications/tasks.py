"""Celery tasks of notifications: take ids, load, call one service.

``deliver`` sends one delivery. A failure raises ``DeliveryFailed`` and
Celery retries it with exponential backoff (``NOTIFICATIONS_RETRY_BACKOFF``
seconds, doubled each time, up to an hour, with jitter) until
``NOTIFICATIONS_MAX_RETRIES`` retries; the last failure leaves the row
failed, for the office to see and retry. Under eager Celery (no Redis) the
retries run at once, in process. The task is acknowledged late and may run
twice: ``services.delivery_send`` locks the row and skips what is sent.

The services are imported inside the task bodies: ``services.dispatch``
sends ``deliver`` by its name and never imports this module, so the two do
not import each other.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


class DeliveryFailed(Exception):
    """Raised to make Celery retry a delivery."""


@shared_task(
    bind=True,
    name="notifications.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=settings.NOTIFICATIONS_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.NOTIFICATIONS_MAX_RETRIES,
)
def deliver(self, *, delivery_id: int) -> str:
    from . import services

    final = self.request.retries >= (self.max_retries or 0)
    outcome = services.delivery_send(delivery_id=delivery_id, final=final)
    if outcome == "retry":
        raise DeliveryFailed(f"delivery {delivery_id} failed; retry {self.request.retries + 1}")
    return outcome


@shared_task(name="notifications.periodic")
def periodic() -> dict:
    """Deadline reminders, the daily 企业微信 summary, unsent deliveries (celery beat)."""
    from . import services

    return services.periodic_run()
