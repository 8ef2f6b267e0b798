"""E-mail through a real SMTP server on loopback, the 企业微信 robot through a local HTTP
server, failures, retries and sending once."""

from __future__ import annotations

import pytest
from django.db import transaction

from competition.exceptions import Conflict, Forbidden
from competition.models import AuditEntry
from judging import services as judging_services
from nominations import services as nomination_services
from notifications import services
from notifications.enums import Channel, DeliveryStatus, Event
from notifications.models import Delivery, Notification
from tests.factories import api_client

from .conftest import (
    html_body,
    nominating_competition,
    plain_body,
    publicity_world,
    submitted_nomination,
)

REASON = "盖章推荐表缺少推荐单位公章，请补充后重新上传。"


@pytest.fixture
def competition(office):
    return nominating_competition(office)


@pytest.fixture
def nomination(officer, competition):
    return submitted_nomination(officer, competition, title="举手之劳·为树木松绑拔刺")


def _return(office, nomination, capture):
    with capture(execute=True):
        return nomination_services.nomination_review(
            actor=office, nomination=nomination, decision="return", reason=REASON
        )


def test_a_returned_nomination_is_mailed_to_its_units_officer(
    smtp, office, officer, other_officer, nomination, django_capture_on_commit_callbacks
):
    _return(office, nomination, django_capture_on_commit_callbacks)

    mails = smtp.to("xiaodian@example.org")
    assert len(mails) == 1
    message = mails[0]
    assert message["Subject"].strip() == "【退回修改】2030年度最佳志愿服务项目推荐“举手之劳·为树木松绑拔刺”"
    assert message["From"] == "noreply@awards.example.org"
    text = plain_body(message)
    assert REASON in text
    assert "补正截止时间" in text
    assert f"https://awards.example.org/nominations/{nomination.pk}/" in text
    html = html_body(message)
    assert f'href="https://awards.example.org/nominations/{nomination.pk}/"' in html
    assert "举手之劳·为树木松绑拔刺" in html
    # Another unit hears nothing.
    assert smtp.to("yingze@example.org") == []
    delivery = Delivery.objects.get(channel=Channel.EMAIL, recipient=officer)
    assert (delivery.status, delivery.attempts, delivery.address) == (DeliveryStatus.SENT, 1, "xiaodian@example.org")
    assert delivery.sent_at is not None


def test_the_officer_reads_it_unread_in_the_api(smtp, office, officer, nomination, django_capture_on_commit_callbacks):
    _return(office, nomination, django_capture_on_commit_callbacks)
    body = api_client(officer).get("/api/v1/notifications/").json()
    assert body["unread"] == 1
    [item] = body["results"]
    assert item["event"] == Event.NOMINATION_RETURNED
    assert item["read"] is False
    assert "举手之劳·为树木松绑拔刺" in item["title"]
    assert REASON in item["body"]
    assert item["url"] == f"/nominations/{nomination.pk}/"


def test_email_turned_off_keeps_the_inbox(smtp, office, officer, nomination, django_capture_on_commit_callbacks):
    services.preference_set(actor=officer, email="xiaodian@example.org", email_enabled=False)
    _return(office, nomination, django_capture_on_commit_callbacks)
    assert smtp.messages == []
    assert Notification.objects.filter(recipient=officer, event=Event.NOMINATION_RETURNED).count() == 1
    assert not Delivery.objects.filter(recipient=officer).exists()


