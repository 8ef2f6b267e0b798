"""The public pages of the 云展馆 (no sign-in): the lobby with the archive of
past years, the two halls (项目展, 组织展) with year, unit and field filters,
an exhibit's page, and the photos' renditions.

Pages are rendered without the request's context processors (nothing of the
reader's session goes into them), so one rendering serves every reader: the
pages share the API's validators, headers and body cache (``caching``).
"""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from nominations.enums import ServiceField

from . import caching, renditions, selectors
from .enums import ExhibitKind, ExhibitStatus
from .models import ExhibitPhoto

HTML = "text/html; charset=utf-8"
PAGE_SIZE = 20
UNIT_RE = re.compile(r"^[0-9A-Za-z_-]{1,16}$")
HALL_URL = {ExhibitKind.PROJECT: "exhibition:projects", ExhibitKind.ORGANIZATION: "exhibition:organizations"}
EXHIBIT_URL = {ExhibitKind.PROJECT: "exhibition:project", ExhibitKind.ORGANIZATION: "exhibition:organization"}
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _render(template: str, context: dict) -> bytes:
    return render_to_string(template, context).encode()


def _not_found(request) -> HttpResponse:
    body = render_to_string("exhibition/not_found.html", {"lobby": reverse("exhibition:lobby")})
    response = HttpResponse(body, content_type=HTML, status=404)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def lobby(request):
    stamp = caching.current_stamp()
    etag = caching.make_etag("page-lobby", stamp.token, caching.request_key(request, ()))

    def build() -> bytes:
        years = selectors.years_on_show()
        current = years[0] if years else None
        covers = selectors.hall_covers(year=current["year"]) if current else {}
        return _render(
            "exhibition/lobby.html",
            {"current": current, "archive": years[1:], "covers": covers, "kinds": ExhibitKind},
        )

    return caching.conditional(request, etag=etag, last_modified=stamp.last_modified, content_type=HTML, build=build)


@require_safe
def hall(request, kind: str):
    # The cache key holds the canonical query only: nonsense filters are
    # ignored (as before), unknown parameters dropped, and a malformed or
    # missing page answers 404 and is never stored.
    try:
        number = caching.page_number(request.GET.get("page"))
    except Http404:
        return _not_found(request)
    asked_year = _int(request.GET.get("year"))
    if asked_year is not None and not 1900 <= asked_year <= 9999:
        asked_year = None
    asked_unit = request.GET.get("unit", "")
    if not UNIT_RE.match(asked_unit):
        asked_unit = ""
    asked_field = request.GET.get("field", "")
    if kind != ExhibitKind.PROJECT or asked_field not in ServiceField.values:
        asked_field = ""
    canonical = caching.canonical_url(
        request, {"year": asked_year, "unit": asked_unit, "field": asked_field, "page": number}
    )
    stamp = caching.current_stamp()
    etag = caching.make_etag("page-hall", kind, stamp.token, canonical)

    def build() -> bytes:
        years = selectors.years_on_show()
        key = "projects" if kind == ExhibitKind.PROJECT else "organizations"
        years = [y for y in years if y[key]]
        year = asked_year
        if year is None and years:
            year = years[0]["year"]
        units = selectors.hall_units(kind=kind, year=year)
        unit = asked_unit if asked_unit in dict(units) else ""
        field = asked_field
        filters = selectors.Filters(year=year, unit=unit, field=field)
        paginator = Paginator(selectors.hall_list(kind=kind, filters=filters), PAGE_SIZE)
        try:
            page = paginator.page(number)
        except EmptyPage as exc:
            raise Http404("no such page") from exc
        query = {k: v for k, v in (("year", year or ""), ("unit", unit), ("field", field)) if v}
        return _render(
            "exhibition/hall.html",
            {
                "kind": kind,
                "hall": ExhibitKind(kind).label,
                "other_kind": (
                    ExhibitKind.ORGANIZATION if kind == ExhibitKind.PROJECT else ExhibitKind.PROJECT
                ),
                "years": years,
                "year": year,
                "is_latest": bool(years) and year == years[0]["year"],
                "units": units,
                "unit": unit,
                "fields": selectors.hall_fields(kind=kind, year=year) if kind == ExhibitKind.PROJECT else [],
                "field": field,
                "page": page,
                "paginator": paginator,
                "query": "&".join(f"{k}={v}" for k, v in query.items()),
                "exhibit_url": EXHIBIT_URL[kind],
                "kinds": ExhibitKind,
            },
        )

    try:
        return caching.conditional(
            request,
            etag=etag,
            last_modified=stamp.last_modified,
            content_type=HTML,
            build=build,
            family=f"page-hall-{kind}",
        )
    except Http404:
        return _not_found(request)


@require_safe
def exhibit_page(request, kind: str, slug: str):
    exhibit = caching.public_exhibit(kind=kind, slug=slug)
    if exhibit is None:
        return _not_found(request)
    state, last_modified = selectors.exhibit_validators(exhibit)
    etag = caching.make_etag("page-exhibit", state, caching.request_key(request, ()))

    def build() -> bytes:
        certificate = selectors.certificate_of(exhibit)
        return _render(
            "exhibition/exhibit.html",
            {
                "exhibit": exhibit,
                "kind": kind,
                "hall": ExhibitKind(kind).label,
                "photos": selectors.exhibit_photos(exhibit),
                "figures": selectors.exhibit_figures(exhibit),
                "certificate": certificate,
                "hall_url": reverse(HALL_URL[kind]) + f"?year={exhibit.year}",
                "kinds": ExhibitKind,
            },
        )

    return caching.conditional(
        request,
        etag=etag,
        last_modified=last_modified,
        content_type=HTML,
        build=build,
    )


@require_safe
def media(request, name: str):
    """A rendition of a photo that is on show, cached for a year (its name is its content's hash).

    Served through this view in every environment (a front proxy may alias
    ``/exhibition/media/`` to ``MEDIA_ROOT/public/exhibition/`` instead; the
    names are unguessable, and a withdrawn exhibit's are no longer linked).
    Only the renditions of shown photos of published exhibits are served.
    """
    full = f"{renditions.PREFIX}{name}"
    on_show = ExhibitPhoto.objects.filter(
        Q(thumb=full) | Q(image=full), shown=True, exhibit__status=ExhibitStatus.PUBLISHED
    ).exists()
    if not on_show:
        raise Http404("没有这张图片。")
    etag = f'"{name.rsplit("/", 1)[-1].removesuffix(".jpg")}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        try:
            response = FileResponse(default_storage.open(full, "rb"), content_type="image/jpeg")
        except FileNotFoundError as exc:
            raise Http404("没有这张图片。") from exc
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = MEDIA_CACHE_CONTROL
    return response
