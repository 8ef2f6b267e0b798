"""The production settings, except for static file storage: the manifest needs a
collectstatic run (minutes of compression) that the security test does not need."""

from config.settings.production import *  # noqa: F403

STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
