"""Phase guards that need nominations: registered with the competition's phase machine."""

from competition import phases
from competition.enums import Phase

from .corrections import correction_guard, lapse_before_judging
from .enums import Status


def _all_reviewed(competition, now) -> str | None:
    waiting = competition.nominations.filter(status=Status.SUBMITTED).count()
    if waiting:
        return f"还有 {waiting} 项推荐未完成资格审查，不能开始评审。"
    if not competition.nominations.filter(status=Status.ACCEPTED).exists():
        return "没有通过资格审查的推荐，不能开始评审。"
    return None


# Overdue returned nominations are marked lapsed first; an open correction period holds the step.
phases.register_preparation(Phase.REVIEWING, Phase.JUDGING, lapse_before_judging)
phases.register_guard(Phase.REVIEWING, Phase.JUDGING, correction_guard)
phases.register_guard(Phase.REVIEWING, Phase.JUDGING, _all_reviewed)
