"""Past winners and historic exhibits in the browser (issue 13 item 10, issue 16 item 2).

The office records a past winner on its page from the console's navigation,
imports a historic exhibit (an .xlsx and a ZIP with its photo: dry run, then
import), and a visitor opens the historic exhibit in the 组织展: the year it
was honoured, its figures with their as-of date and source. Screenshots at
1280 and 390 px.
"""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import expect

from exhibition import history_import
from exhibition.models import Exhibit
from nominations.models import PastWinner
from tests.exhibition.conftest import photo_bytes
from tests.factories import PASSWORD, OfficeFactory, competition_factory

pytestmark = pytest.mark.browser

CENTRE = "太原市城市综合管理服务指挥中心"


def _workbook(path) -> None:
    from openpyxl import Workbook

    row = {
        "year": 2019, "award_code": "最佳志愿服务组织", "title": CENTRE, "unit_name": "太原市城乡管理局",
        "introduction": "以“举手之劳”系列志愿服务参与城市管理。", "volunteers": 758, "service_hours": "10.41万余",
        "activities": 3412, "as_of": "2022-12", "source": "“太原志愿者”平台记录", "photos": "centre.jpg",
        "caption": "志愿者清理街头小广告",
    }  # fmt: skip
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in history_import.COLUMNS])
    ws.append([row.get(c.name) for c in history_import.COLUMNS])
    wb.save(path)


def _zip(path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("照片/centre.jpg", photo_bytes(size=(1200, 800), color=(40, 120, 180)))


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_office_records_a_past_winner_and_imports_a_historic_exhibit(page, login, shot, browser, live_server, tmp_path):
    office = OfficeFactory(username="office-history")
    competition = competition_factory(year=2023)
    login(page, office.username, PASSWORD)

    # From the console's navigation to the past-winner page; record one.
    page.goto(f"/judging/office/{competition.pk}/")
    page.get_by_role("link", name="往年获奖名单").click()
    expect(page.get_by_role("heading", name="往年获奖名单")).to_be_visible()
    page.get_by_label("年度").last.fill("2019")
    page.locator("#id_new-category_code").select_option(label="最佳志愿服务组织")
    page.get_by_label("名称（项目或组织）").fill(CENTRE)
    page.get_by_label("推荐单位").fill("太原市城乡管理局")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text(f"已记录：2019 年度最佳志愿服务组织“{CENTRE}”")
    expect(page.locator("#past-winner-list")).to_contain_text(CENTRE)
    assert PastWinner.objects.filter(year=2019, category_code="ZZ", title=CENTRE).exists()
    shot(page, "01-past-winner-recorded")
    page.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_scroll(page)
    shot(page, "02-past-winner-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The historic exhibit: an .xlsx and a ZIP with its photo; a dry run first.
    page.goto(f"/judging/office/{competition.pk}/")
    page.get_by_role("link", name="云展馆：往年展品").click()
    expect(page.get_by_role("heading", name="云展馆：往年展品")).to_be_visible()
    page.get_by_role("link", name="从 Excel 和照片压缩包导入").click()
    xlsx, archive = tmp_path / "往年表彰.xlsx", tmp_path / "照片.zip"
    _workbook(xlsx)
    _zip(archive)
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(xlsx))
    page.get_by_label("照片压缩包（.zip，可不传）").set_input_files(str(archive))
    page.get_by_role("button", name="试运行").click()
    expect(page.locator("#import-summary")).to_contain_text("试运行：共 1 行，全部可以导入为往年展品；未写入任何数据。")
    assert not Exhibit.objects.exists()
    shot(page, "03-import-dry-run")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(xlsx))
    page.get_by_label("照片压缩包（.zip，可不传）").set_input_files(str(archive))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已导入 1 个往年展品")
    expect(page.locator("#history-list")).to_contain_text(CENTRE)
    shot(page, "04-history-list")
    exhibit = Exhibit.objects.get()
    assert exhibit.photos.count() == 1 and exhibit.figures.count() == 3

    # The office corrects a figure's label on the exhibit's page.
    page.get_by_role("link", name="数据与照片").click()
    expect(page.get_by_role("heading", name="数据", exact=True)).to_be_visible()
    page.locator("#id_fig-0-label").fill("注册志愿者")
    page.get_by_role("button", name="保存数据").click()
    expect(page.locator(".messages")).to_contain_text("数据已保存")
    assert exhibit.figures.filter(label="注册志愿者").exists()
    shot(page, "05-figures")
    page.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_scroll(page)
    shot(page, "06-figures-phone")

    # A visitor (no sign-in) opens the historic exhibit in the 组织展.
    visitor = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    public = visitor.new_page()
    public.goto("/exhibition/organizations/?year=2019")
    expect(public.locator(".tag.source-historic")).to_contain_text("2019年获评最佳志愿服务组织")
    public.get_by_role("link", name=CENTRE).first.click()
    expect(public.get_by_role("heading", name=CENTRE)).to_be_visible()
    expect(public.locator("#exhibit-label")).to_have_text("2019年获评 · 太原市学雷锋最佳志愿服务组织")
    figures = public.locator("#figures")
    expect(figures).to_contain_text("10.41万余小时")
    expect(figures).to_contain_text("截至 2022年12月 · “太原志愿者”平台记录")
    expect(figures).to_contain_text("3,412次")
    expect(figures).to_contain_text("注册志愿者")
    expect(public.locator("figure img")).to_have_count(1)
    expect(public.locator("figcaption")).to_have_text("志愿者清理街头小广告")
    shot(public, "07-historic-exhibit")
    public.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_scroll(public)
    shot(public, "08-historic-exhibit-phone")
    visitor.close()