def test_nothing_is_sent_for_a_rolled_back_event(smtp, office, officer, nomination, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        nomination_services.nomination_review(actor=office, nomination=nomination, decision="return", reason=REASON)
        raise RuntimeError("the request failed after the review")
    assert smtp.messages == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_a_mail_server_down_for_a_while_is_retried_and_the_mail_sent_once(
    smtp, office, officer, nomination, django_capture_on_commit_callbacks
):
    smtp.refuse = 2
    _return(office, nomination, django_capture_on_commit_callbacks)
    assert smtp.refused == 2
    assert len(smtp.to("xiaodian@example.org")) == 1
    delivery = Delivery.objects.get(recipient=officer)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert "451" in delivery.last_error  # the last failure stays on record
    # Any later delivery of the same task sends nothing.
    assert services.delivery_send(delivery_id=delivery.pk) == "skipped"
    assert len(smtp.messages) == 1


def test_a_mail_server_that_keeps_failing_leaves_the_row_failed_until_the_office_retries(
    smtp, settings, office, officer, nomination, django_capture_on_commit_callbacks
):
    smtp.refuse = -1
    _return(office, nomination, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(recipient=officer)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == settings.NOTIFICATIONS_MAX_RETRIES + 1 == smtp.refused
    assert "451" in delivery.last_error and "Mailbox temporarily unavailable" in delivery.last_error
    assert smtp.messages == []
    # The inbox does not depend on e-mail.
    assert Notification.objects.get(recipient=officer).read_at is None

    with pytest.raises(Forbidden):
        services.delivery_retry(actor=officer, delivery=delivery)

    smtp.refuse = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(actor=office, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(smtp.to("xiaodian@example.org")) == 1
    assert AuditEntry.objects.filter(
        action="notification.delivery_retry", object_id=str(delivery.pk), actor=office
    ).exists()
    # Sent is sent: neither a retry nor a redelivered task sends it again.
    with pytest.raises(Conflict):
        services.delivery_retry(actor=office, delivery=delivery)
    assert services.delivery_send(delivery_id=delivery.pk) == "skipped"
    assert len(smtp.messages) == 1


def test_returned_twice_is_told_twice_but_each_event_once(
    smtp, office, officer, competition, nomination, django_capture_on_commit_callbacks
):
    _return(office, nomination, django_capture_on_commit_callbacks)
    nomination.refresh_from_db()
    nomination = nomination_services.nomination_submit(actor=officer, nomination=nomination)
    _return(office, nomination, django_capture_on_commit_callbacks)
    assert len(smtp.to("xiaodian@example.org")) == 2
    assert Notification.objects.filter(recipient=officer, event=Event.NOMINATION_RETURNED).count() == 2


def test_an_objection_is_posted_to_the_offices_wecom_group(db, wecom, smtp, django_capture_on_commit_callbacks):
    world = publicity_world()
    with django_capture_on_commit_callbacks(execute=True):
        judging_services.objection_lodge(
            competition=world.competition,
            nomination=world.winner,
            name="张三丰",
            phone="13800001111",
            content="反映该项目服务时长存在虚报情况，请核实。",
        )
    assert len(wecom.posts) == 1
    post = wecom.posts[0]
    assert post["path"] == "/cgi-bin/webhook/send?key=test-key"
    assert post["content_type"].startswith("application/json")
    assert post["json"]["msgtype"] == "text"
    content = post["json"]["text"]["content"]
    assert f"【收到异议】{world.competition.year}年度公示对象“{world.winner.title}”" in content
    assert "反映该项目服务时长存在虚报情况" in content
    assert "13800001111" not in content  # the objector's phone stays out of the group chat
    assert f"https://awards.example.org/publicity/{world.competition.pk}/" in content
    # The office's inbox and mail too.
    assert Notification.objects.filter(recipient=world.office, event=Event.OBJECTION_LODGED).count() == 1
    assert len(smtp.to(world.office.email)) == 1
    assert Delivery.objects.get(channel=Channel.WECOM).status == DeliveryStatus.SENT


def test_a_robot_that_refuses_leaves_the_post_failed_with_its_answer(wecom, office, django_capture_on_commit_callbacks):
    wecom.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            event=Event.PUBLICITY_ENDING,
            recipients=[office],
            object_type="judging.publicity",
            object_id=1,
            key="2030-01-10:1d",
            context={"year": 2030, "competition": "2030年度推选", "ends": "2030年1月10日", "open": 2},
        )
    delivery = Delivery.objects.get(channel=Channel.WECOM)
    assert delivery.status == DeliveryStatus.FAILED
    assert "93000" in delivery.last_error and "invalid webhook url" in delivery.last_error
    assert "test-key" not in delivery.last_error

    wecom.answer = {"errcode": 0, "errmsg": "ok"}
    posts = len(wecom.posts)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(actor=office, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(wecom.posts) == posts + 1


def test_the_daily_summary_is_posted_once_a_day(wecom, office, competition, django_capture_on_commit_callbacks):
    import time_machine

    with time_machine.travel("2030-01-08 09:30 +0800", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.summary_post() is True
        with django_capture_on_commit_callbacks(execute=True):
            assert services.summary_post() is False
    assert len(wecom.posts) == 1
    content = wecom.posts[0]["json"]["text"]["content"]
    assert content.startswith("【每日概况】2030年1月8日")
    assert "2030年度推荐（申报推荐" in content
    with time_machine.travel("2030-01-09 07:00 +0800", tick=False):
        assert services.summary_post() is False  # before the summary hour
    with time_machine.travel("2030-01-09 08:10 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.summary_post() is True
    assert len(wecom.posts) == 2
