"""The unit officer's and the public's pages on a phone (issue 14 item 8).

Chromium at 390×844. A unit officer signs in and clicks through their home,
the unit's list of nominations, a nomination's form and page, the inbox and
the password page; a visitor opens the front door, the 公示 with its
objection form, lodges an objection (receipt page) and looks it up, verifies
a certificate by number and name, walks the 云展馆 (lobby, a hall, an exhibit)
and sends a 意见建议; the office reads the 意见建议 received. On every page
nothing is wider than the window (no sideways scrolling): wide tables scroll
inside their own container.

The visitor's part runs with JavaScript disabled and is also issue 14's
"Done when" journey in one piece: from ``/`` to the 公示, an objection lodged,
its status looked up with the receipt and the phone, a certificate verified by
number and name (test_public_objection.py follows an objection to the
office's answer; test_front_door.py refuses a wrong name). Screenshots: ``artifacts/mobile/<who>-<step>.png``
(1280 px ones of the same pages as ``artifacts/mobile/1280-<who>-<step>.png``).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certificates.enums import CertificateStatus
from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Unit, User
from exhibition import suggestions
from exhibition.models import Suggestion
from judging import services as judging_services
from judging.models import Objection
from nominations import services as nomination_services
from nominations.demo import ORGANIZATIONS, PROJECTS
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, REPO_ROOT
from tests.browser.test_exhibition import _winners
from tests.browser.test_office_results import closed_year
from tests.browser.test_officer_nomination import submitted_with_files
from tests.certificates.factories import CertificateFactory
from tests.factories import STRONG_PASSWORD as PASSWORD
from tests.nominations.conftest import PROJECT, competition_payload
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.browser

SHOTS = REPO_ROOT / "artifacts" / "mobile"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_TEXT = (
    "在城市树木上捆绑的铁丝、钉子和扎带会勒伤树木，影响生长。志愿者每周在主要街道巡查，"
    "发现问题及时处理，并向沿街商户宣传爱护树木的知识。" * 3
)


def _context(browser, live_server, viewport: dict, *, javascript: bool = True):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=viewport,
        is_mobile=viewport["width"] < 500,
        has_touch=viewport["width"] < 500,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


class Visit:
    """Screenshots and the width check of one person's pages at one viewport."""

    def __init__(self, page, who: str, viewport: dict):
        self.page, self.who, self.width = page, who, viewport["width"]
        self.prefix = who if self.width < 500 else f"{self.width}-{who}"
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))

    def check(self, step: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(SHOTS / f"{self.prefix}-{step}.png"), full_page=True)
        scroll, inner = self.page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert scroll <= inner, f"{self.page.url} is {scroll}px wide in a {inner}px window ({step})"
        # The body itself is not cut off either (overflow hidden would hide the problem).
        widest = self.page.evaluate(
            """() => {
                let worst = null, right = window.innerWidth;
                for (const el of document.querySelectorAll('body *')) {
                    if (el.closest('.table-wrap, .scroll-x, pre, svg')) continue;
                    const box = el.getBoundingClientRect();
                    if (box.width && box.right > right + 1) { right = box.right; worst = el.tagName + '.' + el.className + ' ' + (el.id || ''); }
                }
                return worst;
            }"""
        )
        assert widest is None, f"{self.page.url}: {widest} reaches past the window ({step})"
        assert not self.errors, self.errors


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


# --------------------------------------------------------------------------- the unit officer


@pytest.fixture
def open_competition():
    office = competition_services.user_create(
        actor=None, username="office-browser", password=PASSWORD, role=Role.OFFICE
    )
    now = timezone.now()
    competition = competition_services.competition_create(
        actor=office,
        data=competition_payload(2030, opens=now - dt.timedelta(days=1), closes=now + dt.timedelta(days=10)),
    )
    return competition_services.competition_advance(actor=office, competition=competition, to=Phase.NOMINATING)


@pytest.fixture
def officer_account(open_competition):
    return competition_services.user_create(
        actor=None,
        username="unit-140105",
        password=PASSWORD,
        role=Role.OFFICER,
        unit=Unit.objects.get(code="140105"),
        display_name="小店区推荐管理员",
    )


