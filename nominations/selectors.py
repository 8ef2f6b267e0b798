"""Reads of nominations, scoped to the user."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Prefetch, Q, QuerySet

from competition.enums import EligibilityRule, Phase, Role
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


def form_printable(*, user: User) -> QuerySet[Nomination]:
    """Nominations whose 推荐表 the user may print: the office all, an officer their unit's."""
    qs = Nomination.objects.select_related("competition", "category", "unit")
    if user.is_authenticated and user.role == Role.OFFICE:
        return qs
    if user.is_authenticated and user.role == Role.OFFICER and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


# --------------------------------------------------------------------------- results (结果确定)

# The phases in which results are final and shown to the units.
RESULT_PHASES = (Phase.FINAL, Phase.ARCHIVED)
# The award and the certificate are the judging and certificates apps' (to the
# right of this one): they are read here through their reverse relations
# (``Nomination.award``, ``Award.certificate``) and their stored status values.
AWARD_FINAL = "final"  # judging.enums.AwardStatus.FINAL
CERTIFICATE_ISSUED = "issued"  # certificates.enums.CertificateStatus.ISSUED


def with_results(qs: QuerySet[Nomination]) -> QuerySet[Nomination]:
    """The queryset with each nomination's award and certificate joined (no query per row)."""
    return qs.select_related("award", "award__certificate")


def _related(obj, name: str):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def nomination_result(nomination: Nomination) -> dict | None:
    """``None`` before 结果确定; then ``{"awarded", "award", "certificate"}``.

    ``award`` is the category's name when the nomination is a final winner;
    ``certificate`` the id of its issued honour certificate (downloadable by
    the unit), else None.
    """
    if nomination.competition.phase not in RESULT_PHASES:
        return None
    award = _related(nomination, "award")
    if award is None or award.status != AWARD_FINAL:
        return {"awarded": False, "award": None, "certificate": None}
    certificate = _related(award, "certificate")
    issued = certificate is not None and certificate.status == CERTIFICATE_ISSUED
    return {
        "awarded": True,
        "award": nomination.category.name,
        "certificate": certificate.pk if issued else None,
    }
