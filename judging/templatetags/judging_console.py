"""Template tags that put the office console's pieces on the older judging pages.

The progress board, the conflict report, the ranking page and the judge's
scoring page keep their own views; these tags add what the console needs
(pledge status, the submitted scorecards to unlock, an unlock's reason, a
running aggregation, the next round) without changing those views.
"""

from django import template

from ..console import queries
from ..enums import JobStatus
from ..models import AggregationJob, Pledge

register = template.Library()


@register.simple_tag
def console_progress(round_):
    """Who signed the pledge, and each judge's submitted scorecards (to unlock)."""
    return {
        "pledged": set(
            Pledge.objects.filter(competition_id=round_.competition_id).values_list("judge_id", flat=True)
        ),
        "cards": queries.submitted_cards(round_),
    }


@register.simple_tag
def unlock_notice(assignment):
    """The office's latest unlock of this assignment's scorecard (reason and time), or None."""
    return queries.unlock_reasons([assignment.pk]).get(assignment.pk)


@register.simple_tag
def running_job(round_):
    """The round's aggregation still queued or running (the ranking page resumes its progress)."""
    return (
        AggregationJob.objects.filter(round=round_, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .order_by("-created_at", "-id")
        .first()
    )


@register.simple_tag
def next_round(round_):
    return round_.competition.rounds.filter(order__gt=round_.order).order_by("order").first()


@register.filter
def any_office_exclusion(rows) -> bool:
    """Whether any of ``selectors.conflicted_scorecards`` rows is the office's exclusion."""
    return any(row.get("kind") == "office" for row in rows or [])


@register.filter
def method_label(value: str) -> str:
    """A scoring method's Chinese name ("mean" → 算术平均)."""
    from competition.enums import AggregationMethod

    return dict(AggregationMethod.choices).get(value, value)
