"""Certificate batches on real Celery workers over the real Redis, including a worker killed mid-batch.

The workers are ``celery -A config worker --pool=prefork --concurrency=2``
processes on the pytest-django test database (``tests.workers``); the
batches are issued in this process with eager mode off, so the render tasks
go through Redis. The killed worker is made slow with the project's fault
injection (``XLF_FAULT_DELAYS=render=<seconds>``, read by the render task).
"""

from __future__ import annotations

import hashlib

import pytest
from django.db.models import Count

from certificates import services
from certificates.enums import FINISHED_BATCH_STATUSES, BatchStatus, CertificateStatus, ItemStatus
from certificates.models import BatchItem, Certificate, CertificateBatch
from judging.models import Award
from tests.certificates.conftest import (
    assert_safe_subset_fonts,
    award_for,
    make_final,
    pdf_text,
    squeeze,
)
from tests.workers import celery_worker, flush_queue, tasks_sent_to_broker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def six_awards(postgres, redis_url, office, units):
    competition = make_final(office, year=2035)
    for i, unit in enumerate(units[:4]):
        award_for(competition, "XM", unit, title=f"{unit.short_name}为树木松绑拔刺", organization=f"{unit.name}志愿服务中心", rank=i + 1)
    award_for(competition, "ZZ", units[4], title=f"{units[4].short_name}志愿服务队")
    award_for(competition, "ZYZ", units[5], title="王𠮷堃")
    flush_queue(redis_url)
    return competition


def finished(batch_id: int) -> bool:
    return CertificateBatch.objects.get(pk=batch_id).status in FINISHED_BATCH_STATUSES


def assert_one_issued_certificate_per_award(competition, tmp_path) -> None:
    awards = Award.objects.filter(competition=competition)
    certificates = Certificate.objects.filter(competition=competition)
    assert certificates.count() == awards.count() == 6
    assert set(certificates.values_list("award_id", flat=True)) == set(awards.values_list("pk", flat=True))
    assert not certificates.values("number").annotate(n=Count("id")).filter(n__gt=1).exists()
    for certificate in certificates:
        assert certificate.status == CertificateStatus.ISSUED
        assert certificate.version == 1  # rendered and stored once
        with certificate.pdf.open("rb") as fh:
            pdf = fh.read()
        assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
        assert_safe_subset_fonts(pdf)
        text = squeeze(pdf_text(pdf, tmp_path))
        assert certificate.number in text and "二〇二二年十二月五日" in text
        assert all(part in text for part in certificate.holder.split())


def test_a_batch_renders_on_real_workers(six_awards, office, redis_url, tmp_path):
    with celery_worker(redis_url, tmp_path / "worker.log") as worker, tasks_sent_to_broker():
        batch = services.certificates_issue(actor=office, competition=six_awards)
        wait_until(lambda: finished(batch.pk), 90, "the batch")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE, worker.output()[-3000:]
    assert batch.sent_at is not None and batch.archive
    assert BatchItem.objects.filter(batch=batch, status=ItemStatus.DONE).count() == 6
    assert_one_issued_certificate_per_award(six_awards, tmp_path)
    # In the worker the renders took their own process's renderer: the PDFs are real.
    assert all(c.size > 20_000 for c in Certificate.objects.filter(competition=six_awards))


def test_a_worker_killed_mid_batch_leaves_exactly_one_certificate_per_award(six_awards, office, redis_url, tmp_path):
    with tasks_sent_to_broker():
        slow = celery_worker(redis_url, tmp_path / "slow.log", XLF_FAULT_DELAYS="render=2")
        worker = slow.__enter__()
        try:
            batch = services.certificates_issue(actor=office, competition=six_awards)
            done = lambda: BatchItem.objects.filter(batch=batch, status=ItemStatus.DONE).count()  # noqa: E731
            wait_until(lambda: done() >= 1, 60, "the first certificate")
            worker.kill()  # SIGKILL to the worker and its pool, renders in flight
        finally:
            slow.__exit__(None, None, None)
        assert done() < 6, "the batch finished before the kill; make the renders slower"
        assert not finished(batch.pk)

        with celery_worker(redis_url, tmp_path / "second.log") as second:
            wait_until(lambda: finished(batch.pk), 90, "the batch after the restart")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE, second.output()[-3000:]
    assert BatchItem.objects.filter(batch=batch, status=ItemStatus.DONE).count() == 6
    assert_one_issued_certificate_per_award(six_awards, tmp_path)
