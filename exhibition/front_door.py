"""The front door: ``/`` for a visitor who is not signed in.

A public Chinese page: the current year and its stage, the 公示 while it runs
(and the outcome of the last one), the 云展馆, certificate verification and the
sign-in. Signed-in users keep their own home (``competition.views.home``).

It lives here, in the rightmost app, because it reads the competitions, the
公示 (judging) and the exhibition; ``config/urls.py`` mounts it at ``/``.
No script, no form that needs a session: the verification form is a GET form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from competition import views as competition_views
from competition.enums import Phase
from competition.models import Competition
from judging.enums import AwardStatus
from judging.models import Award, Publicity

from . import selectors

# What each stage means for the public (the current year's card).
STAGE_TEXT = {
    Phase.NOMINATING: "申报推荐进行中：各推荐单位通过本系统申报推荐。",
    Phase.REVIEWING: "申报已截止，正在进行资格审查。",
    Phase.JUDGING: "评审进行中。",
    Phase.PUBLICITY: "拟表彰名单正在公示，欢迎社会各界监督。",
    Phase.FINAL: "评选结果已确定。",
    Phase.ARCHIVED: "本年度活动已结束。",
}


@dataclass(frozen=True)
class Outcome:
    publicity: Publicity
    categories: list[tuple[str, int]]  # (category name, final awards), in the category order
    total: int


def current_competition() -> Competition | None:
    """The latest year that is under way or done (a year still being prepared is not shown)."""
    return Competition.objects.exclude(phase=Phase.DRAFT).order_by("-year").first()


def running_publicity() -> Publicity | None:
    """The 公示 of a competition in its 公示 stage (the latest year, if ever more than one)."""
    return (
        Publicity.objects.select_related("competition")
        .filter(competition__phase=Phase.PUBLICITY)
        .order_by("-competition__year")
        .first()
    )


def last_outcome() -> Outcome | None:
    """The last finished 公示 and what came of it: the final awards per category."""
    publicity = (
        Publicity.objects.select_related("competition")
        .filter(competition__phase__in=(Phase.FINAL, Phase.ARCHIVED))
        .order_by("-competition__year")
        .first()
    )
    if publicity is None:
        return None
    rows = (
        Award.objects.filter(competition=publicity.competition)
        .values("category__name", "category__order", "category_id")
        .annotate(n=Count("id", filter=Q(status=AwardStatus.FINAL)))
        .order_by("category__order", "category_id")
    )
    categories = [(r["category__name"], r["n"]) for r in rows if r["n"]]
    return Outcome(publicity=publicity, categories=categories, total=sum(n for _, n in categories))


def _publicity_state(publicity: Publicity, today: dt.date) -> str:
    if today < publicity.starts_on:
        return "upcoming"
    if today > publicity.ends_on:
        return "ended"
    return "running"


@require_safe
def home(request):
    if request.user.is_authenticated:
        return competition_views.home(request)
    today = timezone.localdate()
    current = current_competition()
    publicity = running_publicity()
    years = selectors.years_on_show()
    context = {
        "current": current,
        "stage_text": STAGE_TEXT.get(current.phase, "") if current else "",
        "publicity": publicity,
        "publicity_state": _publicity_state(publicity, today) if publicity else "",
        "outcome": last_outcome(),
        "exhibition_year": years[0] if years else None,
    }
    response = render(request, "exhibition/front_door.html", context)
    response["Cache-Control"] = "no-cache"
    return response
