"""The one DRF permission class: it maps a view's action to a django-rules permission.

A view declares ``permission_rules = {"list": "competition.view_competition",
"create": "competition.add_competition", ...}``. Actions not listed are
refused. List-level actions are checked without an object; detail actions
are checked against the object (objects the user may not see are already
filtered out by the view's selector, so they answer 404, not 403).
"""

from rest_framework.permissions import BasePermission


class RulesPermission(BasePermission):
    def _perm(self, request, view) -> str | None:
        action = getattr(view, "action", None) or request.method.lower()
        rules_map = getattr(view, "permission_rules", {})
        return rules_map.get(action, rules_map.get("*"))

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action_map", None) is not None and getattr(view, "action", None) is None:
            return True  # a method the viewset does not route: DRF answers 405
        perm = self._perm(request, view)
        if perm is None:
            return False
        if perm == "public":
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "detail", False):
            return True  # decided against the object
        return request.user.has_perm(perm)

    def has_object_permission(self, request, view, obj) -> bool:
        perm = self._perm(request, view)
        if perm == "public":
            return True
        return bool(perm) and request.user.has_perm(perm, obj)
