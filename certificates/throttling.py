"""Throttling of the public verification, per client address, shared by the page and the JSON.

DRF's ``ScopedRateThrottle`` keys anonymous clients by its own reading of
``X-Forwarded-For``, which trusts every hop when ``REST_FRAMEWORK`` has no
``NUM_PROXIES``; this one keys by ``competition.middleware.client_address``
(the project's ``TRUSTED_PROXY_COUNT``), and by address even for signed-in users.
"""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle

from competition.middleware import client_address

SCOPE = "public"


class AddressRateThrottle(ScopedRateThrottle):
    def get_cache_key(self, request, view):
        ident = client_address(request) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class _PublicScope:
    throttle_scope = SCOPE


def throttle_wait(request) -> int | None:
    """For a plain Django view: None when the request may go on, else the seconds to wait."""
    throttle = AddressRateThrottle()
    if throttle.allow_request(request, _PublicScope()):
        return None
    return max(1, int(throttle.wait() or 60))
