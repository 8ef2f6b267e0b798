"""``unread_notifications`` for the navigation's badge on every signed-in page.

A callable, so the count is asked only when a template shows it (base.html
reads it once, with ``{% with %}``).
"""

from . import selectors


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: selectors.unread_count(user=user)}
