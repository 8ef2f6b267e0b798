"""Phase guards that need judging: registered with the competition's phase machine.

Imported by ``JudgingConfig.ready`` so that every process (web, worker,
shell, management command) has them, whatever else it imports.
"""

from django.utils import timezone

from competition import phases
from competition.enums import Phase

from .enums import AwardStatus, ObjectionStatus
from .models import Award, Objection, Publicity


def all_rounds_closed(competition, now) -> str | None:
    open_rounds = [r.name for r in competition.rounds.filter(closed_at__isnull=True)]
    if open_rounds:
        return f"评审轮次“{'、'.join(open_rounds)}”尚未结束。"
    return None


def publicity_published(competition, now) -> str | None:
    if not Publicity.objects.filter(competition=competition).exists():
        return "请通过“发布公示”操作进入公示阶段。"
    return None


def publicity_over(competition, now) -> str | None:
    publicity = Publicity.objects.filter(competition=competition).first()
    if publicity is None:
        return "尚未发布公示。"
    if timezone.localtime(now).date() <= publicity.ends_on:
        return f"公示期至 {publicity.ends_on:%Y年%-m月%-d日} 结束，公示期满后才能确定结果。"
    open_n = Objection.objects.filter(competition=competition, status=ObjectionStatus.OPEN).count()
    if open_n:
        return f"还有 {open_n} 件异议未处理，处理完毕后才能确定结果。"
    return None


def awards_fixed(competition, now) -> str | None:
    if Award.objects.filter(competition=competition, status=AwardStatus.PROPOSED).exists():
        return "请通过“确定表彰结果”操作进入结果确定阶段。"
    return None


phases.register_guard(Phase.JUDGING, Phase.PUBLICITY, all_rounds_closed)
phases.register_guard(Phase.JUDGING, Phase.PUBLICITY, publicity_published)
phases.register_guard(Phase.PUBLICITY, Phase.FINAL, publicity_over)
phases.register_guard(Phase.PUBLICITY, Phase.FINAL, awards_fixed)
