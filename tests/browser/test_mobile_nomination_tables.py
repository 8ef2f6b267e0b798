"""The nomination lists on a phone: each row a card (390 px), a table at 1280 px.

The unit officer's list (本单位推荐), the office's review queue (资格审查) and the
往年获奖名单 stack into cards at 390 px: no sideways scrolling, neither of the
page nor of the tables' containers; each cell is labelled with its column's
name, the card shows the name, the status and the row's actions, which are
big enough to tap. The officer opens a nomination by tapping its name and a
returned one by its 修改并重新提交 button; the office opens a nomination's
review from its card and a past winner's edit page from its. At 1280 px the
same pages keep their tables (header row shown, rows laid out as table rows).

Screenshots: ``artifacts/mobile/tables-<who>-<step>.png`` (390 px) and
``artifacts/mobile/1280-tables-<who>-<step>.png``.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Unit
from nominations import past_winners, services
from tests.browser.test_mobile_pages import DESKTOP, PHONE, Visit, _context, _sign_in
from tests.factories import STRONG_PASSWORD as PASSWORD
from tests.nominations.conftest import PROJECT, attach_required, competition_payload

pytestmark = pytest.mark.browser

TREES = "举手之劳·为树木松绑拔刺"
POSTERS = "举手之劳·清除城市牛皮癣"
ELDERLY = "银龄相伴·社区老人助餐送餐志愿服务"
CENTRE = "太原市城市综合管理服务指挥中心"


@pytest.fixture
def world():
    """A year in 资格审查 (nominations closed two days ago). 小店区: TREES submitted,
    POSTERS returned with a 补正截止 to come. 迎泽区: TREES too (a duplicate, so both
    carry a warning) and ELDERLY, accepted. Two past winners."""
    office = competition_services.user_create(
        actor=None, username="office-tables", password=PASSWORD, role=Role.OFFICE, display_name="市文明办"
    )
    officers = {
        code: competition_services.user_create(
            actor=None,
            username=f"unit-{code}",
            password=PASSWORD,
            role=Role.OFFICER,
            unit=Unit.objects.get(code=code),
            display_name="推荐管理员",
        )
        for code in ("140105", "140106")
    }
    now = timezone.now()
    during = now - dt.timedelta(days=10)
    competition = competition_services.competition_create(
        actor=office,
        data=competition_payload(2030, opens=now - dt.timedelta(days=20), closes=now - dt.timedelta(days=2)),
    )
    competition = competition_services.competition_advance(
        actor=office, competition=competition, to=Phase.NOMINATING, now=during
    )
    category = competition.categories.get(code="XM")

    def submitted(code: str, title: str, order: int):
        nomination = services.nomination_create(
            actor=officers[code],
            competition=competition,
            category=category,
            data={**PROJECT, "order": order, "title": title},
            now=during,
        )
        attach_required(nomination)
        return services.nomination_submit(actor=officers[code], nomination=nomination, now=during)

    trees = submitted("140105", TREES, 1)
    posters = submitted("140105", POSTERS, 2)
    submitted("140106", TREES, 1)
    elderly = submitted("140106", ELDERLY, 2)
    competition_services.competition_advance(actor=office, competition=competition, to=Phase.REVIEWING)
    services.nomination_review(
        actor=office,
        nomination=posters,
        decision="return",
        reason="累计服务时长与活动记录不符，请核实近三年的活动记录后修改。",
        correct_by=timezone.localdate() + dt.timedelta(days=3),
    )
    services.nomination_review(actor=office, nomination=elderly, decision="accept")
    for year, code, title, organization in (
        (2019, "ZZ", CENTRE, ""),
        (2018, "XM", "“小棉袄”关爱空巢老人志愿服务", "杏花岭区巨轮街道敦化坊社区"),
    ):
        past_winners.past_winner_create(
            actor=office,
            data={"year": year, "category_code": code, "title": title, "organization": organization,
                  "unit_name": "太原市城乡管理局"},
        )  # fmt: skip
    return {"trees": trees, "posters": posters}


def _fits(page, table: str, step: str) -> None:
    """Neither the page nor the table's container scrolls sideways."""
    wrap = page.locator(".table-wrap", has=page.locator(table))
    scroll, client = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll <= client, f"{table}'s container scrolls: {scroll}px in {client}px ({step})"


