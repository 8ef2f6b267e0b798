import re
import uuid

from django.conf import settings

from . import context

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_address(request) -> str | None:
    """The client's address, trusting ``NUM_PROXIES`` hops of X-Forwarded-For."""
    num_proxies = getattr(settings, "NUM_PROXIES", 0)
    if num_proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= num_proxies:
            return hops[-num_proxies]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request an id (kept from X-Request-ID when sane) and records the client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = context.set_current(
            context.RequestContext(request_id=request_id, client_address=client_address(request))
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
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
