"""Settings for the test suite."""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-secret-key-not-used-anywhere-else-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(env.str("TEST_MEDIA_ROOT", default=str(VAR_DIR / "test-media")))  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test gets a clean in-process cache; tests about Redis use it directly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The schema tests and the API fuzzing read /api/schema/ anonymously; the
# office-only rule of production is tested with the production settings.
API_DOCS_PUBLIC = True
# In tests Celery runs eager unless a test starts a real worker on purpose. Such a worker
# may be given CELERY_TASK_ALWAYS_EAGER=false, so that the retries it schedules go through
# the broker (as in production) instead of running inline in the worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# WhiteNoise warns when STATIC_ROOT does not exist; tests never collect static.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405


def _redis_db(url: str, offset: int) -> str:
    """``url`` with its database number moved on by ``offset`` (of Redis's default 16)."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + offset) % 16}"))


# Under pytest-xdist (``make test`` runs ``pytest -n 2``) each worker process is a test run of
# its own: pytest-django gives it its own database (``test_<name>_gw1``); here it gets its own
# media directory and its own Redis database (gw0 keeps REDIS_URL's, gw1 takes the next one),
# so that the Celery workers a test starts and the queue it flushes are that worker's alone.
# tests/workers.py hands both to those Celery workers explicitly.
XDIST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
if XDIST_WORKER:
    MEDIA_ROOT = MEDIA_ROOT / XDIST_WORKER
    if REDIS_URL:  # noqa: F405
        REDIS_URL = _redis_db(REDIS_URL, int(XDIST_WORKER.removeprefix("gw")))  # noqa: F405
        CELERY_BROKER_URL = REDIS_URL
