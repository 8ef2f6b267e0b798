"""The office console's badges of the exhibition's pages: the suggestions waiting to be
handled, on the entry 云展馆 › 意见建议 and the console's "待处理" card.

Registered with ``judging.console.nav`` (which may not import this app) by
``ExhibitionConfig.ready``, so that every process has it.
"""

from __future__ import annotations

from django.urls import reverse

from judging.console import nav

from . import suggestions


def suggestions_badge() -> nav.Badge | None:
    """How many suggestions wait (unread, or read and not handled), linking to the list of them."""
    count = suggestions.suggestions_waiting()
    if not count:
        return None
    url = f"{reverse('exhibition:office-suggestions')}?status={suggestions.PENDING}"
    return nav.Badge(count=count, url=url, text=f"{count} 条待处理")


nav.register_badge("exhibition:office-suggestions", suggestions_badge)
