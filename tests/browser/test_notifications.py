"""The inbox in a real browser, at 1280 px and at 390 px: the badge, opening a message,
marking all read, the e-mail settings, and the office's failed deliveries."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from competition import services as competition_services
from competition.enums import Role
from competition.models import Unit
from notifications import services
from notifications.enums import DeliveryStatus, Event
from notifications.models import Delivery

pytestmark = pytest.mark.browser

PASSWORD = "Xlf-test-pass-2026"
PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.fixture
def officer_with_messages():
    officer = competition_services.user_create(
        actor=None, username="unit-140105", password=PASSWORD, role=Role.OFFICER,
        unit=Unit.objects.get(code="140105"), display_name="小店区推荐管理员",
    )
    services.preference_set(actor=officer, email="xiaodian@example.org", email_enabled=True)
    services.notify(
        event=Event.NOMINATION_RETURNED, recipients=[officer], object_type="nominations.nomination", object_id=1,
        key="v2", url="/nominations/",
        context={"year": 2030, "category": "最佳志愿服务项目", "nomination": "举手之劳·为树木松绑拔刺",
                 "reason": "盖章推荐表缺少推荐单位公章，请补充后重新上传。", "deadline": "2030年10月31日 18:00"},
    )
    services.notify(
        event=Event.PUBLICITY_PUBLISHED, recipients=[officer], object_type="judging.publicity", object_id=1,
        url="/notifications/",
        context={"year": 2030, "competition": "2030年度太原市学雷锋志愿服务先进典型推选", "count": 35,
                 "starts": "2030年12月1日", "ends": "2030年12月7日", "days": 5},
    )
    return officer


def test_an_officer_reads_the_inbox_on_a_desktop_and_a_phone(page, login, shot, officer_with_messages):
    login(page, "unit-140105", PASSWORD)
    badge = page.locator("#nav-inbox .nav-badge")
    expect(badge).to_have_text("2")
    page.locator("#nav-inbox").click()
    expect(page.get_by_role("heading", name="消息")).to_be_visible()
    expect(page.locator("#inbox li.unread")).to_have_count(2)
    shot(page, "01-inbox-1280")

    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    shot(page, "02-inbox-390")

    page.get_by_role("link", name="【退回修改】2030年度最佳志愿服务项目推荐“举手之劳·为树木松绑拔刺”").click()
    page.wait_for_url("**/nominations/")
    expect(page.locator("#nav-inbox .nav-badge")).to_have_text("1")
    page.goto("/notifications/")
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator("#inbox li.unread")).to_have_count(0)
    expect(page.locator("#nav-inbox .nav-badge")).to_have_count(0)

    page.get_by_role("link", name="消息设置").click()
    page.get_by_label("通过电子邮件接收消息").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("消息设置已保存。")).to_be_visible()
    expect(page.get_by_label("通过电子邮件接收消息")).not_to_be_checked()
    no_sideways_scroll(page)
    shot(page, "03-settings-390")


def test_the_office_retries_a_failed_delivery(page, login, shot, officer_with_messages):
    office = competition_services.user_create(
        actor=None, username="office", password=PASSWORD, role=Role.OFFICE, display_name="市文明办"
    )
    delivery = Delivery.objects.filter(recipient=officer_with_messages).first()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=6,
        last_error="SMTPRecipientsRefused: {'xiaodian@example.org': (550, b'5.1.1 Mailbox unavailable')}",
    )
    login(page, office.username, PASSWORD)
    page.goto("/notifications/")
    page.get_by_role("link", name="发送失败的消息（1）").click()
    expect(page.locator("#deliveries")).to_contain_text("Mailbox unavailable")
    shot(page, "04-deliveries-1280")
    page.set_viewport_size(PHONE)
    page.reload()
    shot(page, "05-deliveries-390")
    page.get_by_role("button", name="重新发送").click()
    expect(page.locator(".messages")).to_contain_text("重新发送")
    delivery.refresh_from_db()
    # Test e-mail goes to Django's in-memory outbox: sent, and the list is empty again.
    assert delivery.status == DeliveryStatus.SENT
    expect(page.get_by_text("没有发送失败的消息。")).to_be_visible()
