"""Demo exhibition: once the demo year's results are final, its winners go on
show (as the office would publish them on 2022-12-06), so that ``make demo``
ends with a populated 云展馆 at /exhibition/. Idempotent."""

from __future__ import annotations

from competition.models import User

from . import services
from .enums import ExhibitKind, ExhibitStatus
from .models import Exhibit


def seed(ctx) -> None:
    competition = ctx.competition
    if competition is None or competition.phase not in services.FINAL_PHASES:
        return
    if not Exhibit.objects.filter(competition=competition).exists():
        office = User.objects.get(username="office")
        services.exhibition_publish(actor=office, competition=competition, now=ctx.at(2022, 12, 6, 10))
    shown = Exhibit.objects.filter(competition=competition, status=ExhibitStatus.PUBLISHED)
    ctx.notes.append(
        f"云展馆：项目展 {shown.filter(kind=ExhibitKind.PROJECT).count()} 个、"
        f"组织展 {shown.filter(kind=ExhibitKind.ORGANIZATION).count()} 个展品已发布，见 /exhibition/。"
    )
