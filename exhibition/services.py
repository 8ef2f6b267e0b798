"""Writes of the exhibition: publish a final competition's winners, withdraw and
restore an exhibit, edit its texts, choose and order its photos.

Every function is keyword-only, runs in a transaction, is for the office
only (``Forbidden`` otherwise) and writes an audit entry. None of them
writes to a nomination: an exhibit holds its own copy of the whitelisted
fields.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from competition.audit import audit_record, snapshot
from competition.enums import Phase
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Competition, User
from competition.rules import is_office, require
from judging.enums import AwardStatus
from judging.models import Award
from nominations import schema
from nominations.enums import AttachmentKind, ServiceField
from nominations.models import Attachment, Nomination
from nominations.validators import INTRODUCTION_MAX

from . import caching, renditions
from .enums import HALL_OF_CATEGORY_KIND, AsOfPrecision, ExhibitKind, ExhibitSource, ExhibitStatus
from .models import Exhibit, ExhibitFigure, ExhibitPhoto

logger = logging.getLogger(__name__)
OFFICE_ONLY = "只有组委会办公室可以管理云展馆。"

# The phases in which the results are final (and may be shown).
FINAL_PHASES = (Phase.FINAL, Phase.ARCHIVED)
SLUG_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i
SLUG_CODE_LENGTH = 6
CAPTION_MAX = ExhibitPhoto._meta.get_field("caption").max_length
REASON_MAX = 500

# The fields the office may edit, per hall (the public whitelist, minus what
# comes from the award: year, award, unit), and their labels: the nomination
# schema's, for the category kind of the hall.
# 最美志愿者 and 最美志愿服务社区 show their name and introduction only.
EDITABLE = {kind: schema.exhibit_fields(kind) or ["title", "introduction"] for kind in ExhibitKind.values}
LABELS = {kind: {"introduction": "简介"} | schema.labels(kind) for kind in ExhibitKind.values}


def _changed() -> None:
    """The exhibition changed: forget this process's memo of its stamp, now and after commit."""
    caching.forget_stamp()
    transaction.on_commit(caching.forget_stamp)


# --------------------------------------------------------------------------- publish


@dataclass
class PublishResult:
    competition: Competition
    created: list[Exhibit] = field(default_factory=list)
    kept: int = 0
    withdrawn: int = 0
    photos: int = 0
    photo_failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + self.kept + self.withdrawn


def _new_slug(year: int, award_code: str) -> str:
    while True:
        code = "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_CODE_LENGTH))
        slug = f"{year}-{award_code.lower()}-{code}"
        if not Exhibit.objects.filter(slug=slug).exists():
            return slug


def _copy_fields(nomination: Nomination, kind: str) -> dict[str, Any]:
    """The whitelisted fields of a nomination, and nothing else."""
    data: dict[str, Any] = {
        "title": nomination.title.strip() or str(nomination),
        "introduction": (nomination.introduction or "")[:INTRODUCTION_MAX],
        "volunteers": nomination.volunteers,
    }
    if kind == ExhibitKind.PROJECT:
        data.update(
            organization=nomination.organization,
            field=nomination.field,
            years_running=nomination.years_running,
            service_hours=nomination.service_hours,
            activities=nomination.activities,
            beneficiaries=nomination.beneficiaries,
        )
    elif kind == ExhibitKind.ORGANIZATION:
        data.update(
            founded_on=nomination.founded_on,
            brand_projects=list(nomination.brand_projects or []),
            service_hours=nomination.service_hours,
            activities=nomination.activities,
        )
    else:  # 最美志愿者, 最美志愿服务社区: the name and the introduction only
        data.pop("volunteers")
    return data


# The nomination's figures an exhibit shows, with their label and unit.
NOMINATION_FIGURES = [
    ("volunteers", "志愿者", "人"),
    ("service_hours", "累计服务时长", "小时"),
    ("activities", "开展活动", "次"),
    ("beneficiaries", "受益群众", "人次"),
]


