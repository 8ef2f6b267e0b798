"""``GET /api/v1/nominations/{id}/form.pdf``: a nomination's printable 推荐表.

The PDF is rendered with the certificates' font pipeline
(``documents.nomination_form_pdf``), hence the view lives here although its
path is the nomination's. The nomination's unit's officers and the office
print it; anyone else gets the 404 of a missing nomination.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from competition.api.views import ERROR
from competition.exceptions import NotFound
from nominations import form_pdf
from nominations import selectors as nomination_selectors

from .. import documents
from .views import PDF


class NominationFormPdfView(APIView):
    """The 推荐表 of a nomination as PDF, with its version code (also in ``X-Form-Version``)."""

    def perform_content_negotiation(self, request, force=False):
        # Errors are JSON whatever the Accept header asks for (the PDF is an HttpResponse).
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        summary="打印推荐表（PDF）",
        responses={(200, "application/pdf"): PDF, 401: ERROR, 404: ERROR},
    )
    def get(self, request, pk: int):
        nomination = nomination_selectors.form_printable(user=request.user).filter(pk=pk).first()
        if nomination is None:
            raise NotFound()
        content = documents.nomination_form_pdf(nomination)
        response = HttpResponse(content, content_type=documents.PDF_CONTENT_TYPE)
        name = re.sub(r'[\\/:*?"<>|\r\n\t]', "_", form_pdf.form_filename(nomination))
        response["Content-Disposition"] = content_disposition_header(True, name)
        response["X-Form-Version"] = form_pdf.version_code(nomination)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
