"""The Chinese web pages of the certificates.

- ``/verify/<token>/``: the public verification page (phone-readable), the
  address in every certificate's QR code; throttled per address like the
  JSON API (``throttling``); an unknown token answers 404.
- ``/verify/``: the same by 证书编号 and the holder's name (a GET form, no
  script needed): both must match exactly; a lookup is throttled like the QR
  link, an empty form is not.
- ``/certificates/competitions/<id>/``: the office's and observers' list of a
  competition's certificates; the office issues a batch from it. A unit
  officer gets their own unit's certificates of the competition there, each
  issued one with its PDF (``/certificates/<id>/pdf/``).
- ``/certificates/batches/<id>/``: a batch's progress bar (its script polls
  ``/api/v1/certificate-batches/<id>/``), failures and the ZIP link.

Views read through selectors and write through services only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from competition.enums import Phase, Role
from competition.exceptions import ApplicationError
from competition.models import Competition

from . import selectors, services
from .enums import FINISHED_BATCH_STATUSES, CertificateStatus
from .throttling import throttle_wait


def _throttled(request, wait: int):
    response = render(request, "certificates/verify_throttled.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _verified(request, certificate):
    """The one result page of a verification (QR link or number and name)."""
    response = render(
        request,
        "certificates/verify.html",
        {"c": certificate, "revoked": certificate.status == CertificateStatus.REVOKED},
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def verify(request, token: str):
    wait = throttle_wait(request)
    if wait is not None:
        return _throttled(request, wait)
    certificate = selectors.certificate_public(token=token)
    if certificate is None:
        return render(request, "certificates/verify_unknown.html", status=404)
    return _verified(request, certificate)


@require_GET
def verify_lookup(request):
    """Verification by 证书编号 and the holder's name: the form, then the result."""
    number = request.GET.get("number", "").strip()[: selectors.NUMBER_MAX + 1]
    holder = request.GET.get("holder", "").strip()[: selectors.HOLDER_MAX + 1]
    context = {"number": number, "holder": holder, "errors": {}, "not_found": False}
    if "number" not in request.GET and "holder" not in request.GET:
        return render(request, "certificates/verify_lookup.html", context)
    if not number:
        context["errors"]["number"] = "请填写证书编号。"
    if not holder:
        context["errors"]["holder"] = "请填写获奖者姓名。"
    if context["errors"]:
        return render(request, "certificates/verify_lookup.html", context, status=400)
    wait = throttle_wait(request)
    if wait is not None:
        return _throttled(request, wait)
    certificate = selectors.certificate_by_number(number=number, holder=holder)
    if certificate is None:
        context["not_found"] = True
        response = render(request, "certificates/verify_lookup.html", context, status=404)
        response["X-Robots-Tag"] = "noindex"
        return response
    return _verified(request, certificate)


def _can_follow(user) -> bool:
    return user.has_perm("certificates.view_batch")


def _unit_certificates(request, pk: int):
    """A unit officer's page: the unit's certificates of a competition, with their PDFs."""
    competition = get_object_or_404(Competition.objects.exclude(phase=Phase.DRAFT), pk=pk)
    certificates = selectors.certificate_list(user=request.user, competition_id=competition.pk)
    return render(
        request,
        "certificates/unit.html",
        {
            "competition": competition,
            "certificates": certificates,
            "final": competition.phase in (Phase.FINAL, Phase.ARCHIVED),
            "unit": request.user.unit,
        },
    )


@login_required
@require_GET
def competition_certificates(request, pk: int):
    if request.user.role == Role.OFFICER and request.user.unit_id:
        return _unit_certificates(request, pk)
    if not _can_follow(request.user):
        raise Http404
    competition = get_object_or_404(Competition, pk=pk)
    certificates = selectors.certificate_list(user=request.user, competition_id=competition.pk)
    # Filters: by category and by status (unknown values are ignored).
    categories = list(competition.categories.order_by("order", "id"))
    category = request.GET.get("category", "")
    if category.isdigit() and int(category) in {c.pk for c in categories}:
        certificates = certificates.filter(category_id=int(category))
    status = request.GET.get("status", "")
    if status in CertificateStatus.values:
        certificates = certificates.filter(status=status)
    batches = selectors.batch_list(user=request.user).filter(competition=competition)[:10]
    return render(
        request,
        "certificates/competition.html",
        {
            "competition": competition,
            "certificates": certificates,
            "batches": batches,
            "categories": categories,
            "statuses": CertificateStatus.choices,
            "chosen": {"category": category, "status": status},
            "filtered": bool(request.GET.get("category") or request.GET.get("status")),
            "tab": "certificates",
            "can_issue": request.user.has_perm("certificates.issue"),
            "can_download": request.user.has_perm("certificates.download_batch"),
            "can_manage": request.user.has_perm("certificates.revoke_certificate"),
        },
    )


@login_required
@require_POST
def issue(request, pk: int):
    if not request.user.has_perm("certificates.issue"):
        raise PermissionDenied
    competition = get_object_or_404(Competition, pk=pk)
    try:
        batch = services.certificates_issue(actor=request.user, competition=competition)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("certificates:competition", pk=competition.pk)
    return redirect("certificates:batch", pk=batch.pk)


@login_required
@require_GET
def batch_page(request, pk: int):
    batch = get_object_or_404(selectors.batch_list(user=request.user), pk=pk)
    progress = selectors.batch_progress(batch=batch)
    return render(
        request,
        "certificates/batch.html",
        {
            "batch": batch,
            "progress": progress,
            "failures": selectors.batch_failures(batch=batch),
            "finished": batch.status in FINISHED_BATCH_STATUSES,
            "can_download": request.user.has_perm("certificates.download_batch") and bool(batch.archive),
        },
    )
