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
