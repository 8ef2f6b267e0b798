"""Finishing a batch: the ZIP of its PDFs with a listing ``清单.csv``."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections import defaultdict

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from competition.audit import audit_record
from notifications.enums import Event
from notifications.selectors import unit_officers
from notifications.services import notify

from ..enums import FINISHED_BATCH_STATUSES, BatchStatus, CertificateStatus, ItemStatus
from ..models import BatchItem, CertificateBatch, batch_zip_path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting like a formula (``=``,
    ``+``, ``-``, ``@``, tab, carriage return) gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _archive(batch: CertificateBatch) -> File:
    """A ZIP of the batch's PDFs (``<number>.pdf``) and a list ``清单.csv`` of what is in it."""
    items = (
        BatchItem.objects.filter(batch=batch)
        .select_related("certificate")
        .order_by("certificate__category__order", "certificate__category_id", "certificate__serial")
    )
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    listing = io.StringIO()
    writer = csv.writer(listing)
    writer.writerow(["证书编号", "获奖者", "奖项", "状态", "SHA-256", "说明"])
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in items:
            c = item.certificate
            if item.status == ItemStatus.DONE and c.status == CertificateStatus.ISSUED and c.pdf:
                with default_storage.open(c.pdf.name, "rb") as fh:
                    archive.writestr(f"{c.number}.pdf", fh.read())
                row = [c.number, c.holder, c.award_name, "有效", c.sha256, ""]
            else:
                row = [c.number, c.holder, c.award_name, ItemStatus(item.status).label, "", item.error]
            writer.writerow([csv_cell(value) for value in row])
        archive.writestr("清单.csv", "\ufeff" + listing.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    tmp.seek(0)
    return File(tmp, name="batch.zip")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tell_units(batch: CertificateBatch) -> int:
    """Tell each winning unit's officers which of their certificates the batch made.

    One notice (and one e-mail) per unit and batch, listing its certificates, not
    one per certificate: an officer whose unit won many awards is told once. Units
    without officers are told nothing. Once per unit and batch (``notify``'s key),
    so finishing a batch again tells nobody twice. Returns the notices made.
    """
    items = (
        BatchItem.objects.filter(batch=batch, status=ItemStatus.DONE, certificate__status=CertificateStatus.ISSUED)
        .select_related("certificate__award__nomination")
        .order_by("certificate__category__order", "certificate__category_id", "certificate__serial")
    )
    by_unit = defaultdict(list)
    for item in items:
        by_unit[item.certificate.award.nomination.unit_id].append(item.certificate)
    officers = defaultdict(list)
    for unit_id, pk in unit_officers(unit_ids=by_unit).order_by("pk").values_list("unit_id", "pk"):
        officers[unit_id].append(pk)
    url = reverse("certificates:competition", args=[batch.competition_id])  # the unit's certificates page
    made = 0
    for unit_id, certificates in by_unit.items():
        if not officers[unit_id]:
            continue
        first = _short(str(certificates[0].award.nomination))
        what = f"“{first}”" if len(certificates) == 1 else f"“{first}”等 {len(certificates)} 项"
        lines = "\n".join(
            f"“{c.award.nomination}”：{c.award_name}（证书编号 {c.number}）" for c in certificates
        )
        made += len(notify(
            event=Event.CERTIFICATE_READY,
            recipients=officers[unit_id],
            obj=batch,
            key=f"unit-{unit_id}",
            url=url,
            context={"year": certificates[0].year, "what": what, "lines": lines},
        ))
    return made


def batch_finish(*, batch_id: int) -> CertificateBatch | None:
    """Zip the batch's PDFs and mark it finished (idempotent: a finished batch is left as it is)."""
    with transaction.atomic():
        batch = CertificateBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status in FINISHED_BATCH_STATUSES:
            return batch
        if BatchItem.objects.filter(batch=batch, status=ItemStatus.PENDING).exists():
            return batch
        archive = _archive(batch)
        name = default_storage.save(batch_zip_path(batch, "batch.zip"), archive)
        archive.close()
        failed = BatchItem.objects.filter(batch=batch, status=ItemStatus.FAILED).count()
        batch.archive.name = name
        batch.status = BatchStatus.DONE_WITH_ERRORS if failed else BatchStatus.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["archive", "status", "finished_at"])
        tell_units(batch)
        audit_record(
            actor=None,
            action="certificates.batch_finish",
            obj=batch,
            after={"status": batch.status, "total": batch.total, "failed": failed},
        )
    return batch
