"""Writes of the exhibits not tied to an award made here, and of every exhibit's figures.

- ``exhibit_recommend``: show a district's recommended project (an accepted
  nomination of a final competition that did not win), labelled 推荐项目;
- ``exhibit_historic_create`` / ``exhibit_historic_update``: a winner of a year
  before this system (year, honour, unit, texts, figures, photos); it is also
  recorded as a past winner (``nominations.past_winners``) so that the
  eligibility check sees it;
- ``exhibit_photo_add``: one more photo (renditions made like the published ones);
- ``exhibit_figures_set``: an exhibit's figures, each with its as-of date and source.

Keyword-only, one transaction each, office only, audited; a refusal names the
bad field in Chinese and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from competition.audit import audit_record, snapshot
from competition.exceptions import Conflict, ValidationFailed
from competition.models import User
from competition.rules import is_office, require
from judging.enums import AwardStatus
from judging.models import Award
from nominations import past_winners
from nominations.enums import Status
from nominations.models import Nomination
from nominations.validators import INTRODUCTION_MAX

from . import figures as figure_text
from . import renditions
from .enums import (
    HALL_OF_CATEGORY_KIND,
    RECOMMENDED_LABEL,
    AsOfPrecision,
    ExhibitKind,
    ExhibitSource,
    ExhibitStatus,
)
from .models import Exhibit, ExhibitFigure, ExhibitPhoto
from .services import (
    CAPTION_MAX,
    FINAL_PHASES,
    OFFICE_ONLY,
    PublishResult,
    _add_photos,
    _changed,
    _copy_fields,
    _new_slug,
    _save_rendition,
    add_nomination_figures,
)

RECOMMENDABLE_KINDS = (ExhibitKind.PROJECT,)
FIGURES_MAX = 20
PHOTOS_MAX = 12
HISTORIC_FIELDS = ["year", "award_code", "award_name", "title", "organization", "unit_name", "introduction"]
FIGURE_FIELDS = ["label", "value", "written", "unit", "prefix", "suffix", "approximate", "as_of", "as_of_precision", "source"]


def _photo_state(exhibit: Exhibit) -> list[dict]:
    return [{"id": p.pk, "caption": p.caption} for p in exhibit.photos.order_by("order", "id")]


# --------------------------------------------------------------------------- recommended


@transaction.atomic
def exhibit_recommend(*, actor: User, nomination: Nomination, now: dt.datetime | None = None) -> Exhibit:
    """Show a district's recommended project in its hall, labelled 推荐项目 (never as a winner)."""
    require(is_office, actor, message=OFFICE_ONLY)
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("competition", "category", "unit")
        .get(pk=nomination.pk)
    )
    competition = nomination.competition
    kind = HALL_OF_CATEGORY_KIND.get(nomination.category.kind)
    if kind not in RECOMMENDABLE_KINDS:
        raise Conflict("只有志愿服务项目可以作为推荐项目展出。", code="not_recommendable")
    if competition.phase not in FINAL_PHASES:
        raise Conflict("表彰结果确定后，才能在云展馆展出各区推荐的项目。", code="not_final")
    if nomination.status != Status.ACCEPTED:
        raise Conflict("只有通过资格审查的推荐可以作为推荐项目展出。", code="not_accepted")
    if Award.objects.filter(nomination=nomination, status=AwardStatus.FINAL).exists():
        raise Conflict("该项目已获表彰：请用“发布到云展馆”展出获奖项目。", code="awarded")
    existing = Exhibit.objects.select_for_update().filter(nomination=nomination).first()
    if existing is not None:
        if existing.status == ExhibitStatus.PUBLISHED:
            raise Conflict("该项目已在云展馆展出。", code="already_shown")
        raise Conflict("该项目的展品已撤下：请在展品列表中恢复。", code="already_withdrawn")
    exhibit = Exhibit.objects.create(
        kind=kind,
        source=ExhibitSource.RECOMMENDED,
        slug=_new_slug(competition.year, nomination.category.code),
        competition=competition,
        nomination=nomination,
        category=nomination.category,
        unit=nomination.unit,
        year=competition.year,
        honour_year=None,
        award_code=nomination.category.code,
        award_name=RECOMMENDED_LABEL,
        unit_code=nomination.unit.code,
        unit_name=nomination.unit.name,
        category_order=nomination.category.order,
        unit_order=nomination.unit.order,
        published_at=now or timezone.now(),
        published_by=actor,
        **_copy_fields(nomination, kind),
    )
    result = PublishResult(competition=competition)
    _add_photos(exhibit, nomination, result)
    add_nomination_figures(exhibit, nomination)
    audit_record(
        actor=actor,
        action="exhibit.recommend",
        obj=exhibit,
        after={"nomination": nomination.pk, "source": exhibit.source, "photos": result.photos},
        reason="；".join(result.photo_failures),
    )
    _changed()
    return exhibit


