"""The public 公示 page: no sign-in."""

from __future__ import annotations

from collections import defaultdict

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from competition.enums import Phase

from .. import selectors
from ..models import Publicity
from ..refusals import publicity_open_refusal
from ._common import chinese_errors


@chinese_errors
@require_GET
def publicity(request, pk: int):
    """The public 公示 list (names, units, categories; never scores) and the objection form."""
    item = get_object_or_404(Publicity.objects.select_related("competition"), competition_id=pk)
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
        },
    )
