"""Who may do what with a nomination, and when (django-rules predicates).

Two kinds of predicate:

- who: ``can_edit_nomination`` (an officer of the nomination's unit),
  ``can_review_nomination`` (the office) …; the services ``require`` them
  and the API gates its actions with them (403, or 404 for another unit's);
- when: ``can_be_edited``, ``can_be_submitted``, ``can_be_withdrawn``,
  ``can_be_deleted``, ``can_be_reviewed``, ``can_be_reopened``, each the ``states.*_refusal``
  rule read at the current time; the services raise those refusals (409).

The model's permissions combine both (``nominations.edit_nomination`` =
who & when …): pages and templates ask ``has_perm`` to decide what to offer,
never the status or the role by hand. The API keeps answering a state
conflict with 409 and its reason, so it asks the who-permissions only
(``change_nomination``, ``review_nominations``). A judge's access to
materials through an assignment is added by the judging app.
"""

import rules
from django.utils import timezone

from competition.rules import can_read_all, is_office, is_officer

from . import states


@rules.predicate
def is_own_unit(user, nomination) -> bool:
    if nomination is None:
        return True  # decided per object
    return bool(user.unit_id) and nomination.unit_id == user.unit_id


@rules.predicate
def is_own_unit_attachment(user, attachment) -> bool:
    if attachment is None:
        return True
    return bool(user.unit_id) and attachment.nomination.unit_id == user.unit_id


def _state_predicate(name: str, refusal):
    @rules.predicate(name)
    def predicate(user, nomination) -> bool:
        if nomination is None:
            return True  # decided per object
        return refusal(nomination, timezone.now()) is None

    return predicate


can_be_edited = _state_predicate("can_be_edited", states.edit_refusal)
can_be_submitted = _state_predicate("can_be_submitted", states.submit_refusal)
can_be_withdrawn = _state_predicate("can_be_withdrawn", states.withdraw_refusal)
can_be_deleted = _state_predicate("can_be_deleted", states.delete_refusal)
can_be_reviewed = _state_predicate("can_be_reviewed", states.review_refusal)
can_be_reopened = _state_predicate("can_be_reopened", states.reopen_refusal)

can_view_nomination = can_read_all | (is_officer & is_own_unit)
can_add_nomination = is_officer
can_edit_nomination = is_officer & is_own_unit
can_delete_nomination = is_officer & is_own_unit
can_withdraw_nomination = is_officer & is_own_unit
can_review_nomination = is_office

can_view_attachment = can_read_all | (is_officer & is_own_unit_attachment)
can_delete_attachment = is_officer & is_own_unit_attachment

rules.add_perm("nominations.export_nominations", can_read_all | is_officer)
rules.add_perm("nominations.import_nominations", is_officer)
# The role that reviews (the API's gate: the state answers 409 from the service).
rules.add_perm("nominations.review_nominations", can_review_nomination)
# The printable 推荐表: the nomination's unit's officers and the office (anyone else: 404).
can_print_form = is_office | (is_officer & is_own_unit)
rules.add_perm("nominations.print_form", can_print_form)
