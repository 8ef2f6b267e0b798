"""Revoking and reissuing one certificate (the office, with a reason, audited)."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from competition.audit import audit_record
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Competition, User
from competition.rules import is_office, require
from judging.enums import AwardStatus
from judging.models import Award

from ..enums import CertificateStatus
from ..models import Certificate
from . import designs
from .wording import certificate_data, issuer_data, printed_fields
from .worker import store_pdf

REASON_MAX = 500


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["理由：必须写明理由。"]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(fields={"reason": [f"理由：不超过 {REASON_MAX} 字。"]})
    return reason


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke an issued certificate: verification shows it as revoked, with the date and reason."""
    require(is_office, actor)
    reason = _reason(reason)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict("该证书已撤销。", code="already_revoked")
    if certificate.status != CertificateStatus.ISSUED:
        raise Conflict("该证书尚未生成，不能撤销。", code="not_issued")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        action="certificate.revoke",
        obj=certificate,
        before={"status": CertificateStatus.ISSUED, "number": certificate.number},
        after={"status": CertificateStatus.REVOKED, "revoked_at": certificate.revoked_at},
        reason=reason,
    )
    return certificate


def certificate_reissue(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Render a new PDF for an issued (or revoked) certificate: same number and token, new SHA-256.

    It prints the nomination as it is now (a corrected name, say) and makes
    a revoked certificate valid again. The old PDF is deleted.
    """
    require(is_office, actor)
    reason = _reason(reason)
    certificate = Certificate.objects.get(pk=certificate.pk)
    if certificate.status == CertificateStatus.PENDING:
        raise Conflict("该证书尚未生成，请通过颁发批次生成。", code="not_issued")
    award = Award.objects.select_related("nomination", "category", "competition").get(pk=certificate.award_id)
    if award.status != AwardStatus.FINAL:
        raise Conflict("该表彰已不在确定的表彰名单中，不能重新颁发。", code="award_not_final")
    data = certificate_data(certificate=certificate, award=award)
    pdf = designs.render_certificate_pdf(data, designs.design_for(category_id=certificate.category_id))
    name = None
    try:
        with transaction.atomic():
            # The issuers and seals printed are still the competition's: they may have changed
            # while this rendered (the certificate was revoked, so they were not locked). The
            # competition's row is the lock their changes take.
            Competition.objects.select_for_update().get(pk=certificate.competition_id)
            if issuer_data(competition_id=certificate.competition_id) != data.issuers:
                raise Conflict(
                    "颁发单位或印章刚被修改，证书未重新颁发；请再次操作，证书将印上修改后的颁发单位和印章。",
                    code="stale",
                )
            locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
            if locked.version != certificate.version or locked.status == CertificateStatus.PENDING:
                raise Conflict("该证书刚被他人修改，请刷新后重试。", code="stale")
            before = {"status": locked.status, "sha256": locked.sha256, "version": locked.version, "pdf": locked.pdf.name}
            old_name = locked.pdf.name
            name = store_pdf(locked, pdf)
            for key, value in printed_fields(data).items():
                setattr(locked, key, value)
            locked.pdf.name = name
            locked.sha256 = hashlib.sha256(pdf).hexdigest()
            locked.size = len(pdf)
            locked.status = CertificateStatus.ISSUED
            locked.rendered_at = timezone.now()
            locked.version = locked.version + 1
            locked.revoked_at = None
            locked.revoked_reason = ""
            locked.save()
            audit_record(
                actor=actor,
                action="certificate.reissue",
                obj=locked,
                before=before,
                after={"status": locked.status, "sha256": locked.sha256, "version": locked.version, "pdf": name},
                reason=reason,
            )
            if old_name:
                transaction.on_commit(lambda: default_storage.delete(old_name))
    except BaseException:
        if name:
            default_storage.delete(name)
        raise
    return locked