def _cards(page, table: str, labels: list[str], phone: bool) -> None:
    """At 390 px every row is a card whose cells carry their column's name (``labels``, in
    the cells' order), the name on top; at 1280 px the header row is shown and the rows
    are table rows."""
    head = page.locator(f"{table} thead")
    layout = page.locator(table).evaluate(
        """t => Array.from(t.tBodies[0].rows, r => ({
              display: getComputedStyle(r).display,
              nameOnTop: !!r.querySelector('.cell-title') && Array.from(r.cells).every(
                  c => c.getBoundingClientRect().top >= r.querySelector('.cell-title').getBoundingClientRect().top),
              labels: Array.from(r.cells, c => getComputedStyle(c, '::before').content),
          }))"""
    )
    assert layout
    # Still a table to assistive technology: rows of cells (display: block on a phone).
    expect(page.locator(f"{table} tbody").get_by_role("row")).to_have_count(len(layout))
    expect(page.locator(f"{table} tbody tr").first.get_by_role("cell")).to_have_count(len(labels) + 1)
    if phone:
        expect(head).to_be_hidden()
        for row in layout:
            assert row["display"] != "table-row", row
            assert row["nameOnTop"], row  # the card starts with the name
            shown = [label for label in row["labels"] if label not in ("none", "normal")]
            assert shown == [f'"{label}"' for label in labels], row
    else:
        expect(head).to_be_visible()
        assert {row["display"] for row in layout} == {"table-row"}


def _tappable(locator) -> None:
    """In view (no sideways scrolling to reach it) and at least 44 px high."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    width = locator.page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert box["height"] >= 44, box


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_nomination_tables_stack_into_cards_on_a_phone(browser, live_server, world, viewport):
    phone = viewport is PHONE
    tap = "tap" if phone else "click"

    # The unit officer's list: TREES submitted (查看), POSTERS returned (修改并重新提交).
    context = _context(browser, live_server, viewport)
    page = context.new_page()
    visit = Visit(page, "tables-unit", viewport)
    try:
        _sign_in(page, "unit-140105")
        page.goto("/nominations/")
        table = "table.nomination-table"
        expect(page.locator(f"{table} tbody tr")).to_have_count(2)
        visit.check("01-list")
        _fits(page, table, "01-list")
        _cards(page, table, ["奖项", "排序", "名称", "状态", "资格提示", "更新时间"], phone)

        trees = page.locator(f"{table} tbody tr", has_text=TREES)
        expect(trees).to_contain_text("已提交")
        expect(trees.locator("ul.warnings")).to_contain_text("可能与其他推荐重复")
        posters = page.locator(f"{table} tbody tr", has_text=POSTERS)
        expect(posters).to_contain_text("退回修改")
        expect(posters).to_contain_text("补正截止")
        correct = posters.get_by_role("link", name="修改并重新提交")
        view = trees.get_by_role("link", name="查看")
        if phone:
            _tappable(trees.get_by_role("link", name=TREES))
            _tappable(view)
            _tappable(correct)

        getattr(trees.get_by_role("link", name=TREES), tap)()
        page.wait_for_url(re.compile(rf"/nominations/{world['trees'].pk}/$"))
        expect(page.locator("h1")).to_contain_text(TREES)

        page.go_back()
        getattr(page.locator(f"{table} tbody tr", has_text=POSTERS).get_by_role("link", name="修改并重新提交"), tap)()
        page.wait_for_url(re.compile(rf"/nominations/{world['posters'].pk}/edit/$"))
        expect(page.get_by_label("项目名称")).to_have_value(POSTERS)
    finally:
        context.close()

    # The office's review queue and the past winners.
    context = _context(browser, live_server, viewport)
    page = context.new_page()
    visit = Visit(page, "tables-office", viewport)
    try:
        _sign_in(page, "office-tables")
        page.goto("/nominations/review/")
        table = "table.review-table"
        expect(page.locator(f"{table} tbody tr")).to_have_count(4)
        visit.check("01-review-queue")
        _fits(page, table, "01-review-queue")
        _cards(page, table, ["推荐单位", "奖项", "排序", "名称", "状态", "资格提示", "提交时间"], phone)
        for title, status, action in ((TREES, "已提交", "审查"), (POSTERS, "退回修改", "查看"), (ELDERLY, "审查通过", "查看")):
            row = page.locator(f"{table} tbody tr", has_text=title).first
            expect(row).to_contain_text(status)
            if phone:
                _tappable(row.get_by_role("link", name=title))
                _tappable(row.get_by_role("link", name=action, exact=True))
        row = page.locator(f'{table} tbody tr[data-id="{world["trees"].pk}"]')
        expect(row.locator("ul.warnings")).to_be_visible()
        getattr(row.get_by_role("link", name="审查"), tap)()
        page.wait_for_url(re.compile(rf"/nominations/{world['trees'].pk}/#review$"))
        expect(page.get_by_role("button", name="审查通过")).to_be_visible()

        page.goto("/nominations/past-winners/")
        table = "#past-winner-list"
        expect(page.locator(f"{table} tbody tr")).to_have_count(2)
        visit.check("02-past-winners")
        _fits(page, table, "02-past-winners")
        _cards(page, table, ["年度", "奖项", "名称", "单位", "推荐单位"], phone)
        row = page.locator(f"{table} tbody tr", has_text=CENTRE)
        edit = row.get_by_role("link", name="修改")
        if phone:
            _tappable(edit)
            _tappable(row.get_by_role("button", name="删除"))
        getattr(edit, tap)()
        page.wait_for_url(re.compile(r"/nominations/past-winners/\d+/$"))
        expect(page.get_by_label("名称")).to_have_value(CENTRE)
    finally:
        context.close()
