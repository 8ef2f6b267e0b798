"""What the render task runs: one batch item's certificate, rendered and stored once.

``item_render`` is safe to run twice or after a worker died (the task is
acknowledged late and redelivered); ``item_fail`` gives up on one item after
its retries. Both call ``dispatch.batch_check_finished`` so that the batch is
zipped when nothing is pending any more.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from judging.models import Award

from .. import conf, fonts, rendering
from ..enums import BatchStatus, CertificateStatus, ItemStatus
from ..models import BatchItem, Certificate, CertificateBatch, certificate_pdf_path
from . import designs
from .dispatch import batch_check_finished
from .wording import certificate_data, issuer_data, printed_fields

logger = logging.getLogger(__name__)


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
    except BaseException:
        if name:
            default_storage.delete(name)
        raise
    return True


def items_render(*, item_ids: list[int], before_each: Callable[[], None] | None = None) -> list[int]:
    """Render the certificates of several batch items (one task's chunk); returns the ids not finished.

    The same outcome per item as :func:`item_render` (skipped when finished,
    safe to run twice), with the reads the items share made once: the items
    with their certificates, awards, nominations, categories and competition
    in one query, the issuers once per competition, the design once per
    category. Each certificate is stored with one conditional ``UPDATE``
    (``status = pending``: a second delivery keeps the first PDF) and its item
    marked done at once. On an exception the item and the rest of the chunk
    are returned unfinished: the caller sends them one by one (with retries).
    """
    items = list(
        BatchItem.objects.select_related(
            "batch",
            "certificate__award__nomination",
            "certificate__award__category",
            "certificate__award__competition",
        )
        .filter(pk__in=item_ids, status=ItemStatus.PENDING)
        .order_by("pk")
    )
    if not items:
        return []
    BatchItem.objects.filter(pk__in=[i.pk for i in items]).update(attempts=F("attempts") + 1)
    CertificateBatch.objects.filter(pk__in={i.batch_id for i in items}, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING
    )
    issuers: dict[int, tuple[rendering.IssuerData, ...]] = {}
    loaded: dict[int, rendering.Design] = {}
    for index, item in enumerate(items):
        try:
            if before_each is not None:
                before_each()
            certificate = item.certificate
            if certificate.status == CertificateStatus.PENDING:
                award = certificate.award
                if award.competition_id not in issuers:
                    issuers[award.competition_id] = issuer_data(competition_id=award.competition_id)
                if certificate.category_id not in loaded:
                    loaded[certificate.category_id] = designs.design_for(category_id=certificate.category_id)
                data = certificate_data(certificate=certificate, award=award, issuers=issuers[award.competition_id])
                pdf = designs.render_certificate_pdf(data, loaded[certificate.category_id], chars=item.batch.chars)
                _issue_loaded(certificate=certificate, pdf=pdf, data=data)
                BatchItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
                    status=ItemStatus.DONE, error="", finished_at=timezone.now()
                )
            else:
                _item_finish(item_id=item.pk)  # issued by another delivery, or revoked meanwhile
        except Exception:  # noqa: BLE001 - the rest goes one by one, with the single task's retries
            logger.warning("certificate item %s failed in a chunk; sent on its own", item.pk, exc_info=True)
            for batch_id in {i.batch_id for i in items[:index]}:
                batch_check_finished(batch_id=batch_id)
            return [i.pk for i in items[index:]]
    for batch_id in {i.batch_id for i in items}:
        batch_check_finished(batch_id=batch_id)
    return []


def _issue_loaded(*, certificate: Certificate, pdf: bytes, data: rendering.CertificateData) -> bool:
    """``_issue`` for a certificate loaded with its award and nomination: one conditional
    ``UPDATE`` instead of a locked read and a save. False when another delivery stored one first."""
    name = None
    try:
        with transaction.atomic():
            name = store_pdf(certificate, pdf)
            now = timezone.now()
            stored = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.PENDING).update(
                **printed_fields(data),
                pdf=name,
                sha256=hashlib.sha256(pdf).hexdigest(),
                size=len(pdf),
                status=CertificateStatus.ISSUED,
                issued_at=now,
                rendered_at=now,
                version=F("version") + 1,
            )
            if not stored:
                default_storage.delete(name)
                return False
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
