"""What a judge of a blind round (``Round.blind``) may learn: nothing of the unit or the organisation.

The materials leave out the recommending unit and the implementing
organisation, and where their texts (the title, the descriptions) name
either, the name is replaced by ``REDACTED`` (``redact``); attachments carry neutral names (``照片2.jpg``, ``附件3.pdf``)
and are served as copies without metadata (EXIF, XMP, PDF document
information); the stamped 推荐表 is withheld; a 回避 found from the judge's
unit or organisations is told in neutral words. Pure helpers: no writes.
"""

from __future__ import annotations

from collections import defaultdict

from competition.enums import Role
from nominations.enums import AttachmentKind
from nominations.files import EXTENSIONS

from .conflicts import DECLARED_REASON

# Fields of the materials a judge of a blind round never receives.
BLIND_HIDDEN_FIELDS = ("unit", "organization")
# What stands in a blind round's texts where they named the unit or the organisation.
REDACTED = "〔已隐去〕"
NEUTRAL_CONFLICT = "评委与被推荐对象存在利益关联，须回避。"
_LABELS = {AttachmentKind.PHOTO: "照片", AttachmentKind.VIDEO: "视频", AttachmentKind.OTHER: "附件"}


def is_blind_for(viewer, round_) -> bool:
    """True when ``viewer`` reads ``round_`` as a judge of a blind round (the office and observers never are)."""
    return bool(round_.blind) and getattr(viewer, "role", None) == Role.JUDGE


def neutral_names(attachments) -> dict[int, str]:
    """Neutral file names, numbered per kind in the attachments' own order; the 推荐表 has none (withheld)."""
    counters: dict[str, int] = defaultdict(int)
    names = {}
    for attachment in sorted(attachments, key=lambda a: (a.kind, a.order, a.pk)):
        label = _LABELS.get(attachment.kind)
        if label is None:  # the stamped form, or an unknown kind: never shown
            continue
        counters[label] += 1
        ext = EXTENSIONS.get(attachment.content_type, ("bin",))[0]
        names[attachment.pk] = f"{label}{counters[label]}.{ext}"
    return names


def conflict_for_judge(reason: str | None, *, blind: bool) -> str | None:
    """The 回避 reason as the judge may read it: in a blind round, which rule (same unit,
    related organisation) is not said, since that would tell the unit."""
    if reason is None or not blind or reason == DECLARED_REASON:
        return reason
    return NEUTRAL_CONFLICT


def identifying_names(nomination) -> list[str]:
    """The names a blind round keeps from its judges: the recommending unit's name and short
    name, and the implementing organisation; longest first (so a name containing another is
    replaced whole), none shorter than two characters."""
    unit = nomination.unit
    found = {(name or "").strip() for name in (unit.name, unit.short_name, nomination.organization)}
    return sorted((name for name in found if len(name) >= 2), key=lambda name: (-len(name), name))


def redact(value, names: list[str]):
    """``value`` (a text, or a list of texts) with each of ``names`` replaced by ``REDACTED``."""
    if isinstance(value, list):
        return [redact(item, names) for item in value]
    if not isinstance(value, str):
        return value
    for name in names:
        value = value.replace(name, REDACTED)
    return value
