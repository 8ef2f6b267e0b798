"""The Celery application.

With ``REDIS_URL`` set, tasks go to workers over Redis. Without it
``CELERY_TASK_ALWAYS_EAGER`` is on (see settings), so the same code runs in
process on a laptop or in ``make demo``.
"""

import os

from celery import Celery

# Production unless told otherwise (the image sets it too; tests set config.settings.test).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("xlf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
