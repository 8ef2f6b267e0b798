"""Fixed-window counters in the cache, for limits a service holds itself.

Like the sign-in throttle: the counter is created with ``add`` and raised with
``incr``, both atomic in Redis, so a burst of parallel requests cannot all slip
past the limit. Keys that would carry personal data (phone numbers) are
hashed.
"""

from __future__ import annotations

import hashlib
import math

from django.core.cache import cache
from django.utils import timezone

from .exceptions import ApplicationError


class RateLimited(ApplicationError):
    status_code = 429
    default_code = "throttled"
    default_message = "请求过于频繁，请稍后再试。"

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)


def hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one hit against ``key`` in the current window of ``window`` seconds.

    Returns None while the count is within ``limit``, else the seconds until
    the window ends. A ``limit`` of 0 or less means no limit.
    """
    if limit <= 0:
        return None
    now = timezone.now().timestamp()
    index = int(now // window)
    left = max(1, math.ceil((index + 1) * window - now))
    full = f"ratelimit:{key}:{window}:{index}"
    cache.add(full, 0, left + 5)
    try:
        count = cache.incr(full)
    except ValueError:  # expired between add and incr
        cache.set(full, 1, left + 5)
        count = 1
    return left if count > limit else None


def wait_text(seconds: int) -> str:
    """Chinese wording of a wait: seconds, minutes or hours."""
    if seconds < 120:
        return f"{seconds} 秒"
    if seconds < 2 * 3600:
        return f"{math.ceil(seconds / 60)} 分钟"
    return f"{math.ceil(seconds / 3600)} 小时"
