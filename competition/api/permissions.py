"""The one DRF permission class: it maps a view's action to a django-rules permission.

A view declares ``permission_rules = {"list": "competition.view_competition",
"create": "competition.add_competition", ...}``. Actions not listed are
refused. List-level actions are checked without an object; detail actions
are checked against the object (objects the user may not see are already
filtered out by the view's selector, so they answer 404, not 403).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.http import is_same_domain
from rest_framework.permissions import BasePermission

from ..enums import Role
from ..exceptions import Forbidden


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


def cross_site(request) -> bool:
    """True when a browser sent this request from another site.

    Browsers say where a request comes from: ``Sec-Fetch-Site``, ``Origin``
    (every cross-origin request and every POST), or at least ``Referer``.
    A request with none of them is not a browser's cross-site post (an API
    client or a script), so it is not refused here. The allowed origins are
    this site's own and ``CSRF_TRUSTED_ORIGINS``.
    """
    if request.META.get("HTTP_SEC_FETCH_SITE", "") == "cross-site":
        return True
    source = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER") or ""
    if not source:
        return False
    if source == "null":
        return True  # an opaque origin: a sandboxed frame, a data: URL, a redirect
    parts = urlsplit(source)
    if f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.get_host()}":
        return False
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        allowed = urlsplit(trusted)
        if allowed.scheme == parts.scheme and is_same_domain(parts.netloc, allowed.netloc):
            return False
    return True


class SameOriginBrowser(BasePermission):
    """For public endpoints without a session (no CSRF cookie to check): a browser
    may post only from this site's own pages."""

    def has_permission(self, request, view) -> bool:
        if request.method not in ("GET", "HEAD", "OPTIONS") and cross_site(request):
            raise Forbidden("请从本网站的页面提交。", code="cross_site_request")
        return True


class ApiDocsPermission(BasePermission):
    """The OpenAPI schema and the Swagger page: open in DEBUG (a laptop, ``make
    demo``) or with ``API_DOCS_PUBLIC``; otherwise, in production, the office only."""

    def has_permission(self, request, view) -> bool:
        if settings.DEBUG or getattr(settings, "API_DOCS_PUBLIC", False):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.OFFICE)
