"""Attachment endpoints: download (the file or a photo's thumbnail), read and delete.

Files are never served from MEDIA_URL: only through these views, and only
when ``request.user.has_perm("nominations.view_attachment", attachment)``.
An attachment the user may not see answers 404 with exactly the body of a
missing one. Downloads are always ``Content-Disposition: attachment`` with
``X-Content-Type-Options: nosniff`` and the type found by content sniffing.
"""

from __future__ import annotations

import logging

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from competition.api.permissions import RulesPermission
from competition.api.views import ERROR
from competition.exceptions import NotFound

from .. import attachments
from ..files import EXTENSIONS, JPEG
from ..models import Attachment
from .serializers import AttachmentSerializer

logger = logging.getLogger(__name__)

TRUE_VALUES = {"1", "true", "yes", "on"}


class AttachmentObjectMixin:
    """Finds the attachment by id and answers 404 unless the user may view it.

    ``detail = True`` tells RulesPermission to decide against the object, so a
    user who may not see it gets the same 404 as for a missing id (and an
    anonymous caller the usual 401).
    """

    queryset = Attachment.objects.select_related("nomination", "nomination__competition")
    serializer_class = AttachmentSerializer
    permission_classes = [RulesPermission]
    detail = True

    def get_object(self) -> Attachment:
        try:
            pk = int(self.kwargs["pk"])
            attachment = self.get_queryset().get(pk=pk)
        except (TypeError, ValueError, OverflowError, Attachment.DoesNotExist):
            raise NotFound() from None
        if not self.request.user.has_perm("nominations.view_attachment", attachment):
            raise NotFound()
        self.check_object_permissions(self.request, attachment)
        return attachment


class AttachmentDownloadView(AttachmentObjectMixin, GenericAPIView):
    """下载附件文件（或照片的缩略图）。仅本单位管理员、组委会办公室和观察员可下载；无权查看时与不存在一样返回 404。"""

    permission_rules = {"get": "nominations.view_attachment", "head": "nominations.view_attachment"}

    def perform_content_negotiation(self, request, force=False):
        # The answer is a file whatever the client's Accept header says.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="v1_attachments_download",
        summary="下载附件",
        parameters=[
            OpenApiParameter(
                "thumbnail",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                description="为 1 时下载照片的缩略图（JPEG，长边不超过 400 像素）。",
            )
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="附件文件（类型按内容识别）。"
            ),
            404: ERROR,
        },
    )
    def get(self, request, pk=None):
        attachment = self.get_object()
        thumbnail = str(request.query_params.get("thumbnail", "")).lower() in TRUE_VALUES
        field = attachment.thumbnail if thumbnail else attachment.file
        if not field:
            raise NotFound()
        try:
            handle = field.storage.open(field.name, "rb")
        except OSError:
            logger.error("attachment %s: file %s is missing from storage", attachment.pk, field.name)
            raise NotFound() from None

        content_type = JPEG if thumbnail else attachment.content_type
        ext = EXTENSIONS.get(content_type, ("bin",))[0]
        name = attachment.original_name or f"附件{attachment.pk}.{ext}"
        if thumbnail:
            name = f"{name.rsplit('.', 1)[0]}-缩略图.jpg"

        # Django writes Content-Disposition: attachment, the name quoted or as filename*=utf-8''.
        response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        # Should a browser ever render it anyway: no scripts, no subresources.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class AttachmentDetailView(AttachmentObjectMixin, GenericAPIView):
    """附件信息与删除。删除仅限本单位管理员，且推荐处于草稿或退回修改状态、申报期内。"""

    permission_rules = {
        "get": "nominations.view_attachment",
        "delete": "nominations.delete_attachment",
    }

    @extend_schema(summary="附件信息", responses={200: AttachmentSerializer, 404: ERROR})
    def get(self, request, pk=None):
        return Response(AttachmentSerializer(self.get_object()).data)

    @extend_schema(summary="删除附件", responses={204: None, 403: ERROR, 404: ERROR, 409: ERROR})
    def delete(self, request, pk=None):
        attachments.attachment_delete(actor=request.user, attachment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
