"""Attachment writes: add and delete the files of a nomination.

The rules:

- only an officer of the nomination's unit, only while the nomination is
  editable (draft or returned) and the nomination window is open: the same
  checks as ``services``, made again under the nomination's row lock;
- the type is what the content is (``files.inspect_upload``), never the name or
  the client's content type; the file is stored under a generated name and
  the uploaded name is kept only as sanitized display text;
- at most ``files.MAX_PHOTOS`` photos, counted under the nomination's lock;
- a stamped form is recorded against the version code of the 推荐表 current
  at upload (``form_pdf.version_code``, computed under the lock): the
  officer picks nothing; when the data changes later the checklist asks for
  a new one;
- one stamped form per nomination: uploading another *replaces* it (the old
  row is deleted, audited, and its file removed after commit), because a unit
  re-stamping a corrected form is the normal case, not a mistake;
- an upload that fails leaves no row and no file: the files are written
  inside the transaction and deleted again when anything after that fails;
  files of deleted or replaced attachments are removed only after commit
  (``transaction.on_commit(..., robust=True)``), so a rollback never loses
  a file that a surviving row points to.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import IO

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max

from competition.audit import audit_record, snapshot
from competition.exceptions import Conflict, NotFound, ValidationFailed
from competition.models import User

from . import files, form_pdf, states
from .enums import EDITABLE_STATUSES, AttachmentKind, Status
from .models import Attachment, Nomination
from .services import _lock, _now, _require_own_unit

logger = logging.getLogger(__name__)

AUDIT_FIELDS = [
    "nomination",
    "kind",
    "file",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "width",
    "height",
    "caption",
    "order",
    "form_version",
]
CAPTION_MAX = Attachment._meta.get_field("caption").max_length


def _storage():
    return Attachment._meta.get_field("file").storage


def _delete_files(names: list[str]) -> None:
    storage = _storage()
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # a file left behind is logged, never a failed request
            logger.exception("could not delete attachment file %s", name)


def _delete_files_on_commit(names: list[str]) -> None:
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: _delete_files(names), robust=True)


def _refuse_unless_editable(nomination: Nomination, now: datetime) -> None:
    if nomination.status not in EDITABLE_STATUSES:
        raise Conflict(
            f"推荐处于“{Status(nomination.status).label}”状态，不能修改附件。",
            code="not_editable",
        )


def _refuse_when_closed(nomination: Nomination, now: datetime) -> None:
    """The window, or a returned nomination's correction period (the same rule as editing)."""
    refusal = states.edit_refusal(nomination, now)
    if refusal:
        raise Conflict(str(refusal), code=refusal.code)


def _check_input(kind: str, caption: str) -> None:
    if kind not in AttachmentKind.values:
        choices = "、".join(f"{k.value}（{k.label}）" for k in AttachmentKind)
        raise ValidationFailed(fields={"kind": [f"附件类型：应为 {choices} 之一。"]})
    if kind == AttachmentKind.PHOTO and not caption:
        raise ValidationFailed(fields={"caption": ["说明：照片必须填写说明。"]})
    if len(caption) > CAPTION_MAX:
        raise ValidationFailed(fields={"caption": [f"说明：不能超过 {CAPTION_MAX} 字。"]})


