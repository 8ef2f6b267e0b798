"""Writes of the content halls (序篇, 文化展, 制度展, 主题展): the office's items.

Every function is keyword-only, runs in a transaction, is for the office only
(``Forbidden`` otherwise), refuses bad input with a Chinese message naming the
field (changing nothing) and writes an audit entry.

- ``item_save``: create or edit an item (title, summary, Markdown body,
  year, unit, field, external links); the body is rendered and sanitised
  here (``richtext``), once, not on every read.
- ``item_publish`` / ``item_unpublish``: on show, or back to draft.
- ``item_move``: one place up or down within its hall.
- ``item_add_file`` / ``item_remove_file``: a picture (JPEG or PNG, stored as
  two JPEG renditions without metadata), a PDF document (no active content),
  or an MP4 video (at most ``EXHIBITION_VIDEO_MAX_SECONDS``, tags blanked)
  with its poster frame (a picture).

Files are checked by their content with the nominations' checks
(``nominations.files``), never by their name, and stored under
content-hashed names below ``MEDIA_ROOT/public/halls/``.
"""

from __future__ import annotations

import hashlib
import io
import math
import secrets
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from competition.audit import audit_record, snapshot
from competition.exceptions import Conflict, ValidationFailed
from competition.models import Unit, User
from competition.rules import is_office, require
from nominations import files as checks
from nominations.enums import ServiceField

from . import caching, renditions, richtext
from .hall_enums import ContentHall, ItemFileKind, ItemStatus
from .models import HALL_ITEM_BODY_MAX, HallItem, HallItemFile

OFFICE_ONLY = "只有组委会办公室可以管理云展馆的展厅内容。"
PREFIX = "public/halls/"
SLUG_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
TITLE_MAX = HallItem._meta.get_field("title").max_length
SUMMARY_MAX = HallItem._meta.get_field("summary").max_length
CAPTION_MAX = HallItemFile._meta.get_field("title").max_length
LINKS_MAX = 20
LINK_TITLE_MAX = 100
URL_MAX = 500
FILES_MAX = 30
AUDITED = ("hall", "title", "summary", "body", "year", "unit", "field", "links", "status", "order")


def _changed() -> None:
    caching.forget_stamp()
    transaction.on_commit(caching.forget_stamp)


def _office(actor: User) -> None:
    require(is_office, actor, message=OFFICE_ONLY)


def _lock(item: HallItem) -> HallItem:
    return HallItem.objects.select_for_update().get(pk=item.pk)


# --------------------------------------------------------------------------- the texts


