"""Reads of certificates: lists scoped to the user, batch progress, the public lookup."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from competition.enums import Role
from competition.refusals import CertificatesInUse

from .enums import FINISHED_BATCH_STATUSES, CertificateStatus, ItemStatus
from .models import BatchItem, Certificate, CertificateBatch

PUBLIC_STATUSES = (CertificateStatus.ISSUED, CertificateStatus.REVOKED)


def _base() -> QuerySet[Certificate]:
    return Certificate.objects.select_related(
        "award", "award__nomination", "award__nomination__unit", "category", "competition"
    )


def certificate_list(*, user, competition_id: int | None = None) -> QuerySet[Certificate]:
    """The office and observers: all; a unit officer: their unit's; anyone else: none."""
    if not user or not user.is_authenticated:
        return Certificate.objects.none()
    qs = _base()
    if user.role in (Role.OFFICE, Role.OBSERVER):
        pass
    elif user.role == Role.OFFICER and user.unit_id:
        qs = qs.filter(award__nomination__unit_id=user.unit_id)
    else:
        return Certificate.objects.none()
    if competition_id is not None:
        qs = qs.filter(competition_id=competition_id)
    return qs.order_by("competition_id", "category__order", "category_id", "serial")


def certificate_downloads(*, user) -> QuerySet[Certificate]:
    """Certificates whose PDF the user may download: the office all, a unit its own issued ones."""
    if not user or not user.is_authenticated:
        return Certificate.objects.none()
    qs = _base().exclude(pdf="")
    if user.role == Role.OFFICE:
        return qs
    if user.role == Role.OFFICER and user.unit_id:
        return qs.filter(award__nomination__unit_id=user.unit_id, status=CertificateStatus.ISSUED)
    return Certificate.objects.none()


def certificate_public(*, token: str) -> Certificate | None:
    """The certificate a verification token names, if it was ever issued (pending ones are not shown)."""
    if not token or len(token) > 64:
        return None
    return (
        Certificate.objects.select_related("competition")
        .filter(token=token, status__in=PUBLIC_STATUSES)
        .first()
    )


NUMBER_MAX = 40  # Certificate.number's length
HOLDER_MAX = 300  # Certificate.holder's length


def certificate_by_number(*, number: str, holder: str) -> Certificate | None:
    """The certificate with exactly this number and this holder's name (the number
    alone finds nothing: both must match). Surrounding spaces of what was typed are
    ignored, nothing else; pending certificates are not shown."""
    number, holder = (number or "").strip(), (holder or "").strip()
    if not number or not holder or len(number) > NUMBER_MAX or len(holder) > HOLDER_MAX:
        return None
    if "\x00" in number or "\x00" in holder:  # PostgreSQL refuses NUL in a string literal
        return None
    return (
        Certificate.objects.select_related("competition")
        .filter(number=number, holder=holder, status__in=PUBLIC_STATUSES)
        .first()
    )


def batch_list(*, user) -> QuerySet[CertificateBatch]:
    if user and user.is_authenticated and user.role in (Role.OFFICE, Role.OBSERVER):
        return CertificateBatch.objects.select_related("competition")
    return CertificateBatch.objects.none()


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int

    @property
    def pending(self) -> int:
        return max(0, self.total - self.done - self.failed)

    @property
    def percent(self) -> int:
        if not self.total:
            return 100
        return round(100 * (self.done + self.failed) / self.total)


def batch_progress(*, batch: CertificateBatch) -> Progress:
    counts = BatchItem.objects.filter(batch=batch).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=ItemStatus.DONE)),
        failed=Count("id", filter=Q(status=ItemStatus.FAILED)),
    )
    return Progress(total=counts["total"], done=counts["done"], failed=counts["failed"])


def batch_failures(*, batch: CertificateBatch) -> QuerySet[BatchItem]:
    return (
        BatchItem.objects.filter(batch=batch, status=ItemStatus.FAILED)
        .select_related("certificate")
        .order_by("certificate__number")
    )


def issuers_in_use(competition_id: int) -> CertificatesInUse:
    """What the competition's certificates hold of its issuers and seals: the issued (not
    revoked) certificates and a batch still rendering (``competition.refusals.issuers_refusal``)."""
    issued = Certificate.objects.filter(competition_id=competition_id, status=CertificateStatus.ISSUED).count()
    batch = (
        CertificateBatch.objects.filter(competition_id=competition_id)
        .exclude(status__in=FINISHED_BATCH_STATUSES)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
        .first()
    )
    return CertificatesInUse(issued=issued, batch=batch)
