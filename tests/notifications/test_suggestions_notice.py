"""The office hears about the public's 意见建议 (``exhibition.reminders``, run by the periodic
job): a line of the daily 企业微信 summary, and an inbox notice (with e-mail) at most once a
day, from the summary hour on, when suggestions arrived since the last notice and are still
unread. A flood of suggestions is one notice a day, never one e-mail per suggestion."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from competition.enums import Role
from exhibition import reminders, suggestions
from notifications import services
from notifications.enums import Channel, Event
from notifications.models import Delivery, Notification

from .conftest import account, plain_body

TZ = ZoneInfo("Asia/Shanghai")
TEXT = "建议云展馆增加按服务领域浏览的入口，方便市民查找身边的志愿服务项目。"
PENDING_LIST = "/exhibition/office/suggestions/?status=pending"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def send(n: int, when: dt.datetime) -> list:
    with time_machine.travel(when, tick=False):
        return [suggestions.suggestion_submit(content=f"{TEXT}（{i}）") for i in range(n)]


def run(capture, when: dt.datetime, times: int = 2) -> None:
    with time_machine.travel(when, tick=False):
        for _ in range(times):
            with capture(execute=True):
                services.periodic_run()


def notices() -> list[Notification]:
    return list(Notification.objects.filter(event=Event.SUGGESTIONS_RECEIVED).order_by("pk"))


@pytest.fixture
def offices(db, smtp):
    return (
        account("s-office-a", Role.OFFICE, email="office-a@example.org"),
        account("s-office-b", Role.OFFICE, email="office-b@example.org"),
        account("s-observer", Role.OBSERVER, email="observer@example.org"),
    )


def test_a_flood_of_suggestions_is_one_notice_a_day(offices, smtp, django_capture_on_commit_callbacks):
    office_a, office_b, observer = offices
    send(25, at(2030, 5, 6, 2, 0))  # a flood in the night
    run(django_capture_on_commit_callbacks, at(2030, 5, 6, 7, 0))  # before the summary hour: nothing
    assert notices() == []

    run(django_capture_on_commit_callbacks, at(2030, 5, 6, 9, 0))
    send(10, at(2030, 5, 6, 10, 0))  # more the same day: no second notice that day
    run(django_capture_on_commit_callbacks, at(2030, 5, 6, 11, 0))
    run(django_capture_on_commit_callbacks, at(2030, 5, 6, 23, 50))
    told = notices()
    assert [(n.recipient, n.key) for n in told] == [(office_a, "2030-05-06"), (office_b, "2030-05-06")]
    assert len(smtp.to("office-a@example.org")) == len(smtp.to("office-b@example.org")) == 1
    assert smtp.to("observer@example.org") == []  # observers read the list; the office handles it
    first = told[0]
    assert first.title == "【意见建议】2030年5月6日：有 25 条新的意见建议待阅"
    assert "新提交了 25 条意见建议" in first.body and "共有 25 条意见建议待处理" in first.body
    assert first.url == PENDING_LIST
    mail = smtp.to("office-a@example.org")[0]
    assert mail["Subject"].strip() == first.title
    assert "https://awards.example.org" + PENDING_LIST in plain_body(mail)
    assert not Delivery.objects.filter(event=Event.SUGGESTIONS_RECEIVED, channel=Channel.WECOM).exists()

    # The next day: one notice for the ten that came after the last one.
    run(django_capture_on_commit_callbacks, at(2030, 5, 7, 8, 5))
    run(django_capture_on_commit_callbacks, at(2030, 5, 7, 15, 0))
    second = [n for n in notices() if n.key == "2030-05-07"]
    assert len(second) == 2
    assert "有 10 条新的意见建议待阅" in second[0].title
    assert second[0].body.startswith("自2030年5月6日 09:00以来，市民在云展馆新提交了 10 条意见建议")
    assert "共有 35 条意见建议待处理" in second[0].body
    assert len(smtp.to("office-a@example.org")) == 2

    # Nothing new: no notice, however many still wait.
    run(django_capture_on_commit_callbacks, at(2030, 5, 8, 9, 0))
    assert len(notices()) == 4


def test_no_notice_for_suggestions_the_office_has_already_read(offices, smtp, django_capture_on_commit_callbacks):
    office_a, _, _ = offices
    sent = send(3, at(2030, 5, 6, 2, 0))
    for suggestion in sent:  # read at once through the console's badge
        suggestions.suggestion_mark(actor=office_a, suggestion=suggestion, status="read")
    run(django_capture_on_commit_callbacks, at(2030, 5, 6, 9, 0))
    assert notices() == []
    assert smtp.messages == []

    send(1, at(2030, 5, 6, 10, 0))  # one unread: the notice counts the unread ones only
    run(django_capture_on_commit_callbacks, at(2030, 5, 6, 10, 10))
    told = notices()
    assert len(told) == 2
    assert "有 1 条新的意见建议待阅" in told[0].title and "共有 4 条意见建议待处理" in told[0].body


def test_the_daily_summary_has_a_line_about_suggestions(wecom, offices, django_capture_on_commit_callbacks):
    office_a, _, _ = offices
    old = send(2, at(2030, 5, 4, 12, 0))
    suggestions.suggestion_mark(actor=office_a, suggestion=old[0], status="handled", note="已答复。")
    send(3, at(2030, 5, 5, 20, 0))
    with time_machine.travel(at(2030, 5, 6, 8, 30), tick=False):
        assert reminders.summary(now=timezone.now()) == ["意见建议：新收到 3 条（过去 24 小时），待处理 4 条。"]
        with django_capture_on_commit_callbacks(execute=True):
            assert services.summary_post() is True
    content = wecom.posts[-1]["json"]["text"]["content"]
    assert content.startswith("【每日概况】2030年5月6日")
    assert "意见建议：新收到 3 条（过去 24 小时），待处理 4 条。" in content


def test_no_summary_line_when_nothing_arrived_or_waits(offices):
    office_a, _, _ = offices
    assert reminders.summary(now=timezone.now()) == []
    (only,) = send(1, at(2030, 5, 4, 12, 0))
    suggestions.suggestion_mark(actor=office_a, suggestion=only, status="handled", note="已答复。")
    assert reminders.summary(now=at(2030, 5, 6, 9, 0)) == []
    # Still waiting but nothing new: the line says so.
    suggestions.suggestion_mark(actor=office_a, suggestion=only, status="read")
    assert reminders.summary(now=at(2030, 5, 6, 9, 0)) == ["意见建议：新收到 0 条（过去 24 小时），待处理 1 条。"]
