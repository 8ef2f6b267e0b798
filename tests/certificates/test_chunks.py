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


def test_a_finished_batch_tells_each_units_officers_once_listing_its_certificates(office, officer, final, awards):
    """One notice per unit and batch (not one per certificate), listing every certificate of
    the unit; a unit without officers is told nothing; finishing again tells nobody twice."""
    from certificates.services import archive

    batch = services.certificates_issue(actor=office, competition=final, send=False)
    ids = list(BatchItem.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
    assert services.items_render(item_ids=ids) == []  # the last chunk finishes the batch (eager Celery here)
    mine = Certificate.objects.filter(competition=final, award__nomination__unit=officer.unit)
    assert mine.count() == 2 < len(awards)  # the officer's unit won two; the other units have no officer
    notices = list(Notification.objects.filter(event="certificate_ready"))
    assert [n.recipient_id for n in notices] == [officer.pk]
    notice = notices[0]
    for certificate in mine:
        assert certificate.number in notice.body and f"“{certificate.award.nomination}”" in notice.body
    assert notice.body.count("证书编号") == mine.count()
    assert notice.title.endswith("等 2 项的荣誉证书已生成")
    assert notice.url == f"/certificates/competitions/{final.pk}/"
    batch.refresh_from_db()
    assert archive.tell_units(batch) == 0  # once per unit and batch
    assert Notification.objects.filter(event="certificate_ready").count() == 1
