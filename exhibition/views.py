"""The public pages of the 云展馆 (no sign-in): the lobby with the archive of
past years, the two halls (项目展, 组织展) with year, unit and field filters,
an exhibit's page, and the photos' renditions.

Pages are rendered without the request's context processors (nothing of the
reader's session goes into them), so one rendering serves every reader: the
pages share the API's validators, headers and body cache (``caching``).
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
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
HALL_PARAMS = ("year", "unit", "field", "page")
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
    stamp = caching.current_stamp()
    etag = caching.make_etag("page-hall", kind, stamp.token, caching.request_key(request, HALL_PARAMS))

    def build() -> bytes:
        years = selectors.years_on_show()
        key = "projects" if kind == ExhibitKind.PROJECT else "organizations"
        years = [y for y in years if y[key]]
        year = _int(request.GET.get("year"))
        if year is None and years:
            year = years[0]["year"]
        units = selectors.hall_units(kind=kind, year=year)
        unit = request.GET.get("unit", "")
        if unit not in dict(units):
            unit = ""
        field = request.GET.get("field", "")
        if kind != ExhibitKind.PROJECT or field not in ServiceField.values:
            field = ""
        filters = selectors.Filters(year=year, unit=unit, field=field)
        paginator = Paginator(selectors.hall_list(kind=kind, filters=filters), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
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

    return caching.conditional(request, etag=etag, last_modified=stamp.last_modified, content_type=HTML, build=build)


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
