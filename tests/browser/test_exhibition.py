"""The 云展馆 on a phone: Chromium at 390×844 (an iPhone-sized WeChat web view)
renders the lobby, both halls, their filters, a project's and an organisation's
page, and a past year from the archive. Screenshots are kept under
artifacts/screenshots/test_exhibition_on_a_phone-*.png."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from competition.models import Unit
from exhibition import services
from exhibition.templatetags.exhibition_tags import num
from nominations.demo import ORGANIZATIONS, PROJECT_TEXTS, PROJECTS, demo_photo
from tests.exhibition.conftest import add_photo, award, make_final, nominee
from tests.factories import STRONG_PASSWORD
from tests.judging.conftest import judging_competition

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN"
)


def _winners(office, year: int, projects, organizations):
    competition = judging_competition(office, year=year)
    xm, zz = competition.categories.get(code="XM"), competition.categories.get(code="ZZ")
    units = {u.code: u for u in Unit.objects.all()}
    made = []
    for i, (code, title, org, field, started, vols, active, hours, acts, benef) in enumerate(projects):
        nomination = nominee(competition, xm, units[code], title=title, organization=org, field=field, photos=0)
        nomination.started_on, nomination.volunteers, nomination.service_hours = started, vols, hours
        nomination.active_volunteers = active
        nomination.activities, nomination.beneficiaries = acts, benef
        nomination.introduction = PROJECT_TEXTS.get(title, {}).get("introduction") or (
            f"{org}自{started.year}年起开展“{title}”，组织志愿者常态化服务群众，"
            f"累计开展活动{num(acts)}次，服务时长{num(hours)}小时，惠及群众{num(benef)}人次。"
        )
        nomination.save()
        add_photo(nomination, caption=f"{title}活动现场", content=demo_photo(title, i), size=None)
        if i == 0:
            add_photo(nomination, caption="志愿者集中培训", order=1, content=demo_photo("志愿者集中培训", i + 2))
        award(nomination)
        made.append(nomination)
    for i, (code, name, founded, vols, active, brands) in enumerate(organizations):
        nomination = nominee(competition, zz, units[code], title=name, photos=0)
        nomination.founded_on, nomination.volunteers, nomination.brand_projects = founded, vols, brands
        nomination.active_volunteers = active
        nomination.introduction = f"{name}成立于{founded.year}年，现有注册志愿者{vols}人，打造了{'、'.join(brands)}等志愿服务品牌。"
        nomination.save()
        add_photo(nomination, caption="志愿者开展服务活动", content=demo_photo(name, i + 1), size=None)
        award(nomination)
    make_final(competition)
    services.exhibition_publish(actor=office, competition=competition)
    return competition, made


def _issue_certificate(nomination):
    from certificates.models import Certificate

    return Certificate.objects.create(
        award=nomination.award,
        competition=nomination.competition,
        category=nomination.category,
        serial=1,
        number=f"TY-XLF-{nomination.competition.year}-XM-0001",
        token=secrets.token_urlsafe(32),
        holder=f"{nomination.organization} {nomination.title}",
        award_name=nomination.category.name,
        competition_title=nomination.competition.title,
        year=nomination.competition.year,
        date=dt.date(nomination.competition.year, 12, 5),
        status="issued",
        pdf="certificates/demo.pdf",
        sha256="a" * 64,
        issued_at=timezone.now(),
    )


def _all_images_loaded(page) -> None:
    """Scroll through the page so that lazy images load, then wait for every one."""
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += 400) {
                window.scrollTo(0, y);
                await new Promise(r => setTimeout(r, 30));
            }
            window.scrollTo(0, 0);
        }"""
    )
    page.wait_for_function(
        "Array.from(document.images).every(img => img.complete && img.naturalWidth > 0)"
    )


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide: it scrolls sideways on a phone"


@pytest.fixture(autouse=True)
def _fresh_exhibition_memo():
    from exhibition import caching

    caching.forget_all()
    yield
    caching.forget_all()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Every stylesheet, script and image must load (a page answering 404 on purpose is checked by the test).
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}")
        if r.status >= 400 and r.request.resource_type != "document"
        else None,
    )
    page.on("requestfailed", lambda r: errors.append(f"failed {r.url}"))
    yield page
    context.close()
    assert not errors, errors


