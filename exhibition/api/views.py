"""The exhibition's API: the public read-only feed of the 云展馆 and the office's actions.

Public (no sign-in, no throttle: a crowd of readers is expected, and every
response is cheap to repeat, see ``exhibition.caching``):

- ``GET public/exhibition/projects/``, ``…/organizations/``, ``…/persons/`` (最美志愿者)
  and ``…/communities/`` (最美志愿服务社区): a hall, filtered and paginated; each
  item says its ``source`` (award, recommended, historic) and ``honour_year``;
- ``GET public/exhibition/{projects,organizations,persons,communities}/{slug}/``,
  with the exhibit's ``figures`` (as-of date, source, approximate);
- ``GET public/exhibition/years/``.

Office: ``POST competitions/{id}/exhibition/publish/``; ``exhibits/`` to read,
edit, withdraw, restore and arrange the photos of an exhibit.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from competition.api.permissions import RulesPermission
from competition.api.views import ERROR
from competition.models import Competition

from .. import caching, selectors, services
from ..enums import ExhibitKind
from . import serializers as s

PLURAL = {"project": "projects", "organization": "organizations", "person": "persons", "community": "communities"}
LIST_PARAMS = ("year", "unit", "category", "field", "q", "page", "page_size")
JSON = "application/json"
VALIDATOR_PARAMS = [
    OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="上次响应的 ETag"),
    OpenApiParameter(
        "If-Modified-Since", OpenApiTypes.STR, OpenApiParameter.HEADER, description="上次响应的 Last-Modified"
    ),
]
NOT_MODIFIED = OpenApiResponse(description="未修改（条件请求匹配），无响应体")


class ExhibitPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _json(data) -> bytes:
    return JSONRenderer().render(data)


def _drf(request) -> Request:
    return request if isinstance(request, Request) else Request(request)


class PublicView(APIView):
    """No sign-in, no session, no throttle; JSON only.

    Readable from any origin (``Access-Control-Allow-Origin: *``): the city's
    云展馆 front end lives on another site, and nothing here is private or
    sent with credentials.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    renderer_classes = [JSONRenderer]
    kind: str = ""

    def dispatch(self, request, *args, **kwargs):
        """GET and HEAD answer straight from the validators and caches, without
        DRF's request wrapping: there is no authentication, permission, throttle
        or content negotiation to do, and this is the path a crowd takes. Any
        other method, and any error (400, 404, …), goes through DRF as usual, so
        that it answers 405 or the one error shape."""
        if request.method in ("GET", "HEAD"):
            try:
                response = self.get(request, *args, **kwargs)
            except Exception:  # noqa: BLE001 - answered again below, through DRF's handler
                response = None
            if response is not None:
                return self._open(response)
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        return self._open(super().finalize_response(request, response, *args, **kwargs))

    @staticmethod
    def _open(response):
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response


class HallListView(PublicView):
    def get(self, request):
        # The cache key and the body come from the canonical query only: unknown
        # parameters are dropped, values validated (400) and normalised, and a
        # malformed or missing page answers 404 before anything is stored.
        page = caching.page_number(request.GET.get("page"))
        data = {k: v for k, v in request.GET.items() if k in LIST_PARAMS and k != "page"}
        page_size = ExhibitPagination.page_size
        if data:
            query = s.HallQuery(data=data)
            query.is_valid(raise_exception=True)
            valid = query.validated_data
            filters = selectors.Filters(
                year=valid.get("year"),
                unit=valid.get("unit", "").strip(),
                category=valid.get("category", "").strip().upper(),  # matched case-insensitively
                field=valid.get("field", ""),
                q=valid.get("q", "").strip(),
            )
            page_size = valid.get("page_size") or page_size
        else:
            filters = selectors.Filters()  # the most read page: nothing to validate
        params = {
            "year": filters.year, "unit": filters.unit, "category": filters.category,
            "field": filters.field, "q": filters.q,
            "page_size": page_size if page_size != ExhibitPagination.page_size else None,
        }  # fmt: skip
        base = caching.canonical_url(request, params)
        stamp = caching.current_stamp()
        etag = caching.make_etag("api-hall", self.kind, stamp.token, base, page)

        def build() -> bytes:
            paginator = Paginator(selectors.hall_list(kind=self.kind, filters=filters), page_size)
            try:
                current = paginator.page(page)
            except EmptyPage as exc:
                raise Http404("no such page") from exc
            data = s.LIST_OUT[self.kind](current.object_list, many=True, context={"request": request}).data
            following = replace_query_param(base, "page", page + 1) if current.has_next() else None
            previous = None
            if current.has_previous():
                previous = remove_query_param(base, "page") if page == 2 else replace_query_param(base, "page", page - 1)
            return _json({"count": paginator.count, "next": following, "previous": previous, "results": data})

        return caching.conditional(
            request,
            etag=etag,
            last_modified=stamp.last_modified,
            content_type=JSON,
            build=build,
            family=f"api-hall-{self.kind}",
        )


