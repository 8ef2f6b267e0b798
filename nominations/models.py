"""Nominations (推荐), their attachments and the office's review (资格审查).

Fields only; every write goes through ``services.py``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from rules.contrib.models import RulesModelBase, RulesModelMixin

from competition.models import Category, Competition, Unit

from . import rules as perms
from . import schema
from .enums import QUOTA_STATUSES, AttachmentKind, ServiceField, Status
from .validators import (
    INTRODUCTION_MAX,
    SUMMARY_MAX,
    full_years,
    validate_media_links,
    validate_name_list,
    validate_phone,
)

models.CharField.register_lookup(Length)
models.TextField.register_lookup(Length)


class Nomination(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """One unit's nomination of a project, organisation, person or community for one category."""

    competition = models.ForeignKey(
        Competition, on_delete=models.PROTECT, related_name="nominations", verbose_name="推选活动"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="nominations", verbose_name="奖项"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="nominations", verbose_name="推荐单位"
    )
    order = models.PositiveSmallIntegerField(schema.verbose("order"), null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)

    # Common to every kind: a project's or organisation's name, a person's name.
    title = models.CharField(schema.verbose("title"), max_length=100, blank=True)
    organization = models.CharField(schema.verbose("organization"), max_length=100, blank=True)
    introduction = models.TextField(schema.verbose("introduction"), blank=True)
    summary = models.TextField(schema.verbose("summary"), blank=True)
    honors = models.TextField(schema.verbose("honors"), blank=True)
    media_links = models.JSONField(
        schema.verbose("media_links"), default=list, blank=True, validators=[validate_media_links]
    )
    leader = models.CharField(schema.verbose("leader"), max_length=50, blank=True)
    contact_name = models.CharField(schema.verbose("contact_name"), max_length=50, blank=True)
    contact_phone = models.CharField(
        schema.verbose("contact_phone"), max_length=20, blank=True, validators=[validate_phone]
    )

    # Project (最佳志愿服务项目推荐表).
    field = models.CharField(
        schema.verbose("field"), max_length=20, choices=ServiceField.choices, blank=True
    )
    service_targets = models.CharField(schema.verbose("service_targets"), max_length=200, blank=True)
    service_area = models.CharField(schema.verbose("service_area"), max_length=200, blank=True)
    started_on = models.DateField(schema.verbose("started_on"), null=True, blank=True)
    volunteers = models.PositiveIntegerField(schema.verbose("volunteers"), null=True, blank=True)
    active_volunteers = models.PositiveIntegerField(
        schema.verbose("active_volunteers"), null=True, blank=True
    )
    service_hours = models.PositiveIntegerField(schema.verbose("service_hours"), null=True, blank=True)
    activities = models.PositiveIntegerField(schema.verbose("activities"), null=True, blank=True)
    beneficiaries = models.PositiveBigIntegerField(
        schema.verbose("beneficiaries"), null=True, blank=True
    )
    innovation = models.TextField(schema.verbose("innovation"), blank=True)
    social_benefit = models.TextField(schema.verbose("social_benefit"), blank=True)
    sustainability = models.TextField(schema.verbose("sustainability"), blank=True)

    # Organisation.
    registration = models.CharField(schema.verbose("registration"), max_length=200, blank=True)
    founded_on = models.DateField(schema.verbose("founded_on"), null=True, blank=True)
    brand_projects = models.JSONField(
        schema.verbose("brand_projects"), default=list, blank=True, validators=[validate_name_list]
    )
    system_building = models.TextField(schema.verbose("system_building"), blank=True)

    # The integrity pledge (诚信承诺).
    pledge = models.BooleanField(schema.verbose("pledge"), default=False)
    pledged_at = models.DateTimeField("承诺时间", null=True, blank=True)

    # Derived and workflow fields.
    normalized_key = models.CharField(max_length=220, blank=True, db_index=True, editable=False)
    warnings = models.JSONField("资格提示", default=list, blank=True, editable=False)
    review_reason = models.TextField("审查意见", blank=True)
    reviewed_at = models.DateTimeField("审查时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    awarded_at = models.DateTimeField("获评时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        ordering = ["competition", "category__order", "unit__order", "order", "id"]
        verbose_name = verbose_name_plural = "推荐"
        indexes = [
            models.Index(fields=["competition", "status"], name="nomination_comp_status_idx"),
            models.Index(fields=["category", "unit", "status"], name="nomination_quota_idx"),
        ]
        constraints = [
            # A unit's places in a category: one live nomination per preference order.
            # With the service's check that order ≤ quota, this bounds the quota in the database.
            models.UniqueConstraint(
                fields=["category", "unit", "order"],
                condition=Q(status__in=QUOTA_STATUSES),
                name="nomination_unit_order_unique_live",
                violation_error_message="该推荐排序已被本单位的另一项推荐占用。",
            ),
            models.CheckConstraint(
                name="nomination_live_has_order",
                condition=~Q(status__in=QUOTA_STATUSES) | Q(order__gte=1),
                violation_error_message="已提交的推荐必须有推荐排序。",
            ),
            models.CheckConstraint(
                name="nomination_submitted_pledged",
                condition=Q(status=Status.DRAFT) | Q(pledge=True),
                violation_error_message="提交前必须作出诚信承诺。",
            ),
            models.CheckConstraint(
                name="nomination_decision_has_reason",
                condition=~Q(status__in=[Status.RETURNED, Status.REJECTED]) | ~Q(review_reason=""),
                violation_error_message="退回或不予通过必须写明理由。",
            ),
            models.CheckConstraint(
                name="nomination_status_valid", condition=Q(status__in=Status.values)
            ),
            models.CheckConstraint(
                name="nomination_introduction_length",
                condition=Q(introduction__length__lte=INTRODUCTION_MAX),
                violation_error_message=f"简介不得超过 {INTRODUCTION_MAX} 字。",
            ),
            models.CheckConstraint(
                name="nomination_summary_length",
                condition=Q(summary__length__lte=SUMMARY_MAX),
                violation_error_message=f"概述不得超过 {SUMMARY_MAX} 字。",
            ),
            models.CheckConstraint(
                name="nomination_active_le_volunteers",
                condition=Q(active_volunteers__isnull=True)
                | Q(volunteers__isnull=True)
                | Q(active_volunteers__lte=models.F("volunteers")),
                violation_error_message="经常参与志愿者人数不能多于志愿者人数。",
            ),
        ]
        # Who and when (rules.py): pages ask these to decide what to offer.
        # ``change`` is who only: the API's gate for every write of the unit
        # (the services answer a state conflict with 409).
        rules_permissions = {
            "view": perms.can_view_nomination,
            "add": perms.can_add_nomination,
            "change": perms.can_edit_nomination,
            "edit": perms.can_edit_nomination & perms.can_be_edited,
            "submit": perms.can_edit_nomination & perms.can_be_submitted,
            "withdraw": perms.can_withdraw_nomination & perms.can_be_withdrawn,
            "delete": perms.can_delete_nomination & perms.can_be_deleted,
            "review": perms.can_review_nomination & perms.can_be_reviewed,
        }

    def __str__(self) -> str:
        return self.title or f"推荐 #{self.pk}"

    @property
    def start_date(self):
        return self.founded_on if self.category.kind == "organization" else self.started_on

    @property
    def years_running(self) -> int | None:
        """Completed years from the start (or founding) date to the nomination deadline."""
        reference = timezone.localtime(self.competition.nominations_close).date()
        return full_years(self.start_date, reference)


def attachment_path(instance: Attachment, filename: str) -> str:
    """A generated name: the uploaded file's own name is never used on disk."""
    ext = {
        "application/pdf": "pdf",
        "image/jpeg": "jpg",
        "image/png": "png",
        "video/mp4": "mp4",
    }.get(instance.content_type, "bin")
    return f"attachments/{instance.nomination.competition_id}/{uuid.uuid4().hex}.{ext}"


def thumbnail_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.nomination.competition_id}/thumbs/{uuid.uuid4().hex}.jpg"


