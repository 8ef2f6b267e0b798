"""A render task's chunk of certificates (``services.items_render``): the same outcome as one by one."""

from __future__ import annotations

import pytest

from certificates import services
from certificates.enums import CertificateStatus, ItemStatus
from certificates.models import BatchItem, Certificate
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_chunk_issues_each_certificate_once_and_a_redelivery_renders_nothing(
    office, officer, final, awards, monkeypatch
):
    batch = services.certificates_issue(actor=office, competition=final, send=False)
    ids = list(BatchItem.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
    assert services.items_render(item_ids=ids) == []
    assert set(BatchItem.objects.filter(batch=batch).values_list("status", flat=True)) == {ItemStatus.DONE}
    certificates = Certificate.objects.filter(competition=final)
    assert {c.status for c in certificates} == {CertificateStatus.ISSUED}
    assert all(c.pdf and c.size > 20_000 and c.sha256 for c in certificates)
    told = Notification.objects.filter(event="certificate_ready").count()
    assert told >= 1  # the winning units' officers are told, as one by one
    digests = {c.pk: c.sha256 for c in certificates}

    monkeypatch.setattr(services, "render_certificate_pdf", lambda *a, **k: pytest.fail("rendered again"))
    assert services.items_render(item_ids=ids) == []  # a redelivered chunk: every item finished
    BatchItem.objects.filter(pk__in=ids).update(status=ItemStatus.PENDING)  # an older message, items pending again
    assert services.items_render(item_ids=ids) == []
    assert {c.pk: c.sha256 for c in Certificate.objects.filter(competition=final)} == digests
    assert Notification.objects.filter(event="certificate_ready").count() == told


def test_a_failing_certificate_hands_itself_and_the_rest_back(office, final, awards, monkeypatch):
    batch = services.certificates_issue(actor=office, competition=final, send=False)
    ids = list(BatchItem.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
    from certificates.services import designs

    real = designs.render_certificate_pdf
    calls = []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(designs, "render_certificate_pdf", second_fails)  # where the worker looks it up
    assert services.items_render(item_ids=ids) == ids[1:]
    assert BatchItem.objects.get(pk=ids[0]).status == ItemStatus.DONE
    assert set(BatchItem.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == {ItemStatus.PENDING}


def test_a_chunk_tells_each_units_officers_read_once_and_skips_units_without_any(
    office, officer, final, awards, monkeypatch
):
    """The officers of the chunk's units are read in one query; a unit without officers is told nothing."""
    from certificates.services import worker

    batch = services.certificates_issue(actor=office, competition=final, send=False)
    ids = list(BatchItem.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
    reads, told = [], []
    read = worker._officers_by_unit
    monkeypatch.setattr(worker, "_officers_by_unit", lambda unit_ids: reads.append(set(unit_ids)) or read(unit_ids))
    notify = worker.notify
    monkeypatch.setattr(worker, "notify", lambda **kw: told.append(list(kw["recipients"])) or notify(**kw))
    assert services.items_render(item_ids=ids) == []
    units = {a.nomination.unit_id for a in awards}
    assert reads == [units]
    mine = [a for a in awards if a.nomination.unit_id == officer.unit_id]
    assert mine and len(mine) < len(awards)  # some units have an officer, some have none
    assert told == [[officer.pk]] * len(mine)
    assert Notification.objects.filter(event="certificate_ready", recipient=officer).count() == len(mine)
