"""Demo judging of 2022: two rounds scored by the fifteen demo judges (some
lenient, some severe, a few drafts left unsubmitted), the rounds closed, the
公示 published with one objection (dismissed), and the results finalised —
all on the year's own calendar."""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_UP, Decimal

from competition.enums import Phase
from competition.models import User
from competition.services import competition_advance
from nominations.demo import ADVERTS, TREES

from . import services
from .enums import ObjectionStatus
from .models import Assignment, Objection

# Judge bias in points out of 100: judge01–05 lenient, judge06–09 severe.
BIAS = {**{f"judge{i:02d}": Decimal(4) for i in range(1, 6)}, **{f"judge{i:02d}": Decimal(-5) for i in range(6, 10)}}


def _unit(text: str) -> float:
    """A stable number in [0, 1) from a text."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 0x100000000


# How good the demo makes each nomination look to its judges, in percent. Most get a
# stable pseudo-random 66–90 from their title. The seed's own story is that the
# 太原市城市综合管理服务指挥中心's two projects were both honoured as 最佳志愿服务项目:
# their materials are made the strongest of the year, and they win through the
# same judges, rounds and aggregation as every other nomination. (With the title's
# hash alone, "举手之劳·为树木松绑拔刺" drew 68.4, the lowest of all the projects,
# and so ranked last and never reached the 项目展.)
QUALITY = {TREES: Decimal(96), ADVERTS: Decimal(95)}


def quality(title: str) -> Decimal:
    """A nomination's demo quality in percent (before each judge's bias and noise)."""
    if title in QUALITY:
        return QUALITY[title]
    return Decimal(66) + Decimal(str(round(_unit(title) * 24, 2)))


def _points(judge: User, nomination, criterion, round_order: int) -> Decimal:
    quality_ = quality(nomination.title)
    noise = Decimal(str(round((_unit(f"{judge.username}{nomination.pk}{round_order}") - 0.5) * 6, 2)))
    percent = max(Decimal(0), min(Decimal(100), quality_ + BIAS.get(judge.username, Decimal(0)) + noise))
    raw = criterion.max_points * percent / 100
    return (raw * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def _score_round(ctx, round_, *, day: int, drafts: int) -> None:
    now = ctx.at(2022, 11, day, 15)
    rows = list(
        Assignment.objects.filter(round=round_)
        .select_related("judge", "nomination", "nomination__category")
        .order_by("judge__username", "nomination_id")
    )
    for i, a in enumerate(rows):
        services.pledge_accept(judge=a.judge, competition=round_.competition)
        criteria = list(a.nomination.category.criteria.all())
        scores = {c.pk: _points(a.judge, a.nomination, c, round_.order) for c in criteria}
        comment = f"{a.nomination.title}：材料翔实，成效明显。" if round_.comment_required else ""
        services.scorecard_save(judge=a.judge, assignment=a, scores=scores, comment=comment, version=0, now=now)
        left_as_draft = drafts and i % (len(rows) // drafts) == 1
        if not left_as_draft:
            services.scorecard_submit(judge=a.judge, assignment=a, now=now)


def seed(ctx) -> None:
    competition = ctx.competition
    if competition is None or competition.phase != Phase.REVIEWING:
        return
    office = User.objects.get(username="office")
    at = ctx.at
    competition = competition_advance(
        actor=office, competition=competition, to=Phase.JUDGING, now=at(2022, 11, 2, 9)
    )
    first, final = competition.rounds.order_by("order")
    services.assignments_auto(actor=office, round_=first, seed=2022)
    _score_round(ctx, first, day=10, drafts=4)
    services.round_close(actor=office, round_=first, now=at(2022, 11, 12, 10))
    services.assignments_auto(actor=office, round_=final, seed=2022)
    _score_round(ctx, final, day=17, drafts=0)
    services.round_close(actor=office, round_=final, now=at(2022, 11, 18, 17))

    publicity = services.publicity_publish(actor=office, competition=competition, now=at(2022, 11, 21, 9))
    # The objection questions a winner's service hours (not one of the seed's own projects).
    winner = (
        competition.awards.exclude(nomination__title__in=QUALITY)
        .order_by("category__order", "final_rank")
        .first()
    )
    objection = services.objection_lodge(
        competition=competition,
        nomination=winner.nomination,
        name="王某某",
        phone="13900000000",
        content="反映该项目服务时长统计口径与实际不一致，请组委会核实。",
        now=at(2022, 11, 22, 11),
    )
    services.objection_resolve(
        actor=office,
        objection=objection,
        decision=ObjectionStatus.DISMISSED,
        reason="经核实，服务时长有志愿服务信息系统记录为证，反映情况不属实。",
    )
    competition = services.competition_finalize(actor=office, competition=competition, now=at(2022, 12, 5, 10))
    ctx.competition = competition
    ctx.notes.append(
        f"评审：两轮评审已结束；公示 {publicity.starts_on:%m月%d日}—{publicity.ends_on:%m月%d日}，"
        f"异议 {Objection.objects.filter(competition=competition).count()} 件（不成立）；"
        f"表彰 {competition.awards.filter(status='final').count()} 项，结果已确定。"
    )