def add_nomination_figures(exhibit: Exhibit, nomination: Nomination) -> int:
    """The nomination's figures as the exhibit's, each as of the nomination's
    submission and sourced to the unit's 推荐表 (the office edits them afterwards)."""
    if exhibit.kind not in (ExhibitKind.PROJECT, ExhibitKind.ORGANIZATION):
        return 0
    moment = nomination.submitted_at or nomination.updated_at or timezone.now()
    as_of = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    rows = []
    for order, (name, label, unit) in enumerate(NOMINATION_FIGURES):
        value = getattr(nomination, name, None)
        if value is None or (name == "beneficiaries" and exhibit.kind != ExhibitKind.PROJECT):
            continue
        rows.append(
            ExhibitFigure(
                exhibit=exhibit,
                order=order,
                label=label,
                value=value,
                unit=unit,
                as_of=as_of,
                as_of_precision=AsOfPrecision.MONTH,
                source=f"{nomination.unit.name}推荐表"[:100],
            )
        )
    ExhibitFigure.objects.bulk_create(rows)
    return len(rows)


def _save_rendition(rendition: renditions.Rendition) -> str:
    name = rendition.name
    if default_storage.exists(name):
        return name  # the same bytes: a content-hashed name is never overwritten
    return default_storage.save(name, ContentFile(rendition.content))


def _render_photo(attachment: Attachment) -> tuple[renditions.Rendition, renditions.Rendition]:
    with attachment.file.open("rb") as fileobj:
        return renditions.render_pair(fileobj)


def _add_photos(exhibit: Exhibit, nomination: Nomination, result: PublishResult) -> None:
    photos = [a for a in nomination.attachments.all() if a.kind == AttachmentKind.PHOTO]
    photos.sort(key=lambda a: (a.order, a.pk))
    for position, attachment in enumerate(photos):
        try:
            thumb, image = _render_photo(attachment)
        except (renditions.FileRejected, OSError) as exc:
            logger.warning("exhibit %s: photo %s not rendered: %s", exhibit.slug, attachment.pk, exc)
            result.photo_failures.append(f"{exhibit.title}：照片 #{attachment.pk} 无法生成展示图，已跳过。")
            continue
        ExhibitPhoto.objects.create(
            exhibit=exhibit,
            source=attachment,
            caption=(attachment.caption or exhibit.title)[:CAPTION_MAX],
            order=position,
            shown=True,
            thumb=_save_rendition(thumb),
            thumb_width=thumb.width,
            thumb_height=thumb.height,
            image=_save_rendition(image),
            image_width=image.width,
            image_height=image.height,
        )
        result.photos += 1


@transaction.atomic
def exhibition_publish(
    *, actor: User, competition: Competition, now: datetime | None = None
) -> PublishResult:
    """Publish the final winners of a project or organisation category to the exhibition.

    Refused (409) unless the competition's results are final. Idempotent:
    a winner already on show is left as the office edited it, a withdrawn one
    stays withdrawn (``exhibit_restore`` brings one back), only the missing
    ones are created, each with its photos' renditions made once.
    """
    require(is_office, actor, message=OFFICE_ONLY)
    now = now or timezone.now()
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.phase not in FINAL_PHASES:
        raise Conflict(
            f"推选活动处于“{Phase(competition.phase).label}”阶段，表彰结果确定后才能发布到云展馆。",
            code="not_final",
        )
    result = PublishResult(competition=competition)
    awards = (
        Award.objects.filter(
            competition=competition,
            status=AwardStatus.FINAL,
            category__kind__in=list(HALL_OF_CATEGORY_KIND),
        )
        .select_related("category", "nomination__unit", "nomination__competition", "nomination__category")
        .prefetch_related("nomination__attachments")
        .order_by("category__order", "nomination__unit__order", "nomination_id")
    )
    existing = {
        e["award_id"]: e["status"]
        for e in Exhibit.objects.filter(competition=competition, award__isnull=False).values("award_id", "status")
    }
    recommended = {
        e.nomination_id: e
        for e in Exhibit.objects.filter(competition=competition, source=ExhibitSource.RECOMMENDED).select_for_update()
    }
    for award in awards:
        if award.nomination_id in recommended:
            # A recommended project on show has won after all: it becomes the award's exhibit.
            exhibit = recommended[award.nomination_id]
            exhibit.source = ExhibitSource.AWARD
            exhibit.award = award
            exhibit.honour_year = competition.year
            exhibit.award_code = award.category.code
            exhibit.award_name = award.category.name
            exhibit.save(update_fields=["source", "award", "honour_year", "award_code", "award_name", "updated_at"])
            result.created.append(exhibit)
            continue
        if award.pk in existing:
            if existing[award.pk] == ExhibitStatus.WITHDRAWN:
                result.withdrawn += 1
            else:
                result.kept += 1
            continue
        nomination = award.nomination
        kind = HALL_OF_CATEGORY_KIND[award.category.kind]
        exhibit = Exhibit(
            kind=kind,
            slug=_new_slug(competition.year, award.category.code),
            competition=competition,
            nomination=nomination,
            award=award,
            category=award.category,
            unit=nomination.unit,
            year=competition.year,
            honour_year=competition.year,
            award_code=award.category.code,
            award_name=award.category.name,
            unit_code=nomination.unit.code,
            unit_name=nomination.unit.name,
            category_order=award.category.order,
            unit_order=nomination.unit.order,
            published_at=now,
            published_by=actor,
            **_copy_fields(nomination, kind),
        )
        try:
            with transaction.atomic():
                exhibit.save()
        except IntegrityError:
            # Published by a concurrent call a moment ago (the row lock makes this rare).
            result.kept += 1
            continue
        _add_photos(exhibit, nomination, result)
        add_nomination_figures(exhibit, nomination)
        result.created.append(exhibit)
    audit_record(
        actor=actor,
        action="exhibition.publish",
        obj=competition,
        after={
            "created": [e.pk for e in result.created],
            "kept": result.kept,
            "withdrawn": result.withdrawn,
            "photos": result.photos,
        },
        reason="；".join(result.photo_failures),
    )
    if result.created:
        _changed()
    return result


