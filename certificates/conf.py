"""Settings of the certificates app, with their defaults.

Each may be set in the Django settings (or, for the deployment, added to
``config/settings/base.py`` reading the environment):

- ``CERTIFICATES_NUMBER_PREFIX`` (``"TY-XLF"``): the start of every number;
- ``CERTIFICATES_RENDER_SOFT_TIME_LIMIT`` (60 s) and
  ``CERTIFICATES_RENDER_TIME_LIMIT`` (90 s): one render's time limits in a worker;
- ``CERTIFICATES_RENDER_CHUNK`` (10): certificates one render task renders (on workers);
- ``CERTIFICATES_RENDER_ATTEMPTS`` (3): attempts before a certificate is reported failed;
- ``CERTIFICATES_RETRY_BACKOFF`` (5 s): the first retry's delay, doubled each time;
- ``CERTIFICATES_STALLED_AFTER`` (900 s): a batch with no progress for this long has
  its pending certificates sent again by ``drain_outbox`` (a lost message);
- ``CERTIFICATES_CACHE_DIR`` (``var/cache/certificates``): font subsets;
- ``CERTIFICATES_FONT_BASE`` (``"batch"``) and ``CERTIFICATES_FONTS``: see ``fonts``.

Fault injection, for the tests of a killed worker only: the project's
``XLF_FAULT_DELAYS`` environment variable with ``render=<seconds>``
(``competition.faults``) makes every render task sleep that long first, so
a test can kill a worker in the middle of a batch.
"""

from __future__ import annotations

from django.conf import settings


def _get(name: str, default):
    return getattr(settings, name, default)


def number_prefix() -> str:
    return _get("CERTIFICATES_NUMBER_PREFIX", "TY-XLF")


def soft_time_limit() -> int:
    return int(_get("CERTIFICATES_RENDER_SOFT_TIME_LIMIT", 60))


def time_limit() -> int:
    return int(_get("CERTIFICATES_RENDER_TIME_LIMIT", 90))


def render_chunk() -> int:
    return max(1, int(_get("CERTIFICATES_RENDER_CHUNK", 10)))


def render_attempts() -> int:
    return max(1, int(_get("CERTIFICATES_RENDER_ATTEMPTS", 3)))


def retry_backoff() -> float:
    return float(_get("CERTIFICATES_RETRY_BACKOFF", 5))


def stalled_after() -> int:
    return int(_get("CERTIFICATES_STALLED_AFTER", 900))
