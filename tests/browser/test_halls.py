"""The six halls of the 云展馆 in Chromium, at 390 px (a phone) and 1280 px: a
visitor walks every hall from the lobby, plays the first second of the
文化展's video, searches the 主题展 and opens an item, opens the 制度展's
documents; the office writes an item on its page and publishes it.
Screenshots: artifacts/screenshots/test_*halls*-*.png."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exhibition import caching, demo_halls
from nominations.demo import ORGANIZATIONS, PROJECTS
from tests.browser.test_exhibition import _winners
from tests.factories import PASSWORD
from tests.judging.conftest import judging_competition

pytestmark = pytest.mark.browser

HALLS = [("序篇", "prologue"), ("组织展", "organizations"), ("项目展", "projects"),
         ("文化展", "culture"), ("制度展", "policies"), ("主题展", "themes")]  # fmt: skip
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def _fresh_exhibition_memo():
    caching.forget_all()
    yield
    caching.forget_all()


def _demo(office) -> None:
    _winners(office, 2022, PROJECTS[:3], ORGANIZATIONS[:2])
    ctx = SimpleNamespace(notes=[], at=lambda *a: timezone.make_aware(dt.datetime(*a)))
    demo_halls.seed(ctx)


def _wait_until(page, predicate: str, tries: int = 100) -> None:
    """Poll ``predicate`` in the page (the pages' CSP forbids the eval of ``wait_for_function``)."""
    for _ in range(tries):
        if page.evaluate(predicate):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {predicate}")


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide at {width}px: it scrolls sideways"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_visitor_walks_the_six_halls(page, shot, office, size):
    _demo(office)
    viewport = WIDTHS[size]
    page.set_viewport_size(viewport)

    # From the exhibition's home to the six halls.
    page.goto("/exhibition/")
    expect(page.locator("#six-halls a")).to_have_count(6)
    shot(page, f"{size}-01-lobby")
    page.get_by_role("link", name="全部展厅").click()
    expect(page.get_by_role("heading", name="六个展厅")).to_be_visible()
    _fits(page, viewport["width"])
    shot(page, f"{size}-02-halls")

    # Every hall, in order, by its link; each shows what it holds and a search box.
    page.locator("#six-halls a[data-hall=prologue]").click()
    for name, slug in HALLS:
        page.locator(".hall-nav").get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        expect(page.get_by_role("searchbox")).to_be_visible()
        expect(page.locator("#hall-items .card").first).to_be_visible()
        _fits(page, viewport["width"])
        shot(page, f"{size}-03-hall-{slug}")

    # The 文化展's video: a person presses play; its first second plays.
    page.locator(".hall-nav").get_by_role("link", name="文化展", exact=True).click()
    page.get_by_role("link", name="宣传短片：举手之劳（演示片段）").click()
    video = page.locator("video")
    expect(video).to_be_visible()
    page.evaluate("document.querySelector('video').addEventListener('playing', () => { window.__played = true; })")
    box = video.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _wait_until(page, "() => window.__played === true && document.querySelector('video').currentTime > 1")
    assert page.evaluate("document.querySelector('video').error") is None
    _fits(page, viewport["width"])
    shot(page, f"{size}-04-video-played")

    # Search the 主题展 and open what it finds.
    page.goto("/exhibition/halls/themes/")
    page.get_by_role("searchbox").fill("牛皮癣")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator("#hall-count")).to_contain_text("共 1 条内容")
    shot(page, f"{size}-05-search")
    page.get_by_role("link", name="城市治理主题：举手之劳·清除城市牛皮癣").click()
    expect(page.get_by_role("heading", name="城市治理主题：举手之劳·清除城市牛皮癣")).to_be_visible()
    expect(page.locator(".item-body")).to_contain_text("近百万件")
    _fits(page, viewport["width"])
    shot(page, f"{size}-06-item")

    # The 制度展's documents open as PDF.
    page.goto("/exhibition/halls/policies/")
    page.locator("#hall-items .card").first.click()
    expect(page.locator(".docs a")).to_have_count(2)
    href = page.locator(".docs a").first.get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    shot(page, f"{size}-07-policies-item")

    # A search in the 项目展 finds the exhibit, whose page carries its share tags.
    page.goto("/exhibition/halls/projects/")
    page.get_by_role("searchbox").fill(PROJECTS[0][1][:4])
    page.get_by_role("searchbox").press("Enter")
    page.locator("#hall-items .card").first.click()
    assert PROJECTS[0][1] in page.locator("meta[property='og:title']").get_attribute("content")
    shot(page, f"{size}-08-exhibit")


def test_office_writes_and_publishes_an_item(page, shot, login, office):
    judging_competition(office, year=2031)
    login(page, office.username, PASSWORD)
    page.goto("/judging/office/")
    page.get_by_role("link", name="展厅内容（序篇、文化展、制度展、主题展）").first.click()
    expect(page.get_by_role("heading", name="云展馆展厅内容")).to_be_visible()
    page.get_by_role("link", name="新建内容").click()
    page.get_by_label("展厅").select_option("themes")
    page.get_by_label("标题").fill("节水护水主题活动")
    page.get_by_label("正文（Markdown）").fill("## 活动\n\n志愿者沿汾河巡河护水。<script>alert(1)</script>")
    page.get_by_label("外部链接").fill("坏链接 | javascript:alert(1)")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#form-errors")).to_contain_text("http://")
    page.get_by_label("外部链接").fill("中国志愿服务网 | https://chinavolunteer.mca.gov.cn/")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已保存草稿")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已发布")
    shot(page, "01-office-item")
    page.set_viewport_size(WIDTHS["phone"])
    shot(page, "02-office-item-phone")
    page.set_viewport_size(WIDTHS["desktop"])
    with page.expect_popup() as popup:
        page.get_by_role("link", name="查看公开页面").click()
    public = popup.value
    expect(public.get_by_role("heading", name="节水护水主题活动")).to_be_visible()
    assert public.locator(".item-body script").count() == 0
    shot(public, "03-public-item")
