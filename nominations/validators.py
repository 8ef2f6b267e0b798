"""Rules on nomination fields shared by the model, the serializers and the import."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
SUMMARY_MAX = 1000
INTRODUCTION_MAX = 300


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError("请填写 11 位手机号码或带区号的固定电话。", code="invalid_phone")


def validate_media_links(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("媒体报道应为链接列表。", code="invalid_links")
    for link in value:
        if not re.match(r"^https?://[^\s]+$", link):
            raise ValidationError(f"“{link}”不是有效的网址（应以 http:// 或 https:// 开头）。")


def validate_name_list(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("应为名称列表，每项不能为空。", code="invalid_list")


def normalize(text: str) -> str:
    """A comparable form of a title or organisation name: NFKC, no spaces or punctuation, lower case."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in ("L", "N"))


def normalized_key(title: str, organization: str) -> str:
    return f"{normalize(title)}|{normalize(organization)}"


def full_years(start: date | None, on: date) -> int | None:
    """Completed years from ``start`` to ``on`` (a project started 2016-03-05 has run 6 years on 2022-10-31)."""
    if start is None:
        return None
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return max(0, years)
