"""A judge's download of an assignment's attachment (``assignments/{id}/attachments/{id}/download/``).

In a blind round the judge gets a neutral file name (``照片2.jpg``) and a
copy without metadata (pictures re-encoded from their pixels, PDFs rebuilt
from their pages without document information or XMP); the stamped 推荐表
is withheld (404). Anyone else who may read the assignment (its judge in
an open round, the office, observers) gets the file as uploaded. An
assignment or attachment the user may not see answers 404 like a missing one.
"""

from __future__ import annotations

import io
import logging

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from competition.api.permissions import RulesPermission
from competition.api.views import ERROR
from competition.exceptions import NotFound
from nominations import files
from nominations.api.attachment_views import TRUE_VALUES
from nominations.models import Attachment

from .. import blind, selectors

logger = logging.getLogger(__name__)


class AssignmentAttachmentDownloadView(APIView):
    """下载评审任务的附件。匿名评审轮次中，评委得到中性文件名、去除元数据的副本，且不提供盖章推荐表。"""

    permission_classes = [RulesPermission]
    permission_rules = {"get": "judging.view_assignment"}
    detail = True  # decided against the assignment

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="v1_assignments_attachment_download",
        summary="下载评审任务的附件",
        parameters=[
            OpenApiParameter("thumbnail", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="为 1 时下载照片的缩略图。")
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="附件文件。"),
            404: ERROR,
        },
    )
    def get(self, request, pk: int, attachment_pk: int):
        assignment = selectors.assignment_list(user=request.user).filter(pk=pk).first()
        if assignment is None:
            raise NotFound()
        self.check_object_permissions(request, assignment)
        attachments = list(Attachment.objects.filter(nomination_id=assignment.nomination_id))
        attachment = next((a for a in attachments if a.pk == attachment_pk), None)
        if attachment is None:
            raise NotFound()
        is_blind = blind.is_blind_for(request.user, assignment.round)
        names = blind.neutral_names(attachments) if is_blind else {}
        if is_blind and attachment.pk not in names:
            raise NotFound()  # the stamped 推荐表: withheld from judges of a blind round
        thumbnail = str(request.query_params.get("thumbnail", "")).lower() in TRUE_VALUES
        field = attachment.thumbnail if thumbnail else attachment.file
        if not field:
            raise NotFound()
        try:
            handle = field.storage.open(field.name, "rb")
        except OSError:
            logger.error("attachment %s: file %s is missing from storage", attachment.pk, field.name)
            raise NotFound() from None

        content_type = files.JPEG if thumbnail else attachment.content_type
        ext = files.EXTENSIONS.get(content_type, ("bin",))[0]
        if is_blind:
            name = names[attachment.pk]
            with handle:
                body = _without_metadata(handle, content_type)
            handle = io.BytesIO(body)
        else:
            name = attachment.original_name or f"附件{attachment.pk}.{ext}"
        if thumbnail:
            name = f"{name.rsplit('.', 1)[0]}-缩略图.jpg"

        response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


def _without_metadata(handle, content_type: str) -> bytes:
    """The copy a judge of a blind round gets."""
    data = io.BytesIO(handle.read())
    if content_type in (files.JPEG, files.PNG):
        return files.image_without_metadata(data, content_type)
    if content_type == files.PDF:
        return files.pdf_without_metadata(data)
    if content_type == files.MP4:
        return files.mp4_without_metadata(data.getvalue())
    return data.getvalue()