# --------------------------------------------------------------------------- withdraw, restore


def _lock(exhibit: Exhibit) -> Exhibit:
    return Exhibit.objects.select_for_update().get(pk=exhibit.pk)


@transaction.atomic
def exhibit_withdraw(
    *, actor: User, exhibit: Exhibit, reason: str, now: datetime | None = None
) -> Exhibit:
    """Take one exhibit off show, with a reason (audited). The public then gets 404."""
    require(is_office, actor, message=OFFICE_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": ["撤下理由：请写明撤下展品的理由。"]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(fields={"reason": [f"撤下理由：不得超过 {REASON_MAX} 字。"]})
    exhibit = _lock(exhibit)
    if exhibit.status == ExhibitStatus.WITHDRAWN:
        raise Conflict("该展品已经撤下。", code="already_withdrawn")
    before = snapshot(exhibit, ["status", "withdrawn_reason"])
    exhibit.status = ExhibitStatus.WITHDRAWN
    exhibit.withdrawn_reason = reason
    exhibit.withdrawn_at = now or timezone.now()
    exhibit.save(update_fields=["status", "withdrawn_reason", "withdrawn_at", "updated_at"])
    audit_record(
        actor=actor,
        action="exhibit.withdraw",
        obj=exhibit,
        before=before,
        after=snapshot(exhibit, ["status", "withdrawn_reason"]),
        reason=reason,
    )
    _changed()
    return exhibit


@transaction.atomic
def exhibit_restore(*, actor: User, exhibit: Exhibit, reason: str = "") -> Exhibit:
    """Put a withdrawn exhibit back on show (audited)."""
    require(is_office, actor, message=OFFICE_ONLY)
    exhibit = _lock(exhibit)
    if exhibit.status != ExhibitStatus.WITHDRAWN:
        raise Conflict("该展品正在展出，无需恢复。", code="not_withdrawn")
    if exhibit.competition is not None and exhibit.competition.phase not in FINAL_PHASES:
        raise Conflict("推选活动的表彰结果尚未确定，不能展出。", code="not_final")
    before = snapshot(exhibit, ["status", "withdrawn_reason"])
    exhibit.status = ExhibitStatus.PUBLISHED
    exhibit.withdrawn_reason = ""
    exhibit.withdrawn_at = None
    exhibit.save(update_fields=["status", "withdrawn_reason", "withdrawn_at", "updated_at"])
    audit_record(
        actor=actor,
        action="exhibit.restore",
        obj=exhibit,
        before=before,
        after=snapshot(exhibit, ["status", "withdrawn_reason"]),
        reason=(reason or "").strip(),
    )
    _changed()
    return exhibit


# --------------------------------------------------------------------------- edit


def _clean(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    allowed = EDITABLE[kind]
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(allowed))
    for name in unknown:
        errors[name] = [f"{name}：{ExhibitKind(kind).label}的展品没有这一项，或不可修改。"]
    cleaned: dict[str, Any] = {}
    for name in allowed:
        if name not in data:
            continue
        value = data[name]
        label = LABELS[kind][name]
        if name in ("title", "organization", "introduction", "field"):
            value = ("" if value is None else str(value)).strip()
            if name == "title" and not value:
                errors[name] = [f"{label}：不能为空。"]
            elif name in ("title", "organization") and len(value) > 100:
                errors[name] = [f"{label}：不得超过 100 字。"]
            elif name == "introduction" and len(value) > INTRODUCTION_MAX:
                errors[name] = [f"{label}：不得超过 {INTRODUCTION_MAX} 字（现有 {len(value)} 字）。"]
            elif name == "field" and value and value not in ServiceField.values:
                errors[name] = [f"{label}：“{value}”不是有效的服务领域。"]
        elif name == "brand_projects":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                errors[name] = [f"{label}：应为名称列表，每项不能为空。"]
            else:
                value = [v.strip() for v in value]
        elif name == "founded_on":
            if value is not None and not hasattr(value, "year"):
                errors[name] = [f"{label}：应为日期。"]
        else:
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                errors[name] = [f"{label}：应为不小于 0 的整数。"]
        cleaned[name] = value
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


@transaction.atomic
def exhibit_update(*, actor: User, exhibit: Exhibit, data: dict[str, Any]) -> Exhibit:
    """Edit an exhibit's whitelisted texts and figures (audited). The nomination is not touched."""
    require(is_office, actor, message=OFFICE_ONLY)
    exhibit = _lock(exhibit)
    cleaned = _clean(exhibit.kind, data)
    changed = [name for name, value in cleaned.items() if getattr(exhibit, name) != value]
    if not changed:
        return exhibit
    before = snapshot(exhibit, changed)
    for name in changed:
        setattr(exhibit, name, cleaned[name])
    exhibit.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor, action="exhibit.update", obj=exhibit, before=before, after=snapshot(exhibit, changed)
    )
    _changed()
    return exhibit


