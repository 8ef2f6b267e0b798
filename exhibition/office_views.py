"""The office's 云展馆 page of a competition: its exhibits and publishing the final winners.

``/exhibition/office/competitions/<id>/``: the office and observers read the
exhibits (published or withdrawn) with a link to each public page; the office
publishes the competition's final winners (``exhibition_publish``, audited,
idempotent). Observers see no button and their POST answers 403; anyone else
gets 404. Editing and withdrawing single exhibits stay in the admin for now.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from competition.enums import Phase
from competition.exceptions import ApplicationError
from competition.models import Competition
from competition.rules import can_read_all
from competition.views import chinese_error_pages

from . import selectors, services
from .enums import ExhibitKind

chinese_errors = chinese_error_pages("judging/error.html", not_found="该页面不存在，或您无权查看。")
PUBLIC_PAGE = {ExhibitKind.PROJECT: "exhibition:project", ExhibitKind.ORGANIZATION: "exhibition:organization"}


@login_required
@chinese_errors
@require_http_methods(["GET", "POST"])
def publish_page(request, pk: int):
    if not can_read_all(request.user):
        raise Http404
    competition = get_object_or_404(Competition, pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("exhibition.publish"):
            raise PermissionDenied
        try:
            result = services.exhibition_publish(actor=request.user, competition=competition)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"已发布到云展馆：新增 {len(result.created)} 个展品，已在展 {result.kept} 个，"
                f"已撤下未恢复 {result.withdrawn} 个。",
            )
            for warning in result.photo_failures:
                messages.warning(request, warning)
        return redirect("exhibition:office-publish", pk=competition.pk)
    exhibits = list(selectors.staff_exhibits().filter(competition=competition).order_by("kind", "category_order", "unit_order", "id"))
    for exhibit in exhibits:
        exhibit.public_url_name = PUBLIC_PAGE.get(exhibit.kind)
    return render(
        request,
        "exhibition/office_publish.html",
        {
            "competition": competition,
            "tab": "exhibition",
            "exhibits": exhibits,
            "is_office": request.user.has_perm("exhibition.publish"),
            "final": competition.phase in (Phase.FINAL, Phase.ARCHIVED),
        },
    )
