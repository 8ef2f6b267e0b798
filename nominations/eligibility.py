"""Eligibility checks (资格条件) from the category's thresholds.

Each check gives a warning for the office's review; the checks the category
lists in ``hard_rules`` refuse submission instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from competition.enums import CategoryKind, EligibilityRule

from .enums import Status
from .models import Nomination, PastWinner


@dataclass(frozen=True)
class Finding:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def check(nomination: Nomination) -> list[Finding]:
    category = nomination.category
    findings: list[Finding] = []
    kind = category.kind

    if kind in (CategoryKind.PROJECT, CategoryKind.ORGANIZATION) and category.min_years_running:
        years = nomination.years_running
        label = "项目运行" if kind == CategoryKind.PROJECT else "组织成立"
        if years is not None and years < category.min_years_running:
            findings.append(
                Finding(
                    EligibilityRule.MIN_YEARS_RUNNING,
                    f"{label}满 {years} 年，少于本奖项要求的 {category.min_years_running} 年。",
                )
            )
    if (
        kind in (CategoryKind.PROJECT, CategoryKind.ORGANIZATION)
        and category.min_volunteers
        and nomination.volunteers is not None
        and nomination.volunteers < category.min_volunteers
    ):
        findings.append(
            Finding(
                EligibilityRule.MIN_VOLUNTEERS,
                f"志愿者 {nomination.volunteers} 人，少于本奖项要求的 {category.min_volunteers} 人。",
            )
        )
    if (
        kind == CategoryKind.ORGANIZATION
        and nomination.volunteers
        and nomination.active_volunteers is not None
        and nomination.active_volunteers * 10 < nomination.volunteers * 6
    ):
        findings.append(
            Finding(
                "active_ratio",
                f"经常参与的志愿者 {nomination.active_volunteers} 人，不足注册志愿者的 60%。",
            )
        )

    key = nomination.normalized_key
    if key and not key.startswith("|"):
        year = nomination.competition.year
        if category.exclude_past_winners:
            # A winner recorded by its name alone (an organisation's unit may be left
            # blank on the past-winner list) matches that name beside any unit.
            by_name = key.split("|", 1)[0] + "|"
            past = (
                PastWinner.objects.filter(
                    normalized_key__in={key, by_name}, category_code=category.code, year__lt=year
                )
                .order_by("-year")
                .values_list("year", flat=True)
                .first()
            )
            if past is None:
                past = (
                    Nomination.objects.filter(
                        normalized_key=key,
                        category__code=category.code,
                        competition__year__lt=year,
                        awarded_at__isnull=False,
                    )
                    .order_by("-competition__year")
                    .values_list("competition__year", flat=True)
                    .first()
                )
            if past is not None:
                findings.append(
                    Finding(EligibilityRule.PAST_WINNER, f"已于 {past} 年度获评“{category.name}”。")
                )
        if _twins(nomination).exists():
            # Stored and shown to the unit as is: which other unit nominated the
            # same name is for the office only (see ``duplicate_message``).
            findings.append(Finding(EligibilityRule.DUPLICATE, DUPLICATE_NEUTRAL))
    return findings


DUPLICATE_NEUTRAL = "可能与其他推荐重复（名称与单位相同），组委会办公室将核实。"


def _twins(nomination: Nomination):
    key = nomination.normalized_key
    return (
        Nomination.objects.filter(competition_id=nomination.competition_id, normalized_key=key)
        .exclude(pk=nomination.pk)
        .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN, Status.REJECTED])
    )


def duplicate_units(nomination: Nomination) -> list[str]:
    """The other units that nominated the same name (for the office's eyes only)."""
    key = nomination.normalized_key
    if not key or key.startswith("|"):
        return []
    return sorted(set(_twins(nomination).values_list("unit__short_name", flat=True)))


def duplicate_message(nomination: Nomination) -> str:
    """The office's wording of the duplicate warning: which units nominated it too."""
    units = duplicate_units(nomination)
    if not units:
        return DUPLICATE_NEUTRAL
    return f"同一项目（名称与单位相同）已由{'、'.join(units)}推荐。"


def hard_failures(nomination: Nomination, findings: list[Finding]) -> list[Finding]:
    hard = set(nomination.category.hard_rules or [])
    return [f for f in findings if f.code in hard]
