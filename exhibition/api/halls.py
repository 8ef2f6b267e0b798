"""The six halls of the 云展馆 in the public API (no sign-in, like the rest of it):

- ``GET public/exhibition/halls/``: the halls in order, with their item counts;
- ``GET public/exhibition/halls/{slug}/``: a hall's items, filtered (year,
  unit, field), searched (``q``) and paginated: exhibits in the 组织展 and
  项目展 (the same JSON as ``organizations/`` and ``projects/``), the office's
  items in the other four;
- ``GET public/exhibition/halls/{slug}/{item}/``: one item of a content hall.

Same validators, headers and body caches as the other public endpoints
(``exhibition.caching``): a conditional request that matches answers 304.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.utils.urls import remove_query_param, replace_query_param

from competition.api.views import ERROR

from .. import caching, halls
from . import hall_serializers as hs
from . import serializers as s
from .views import JSON, NOT_MODIFIED, VALIDATOR_PARAMS, ExhibitPagination, PublicView, _json

PARAMS = ("year", "unit", "field", "q", "page_size")
TAGS = ["云展馆（公开）"]


def _stamp() -> tuple[str, object]:
    """The token and Last-Modified of everything a hall's response depends on."""
    stamp = caching.current_stamp()
    live = caching.live_state()
    last = stamp.last_modified
    if live.last_modified is not None:
        last = max(last, live.last_modified)
    return f"{stamp.token}:{live.token}", last


class HallsView(PublicView):
    @extend_schema(
        operation_id="public_exhibition_halls_list",
        summary="云展馆：六个展厅及展出条数（公开）",
        description="序篇、组织展、项目展、文化展、制度展、主题展，按此顺序。",
        parameters=VALIDATOR_PARAMS,
        responses={200: hs.HallsOut, 304: NOT_MODIFIED},
        auth=[],
        tags=TAGS,
    )
    def get(self, request):
        token, last = _stamp()
        etag = caching.make_etag("api-halls", token, caching.request_key(request, ()))

        def build() -> bytes:
            rows = halls.halls_with_counts()
            return _json({"results": hs.HallOut(rows, many=True).data})

        return caching.conditional(request, etag=etag, last_modified=last, content_type=JSON, build=build)


HALL_ENTRY = PolymorphicProxySerializer(
    component_name="HallEntry",
    serializers=[s.ProjectListOut, s.OrganizationListOut, hs.HallItemListOut],
    resource_type_field_name=None,
    many=True,
)


class HallItemsView(PublicView):
    @extend_schema(
        operation_id="public_exhibition_hall_items",
        summary="云展馆：一个展厅的展品或内容（公开）",
        description=(
            "组织展、项目展为已发布的展品（与 organizations/、projects/ 相同的字段），"
            "序篇、文化展、制度展、主题展为已发布的内容。可按年度、单位、服务领域筛选，"
            "q 按标题与正文搜索；分页。带 ETag 与 Last-Modified，条件请求匹配时返回 304。"
        ),
        parameters=[hs.HallItemsQuery, *VALIDATOR_PARAMS],
        responses={
            200: inline_serializer(
                "HallItemsPage",
                {
                    "slug": serializers.CharField(),
                    "name": serializers.CharField(),
                    "intro": serializers.CharField(),
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": HALL_ENTRY,
                },
            ),
            304: NOT_MODIFIED,
            400: ERROR,
            404: ERROR,
        },
        auth=[],
        tags=TAGS,
    )
    def get(self, request, slug):
        hall = halls.hall(slug)
        if hall is None:
            raise NotFound()
        page = caching.page_number(request.GET.get("page"))
        data = {k: v for k, v in request.GET.items() if k in PARAMS}
        page_size = ExhibitPagination.page_size
        filters = halls.HallFilters()
        if data:
            query = hs.HallItemsQuery(data=data)
            query.is_valid(raise_exception=True)
            valid = query.validated_data
            filters = halls.HallFilters(
                year=valid.get("year"), unit=valid.get("unit", ""), field=valid.get("field", ""),
                q=valid.get("q", "").strip(),
            )  # fmt: skip
            page_size = valid.get("page_size") or page_size
        params = {
            "year": filters.year, "unit": filters.unit, "field": filters.field, "q": filters.q,
            "page_size": page_size if page_size != ExhibitPagination.page_size else None,
        }  # fmt: skip
        base = caching.canonical_url(request, params)
        token, last = _stamp()
        etag = caching.make_etag("api-hall-items", slug, token, base, page)

        def build() -> bytes:
            paginator = Paginator(halls.entries(hall, filters), page_size)
            try:
                current = paginator.page(page)
            except EmptyPage as exc:
                raise Http404("no such page") from exc
            out = hs.HallItemListOut if hall.is_content else s.LIST_OUT[hall.exhibit_kind]
            results = out(current.object_list, many=True, context={"request": request}).data
            following = replace_query_param(base, "page", page + 1) if current.has_next() else None
            previous = None
            if current.has_previous():
                previous = remove_query_param(base, "page") if page == 2 else replace_query_param(base, "page", page - 1)
            return _json({
                "slug": hall.slug, "name": hall.name, "intro": hall.intro, "count": paginator.count,
                "next": following, "previous": previous, "results": results,
            })  # fmt: skip

        return caching.conditional(
            request, etag=etag, last_modified=last, content_type=JSON, build=build, family=f"api-halls-{slug}"
        )


class HallItemView(PublicView):
    @extend_schema(
        operation_id="public_exhibition_hall_item",
        summary="云展馆：序篇、文化展、制度展、主题展的一条内容（公开）",
        description="未发布或不存在的内容一律返回 404。",
        parameters=VALIDATOR_PARAMS,
        responses={200: hs.HallItemDetailOut, 304: NOT_MODIFIED, 404: ERROR},
        auth=[],
        tags=TAGS,
    )
    def get(self, request, slug, item):
        hall = halls.hall(slug)
        if hall is None or not hall.is_content:
            raise NotFound()
        found = halls.public_item(slug, item)
        if found is None:
            raise NotFound()
        etag = caching.make_etag("api-hall-item", found.pk, found.updated_at.timestamp(), caching.request_key(request, ()))

        def build() -> bytes:
            return _json(hs.HallItemDetailOut(found, context={"request": request}).data)

        return caching.conditional(request, etag=etag, last_modified=found.updated_at, content_type=JSON, build=build)
