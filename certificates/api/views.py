"""The certificates API: issue batches, follow them, list, download, revoke, reissue, verify."""

from __future__ import annotations

from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from competition.api.permissions import RulesPermission
from competition.api.views import ERROR
from competition.exceptions import NotFound, ValidationFailed
from competition.models import Competition

from .. import selectors, services
from ..models import Certificate
from ..throttling import SCOPE, AddressRateThrottle
from .serializers import (
    BatchSerializer,
    CertificateReasonSerializer,
    CertificateSerializer,
    IssueSerializer,
    PublicCertificateSerializer,
    batch_data,
)

PDF = OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf")
ZIP = OpenApiResponse(OpenApiTypes.BINARY, description="application/zip")


def _batch_body(request, batch) -> dict:
    return batch_data(
        batch,
        selectors.batch_progress(batch=batch),
        failures=selectors.batch_failures(batch=batch),
        can_download=request.user.has_perm("certificates.download_batch"),
    )


class IssueView(APIView):
    """The office issues the certificates of a final competition (asynchronously)."""

    permission_classes = [RulesPermission]
    permission_rules = {"post": "certificates.issue"}

    @extend_schema(
        request=IssueSerializer,
        responses={202: BatchSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
        summary="颁发荣誉证书（异步批次）",
    )
    def post(self, request, pk):
        competition = Competition.objects.filter(pk=pk).first()
        if competition is None:
            raise NotFound()
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.certificates_issue(
            actor=request.user, competition=competition, date=data.validated_data["date"]
        )
        batch.refresh_from_db()
        body = _batch_body(request, batch)
        if batch.sent_at is None and batch.finished_at is None:
            body["message"] = "批次已记录，消息队列暂不可用，恢复后将自动生成。"
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})


class BatchViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RulesPermission]
    permission_rules = {"retrieve": "certificates.view_batch", "archive": "certificates.download_batch"}

    def get_queryset(self):
        return selectors.batch_list(user=self.request.user)

    @extend_schema(responses={200: BatchSerializer, 404: ERROR}, summary="证书批次进度")
    def retrieve(self, request, *args, **kwargs):
        return Response(_batch_body(request, self.get_object()))

    @extend_schema(responses={200: ZIP, 404: ERROR}, summary="下载批次全部证书（ZIP）")
    @action(detail=True, methods=["get"])
    def archive(self, request, pk=None):
        batch = self.get_object()
        if not request.user.has_perm("certificates.download_batch") or not batch.archive:
            raise NotFound()
        return FileResponse(
            batch.archive.open("rb"),
            as_attachment=True,
            filename=f"荣誉证书-{batch.competition.year}-批次{batch.pk}.zip",
            content_type="application/zip",
        )


class CertificateFilter(filters.FilterSet):
    competition = filters.NumberFilter(
        field_name="competition_id", label="推选活动", min_value=1, max_value=2**31 - 1, decimal_places=0
    )
    status = filters.CharFilter(field_name="status", label="状态")

    class Meta:
        model = Certificate
        fields = ["competition", "status"]


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CertificateSerializer
    permission_classes = [RulesPermission]
    permission_rules = {
        "list": "certificates.view_certificate",
        "retrieve": "certificates.view_certificate",
        "pdf": "certificates.download_certificate",
        "revoke": "certificates.revoke_certificate",
        "reissue": "certificates.reissue_certificate",
    }
    filterset_class = CertificateFilter

    def get_queryset(self):
        # The issue's contract: the PDF is for the office and the winning unit; anyone else 404.
        if self.action == "pdf":
            return selectors.certificate_downloads(user=self.request.user)
        return selectors.certificate_list(user=self.request.user)

    @extend_schema(responses={200: PDF, 404: ERROR}, summary="下载证书 PDF")
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        certificate = self.get_object()
        response = FileResponse(
            certificate.pdf.open("rb"),
            as_attachment=True,
            filename=f"{certificate.number}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-SHA256"] = certificate.sha256
        return response

    @extend_schema(request=CertificateReasonSerializer, responses={200: CertificateSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}, summary="撤销证书")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        certificate = self.get_object()
        data = CertificateReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = services.certificate_revoke(
            actor=request.user, certificate=certificate, reason=data.validated_data["reason"]
        )
        return Response(CertificateSerializer(self.get_queryset().get(pk=certificate.pk)).data)

    @extend_schema(request=CertificateReasonSerializer, responses={200: CertificateSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}, summary="重新生成证书（编号不变）")
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        certificate = self.get_object()
        data = CertificateReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = services.certificate_reissue(
            actor=request.user, certificate=certificate, reason=data.validated_data["reason"]
        )
        return Response(CertificateSerializer(self.get_queryset().get(pk=certificate.pk)).data)


class PublicCertificateView(APIView):
    """Anyone verifies a certificate by the token in its QR code."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = SCOPE

    @extend_schema(
        responses={200: PublicCertificateSerializer, 404: ERROR, 429: ERROR}, auth=[], summary="查验荣誉证书（公开）"
    )
    def get(self, request, token):
        certificate = selectors.certificate_public(token=token)
        if certificate is None:
            raise NotFound("未找到该证书。")
        return Response(PublicCertificateSerializer(certificate).data)


class PublicCertificateLookupView(APIView):
    """Anyone verifies a certificate by its number and the holder's name (both exactly)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = SCOPE

    @extend_schema(
        parameters=[
            OpenApiParameter("number", str, required=True, description="证书编号，如 TY-XLF-2026-XM-0001"),
            OpenApiParameter("holder", str, required=True, description="获奖者（证书上的姓名或名称）"),
        ],
        responses={200: PublicCertificateSerializer, 400: ERROR, 404: ERROR, 429: ERROR},
        auth=[],
        summary="按证书编号和获奖者查验荣誉证书（公开）",
        operation_id="v1_public_certificates_lookup",
    )
    def get(self, request):
        number = request.query_params.get("number", "").strip()
        holder = request.query_params.get("holder", "").strip()
        fields = {}
        if not number:
            fields["number"] = ["请填写证书编号。"]
        if not holder:
            fields["holder"] = ["请填写获奖者姓名。"]
        if fields:
            raise ValidationFailed("请填写证书编号和获奖者姓名。", fields=fields)
        certificate = selectors.certificate_by_number(number=number, holder=holder)
        if certificate is None:
            raise NotFound("未找到与该证书编号和获奖者相符的证书。")
        response = Response(PublicCertificateSerializer(certificate).data)
        response["Cache-Control"] = "no-store"
        return response