def clean_links(raw: Any) -> list[dict[str, str]]:
    """``[{"title", "url"}]`` with http or https addresses only; ``ValidationFailed`` otherwise."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationFailed(fields={"links": ["外部链接：格式无效。"]})
    if len(raw) > LINKS_MAX:
        raise ValidationFailed(fields={"links": [f"外部链接：最多 {LINKS_MAX} 个。"]})
    out = []
    for number, link in enumerate(raw, start=1):
        if not isinstance(link, dict):
            raise ValidationFailed(fields={"links": [f"外部链接：第 {number} 个格式无效。"]})
        title = str(link.get("title") or "").strip()
        url = str(link.get("url") or "").strip()
        if not url:
            raise ValidationFailed(fields={"links": [f"外部链接：第 {number} 个缺少网址。"]})
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            raise ValidationFailed(
                fields={"links": [f"外部链接：第 {number} 个网址须以 http:// 或 https:// 开头（{url[:60]}）。"]}
            )
        if len(url) > URL_MAX or len(title) > LINK_TITLE_MAX:
            raise ValidationFailed(
                fields={"links": [f"外部链接：第 {number} 个的名称不得超过 {LINK_TITLE_MAX} 字、网址不得超过 {URL_MAX} 个字符。"]}
            )
        out.append({"title": title or parts.netloc, "url": url})
    return out


def _clean(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if creating or "hall" in data:
        hall = str(data.get("hall") or "")
        if hall not in ContentHall.values:
            errors["hall"] = ["展厅：请选择序篇、文化展、制度展或主题展。"]
        out["hall"] = hall
    if creating or "title" in data:
        title = str(data.get("title") or "").strip()
        if not title:
            errors["title"] = ["标题：请填写标题。"]
        elif len(title) > TITLE_MAX:
            errors["title"] = [f"标题：不得超过 {TITLE_MAX} 字。"]
        out["title"] = title
    if "summary" in data:
        summary = str(data.get("summary") or "").strip()
        if len(summary) > SUMMARY_MAX:
            errors["summary"] = [f"摘要：不得超过 {SUMMARY_MAX} 字。"]
        out["summary"] = summary
    if "body" in data:
        body = str(data.get("body") or "").replace("\r\n", "\n")
        if len(body) > HALL_ITEM_BODY_MAX:
            errors["body"] = [f"正文：不得超过 {HALL_ITEM_BODY_MAX} 字。"]
        out["body"] = body
    if "year" in data:
        raw = data.get("year")
        if raw in (None, ""):
            out["year"] = None
        else:
            try:
                year = int(raw)
            except (TypeError, ValueError):
                year = 0
            if not 1949 <= year <= 2100:
                errors["year"] = ["年度：请填写 1949 至 2100 之间的年份，或留空。"]
            out["year"] = year
    if "unit" in data:
        code = str(data.get("unit") or "").strip()
        unit = None
        if code:
            unit = Unit.objects.filter(code=code).first()
            if unit is None:
                errors["unit"] = ["相关单位：没有这个单位。"]
        out["unit"] = unit
    if "field" in data:
        field = str(data.get("field") or "")
        if field and field not in ServiceField.values:
            errors["field"] = ["服务领域：请从列表中选择。"]
        out["field"] = field
    if "links" in data:
        try:
            out["links"] = clean_links(data.get("links"))
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def _new_slug(hall: str) -> str:
    while True:
        code = "".join(secrets.choice(SLUG_ALPHABET) for _ in range(6))
        slug = f"{hall}-{code}"
        if not HallItem.objects.filter(slug=slug).exists():
            return slug


@transaction.atomic
def item_save(*, actor: User, data: dict[str, Any], item: HallItem | None = None) -> HallItem:
    """Create an item (a draft at the end of its hall) or edit one. ``data`` holds the fields to set:
    hall, title, summary, body (Markdown), year, unit (a unit's code), field, links."""
    _office(actor)
    values = _clean(data, creating=item is None)
    if item is None:
        order = (HallItem.objects.filter(hall=values["hall"]).aggregate(m=Max("order"))["m"] or 0) + 1
        item = HallItem(slug=_new_slug(values["hall"]), order=order, created_by=actor)
        before = None
        action = "hall_item.create"
    else:
        item = _lock(item)
        before = snapshot(item, AUDITED)
        action = "hall_item.update"
        if "hall" in values and values["hall"] != item.hall:
            values["order"] = (HallItem.objects.filter(hall=values["hall"]).aggregate(m=Max("order"))["m"] or 0) + 1
    for key, value in values.items():
        setattr(item, key, value)
    if "body" in values:
        item.body_html = richtext.render(item.body)
        item.body_text = richtext.plain_text(item.body_html)
    item.save()
    audit_record(actor=actor, action=action, obj=item, before=before, after=snapshot(item, AUDITED))
    _changed()
    return item


@transaction.atomic
def item_publish(*, actor: User, item: HallItem, now=None) -> HallItem:
    """Put a draft on show (audited)."""
    _office(actor)
    item = _lock(item)
    if item.status == ItemStatus.PUBLISHED:
        raise Conflict("该内容已经发布。")
    if not item.body.strip() and not item.files.exists() and not item.links:
        raise ValidationFailed(fields={"body": ["正文：发布前请填写正文，或添加图片、文件、视频或链接。"]})
    item.status = ItemStatus.PUBLISHED
    item.published_at = now or timezone.now()
    item.save()
    audit_record(actor=actor, action="hall_item.publish", obj=item, after={"status": item.status})
    _changed()
    return item


@transaction.atomic
def item_unpublish(*, actor: User, item: HallItem) -> HallItem:
    """Take an item off show, back to draft (audited). The public then gets 404."""
    _office(actor)
    item = _lock(item)
    if item.status != ItemStatus.PUBLISHED:
        raise Conflict("该内容尚未发布。")
    item.status = ItemStatus.DRAFT
    item.save()
    audit_record(
        actor=actor, action="hall_item.unpublish", obj=item,
        before={"status": ItemStatus.PUBLISHED}, after={"status": item.status},
    )  # fmt: skip
    _changed()
    return item


@transaction.atomic
def item_move(*, actor: User, item: HallItem, direction: str) -> HallItem:
    """Swap an item with its neighbour above (``up``) or below (``down``) in its hall (audited)."""
    _office(actor)
    if direction not in ("up", "down"):
        raise ValidationFailed(fields={"direction": ["排序：只能上移或下移。"]})
    items = list(HallItem.objects.select_for_update().filter(hall=item.hall).order_by("order", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        raise Conflict("已经在最前面。" if direction == "up" else "已经在最后面。")
    items[index], items[target] = items[target], items[index]
    before = [i.pk for i in sorted(items, key=lambda i: (i.order, i.id))]
    for position, other in enumerate(items, start=1):
        if other.order != position:
            other.order = position
            other.save(update_fields=["order", "updated_at"])
    audit_record(
        actor=actor, action="hall_item.move", obj=items[target],
        before={"order": before}, after={"order": [i.pk for i in items]},
    )  # fmt: skip
    _changed()
    return items[target]


# --------------------------------------------------------------------------- the files


def _store(content: bytes, ext: str) -> str:
    digest = hashlib.sha256(content).hexdigest()[:40]
    name = f"{PREFIX}{digest[:2]}/{digest}.{ext}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))
    return name


def _kind_of(fileobj: IO[bytes]) -> tuple[str | None, int]:
    size = checks._size_of(fileobj)
    if size == 0:
        raise ValidationFailed(fields={"file": ["文件：文件是空的。"]})
    fileobj.seek(0)
    head = fileobj.read(64)
    fileobj.seek(0)
    return checks.sniff(head), size


def _refuse(field: str, message: str):
    return ValidationFailed(fields={field: [message]})


def _picture(fileobj: IO[bytes], field: str) -> tuple[renditions.Rendition, renditions.Rendition]:
    content_type, size = _kind_of(fileobj)
    if content_type not in (checks.JPEG, checks.PNG):
        label = "封面" if field == "poster" else "图片"
        raise _refuse(field, f"{label}：须为 JPEG 或 PNG 图片（按文件内容判断，与文件名无关）。")
    if size > checks.MAX_PHOTO_BYTES:
        raise _refuse(field, f"{'封面' if field == 'poster' else '图片'}：不能超过 {checks._mb(checks.MAX_PHOTO_BYTES)}。")
    try:
        checks.check_image(fileobj, content_type)
        return renditions.render_pair(fileobj)
    except checks.FileRejected as exc:
        raise _refuse(field, exc.message.replace("文件：", "图片：", 1)) from exc


def _video_seconds(fileobj: IO[bytes], size: int) -> float:
    limit = settings.EXHIBITION_VIDEO_MAX_SECONDS
    try:
        checks.check_mp4(fileobj, size)
        seconds = checks.video_seconds(fileobj)
    except checks.FileRejected as exc:
        raise _refuse("file", exc.message.replace("文件：", "视频：", 1)) from exc
    if seconds > limit:
        raise _refuse(
            "file",
            f"视频：时长不能超过 {checks._duration(limit)}（上传的视频 {checks._duration(math.ceil(seconds))}）。",
        )
    return seconds


@transaction.atomic
def item_add_file(
    *,
    actor: User,
    item: HallItem,
    kind: str,
    title: str,
    upload: IO[bytes],
    poster: IO[bytes] | None = None,
) -> HallItemFile:
    """Add a picture, a PDF document or an MP4 video (with ``poster``, a picture) to an item (audited)."""
    _office(actor)
    item = _lock(item)
    title = (title or "").strip()
    if kind not in ItemFileKind.values:
        raise _refuse("kind", "类型：请选择图片、PDF 文件或视频。")
    if not title:
        raise _refuse("title", "说明：请填写文件的说明或名称。")
    if len(title) > CAPTION_MAX:
        raise _refuse("title", f"说明：不得超过 {CAPTION_MAX} 字。")
    if upload is None:
        raise _refuse("file", "文件：请选择要上传的文件。")
    if item.files.count() >= FILES_MAX:
        raise _refuse("file", f"文件：每条内容最多 {FILES_MAX} 个文件。")
    values: dict[str, Any] = {}
    if kind == ItemFileKind.IMAGE:
        thumb, detail = _picture(upload, "file")
        values.update(
            name=_store(detail.content, "jpg"), thumb=_store(thumb.content, "jpg"),
            width=detail.width, height=detail.height, size=len(detail.content),
        )  # fmt: skip
    elif kind == ItemFileKind.DOCUMENT:
        content_type, size = _kind_of(upload)
        if content_type != checks.PDF:
            raise _refuse("file", "文件：制度文件须为 PDF（按文件内容判断，与文件名无关）。")
        if size > checks.MAX_PDF_BYTES:
            raise _refuse("file", f"文件：PDF 不能超过 {checks._mb(checks.MAX_PDF_BYTES)}。")
        try:
            checks.check_pdf(upload)
        except checks.FileRejected as exc:
            raise _refuse("file", exc.message) from exc
        upload.seek(0)
        values.update(name=_store(upload.read(), "pdf"), size=size)
    else:
        content_type, size = _kind_of(upload)
        if content_type != checks.MP4:
            raise _refuse("file", "视频：须为 MP4 视频（按文件内容判断，与文件名无关）。")
        if size > checks.MAX_VIDEO_BYTES:
            raise _refuse("file", f"视频：不能超过 {checks._mb(checks.MAX_VIDEO_BYTES)}。")
        seconds = _video_seconds(upload, size)
        if poster is None:
            raise _refuse("poster", "封面：视频须配一张封面图片（JPEG 或 PNG）。")
        _thumb, frame = _picture(poster, "poster")
        upload.seek(0)
        values.update(
            name=_store(checks.mp4_without_metadata(upload.read()), "mp4"),
            thumb=_store(frame.content, "jpg"), width=frame.width, height=frame.height,
            size=size, seconds=round(seconds, 3),
        )  # fmt: skip
    order = (item.files.aggregate(m=Max("order"))["m"] or 0) + 1
    created = HallItemFile.objects.create(item=item, kind=kind, title=title, order=order, **values)
    item.save(update_fields=["updated_at"])
    audit_record(
        actor=actor, action="hall_item.add_file", obj=item,
        after={"file": created.pk, "kind": kind, "title": title, "name": created.name},
    )  # fmt: skip
    _changed()
    return created


@transaction.atomic
def item_remove_file(*, actor: User, item: HallItem, file_id: int) -> HallItem:
    """Remove one file from an item (audited). The stored bytes stay (their name may be shared)."""
    _office(actor)
    item = _lock(item)
    found = item.files.filter(pk=file_id).first()
    if found is None:
        raise _refuse("file", "文件：该内容没有这个文件。")
    before = {"file": found.pk, "kind": found.kind, "title": found.title, "name": found.name}
    found.delete()
    item.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="hall_item.remove_file", obj=item, before=before)
    _changed()
    return item


def upload_of(data: bytes) -> IO[bytes]:
    """Bytes as a file object (the demo and tests hand in bytes)."""
    return io.BytesIO(data)
