"""The office manages units and judges on pages, and resets an account's password.

It renames a unit and deactivates it (its officer can no longer start a
nomination), edits a judge's affiliations for 回避 and takes the judge out of
the pool, adds a single account, and gives an officer a new one-time password.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from competition.enums import Phase
from competition.models import JudgeProfile, Unit, User
from tests.browser.office import keep, sign_out
from tests.factories import (
    PASSWORD,
    JudgeFactory,
    OfficeFactory,
    OfficerFactory,
    competition_factory,
)

pytestmark = pytest.mark.browser


def _reset_unit_ids() -> None:
    """The harness reloads the migrations' units with their ids, leaving PostgreSQL's
    id sequence behind them; a unit added on the page needs the next free id."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Unit]):
            cursor.execute(sql)


def test_office_manages_units_judges_and_passwords(page, login):
    _reset_unit_ids()
    competition = competition_factory(phase=Phase.NOMINATING)
    office = OfficeFactory(username="office-units", display_name="市文明办")
    unit = Unit.objects.get(code="140109")  # 万柏林区
    officer = OfficerFactory(username="wbl-officer", unit=unit, display_name="吴主任")
    judge = JudgeFactory(username="judge-units", profile__name="郑评委")
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, office.username, PASSWORD)
    page.goto(f"/judging/office/{competition.pk}/")
    page.locator("#pages").get_by_role("link", name="推荐单位").click()
    expect(page.get_by_role("heading", name="推荐单位", exact=True)).to_be_visible()

    # Rename.
    row = page.locator(f"#unit-{unit.pk}")
    row.get_by_role("link", name="修改").click()
    page.get_by_label("简称").fill("万柏林")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(row).to_contain_text("万柏林")

    # Deactivate: the unit stays, marked, with its account.
    row.get_by_role("button", name="停用").click()
    expect(page.locator(".messages")).to_contain_text("已停用")
    expect(row).to_contain_text("已停用")
    keep(page, "units-judges", "01-units", phone=True)

    # Add a unit; a duplicate name is refused, naming the field.
    page.get_by_label("代码").fill("T-NEW")
    page.get_by_label("名称（全称）").fill("太原市小店区")
    page.get_by_label("简称").fill("重复")
    page.get_by_role("button", name="添加").click()
    expect(page.locator("#unit-add .error")).to_contain_text("名称")
    page.get_by_label("名称（全称）").fill("太原市测试新区")
    page.get_by_role("button", name="添加").click()
    expect(page.locator(".messages")).to_contain_text("已添加推荐单位“太原市测试新区”")

    # Judges: edit the affiliations used for 回避, then take the judge out of the pool.
    page.locator(".people-tabs").get_by_role("link", name="评审专家").click()
    judge_row = page.locator(f"#judge-{judge.judge_profile.pk}")
    judge_row.get_by_role("link", name="修改").click()
    page.get_by_label("关联单位/组织").fill("山西省志愿服务基金会\n太原市青年志愿者协会")
    page.get_by_role("button", name="保存").click()
    expect(judge_row).to_contain_text("山西省志愿服务基金会、太原市青年志愿者协会")
    judge_row.get_by_role("button", name="停用").click()
    expect(judge_row).to_contain_text("已停用")
    keep(page, "units-judges", "02-judges", phone=True)
    assert not JudgeProfile.objects.get(pk=judge.judge_profile.pk).active

    # One account by hand: the deactivated unit is not offered.
    page.locator(".people-tabs").get_by_role("link", name="账号", exact=True).click()
    page.get_by_role("link", name="添加账号").click()
    options = page.get_by_label("推荐单位").locator("option").all_inner_texts()
    assert "太原市万柏林区" not in options and "太原市测试新区" in options
    keep(page, "units-judges", "03-account-add", phone=True)
    page.get_by_label("姓名").fill("冯主任")
    page.get_by_label("用户名").fill("feng")
    page.get_by_label("推荐单位").select_option(label="太原市测试新区")
    page.get_by_role("button", name="建立账号").click()
    expect(page.locator("#sheet-table")).to_contain_text("feng")

    # A new one-time password for the officer.
    page.get_by_role("link", name="返回账号列表").click()
    page.locator(f"#account-{officer.pk}").get_by_role("button", name="重置密码").click()
    expect(page.get_by_role("heading", name="“吴主任”的新一次性密码")).to_be_visible()
    one_time = page.locator("#sheet-table .password").inner_text().strip()
    keep(page, "units-judges", "04-reset", phone=True)
    sign_out(page)

    # The officer of the deactivated unit signs in, sets a password, and cannot start a nomination.
    login(page, officer.username, one_time)
    page.get_by_label("原密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill("Wanbailin-new-2027")
    page.get_by_label("再次输入新密码").fill("Wanbailin-new-2027")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".messages")).to_contain_text("新密码已设置")
    page.locator(".site-header").get_by_role("link", name="本单位推荐").click()
    expect(page.get_by_text("已停用，不能新建推荐").first).to_be_visible()
    expect(page.get_by_role("link", name="新建推荐")).to_have_count(0)
    keep(page, "units-judges", "05-inactive-unit-officer", phone=True)
    officer.refresh_from_db()
    assert officer.unit_id == unit.pk and not officer.must_change_password
    assert User.objects.filter(username="feng", unit__name="太原市测试新区").exists()
