"""The notifications outbox: one in-app notice per (recipient, event, object, key),
and one delivery row per channel that sends it outside the site.

- ``Notification`` is the inbox entry (title, body, link, read or not). It
  exists as soon as the service that caused the event commits; the inbox
  always "delivers".
- ``Delivery`` is one message to send: an e-mail to one recipient (linked to
  their notification), or one post to the office's 企业微信 group robot per
  event (no recipient). Its status, attempts, last error and time sent are
  kept, so that a failure is visible and can be retried, and a message is
  never sent twice.
- ``Preference``: a user's choice to receive e-mail or not (their address is
  the account's ``email``).

``key`` tells apart two events of the same kind on the same object: the
nomination's version for a review decision (a nomination can be returned
twice), the deadline and threshold for a reminder (``2022-10-31T18:00:00+08:00:3d``),
so that a reminder is sent once however often beat runs.

Fields and constraints only; every write goes through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .enums import Channel, DeliveryStatus, Event


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="收件人"
    )
    event = models.CharField("事件", max_length=32, choices=Event.choices)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    key = models.CharField("区分键", max_length=100, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "站内消息"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event", "object_type", "object_id", "key"],
                name="notification_once_per_recipient",
            ),
            models.CheckConstraint(name="notification_event_valid", condition=Q(event__in=Event.values)),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries", verbose_name="站内消息"
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="收件人",
    )
    address = models.CharField("地址", max_length=254, blank=True)
    event = models.CharField("事件", max_length=32, choices=Event.choices)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    key = models.CharField("区分键", max_length=100, blank=True)
    subject = models.CharField("标题", max_length=200)
    text = models.TextField("正文")
    url = models.CharField("链接", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "消息发送"
        constraints = [
            # One e-mail per notification.
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(notification__isnull=False),
                name="delivery_once_per_notification",
            ),
            # One group post per event, whoever in the office was notified.
            models.UniqueConstraint(
                fields=["event", "object_type", "object_id", "key"],
                condition=Q(channel=Channel.WECOM),
                name="delivery_wecom_once_per_event",
            ),
            models.CheckConstraint(
                name="delivery_email_has_recipient",
                condition=~Q(channel=Channel.EMAIL) | (Q(recipient__isnull=False) & ~Q(address="")),
            ),
            models.CheckConstraint(
                name="delivery_sent_has_time",
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
            ),
            models.CheckConstraint(name="delivery_channel_valid", condition=Q(channel__in=Channel.values)),
            models.CheckConstraint(name="delivery_status_valid", condition=Q(status__in=DeliveryStatus.values)),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="delivery_status_idx")]

    def __str__(self) -> str:
        return f"{Channel(self.channel).label}：{self.subject}"


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference", verbose_name="用户"
    )
    email_enabled = models.BooleanField("接收电子邮件", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息设置"

    def __str__(self) -> str:
        return f"{self.user} 的消息设置"