def attachment_add(
    *,
    actor: User,
    nomination: Nomination,
    upload: IO[bytes],
    kind: str,
    caption: str = "",
    now: datetime | None = None,
) -> Attachment:
    """Check an uploaded file by its content and attach it to the nomination.

    Raises NotFound (not the officer's unit), Conflict (not editable, window
    closed, too many photos) or ValidationFailed (bad kind, caption or file;
    the field is named in ``fields``).
    """
    kind = str(kind or "")
    caption = (caption or "").strip()
    _check_input(kind, caption)
    _require_own_unit(actor, nomination)
    # Cheap state checks first (repeated under the lock below), so that a
    # closed nomination does not cost parsing a 20 MB file.
    _refuse_unless_editable(nomination, _now(now))
    _refuse_when_closed(nomination, _now(now))

    if not isinstance(upload, File):
        upload = File(upload, name=getattr(upload, "name", None))
    # Parsing happens outside the transaction: no row lock is held meanwhile.
    try:
        inspected = files.inspect_upload(upload, kind)
        thumbnail = files.make_thumbnail(upload) if kind == AttachmentKind.PHOTO else None
    except files.FileRejected as exc:
        raise ValidationFailed(exc.message, code=exc.code, fields={exc.field: [exc.message]}) from exc

    written: list[str] = []
    try:
        with transaction.atomic():
            nomination = _lock(nomination)
            _refuse_unless_editable(nomination, _now(now))
            _refuse_when_closed(nomination, _now(now))
            siblings = Attachment.objects.filter(nomination=nomination, kind=kind)
            replaced: list[Attachment] = []
            if kind == AttachmentKind.PHOTO:
                count = siblings.count()
                if count >= files.MAX_PHOTOS:
                    raise Conflict(
                        f"照片最多上传 {files.MAX_PHOTOS} 张，本推荐已有 {count} 张；"
                        "请先删除不需要的照片。",
                        code="too_many_photos",
                    )
            if kind == AttachmentKind.STAMPED_FORM:
                replaced = list(siblings.select_for_update())
            order = (siblings.aggregate(top=Max("order"))["top"] or 0) + 1

            attachment = Attachment(
                nomination=nomination,
                kind=kind,
                # Set before saving the file: upload_to derives the extension from it.
                content_type=inspected.content_type,
                original_name=files.display_name(upload.name, inspected.content_type),
                size=inspected.size,
                sha256=inspected.sha256,
                width=inspected.width,
                height=inspected.height,
                caption=caption,
                order=1 if kind == AttachmentKind.STAMPED_FORM else order,
                # The stamped scan answers for the data as it is now (read under the lock).
                form_version=form_pdf.version_code(nomination)
                if kind == AttachmentKind.STAMPED_FORM
                else "",
                uploaded_by=actor,
            )
            upload.seek(0)
            attachment.file.save("upload", upload, save=False)
            written.append(attachment.file.name)
            if thumbnail is not None:
                attachment.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail), save=False)
                written.append(attachment.thumbnail.name)

            replaced_ids = [old.pk for old in replaced]
            for old in replaced:
                audit_record(
                    actor=actor,
                    action="attachment.delete",
                    obj=old,
                    before=snapshot(old, AUDIT_FIELDS),
                    reason="上传了新的盖章推荐表，替换原文件。",
                )
                _delete_files_on_commit([old.file.name, old.thumbnail.name])
                old.delete()
            attachment.save()
            audit_record(
                actor=actor,
                action="attachment.add",
                obj=attachment,
                after=snapshot(attachment, AUDIT_FIELDS),
                reason=f"替换附件 {', '.join(map(str, replaced_ids))}。" if replaced_ids else "",
            )
    except BaseException:
        _delete_files(written)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor: User, attachment: Attachment, now: datetime | None = None) -> None:
    """Remove an attachment of an editable nomination; its files go after commit."""
    _require_own_unit(actor, attachment.nomination)
    nomination = _lock(attachment.nomination)
    _refuse_unless_editable(nomination, _now(now))
    _refuse_when_closed(nomination, _now(now))
    try:
        attachment = Attachment.objects.select_for_update().get(
            pk=attachment.pk, nomination=nomination
        )
    except Attachment.DoesNotExist:
        raise NotFound() from None
    audit_record(
        actor=actor,
        action="attachment.delete",
        obj=attachment,
        before=snapshot(attachment, AUDIT_FIELDS),
    )
    names = [attachment.file.name, attachment.thumbnail.name]
    attachment.delete()
    _delete_files_on_commit(names)
