"""What the judging pages share: error pages, flash messages, number formats, the round lookup."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from competition.enums import AggregationMethod
from competition.models import Round
from competition.views import chinese_error_pages, flash_error  # noqa: F401  (flash_error: for the judging pages)

METHOD_LABELS = dict(AggregationMethod.choices)

chinese_errors = chinese_error_pages("judging/error.html", not_found="该页面不存在，或您无权查看。")


def require_reader(user, perm: str = "judging.view_ranking") -> None:
    """Office and observers (``perm``); anyone else gets 404, exactly as for a missing round."""
    if not user.has_perm(perm):
        raise Http404


def flash_form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def points(value) -> str:
    """12.0 → "12", 12.5 → "12.5" (scores are half points)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    return f"{number.normalize():f}" if number == number.to_integral_value() else f"{number:.1f}"


def reader_round(request, pk: int, perm: str = "judging.view_ranking") -> Round:
    require_reader(request.user, perm)
    return get_object_or_404(Round.objects.select_related("competition"), pk=pk)


def acting_round(request, pk: int, *, read: str, act: str) -> Round:
    """A round for an action: 404 unless the user may ``read`` it, then 403 unless they may ``act`` on it."""
    round_ = reader_round(request, pk, read)
    if not request.user.has_perm(act, round_):
        raise PermissionDenied
    return round_


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback
