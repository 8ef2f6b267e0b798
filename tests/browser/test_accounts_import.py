"""The office imports accounts from an .xlsx on the page, and a new officer signs in.

The office opens 批量导入账号 from the console, downloads the template, fills it
(three judges, two officers, one row wrong), sees the wrong row in the dry
run, fixes the file and imports it, and prints the one-time passwords. A new
officer signs in with theirs, is held on the password page until they set
their own, then reaches their home.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from competition.enums import Phase
from competition.models import JudgeProfile, User
from tests.browser.office import keep, sign_out
from tests.factories import PASSWORD, STRONG_PASSWORD, OfficeFactory, competition_factory

pytestmark = pytest.mark.browser

ROWS = [
    ["赵敏", "zhaomin", "评审专家", "", "13900000011", "zhaomin@example.com", "山西大学、太原市志愿服务联合会", "XM、ZZ"],
    ["钱江", "qianjiang", "评审专家", "", "13900000012", "", "太原理工大学", "最美志愿者"],
    ["孙立", "sunli", "评审专家", "迎泽区", "", "", "", "SQ"],
    ["李红", "lihong", "推荐单位管理员", "小店区", "13900000014", "lihong@example.com", "", ""],
    # The wrong row: no such unit.
    ["周明", "zhouming", "推荐单位管理员", "火星区", "13900000015", "", "", ""],
]


def _filled(template: bytes, rows: list[list]) -> bytes:
    """What the office does in Excel: delete the example rows and type the accounts."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template))
    ws = workbook["账号"]
    ws.delete_rows(2, ws.max_row)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, value or None)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(page, name: str, content: bytes) -> None:
    page.get_by_label("账号表（.xlsx）").set_input_files(
        {"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": content}
    )
    page.get_by_role("button", name="试运行（只检查）").click()


def test_office_imports_accounts_and_a_new_officer_signs_in(page, login, shot):
    competition_factory(phase=Phase.NOMINATING)
    office = OfficeFactory(username="office-import", display_name="市文明办")
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, office.username, PASSWORD)
    page.locator(".site-header").get_by_role("link", name="工作台").click()
    page.locator("#pages").get_by_role("link", name="批量导入账号").click()
    expect(page.get_by_role("heading", name="批量导入推荐单位管理员和评审专家")).to_be_visible()
    keep(page, "accounts-import", "01-import-page", phone=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载账号导入模板（.xlsx）").click()
    download = download_info.value
    assert download.suggested_filename == "账号导入模板.xlsx"
    template = open(download.path(), "rb").read()  # noqa: SIM115 - Playwright's temporary file

    # The dry run names the wrong row and its column; nothing is created.
    _upload(page, "账号.xlsx", _filled(template, ROWS))
    expect(page.locator("#import-summary")).to_contain_text("其中 1 行有误")
    wrong = page.locator("#report-row-6")
    expect(wrong).to_contain_text("推荐单位：“火星区”不是系统中的推荐单位")
    expect(page.get_by_role("button", name="导入这")).to_have_count(0)
    keep(page, "accounts-import", "02-dry-run-wrong-row", phone=True)
    assert not User.objects.filter(username__in=[r[1] for r in ROWS]).exists()

    # Fixed in the file, uploaded again: every row can be imported.
    fixed = [row[:] for row in ROWS]
    fixed[4][3] = "杏花岭区"
    _upload(page, "账号（改）.xlsx", _filled(template, fixed))
    expect(page.locator("#import-summary")).to_contain_text("共 5 行，全部可以导入")
    keep(page, "accounts-import", "03-dry-run-clean", phone=True)
    page.get_by_role("button", name="导入这 5 个账号").click()

    # The sheet of one-time passwords, shown once, printed.
    expect(page.get_by_role("heading", name="批量导入的 5 个账号的一次性密码")).to_be_visible()
    expect(page.locator("#sheet-once")).to_contain_text("只在此页显示一次")
    expect(page.get_by_text("监督员只读查看")).to_have_count(0)
    row = page.locator("#sheet-table tr", has_text="zhouming")
    one_time = row.locator(".password").inner_text().strip()
    assert len(one_time) >= 12
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.__printed") is True
    keep(page, "accounts-import", "04-sheet", phone=True)
    page.emulate_media(media="print")
    keep(page, "accounts-import", "05-sheet-print")
    page.emulate_media(media="screen")

    assert User.objects.filter(username__in=[r[1] for r in ROWS]).count() == 5
    assert JudgeProfile.objects.get(user__username="zhaomin").organizations == ["山西大学", "太原市志愿服务联合会"]
    assert User.objects.get(username="zhouming").unit.short_name == "杏花岭区"

    # The accounts list shows them waiting for their first sign-in.
    page.get_by_role("link", name="返回账号列表").click()
    expect(page.locator("#account-table")).to_contain_text("待首次登录改密")
    keep(page, "accounts-import", "06-accounts", phone=True)
    sign_out(page)

    # The new officer signs in with the one-time password and must change it first.
    login(page, "zhouming", one_time)
    expect(page.locator("#must-change-password")).to_be_visible()
    page.goto("/nominations/")
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    keep(page, "accounts-import", "07-must-change", phone=True)
    page.get_by_label("原密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("再次输入新密码").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".messages")).to_contain_text("新密码已设置")
    expect(page.get_by_role("heading", name="推选活动")).to_be_visible()
    page.locator(".site-header").get_by_role("link", name="本单位推荐").click()
    expect(page).to_have_url(re.compile(r"/nominations/$"))
    keep(page, "accounts-import", "08-officer-home", phone=True)
    assert not User.objects.get(username="zhouming").must_change_password
