"""The office hears about the public's 意见建议: a line of the daily summary and a notice
at most once a day.

Found and run by ``notifications.services.periodic_run`` (celery beat, or
``manage.py send_reminders``), like the other apps' ``reminders``:

- ``summary``: the line of the office's daily 企业微信 summary, when any were
  received in the last 24 hours or any wait to be handled;
- ``remind``: from the summary hour on, once a day (the key is the date), an
  inbox notice (and e-mail) to the office when suggestions arrived since the
  last such notice and are still unread. A flood of suggestions is one notice
  a day, never one per suggestion; suggestions the office has already read
  (through the console's badge) need no notice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from notifications import texts
from notifications.enums import Event
from notifications.models import Notification
from notifications.selectors import office_users
from notifications.services import notify

from . import suggestions
from .enums import SuggestionStatus
from .models import Suggestion

OBJECT_TYPE = "exhibition.suggestions"  # the notice is about the suggestions, not one of them
OBJECT_ID = "daily"


def summary(*, now: dt.datetime) -> list[str]:
    """The daily summary's line: received in the 24 hours before ``now``, and waiting."""
    received = Suggestion.objects.filter(created_at__gt=now - dt.timedelta(days=1), created_at__lte=now).count()
    waiting = suggestions.suggestions_waiting()
    if not (received or waiting):
        return []
    return [f"意见建议：新收到 {received} 条（过去 24 小时），待处理 {waiting} 条。"]


def remind(*, now: dt.datetime) -> int:
    """The office's notice of new suggestions, at most once a day; returns how many were made."""
    local = timezone.localtime(now)
    if local.hour < settings.NOTIFICATIONS_SUMMARY_HOUR:
        return 0
    last = Notification.objects.filter(
        event=Event.SUGGESTIONS_RECEIVED, object_type=OBJECT_TYPE, object_id=OBJECT_ID
    ).aggregate(at=Max("created_at"))["at"]
    fresh = Suggestion.objects.filter(status=SuggestionStatus.NEW, created_at__lte=now)
    if last is not None:
        fresh = fresh.filter(created_at__gt=last)
    count = fresh.count()
    if not count:
        return 0
    return len(
        notify(
            event=Event.SUGGESTIONS_RECEIVED,
            recipients=office_users(),
            object_type=OBJECT_TYPE,
            object_id=OBJECT_ID,
            key=local.date().isoformat(),
            url=f"{reverse('exhibition:office-suggestions')}?status={suggestions.PENDING}",
            context={
                "date": local.date(),
                "count": count,
                "waiting": suggestions.suggestions_waiting(),
                "since": f"自{texts.when(last)}以来，" if last is not None else "",
            },
        )
    )
