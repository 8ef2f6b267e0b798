"""The public pages of the six halls (no sign-in): the halls' index, each hall
with its search box and filters, an item of a content hall, and the content
halls' files (pictures, PDF documents, videos).

Rendered without the request's context processors and served through the
exhibition's validators and caches (``caching``), like the other public pages.
"""

from __future__ import annotations

import mimetypes
import re
from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from nominations.enums import ServiceField

from . import caching, hall_services, halls
from .enums import ExhibitKind
from .hall_enums import ItemStatus
from .models import HallItemFile
from .views import (
    EXHIBIT_URL,
    HTML,
    MEDIA_CACHE_CONTROL,
    PAGE_SIZE,
    UNIT_RE,
    _int,
    _not_found,
    _render,
)

SECTION = {"projects": ExhibitKind.PROJECT, "organizations": ExhibitKind.ORGANIZATION}


@require_safe
def index(request):
    stamp = caching.current_stamp()
    etag = caching.make_etag("page-halls", stamp.token, caching.request_key(request, ()))

    def build() -> bytes:
        return _render("exhibition/halls/index.html", {"halls": halls.halls_with_counts(), "section": "halls"})

    return caching.conditional(request, etag=etag, last_modified=stamp.last_modified, content_type=HTML, build=build)


@require_safe
def hall_page(request, slug: str):
    hall = halls.hall(slug)
    if hall is None:
        return _not_found(request)
    try:
        number = caching.page_number(request.GET.get("page"))
    except Http404:
        return _not_found(request)
    year = _int(request.GET.get("year"))
    if year is not None and not 1900 <= year <= 9999:
        year = None
    unit = request.GET.get("unit", "")
    if not UNIT_RE.match(unit):
        unit = ""
    field = request.GET.get("field", "")
    if field not in ServiceField.values:
        field = ""
    q = " ".join(request.GET.get("q", "").split())[: halls.Q_MAX]
    canonical = caching.canonical_url(
        request, {"year": year, "unit": unit, "field": field, "q": q, "page": number}
    )
    stamp = caching.current_stamp()
    etag = caching.make_etag("page-hall-of-six", slug, stamp.token, canonical)

    def build() -> bytes:
        choices = halls.facets(hall, year)
        filters = halls.HallFilters(year=year, unit=unit, field=field, q=q)
        paginator = Paginator(halls.entries(hall, filters), PAGE_SIZE)
        try:
            page = paginator.page(number)
        except EmptyPage as exc:
            raise Http404("no such page") from exc
        query = {k: v for k, v in (("year", year or ""), ("unit", unit), ("field", field), ("q", q)) if v}
        cards = []
        for entry in page.object_list:
            if hall.is_content:
                cover = halls.cover_of(entry)
                cards.append({
                    "url": reverse("exhibition:hall-item", args=[hall.slug, entry.slug]),
                    "title": entry.title,
                    "line": entry.summary or entry.body_text[:60],
                    "meta": " · ".join(str(x) for x in (entry.year and f"{entry.year}年", entry.unit and entry.unit.name) if x),
                    "tag": entry.field,
                    "thumb": cover.thumb if cover else "",
                    "video": any(f.kind == "video" for f in entry.files.all()),
                    "pdf": any(f.kind == "document" for f in entry.files.all()),
                })  # fmt: skip
            else:
                photo = entry.shown_photos[0] if entry.shown_photos else None
                cards.append({
                    "url": reverse(EXHIBIT_URL[hall.exhibit_kind], args=[entry.slug]),
                    "title": entry.title,
                    "line": entry.organization if entry.organization and entry.organization != entry.title else "",
                    "meta": f"{entry.year}年度 · {entry.unit_name}",
                    "tag": entry.field,
                    "photo": photo,
                })  # fmt: skip
        return _render(
            "exhibition/halls/hall.html",
            {
                "hall": hall,
                "halls": halls.HALLS,
                "section": SECTION.get(hall.slug, "halls"),
                "choices": choices,
                "year": year,
                "unit": unit,
                "field": field,
                "q": q,
                "filtered": bool(year or unit or field or q),
                "page": page,
                "paginator": paginator,
                "cards": cards,
                "query": urlencode(query),
            },
        )

    try:
        return caching.conditional(
            request, etag=etag, last_modified=stamp.last_modified, content_type=HTML, build=build,
            family=f"page-halls-{slug}",
        )  # fmt: skip
    except Http404:
        return _not_found(request)


@require_safe
def item_page(request, slug: str, item: str):
    hall = halls.hall(slug)
    if hall is None or not hall.is_content:
        return _not_found(request)
    found = halls.public_item(slug, item)
    if found is None:
        return _not_found(request)
    etag = caching.make_etag("page-hall-item", found.pk, found.updated_at.timestamp(), caching.request_key(request, ()))

    def build() -> bytes:
        files = halls.item_files(found)
        cover = halls.cover_of(found)
        return _render(
            "exhibition/halls/item.html",
            {
                "hall": hall,
                "item": found,
                "images": files["image"],
                "documents": files["document"],
                "videos": files["video"],
                "cover": cover,
                "description": found.summary or found.body_text[:120],
                "hall_url": reverse("exhibition:hall", args=[hall.slug]),
                "section": "halls",
            },
        )

    return caching.conditional(
        request, etag=etag, last_modified=found.updated_at, content_type=HTML, build=build
    )


NAME_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{40}\.(jpg|pdf|mp4)$")


@require_safe
def hall_file(request, name: str):
    """A file of a published item, cached for a year (its name is its content's hash).

    Videos answer byte ranges (``Range: bytes=a-b``), as players ask for them.
    """
    if not NAME_RE.match(name):
        raise Http404("没有这个文件。")
    full = f"{hall_services.PREFIX}{name}"
    on_show = HallItemFile.objects.filter(
        Q(name=full) | Q(thumb=full), item__status=ItemStatus.PUBLISHED
    ).exists()
    if not on_show:
        raise Http404("没有这个文件。")
    etag = f'"{name.rsplit("/", 1)[-1].split(".")[0]}"'
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        try:
            size = default_storage.size(full)
            handle = default_storage.open(full, "rb")
        except FileNotFoundError as exc:
            raise Http404("没有这个文件。") from exc
        span = _range(request.headers.get("Range", ""), size)
        if span is None:
            response = FileResponse(handle, content_type=content_type)
        else:
            start, end = span
            handle.seek(start)
            body = handle.read(end - start + 1)
            handle.close()
            response = HttpResponse(body, status=206, content_type=content_type)
            response.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        response.headers["Accept-Ranges"] = "bytes"
        if name.endswith(".pdf"):
            response.headers["Content-Disposition"] = "inline"
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = MEDIA_CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range asked for, within the file; None for the whole file."""
    match = RANGE_RE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    if start > end or start >= size:
        return None
    return start, end
