"""Who may do what with a nomination (django-rules predicates).

The state rules (which status, whether the window is open) live in the
services and answer 409; these answer who. A judge's access to materials
through an assignment is added by the judging app.
"""

import rules

from competition.rules import can_read_all, is_office, is_officer


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
