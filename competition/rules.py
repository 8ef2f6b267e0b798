"""Permission predicates shared by every app (django-rules).

Predicates take ``(user, obj=None)``; list scoping lives in selectors, these
decide whether one action on one object is allowed.
"""

import rules

from .enums import Role


@rules.predicate
def is_office(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "role", None) == Role.OFFICE)


@rules.predicate
def is_observer(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "role", None) == Role.OBSERVER)


@rules.predicate
def is_officer(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "role", None) == Role.OFFICER)


@rules.predicate
def is_judge(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "role", None) == Role.JUDGE)


# The office and observers read everything.
can_read_all = is_office | is_observer

rules.add_perm("competition.view_judges", can_read_all)
rules.add_perm("competition.view_audit", can_read_all)
rules.add_perm("competition.view_unit", rules.is_authenticated)


def require(predicate, actor, obj=None, *, message: str | None = None, hidden: bool = False, system: bool = False) -> None:
    """Refuse unless ``predicate(actor, obj)`` holds: the role check every service makes itself.

    - ``system=True``: ``actor=None`` (a system job: seed_demo, a Celery task,
      a data migration, a management command) is let through. Only services
      that such jobs call pass it; for every other service ``None`` is refused.
    - ``hidden=True``: refuse with ``NotFound`` (the caller may not even know the
      object exists), otherwise with ``Forbidden`` and ``message``.

    Superusers get nothing extra: only the role decides.
    """
    from .exceptions import Forbidden, NotFound

    if actor is None and system:
        return
    if actor is not None and getattr(actor, "is_active", True) and predicate.test(actor, obj):
        return
    if hidden:
        raise NotFound()
    raise Forbidden(message)
