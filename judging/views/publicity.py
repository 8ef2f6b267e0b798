"""The public 公示 page, its objection form and the objection lookup: no sign-in.

The objection form is a normal POST form (with CSRF) that works without
JavaScript; ``judging/publicity.js`` enhances it by posting the same fields to
the public JSON API. Both call ``objection_lodge``; the lookup page and the
public API both call ``objection_lookup``.
"""

from __future__ import annotations

from collections import defaultdict

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competition.enums import Phase
from competition.exceptions import Conflict, NotFound, ValidationFailed
from competition.middleware import client_address
from competition.ratelimit import RateLimited
from nominations.models import Nomination

from .. import selectors
from ..models import Publicity
from ..refusals import publicity_open_refusal
from ..services import results
from ._common import chinese_errors

NOMINATION_ERROR = "异议对象：请选择公示名单中的对象。"


def _publicity_page(request, item: Publicity, *, form: dict | None = None, errors: dict | None = None,
                    message: str = "", status: int = 200):
    data = selectors.publicity_data(publicity=item, public=True)
    groups: dict[str, list[dict]] = defaultdict(list)
    for entry in data["entries"]:
        groups[entry["category"]].append(entry)
    refusal = publicity_open_refusal(item.competition, timezone.now())
    return render(
        request,
        "judging/publicity.html",
        {
            "publicity": item,
            "data": data,
            "groups": list(groups.items()),
            "refusal": refusal,
            "objection_url": reverse("public-objection"),
            "final": item.competition.phase in (Phase.FINAL, Phase.ARCHIVED),
            "form": form or {},
            "errors": errors or {},
            "form_message": message,
        },
        status=status,
    )


@chinese_errors
@require_GET
def publicity(request, pk: int):
    """The public 公示 list (names, units, categories; never scores) and the objection form."""
    item = get_object_or_404(Publicity.objects.select_related("competition"), competition_id=pk)
    return _publicity_page(request, item)


@chinese_errors
@require_POST
def objection_submit(request, pk: int):
    """The objection form without JavaScript: the receipt on success, else the form again
    with its Chinese errors under their fields (nothing saved)."""
    item = get_object_or_404(Publicity.objects.select_related("competition"), competition_id=pk)
    form = {key: request.POST.get(key, "") for key in ("nomination", "name", "phone", "content")}
    raw = form["nomination"].strip()
    nomination = (
        Nomination.objects.filter(pk=int(raw), competition=item.competition).first() if raw.isdigit() else None
    )
    try:
        objection = results.objection_lodge(
            competition=item.competition,
            nomination=nomination,
            name=form["name"],
            phone=form["phone"],
            content=form["content"],
            client_address=client_address(request),
        )
    except ValidationFailed as error:
        errors = dict(error.fields)
        if nomination is None:
            errors["nomination"] = [NOMINATION_ERROR]
        return _publicity_page(request, item, form=form, errors=errors, message=error.message, status=400)
    except NotFound:
        return _publicity_page(
            request, item, form=form, errors={"nomination": [NOMINATION_ERROR]}, message=NOMINATION_ERROR, status=400
        )
    except (Conflict, RateLimited) as error:
        status = 429 if isinstance(error, RateLimited) else 409
        return _publicity_page(request, item, form=form, message=error.message, status=status)
    return render(
        request,
        "judging/objection_received.html",
        {"publicity": item, "objection": objection, "title": selectors.publicity_data(publicity=item, public=True)["title"]},
        status=201,
    )


@chinese_errors
@require_http_methods(["GET", "POST"])
def objection_status(request):
    """Look an objection up by its receipt code and the phone number given (POST, so the
    phone stays out of addresses and logs). Unknown receipt and wrong phone: the same answer."""
    form = {"receipt": request.GET.get("receipt", "")[:40], "phone": ""}
    found = None
    message = ""
    status = 200
    if request.method == "POST":
        form = {"receipt": request.POST.get("receipt", "")[:40], "phone": request.POST.get("phone", "")[:20]}
        try:
            objection = results.objection_lookup(
                receipt=form["receipt"], phone=form["phone"], client_address=client_address(request)
            )
        except NotFound as error:
            message, status = error.message, 404
        except RateLimited as error:
            message, status = error.message, 429
        else:
            found = selectors.objection_receipt_data(objection)
    return render(
        request, "judging/objection_status.html", {"form": form, "found": found, "message": message}, status=status
    )
