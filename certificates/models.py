"""Honour certificates (荣誉证书), their numbering, designs and issue batches.

Fields and constraints only; every write goes through ``services`` (a package).

- ``Certificate``: one per final award (``award`` is a OneToOne: the database
  refuses a second one). Its number ``TY-XLF-2022-XM-0001`` comes from
  ``CertificateSequence``, a counter per competition and category locked
  while numbers are handed out, and is unique with ``(competition,
  category, serial)``. A certificate is ``pending`` until its PDF is
  rendered, then ``issued``; the office may revoke it (with a reason) or
  reissue it (same number and token, new PDF, new SHA-256).
- ``CertificateBatch``: one issue request, the outbox row of its tasks and
  the progress the batch page and ``GET /api/v1/certificate-batches/{id}/``
  show; ``BatchItem``: one certificate of a batch.
- ``CertificateTemplate``: the office's design of a category (template,
  stylesheet, background image); without one the packaged design is used.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length

from competition.models import Category, Competition
from judging.models import Award

from .enums import BatchStatus, CertificateStatus, ItemStatus

models.CharField.register_lookup(Length)


def certificate_pdf_path(instance: Certificate, filename: str) -> str:
    """A generated name; nothing of the holder's goes into the path."""
    return f"certificates/{instance.competition_id}/{uuid.uuid4().hex}.pdf"


def batch_zip_path(instance: CertificateBatch, filename: str) -> str:
    return f"certificates/{instance.competition_id}/batches/{uuid.uuid4().hex}.zip"


def background_path(instance: CertificateTemplate, filename: str) -> str:
    return f"certificates/designs/{uuid.uuid4().hex}.jpg"


class CertificateSequence(models.Model):
    """The last serial handed out for one competition and category (locked while numbering)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField("已用编号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "证书编号序列"
        constraints = [
            models.UniqueConstraint(fields=["competition", "category"], name="certificate_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.competition_id}/{self.category_id}: {self.last}"


class Certificate(models.Model):
    """The honour certificate of one final award."""

    award = models.OneToOneField(
        Award, on_delete=models.PROTECT, related_name="certificate", verbose_name="表彰"
    )
    competition = models.ForeignKey(
        Competition, on_delete=models.PROTECT, related_name="certificates", verbose_name="推选活动"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="certificates", verbose_name="奖项"
    )
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("证书编号", max_length=40, unique=True)
    token = models.CharField("验证码", max_length=64, unique=True, editable=False)
    # What the certificate prints, copied when it is rendered: the public
    # verification shows what was printed even if the nomination changes later.
    holder = models.CharField("获奖者", max_length=300)
    award_name = models.CharField("奖项名称", max_length=100)
    competition_title = models.CharField("活动名称", max_length=200)
    year = models.PositiveIntegerField("年度")
    date = models.DateField("落款日期")
    status = models.CharField(
        "状态", max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.PENDING
    )
    pdf = models.FileField("PDF 文件", upload_to=certificate_pdf_path, blank=True, max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("文件大小（字节）", default=0)
    issued_at = models.DateTimeField("颁发时间", null=True, blank=True)
    rendered_at = models.DateTimeField("本版生成时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_reason = models.TextField("撤销理由", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["competition", "category__order", "serial"]
        verbose_name = verbose_name_plural = "荣誉证书"
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "category", "serial"], name="certificate_serial_unique"
            ),
            models.CheckConstraint(name="certificate_serial_positive", condition=Q(serial__gte=1)),
            models.CheckConstraint(
                name="certificate_status_valid", condition=Q(status__in=CertificateStatus.values)
            ),
            models.CheckConstraint(
                name="certificate_issued_has_pdf",
                condition=~Q(status=CertificateStatus.ISSUED)
                | (~Q(pdf="") & Q(sha256__length=64) & Q(issued_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="certificate_revoked_has_reason",
                condition=~Q(status=CertificateStatus.REVOKED)
                | (~Q(revoked_reason="") & Q(revoked_at__isnull=False)),
            ),
            # secrets.token_urlsafe(32): 43 characters, 256 random bits.
            models.CheckConstraint(name="certificate_token_long", condition=Q(token__length__gte=32)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.holder}"

    @property
    def verify_path(self) -> str:
        return f"/verify/{self.token}/"

    @property
    def verify_url(self) -> str:
        return f"{settings.SITE_URL.rstrip('/')}{self.verify_path}"


class CertificateBatch(models.Model):
    """One issue of a competition's certificates: outbox row, progress and the ZIP of the PDFs.

    The row and its items are written in the request's transaction and the
    render tasks are sent after commit; a batch still ``queued`` (the broker
    was down) is sent again by ``outbox_drain``. Progress is counted from the
    items, so a task delivered twice never counts twice.
    """

    competition = models.ForeignKey(
        Competition, on_delete=models.PROTECT, related_name="certificate_batches", verbose_name="推选活动"
    )
    status = models.CharField(
        "状态", max_length=24, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField("证书数", default=0)
    chars = models.TextField("字符集", blank=True, help_text="本批证书用到的、基础字符集以外的字符。")
    archive = models.FileField("ZIP 文件", upload_to=batch_zip_path, blank=True, max_length=200)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "证书生成批次"
        constraints = [
            models.CheckConstraint(name="batch_status_valid", condition=Q(status__in=BatchStatus.values)),
        ]

    def __str__(self) -> str:
        return f"{self.competition} 证书批次 #{self.pk}（{self.get_status_display()}）"


class BatchItem(models.Model):
    """One certificate of a batch: rendered (done), waiting (pending) or given up (failed)."""

    batch = models.ForeignKey(CertificateBatch, on_delete=models.CASCADE, related_name="items")
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="batch_items")
    status = models.CharField("状态", max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.TextField("错误", blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = verbose_name_plural = "批次证书"
        constraints = [
            models.UniqueConstraint(fields=["batch", "certificate"], name="batch_item_once"),
            models.CheckConstraint(name="batch_item_status_valid", condition=Q(status__in=ItemStatus.values)),
        ]
        indexes = [models.Index(fields=["batch", "status"], name="batch_item_status_idx")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.certificate_id} {self.status}"


class CertificateTemplate(models.Model):
    """The office's certificate design for one award category (A4 landscape).

    Blank fields fall back to the packaged design (``certificates/assets/default``).
    """

    category = models.OneToOneField(
        Category, on_delete=models.CASCADE, related_name="certificate_template", verbose_name="奖项"
    )
    html = models.TextField(
        "证书模板（HTML）",
        blank=True,
        help_text=(
            "Django 模板语法，姓名等内容自动转义。可用变量：title、holder、holder_lines、salutation、"
            "body、award、competition_title、year、date（中文日期）、number、qr（二维码图片地址）、"
            "issuers（name、seal）。留空则使用默认模板。"
        ),
    )
    stylesheet = models.TextField(
        "样式表（CSS）",
        blank=True,
        help_text="字体请用 \"XLF Serif\"（思源宋体，400/700 两种字重）。只能引用默认设计自带的素材和 data: 地址。留空则使用默认样式。",
    )
    background = models.ImageField(
        "背景图片",
        upload_to=background_path,
        blank=True,
        max_length=200,
        help_text="A4 横向（297×210 毫米）。上传后自动转为 JPEG（生成更快）。留空则使用默认背景。",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "证书模板"

    def __str__(self) -> str:
        return f"{self.category} 证书模板"