# --------------------------------------------------------------------------- historic


def _text(data: dict, name: str, label: str, limit: int, errors: dict, *, required: bool = False) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors[name] = [f"{label}：请填写。"]
    elif len(value) > limit:
        errors[name] = [f"{label}：不得超过 {limit} 字（现有 {len(value)} 字）。"]
    return value


def clean_historic(data: dict[str, Any], *, awards=None, today: dt.date | None = None) -> dict[str, Any]:
    """A historic exhibit's fields, checked (``ValidationFailed`` naming each bad field)."""
    errors: dict[str, list[str]] = {}
    for name in sorted(set(data) - set(HISTORIC_FIELDS)):
        errors[name] = [f"{name}：往年展品没有这一项。"]
    awards = past_winners.known_awards() if awards is None else awards
    out: dict[str, Any] = {}
    this_year = (today or timezone.localdate()).year
    try:
        year = int(str(data.get("year", "")).strip().removesuffix("年度").removesuffix("年"))
    except (TypeError, ValueError):
        errors["year"] = ["年度：请填写四位数的年份，如 2019。"]
    else:
        if not past_winners.YEAR_MIN <= year <= this_year:
            errors["year"] = [f"年度：应在 {past_winners.YEAR_MIN} 年至 {this_year} 年之间。"]
        out["year"] = year
    award = past_winners.find_award(data.get("award_code", ""), awards)
    shown = [a for a in awards if a.kind in HALL_OF_CATEGORY_KIND]
    if award is None or award.kind not in HALL_OF_CATEGORY_KIND:
        names = "、".join(f"{a.name}（{a.code}）" for a in shown)
        given = str(data.get("award_code") or "").strip()
        errors["award_code"] = [f"奖项：“{given}”不是已知的奖项，应为 {names} 之一。" if given else f"奖项：未填写，应为 {names} 之一。"]
    else:
        out["award_code"] = award.code
        out["kind"] = HALL_OF_CATEGORY_KIND[award.kind]
    out["award_name"] = _text(data, "award_name", "荣誉名称", 100, errors) or (award.name if award else "")
    out["title"] = _text(data, "title", "名称", 100, errors, required=True)
    out["organization"] = _text(data, "organization", "实施单位", 100, errors)
    out["unit_name"] = _text(data, "unit_name", "推荐单位", 100, errors)
    out["introduction"] = _text(data, "introduction", "简介", INTRODUCTION_MAX, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def _record_past_winner(actor: User, exhibit: Exhibit) -> None:
    past_winners.past_winner_record(
        actor=actor,
        data={
            "year": exhibit.year,
            "category_code": exhibit.award_code,
            "title": exhibit.title,
            "organization": exhibit.organization,
            "unit_name": exhibit.unit_name,
        },
    )


def _historic_slug(year: int, code: str) -> str:
    return _new_slug(year, code)


@transaction.atomic
def exhibit_historic_create(
    *,
    actor: User,
    data: dict[str, Any],
    figures: list[dict[str, Any]] | None = None,
    photos: list[tuple[bytes, str]] | None = None,
    now: dt.datetime | None = None,
) -> Exhibit:
    """A winner of an earlier year on show in its hall (and on the past-winner list)."""
    require(is_office, actor, message=OFFICE_ONLY)
    cleaned = clean_historic(data)
    figure_rows = clean_figures(figures or [])
    photo_rows = _clean_photos(photos or [], cleaned["title"])
    kind = cleaned.pop("kind")
    twin = Exhibit.objects.filter(
        source=ExhibitSource.HISTORIC, year=cleaned["year"], award_code=cleaned["award_code"], title=cleaned["title"]
    )
    if twin.exists():
        raise ValidationFailed(fields={"title": [f"名称：{cleaned['year']} 年度的这一奖项已有展品“{cleaned['title']}”。"]})
    exhibit = Exhibit.objects.create(
        kind=kind,
        source=ExhibitSource.HISTORIC,
        slug=_historic_slug(cleaned["year"], cleaned["award_code"]),
        honour_year=cleaned["year"],
        unit_code="",
        category_order=_category_order(cleaned["award_code"]),
        unit_order=0,
        published_at=now or timezone.now(),
        published_by=actor,
        **cleaned,
    )
    _write_figures(exhibit, figure_rows)
    _write_photos(exhibit, photo_rows)
    _record_past_winner(actor, exhibit)
    audit_record(
        actor=actor,
        action="exhibit.historic_create",
        obj=exhibit,
        after=snapshot(exhibit, HISTORIC_FIELDS) | {"figures": len(figure_rows), "photos": len(photo_rows)},
    )
    _changed()
    return exhibit


def _category_order(code: str) -> int:
    from competition.models import Category

    order = Category.objects.filter(code=code).order_by("-competition__year").values_list("order", flat=True).first()
    return order or 0


@transaction.atomic
def exhibit_historic_update(*, actor: User, exhibit: Exhibit, data: dict[str, Any]) -> Exhibit:
    """Edit a historic exhibit's year, honour, unit and texts (audited; the past-winner list follows)."""
    require(is_office, actor, message=OFFICE_ONLY)
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    if exhibit.source != ExhibitSource.HISTORIC:
        raise Conflict("只有往年展品可以这样修改；本系统表彰的展品请修改其文字与数据。", code="not_historic")
    merged = {name: getattr(exhibit, name) for name in HISTORIC_FIELDS} | dict(data)
    cleaned = clean_historic(merged)
    kind = cleaned.pop("kind")
    if kind != exhibit.kind:
        raise ValidationFailed(fields={"award_code": ["奖项：不能改到另一个展厅的奖项。"]})
    changed = [name for name in HISTORIC_FIELDS if getattr(exhibit, name) != cleaned[name]]
    if not changed:
        return exhibit
    before = snapshot(exhibit, changed)
    for name in changed:
        setattr(exhibit, name, cleaned[name])
    exhibit.honour_year = exhibit.year
    exhibit.save()
    _record_past_winner(actor, exhibit)
    audit_record(actor=actor, action="exhibit.historic_update", obj=exhibit, before=before, after=snapshot(exhibit, changed))
    _changed()
    return exhibit


# --------------------------------------------------------------------------- photos


def _clean_photos(photos: list[tuple[bytes, str]], title: str) -> list[tuple[renditions.Rendition, renditions.Rendition, str]]:
    if len(photos) > PHOTOS_MAX:
        raise ValidationFailed(fields={"photos": [f"照片：一个展品最多 {PHOTOS_MAX} 张。"]})
    out = []
    errors: dict[str, list[str]] = {}
    for i, (content, caption) in enumerate(photos):
        caption = str(caption or title).strip()[:CAPTION_MAX]
        try:
            thumb, image = renditions.render_pair(io.BytesIO(content))
        except (renditions.FileRejected, OSError):
            errors[f"photos[{i}]"] = ["照片：不是可用的 JPEG 或 PNG 图片。"]
            continue
        out.append((thumb, image, caption))
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def _write_photos(exhibit: Exhibit, rows) -> None:
    start = exhibit.photos.count()
    for position, (thumb, image, caption) in enumerate(rows, start=start):
        ExhibitPhoto.objects.create(
            exhibit=exhibit,
            caption=caption,
            order=position,
            shown=True,
            thumb=_save_rendition(thumb),
            thumb_width=thumb.width,
            thumb_height=thumb.height,
            image=_save_rendition(image),
            image_width=image.width,
            image_height=image.height,
        )


@transaction.atomic
def exhibit_photo_add(*, actor: User, exhibit: Exhibit, content: bytes, caption: str) -> Exhibit:
    """One more photo of an exhibit (renditions made like the published ones; audited)."""
    require(is_office, actor, message=OFFICE_ONLY)
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    caption = str(caption or "").strip()
    if not caption:
        raise ValidationFailed(fields={"caption": ["说明：照片必须填写说明。"]})
    if exhibit.photos.count() >= PHOTOS_MAX:
        raise ValidationFailed(fields={"photo": [f"照片：一个展品最多 {PHOTOS_MAX} 张。"]})
    rows = _clean_photos([(content, caption)], exhibit.title)
    before = _photo_state(exhibit)
    _write_photos(exhibit, rows)
    exhibit.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="exhibit.photo_add", obj=exhibit, before={"photos": before}, after={"photos": _photo_state(exhibit)})
    _changed()
    return exhibit


