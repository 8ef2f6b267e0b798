"""意见建议: citizens' suggestions from the 云展馆, and the office's handling of them.

- ``suggestion_submit``: anyone (no sign-in) sends a suggestion; name and
  contact (a phone number or an e-mail address) are optional, the text is
  required (``SUGGESTION_CONTENT_MIN``–``SUGGESTION_CONTENT_MAX`` characters).
  Every attempt counts against the client address's hourly limit
  (``SUGGESTIONS_PER_ADDRESS_PER_HOUR``), the refused ones too.
- ``suggestion_mark``: the office marks one read or handled, with a note
  (required when handled); audited with the state before and after.
- ``suggestions_for_office``: the office's list, newest first, by status
  (or ``PENDING``: those not handled yet, unread or read).
- ``suggestions_waiting``: how many wait to be handled (the console's badge,
  ``exhibition.badges``; the daily summary and the office's daily notice,
  ``exhibition.reminders``).

The public form (``suggestion_views``) and the public API both call
``suggestion_submit``; neither shows a suggestion back to the public.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from competition import ratelimit
from competition.audit import audit_record
from competition.exceptions import Conflict, ValidationFailed
from competition.models import User
from competition.rules import is_office, require

from .enums import SuggestionStatus
from .models import (
    SUGGESTION_CONTACT_MAX,
    SUGGESTION_CONTENT_MAX,
    SUGGESTION_CONTENT_MIN,
    SUGGESTION_NAME_MAX,
    SUGGESTION_NOTE_MAX,
    Suggestion,
)

OFFICE_ONLY = "只有组委会办公室可以处理意见建议。"
# The list's filter of the suggestions that wait to be handled: unread, or read and not handled.
PENDING = "pending"
PENDING_LABEL = "待处理"
WAITING = (SuggestionStatus.NEW, SuggestionStatus.READ)
# A mobile number, or a landline with its area code (0351-4040123, 03514040123).
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def suggestion_fields(*, name: str, contact: str, content: str) -> tuple[str, str, str, dict[str, list[str]]]:
    """The fields of a suggestion, stripped, and their Chinese errors by field."""
    name, contact, content = (name or "").strip(), (contact or "").strip(), (content or "").strip()
    errors: dict[str, list[str]] = {}
    if len(name) > SUGGESTION_NAME_MAX:
        errors["name"] = [f"姓名：不超过 {SUGGESTION_NAME_MAX} 个字（也可以不填）。"]
    if contact:
        is_email = "@" in contact
        if is_email:
            try:
                validate_email(contact)
            except ValidationError:
                is_email = False
        if len(contact) > SUGGESTION_CONTACT_MAX or not (is_email or PHONE_RE.match(contact)):
            errors["contact"] = ["联系方式：请填写手机号码、带区号的固定电话或电子邮箱（也可以不填）。"]
    if not content:
        errors["content"] = ["意见建议：请填写您的意见或建议。"]
    elif len(content) < SUGGESTION_CONTENT_MIN:
        errors["content"] = [f"意见建议：请写得具体一些（不少于 {SUGGESTION_CONTENT_MIN} 个字）。"]
    elif len(content) > SUGGESTION_CONTENT_MAX:
        errors["content"] = [f"意见建议：不超过 {SUGGESTION_CONTENT_MAX} 个字（现有 {len(content)} 个字）。"]
    return name, contact, content, errors


@transaction.atomic
def suggestion_submit(
    *, name: str = "", contact: str = "", content: str, client_address: str | None = None
) -> Suggestion:
    """Anyone sends a suggestion to the office. Refused (nothing saved): a bad field, in
    Chinese under its name; too many attempts from one address (``RateLimited``)."""
    if client_address:
        wait = ratelimit.hit(
            f"suggestion:address:{client_address}", limit=settings.SUGGESTIONS_PER_ADDRESS_PER_HOUR, window=3600
        )
        if wait is not None:
            raise ratelimit.RateLimited(
                f"提交过于频繁，请 {ratelimit.wait_text(wait)}后再试。", retry_after=wait
            )
    name, contact, content, errors = suggestion_fields(name=name, contact=contact, content=content)
    if errors:
        raise ValidationFailed(fields=errors)
    suggestion = Suggestion.objects.create(
        name=name, contact=contact, content=content, client_address=client_address
    )
    audit_record(actor=None, action="suggestion.submit", obj=suggestion, after={"length": len(content)})
    return suggestion


@transaction.atomic
def suggestion_mark(*, actor: User, suggestion: Suggestion, status: str, note: str = "") -> Suggestion:
    """The office marks a suggestion read or handled (a note is required when handled);
    or back to unread. Audited with the status and note before and after."""
    require(is_office, actor, message=OFFICE_ONLY)
    note = (note or "").strip()
    if status not in SuggestionStatus.values:
        raise ValidationFailed(fields={"status": ["处理状态：应为未读、已读或已处理。"]})
    if status == SuggestionStatus.HANDLED and not note:
        raise ValidationFailed(fields={"note": ["处理说明：标记为已处理时请写明如何处理。"]})
    if len(note) > SUGGESTION_NOTE_MAX:
        raise ValidationFailed(fields={"note": [f"处理说明：不超过 {SUGGESTION_NOTE_MAX} 个字。"]})
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    before = {"status": suggestion.status, "note": suggestion.note}
    if before == {"status": status, "note": note}:
        raise Conflict("该意见建议已是这个状态，没有需要保存的变化。")
    suggestion.status = status
    suggestion.note = note
    if status == SuggestionStatus.NEW:
        suggestion.handled_by, suggestion.handled_at = None, None
    else:
        suggestion.handled_by, suggestion.handled_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "note", "handled_by", "handled_at"])
    audit_record(
        actor=actor,
        action="suggestion.mark",
        obj=suggestion,
        before=before,
        after={"status": status, "note": note},
    )
    return suggestion


def suggestions_for_office(*, status: str = "") -> QuerySet[Suggestion]:
    """The office's list (newest first), of one status if a valid one is given, or of
    those waiting to be handled (``PENDING``)."""
    queryset = Suggestion.objects.select_related("handled_by")
    if status in SuggestionStatus.values:
        queryset = queryset.filter(status=status)
    elif status == PENDING:
        queryset = queryset.filter(status__in=WAITING)
    return queryset


def suggestions_waiting() -> int:
    """How many suggestions wait to be handled (unread, or read and not handled)."""
    return Suggestion.objects.filter(status__in=WAITING).count()


def suggestion_counts() -> dict[str, int]:
    """How many suggestions there are of each status."""
    rows = Suggestion.objects.values("status").annotate(n=Count("id"))
    counts = {s: 0 for s in SuggestionStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
