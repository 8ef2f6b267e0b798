"""Reads of the competition app: querysets scoped to the user."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import (
    AuditEntry,
    Category,
    Competition,
    Criterion,
    JudgeProfile,
    QuotaOverride,
    Round,
    Unit,
    User,
)
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


def nomination_quota(category: Category, unit: Unit | int) -> int:
    """The number of nominations ``unit`` may submit in ``category``: its override, else
    the category's ``nomination_quota_per_unit``. The one reading of a unit's quota."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    override = (
        QuotaOverride.objects.filter(category_id=category.pk, unit_id=unit_id)
        .values_list("nomination_quota", flat=True)
        .first()
    )
    return override if override is not None else category.nomination_quota_per_unit


def nomination_quotas(*, competition_id: int, unit_id: int) -> dict[int, int]:
    """{category id: the unit's quota} for every category of a competition."""
    categories = Category.objects.filter(competition_id=competition_id).values_list(
        "pk", "nomination_quota_per_unit"
    )
    quotas = dict(categories)
    for category_id, quota in QuotaOverride.objects.filter(
        category__competition_id=competition_id, unit_id=unit_id
    ).values_list("category_id", "nomination_quota"):
        quotas[category_id] = quota
    return quotas


def quota_overrides(*, category: Category) -> QuerySet[QuotaOverride]:
    return QuotaOverride.objects.filter(category=category).select_related("unit")
