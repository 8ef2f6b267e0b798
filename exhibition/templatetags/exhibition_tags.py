"""Filters of the exhibition pages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse

from .. import renditions

register = template.Library()


@register.filter
def num(value) -> str:
    """A count as a reader on a phone takes it in: 3,412 · 10.41万 · 100万 · 1.2亿."""
    if value is None or value == "":
        return "—"
    n = int(value)
    if n < 10_000:
        return f"{n:,}"
    for unit, size in (("亿", 100_000_000), ("万", 10_000)):
        if n >= size:
            scaled = (Decimal(n) / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            text = f"{scaled:f}".rstrip("0").rstrip(".")
            return f"{text}{unit}"
    return str(n)  # pragma: no cover


@register.filter
def media(name: str) -> str:
    """The URL of a rendition."""
    return reverse("exhibition:media", args=[name.removeprefix(renditions.PREFIX)])