class ExhibitDetailView(PublicView):
    def get(self, request, slug):
        exhibit = caching.public_exhibit(kind=self.kind, slug=slug)
        if exhibit is None:
            raise NotFound()
        state, last_modified = selectors.exhibit_validators(exhibit)
        etag = caching.make_etag("api-exhibit", state, caching.request_key(request, ()))

        def build() -> bytes:
            return _json(s.DETAIL_OUT[self.kind](exhibit, context={"request": request}).data)

        return caching.conditional(
            request,
            etag=etag,
            last_modified=last_modified,
            content_type=JSON,
            build=build,
        )


def _paginated(name: str, out):
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": out(many=True),
        },
    )


def _list_schema(kind: str, out):
    hall = ExhibitKind(kind).label
    return extend_schema(
        operation_id=f"public_exhibition_{PLURAL[kind]}_list",
        summary=f"云展馆{hall}：展品列表（公开）",
        description=(
            f"{hall}已发布的展品，按年度（新的在前）、奖项、推荐单位排序；分页。"
            "每个响应带 ETag 与 Last-Modified，条件请求匹配时返回 304；"
            "Cache-Control: public, max-age=60, stale-while-revalidate=600。"
        ),
        parameters=[s.HallQuery, *VALIDATOR_PARAMS],
        responses={200: _paginated(f"Paginated{out.__name__.removesuffix('Out')}", out), 304: NOT_MODIFIED, 400: ERROR, 404: ERROR},
        auth=[],
        tags=["云展馆（公开）"],
    )


def _detail_schema(kind: str, out):
    hall = ExhibitKind(kind).label
    return extend_schema(
        operation_id=f"public_exhibition_{PLURAL[kind]}_retrieve",
        summary=f"云展馆{hall}：展品详情（公开）",
        description="未发布、已撤下或不存在的展品一律返回 404。",
        parameters=VALIDATOR_PARAMS,
        responses={200: out, 304: NOT_MODIFIED, 404: ERROR},
        auth=[],
        tags=["云展馆（公开）"],
    )


class ProjectListView(HallListView):
    kind = ExhibitKind.PROJECT

    @_list_schema(ExhibitKind.PROJECT, s.ProjectListOut)
    def get(self, request):
        return super().get(request)


class OrganizationListView(HallListView):
    kind = ExhibitKind.ORGANIZATION

    @_list_schema(ExhibitKind.ORGANIZATION, s.OrganizationListOut)
    def get(self, request):
        return super().get(request)


class PersonListView(HallListView):
    kind = ExhibitKind.PERSON

    @_list_schema(ExhibitKind.PERSON, s.PersonListOut)
    def get(self, request):
        return super().get(request)


class CommunityListView(HallListView):
    kind = ExhibitKind.COMMUNITY

    @_list_schema(ExhibitKind.COMMUNITY, s.CommunityListOut)
    def get(self, request):
        return super().get(request)


class ProjectDetailView(ExhibitDetailView):
    kind = ExhibitKind.PROJECT

    @_detail_schema(ExhibitKind.PROJECT, s.ProjectDetailOut)
    def get(self, request, slug):
        return super().get(request, slug)


class OrganizationDetailView(ExhibitDetailView):
    kind = ExhibitKind.ORGANIZATION

    @_detail_schema(ExhibitKind.ORGANIZATION, s.OrganizationDetailOut)
    def get(self, request, slug):
        return super().get(request, slug)


class PersonDetailView(ExhibitDetailView):
    kind = ExhibitKind.PERSON

    @_detail_schema(ExhibitKind.PERSON, s.PersonDetailOut)
    def get(self, request, slug):
        return super().get(request, slug)


