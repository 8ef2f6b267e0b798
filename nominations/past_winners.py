"""Past winners (往年获奖名单): winners of earlier years, recorded by the office so
that the eligibility check (``eligibility.check``: 往年获奖者不得推荐) sees years
run before this system.

Writes (keyword-only, one transaction each, office only, audited):
``past_winner_create``, ``past_winner_update``, ``past_winner_delete`` and
``past_winner_record`` (idempotent: the exhibition's historic exhibits call it).
A refusal names the bad field in Chinese and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from competition.audit import audit_record, snapshot
from competition.exceptions import ValidationFailed
from competition.models import Category, User
from competition.rules import is_office, require

from .models import PastWinner
from .validators import normalize, normalized_key

OFFICE_ONLY = "只有组委会办公室可以管理往年获奖名单。"
FIELDS = ["year", "category_code", "title", "organization", "unit_name"]
LABELS = {
    "year": "年度",
    "category_code": "奖项",
    "title": "名称",
    "organization": "单位",
    "unit_name": "推荐单位",
}
TEXT_MAX = 100
YEAR_MIN = 1949


@dataclass(frozen=True)
class Award:
    """An award category as the past-winner list knows it (by code, across the years)."""

    code: str
    name: str
    kind: str


def known_awards() -> list[Award]:
    """Every category code used by a competition of this system, with its latest name and kind."""
    seen: dict[str, Award] = {}
    rows = Category.objects.order_by("-competition__year", "order").values_list("code", "name", "kind")
    for code, name, kind in rows:
        seen.setdefault(code, Award(code, name, kind))
    return sorted(seen.values(), key=lambda a: a.code)


def find_award(text: str, awards: list[Award] | None = None) -> Award | None:
    """The award a cell or field means: its code (any case) or its name (punctuation aside)."""
    text = str(text or "").strip()
    if not text:
        return None
    awards = known_awards() if awards is None else awards
    for award in awards:
        if award.code.lower() == text.lower():
            return award
    wanted = normalize(text).removeprefix("太原市学雷锋").removeprefix("学雷锋")
    for award in awards:
        if normalize(award.name) == wanted:
            return award
    return None


def clean(data: dict[str, Any], *, awards: list[Award] | None = None, today=None) -> dict[str, Any]:
    """The fields of a past winner, checked; ``ValidationFailed`` naming each bad field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    unknown = sorted(set(data) - set(FIELDS))
    for name in unknown:
        errors[name] = [f"{name}：往年获奖名单没有这一项。"]
    this_year = (today or timezone.localdate()).year
    raw_year = data.get("year")
    try:
        year = int(str(raw_year).strip().removesuffix("年度").removesuffix("年"))
    except (TypeError, ValueError):
        errors["year"] = ["年度：请填写四位数的年份，如 2019。"]
    else:
        if not YEAR_MIN <= year <= this_year:
            errors["year"] = [f"年度：应在 {YEAR_MIN} 年至 {this_year} 年之间。"]
        out["year"] = year
    award = find_award(data.get("category_code", ""), awards)
    if award is None:
        names = "、".join(f"{a.name}（{a.code}）" for a in (awards if awards is not None else known_awards()))
        given = str(data.get("category_code") or "").strip()
        errors["category_code"] = [
            f"奖项：“{given}”不是已知的奖项，应为 {names} 之一。" if given else f"奖项：未填写，应为 {names} 之一。"
        ]
    else:
        out["category_code"] = award.code
    for name in ("title", "organization", "unit_name"):
        value = str(data.get(name) or "").strip()
        if name == "title" and not normalize(value):
            errors[name] = ["名称：请填写获奖项目、组织或个人的名称。"]
        elif len(value) > TEXT_MAX:
            errors[name] = [f"{LABELS[name]}：不得超过 {TEXT_MAX} 字（现有 {len(value)} 字）。"]
        out[name] = value
    if errors:
        raise ValidationFailed(fields=errors)
    out["normalized_key"] = normalized_key(out["title"], out["organization"])
    return out


def _duplicate(cleaned: dict[str, Any], exclude: int | None = None) -> None:
    twins = PastWinner.objects.filter(
        year=cleaned["year"], category_code=cleaned["category_code"], normalized_key=cleaned["normalized_key"]
    )
    if exclude is not None:
        twins = twins.exclude(pk=exclude)
    if twins.exists():
        raise ValidationFailed(
            fields={"title": [f"名称：{cleaned['year']} 年度的这一奖项已记录了“{cleaned['title']}”。"]}
        )


@transaction.atomic
def past_winner_create(*, actor: User, data: dict[str, Any]) -> PastWinner:
    require(is_office, actor, message=OFFICE_ONLY)
    cleaned = clean(data)
    _duplicate(cleaned)
    winner = PastWinner.objects.create(**cleaned)
    audit_record(actor=actor, action="past_winner.create", obj=winner, after=snapshot(winner, FIELDS))
    return winner


@transaction.atomic
def past_winner_update(*, actor: User, winner: PastWinner, data: dict[str, Any]) -> PastWinner:
    require(is_office, actor, message=OFFICE_ONLY)
    winner = PastWinner.objects.select_for_update().get(pk=winner.pk)
    merged = {name: getattr(winner, name) for name in FIELDS} | dict(data)
    cleaned = clean(merged)
    _duplicate(cleaned, exclude=winner.pk)
    changed = [name for name in [*FIELDS, "normalized_key"] if getattr(winner, name) != cleaned[name]]
    if not changed:
        return winner
    before = snapshot(winner, FIELDS)
    for name in changed:
        setattr(winner, name, cleaned[name])
    winner.save()
    audit_record(actor=actor, action="past_winner.update", obj=winner, before=before, after=snapshot(winner, FIELDS))
    return winner


@transaction.atomic
def past_winner_delete(*, actor: User, winner: PastWinner, reason: str = "") -> None:
    require(is_office, actor, message=OFFICE_ONLY)
    winner = PastWinner.objects.select_for_update().get(pk=winner.pk)
    before = snapshot(winner, FIELDS)
    pk = winner.pk
    winner.delete()
    audit_record(
        actor=actor,
        action="past_winner.delete",
        object_type=PastWinner._meta.label_lower,
        object_id=pk,
        before=before,
        reason=(reason or "").strip(),
    )


@transaction.atomic
def past_winner_record(*, actor: User, data: dict[str, Any]) -> tuple[PastWinner, bool]:
    """The past winner of ``data``, recorded unless it already is (audited when created)."""
    require(is_office, actor, message=OFFICE_ONLY)
    cleaned = clean(data)
    existing = PastWinner.objects.filter(
        year=cleaned["year"], category_code=cleaned["category_code"], normalized_key=cleaned["normalized_key"]
    ).first()
    if existing is not None:
        return existing, False
    winner = PastWinner.objects.create(**cleaned)
    audit_record(actor=actor, action="past_winner.create", obj=winner, after=snapshot(winner, FIELDS))
    return winner, True
