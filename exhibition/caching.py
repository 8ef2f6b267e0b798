"""HTTP caching of the public exhibition: validators, 304s, shared headers, body caches.

Every public response (JSON and pages) carries

- an ``ETag``: a hash of what the body depends on, namely the exhibition's
  stamp (its last change and number of exhibits; for one exhibit, that
  exhibit's own change and its certificate's state), the request's canonical
  form (scheme, host, path, known parameters) and the build (this app's code,
  templates and static files);
- a ``Last-Modified``: the moment of that last change;
- ``Cache-Control: public, max-age=60, stale-while-revalidate=600``, so that
  browsers, WeChat's web view and any proxy in front reuse a response for a
  minute and serve a stale one while they revalidate;

and a conditional GET or HEAD whose ``If-None-Match`` (or, without it,
``If-Modified-Since``) matches answers ``304 Not Modified`` before anything is
rendered.

A crowd of readers costs little, in three layers:

1. the stamp (one aggregate query) is memoised in the process for
   ``EXHIBITION_STAMP_TTL`` seconds (a setting or an environment variable;
   default 1 s, 0 turns it off), and each exhibit's lookup (one query) for as
   long as the stamp stays the same. A write through the services forgets the
   memo of its own process at once; other processes (the other gunicorn
   workers) see a change within that second, well inside the minute that
   ``max-age`` already lets every reader's cache keep a response;
2. bodies are kept under their ETag in a small in-process LRU;
3. and in Django's cache (Redis in production), shared by every worker.

A change of the exhibition changes every ETag, hence every key: nothing is
ever invalidated by hand, and a body under a key never changes.

The shared cache cannot be flooded: a key is made from the request's
canonical query (unknown parameters dropped, values validated and normalised,
so ``?foo=<random>`` or ``?page=0001`` lands on the same key as the plain
request), a malformed or out-of-range page answers 404 before anything is
stored, and each family of list responses (a hall's JSON or page) stores at
most ``EXHIBITION_CACHED_QUERIES_MAX`` distinct bodies in the shared cache per
``BODY_TIMEOUT`` (further ones are built and served, not stored). In
production the cache is its own Redis with an LRU ``maxmemory`` (see
docker-compose.yml), never the Celery broker.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, urlencode

from competition import ratelimit

from . import halls, selectors

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"
BODY_TIMEOUT = 6 * 3600
DEFAULT_TTL = 1.0
BODIES_MAX = 512
CACHED_QUERIES_MAX = 1000
PAGE_RE = re.compile(r"^[0-9]{1,6}$")
EXHIBITS_MAX = 4096
APP_DIR = Path(__file__).resolve().parent

_lock = threading.Lock()
_stamp: tuple[float, selectors.Stamp] | None = None
_exhibits: OrderedDict[tuple[str, str], tuple[selectors.Stamp, object]] = OrderedDict()
_bodies: OrderedDict[str, bytes] = OrderedDict()
_live: tuple[float, Live] | None = None
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Live:
    """What every page also shows besides the exhibits: the content halls' items
    (their last change and number) and the 公示 running today (linked from every page)."""

    token: str
    last_modified: datetime.datetime | None
    publicity: tuple[int, str, datetime.date] | None  # (competition pk, title, last day)


@memoize
def build_token() -> str:
    """A hash of this app's code, templates and static files: a deployment that
    changes how a response looks changes every ETag (and so every body cache key)."""
    digest = hashlib.sha256()
    for path in sorted(APP_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js") and "migrations" not in path.parts:
            digest.update(str(path.relative_to(APP_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def stamp_ttl() -> float:
    value = getattr(settings, "EXHIBITION_STAMP_TTL", None)
    if value is None:
        value = os.environ.get("EXHIBITION_STAMP_TTL", DEFAULT_TTL)
    return float(value)


def forget_stamp() -> None:
    """Forget this process's memo of the exhibition's state (the services call it on every write)."""
    global _stamp, _live
    with _lock:
        _stamp = None
        _live = None
        _exhibits.clear()


def live_state() -> Live:
    """``Live``, memoised like the stamp (two queries when it expires). The 公示
    starts and ends with the calendar, not with a write: the memo's second is
    how long a page may go on showing (or not showing) its link."""
    global _live
    ttl = stamp_ttl()
    now = time.monotonic()
    held = _live
    if ttl > 0 and held is not None and now - held[0] < ttl:
        return held[1]
    last, count = halls.content_stamp()
    publicity = halls.running_publicity()
    running = (
        None
        if publicity is None
        else (publicity.competition_id, publicity.competition.title, publicity.ends_on)
    )
    token = f"{last.timestamp() if last else 0:.6f}-{count}-{running or ''}"
    value = Live(token=token, last_modified=last, publicity=running)
    if ttl > 0:
        with _lock:
            _live = (now, value)
    return value


def forget_all() -> None:
    forget_stamp()
    with _lock:
        _bodies.clear()


def current_stamp() -> selectors.Stamp:
    global _stamp
    ttl = stamp_ttl()
    if ttl <= 0:
        return selectors.exhibition_stamp()
    now = time.monotonic()
    held = _stamp
    if held is not None and now - held[0] < ttl:
        return held[1]
    value = selectors.exhibition_stamp()
    with _lock:
        if held is None or held[1] != value:
            _exhibits.clear()  # looked up under another state of the exhibition
        _stamp = (now, value)
    return value


def public_exhibit(*, kind: str, slug: str):
    """``selectors.public_exhibit``, memoised (a miss, None, too) for as long as the
    exhibition's stamp does not change: the stamp moves with every change of an
    exhibit and with the issue or revocation of its certificate."""
    if stamp_ttl() <= 0:
        return selectors.public_exhibit(kind=kind, slug=slug)
    stamp = current_stamp()
    key = (kind, slug)
    held = _exhibits.get(key)
    if held is not None and held[0] == stamp:
        return held[1]
    value = selectors.public_exhibit(kind=kind, slug=slug)
    with _lock:
        _exhibits[key] = (stamp, value)
        while len(_exhibits) > EXHIBITS_MAX:
            _exhibits.popitem(last=False)
    return value


def make_etag(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in (build_token(), *parts)).encode()).hexdigest()[:32]
    return f'"{digest}"'


def request_key(request: HttpRequest, params: Iterable[str]) -> str:
    """The request's canonical form: scheme, host, path and the known parameters, sorted."""
    query = "&".join(f"{k}={request.GET.get(k, '')}" for k in sorted(params) if request.GET.get(k))
    return f"{request.scheme}://{request.get_host()}{request.path}?{query}"


