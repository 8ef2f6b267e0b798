"""A visitor without JavaScript lodges an objection on the 公示 page and follows it
(issue 14 item 6).

Chromium with JavaScript disabled (``java_script_enabled=False``): the 公示 page's
objection form is a normal POST form. A first try with a bad phone number comes back
with the Chinese errors under their fields; the corrected one answers a receipt code.
The lookup page, with the receipt and the phone, shows 待处理; after the office
dismisses the objection (by service, in the test), it shows the office's answer. The
same pages at 390 px. Screenshots: ``artifacts/public-objection/{1280,390}-*.png``.

The 公示 is published at the real current time (the live server runs on the real
clock): objections are accepted from the publication on, whatever the weekday.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from competition.models import User
from judging import services as judging_services
from judging.models import Objection
from tests.browser.conftest import REPO_ROOT
from tests.browser.test_office_results import closed_year

pytestmark = pytest.mark.browser

SHOTS = REPO_ROOT / "artifacts" / "public-objection"
CONTENT = "该项目申报材料中的服务时长与社区台账记录不一致，请组委会核实。"
ANSWER = "经核实，该项目服务时长有社区台账和志愿服务信息系统记录佐证，反映情况不属实，异议不成立。"


def _shot(page, width: int, step: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{width}-{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _visitor(browser, live_server, width: int):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": width, "height": 900 if width > 500 else 844},
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    return context


def _lodge(page, competition, nomination, *, phone: str, width: int, with_error: bool) -> str:
    page.goto(f"/publicity/{competition.pk}/")
    expect(page.locator("#notice-title")).to_be_visible()
    form = page.locator("#objection-form")
    expect(form).to_be_visible()
    _shot(page, width, "01-publicity")
    form.get_by_label("异议对象").select_option(str(nomination.pk))
    form.get_by_label("姓名").fill("王明")
    form.get_by_label("异议内容").fill(CONTENT)
    if with_error:
        form.get_by_label("手机号码").fill("1391234")
        form.get_by_role("button", name="提交异议").click()
        expect(page.locator('[data-errors-for="phone"]')).to_contain_text("手机号码：请填写 11 位手机号码。")
        # What was typed is kept; nothing was lodged.
        expect(page.get_by_label("异议内容")).to_have_value(CONTENT)
        assert not Objection.objects.filter(phone="1391234").exists()
        page.locator("#objection-phone").scroll_into_view_if_needed()
        _shot(page, width, "02-field-error")
    page.locator("#objection-form").get_by_label("手机号码").fill(phone)
    page.locator("#objection-form").get_by_role("button", name="提交异议").click()
    expect(page.get_by_role("heading", name="异议已收到")).to_be_visible()
    receipt = page.locator("#objection-receipt").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{12}", receipt), receipt
    assert Objection.objects.get(receipt=receipt).phone == phone
    _shot(page, width, "03-receipt")
    return receipt


def _look_up(page, receipt: str, phone: str, width: int, step: str):
    page.get_by_label("手机号码").fill(phone)
    expect(page.get_by_label("回执编号")).to_have_value(receipt)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#objection-result")).to_be_visible()
    _shot(page, width, step)


@pytest.mark.parametrize("width", [1280, 390])
def test_visitor_without_javascript_lodges_an_objection_and_follows_it(browser, live_server, width):
    competition, nominations = closed_year(year=2036)
    office = User.objects.get(username="office")
    judging_services.publicity_publish(actor=office, competition=competition, working_days=5)
    phone = "13912345678" if width == 1280 else "13712345678"
    context = _visitor(browser, live_server, width)
    page = context.new_page()
    try:
        receipt = _lodge(page, competition, nominations[0], phone=phone, width=width, with_error=True)

        # From the receipt to its lookup: the receipt is filled in, the phone is asked.
        page.get_by_role("link", name="查询处理结果").click()
        _look_up(page, receipt, phone, width, "04-status-open")
        expect(page.locator("#objection-state")).to_have_text("待处理")
        expect(page.locator("#objection-answer")).to_have_count(0)

        # A wrong phone number: nothing is shown of the objection.
        page.get_by_label("手机号码").fill("13900000000")
        page.get_by_role("button", name="查询").click()
        expect(page.locator("#lookup-message")).to_contain_text("未找到该异议")
        expect(page.locator("#objection-result")).to_have_count(0)
        expect(page.get_by_text(nominations[0].title)).to_have_count(0)

        # The office dismisses it with its answer; the visitor looks again.
        judging_services.objection_resolve(
            actor=office, objection=Objection.objects.get(receipt=receipt), decision="dismissed", reason=ANSWER
        )
        page.goto(f"/publicity/objections/?receipt={receipt}")
        _look_up(page, receipt, phone, width, "05-status-answered")
        expect(page.locator("#objection-state")).to_have_text("已处理：异议不成立")
        expect(page.locator("#objection-answer")).to_have_text(ANSWER)
        no_overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_overflow, "the lookup page is wider than the screen"
    finally:
        context.close()


def test_with_javascript_the_form_answers_the_receipt_in_place(page, live_server):
    """The JavaScript enhancement posts to the JSON API and shows the same receipt, with its lookup link."""
    competition, nominations = closed_year(year=2036)
    office = User.objects.get(username="office")
    judging_services.publicity_publish(actor=office, competition=competition, working_days=5)
    page.goto(f"/publicity/{competition.pk}/")
    form = page.locator("#objection-form")
    form.get_by_label("异议对象").select_option(str(nominations[1].pk))
    form.get_by_label("姓名").fill("王明")
    form.get_by_label("手机号码").fill("13612345678")
    form.get_by_label("异议内容").fill(CONTENT)
    form.get_by_role("button", name="提交异议").click()
    expect(page.locator("#objection-message")).to_contain_text("回执编号")
    receipt = Objection.objects.get(phone="13612345678").receipt
    expect(page.locator("#objection-message")).to_contain_text(receipt)
    assert page.url.endswith(f"/publicity/{competition.pk}/")  # answered in place, no page load
    page.locator("#objection-lookup-link").click()
    expect(page.get_by_label("回执编号")).to_have_value(receipt)
