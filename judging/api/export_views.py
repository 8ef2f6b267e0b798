"""Downloads of a round's ranking: the .xlsx workbook and the printable PDF report.

``GET /api/v1/rounds/{id}/ranking/export.xlsx`` and ``…/ranking/report.pdf``
choose the snapshot exactly as ``GET …/ranking/`` does (``?snapshot=`` or
``?method=``, else the official one, else the latest) and are visible to the
same people: the office and observers. Anyone else gets the 404 of a round
that does not exist. Errors are JSON whatever the Accept header asks for.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets

from competition.api.permissions import RulesPermission
from competition.api.views import ERROR
from nominations.api.spreadsheet_views import JsonErrorsMixin

from .. import exports
from ..models import RankingSnapshot
from .results_views import RankingViewSet

VISIBILITY = (
    "排名快照的选择与“本轮排名”相同：指定 snapshot，或某一计分方法的最新结果，"
    "默认为正式结果（无正式结果时为最新试算）。仅组委会办公室和观察员可下载，其他用户得到 404。"
)
SNAPSHOT_PARAMETERS = [
    OpenApiParameter("method", str, description="某一计分方法的最新结果"),
    OpenApiParameter("snapshot", int, description="指定的排名快照"),
]


class RankingExportViewSet(JsonErrorsMixin, viewsets.GenericViewSet):
    """The ranking's downloads; routed explicitly (the paths end in a file name, no slash)."""

    permission_classes = [RulesPermission]
    permission_rules = {
        "export_xlsx": "judging.view_ranking",
        "report_pdf": "judging.view_ranking",
    }
    # The ranking's own visibility and snapshot choice (not its actions).
    get_queryset = RankingViewSet.get_queryset
    _snapshot = RankingViewSet._snapshot

    def _chosen(self, request) -> RankingSnapshot:
        round_ = self.get_object()
        snapshot = self._snapshot(round_, request)
        snapshot.round = round_  # with its competition: no second query for either
        return snapshot

    @staticmethod
    def _download(content: bytes, content_type: str, snapshot: RankingSnapshot, extension: str):
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, exports.export_filename(snapshot, extension))
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        operation_id="rounds_ranking_export_xlsx",
        summary="导出本轮排名（.xlsx：排名、评委明细、评委一致性）",
        description=VISIBILITY,
        parameters=SNAPSHOT_PARAMETERS,
        responses={
            (200, exports.XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="工作表：排名、评委明细（匿名评委编号）、评委一致性"
            ),
            401: ERROR,
            403: ERROR,
            404: ERROR,
        },
    )
    def export_xlsx(self, request, pk=None):
        snapshot = self._chosen(request)
        return self._download(exports.ranking_xlsx(snapshot), exports.XLSX_CONTENT_TYPE, snapshot, "xlsx")

    @extend_schema(
        operation_id="rounds_ranking_report_pdf",
        summary="本轮排名报告（PDF，A4 可打印）",
        description=VISIBILITY,
        parameters=SNAPSHOT_PARAMETERS,
        responses={
            (200, exports.PDF_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="排名报告：每个奖项一张表"
            ),
            401: ERROR,
            403: ERROR,
            404: ERROR,
        },
    )
    def report_pdf(self, request, pk=None):
        snapshot = self._chosen(request)
        return self._download(exports.ranking_pdf(snapshot), exports.PDF_CONTENT_TYPE, snapshot, "pdf")


ranking_export_xlsx = RankingExportViewSet.as_view(
    {"get": "export_xlsx"}, detail=True, basename="round-ranking-export"
)
ranking_report_pdf = RankingExportViewSet.as_view(
    {"get": "report_pdf"}, detail=True, basename="round-ranking-export"
)