def page_number(raw: str | None) -> int:
    """The page a request asks for: 1 when absent; digits only and at least 1,
    else ``Http404`` (so a malformed page is never built, let alone cached).
    Whether the page exists is for the paginator, also with a 404."""
    if raw is None or raw == "":
        return 1
    if not PAGE_RE.match(raw) or int(raw) < 1:
        raise Http404("no such page")
    return int(raw)


def canonical_url(request: HttpRequest, params: dict) -> str:
    """Scheme, host, path and the given (already validated) parameters, sorted,
    empty ones and ``page=1`` left out: one URL per distinct response."""
    kept = {k: v for k, v in params.items() if v not in (None, "") and not (k == "page" and v == 1)}
    query = urlencode(sorted(kept.items()))
    return f"{request.scheme}://{request.get_host()}{request.path}" + (f"?{query}" if query else "")


def _admit(family: str) -> bool:
    """May one more distinct body of ``family`` go into the shared cache?"""
    limit = getattr(settings, "EXHIBITION_CACHED_QUERIES_MAX", CACHED_QUERIES_MAX)
    return ratelimit.hit(f"exhibition-cache:{family}", limit=limit, window=BODY_TIMEOUT) is None


def add_headers(response: HttpResponse, *, etag: str, last_modified) -> HttpResponse:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _body(etag: str, build: Callable[[], bytes], family: str | None = None) -> bytes:
    body = _bodies.get(etag)
    if body is not None:
        return body
    key = f"exhibition:body:{etag.strip(chr(34))}"
    body = cache.get(key)
    if body is None:
        body = build()
        if family is None or _admit(family):
            cache.set(key, body, BODY_TIMEOUT)
    with _lock:
        _bodies[etag] = body
        while len(_bodies) > BODIES_MAX:
            _bodies.popitem(last=False)
    return body


def conditional(
    request: HttpRequest,
    *,
    etag: str,
    last_modified,
    content_type: str,
    build: Callable[[], bytes],
    family: str | None = None,
) -> HttpResponse:
    """304 when the request's validators match; else the body (from a cache, or built and kept).

    ``family`` names responses whose number of distinct queries is open (a
    hall's filters and pages): their bodies enter the shared cache up to the cap.
    """
    if content_type == HTML:
        # Every page links the 公示 while one runs and names the halls: the
        # content halls' state and the 公示 are part of what a page depends on.
        live = live_state()
        etag = make_etag(etag, live.token)
        if live.last_modified is not None:
            last_modified = max(last_modified, live.last_modified)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified.timestamp())
    )
    if not_modified is not None:
        return add_headers(not_modified, etag=etag, last_modified=last_modified)
    response = HttpResponse(_body(etag, build, family), content_type=content_type)
    return add_headers(response, etag=etag, last_modified=last_modified)
