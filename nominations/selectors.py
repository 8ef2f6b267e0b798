"""Reads of nominations, scoped to the user."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from competition.enums import EligibilityRule, Role
from competition.models import Category, User
from competition.rules import can_read_all
from competition.selectors import nomination_quotas

from . import eligibility
from .enums import QUOTA_STATUSES
from .models import Attachment, Nomination


def nomination_list(*, user: User) -> QuerySet[Nomination]:
    """What the user may see: the office and observers all, an officer their unit's.

    Judges read nominations through their assignments (the judging app), not here.
    """
    qs = Nomination.objects.select_related(
        "competition", "category", "unit"
    ).prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "order", "id")))
    if can_read_all(user):
        return qs
    if user.is_authenticated and user.role == Role.OFFICER and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def attachment_visible(*, user: User) -> QuerySet[Attachment]:
    qs = Attachment.objects.select_related("nomination", "nomination__competition")
    if can_read_all(user):
        return qs
    if user.is_authenticated and user.role == Role.OFFICER and user.unit_id:
        return qs.filter(nomination__unit_id=user.unit_id)
    return qs.none()


def quota_left(*, unit_id: int, competition_id: int) -> list[dict]:
    """Per category: the unit's quota (its override where the office set one), places used
    (submitted and accepted) and left."""
    quotas = nomination_quotas(competition_id=competition_id, unit_id=unit_id)
    categories = Category.objects.filter(competition_id=competition_id).annotate(
        used=Count(
            "nominations",
            filter=Q(nominations__unit_id=unit_id, nominations__status__in=QUOTA_STATUSES),
        )
    )
    return [
        {
            "category": c.pk,
            "name": c.name,
            "quota": quotas.get(c.pk, c.nomination_quota_per_unit),
            "used": c.used,
            "left": max(0, quotas.get(c.pk, c.nomination_quota_per_unit) - c.used),
        }
        for c in categories.order_by("order", "id")
    ]


def review_queue(*, user: User) -> QuerySet[Nomination]:
    """The office's queue: everything submitted or decided (no drafts).

    In the model's order (competition, category, unit, the unit's preference
    order); the page filters it by warnings rather than sorting by them.
    """
    return nomination_list(user=user).exclude(status__in=["draft"])


def warnings_for(*, user: User, nomination: Nomination) -> list[dict]:
    """A nomination's eligibility warnings as ``user`` may read them.

    Stored warnings are neutral; the office and observers also learn which
    other units nominated the same name (a unit officer only that a possible
    duplicate exists).
    """
    stored = list(nomination.warnings or [])
    if not can_read_all(user):
        return stored
    return [
        {**w, "message": eligibility.duplicate_message(nomination)}
        if w.get("code") == EligibilityRule.DUPLICATE
        else w
        for w in stored
    ]
