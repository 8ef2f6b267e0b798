"""Who may do what in judging (django-rules predicates)."""

import rules

from competition.rules import can_read_all, is_judge, is_office
from nominations import rules as nomination_rules


@rules.predicate
def is_own_assignment(user, assignment) -> bool:
    if assignment is None:
        return True  # decided per object
    return assignment.judge_id == user.pk


@rules.predicate
def is_assigned_to_attachment(user, attachment) -> bool:
    """A judge reads the attachments of the nominations assigned to them in an open (not blind)
    round here; in a blind round only through the assignment (``api/attachment_views.py``),
    which serves neutral names and copies without metadata."""
    if attachment is None:
        return False
    from .models import Assignment

    return Assignment.objects.filter(
        judge=user, nomination_id=attachment.nomination_id, round__blind=False
    ).exists()


can_view_assignment = can_read_all | (is_judge & is_own_assignment)
can_score_assignment = is_judge & is_own_assignment

rules.add_perm("judging.view_progress", can_read_all)
rules.add_perm("judging.view_conflicts", can_read_all)
rules.add_perm("judging.auto_assign", is_office)
rules.add_perm("judging.pledge", is_judge)
rules.add_perm("judging.declare_conflict", is_judge)

# Judges see the attachments of the nominations assigned to them.
rules.set_perm(
    "nominations.view_attachment",
    nomination_rules.can_view_attachment | (is_judge & is_assigned_to_attachment),
)

__all__ = ["is_office"]

rules.add_perm("judging.aggregate", is_office)
rules.add_perm("judging.close_round", is_office)
rules.add_perm("judging.view_ranking", can_read_all)
rules.add_perm("judging.publish", is_office)
rules.add_perm("judging.finalize", is_office)
rules.add_perm("judging.view_objections", can_read_all)
rules.add_perm("judging.resolve_objection", is_office)
rules.add_perm("judging.mark_objection_spam", is_office)

# Office console: results (the 公示, objections, finalising, the 表彰名单, statistics).
# Pages are read by the office and observers; every action is the office's.
rules.add_perm("judging.view_results", can_read_all)
rules.add_perm("judging.enter_objection", is_office)
rules.add_perm("judging.view_statistics", can_read_all)