def test_exhibition_on_a_phone(phone, shot):
    from competition import services as competition_services
    from competition.enums import Role

    office = competition_services.user_create(actor=None, username="office", password=STRONG_PASSWORD, role=Role.OFFICE)
    _winners(office, 2021, [PROJECTS[10], PROJECTS[13]], [ORGANIZATIONS[4]])
    competition, projects = _winners(office, 2022, PROJECTS[:7], ORGANIZATIONS[:4])
    certificate = _issue_certificate(projects[0])
    page = phone

    # The lobby: this year's two halls and the archive.
    page.goto("/exhibition/")
    expect(page.get_by_role("heading", name="志愿服务云展馆")).to_be_visible()
    expect(page.locator(".hall-card")).to_have_count(2)
    expect(page.locator(".hall-card").first).to_contain_text("最佳志愿服务项目 7 个")
    expect(page.locator(".archive")).to_contain_text("2021年度")
    _all_images_loaded(page)
    _fits_the_phone(page)
    shot(page, "01-lobby")

    # 项目展.
    page.locator(".hall-card").first.click()
    expect(page.get_by_role("heading", name="2022年度项目展")).to_be_visible()
    expect(page.locator(".grid .card")).to_have_count(7)
    expect(page.get_by_text("共 7 个（排名不分先后）")).to_be_visible()
    _all_images_loaded(page)
    _fits_the_phone(page)
    shot(page, "02-projects")

    # A filter applies as soon as it is chosen (no button to find on a phone).
    expect(page.get_by_role("button", name="筛选")).to_be_hidden()
    page.get_by_label("推荐单位").select_option(label="太原市小店区")
    page.wait_for_url(re.compile(r"unit=140105"))
    expect(page.locator(".grid .card")).to_have_count(2)
    page.get_by_label("服务领域").select_option(label="为老服务")
    page.wait_for_url(re.compile(r"field="))
    expect(page.locator(".grid .card")).to_have_count(1)
    _all_images_loaded(page)
    shot(page, "03-projects-filtered")
    page.get_by_role("link", name="清除筛选").click()
    expect(page.locator(".grid .card")).to_have_count(7)

    # A project's page: photos with captions, figures, introduction, the certificate check.
    page.goto("/exhibition/projects/?year=2022")
    page.get_by_role("link", name=re.compile("举手之劳·为树木松绑拔刺")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("举手之劳·为树木松绑拔刺")
    expect(page.locator(".ribbon")).to_have_text("2022年度 · 太原市学雷锋最佳志愿服务项目")
    expect(page.locator(".gallery figure")).to_have_count(2)
    expect(page.locator(".gallery figcaption").first).to_have_text("举手之劳·为树木松绑拔刺活动现场")
    expect(page.locator(".stats")).to_contain_text("5.2万")
    # The project's own outcome, in its introduction (not the whole centre's figures).
    expect(page.locator(".intro")).to_contain_text("六年来累计处置树木问题近5万件")
    link = page.get_by_role("link", name="查验荣誉证书 ›")
    expect(link).to_have_attribute("href", f"/verify/{certificate.token}/")
    _all_images_loaded(page)
    _fits_the_phone(page)
    assert page.evaluate("document.querySelector('.gallery img').currentSrc").endswith(".jpg")
    shot(page, "04-project")

    # 组织展 and an organisation's page.
    page.get_by_role("navigation", name="展厅").get_by_role("link", name="组织展").click()
    expect(page.get_by_role("heading", name="2022年度组织展")).to_be_visible()
    expect(page.locator(".grid .card")).to_have_count(4)
    _all_images_loaded(page)
    _fits_the_phone(page)
    shot(page, "05-organizations")
    page.get_by_role("link", name=re.compile("小店区青年志愿者协会")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("小店区青年志愿者协会")
    expect(page.locator(".brands li")).to_have_count(2)
    expect(page.locator(".stats")).to_contain_text("2012年5月")
    _all_images_loaded(page)
    _fits_the_phone(page)
    shot(page, "06-organization")

    # A past year from the archive.
    page.goto("/exhibition/")
    page.locator(".archive").get_by_role("link", name=re.compile("项目展")).click()
    expect(page.get_by_role("heading", name=re.compile("2021年度项目展"))).to_be_visible()
    expect(page.locator(".hall-head .badge")).to_have_text("往届")
    expect(page.locator(".grid .card")).to_have_count(2)
    _all_images_loaded(page)
    shot(page, "07-archive-2021")

    # A withdrawn exhibit is gone: its page says so, in Chinese.
    exhibit = projects[1].exhibit
    services.exhibit_withdraw(actor=office, exhibit=exhibit, reason="核实材料")
    response = page.goto(f"/exhibition/projects/{exhibit.slug}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="未找到该展品")).to_be_visible()
    shot(page, "08-withdrawn")