@pytest.fixture
def unit_world(officer_account, open_competition):
    submitted = submitted_with_files(officer_account, open_competition)
    category = open_competition.categories.get(code="XM")
    draft = nomination_services.nomination_create(
        actor=officer_account,
        competition=open_competition,
        category=category,
        data={**PROJECT, "title": "举手之劳·清除城市牛皮癣", "summary": LONG_TEXT, "order": 2},
    )
    NotificationFactory(
        recipient=officer_account,
        title="推荐已提交：举手之劳·为树木松绑拔刺",
        body="您单位的推荐“举手之劳·为树木松绑拔刺”已提交，等待组委会办公室资格审查。",
        url=f"/nominations/{submitted.pk}/",
    )
    return {"submitted": submitted, "draft": draft}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_unit_officer_pages_fit_the_screen(browser, live_server, unit_world, officer_account, viewport):
    context = _context(browser, live_server, viewport)
    page = context.new_page()
    visit = Visit(page, "unit", viewport)
    try:
        _sign_in(page, officer_account.username)
        visit.check("01-home")

        page.goto("/nominations/")
        expect(page.get_by_role("heading", name="本单位推荐")).to_be_visible()
        visit.check("02-list")

        page.get_by_role("link", name="举手之劳·为树木松绑拔刺").first.click()
        page.wait_for_url(re.compile(rf"/nominations/{unit_world['submitted'].pk}/$"))
        visit.check("03-nomination")

        page.goto(f"/nominations/{unit_world['draft'].pk}/edit/")
        expect(page.get_by_label("项目名称")).to_have_value("举手之劳·清除城市牛皮癣")
        visit.check("04-form")

        page.goto("/nominations/")
        row = page.locator("table.quota-table tr", has_text="最佳志愿服务项目")
        row.get_by_role("link", name="新建推荐").click()
        expect(page.get_by_role("heading", name=re.compile("新建推荐"))).to_be_visible()
        visit.check("05-new-form")

        page.locator("#nav-inbox").click()
        expect(page.get_by_text("推荐已提交：举手之劳·为树木松绑拔刺")).to_be_visible()
        visit.check("06-inbox")

        page.get_by_role("link", name="修改密码").click()
        visit.check("07-password")
    finally:
        context.close()


# --------------------------------------------------------------------------- the public


