from django.db import models


class CertificateStatus(models.TextChoices):
    """``pending``: numbered, its PDF not rendered yet (never shown publicly)."""

    PENDING = "pending", "待生成"
    ISSUED = "issued", "有效"
    REVOKED = "revoked", "已撤销"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    DONE_WITH_ERRORS = "done_with_errors", "已完成（部分失败）"


FINISHED_BATCH_STATUSES = (BatchStatus.DONE, BatchStatus.DONE_WITH_ERRORS)


class ItemStatus(models.TextChoices):
    PENDING = "pending", "待生成"
    DONE = "done", "已生成"
    FAILED = "failed", "失败"
