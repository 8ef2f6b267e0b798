"""The office sees how many 意见建议 wait, on the console's year page, at 1280 and 390 px,
and the badge leads to the list of the ones waiting. Screenshots: ``artifacts/suggestions/``."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from competition import services as competition_services
from competition.enums import Role
from exhibition import suggestions
from tests.browser.office import keep
from tests.factories import STRONG_PASSWORD as PASSWORD
from tests.factories import competition_factory

pytestmark = pytest.mark.browser

TEXT = "建议在云展馆增加各区志愿服务地图，方便市民就近参加志愿服务活动。"


def test_the_console_badge_leads_to_the_suggestions_waiting(page, login):
    office = competition_services.user_create(
        actor=None, username="office-badge", password=PASSWORD, role=Role.OFFICE
    )
    competition = competition_factory()
    first = suggestions.suggestion_submit(name="王芳", content=TEXT)
    suggestions.suggestion_submit(content=TEXT + "（第二条）")
    handled = suggestions.suggestion_submit(content=TEXT + "（已处理）")
    suggestions.suggestion_mark(actor=office, suggestion=handled, status="handled", note="已答复。")

    login(page, "office-badge", PASSWORD)
    page.goto(reverse("judging:console:year", args=[competition.pk]))
    waiting = page.locator("#waiting")
    expect(waiting.locator(".count-badge")).to_have_text("2")
    expect(waiting).to_contain_text("2 条待处理")
    entry = page.locator('#pages a[data-entry="exhibition:office-suggestions"]')
    expect(entry.locator(".count-badge")).to_have_text("2")
    keep(page, "suggestions", "01-console", phone=True)

    entry.click()
    page.wait_for_url("**/exhibition/office/suggestions/?status=pending")
    expect(page.locator("article.suggestion")).to_have_count(2)
    expect(page.locator("#filter-pending")).to_have_text("待处理（2）")
    keep(page, "suggestions", "02-pending", phone=True)

    card = page.locator(f"#suggestion-{first.pk}")
    card.get_by_label("处理状态").select_option("handled")
    card.get_by_label("处理说明").fill("已转云展馆建设单位。")
    card.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已标记为“已处理”")).to_be_visible()
    expect(page.locator("article.suggestion")).to_have_count(1)

    page.goto(reverse("judging:console:year", args=[competition.pk]))
    expect(page.locator("#waiting .count-badge")).to_have_text("1")
