"""Who may do what with notifications (django-rules predicates).

Everyone signed in has an inbox and reads only their own notifications (the
selectors scope them; another's answers 404 like a missing one). The office
and observers see the deliveries that failed; only the office retries them.
"""

import rules

from competition.rules import can_read_all, is_office


@rules.predicate
def is_recipient(user, notification) -> bool:
    if notification is None:
        return True  # decided per object
    return notification.recipient_id == user.pk


rules.add_perm("notifications.view_notification", rules.is_authenticated & is_recipient)
rules.add_perm("notifications.read_notification", rules.is_authenticated & is_recipient)
rules.add_perm("notifications.view_delivery", can_read_all)
rules.add_perm("notifications.retry_delivery", is_office)
