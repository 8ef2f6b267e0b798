"""Template helpers of the six halls: file URLs, absolute URLs for share tags, the running 公示."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from .. import caching, hall_services

register = template.Library()


@register.filter
def hall_file(name: str) -> str:
    """The URL of a stored file of a content hall's item."""
    return reverse("exhibition:hall-file", args=[name.removeprefix(hall_services.PREFIX)]) if name else ""


@register.filter
def absolute(path: str) -> str:
    """A path on this site as a full address (``SITE_URL``), as share previews need."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


@register.simple_tag
def share_image() -> str:
    """The exhibition's own picture, for pages without a photo of their own."""
    return absolute(static("exhibition/share.png"))


@register.simple_tag
def running_publicity() -> dict | None:
    """The 公示 running today (memoised with the exhibition's state), or None."""
    running = caching.live_state().publicity
    if running is None:
        return None
    pk, title, ends_on = running
    return {"url": reverse("publicity:detail", args=[pk]), "title": title, "ends_on": ends_on}


@register.filter
def minutes(seconds) -> str:
    """A video's length: 75.2 -> "1:16"."""
    if seconds is None:
        return ""
    total = int(round(float(seconds)))
    return f"{total // 60}:{total % 60:02d}"


@register.simple_tag
def six_halls() -> list[dict]:
    """The six halls with their counts (the lobby's links to them)."""
    from .. import halls

    return halls.halls_with_counts()
