"""The phase machine of a competition and the guards that hold each step.

Apps to the right (nominations, judging, …) add their own guards with
``register_guard`` from their ``AppConfig.ready`` so that this app never
imports them. A guard returns a Chinese reason when the step must be refused.
An app may also register a preparation (``register_preparation``): work that
is due anyway and that the step does first (e.g. the nominations whose
correction period has passed are marked lapsed before 资格审查 → 评审).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from .enums import PHASE_ORDER, Phase

Guard = Callable[..., str | None]

_guards: dict[tuple[str, str], list[Guard]] = defaultdict(list)
_preparations: dict[tuple[str, str], list[Callable[..., None]]] = defaultdict(list)


def register_guard(from_phase: str, to_phase: str, guard: Guard) -> Guard:
    if guard not in _guards[(from_phase, to_phase)]:
        _guards[(from_phase, to_phase)].append(guard)
    return guard


def register_preparation(from_phase: str, to_phase: str, hook: Callable[..., None]) -> Callable[..., None]:
    """``hook(competition, actor=…, now=…)`` runs before the step's guards are asked."""
    if hook not in _preparations[(from_phase, to_phase)]:
        _preparations[(from_phase, to_phase)].append(hook)
    return hook


def prepare(competition, to_phase: str, *, actor, now=None) -> None:
    """Run the preparations of the step from the competition's phase to ``to_phase``."""
    now = now or timezone.now()
    for hook in _preparations[(competition.phase, to_phase)]:
        hook(competition, actor=actor, now=now)


def next_phase(phase: str) -> str | None:
    i = PHASE_ORDER.index(phase)
    return PHASE_ORDER[i + 1] if i + 1 < len(PHASE_ORDER) else None


def refusal(competition, to_phase: str, *, now=None) -> str | None:
    """Why ``competition`` cannot move to ``to_phase`` at ``now``, or None when it can.

    Guards are called as ``guard(competition, now)``.
    """
    now = now or timezone.now()
    if to_phase not in PHASE_ORDER:
        return f"未知的阶段“{to_phase}”。"
    expected = next_phase(competition.phase)
    if to_phase != expected:
        current = Phase(competition.phase).label
        target = Phase(to_phase).label
        if expected is None:
            return f"活动已处于最后阶段“{current}”，不能再推进。"
        return f"只能从“{current}”推进到下一阶段“{Phase(expected).label}”，不能直接进入“{target}”。"
    for guard in _guards[(competition.phase, to_phase)]:
        reason = guard(competition, now)
        if reason:
            return reason
    return None


def nominations_window_refusal(competition, now) -> str | None:
    """Why units cannot edit or submit nominations at ``now``, or None while the window is open.

    The one reading of the nomination window: the nominations services, their
    pages and the competition API (``nominations_window_open``) all ask it.
    """
    if competition.phase != Phase.NOMINATING:
        return f"推选活动处于“{Phase(competition.phase).label}”阶段，不在申报期内。"
    if now < competition.nominations_open:
        opens = timezone.localtime(competition.nominations_open)
        return f"申报尚未开始（开始时间 {opens:%Y-%m-%d %H:%M}）。"
    if now >= competition.nominations_close:
        closed = timezone.localtime(competition.nominations_close)
        return f"申报已于 {closed:%Y-%m-%d %H:%M} 截止，不能再修改或提交。"
    return None


def rubric_total(category) -> Decimal:
    return sum((c.max_points * c.weight for c in category.criteria.all()), Decimal("0"))


def _rubrics_complete(competition, now) -> str | None:
    categories = list(competition.categories.prefetch_related("criteria"))
    if not categories:
        return "尚未设置任何奖项。"
    for category in categories:
        total = rubric_total(category)
        if total != Decimal("100"):
            return f"奖项“{category.name}”的评分标准合计 {total.normalize():f} 分，应为 100 分。"
    return None


def _rounds_complete(competition, now) -> str | None:
    rounds = list(competition.rounds.all())
    if not rounds:
        return "尚未设置评审轮次。"
    total = sum((r.weight for r in rounds), Decimal("0"))
    if total != Decimal("1"):
        return f"各评审轮次权重合计为 {total.normalize():f}，应为 1。"
    return None


def _window_not_over(competition, now) -> str | None:
    if now >= competition.nominations_close:
        return "申报截止时间已过，请先修改申报时间再开始申报。"
    return None


def _window_closed(competition, now) -> str | None:
    if now < competition.nominations_close:
        local = timezone.localtime(competition.nominations_close)
        return f"申报尚未截止（截止时间 {local:%Y-%m-%d %H:%M}），不能开始资格审查。"
    return None


register_guard(Phase.DRAFT, Phase.NOMINATING, _rubrics_complete)
register_guard(Phase.DRAFT, Phase.NOMINATING, _rounds_complete)
register_guard(Phase.DRAFT, Phase.NOMINATING, _window_not_over)
register_guard(Phase.NOMINATING, Phase.REVIEWING, _window_closed)
