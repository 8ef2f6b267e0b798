"""The .xlsx exchange over the API: export a 推荐汇总表, import one into drafts."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from competition import selectors as competition_selectors
from competition.api.base import Serializer
from competition.api.permissions import RulesPermission
from competition.api.views import ERROR
from competition.enums import Role
from competition.exceptions import NotFound, ValidationFailed
from competition.models import Competition

from .. import selectors, spreadsheets

TRUE_FLAGS = {"1", "true", "yes", "on"}
FALSE_FLAGS = {"", "0", "false", "no", "off"}


def _competition(value, user) -> Competition:
    if value in (None, ""):
        raise ValidationFailed(
            fields={"competition": ["推选活动：必须指定（competition=<编号>）。"]}
        )
    text = str(value).strip()
    if not text.isdigit():
        raise ValidationFailed(fields={"competition": ["推选活动：应为推选活动的编号（整数）。"]})
    competition = (
        competition_selectors.competition_list(user=user)
        .prefetch_related(None)
        .filter(pk=int(text))
        .first()
    )
    if competition is None:
        raise NotFound()
    return competition


class JsonErrorsMixin:
    """Errors are always JSON, whatever the Accept header asks for (the .xlsx is an HttpResponse)."""

    def perform_content_negotiation(self, request, force=False):
        renderer = JSONRenderer()
        return renderer, renderer.media_type


class NominationExportView(JsonErrorsMixin, APIView):
    """The 推荐汇总表 of a competition as .xlsx: one sheet per 奖项, rows in the units' order.

    The office and observers get every unit's nominations, a unit officer only
    their own unit's (the same scope as the nomination list). Drafts and
    withdrawn nominations are left out; a unit officer may add the unit's own
    drafts with ``include_drafts=1`` (e.g. to check them before submitting).
    """

    permission_classes = [RulesPermission]
    # Exporting is listing in another format: whoever may list nominations may
    # export what they may list (the selector scopes the rows).
    permission_rules = {"get": "nominations.view_nomination"}

    @extend_schema(
        summary="导出推荐汇总表（.xlsx）",
        parameters=[
            OpenApiParameter(
                "competition", OpenApiTypes.INT, required=True, description="推选活动编号"
            ),
            OpenApiParameter(
                "include_drafts",
                OpenApiTypes.BOOL,
                required=False,
                description="推荐单位导出本单位推荐时一并导出草稿（1/0，默认 0）",
            ),
        ],
        responses={
            (200, spreadsheets.XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="推荐汇总表（每个奖项一个工作表）"
            ),
            400: ERROR,
            401: ERROR,
            403: ERROR,
            404: ERROR,
        },
    )
    def get(self, request):
        user = request.user
        competition = _competition(request.query_params.get("competition"), user)
        flag = str(request.query_params.get("include_drafts", "")).strip().lower()
        if flag not in TRUE_FLAGS | FALSE_FLAGS:
            raise ValidationFailed(fields={"include_drafts": ["导出草稿：应为 1 或 0。"]})
        include_drafts = flag in TRUE_FLAGS
        unit = None
        if user.role == Role.OFFICER:
            unit = user.unit
        elif include_drafts:
            raise ValidationFailed(
                fields={"include_drafts": ["导出草稿：只适用于推荐单位导出本单位的推荐。"]}
            )
        rows = spreadsheets.export_queryset(
            selectors.nomination_list(user=user),
            competition=competition,
            include_drafts=include_drafts,
        )
        content = spreadsheets.export_workbook(competition=competition, nominations=rows, unit=unit)
        response = HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE)
        filename = spreadsheets.export_filename(competition, unit)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class NominationImportSerializer(Serializer):
    file = serializers.FileField(
        label="文件", help_text="推荐汇总表 .xlsx（不超过 5 MB，最多 500 行）"
    )
    competition = serializers.IntegerField(label="推选活动", min_value=1)
    dry_run = serializers.BooleanField(
        label="试运行",
        default=True,
        help_text="true：只检查并逐行报告，不写入（默认）；false：导入",
    )


class NominationImportRowSerializer(Serializer):
    sheet = serializers.CharField(help_text="工作表（奖项）")
    row = serializers.IntegerField(help_text="Excel 行号")
    title = serializers.CharField()
    action = serializers.CharField(help_text="create：导入为草稿")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    id = serializers.IntegerField(required=False, help_text="导入后的推荐编号（仅正式导入）")


class NominationImportReportSerializer(Serializer):
    dry_run = serializers.BooleanField()
    valid = serializers.BooleanField()
    rows = NominationImportRowSerializer(many=True)
    errors = serializers.ListField(
        child=serializers.CharField(), help_text="文件或工作表层面的问题"
    )
    ignored_columns = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="未识别、已忽略的列"
    )
    created = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class NominationImportView(JsonErrorsMixin, APIView):
    """Import a unit's 推荐汇总表 into drafts of the officer's own unit.

    ``dry_run`` (default true) only reports, row by row, what would be created
    and what is wrong. A real run imports every row or, when any row is wrong,
    none (400, the wrong cells in ``fields`` as ``"<工作表>!<单元格>"``).
    """

    permission_classes = [RulesPermission]
    permission_rules = {"post": "nominations.import_nominations"}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="导入推荐汇总表（.xlsx）为草稿",
        request={"multipart/form-data": NominationImportSerializer},
        responses={
            200: OpenApiResponse(NominationImportReportSerializer, description="试运行报告"),
            201: OpenApiResponse(NominationImportReportSerializer, description="已全部导入"),
            400: ERROR,
            401: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
        },
    )
    def post(self, request):
        data = NominationImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > spreadsheets.MAX_FILE_SIZE:
            message = f"文件：不能超过 {spreadsheets.MAX_FILE_SIZE // (1024 * 1024)} MB。"
            raise ValidationFailed(message, code="invalid_file", fields={"file": [message]})
        competition = _competition(data.validated_data["competition"], request.user)
        content = upload.read(spreadsheets.MAX_FILE_SIZE + 1)
        dry_run = data.validated_data["dry_run"]
        result = spreadsheets.import_workbook(
            actor=request.user, competition=competition, content=content, dry_run=dry_run
        )
        if not dry_run and not result.valid:
            raise ValidationFailed(
                result.summary(), code="import_invalid", fields=result.error_fields()
            )
        code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        return Response(result.as_dict(), status=code)
