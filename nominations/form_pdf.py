"""The printable 推荐表 of a nomination and its version code.

The unit prints the 推荐表 from the data it entered, has it signed and
stamped (推荐单位意见, 盖章), and uploads the scan. So that the stamped paper
and the entered data cannot differ unnoticed, every printed form carries a
short **version code**: a hash of the values of the nomination's schema
fields (``schema.fields(kind)``: everything the unit fills in) with its
category and unit. The stamped scan is recorded against the code current at
upload (``Attachment.form_version``); when the data changes afterwards, the
codes differ and the completeness checklist asks for a new stamped form
(``services.missing_items``), so submission is refused until one is uploaded.

This module builds the form's HTML (``nominations/form_pdf.html``, Django
autoescaping: entered text is never markup). The PDF is rendered with the
certificates' font pipeline by ``certificates.documents.nomination_form_pdf``
(apps import only leftwards; the font pipeline is the certificates').
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from . import schema

VERSION_LENGTH = 8


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def version_data(nomination) -> dict[str, Any]:
    """What the version code is the hash of: the schema fields' values, the category and the unit."""
    kind = nomination.category.kind
    data = {f.name: _plain(getattr(nomination, f.name)) for f in schema.fields(kind)}
    data["category"] = nomination.category_id
    data["unit"] = nomination.unit_id
    return data


def version_code(nomination) -> str:
    """The 8-character code printed on the form (upper-case hex of a SHA-256)."""
    text = json.dumps(version_data(nomination), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_LENGTH].upper()


def display_value(nomination, name: str) -> str:
    """A field's value as the paper form prints it."""
    value = getattr(nomination, name)
    if name == "order":
        return f"第 {value} 位" if value else ""
    if name == "field":
        return nomination.get_field_display()
    if name == "pledge":
        return schema.PLEDGE_TEXT if value else "未承诺"
    if name in ("started_on", "founded_on") and value:
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def form_title(nomination) -> str:
    """E.g. 最佳志愿服务项目推荐表."""
    return f"{nomination.category.name}推荐表"


def sections(nomination) -> list[tuple[str, list[dict]]]:
    kind = nomination.category.kind
    long = schema.long_fields()
    return [
        (
            title,
            [
                {
                    "label": schema.label(kind, name),
                    "value": display_value(nomination, name),
                    "long": name in long or name in ("media_links", "brand_projects", "pledge"),
                }
                for name in names
                if name != "title"  # the name heads the form
            ],
        )
        for title, names in schema.sections(kind)
    ]


def form_html(nomination, *, now: dt.datetime | None = None) -> str:
    """The 推荐表 as HTML for WeasyPrint (A4, its own ``@page`` rules)."""
    kind = nomination.category.kind
    return render_to_string(
        "nominations/form_pdf.html",
        {
            "nomination": nomination,
            "title": form_title(nomination),
            "name_label": schema.label(kind, "title"),
            "sections": sections(nomination),
            "code": version_code(nomination),
            "printed": timezone.localtime(now or timezone.now()),
        },
    )


def form_filename(nomination) -> str:
    name = re.sub(r'[\\/:*?"<>|\r\n\t]', "_", nomination.title or f"推荐{nomination.pk}")
    return f"{form_title(nomination)}-{name}-{version_code(nomination)}.pdf"
