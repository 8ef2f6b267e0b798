"""The office's certificate actions and the results' printed documents, as pages.

- ``/certificates/<id>/pdf/``: one certificate's PDF (the office: every
  certificate; a unit officer: their own issued ones; observers download
  nothing, as in the API);
- ``/certificates/<id>/revoke/``, ``…/reissue/``: POST with a reason, through
  ``certificate_revoke`` / ``certificate_reissue`` (audited); a refusal is
  shown on the certificates page in the service's words;
- ``/certificates/competitions/<id>/publicity.pdf``: the 公示文件;
- ``/certificates/competitions/<id>/honours.pdf``: the 表彰名单 (final competitions).

The two documents are rendered here (``documents``) because they print in the
certificates' font; the office and observers read them.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from competition.enums import Phase
from competition.exceptions import ApplicationError
from competition.models import Competition
from competition.rules import can_read_all
from competition.views import chinese_error_pages
from judging.models import Publicity

from . import documents, fonts, rendering, selectors, services

chinese_errors = chinese_error_pages("judging/error.html", not_found="该页面不存在，或您无权查看。")


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=documents.PDF_CONTENT_TYPE)
    name = re.sub(r'[\\/:*?"<>|\r\n\t]', "_", name)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _back(request, certificate) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("certificates:competition", args=[certificate.competition_id])


@login_required
@chinese_errors
@require_GET
def certificate_pdf(request, pk: int):
    certificate = get_object_or_404(selectors.certificate_downloads(user=request.user), pk=pk)
    response = FileResponse(
        certificate.pdf.open("rb"), as_attachment=True, filename=f"{certificate.number}.pdf", content_type="application/pdf"
    )
    response["X-Content-SHA256"] = certificate.sha256
    return response


def _reason_action(request, pk: int, perm: str, service, done: str):
    certificate = get_object_or_404(selectors.certificate_list(user=request.user), pk=pk)
    if not request.user.has_perm(perm, certificate):
        raise PermissionDenied
    try:
        certificate = service(actor=request.user, certificate=certificate, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        lines = [exc.message, *(m for ms in exc.fields.values() for m in ms)]
        messages.error(request, f"证书 {certificate.number}：" + " ".join(dict.fromkeys(lines)))
    else:
        messages.success(request, f"证书 {certificate.number}：{done}")
    return redirect(_back(request, certificate))


@login_required
@chinese_errors
@require_POST
def certificate_revoke(request, pk: int):
    return _reason_action(
        request, pk, "certificates.revoke_certificate", services.certificate_revoke, "已撤销，查验页显示为已撤销。"
    )


@login_required
@chinese_errors
@require_POST
def certificate_reissue(request, pk: int):
    return _reason_action(
        request, pk, "certificates.reissue_certificate", services.certificate_reissue,
        "已重新生成（编号和查验二维码不变）。",
    )


def _reader_competition(request, pk: int) -> Competition:
    if not can_read_all(request.user):
        raise Http404
    return get_object_or_404(Competition, pk=pk)


@login_required
@chinese_errors
@require_GET
def publicity_pdf(request, pk: int):
    competition = _reader_competition(request, pk)
    publicity = get_object_or_404(Publicity.objects.select_related("competition"), competition=competition)
    return _pdf(documents.publicity_pdf(publicity), f"{competition.title}公示.pdf")


@login_required
@chinese_errors
@require_GET
def honours_pdf(request, pk: int):
    competition = _reader_competition(request, pk)
    if competition.phase not in (Phase.FINAL, Phase.ARCHIVED):
        raise Http404
    return _pdf(documents.honours_pdf(competition), f"{competition.title}表彰名单.pdf")


@login_required
@chinese_errors
@require_GET
def sample_pdf(request, pk: int):
    """A sample certificate of the year (its first category, or ``?category=``) with the
    current issuers, seals and wording: the preview of the year setup's issuers page."""
    competition = _reader_competition(request, pk)
    categories = competition.categories.order_by("order", "id")
    wanted = request.GET.get("category", "")
    category = categories.filter(pk=int(wanted)).first() if wanted.isdigit() else categories.first()
    if category is None:
        raise Http404
    try:
        pdf = services.template_preview(category=category)
    except (fonts.FontMissing, fonts.GlyphMissing, rendering.RenderError) as exc:
        messages.error(request, f"证书样张无法生成：{exc}")
        return redirect("setup:issuers", pk=competition.pk)
    response = _pdf(pdf, f"{competition.year}年度证书样张-{category.code}.pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"sample-{category.code}.pdf")
    return response
