"""The office's year setup: every write of the year's structure pages.

Each service checks the role (``rules.require``) and the phase (structure
changes only in 筹备, the rule of ``competition.services``; issuers and
seals in any phase, as in the admin, but not under issued certificates:
``competition.refusals.issuers_refusal``), validates every row before it
writes anything (a refusal names the row and the field in Chinese and
changes nothing), runs in one transaction and writes one audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from ..audit import audit_record, snapshot
from ..enums import AggregationMethod, CategoryKind, EligibilityRule, Phase
from ..exceptions import Conflict, ValidationFailed
from ..models import Category, Competition, Criterion, Issuer, QuotaOverride, Round, Unit, User
from ..refusals import issuers_refusal, refuse
from ..rules import is_office, require
from ..services import (
    CATEGORY_FIELDS,
    ROUND_FIELDS,
    competition_structure,
    competition_update,
    issuer_seal_set,
    structure_item_delete,
    structure_item_save,
)
from .seals import MAX_BYTES, seal_problems

MIN_YEAR, MAX_YEAR = 2000, 2100

# Apps to the right copy what they keep per category (the certificates app: each
# category's design) by registering a hook from their ``AppConfig.ready``, so that
# this module never imports them. A hook is called inside the copy's transaction as
# ``hook(actor=..., categories={source category: new category})``.
_copy_hooks: list[Callable[..., None]] = []


def register_copy_hook(hook: Callable[..., None]) -> Callable[..., None]:
    if hook not in _copy_hooks:
        _copy_hooks.append(hook)
    return hook
CRITERION_FIELDS = ["order", "name", "guidance", "max_points", "weight", "tie_break_rank"]
ROUND_ROW_FIELDS = [*ROUND_FIELDS, "deadline"]
RUBRIC_TOTAL = Decimal("100")


def not_draft_refusal(competition: Competition) -> str | None:
    """Why the year's structure cannot change now (the message of ``competition.services``), or None."""
    if competition.phase != Phase.DRAFT:
        return (
            f"活动已进入“{Phase(competition.phase).label}”阶段，奖项、评分标准和评审轮次只能在筹备阶段修改。"
        )
    return None


def _refuse_unless_draft(competition: Competition) -> None:
    refused = not_draft_refusal(competition)
    if refused:
        raise Conflict(refused, code="competition_not_draft")


def _locked(competition: Competition) -> Competition:
    return Competition.objects.select_for_update().get(pk=competition.pk)


def _number(n: Decimal) -> str:
    return f"{n.normalize():f}"


# --------------------------------------------------------------------------- a new year


def _shift(value: dt.datetime | None, years: int) -> dt.datetime | None:
    """``value`` moved by whole years in local time (29 February becomes the 28th)."""
    if value is None:
        return None
    local = timezone.localtime(value)
    try:
        return local.replace(year=local.year + years)
    except ValueError:
        return local.replace(year=local.year + years, day=28)


def _empty_dates(year: int) -> dict[str, dt.datetime]:
    tz = timezone.get_current_timezone()
    return {
        "nominations_open": dt.datetime(year, 9, 1, 9, 0, tzinfo=tz),
        "nominations_close": dt.datetime(year, 10, 31, 17, 0, tzinfo=tz),
        "judging_close": dt.datetime(year, 11, 30, 17, 0, tzinfo=tz),
    }


def _title(source: Competition | None, year: int) -> str:
    if source is not None and str(source.year) in source.title:
        return source.title.replace(str(source.year), str(year))
    return f"{year}年度太原市学雷锋志愿服务先进典型推选"


def _copy_seal(issuer: Issuer, new: Issuer) -> None:
    """The new year's issuer gets a file of its own (replacing one year's seal leaves the other's)."""
    if not issuer.seal:
        return
    try:
        with issuer.seal.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        return
    name = issuer.seal.name.rsplit("/", 1)[-1]
    new.seal.save(name, ContentFile(data), save=True)


