"""The office sets up 2023 from 2022 on the year setup pages: copies the year, edits one
criterion (the 100-point check refuses, then accepts), gives one unit its own quota,
uploads a seal (a bad one refused), and looks at each page at 1280 and 390 px."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from competition.enums import Phase
from competition.models import Competition, QuotaOverride
from tests.browser.office import keep
from tests.factories import PASSWORD, OfficeFactory, competition_factory, taiyuan_unit

pytestmark = pytest.mark.browser

DIR = "year-setup"


def seal_png(path, *, background) -> str:
    image = Image.new("RGBA", (400, 400), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((30, 30, 370, 370), outline=(200, 20, 30, 255), width=24)
    draw.regular_polygon((200, 200, 70), 5, fill=(200, 20, 30, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_the_office_sets_up_2023_from_2022(page, login, tmp_path):
    tz = timezone.get_current_timezone()
    office = OfficeFactory(username="office-setup")
    competition_factory(
        year=2022,
        title="2022年度太原市学雷锋志愿服务先进典型推选",
        phase=Phase.ARCHIVED,
        nominations_open=dt.datetime(2022, 9, 1, 9, 0, tzinfo=tz),
        nominations_close=dt.datetime(2022, 10, 31, 17, 0, tzinfo=tz),
        judging_close=dt.datetime(2022, 11, 30, 17, 0, tzinfo=tz),
        holidays=["2022-10-03"],
    )
    xiaodian = taiyuan_unit("140105")

    # From the office's home: 新建年度, copying 2022 (offered first) to 2023.
    login(page, office.username, PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="新建年度").click()
    expect(page.get_by_role("heading", name="新建年度")).to_be_visible()
    expect(page.get_by_label("新年度")).to_have_value("2023")
    keep(page, DIR, "01-new-year", phone=True)
    page.get_by_label("新年度").fill("2022")
    page.get_by_role("button", name="新建年度").click()
    expect(page.locator(".error")).to_contain_text("2022 年度的推选活动已存在")
    page.get_by_label("新年度").fill("2023")
    page.get_by_role("button", name="新建年度").click()
    expect(page.locator(".messages")).to_contain_text("已创建2023年度（筹备阶段）")
    expect(page.get_by_role("heading", name="2023年度奖项与名额")).to_be_visible()
    new = Competition.objects.get(year=2023)
    assert new.phase == Phase.DRAFT and new.categories.count() == 4 and new.holidays == []
    keep(page, DIR, "02-categories", phone=True)

    # The rubric of 最佳志愿服务项目: 项目设计 15 → 10 shows 95 as you type; the server refuses it.
    page.locator("tr[data-category=XM]").get_by_role("link", name="评分细则").click()
    expect(page.get_by_role("heading", name="评分细则：最佳志愿服务项目")).to_be_visible()
    total = page.locator("#rubric-total")
    expect(total).to_have_text("合计 100 分，符合要求（应为 100 分）。")
    page.locator("input[name='rows-0-max_points']").fill("10")
    expect(total).to_have_text("合计 95 分，应为 100 分，还差 5 分。")
    page.get_by_role("button", name="保存评分细则").click()
    expect(page.locator(".messages .error")).to_contain_text("评分标准合计 95 分，应为 100 分")
    assert new.categories.get(code="XM").criteria.get(name="项目设计").max_points == 15
    keep(page, DIR, "03-rubric-refused", phone=True)

    # 组织管理 15 → 20: the total is 100 again and the server accepts.
    page.locator("input[name='rows-1-max_points']").fill("20")
    expect(total).to_have_text("合计 100 分，符合要求（应为 100 分）。")
    page.get_by_role("button", name="保存评分细则").click()
    expect(page.locator(".messages")).to_contain_text("评分细则已保存，合计 100 分")
    criteria = new.categories.get(code="XM").criteria
    assert (criteria.get(name="项目设计").max_points, criteria.get(name="组织管理").max_points) == (10, 20)

    # A row added and removed again: the total follows.
    page.get_by_role("button", name="添加评分项").click()
    page.locator("input[name='rows-6-name']").fill("宣传推广")
    page.locator("input[name='rows-6-max_points']").fill("5")
    expect(total).to_have_text("合计 105 分，应为 100 分，超出 5 分。")
    page.locator("input[name='rows-6-DELETE']").check()
    expect(total).to_have_text("合计 100 分，符合要求（应为 100 分）。")
    keep(page, DIR, "04-rubric-saved", phone=True)

    # 小店区 gets 4 places in 最佳志愿服务项目 (the category's quota is 3).
    page.get_by_role("link", name="奖项与名额").click()
    page.locator("tr[data-category=XM]").get_by_role("link", name="编辑与单位名额").click()
    page.get_by_label(xiaodian.name).fill("4")
    page.get_by_role("button", name="保存各单位名额").click()
    expect(page.locator(".messages")).to_contain_text("各单位推荐名额已保存（1 个单位有变化）")
    expect(page.get_by_label(xiaodian.name)).to_have_value("4")
    assert QuotaOverride.objects.get(category__competition=new, unit=xiaodian).nomination_quota == 4
    keep(page, DIR, "05-category-quotas", phone=True)

    # The rounds: the weights' total as you type.
    page.get_by_role("link", name="评审轮次").first.click()
    rounds_total = page.locator("#rounds-total")
    expect(rounds_total).to_have_text("合计 1，符合要求（应为 1）。")
    page.locator("input[name='rows-0-weight']").fill("0.5")
    expect(rounds_total).to_have_text("合计 1.1，应为 1，超出 0.1。")
    page.get_by_role("button", name="保存评审轮次").click()
    expect(page.locator(".messages .error")).to_contain_text("各评审轮次权重合计为 1.1，应为 1")
    page.locator("input[name='rows-1-weight']").fill("0.5")
    page.get_by_role("button", name="保存评审轮次").click()
    expect(page.locator(".messages")).to_contain_text("评审轮次已保存")
    keep(page, DIR, "06-rounds", phone=True)

    # Seals: a white-backed PNG is refused, a transparent one is taken and previewed.
    page.get_by_role("link", name="颁发单位与印章").first.click()
    box = page.locator("[data-issuer='中共太原市委宣传部']")
    box.get_by_label("印章图片（透明背景 PNG）").set_input_files(seal_png(tmp_path / "white.png", background=(255, 255, 255, 255)))
    box.get_by_role("button", name="上传印章").click()
    expect(page.locator(".messages .error")).to_contain_text("印章图片：背景不透明")
    issuer = new.issuers.get(name="中共太原市委宣传部")
    assert not issuer.seal
    box = page.locator("[data-issuer='中共太原市委宣传部']")
    box.get_by_label("印章图片（透明背景 PNG）").set_input_files(seal_png(tmp_path / "seal.png", background=(0, 0, 0, 0)))
    box.get_by_role("button", name="上传印章").click()
    expect(page.locator(".messages")).to_contain_text("已上传中共太原市委宣传部的印章")
    expect(page.locator("[data-issuer='中共太原市委宣传部'] img")).to_be_visible()
    issuer.refresh_from_db()
    assert issuer.seal
    sample = page.get_by_role("link", name="预览证书样张（PDF）")
    response = page.request.get(sample.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    keep(page, DIR, "07-issuers-seals", phone=True)

    # The console's year page lists the year setup pages.
    page.goto(f"/judging/office/{new.pk}/")
    pages = page.locator("#pages")
    for label in ("新建年度", "奖项与名额", "评分细则", "评审轮次", "工作日历（节假日与调休）", "颁发单位与印章"):
        expect(pages.get_by_role("link", name=label)).to_be_visible()


def test_a_year_past_draft_is_shown_read_only(page, login):
    office = OfficeFactory(username="office-setup-ro")
    competition = competition_factory(year=2024, phase=Phase.JUDGING)
    login(page, office.username, PASSWORD)
    page.goto(f"/judging/office/{competition.pk}/")
    page.locator("#pages").get_by_role("link", name="评分细则").click()
    expect(page.locator("#read-only")).to_contain_text("活动已进入“评审”阶段，奖项、评分标准和评审轮次只能在筹备阶段修改。本页只读。")
    expect(page.get_by_role("button", name="保存评分细则")).to_have_count(0)
    expect(page.locator("input[name='rows-0-max_points']")).to_be_disabled()
    keep(page, DIR, "08-rubric-read-only", phone=True)
