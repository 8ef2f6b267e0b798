"""意见建议 pages: the public form on the 云展馆 and the office's list.

- ``/exhibition/suggestions/``: anyone sends a suggestion. A normal POST form
  (Django's CSRF check, which also refuses a request whose Origin is another
  site), so it works without JavaScript; the Chinese errors come back under
  their fields with what was typed kept; a thank-you page on success. Unlike
  the halls, these pages carry a CSRF token and are rendered per request,
  never stored in a shared cache.
- ``/exhibition/office/suggestions/``: the office and observers read the
  suggestions by status, or those waiting to be handled (``?status=pending``,
  where the console's badge leads); the office marks one read or handled with a note
  (``/exhibition/office/suggestions/<id>/``, POST). Observers see no buttons
  and their POST answers 403; anyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from competition.exceptions import ApplicationError, ValidationFailed
from competition.middleware import client_address
from competition.ratelimit import RateLimited
from competition.rules import can_read_all
from competition.views import chinese_error_pages

from . import suggestions
from .enums import SuggestionStatus
from .models import (
    SUGGESTION_CONTACT_MAX,
    SUGGESTION_CONTENT_MAX,
    SUGGESTION_NAME_MAX,
    SUGGESTION_NOTE_MAX,
    Suggestion,
)

chinese_errors = chinese_error_pages("judging/error.html", not_found="该页面不存在，或您无权查看。")
FIELDS = ("name", "contact", "content")
PAGE_SIZE = 30


def _form_page(request, *, form: dict, errors: dict, message: str = "", status: int = 200):
    return render(
        request,
        "exhibition/suggest.html",
        {
            "form": form,
            "errors": errors,
            "message": message,
            "limits": {
                "name": SUGGESTION_NAME_MAX,
                "contact": SUGGESTION_CONTACT_MAX,
                "content": SUGGESTION_CONTENT_MAX,
            },
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def suggest(request):
    """The public form: GET shows it, POST sends the suggestion (the service checks it)."""
    if request.method == "GET":
        return _form_page(request, form={}, errors={})
    form = {key: request.POST.get(key, "") for key in FIELDS}
    try:
        suggestions.suggestion_submit(
            name=form["name"],
            contact=form["contact"],
            content=form["content"],
            client_address=client_address(request),
        )
    except ValidationFailed as error:
        return _form_page(request, form=form, errors=error.fields, message=error.message, status=400)
    except RateLimited as error:
        response = _form_page(request, form=form, errors={}, message=error.message, status=429)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    return render(request, "exhibition/suggest_thanks.html", {}, status=201)


def _reader(request) -> None:
    if not can_read_all(request.user):
        raise Http404


@login_required
@chinese_errors
@require_http_methods(["GET"])
def office_list(request):
    """The office's list of suggestions, newest first, filtered by status."""
    _reader(request)
    status = request.GET.get("status", "")
    if status not in (*SuggestionStatus.values, suggestions.PENDING):
        status = ""
    paginator = Paginator(suggestions.suggestions_for_office(status=status), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    counts = suggestions.suggestion_counts()
    return render(
        request,
        "exhibition/office_suggestions.html",
        {
            "page": page,
            "status": status,
            "statuses": [
                {"value": s.value, "label": s.label, "count": counts[s.value]} for s in SuggestionStatus
            ],
            "total": sum(counts.values()),
            "pending": {
                "value": suggestions.PENDING,
                "label": suggestions.PENDING_LABEL,
                "count": sum(counts[s] for s in suggestions.WAITING),
            },
            "is_office": request.user.has_perm("exhibition.handle_suggestion"),
            "note_max": SUGGESTION_NOTE_MAX,
        },
    )


@login_required
@chinese_errors
@require_POST
def office_mark(request, pk: int):
    """Mark one suggestion (office only): the service's refusal comes back as a message."""
    _reader(request)
    suggestion = get_object_or_404(Suggestion, pk=pk)
    if not request.user.has_perm("exhibition.handle_suggestion"):
        raise PermissionDenied
    try:
        suggestions.suggestion_mark(
            actor=request.user,
            suggestion=suggestion,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationFailed as error:
        for texts in error.fields.values():
            for text in texts:
                messages.error(request, f"第 {suggestion.pk} 条：{text}")
    except ApplicationError as error:
        messages.error(request, f"第 {suggestion.pk} 条：{error.message}")
    else:
        label = SuggestionStatus(request.POST["status"]).label
        messages.success(request, f"第 {suggestion.pk} 条意见建议已标记为“{label}”。")
    url = reverse("exhibition:office-suggestions")
    shown = request.POST.get("filter", "")
    if shown in (*SuggestionStatus.values, suggestions.PENDING):
        url += f"?status={shown}"
    return redirect(f"{url}#suggestion-{suggestion.pk}")
