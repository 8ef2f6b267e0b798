"""The office fills the year's working-day calendar from the State Council's notice and saves it."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, OfficeFactory, competition_factory

pytestmark = pytest.mark.browser


def test_the_office_fills_and_saves_the_2023_calendar(page, login, shot):
    office = OfficeFactory(username="office-cal")
    competition = competition_factory(year=2023)
    login(page, office.username, PASSWORD)
    page.goto(f"/judging/office/{competition.pk}/")
    page.get_by_role("link", name="工作日历（节假日与调休）").click()
    expect(page.get_by_role("heading", name="2023年度工作日历")).to_be_visible()

    page.get_by_role("button", name="按国务院办公厅通知填入").click()
    expect(page.locator(".messages")).to_contain_text("已按国务院办公厅通知填入")
    expect(page.get_by_label("调休上班日（上班的星期六、星期日）")).to_contain_text("2023-10-07")
    expect(page.get_by_label("节假日（放假的日期）")).to_contain_text("2023-10-02")
    shot(page, "01-filled")

    # A Monday as a make-up day is refused on its field; nothing is saved.
    workdays = page.get_by_label("调休上班日（上班的星期六、星期日）")
    workdays.fill(workdays.input_value() + "\n2023-10-09")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".error").first).to_contain_text("2023-10-09（星期一）")
    competition.refresh_from_db()
    assert competition.workdays == []

    workdays.fill(workdays.input_value().replace("\n2023-10-09", ""))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("工作日历已保存")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "02-saved-phone")
    competition.refresh_from_db()
    assert "2023-10-07" in competition.workdays and "2023-10-02" in competition.holidays