@pytest.fixture
def public_world():
    from exhibition import caching

    caching.forget_all()
    competition, nominations = closed_year(year=2036)
    office = User.objects.get(username="office")
    judging_services.publicity_publish(actor=office, competition=competition, working_days=5)
    past, winners = _winners(office, 2035, PROJECTS[:3], ORGANIZATIONS[:1])
    certificate = CertificateFactory(
        award=winners[0].award,
        holder=f"{winners[0].organization} {winners[0].title}",
        status=CertificateStatus.ISSUED,
        pdf="certificates/x.pdf",
        sha256="c" * 64,
        issued_at=timezone.now(),
    )
    competition_services.user_create(actor=None, username="office-mobile", password=PASSWORD, role=Role.OFFICE)
    suggestions.suggestion_submit(
        name="王芳", contact="wangfang.volunteer.taiyuan@example.com", content=LONG_TEXT[:300]
    )
    yield {"competition": competition, "nominations": nominations, "certificate": certificate}
    caching.forget_all()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_public_pages_fit_the_screen(browser, live_server, public_world, viewport):
    competition = public_world["competition"]
    certificate = public_world["certificate"]
    phone_number = "13912345678" if viewport is PHONE else "13712345678"
    context = _context(browser, live_server, viewport, javascript=False)
    page = context.new_page()
    visit = Visit(page, "public", viewport)
    try:
        page.goto("/")
        expect(page.get_by_role("heading", name="2036年度太原市学雷锋志愿服务先进典型推选")).to_be_visible()
        visit.check("01-front-door")

        page.get_by_role("link", name="查看公示名单与异议方式").click()
        page.wait_for_url(f"**/publicity/{competition.pk}/")
        visit.check("02-publicity")

        form = page.locator("#objection-form")
        form.get_by_label("异议对象").select_option(str(public_world["nominations"][0].pk))
        form.get_by_label("姓名").fill("王明")
        form.get_by_label("手机号码").fill(phone_number)
        form.get_by_label("异议内容").fill("该项目申报材料中的服务时长与社区台账记录不一致，请组委会核实。")
        form.get_by_role("button", name="提交异议").click()
        expect(page.get_by_role("heading", name="异议已收到")).to_be_visible()
        receipt = page.locator("#objection-receipt").inner_text().strip()
        assert Objection.objects.get(receipt=receipt).phone == phone_number
        visit.check("03-objection-receipt")

        page.get_by_role("link", name="查询处理结果").click()
        page.get_by_label("手机号码").fill(phone_number)
        page.get_by_role("button", name="查询").click()
        expect(page.locator("#objection-state")).to_have_text("待处理")
        visit.check("04-objection-status")

        page.goto("/")
        page.get_by_label("证书编号").fill(certificate.number)
        page.get_by_label("获奖者姓名").fill(certificate.holder)
        page.get_by_role("button", name="查验证书").click()
        expect(page.get_by_role("heading", name="证书有效")).to_be_visible()
        visit.check("05-verified")

        page.goto("/verify/")
        visit.check("06-verify-form")

        page.goto("/")
        page.get_by_role("link", name="进入云展馆").click()
        page.wait_for_url("**/exhibition/")
        visit.check("07-exhibition")

        page.locator(".hall-card").first.click()
        page.wait_for_url(re.compile(r"/exhibition/projects/"))
        visit.check("08-hall")

        page.locator(".grid .card").first.click()
        page.wait_for_url(re.compile(r"/exhibition/projects/[^/?]+/$"))
        visit.check("09-exhibit")

        page.locator("#suggest-link").click()
        expect(page.get_by_role("heading", name="意见建议")).to_be_visible()
        page.get_by_label("意见建议").fill("短")
        page.get_by_role("button", name="提交意见建议").click()
        expect(page.locator('[data-errors-for="content"]')).to_contain_text("不少于 5 个字")
        visit.check("10-suggestion-error")
        page.get_by_label("联系方式").fill("13812345678")
        page.get_by_label("意见建议").fill("建议在云展馆增加各区志愿服务地图，方便市民就近参与。")
        page.get_by_role("button", name="提交意见建议").click()
        expect(page.get_by_role("heading", name="意见建议已收到")).to_be_visible()
        assert Suggestion.objects.filter(contact="13812345678").exists()
        visit.check("11-suggestion-sent")

        page.goto("/accounts/login/")
        visit.check("12-login")
    finally:
        context.close()

    # The office reads what came in (with JavaScript, as the office works).
    context = _context(browser, live_server, viewport)
    page = context.new_page()
    visit = Visit(page, "office", viewport)
    try:
        _sign_in(page, "office-mobile")
        page.goto("/exhibition/office/suggestions/")
        expect(page.get_by_text("建议在云展馆增加各区志愿服务地图")).to_be_visible()
        visit.check("01-suggestions")

        # The office marks it handled, with a note (the list is newest first).
        card = page.locator("article.suggestion", has_text="建议在云展馆增加各区志愿服务地图")
        card.get_by_label("处理状态").select_option("handled")
        card.get_by_label("处理说明").fill("已转云展馆建设单位，列入下一期改版。")
        card.get_by_role("button", name="保存").click()
        expect(page.get_by_text("已标记为“已处理”")).to_be_visible()
        card = page.locator("article.suggestion", has_text="建议在云展馆增加各区志愿服务地图")
        expect(card.locator("[data-status]")).to_have_text("已处理")
        expect(card.locator(".note")).to_have_text("已转云展馆建设单位，列入下一期改版。")
        assert Suggestion.objects.get(contact="13812345678").status == "handled"
        visit.check("02-suggestion-handled")
    finally:
        context.close()