@transaction.atomic
def competition_copy(
    *, actor: User, source: Competition | None, year: int, title: str = ""
) -> Competition:
    """A new year in 筹备, from ``source`` (or empty when ``source`` is None).

    Copied: the categories with their quotas, eligibility thresholds, hard
    rules and per-unit quota overrides, every rubric, the rounds, the issuers
    with their seal images, the certificate wording and the 公示 length. The
    dates move by the difference of the years; the holidays and make-up
    working days are not copied (each year has its own calendar).
    """
    require(is_office, actor, message="只有组委会办公室可以新建年度。")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed(fields={"year": ["年度：请填写四位数的年份，例如 2023。"]}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(fields={"year": [f"年度：应在 {MIN_YEAR} 到 {MAX_YEAR} 之间。"]})
    if Competition.objects.filter(year=year).exists():
        raise ValidationFailed(fields={"year": [f"年度：{year} 年度的推选活动已存在，不能重复创建。"]})
    title = (title or "").strip() or _title(source, year)
    if len(title) > Competition._meta.get_field("title").max_length:
        raise ValidationFailed(fields={"title": ["名称：不能超过 200 个字。"]})

    if source is None:
        values: dict[str, Any] = {**_empty_dates(year), "certificate_wording": "", "publicity_working_days": 5}
    else:
        source = Competition.objects.get(pk=source.pk)
        years = year - source.year
        values = {
            "nominations_open": _shift(source.nominations_open, years),
            "nominations_close": _shift(source.nominations_close, years),
            "judging_close": _shift(source.judging_close, years),
            "certificate_wording": source.certificate_wording,
            "publicity_working_days": source.publicity_working_days,
        }
    competition = Competition.objects.create(
        year=year, title=title, phase=Phase.DRAFT, holidays=[], workdays=[], **values
    )
    if source is not None:
        years = year - source.year
        copied: dict[Category, Category] = {}
        for issuer in source.issuers.order_by("order", "id"):
            new = Issuer.objects.create(competition=competition, name=issuer.name, order=issuer.order)
            _copy_seal(issuer, new)
        for category in source.categories.prefetch_related("criteria", "quota_overrides").order_by("order", "id"):
            new_category = Category.objects.create(
                competition=competition, order=category.order, **{k: getattr(category, k) for k in CATEGORY_FIELDS}
            )
            Criterion.objects.bulk_create(
                Criterion(category=new_category, **{k: getattr(c, k) for k in CRITERION_FIELDS})
                for c in category.criteria.all()
            )
            QuotaOverride.objects.bulk_create(
                QuotaOverride(category=new_category, unit_id=o.unit_id, nomination_quota=o.nomination_quota)
                for o in category.quota_overrides.all()
            )
            copied[category] = new_category
        Round.objects.bulk_create(
            Round(
                competition=competition,
                order=r.order,
                deadline=_shift(r.deadline, years),
                **{k: getattr(r, k) for k in ROUND_FIELDS},
            )
            for r in source.rounds.order_by("order")
        )
        for hook in _copy_hooks:
            hook(actor=actor, categories=copied)
    audit_record(
        actor=actor,
        action="competition.copy",
        obj=competition,
        after={
            "source": source.year if source is not None else None,
            **snapshot(competition, ["year", "title", "nominations_open", "nominations_close", "judging_close"]),
            **competition_structure(competition),
        },
    )
    return competition


# --------------------------------------------------------------------------- categories and quotas


def _hard_rules_check(values: list) -> None:
    bad = [r for r in values or [] if r not in EligibilityRule.values]
    if bad:
        raise ValidationFailed(fields={"hard_rules": [f"硬性资格条件：未知的条件“{'、'.join(map(str, bad))}”。"]})


def category_save(
    *, actor: User, competition: Competition, data: dict[str, Any], category: Category | None = None
) -> Category:
    """Add a category to the year or change one (through the one structure service, draft only)."""
    require(is_office, actor, message="只有组委会办公室可以修改奖项。")
    _hard_rules_check(data.get("hard_rules"))
    if data.get("kind") is not None and data["kind"] not in CategoryKind.values:
        raise ValidationFailed(fields={"kind": ["类型：请选择奖项类型。"]})
    obj = category if category is not None else Category(competition=competition)
    if obj.pk and obj.competition_id != competition.pk:
        raise ValidationFailed(fields={"category": ["奖项：不属于该年度。"]})
    with transaction.atomic():
        _refuse_unless_draft(_locked(competition))
        return structure_item_save(actor=actor, obj=obj, data=data)


def category_delete(*, actor: User, category: Category) -> None:
    require(is_office, actor, message="只有组委会办公室可以修改奖项。")
    try:
        with transaction.atomic():
            structure_item_delete(actor=actor, obj=category)
    except ProtectedError as exc:
        raise Conflict(f"奖项“{category.name}”已有推荐或证书，不能删除。", code="category_in_use") from exc


@transaction.atomic
def quota_override_set(
    *, actor: User, category: Category, unit: Unit, nomination_quota: int | None
) -> QuotaOverride | None:
    """Set a unit's own nomination quota in a category (``None``: back to the category's)."""
    require(is_office, actor, message="只有组委会办公室可以调整推荐名额。")
    competition = _locked(category.competition)
    _refuse_unless_draft(competition)
    if nomination_quota is not None:
        try:
            nomination_quota = int(nomination_quota)
        except (TypeError, ValueError):
            raise ValidationFailed(fields={"nomination_quota": ["推荐名额：请填写整数。"]}) from None
        if not 1 <= nomination_quota <= 1000:
            raise ValidationFailed(fields={"nomination_quota": ["推荐名额：应在 1 到 1000 之间（不设单独名额请清空）。"]})
    current = QuotaOverride.objects.select_for_update().filter(category=category, unit=unit).first()
    before = current.nomination_quota if current else None
    if before == nomination_quota:
        return current
    if nomination_quota is None:
        current.delete()
        result = None
    elif current is None:
        result = QuotaOverride.objects.create(category=category, unit=unit, nomination_quota=nomination_quota)
    else:
        current.nomination_quota = nomination_quota
        current.save(update_fields=["nomination_quota"])
        result = current
    audit_record(
        actor=actor,
        action="category.quota_override_set",
        obj=category,
        before={"unit": unit.pk, "nomination_quota": before},
        after={
            "unit": unit.pk,
            "nomination_quota": nomination_quota,
            "default": category.nomination_quota_per_unit,
        },
    )
    return result


@transaction.atomic
def quota_overrides_set(*, actor: User, category: Category, values: dict[int, int | None]) -> int:
    """Set many units' own quotas in a category at once: ``{unit id: quota or None}``
    (``None``: the category's quota). All or nothing; returns how many changed."""
    require(is_office, actor, message="只有组委会办公室可以调整推荐名额。")
    competition = _locked(category.competition)
    _refuse_unless_draft(competition)
    units = Unit.objects.in_bulk(list(values))
    errors: dict[str, list[str]] = {}
    clean: dict[int, int | None] = {}
    for unit_id, value in values.items():
        unit = units.get(unit_id)
        if unit is None:
            errors.setdefault("unit", []).append("推荐单位：未找到该推荐单位。")
            continue
        if value in ("", None):
            clean[unit_id] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 1000:
            errors[f"unit_{unit_id}"] = [f"{unit.name}的推荐名额：应在 1 到 1000 之间（不单独设置请留空）。"]
        clean[unit_id] = number
    if errors:
        raise ValidationFailed(fields=errors)
    current = {
        o.unit_id: o for o in QuotaOverride.objects.select_for_update().filter(category=category, unit_id__in=clean)
    }
    before, after = {}, {}
    for unit_id, number in clean.items():
        existing = current.get(unit_id)
        old = existing.nomination_quota if existing else None
        if old == number:
            continue
        if number is None:
            existing.delete()
        elif existing is None:
            QuotaOverride.objects.create(category=category, unit_id=unit_id, nomination_quota=number)
        else:
            existing.nomination_quota = number
            existing.save(update_fields=["nomination_quota"])
        before[unit_id], after[unit_id] = old, number
    if after:
        audit_record(
            actor=actor,
            action="category.quota_overrides_set",
            obj=category,
            before={"overrides": before},
            after={"overrides": after, "default": category.nomination_quota_per_unit},
        )
    return len(after)


# --------------------------------------------------------------------------- the rubric


def _decimal(value, *, places: int, label: str, key: str, errors: dict, where: str, upper: Decimal) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(f"{where}“{label}”：请填写数字。")
        return None
    if not number.is_finite() or number <= 0:
        errors.setdefault(key, []).append(f"{where}“{label}”：必须大于 0。")
        return None
    if number > upper:
        errors.setdefault(key, []).append(f"{where}“{label}”：不能超过 {upper}。")
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        errors.setdefault(key, []).append(f"{where}“{label}”：最多 {places} 位小数。")
        return None
    return number


def rubric_clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as they will be stored, or ``ValidationFailed`` naming each bad row and field."""
    errors: dict[str, list[str]] = {}
    clean: list[dict[str, Any]] = []
    if not rows:
        raise ValidationFailed("评分标准至少需要一个评分项。", fields={"rows": ["评分标准：至少需要一个评分项。"]})
    names: dict[str, int] = {}
    ranks: dict[int, int] = {}
    for i, row in enumerate(rows):
        n = i + 1
        name = str(row.get("name") or "").strip()
        if not name:
            errors.setdefault(f"rows[{i}].name", []).append(f"第 {n} 行“名称”：不能为空。")
        elif len(name) > 50:
            errors.setdefault(f"rows[{i}].name", []).append(f"第 {n} 行“名称”：不能超过 50 个字。")
        elif name in names:
            errors.setdefault(f"rows[{i}].name", []).append(f"第 {n} 行“名称”：与第 {names[name]} 行重复。")
        else:
            names[name] = n
        points = _decimal(row.get("max_points"), places=1, label="满分", key=f"rows[{i}].max_points",
                          errors=errors, where=f"第 {n} 行", upper=Decimal("1000"))
        weight = _decimal(row.get("weight", 1), places=2, label="权重", key=f"rows[{i}].weight",
                          errors=errors, where=f"第 {n} 行", upper=Decimal("100"))
        rank = row.get("tie_break_rank")
        if rank in ("", None):
            rank = None
        else:
            try:
                rank = int(rank)
            except (TypeError, ValueError):
                rank = 0
            if rank < 1:
                errors.setdefault(f"rows[{i}].tie_break_rank", []).append(f"第 {n} 行“同分比较顺序”：应为 1、2、3……或留空。")
            elif rank in ranks:
                errors.setdefault(f"rows[{i}].tie_break_rank", []).append(
                    f"第 {n} 行“同分比较顺序”：{rank} 已用于第 {ranks[rank]} 行。"
                )
            else:
                ranks[rank] = n
        clean.append(
            {
                "name": name,
                "guidance": str(row.get("guidance") or "").strip(),
                "max_points": points,
                "weight": weight,
                "tie_break_rank": rank,
                "position": row.get("order"),
            }
        )
    if errors:
        raise ValidationFailed(fields=errors)
    total = sum((r["max_points"] * r["weight"] for r in clean), Decimal("0"))
    if total != RUBRIC_TOTAL:
        message = f"评分标准合计 {_number(total)} 分，应为 100 分（各行“满分 × 权重”之和），请调整“满分”或“权重”。"
        raise ValidationFailed(message, code="rubric_total", fields={"max_points": [message]})
    # The order the office gave (rows without one keep their place), then 1, 2, 3…
    keyed = sorted(
        enumerate(clean),
        key=lambda p: (p[1]["position"] if isinstance(p[1]["position"], int) else p[0] + 1, p[0]),
    )
    out = []
    for order, (_, row) in enumerate(keyed, start=1):
        row = dict(row)
        row.pop("position")
        row["order"] = order
        out.append(row)
    return out


@transaction.atomic
def rubric_set(*, actor: User, category: Category, rows: list[dict[str, Any]]) -> list[Criterion]:
    """Replace a category's rubric as a whole; its total (Σ 满分 × 权重) must be 100."""
    require(is_office, actor, message="只有组委会办公室可以修改评分标准。")
    competition = _locked(category.competition)
    _refuse_unless_draft(competition)
    clean = rubric_clean(rows)
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = [snapshot(c, CRITERION_FIELDS) for c in category.criteria.order_by("order", "id")]
    try:
        with transaction.atomic():
            category.criteria.all().delete()
    except ProtectedError as exc:
        raise Conflict("已有评分表使用这些评分项，评分标准不能再替换。", code="rubric_in_use") from exc
    created = Criterion.objects.bulk_create(Criterion(category=category, **row) for row in clean)
    audit_record(
        actor=actor,
        action="category.rubric_set",
        obj=category,
        before={"criteria": before},
        after={"competition": competition.pk, "criteria": [snapshot(c, CRITERION_FIELDS) for c in created]},
    )
    return created


# --------------------------------------------------------------------------- the rounds


def rounds_clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    if not rows:
        raise ValidationFailed("至少需要一个评审轮次。", fields={"rows": ["评审轮次：至少需要一个轮次。"]})
    clean = []
    names: dict[str, int] = {}
    for i, row in enumerate(rows):
        n = i + 1

        def err(field: str, text: str, i=i) -> None:
            errors.setdefault(f"rows[{i}].{field}", []).append(text)

        name = str(row.get("name") or "").strip()
        if not name:
            err("name", f"第 {n} 轮“名称”：不能为空。")
        elif len(name) > 50:
            err("name", f"第 {n} 轮“名称”：不能超过 50 个字。")
        elif name in names:
            err("name", f"第 {n} 轮“名称”：与第 {names[name]} 轮重复。")
        else:
            names[name] = n
        method = row.get("method")
        if method not in AggregationMethod.values:
            err("method", f"第 {n} 轮“计分方法”：请从列表中选择。")
        ints = {}
        for field, label, low, high in (
            ("judges_per_nomination", "每件评委数", 1, 99),
            ("trim_min_judges", "去高低分最少评委数", 3, 99),
        ):
            try:
                value = int(row.get(field))
            except (TypeError, ValueError):
                err(field, f"第 {n} 轮“{label}”：请填写整数。")
                continue
            if not low <= value <= high:
                err(field, f"第 {n} 轮“{label}”：应在 {low} 到 {high} 之间。")
            ints[field] = value
        advance = row.get("advance_per_category")
        if advance in ("", None):
            advance = None
        else:
            try:
                advance = int(advance)
            except (TypeError, ValueError):
                advance = 0
            if advance < 1:
                err("advance_per_category", f"第 {n} 轮“每奖项晋级数”：应为正整数，或留空（不设晋级）。")
        weight = _decimal(row.get("weight"), places=3, label="权重", key=f"rows[{i}].weight",
                          errors=errors, where=f"第 {n} 轮", upper=Decimal("1"))
        deadline = row.get("deadline") or None
        clean.append(
            {
                "name": name,
                "method": method,
                "judges_per_nomination": ints.get("judges_per_nomination"),
                "trim_min_judges": ints.get("trim_min_judges"),
                "advance_per_category": advance,
                "weight": weight,
                "blind": bool(row.get("blind")),
                "comment_required": bool(row.get("comment_required")),
                "deadline": deadline,
            }
        )
    if errors:
        raise ValidationFailed(fields=errors)
    total = sum((r["weight"] for r in clean), Decimal("0"))
    if total != Decimal("1"):
        message = f"各评审轮次权重合计为 {_number(total)}，应为 1（例如 初评 0.4 + 终评 0.6）。"
        raise ValidationFailed(message, code="round_weights", fields={"weight": [message]})
    return clean


@transaction.atomic
def rounds_set(*, actor: User, competition: Competition, rows: list[dict[str, Any]]) -> list[Round]:
    """Replace the year's judging rounds as a whole (in their order); weights sum to 1."""
    require(is_office, actor, message="只有组委会办公室可以修改评审轮次。")
    competition = _locked(competition)
    _refuse_unless_draft(competition)
    clean = rounds_clean(rows)
    before = [snapshot(r, ["order", *ROUND_ROW_FIELDS]) for r in competition.rounds.order_by("order")]
    try:
        with transaction.atomic():
            competition.rounds.all().delete()
    except ProtectedError as exc:
        raise Conflict("评审轮次已有评审任务，不能再替换。", code="rounds_in_use") from exc
    created = Round.objects.bulk_create(
        Round(competition=competition, order=i, **row) for i, row in enumerate(clean, start=1)
    )
    audit_record(
        actor=actor,
        action="competition.rounds_set",
        obj=competition,
        before={"rounds": before},
        after={"rounds": [snapshot(r, ["order", *ROUND_ROW_FIELDS]) for r in created]},
    )
    return created


# --------------------------------------------------------------------------- issuers and seals


@transaction.atomic
def issuers_set(*, actor: User, competition: Competition, rows: list[dict[str, Any]]) -> list[Issuer]:
    """The issuing bodies in order of rank. ``rows``: ``{"id"?, "name"}`` in order; an issuer
    left out is removed, one with an ``id`` keeps its seal."""
    require(is_office, actor, message="只有组委会办公室可以设置颁发单位。")
    competition = _locked(competition)
    errors: dict[str, list[str]] = {}
    names: dict[str, int] = {}
    existing = {i.pk: i for i in Issuer.objects.select_for_update().filter(competition=competition)}
    for i, row in enumerate(rows):
        n = i + 1
        name = str(row.get("name") or "").strip()
        if not name:
            errors.setdefault(f"rows[{i}].name", []).append(f"第 {n} 个颁发单位“名称”：不能为空。")
        elif len(name) > 100:
            errors.setdefault(f"rows[{i}].name", []).append(f"第 {n} 个颁发单位“名称”：不能超过 100 个字。")
        elif name in names:
            errors.setdefault(f"rows[{i}].name", []).append(f"第 {n} 个颁发单位“名称”：与第 {names[name]} 个重复。")
        else:
            names[name] = n
        if row.get("id") and int(row["id"]) not in existing:
            errors.setdefault(f"rows[{i}].id", []).append(f"第 {n} 个颁发单位：不属于该年度。")
    if errors:
        raise ValidationFailed(fields=errors)
    before = [{"id": i.pk, "name": i.name, "order": i.order} for i in sorted(existing.values(), key=lambda x: x.order)]
    wanted = [(int(r["id"]) if r.get("id") else None, str(r["name"]).strip()) for r in rows]
    if wanted == [(b["id"], b["name"]) for b in before]:
        return sorted(existing.values(), key=lambda x: x.order)  # nothing changes
    refuse(issuers_refusal(competition))
    keep = {int(r["id"]) for r in rows if r.get("id")}
    Issuer.objects.filter(competition=competition).exclude(pk__in=keep).delete()
    # Out of the way first: (competition, order) is unique.
    for offset, pk in enumerate(sorted(keep), start=1):
        Issuer.objects.filter(pk=pk).update(order=30000 + offset)
    result = []
    for order, row in enumerate(rows, start=1):
        name = str(row["name"]).strip()
        if row.get("id"):
            issuer = existing[int(row["id"])]
            Issuer.objects.filter(pk=issuer.pk).update(order=order, name=name)
            issuer.order, issuer.name = order, name
        else:
            issuer = Issuer.objects.create(competition=competition, name=name, order=order)
        result.append(issuer)
    audit_record(
        actor=actor,
        action="competition.issuers_set",
        obj=competition,
        before={"issuers": before},
        after={"issuers": [{"id": i.pk, "name": i.name, "order": i.order} for i in result]},
    )
    return result


def issuer_seal_upload(*, actor: User, issuer: Issuer, upload) -> Issuer:
    """Check an uploaded seal (a transparent PNG of a sensible size) and set it on the issuer.

    Not under issued certificates: refused before the file is read (``issuer_seal_set``
    asks again on the locked rows)."""
    require(is_office, actor, message="只有组委会办公室可以设置颁发单位印章。")
    refuse(issuers_refusal(issuer.competition, action="seal"))
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        problems = [f"印章图片：文件不得超过 2 MB（当前 {size / 1024 / 1024:.1f} MB）。"]
    else:
        upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
        problems = seal_problems(data)
    if problems:
        raise ValidationFailed("印章图片不符合要求，未保存。", code="seal_invalid", fields={"seal": problems})
    name = f"seal-{issuer.competition.year}-{issuer.pk}-{hashlib.sha256(data).hexdigest()[:8]}.png"
    return issuer_seal_set(actor=actor, issuer=issuer, seal=ContentFile(data, name=name))



# --------------------------------------------------------------------------- dates, and opening nominations

DATE_PHASES = (Phase.DRAFT, Phase.NOMINATING)


def dates_refusal(competition: Competition) -> str | None:
    """Why the year's dates cannot change on the dates page now, or None (筹备 and 申报:
    a deadline may still be moved while units nominate)."""
    if competition.phase not in DATE_PHASES:
        return f"活动已进入“{Phase(competition.phase).label}”阶段，申报和评审日期不能再修改。"
    return None


@transaction.atomic
def competition_dates_set(
    *,
    actor: User,
    competition: Competition,
    nominations_open: dt.datetime,
    nominations_close: dt.datetime,
    judging_close: dt.datetime,
    publicity_working_days: int,
) -> Competition:
    """The year's 申报开始/截止, 评审截止 and the 公示's length in working days.

    The order of the dates is checked (and audited) by ``competition_update``.
    """
    require(is_office, actor, message="只有组委会办公室可以修改年度日期。")
    competition = _locked(competition)
    refused = dates_refusal(competition)
    if refused:
        raise Conflict(refused, code="competition_dates_frozen")
    if not isinstance(publicity_working_days, int) or not 1 <= publicity_working_days <= 30:
        raise ValidationFailed(
            fields={"publicity_working_days": ["公示期（工作日）：应为 1 到 30 之间的整数。"]}
        )
    return competition_update(
        actor=actor,
        competition=competition,
        data={
            "nominations_open": nominations_open,
            "nominations_close": nominations_close,
            "judging_close": judging_close,
            "publicity_working_days": publicity_working_days,
        },
    )
