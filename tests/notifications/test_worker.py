"""Sending on a real Celery worker over the real Redis: Celery's retries with backoff
(``autoretry_for``, ``retry_backoff``) until the mail server takes the mail, sent once."""

from __future__ import annotations

import pytest
from django.db import transaction

from competition.enums import Role
from competition.models import Unit
from notifications import services
from notifications.enums import DeliveryStatus, Event
from notifications.models import Delivery
from tests.workers import celery_worker, flush_queue, tasks_sent_to_broker, wait_until

from .conftest import account

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_retries_with_backoff_and_sends_once(postgres, redis_url, smtp, tmp_path):
    flush_queue(redis_url)
    officer = account("w-officer", Role.OFFICER, unit=Unit.objects.get(code="140105"), email="w@example.org")
    smtp.refuse = 2
    env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "NOTIFICATIONS_RETRY_BACKOFF": "1",
        "CELERY_TASK_ALWAYS_EAGER": "false",  # the worker's retries go through Redis
    }
    with celery_worker(redis_url, tmp_path / "worker.log", **env) as worker, tasks_sent_to_broker():
        with transaction.atomic():
            services.notify(
                event=Event.RESULTS_FINAL,
                recipients=[officer],
                object_type="competition.competition",
                object_id=1,
                context={"year": 2030, "competition": "2030年度推选", "count": 3},
            )
        delivery = Delivery.objects.get(recipient=officer)
        try:
            wait_until(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT, 60, "the mail to be sent")
        except TimeoutError:
            print(worker.output()[-4000:])
            print(Delivery.objects.values().get(pk=delivery.pk))
            raise
        log = worker.output()
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert smtp.refused == 2
    assert len(smtp.to("w@example.org")) == 1
    assert "Retry in" in log  # Celery scheduled the retries (with backoff), not a loop of ours
