"""The six halls of the 云展馆 and their public reads.

序篇, 组织展, 项目展, 文化展, 制度展 and 主题展, in that order. The 组织展 and
项目展 show the published exhibits (``selectors``); the other four show the
items the office writes (``HallItem``, published ones only). Every hall is
filtered by year, unit and field and searched by ``q`` (titles and text).

Reads only; the writes are in ``hall_services``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from . import selectors
from .enums import ExhibitKind
from .hall_enums import ContentHall, ItemStatus
from .models import HallItem, HallItemFile

Q_MAX = selectors.Q_MAX


@dataclass(frozen=True)
class Hall:
    slug: str
    name: str
    intro: str
    exhibit_kind: str = ""  # the exhibits' kind for the 组织展 and 项目展; "" for a content hall

    @property
    def is_content(self) -> bool:
        return not self.exhibit_kind


HALLS: tuple[Hall, ...] = (
    Hall(
        ContentHall.PROLOGUE,
        "序篇",
        "走进太原学雷锋志愿服务：从一座城市的志愿者队伍、服务平台到一件件身边小事，这里是展览的开篇。",
    ),
    Hall(
        "organizations",
        "组织展",
        "太原市学雷锋最佳志愿服务组织：扎根社区、行业与校园的志愿服务队伍。",
        ExhibitKind.ORGANIZATION,
    ),
    Hall(
        "projects",
        "项目展",
        "太原市学雷锋最佳志愿服务项目：常年开展、群众认可的志愿服务品牌项目。",
        ExhibitKind.PROJECT,
    ),
    Hall(ContentHall.CULTURE, "文化展", "志愿服务的宣传片、摄影作品与常用词：讲述志愿者身边的温暖瞬间。"),
    Hall(ContentHall.POLICIES, "制度展", "志愿服务的管理办法、实施方案等制度文件，可在线阅读与下载。"),
    Hall(ContentHall.THEMES, "主题展", "历年的志愿服务论坛与主题活动：城市治理、文明创建、国际志愿者日。"),
)
BY_SLUG = {h.slug: h for h in HALLS}


def hall(slug: str) -> Hall | None:
    return BY_SLUG.get(slug)


@dataclass(frozen=True)
class HallFilters:
    """A hall's public filters; empty means "any"."""

    year: int | None = None
    unit: str = ""
    field: str = ""
    q: str = ""


# --------------------------------------------------------------------------- content items


def public_items(hall_slug: str | None = None) -> QuerySet[HallItem]:
    qs = HallItem.objects.filter(status=ItemStatus.PUBLISHED)
    if hall_slug is not None:
        qs = qs.filter(hall=hall_slug)
    return qs


def _with_files(qs: QuerySet[HallItem]) -> QuerySet[HallItem]:
    return qs.select_related("unit").prefetch_related("files")


def content_items(hall_slug: str, filters: HallFilters) -> QuerySet[HallItem]:
    qs = public_items(hall_slug)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.unit:
        qs = qs.filter(unit__code=filters.unit)
    if filters.field:
        qs = qs.filter(field=filters.field)
    if filters.q:
        text = filters.q[:Q_MAX]
        qs = qs.filter(Q(title__icontains=text) | Q(summary__icontains=text) | Q(body_text__icontains=text))
    return _with_files(qs.order_by("order", "id"))


def public_item(hall_slug: str, slug: str) -> HallItem | None:
    return _with_files(public_items(hall_slug).filter(slug=slug)).first()


def item_files(item: HallItem) -> dict[str, list[HallItemFile]]:
    """An item's files by kind, in their order (from the prefetched ``files``)."""
    out: dict[str, list[HallItemFile]] = {"image": [], "document": [], "video": []}
    for f in sorted(item.files.all(), key=lambda f: (f.order, f.id)):
        out.setdefault(f.kind, []).append(f)
    return out


def cover_of(item: HallItem) -> HallItemFile | None:
    """The first picture (or video poster) of an item: its card's picture."""
    files = sorted(item.files.all(), key=lambda f: (f.kind != "image", f.order, f.id))
    return next((f for f in files if f.thumb), None)


def content_stamp() -> tuple[dt.datetime | None, int]:
    """When any item last changed (a draft too: publishing moves it) and how many there are."""
    row = HallItem.objects.aggregate(last=Max("updated_at"), n=Count("id"))
    return row["last"], row["n"]


# --------------------------------------------------------------------------- every hall


def exhibit_filters(filters: HallFilters) -> selectors.Filters:
    return selectors.Filters(year=filters.year, unit=filters.unit, field=filters.field, q=filters.q)


def entries(h: Hall, filters: HallFilters) -> QuerySet:
    """The hall's items under the filters: exhibits for the 组织展 and 项目展, else content items."""
    if h.is_content:
        return content_items(h.slug, filters)
    return selectors.hall_list(kind=h.exhibit_kind, filters=exhibit_filters(filters))


def counts() -> dict[str, int]:
    """Per hall, how many items are on show (two queries)."""
    out = {h.slug: 0 for h in HALLS}
    kinds = {h.exhibit_kind: h.slug for h in HALLS if h.exhibit_kind}
    for row in selectors.public_exhibits().values("kind").annotate(n=Count("id")):
        if row["kind"] in kinds:
            out[kinds[row["kind"]]] = row["n"]
    for row in public_items().values("hall").annotate(n=Count("id")):
        out[row["hall"]] = row["n"]
    return out


def halls_with_counts() -> list[dict]:
    n = counts()
    return [{"slug": h.slug, "name": h.name, "intro": h.intro, "count": n[h.slug], "hall": h} for h in HALLS]


def facets(h: Hall, year: int | None) -> dict:
    """The choices of a hall's filters: years on show, units and fields (of the year, if any)."""
    if not h.is_content:
        key = "projects" if h.exhibit_kind == ExhibitKind.PROJECT else "organizations"
        years = [y["year"] for y in selectors.years_on_show() if y[key]]
        return {
            "years": years,
            "units": selectors.hall_units(kind=h.exhibit_kind, year=year),
            "fields": selectors.hall_fields(kind=h.exhibit_kind, year=year),
        }
    qs = public_items(h.slug)
    years = sorted({y for y in qs.exclude(year=None).values_list("year", flat=True)}, reverse=True)
    scoped = qs.filter(year=year) if year else qs
    units = list(
        scoped.exclude(unit=None)
        .values_list("unit__code", "unit__name", "unit__order")
        .distinct()
        .order_by("unit__order")
    )
    seen: dict[str, str] = {}
    for code, name, _order in units:
        seen.setdefault(code, name)
    fields = sorted(set(scoped.exclude(field="").values_list("field", flat=True)))
    return {"years": years, "units": list(seen.items()), "fields": fields}


# --------------------------------------------------------------------------- the 公示 while one runs


def running_publicity(today: dt.date | None = None):
    """The 公示 running today (its competition in the publicity phase, today within its dates), or None."""
    from competition.enums import Phase
    from judging.models import Publicity

    today = today or timezone.localdate()
    return (
        Publicity.objects.select_related("competition")
        .filter(competition__phase=Phase.PUBLICITY, starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on", "-pk")
        .first()
    )
