"""What the render task runs: one batch item's certificate, rendered and stored once.

``item_render`` is safe to run twice or after a worker died (the task is
acknowledged late and redelivered); ``item_fail`` gives up on one item after
its retries. Both call ``dispatch.batch_check_finished`` so that the batch is
zipped when nothing is pending any more.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from judging.models import Award
from notifications.enums import Event
from notifications.selectors import unit_officers
from notifications.services import notify

from .. import conf, fonts, rendering
from ..enums import BatchStatus, CertificateStatus, ItemStatus
from ..models import BatchItem, Certificate, CertificateBatch, certificate_pdf_path
from . import designs
from .dispatch import batch_check_finished
from .wording import certificate_data, printed_fields


def store_pdf(certificate: Certificate, pdf: bytes) -> str:
    """Save a rendered PDF under a new generated name; the name."""
    return default_storage.save(certificate_pdf_path(certificate, "certificate.pdf"), ContentFile(pdf))


def item_attempts(*, item_id: int) -> int:
    return BatchItem.objects.filter(pk=item_id).values_list("attempts", flat=True).first() or 0


def item_render(*, item_id: int) -> str:
    """Render the certificate of one batch item, once: ``"done"``, ``"skipped"`` or ``"gone"``.

    Safe to run twice or after a worker died: an item already finished is
    skipped, and a certificate found issued when the PDF is to be stored
    (another delivery won) keeps its PDF; ours is thrown away. Exceptions
    propagate (the task retries, then calls ``item_fail``).
    """
    item = BatchItem.objects.select_related("batch", "certificate").filter(pk=item_id).first()
    if item is None:
        return "gone"
    if item.status != ItemStatus.PENDING:
        return "skipped"
    BatchItem.objects.filter(pk=item.pk).update(attempts=F("attempts") + 1)
    CertificateBatch.objects.filter(pk=item.batch_id, status=BatchStatus.QUEUED).update(status=BatchStatus.RUNNING)
    certificate = item.certificate
    if certificate.status == CertificateStatus.PENDING:
        award = Award.objects.select_related("nomination", "category", "competition").get(pk=certificate.award_id)
        data = certificate_data(certificate=certificate, award=award)
        design = designs.design_for(category_id=certificate.category_id)
        pdf = designs.render_certificate_pdf(data, design, chars=item.batch.chars)
        _issue(certificate_id=certificate.pk, pdf=pdf, data=data)
    outcome = _item_finish(item_id=item.pk)
    batch_check_finished(batch_id=item.batch_id)
    return outcome


def _issue(*, certificate_id: int, pdf: bytes, data: rendering.CertificateData) -> bool:
    """Store a first PDF for a pending certificate. False when another delivery stored one first."""
    name = None
    try:
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
            if certificate.status != CertificateStatus.PENDING:
                return False
            name = store_pdf(certificate, pdf)
            now = timezone.now()
            for key, value in printed_fields(data).items():
                setattr(certificate, key, value)
            certificate.pdf.name = name
            certificate.sha256 = hashlib.sha256(pdf).hexdigest()
            certificate.size = len(pdf)
            certificate.status = CertificateStatus.ISSUED
            certificate.issued_at = now
            certificate.rendered_at = now
            certificate.version = F("version") + 1
            certificate.save()
            nomination = certificate.award.nomination
            notify(
                event=Event.CERTIFICATE_READY,
                recipients=unit_officers(unit_ids=[nomination.unit_id]),
                obj=certificate,
                url=reverse("certificate-pdf", args=[certificate.pk]),
                context={
                    "year": certificate.year,
                    "nomination": str(nomination),
                    "award": certificate.award_name,
                    "number": certificate.number,
                },
            )
    except BaseException:
        if name:
            default_storage.delete(name)
        raise
    return True


def _item_finish(*, item_id: int) -> str:
    """Mark an item done if its certificate has a PDF now (failed if it was revoked meanwhile)."""
    item = BatchItem.objects.select_related("certificate").get(pk=item_id)
    if item.certificate.status == CertificateStatus.REVOKED:
        BatchItem.objects.filter(pk=item_id, status=ItemStatus.PENDING).update(
            status=ItemStatus.FAILED, error="证书已被撤销，未生成。", finished_at=timezone.now()
        )
        return "failed"
    BatchItem.objects.filter(pk=item_id, status=ItemStatus.PENDING).update(
        status=ItemStatus.DONE, error="", finished_at=timezone.now()
    )
    return "done"


def item_fail(*, item_id: int, error: str) -> None:
    """Give up on one certificate of a batch (after its retries); the rest carry on."""
    updated = BatchItem.objects.filter(pk=item_id, status=ItemStatus.PENDING).update(
        status=ItemStatus.FAILED, error=(error or "生成失败。")[:2000], finished_at=timezone.now()
    )
    batch_id = BatchItem.objects.filter(pk=item_id).values_list("batch_id", flat=True).first()
    if updated and batch_id:
        batch_check_finished(batch_id=batch_id)


def error_message(exc: BaseException) -> str:
    """A message for the office: ours are Chinese already; anything else gets a Chinese prefix."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        return f"生成超时（超过 {conf.soft_time_limit()} 秒）。"
    if isinstance(exc, fonts.GlyphMissing | fonts.FontMissing | rendering.RenderError):
        return str(exc)
    return f"生成失败：{type(exc).__name__}: {exc}"[:2000]
