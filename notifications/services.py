"""Every write of notifications: notifying, sending, retrying, reading, settings, reminders.

``notify`` is the one call the other apps make, inside the transaction of the
service that caused the event, next to its audit entry. It writes, for each
recipient not yet told (the unique constraint on recipient, event, object
and key), the inbox notification and, when the recipient has an address and
has not turned e-mail off, an e-mail delivery; for the office's events a
企业微信 group post (once per event). After the transaction commits, each
delivery goes to a Celery task (``tasks.deliver``): with Redis to a worker,
with retries and exponential backoff; without Redis in process. A rollback
leaves nothing, so nothing is sent for an event that did not happen.

``delivery_send`` sends one delivery under a row lock and records the
outcome: sent (never sent again), retrying (the task retries it) or failed
(the office sees it with its error and may retry it: ``delivery_retry``).

``periodic_run`` is the periodic job (celery beat; ``manage.py
send_reminders`` without beat): the deadline reminders of each app's
``reminders`` module, the daily summary for the 企业微信 group, and a sweep
that sends deliveries left pending (the broker was down, a worker died).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from competition.audit import audit_record
from competition.enums import Role
from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import User

from . import texts
from .enums import UNSENT_FAILED, Channel, DeliveryStatus, Event
from .models import Delivery, Notification, Preference

logger = logging.getLogger(__name__)

WECOM_MAX_BYTES = 2000  # the robot refuses text over 2048 bytes


class DeliveryError(Exception):
    """A channel refused or could not take a message (the task retries it)."""


# --------------------------------------------------------------------------- notify


def _recipients(recipients: Iterable[User | int] | models.QuerySet | None) -> list[User]:
    if recipients is None:
        return []
    ids = {r.pk if isinstance(r, User) else int(r) for r in recipients}
    if not ids:
        return []
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("notification_preference")
        .order_by("pk")
    )


def wants_email(user: User) -> bool:
    """An address, and e-mail not turned off (the inbox always works)."""
    if not user.email:
        return False
    try:
        return user.notification_preference.email_enabled
    except Preference.DoesNotExist:
        return True


def notify(
    *,
    event: str,
    recipients: Iterable[User | int] | models.QuerySet | None,
    obj: models.Model | None = None,
    context: dict[str, Any],
    url: str = "",
    key: str = "",
    object_type: str | None = None,
    object_id: Any = None,
) -> list[Notification]:
    """Tell ``recipients`` about ``event`` on ``obj`` (once per recipient, event, object and ``key``).

    Call it inside the causing service's transaction. ``context`` fills the
    event's Chinese wording (``texts.WORDING``); ``url`` is the path of the
    page the recipient acts on. Returns the notifications made now (none for
    recipients already told).
    """
    if event not in Event.values:
        raise ValueError(f"unknown notification event {event!r}")
    title, body = texts.render(event, context)
    title = " ".join(title.split())  # a mail subject is one line
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    object_type = object_type or ""
    object_id = "" if object_id is None else str(object_id)
    same = {"event": event, "object_type": object_type, "object_id": object_id, "key": key}
    users = _recipients(recipients)
    with transaction.atomic():
        told = set(
            Notification.objects.filter(recipient__in=users, **same).values_list("recipient_id", flat=True)
        )
        made: list[Notification] = []
        for user in users:
            if user.pk in told:
                continue
            try:
                with transaction.atomic():  # a concurrent run may tell them first
                    made.append(
                        Notification.objects.create(recipient=user, title=title, body=body, url=url, **same)
                    )
            except IntegrityError:
                continue
        rows = [
            Delivery(
                notification=n,
                channel=Channel.EMAIL,
                recipient=n.recipient,
                address=n.recipient.email,
                subject=title,
                text=body,
                url=url,
                **same,
            )
            for n in made
            if wants_email(n.recipient)
        ]
        deliveries = Delivery.objects.bulk_create(rows)
        if event in texts.WECOM_EVENTS and settings.WECOM_WEBHOOK_URL:
            try:
                with transaction.atomic():
                    deliveries.append(
                        Delivery.objects.create(
                            channel=Channel.WECOM, subject=title, text=body, url=url, **same
                        )
                    )
            except IntegrityError:
                pass  # this event was posted to the group already
        ids = [d.pk for d in deliveries]
        if ids:
            transaction.on_commit(lambda: dispatch(delivery_ids=ids))
    return made


DELIVER_TASK = "notifications.deliver"


def dispatch(*, delivery_ids: list[int]) -> None:
    """Hand deliveries to Celery (after commit). A broker that is down leaves them pending
    for the periodic sweep; without a broker they are sent here, in process.

    The task is found by its registered name: this module never imports
    ``notifications.tasks`` (the tasks import the services inside their bodies);
    ``NotificationsConfig.ready`` loads it."""
    from celery import current_app

    deliver = current_app.tasks[DELIVER_TASK]
    eager = deliver.app.conf.task_always_eager
    for delivery_id in delivery_ids:
        try:
            if eager:
                send_in_process(delivery_id=delivery_id, retries=deliver.max_retries or 0)
            else:
                deliver.delay(delivery_id=delivery_id)
        except Exception as exc:  # noqa: BLE001 - a failed send is on the row; never break the caller
            logger.warning("notification delivery %s not sent now: %s", delivery_id, exc)


def send_in_process(*, delivery_id: int, retries: int) -> str:
    """Eager Celery (no Redis): the task's attempts, one after the other, without waiting.

    (Celery's own eager retry lets the first ``Retry`` escape when eager
    exceptions propagate, as they do here.)
    """
    for attempt in range(retries + 1):
        outcome = delivery_send(delivery_id=delivery_id, final=attempt >= retries)
        if outcome != "retry":
            return outcome
    return outcome


# --------------------------------------------------------------------------- sending


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def email_message(delivery: Delivery) -> EmailMultiAlternatives:
    """The e-mail of a delivery: a Chinese subject, plain text and an HTML alternative."""
    recipient = delivery.recipient
    context = {
        "name": str(recipient) if recipient else "",
        "subject": delivery.subject,
        "lines": delivery.text.splitlines(),
        "link": absolute(delivery.url),
        "settings_link": absolute(reverse("notifications:settings")),
        "inbox_link": absolute(reverse("notifications:inbox")),
    }
    text = render_to_string("notifications/email.txt", context)
    html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        connection=get_connection(fail_silently=False),
    )
    message.attach_alternative(html, "text/html")
    return message


def wecom_content(delivery: Delivery) -> str:
    parts = [delivery.subject, delivery.text]
    if delivery.url:
        parts.append(absolute(delivery.url))
    content = "\n".join(parts)
    encoded = content.encode()
    if len(encoded) > WECOM_MAX_BYTES:
        content = encoded[: WECOM_MAX_BYTES - 3].decode(errors="ignore") + "…"
    return content


def wecom_post(content: str) -> None:
    """Post a text message to the group robot; its JSON answer must say errcode 0."""
    payload = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the office's configured https webhook
        settings.WECOM_WEBHOOK_URL,
        data=payload,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.EMAIL_TIMEOUT) as response:  # noqa: S310
            answer = response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"企业微信机器人返回 HTTP {exc.code}。") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"无法连接企业微信机器人：{getattr(exc, 'reason', exc)}") from exc
    try:
        result = json.loads(answer or b"{}")
    except ValueError as exc:
        raise DeliveryError("企业微信机器人的应答不是 JSON。") from exc
    if result.get("errcode", 0) != 0:
        raise DeliveryError(f"企业微信机器人拒绝了消息：{result.get('errcode')} {result.get('errmsg', '')}".strip())


def _send(delivery: Delivery) -> None:
    if delivery.channel == Channel.EMAIL:
        email_message(delivery).send()
    elif delivery.channel == Channel.WECOM:
        if not settings.WECOM_WEBHOOK_URL:
            raise DeliveryError("未配置企业微信机器人地址（WECOM_WEBHOOK_URL）。")
        wecom_post(wecom_content(delivery))
    else:  # pragma: no cover - the check constraint forbids it
        raise DeliveryError(f"未知的渠道：{delivery.channel}")


def error_text(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    if not isinstance(exc, DeliveryError):
        text = f"{exc.__class__.__name__}: {text}"
    return text[:2000]


def delivery_send(*, delivery_id: int, final: bool = True) -> str:
    """Send one delivery once. Returns "sent", "skipped" (already sent or given up), "busy"
    (another worker holds it), "gone", "retry" (failed; the task tries again) or "failed".

    The row is locked while sending (a second task for it skips), and a sent
    row is never sent again: redelivered or duplicated tasks are harmless.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "busy" if Delivery.objects.filter(pk=delivery_id).exists() else "gone"
        if delivery.status not in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING):
            return "skipped"
        delivery.attempts += 1
        try:
            _send(delivery)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            delivery.status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
            delivery.last_error = error_text(exc)
            delivery.save(update_fields=["status", "attempts", "last_error", "updated_at"])
            logger.warning(
                "notification delivery %s (%s) attempt %s failed: %s",
                delivery.pk, delivery.channel, delivery.attempts, delivery.last_error,
            )
            return "failed" if final else "retry"
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "sent_at", "updated_at"])
        return "sent"


