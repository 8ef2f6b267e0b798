"""Shapes of the certificates API: input validation and output only; the services act."""

from __future__ import annotations

from rest_framework import serializers

from competition.api.base import Serializer

from ..enums import CertificateStatus
from ..models import Certificate, CertificateBatch
from ..selectors import Progress


class IssueSerializer(Serializer):
    date = serializers.DateField(
        label="落款日期", required=False, allow_null=True, default=None,
        help_text="证书上的日期；不填则为表彰结果确定之日。",
    )


class CertificateReasonSerializer(Serializer):
    reason = serializers.CharField(label="理由", allow_blank=True, max_length=500)


class CertificateSerializer(serializers.ModelSerializer):
    award = serializers.CharField(source="award_name", read_only=True, help_text="奖项名称")
    award_id = serializers.IntegerField(read_only=True)
    nomination = serializers.IntegerField(source="award.nomination_id", read_only=True)
    unit = serializers.CharField(source="award.nomination.unit.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="pending（待生成）、issued（有效）或 revoked（已撤销）")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    verify_url = serializers.CharField(read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "holder",
            "award",
            "award_id",
            "nomination",
            "unit",
            "competition",
            "category",
            "year",
            "date",
            "status",
            "status_display",
            "token",
            "verify_url",
            "sha256",
            "size",
            "version",
            "issued_at",
            "rendered_at",
            "revoked_at",
            "revoked_reason",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj) -> str | None:
        if not obj.pdf:
            return None
        return f"/api/v1/certificates/{obj.pk}/pdf/"


class PublicCertificateSerializer(serializers.Serializer):
    """What anyone sees who holds the token (the QR code): no ids, no files."""

    number = serializers.CharField()
    holder = serializers.CharField()
    award = serializers.CharField(source="award_name")
    competition = serializers.CharField(source="competition_title")
    year = serializers.IntegerField()
    status = serializers.CharField(help_text="issued（有效）或 revoked（已撤销）")
    issued_at = serializers.DateTimeField()
    sha256 = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    # Never the revocation's reason: that it was revoked and when is public, why is not.

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.status != CertificateStatus.REVOKED:
            data.pop("revoked_at")
        return data


class BatchFailureSerializer(serializers.Serializer):
    certificate = serializers.IntegerField()
    number = serializers.CharField()
    holder = serializers.CharField()
    attempts = serializers.IntegerField()
    error = serializers.CharField()


class BatchSerializer(serializers.Serializer):
    """A batch's progress (the shape of ``batch_data``; used for the schema)."""

    id = serializers.IntegerField()
    competition = serializers.IntegerField()
    status = serializers.CharField(help_text="queued、running、done 或 done_with_errors")
    status_display = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()
    percent = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    status_url = serializers.CharField()
    page_url = serializers.CharField()
    archive_url = serializers.CharField(allow_null=True, help_text="全部 PDF 的 ZIP（批次完成后，仅组委会办公室）")
    failures = BatchFailureSerializer(many=True)


def batch_data(batch: CertificateBatch, progress: Progress, *, failures, can_download: bool) -> dict:
    finished = batch.finished_at is not None and bool(batch.archive)
    return {
        "id": batch.pk,
        "competition": batch.competition_id,
        "status": batch.status,
        "status_display": batch.get_status_display(),
        "total": progress.total,
        "done": progress.done,
        "failed": progress.failed,
        "pending": progress.pending,
        "percent": progress.percent,
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
        "status_url": f"/api/v1/certificate-batches/{batch.pk}/",
        "page_url": f"/certificates/batches/{batch.pk}/",
        "archive_url": f"/api/v1/certificate-batches/{batch.pk}/archive/" if finished and can_download else None,
        "failures": [
            {
                "certificate": item.certificate_id,
                "number": item.certificate.number,
                "holder": item.certificate.holder,
                "attempts": item.attempts,
                "error": item.error,
            }
            for item in failures
        ],
    }
