"""Who may do what in judging (django-rules predicates and permissions).

Two kinds of permission per action:

- **who** (the role, the judge's own assignment): ``judging.score_assignment``,
  ``judging.close_round``, ``judging.publish``, … The API's ``RulesPermission``
  asks these; a caller who passes them and meets a state rule gets 409 with
  the reason from the service.
- **who, and may now** (the role and the state rules of ``judging.refusals``):
  ``judging.score``, ``judging.close``, … Pages ask these (``has_perm``, in
  views and with ``{% has_perm %}`` in templates) to decide which buttons to
  show; they hold exactly when the service would go ahead.

This module imports no model of judging (``models.py`` imports none of it).
"""

import rules
from django.utils import timezone

from competition.rules import can_read_all, is_judge, is_office
from nominations import rules as nomination_rules

from . import refusals


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
    # Through the judge's reverse relation: this module imports no model.
    return user.assignments.filter(nomination_id=attachment.nomination_id, round__blind=False).exists()


def _no_refusal(refusal, name: str):
    """A predicate that holds when ``refusal(obj, user, now)`` finds nothing to refuse."""

    def allowed(user, obj) -> bool:
        return obj is not None and refusal(obj, user, timezone.now()) is None

    return rules.Predicate(allowed, name=name)


# Who.
can_view_assignment = can_read_all | (is_judge & is_own_assignment)
can_score_assignment = is_judge & is_own_assignment

# Who, and may now (judging.refusals).
scorecard_can_be_edited = _no_refusal(refusals.edit_refusal, "scorecard_can_be_edited")
scorecard_can_be_unlocked = _no_refusal(refusals.unlock_refusal, "scorecard_can_be_unlocked")
round_can_be_assigned = _no_refusal(refusals.assign_refusal, "round_can_be_assigned")
round_can_be_reminded = _no_refusal(refusals.remind_refusal, "round_can_be_reminded")
round_can_be_closed = _no_refusal(refusals.close_refusal, "round_can_be_closed")
publicity_can_be_published = _no_refusal(refusals.publish_refusal, "publicity_can_be_published")
awards_can_be_finalized = _no_refusal(refusals.finalize_refusal, "awards_can_be_finalized")
objection_can_be_handled = _no_refusal(refusals.objection_refusal, "objection_can_be_handled")

# Assignments (the API's AssignmentViewSet).
rules.add_perm("judging.view_assignment", can_view_assignment)
rules.add_perm("judging.add_assignment", is_office)
rules.add_perm("judging.delete_assignment", is_office)
rules.add_perm("judging.score_assignment", can_score_assignment)
rules.add_perm("judging.unlock_assignment", is_office)

rules.add_perm("judging.view_progress", can_read_all)
rules.add_perm("judging.view_conflicts", can_read_all)
rules.add_perm("judging.auto_assign", is_office)
rules.add_perm("judging.pledge", is_judge)
rules.add_perm("judging.declare_conflict", is_judge)
rules.add_perm("judging.send_reminders", is_office)

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

# May now: the role and the state rules together (what the pages show).
rules.add_perm("judging.score", can_score_assignment & scorecard_can_be_edited)  # an assignment
rules.add_perm("judging.unlock", is_office & scorecard_can_be_unlocked)  # an assignment
rules.add_perm("judging.assign", is_office & round_can_be_assigned)  # a round
rules.add_perm("judging.remind", is_office & round_can_be_reminded)  # a round
rules.add_perm("judging.close", is_office & round_can_be_closed)  # a round
rules.add_perm("judging.publish_publicity", is_office & publicity_can_be_published)  # a competition
rules.add_perm("judging.finalize_awards", is_office & awards_can_be_finalized)  # a competition
rules.add_perm("judging.handle_objection", is_office & objection_can_be_handled)  # an objection

# Office console (judging/console/): the office changes, observers read.
rules.add_perm("judging.view_console", can_read_all)
rules.add_perm("judging.manage_assignments", is_office)
rules.add_perm("judging.set_panels", is_office)

# Office console: results (the 公示, objections, finalising, the 表彰名单, statistics).
# Pages are read by the office and observers; every action is the office's.
rules.add_perm("judging.view_results", can_read_all)
rules.add_perm("judging.enter_objection", is_office)
rules.add_perm("judging.view_statistics", can_read_all)
