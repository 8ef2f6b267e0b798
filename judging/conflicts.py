"""回避: why a judge may not score a nomination.

Checked when assigning and again when scoring, so that a row that slipped
past (an affiliation added after assignment, a row forced into the database)
still blocks scoring and shows in the office's conflict report.
"""

from __future__ import annotations

from competition.enums import CategoryKind
from competition.models import JudgeProfile, User
from nominations.models import Nomination
from nominations.validators import normalize

SAME_UNIT_REASON = "评委与被推荐对象同属一个推荐单位，须回避。"
ORGANIZATION_REASON = "评委与被推荐对象的组织有关联，须回避。"
DECLARED_REASON = "评委已申明与该推荐存在利益关系，须回避。"


def affiliation_keys(profile: JudgeProfile | None) -> set[str]:
    if profile is None:
        return set()
    return {normalize(o) for o in profile.organizations or [] if normalize(o)}


def nomination_organizations(nomination: Nomination) -> set[str]:
    """The organisations a nomination belongs to: its organisation, or its own name for an organisation."""
    names = {nomination.organization}
    if nomination.category.kind == CategoryKind.ORGANIZATION:
        names.add(nomination.title)
    return {normalize(n) for n in names if normalize(n)}


def conflict_reason(
    *,
    judge: User,
    nomination: Nomination,
    profile: JudgeProfile | None = None,
    declared: set[int] | None = None,
) -> str | None:
    """The Chinese reason ``judge`` must not score ``nomination``, or None.

    ``profile`` and ``declared`` (ids of nominations the judge declared a
    conflict with) may be passed in by callers that check many pairs.
    """
    if profile is None:
        profile = JudgeProfile.objects.filter(user=judge).select_related("unit").first()
    if profile is not None and profile.unit_id and profile.unit_id == nomination.unit_id:
        return SAME_UNIT_REASON
    if affiliation_keys(profile) & nomination_organizations(nomination):
        return ORGANIZATION_REASON
    if declared is None:
        declared_conflict = nomination.conflict_declarations.filter(judge=judge).exists()
    else:
        declared_conflict = nomination.pk in declared
    if declared_conflict:
        return DECLARED_REASON
    return None