class CommunityDetailView(ExhibitDetailView):
    kind = ExhibitKind.COMMUNITY

    @_detail_schema(ExhibitKind.COMMUNITY, s.CommunityDetailOut)
    def get(self, request, slug):
        return super().get(request, slug)


class YearsView(PublicView):
    @extend_schema(
        operation_id="public_exhibition_years",
        summary="云展馆：有展品的年度及各展厅展品数（公开）",
        parameters=VALIDATOR_PARAMS,
        responses={200: s.YearsOut, 304: NOT_MODIFIED},
        auth=[],
        tags=["云展馆（公开）"],
    )
    def get(self, request):
        stamp = caching.current_stamp()
        etag = caching.make_etag("api-years", stamp.token, caching.request_key(request, ()))
        return caching.conditional(
            request,
            etag=etag,
            last_modified=stamp.last_modified,
            content_type=JSON,
            build=lambda: _json({"years": selectors.years_on_show()}),
        )


# --------------------------------------------------------------------------- office


class PublishView(APIView):
    permission_classes = [RulesPermission]
    permission_rules = {"post": "exhibition.publish"}

    @extend_schema(
        request=None,
        responses={200: s.PublishOut, 403: ERROR, 404: ERROR, 409: ERROR},
        summary="将表彰结果发布到云展馆",
        description="表彰结果确定后可用；重复调用只补发尚未发布的获奖者，已撤下的展品保持撤下。",
        tags=["云展馆（管理）"],
    )
    def post(self, request, pk):
        competition = get_object_or_404(Competition, pk=pk)
        result = services.exhibition_publish(actor=request.user, competition=competition)
        return Response(
            {
                "created": len(result.created),
                "kept": result.kept,
                "withdrawn": result.withdrawn,
                "photos": result.photos,
                "warnings": result.photo_failures,
            }
        )


@extend_schema(tags=["云展馆（管理）"])
class ExhibitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The office's view of the exhibits (published and withdrawn); observers read."""

    serializer_class = s.OfficeExhibitOut
    permission_classes = [RulesPermission]
    permission_rules = {
        "list": "exhibition.read_exhibits",
        "retrieve": "exhibition.read_exhibits",
        "partial_update": "exhibition.edit_exhibit",
        "withdraw": "exhibition.withdraw_exhibit",
        "restore": "exhibition.restore_exhibit",
        "photos": "exhibition.edit_exhibit",
    }
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["year", "kind", "status"]

    def get_queryset(self):
        if not self.request.user.has_perm("exhibition.read_exhibits"):
            return selectors.staff_exhibits().none()
        return selectors.staff_exhibits()

    def _out(self, exhibit):
        return Response(s.OfficeExhibitOut(self.get_queryset().get(pk=exhibit.pk)).data)

    @extend_schema(request=s.ExhibitUpdateIn, responses={200: s.OfficeExhibitOut, 400: ERROR})
    def partial_update(self, request, pk=None):
        exhibit = self.get_object()
        data = s.ExhibitUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        exhibit = services.exhibit_update(actor=request.user, exhibit=exhibit, data=dict(data.validated_data))
        return self._out(exhibit)

    @extend_schema(request=s.WithdrawIn, responses={200: s.OfficeExhibitOut, 400: ERROR, 409: ERROR})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        exhibit = self.get_object()
        data = s.WithdrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        exhibit = services.exhibit_withdraw(actor=request.user, exhibit=exhibit, reason=data.validated_data["reason"])
        return self._out(exhibit)

    @extend_schema(request=s.RestoreIn, responses={200: s.OfficeExhibitOut, 409: ERROR})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        exhibit = self.get_object()
        data = s.RestoreIn(data=request.data)
        data.is_valid(raise_exception=True)
        exhibit = services.exhibit_restore(
            actor=request.user, exhibit=exhibit, reason=data.validated_data.get("reason", "")
        )
        return self._out(exhibit)

    @extend_schema(request=s.PhotosIn, responses={200: s.OfficeExhibitOut, 400: ERROR})
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        exhibit = self.get_object()
        data = s.PhotosIn(data=request.data)
        data.is_valid(raise_exception=True)
        exhibit = services.exhibit_photos_set(
            actor=request.user, exhibit=exhibit, photos=[dict(p) for p in data.validated_data["photos"]]
        )
        return self._out(exhibit)
