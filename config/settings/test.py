"""Settings for the test suite."""

from pathlib import Path

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