# --------------------------------------------------------------------------- figures


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def clean_figures(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Figures, checked: each needs a name, a number (or a written form such as “10.41万”),
    an as-of date and a source; 近/余 make it approximate."""
    if len(items) > FIGURES_MAX:
        raise ValidationFailed(fields={"figures": [f"数据：一个展品最多 {FIGURES_MAX} 项。"]})
    errors: dict[str, list[str]] = {}
    out = []
    for i, item in enumerate(items):
        where = f"figures[{i}]"
        n = i + 1
        unknown = sorted(set(item) - set(FIGURE_FIELDS))
        if unknown:
            errors[f"{where}.{unknown[0]}"] = [f"第 {n} 项数据：没有“{unknown[0]}”这一项。"]
            continue
        row: dict[str, Any] = {}
        for name, label, limit in (("label", "名称", 40), ("written", "写法", 20), ("unit", "单位", 10),
                                   ("prefix", "前缀", 4), ("suffix", "后缀", 4), ("source", "来源", 100)):
            value = str(item.get(name) or "").strip()
            if len(value) > limit:
                errors[f"{where}.{name}"] = [f"第 {n} 项数据的{label}：不得超过 {limit} 字。"]
            row[name] = value
        if not row["label"]:
            errors[f"{where}.label"] = [f"第 {n} 项数据的名称：请填写（如“志愿服务时长”）。"]
        if not row["source"]:
            errors[f"{where}.source"] = [f"第 {n} 项数据的来源：请填写（如“太原志愿者”平台记录）。"]
        raw = item.get("value")
        value = _decimal(raw) if raw not in (None, "") else figure_text.parse_written(row["written"])
        if value is None:
            errors[f"{where}.value"] = [f"第 {n} 项数据的数值：请填写数字（如 104100），或在写法中写“10.41万”。"]
        elif value < 0 or value >= Decimal("1e12"):
            errors[f"{where}.value"] = [f"第 {n} 项数据的数值：应在 0 至 1 万亿之间。"]
        else:
            row["value"] = value.quantize(Decimal("0.01"))
        if row["written"] and figure_text.parse_written(row["written"]) is None:
            errors[f"{where}.written"] = [f"第 {n} 项数据的写法：应为数字加“万”“亿”等，如“10.41万”“百万”。"]
        as_of = item.get("as_of")
        precision = item.get("as_of_precision") or ""
        if isinstance(as_of, dt.date):
            row["as_of"], row["as_of_precision"] = as_of, precision or AsOfPrecision.DAY
        else:
            parsed = figure_text.parse_as_of(str(as_of or ""))
            if parsed is None:
                errors[f"{where}.as_of"] = [f"第 {n} 项数据的截至时间：请填写年、年月或日期，如 2022-12。"]
            else:
                row["as_of"], row["as_of_precision"] = parsed[0], precision or parsed[1]
        if row.get("as_of_precision") and row["as_of_precision"] not in AsOfPrecision.values:
            errors[f"{where}.as_of_precision"] = [f"第 {n} 项数据的截至精度：应为年、月或日。"]
        row["approximate"] = bool(item.get("approximate")) or bool(row["prefix"] or row["suffix"])
        out.append(row)
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def _figure_state(exhibit: Exhibit) -> list[dict]:
    return [
        {
            "label": f.label, "value": str(f.value), "written": f.written, "unit": f.unit, "prefix": f.prefix,
            "suffix": f.suffix, "approximate": f.approximate, "as_of": f.as_of.isoformat(),
            "as_of_precision": f.as_of_precision, "source": f.source,
        }
        for f in exhibit.figures.order_by("order", "id")
    ]  # fmt: skip


def _write_figures(exhibit: Exhibit, rows: list[dict[str, Any]]) -> None:
    ExhibitFigure.objects.bulk_create(ExhibitFigure(exhibit=exhibit, order=i, **row) for i, row in enumerate(rows))


@transaction.atomic
def exhibit_figures_set(*, actor: User, exhibit: Exhibit, figures: list[dict[str, Any]]) -> Exhibit:
    """Replace an exhibit's figures by ``figures``, in order (audited)."""
    require(is_office, actor, message=OFFICE_ONLY)
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    rows = clean_figures(figures)
    before = _figure_state(exhibit)
    exhibit.figures.all().delete()
    _write_figures(exhibit, rows)
    after = _figure_state(exhibit)
    if after == before:
        return exhibit
    exhibit.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="exhibit.figures", obj=exhibit, before={"figures": before}, after={"figures": after})
    _changed()
    return exhibit
