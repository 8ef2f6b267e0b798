"""Reads of the exhibition: what the public may see, the staff's lists, the
revision stamp the HTTP caching hangs on, and the facets of the filters.

Public reads start from ``public_exhibits``: published exhibits only. An
exhibit exists for a final award of a final competition (the publish
service), for an accepted nomination of a final competition the office chose
to show as a recommended project, or for a winner of an earlier year the
office entered: drafts and the nominations of a competition that is not final
never appear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from .enums import ExhibitKind, ExhibitStatus
from .models import Exhibit, ExhibitFigure, ExhibitPhoto

EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
Q_MAX = 50


@dataclass(frozen=True)
class Filters:
    """The public filters of a hall; ``None`` or ``""`` means "any"."""

    year: int | None = None
    unit: str = ""
    category: str = ""
    field: str = ""
    q: str = ""

    def key(self) -> str:
        return f"y={self.year or ''}&u={self.unit}&c={self.category}&f={self.field}&q={self.q}"


@dataclass(frozen=True)
class Stamp:
    """The state of the whole exhibition: when it last changed, and how many exhibits."""

    last_modified: dt.datetime
    count: int

    @property
    def token(self) -> str:
        return f"{self.last_modified.timestamp():.6f}-{self.count}"


def exhibition_stamp() -> Stamp:
    """One aggregate query: every publication, edit, photo change or withdrawal moves it,
    and so does the issue or revocation of an exhibit's certificate (its link appears)."""
    aggregates = {"last": Max("updated_at"), "n": Count("id")}
    if certificates_installed():
        aggregates["issued"] = Max("award__certificate__issued_at")
        aggregates["revoked"] = Max("award__certificate__revoked_at")
    row = Exhibit.objects.aggregate(**aggregates)
    moments = [m for m in (row["last"], row.get("issued"), row.get("revoked")) if m is not None]
    return Stamp(last_modified=max(moments) if moments else EPOCH, count=row["n"])


def shown_photos() -> Prefetch:
    return Prefetch(
        "photos",
        queryset=ExhibitPhoto.objects.filter(shown=True).order_by("order", "id"),
        to_attr="shown_photos",
    )


def public_exhibits(kind: str | None = None) -> QuerySet[Exhibit]:
    qs = Exhibit.objects.filter(status=ExhibitStatus.PUBLISHED)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs


def hall_list(*, kind: str, filters: Filters) -> QuerySet[Exhibit]:
    """A hall's exhibits under the filters, with their shown photos prefetched (for the cover)."""
    qs = public_exhibits(kind)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.unit:
        qs = qs.filter(unit_code=filters.unit)
    if filters.category:
        qs = qs.filter(award_code__iexact=filters.category)
    if filters.field:
        qs = qs.filter(field=filters.field)
    if filters.q:
        text = filters.q[:Q_MAX]
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(organization__icontains=text)
            | Q(unit_name__icontains=text)
            | Q(introduction__icontains=text)
        )
    return qs.order_by("-year", "category_order", "unit_order", "id").prefetch_related(shown_photos())


@cache
def certificates_installed() -> bool:
    return apps.is_installed("certificates")


def ordered_figures() -> Prefetch:
    return Prefetch("figures", queryset=ExhibitFigure.objects.order_by("order", "id"), to_attr="ordered_figures")


def exhibit_figures(exhibit: Exhibit) -> list[ExhibitFigure]:
    figures = getattr(exhibit, "ordered_figures", None)
    if figures is None:
        figures = list(exhibit.figures.order_by("order", "id"))
    return figures


def public_exhibit(*, kind: str, slug: str) -> Exhibit | None:
    """One published exhibit with its figures and certificate (when the certificates app is installed)."""
    qs = public_exhibits(kind).filter(slug=slug).prefetch_related(ordered_figures())
    if certificates_installed():
        qs = qs.select_related("award__certificate")
    try:
        return qs.get()
    except Exhibit.DoesNotExist:
        return None


def exhibit_photos(exhibit: Exhibit) -> list[ExhibitPhoto]:
    return list(exhibit.photos.filter(shown=True).order_by("order", "id"))


def certificate_of(exhibit: Exhibit):
    """The exhibit's certificate when it may be checked publicly (issued or revoked), else None.

    The verification page shows a certificate's status, so a revoked one keeps
    its link; a pending one (no PDF yet) has none.
    """
    if not certificates_installed() or exhibit.award_id is None:
        return None  # a recommended or historic exhibit has no award here, hence no certificate
    from certificates.models import Certificate

    try:
        certificate = exhibit.award.certificate
    except Certificate.DoesNotExist:
        return None
    if certificate is None or certificate.status == "pending":
        return None
    return certificate


def exhibit_validators(exhibit: Exhibit) -> tuple[str, dt.datetime]:
    """What one exhibit's public responses depend on, and when that last changed:
    the exhibit itself and its certificate's link (issued, revoked)."""
    certificate = certificate_of(exhibit)
    if certificate is None:
        return f"{exhibit.pk}:{exhibit.updated_at.timestamp()}:-", exhibit.updated_at
    moments = [exhibit.updated_at, *(m for m in (certificate.issued_at, certificate.revoked_at) if m)]
    return f"{exhibit.pk}:{exhibit.updated_at.timestamp()}:{certificate.token}:{certificate.status}", max(moments)


def years_on_show() -> list[dict]:
    """Per year, newest first: how many exhibits each hall shows."""
    rows = (
        public_exhibits()
        .filter(kind__in=[ExhibitKind.PROJECT, ExhibitKind.ORGANIZATION])
        .values("year")
        .annotate(
            projects=Count("id", filter=Q(kind=ExhibitKind.PROJECT)),
            organizations=Count("id", filter=Q(kind=ExhibitKind.ORGANIZATION)),
        )
        .order_by("-year")
    )
    return [
        {"year": r["year"], "projects": r["projects"], "organizations": r["organizations"]}
        for r in rows
    ]


def hall_units(*, kind: str, year: int | None) -> list[tuple[str, str]]:
    """The (code, name) of the units with exhibits in a hall (and year), in the units' order."""
    qs = public_exhibits(kind)
    if year:
        qs = qs.filter(year=year)
    rows = qs.values_list("unit_code", "unit_name", "unit_order").distinct().order_by("unit_order")
    seen: dict[str, str] = {}
    for code, name, _order in rows:
        seen.setdefault(code, name)
    return list(seen.items())


def hall_fields(*, kind: str, year: int | None) -> list[str]:
    qs = public_exhibits(kind).exclude(field="")
    if year:
        qs = qs.filter(year=year)
    return sorted(set(qs.values_list("field", flat=True)))


def hall_covers(*, year: int) -> dict[str, Exhibit | None]:
    """One exhibit with a photo per hall of a year (the lobby's pictures)."""
    out: dict[str, Exhibit | None] = {}
    for kind in ExhibitKind.values:
        out[kind] = (
            public_exhibits(kind)
            .filter(year=year, photos__shown=True)
            .order_by("category_order", "unit_order", "id")
            .prefetch_related(shown_photos())
            .first()
        )
    return out


def staff_exhibits() -> QuerySet[Exhibit]:
    """Every exhibit, published or withdrawn, for the office and observers."""
    return Exhibit.objects.all().prefetch_related(
        Prefetch("photos", queryset=ExhibitPhoto.objects.order_by("order", "id"))
    )
