"""Reads of the competition app: querysets scoped to the user."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import AuditEntry, Category, Competition, Criterion, JudgeProfile, Round, Unit, User
from .rules import can_read_all


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.all()


def competition_list(*, user: User) -> QuerySet[Competition]:
    """Every signed-in role sees the competitions and their rubric (judges need it to score)."""
    return Competition.objects.prefetch_related(
        "issuers",
        Prefetch(
            "categories",
            queryset=Category.objects.prefetch_related(
                Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id"))
            ).order_by("order", "id"),
        ),
        Prefetch("rounds", queryset=Round.objects.order_by("order")),
    )


def judge_list(*, user: User) -> QuerySet[JudgeProfile]:
    if not can_read_all(user):
        return JudgeProfile.objects.none()
    return JudgeProfile.objects.select_related("user", "unit").order_by("user__username")


def audit_list(*, user: User) -> QuerySet[AuditEntry]:
    if not can_read_all(user):
        return AuditEntry.objects.none()
    return AuditEntry.objects.select_related("actor")