@transaction.atomic
def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """The office sends a failed delivery again (a new round of automatic retries)."""
    if actor is None or actor.role != Role.OFFICE:
        raise Forbidden("只有组委会办公室可以重新发送消息。")
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in UNSENT_FAILED:
        raise Conflict(
            f"该消息处于“{DeliveryStatus(delivery.status).label}”状态，无需重新发送。", code="not_failed"
        )
    before = {"status": delivery.status, "attempts": delivery.attempts, "last_error": delivery.last_error}
    delivery.status = DeliveryStatus.PENDING
    delivery.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="notification.delivery_retry",
        obj=delivery,
        before=before,
        after={"status": delivery.status},
    )
    transaction.on_commit(lambda: dispatch(delivery_ids=[delivery.pk]))
    return delivery


def deliveries_sweep(*, now=None, pending_after: int = 600, retrying_after: int = 3600) -> int:
    """Send again the deliveries no task is working on: pending for ``pending_after``
    seconds (the broker was down after commit) or retrying for ``retrying_after``
    (the worker that would retry died). Returns how many were handed to Celery."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(
            models.Q(status=DeliveryStatus.PENDING, updated_at__lte=now - timezone.timedelta(seconds=pending_after))
            | models.Q(
                status=DeliveryStatus.RETRYING, updated_at__lte=now - timezone.timedelta(seconds=retrying_after)
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    if ids:
        dispatch(delivery_ids=ids)
    return len(ids)


# --------------------------------------------------------------------------- the inbox


def notification_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the caller's notifications read (reading twice keeps the first time).

    Reading is the reader's own state, not a change to the competition: no audit entry.
    """
    if notification.recipient_id != actor.pk:
        raise Forbidden()
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_read_all(*, actor: User) -> int:
    """Mark every unread notification of the caller read; returns how many."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, actor: User, email: str, email_enabled: bool) -> Preference:
    """A user sets their own e-mail address and whether they receive e-mail."""
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationFailed(fields={"email": ["电子邮箱：格式不正确。"]}) from exc
        if len(email) > 254:
            raise ValidationFailed(fields={"email": ["电子邮箱：不能超过 254 个字符。"]})
    user = User.objects.select_for_update().get(pk=actor.pk)
    preference, _ = Preference.objects.get_or_create(user=user)
    before = {"email": user.email, "email_enabled": preference.email_enabled}
    after = {"email": email, "email_enabled": bool(email_enabled)}
    if before == after:
        return preference
    User.objects.filter(pk=user.pk).update(email=email)
    actor.email = email
    preference.email_enabled = bool(email_enabled)
    preference.save(update_fields=["email_enabled", "updated_at"])
    audit_record(actor=actor, action="notification.preference_set", obj=user, before=before, after=after)
    return preference


# --------------------------------------------------------------------------- periodic jobs


def deadline_key(deadline, days: int) -> str:
    """The key of a reminder: the deadline (in UTC, however it was loaded) and the threshold."""
    return f"{deadline.astimezone(dt.UTC).isoformat()}:{days}d"


def app_modules(name: str) -> list:
    """The ``<app>.<name>`` modules of the installed apps, in INSTALLED_APPS order.

    How the reminders of apps to the right (nominations, judging) are found
    without this app importing them, as ``seed_demo`` finds each app's ``demo``.
    """
    modules = []
    for config in apps.get_app_configs():
        module = f"{config.name}.{name}"
        if config.name.startswith("django") or find_spec(config.name) is None:
            continue
        if find_spec(module) is not None:
            modules.append(import_module(module))
    return modules


def summary_lines(*, now) -> list[str]:
    failed = Delivery.objects.filter(status__in=UNSENT_FAILED).count()
    return [f"发送失败待处理的消息：{failed} 条。"] if failed else []


def summary_post(*, now=None) -> bool:
    """The day's summary to the office's 企业微信 group, once a day, after the summary hour."""
    now = now or timezone.now()
    if not settings.WECOM_WEBHOOK_URL:
        return False
    local = timezone.localtime(now)
    if local.hour < settings.NOTIFICATIONS_SUMMARY_HOUR:
        return False
    day = local.date()
    if Delivery.objects.filter(
        channel=Channel.WECOM, event=Event.DAILY_SUMMARY, object_type="summary", key=day.isoformat()
    ).exists():
        return False
    lines: list[str] = []
    for module in app_modules("reminders"):
        if hasattr(module, "summary"):
            lines += module.summary(now=now)
    lines += summary_lines(now=now)
    if not lines:
        return False
    notify(
        event=Event.DAILY_SUMMARY,
        recipients=None,
        object_type="summary",
        object_id="daily",
        key=day.isoformat(),
        context={"date": day, "lines": "\n".join(lines)},
        url=reverse("home"),
    )
    return True


def periodic_run(*, now=None) -> dict[str, int]:
    """Reminders before every deadline, the daily summary, and the sweep of unsent deliveries.

    Safe to run as often as wanted: each reminder is once per recipient,
    deadline and threshold (the unique constraint), the summary once a day.
    """
    now = now or timezone.now()
    done: dict[str, int] = {}
    for module in app_modules("reminders"):
        if hasattr(module, "remind"):
            done[module.__name__] = module.remind(now=now)
    done["summary"] = int(summary_post(now=now))
    done["swept"] = deliveries_sweep(now=now)
    return done