@transaction.atomic
def exhibit_photos_set(*, actor: User, exhibit: Exhibit, photos: list[dict[str, Any]]) -> Exhibit:
    """Choose and order an exhibit's photos: ``photos`` lists every photo of the
    exhibit once, in the order to show, each ``{"id", "caption", "shown"}`` (audited)."""
    require(is_office, actor, message=OFFICE_ONLY)
    exhibit = _lock(exhibit)
    current = {p.pk: p for p in exhibit.photos.all()}
    ids = [item.get("id") for item in photos]
    if sorted(i for i in ids if isinstance(i, int)) != sorted(current) or len(ids) != len(current):
        raise ValidationFailed(
            "照片列表应包含该展品的每一张照片，且每张只出现一次。",
            fields={"photos": ["照片：应包含该展品的每一张照片，且每张只出现一次。"]},
        )
    errors: dict[str, list[str]] = {}
    for i, item in enumerate(photos):
        caption = str(item.get("caption", current[item["id"]].caption) or "").strip()
        if not caption:
            errors[f"photos[{i}].caption"] = ["说明：照片必须填写说明。"]
        elif len(caption) > CAPTION_MAX:
            errors[f"photos[{i}].caption"] = [f"说明：不得超过 {CAPTION_MAX} 字。"]
    if errors:
        raise ValidationFailed(fields=errors)

    def state() -> list[dict[str, Any]]:
        return [
            {"id": p.pk, "caption": p.caption, "order": p.order, "shown": p.shown}
            for p in sorted(current.values(), key=lambda p: (p.order, p.pk))
        ]

    before = state()
    for position, item in enumerate(photos):
        photo = current[item["id"]]
        photo.caption = str(item.get("caption", photo.caption)).strip()
        photo.order = position
        photo.shown = bool(item.get("shown", photo.shown))
    after = state()
    if after == before:
        return exhibit
    ExhibitPhoto.objects.bulk_update(list(current.values()), ["caption", "order", "shown"])
    exhibit.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="exhibit.photos", obj=exhibit, before={"photos": before}, after={"photos": after})
    _changed()
    return exhibit