class Attachment(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A file of a nomination: the stamped form, photos, a video, other PDFs."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="attachments", verbose_name="推荐"
    )
    kind = models.CharField("类型", max_length=16, choices=AttachmentKind.choices)
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    thumbnail = models.ImageField("缩略图", upload_to=thumbnail_path, blank=True, max_length=200)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    caption = models.CharField("说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nomination", "kind", "order", "id"]
        verbose_name = verbose_name_plural = "附件"
        constraints = [
            models.CheckConstraint(
                name="attachment_photo_has_caption",
                condition=~Q(kind=AttachmentKind.PHOTO) | ~Q(caption=""),
                violation_error_message="照片必须填写说明。",
            ),
            models.CheckConstraint(
                name="attachment_kind_valid", condition=Q(kind__in=AttachmentKind.values)
            ),
        ]
        rules_permissions = {
            "view": perms.can_view_attachment,
            "delete": perms.can_delete_attachment,
        }

    def __str__(self) -> str:
        return self.original_name or self.file.name


class PastWinner(models.Model):
    """A winner of an earlier year recorded before this system (for the past-winner check)."""

    year = models.PositiveIntegerField("年度")
    category_code = models.CharField("奖项代码", max_length=8)
    title = models.CharField("名称", max_length=100)
    organization = models.CharField("单位", max_length=100, blank=True)
    unit_name = models.CharField("推荐单位", max_length=100, blank=True)
    normalized_key = models.CharField(max_length=220, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        ordering = ["-year", "category_code", "title"]
        verbose_name = verbose_name_plural = "往年获奖名单"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "category_code", "normalized_key"],
                name="pastwinner_unique",
                violation_error_message="同一年度、同一奖项已记录了这一获奖者。",
            ),
            models.CheckConstraint(name="pastwinner_title_present", condition=~Q(title="")),
            models.CheckConstraint(name="pastwinner_code_present", condition=~Q(category_code="")),
            models.CheckConstraint(
                name="pastwinner_year_range", condition=Q(year__gte=1949) & Q(year__lte=9999)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.category_code} {self.title}"
