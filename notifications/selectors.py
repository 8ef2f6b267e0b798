"""Reads of notifications: the caller's own inbox, the failed deliveries, and
the recipients the other apps name (the office, a unit's officers, every unit)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from competition.enums import Role
from competition.models import User
from competition.rules import can_read_all

from .enums import UNSENT_FAILED
from .models import Delivery, Notification


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nobody else's, ever."""
    if not user or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    if not user or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def delivery_problems(*, user) -> QuerySet[Delivery]:
    """Deliveries whose last attempt failed (retrying or given up), for the office and observers."""
    if not can_read_all(user):
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(status__in=UNSENT_FAILED)
        .select_related("recipient")
        .order_by("-updated_at", "-id")
    )


# --------------------------------------------------------------------------- recipients


def _active() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("pk")


def office_users() -> QuerySet[User]:
    return _active().filter(role=Role.OFFICE)


def unit_officers(*, unit_ids: Iterable[int]) -> QuerySet[User]:
    return _active().filter(role=Role.OFFICER, unit_id__in=list(unit_ids))


def all_officers() -> QuerySet[User]:
    """Every unit's officers."""
    return _active().filter(role=Role.OFFICER)
