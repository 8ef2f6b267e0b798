import ipaddress
import re
import uuid

from django.conf import settings

from . import context

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def trusted_proxy_count() -> int:
    """How many reverse proxies stand in front of the app (``TRUSTED_PROXY_COUNT``).

    0 (the default): none, so no client-supplied header (``X-Forwarded-For``,
    ``X-Request-ID``) is believed.
    """
    return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0))


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or with ``TRUSTED_PROXY_COUNT`` = n
    proxies in front, the n-th address from the right of ``X-Forwarded-For`` (the
    one the outermost trusted proxy saw; whatever the client wrote further left is
    ignored). Used by the sign-in throttle, the public limits and the audit trail.
    """
    count = trusted_proxy_count()
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= count:
            address = _ip(hops[-count])
            if address:
                return address
    return _ip(request.META.get("REMOTE_ADDR") or "")


def request_id(request) -> str:
    """The request's id: the proxy's ``X-Request-ID`` when a trusted proxy is in
    front and the value is safe (letters, digits, ``._-``, at most 64), else a new one."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if trusted_proxy_count() and _REQUEST_ID_OK.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Gives every request an id (the trusted proxy's X-Request-ID when sane) and records the client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = rid = request_id(request)
        token = context.set_current(
            context.RequestContext(request_id=rid, client_address=client_address(request))
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = rid
        return response


CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
# The Swagger UI page initialises itself with an inline script.
CSP_API_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    """A content security policy for our pages (nothing from other origins, no inline
    scripts) and a permissions policy; Django's SecurityMiddleware adds HSTS,
    nosniff and the referrer policy, the clickjacking middleware frame denial."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = CSP_API_DOCS if request.path.startswith("/api/docs/") else CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
