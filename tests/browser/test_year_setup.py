"""The year setup journey of issue 13 ("Done when"), in one browser test, clicked and typed
as the office and a unit officer would.

The office copies the 2022 year to 2023, changes one criterion's points (the
100-point check refuses, then accepts), enters the National Day holidays and a
make-up Saturday on the calendar page and sees the 公示's end date move, imports
three judges and two unit officers from the .xlsx template (the dry run names the
one bad row), gives one unit its own quota, records the centre's 2019 award on the
past-winner list, moves the copied dates (they lie in the past of today) and opens
nominations. The new officer of that unit signs in with his one-time password, is
made to change it, sees the overridden quota, and starts a nomination of the past
winner, which gets the eligibility warning.

Screenshots at 1280 and 390 px: ``artifacts/year-setup-journey/``.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from competition.enums import EligibilityRule, Phase, Role
from competition.models import AuditEntry, Competition, JudgeProfile, QuotaOverride, User
from nominations.enums import Status
from nominations.models import Nomination, PastWinner
from tests.browser.office import keep, sign_out
from tests.factories import (
    PASSWORD,
    OfficeFactory,
    competition_factory,
    taiyuan_unit,
)

pytestmark = pytest.mark.browser

DIR = "year-setup-journey"
# The State Council's 2023 notice: 中秋节、国庆节 9月29日至10月6日放假调休，10月7日（星期六）、10月8日（星期日）上班.
HOLIDAYS_2023 = ["2023-09-29", "2023-09-30"] + [f"2023-10-0{d}" for d in range(1, 7)]


# The accounts the office types into the import template: three judges and two unit
# officers; 王刚's unit is mistyped at first (the dry run names the row).
ACCOUNTS = [
    ["赵敏", "zhaomin", "评审专家", "", "13900000011", "zhaomin@example.com", "山西大学、太原市志愿服务联合会", "XM、ZZ"],
    ["钱江", "qianjiang", "评审专家", "", "13900000012", "", "太原理工大学", "最美志愿者"],
    ["孙立", "sunli", "评审专家", "迎泽区", "", "", "", "SQ"],
    ["李红", "lihong", "推荐单位管理员", "小店区", "13900000014", "lihong@example.com", "", ""],
    ["王刚", "wanggang", "推荐单位管理员", "太原市城管局", "13900000015", "", "", ""],
]
NEW_PASSWORD = "Chengguan-2023-xlf"
CENTRE = "太原市城市综合管理服务指挥中心"


def filled_template(template: bytes, rows: list[list]) -> bytes:
    """What the office does in Excel: delete the example rows and type the accounts."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["账号"]
    sheet.delete_rows(2, sheet.max_row)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c, value or None)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def dry_run(page, name: str, content: bytes) -> None:
    page.get_by_label("账号表（.xlsx）").set_input_files(
        {"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": content}
    )
    page.get_by_role("button", name="试运行（只检查）").click()


def local_input(moment: dt.datetime) -> str:
    """How a person types a moment into a date-and-time field."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_office_sets_up_2023_and_a_new_officer_nominates_a_past_winner(page, login):
    tz = timezone.get_current_timezone()
    office = OfficeFactory(username="office-journey")
    # Last year: 评审截止 on 27 September, so the copied year's 公示 would start on
    # Thursday 28 September 2023, just before the National Day holiday.
    competition_factory(
        year=2022,
        title="2022年度太原市学雷锋志愿服务先进典型推选",
        phase=Phase.ARCHIVED,
        nominations_open=dt.datetime(2022, 7, 1, 9, 0, tzinfo=tz),
        nominations_close=dt.datetime(2022, 8, 31, 17, 0, tzinfo=tz),
        judging_close=dt.datetime(2022, 9, 27, 17, 0, tzinfo=tz),
        holidays=["2022-10-03"],
    )
    chengguan = taiyuan_unit("TY-M-CG")  # 太原市城乡管理局, a municipal system

    page.on("dialog", lambda dialog: dialog.accept())  # the pages' confirmations: the office says yes

    # 1. The office copies 2022 to 2023 from its home page.
    login(page, office.username, PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="新建年度").click()
    expect(page.get_by_label("从哪一年复制")).to_have_value(str(Competition.objects.get(year=2022).pk))
    expect(page.get_by_label("新年度")).to_have_value("2023")
    page.get_by_role("button", name="新建年度").click()
    expect(page.locator(".messages")).to_contain_text("已创建2023年度（筹备阶段），奖项、评分细则、评审轮次和颁发单位复制自2022年度")
    expect(page.get_by_role("heading", name="2023年度奖项与名额")).to_be_visible()
    year = Competition.objects.get(year=2023)
    assert year.phase == Phase.DRAFT and year.categories.count() == 4
    keep(page, DIR, "01-copied", phone=True)

    # 2. One criterion's points: 项目设计 15 → 10 is refused (95 points), 组织管理 15 → 20 accepted.
    page.locator("tr[data-category=XM]").get_by_role("link", name="评分细则").click()
    total = page.locator("#rubric-total")
    page.locator("input[name='rows-0-max_points']").fill("10")
    expect(total).to_have_text("合计 95 分，应为 100 分，还差 5 分。")
    page.get_by_role("button", name="保存评分细则").click()
    expect(page.locator(".messages .error")).to_contain_text("评分标准合计 95 分，应为 100 分")
    assert year.categories.get(code="XM").criteria.get(name="项目设计").max_points == 15
    keep(page, DIR, "02-rubric-refused", phone=True)
    page.locator("input[name='rows-1-max_points']").fill("20")
    expect(total).to_have_text("合计 100 分，符合要求（应为 100 分）。")
    page.get_by_role("button", name="保存评分细则").click()
    expect(page.locator(".messages")).to_contain_text("评分细则已保存，合计 100 分")
    criteria = year.categories.get(code="XM").criteria
    assert (criteria.get(name="项目设计").max_points, criteria.get(name="组织管理").max_points) == (10, 20)

    # 3. The calendar: the 公示 (5 working days from the day after 评审截止, Thursday
    #    28 September) ends on 4 October with no holidays, on 12 October once the
    #    holidays are entered, and on 11 October when the make-up Saturday is added.
    page.locator(".setup-tabs").get_by_role("link", name="工作日历").click()
    expect(page.get_by_role("heading", name="2023年度工作日历")).to_be_visible()
    period = page.locator("#publicity-period")
    expect(period).to_contain_text("若于 2023年9月28日 发布公示")
    expect(page.locator("#publicity-ends")).to_have_text("2023年10月4日")
    page.get_by_label("节假日（放假的日期）").fill("\n".join(HOLIDAYS_2023))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("工作日历已保存")
    expect(page.locator("#publicity-ends")).to_have_text("2023年10月12日")
    keep(page, DIR, "03-calendar-holidays", phone=True)
    page.get_by_label("调休上班日（上班的星期六、星期日）").fill("2023-10-07")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("工作日历已保存")
    expect(page.locator("#publicity-ends")).to_have_text("2023年10月11日")
    expect(period).to_contain_text("公示期为 2023年9月28日 至 2023年10月11日（5 个工作日）")
    year.refresh_from_db()
    assert year.workdays == ["2023-10-07"] and len(year.holidays) == 8
    keep(page, DIR, "04-calendar-make-up-day", phone=True)

    # 4. Three judges and two unit officers from the import template, filled in; the dry
    #    run names the mistyped unit's row and creates nothing; fixed, all five are imported
    #    and the sheet of one-time passwords is printed.
    page.goto(f"/judging/office/{year.pk}/")
    page.locator("#pages").get_by_role("link", name="批量导入账号").click()
    expect(page.get_by_role("heading", name="批量导入推荐单位管理员和评审专家")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载账号导入模板（.xlsx）").click()
    with open(download_info.value.path(), "rb") as handle:
        template = handle.read()
    dry_run(page, "2023年度账号.xlsx", filled_template(template, ACCOUNTS))
    expect(page.locator("#import-summary")).to_contain_text("共 5 行，其中 1 行有误")
    expect(page.locator("#report-row-6")).to_contain_text("推荐单位：“太原市城管局”不是系统中的推荐单位")
    expect(page.get_by_role("button", name=re.compile("^导入这"))).to_have_count(0)
    assert not User.objects.filter(username__in=[row[1] for row in ACCOUNTS]).exists()
    keep(page, DIR, "05-import-dry-run", phone=True)
    fixed = [row[:] for row in ACCOUNTS]
    fixed[4][3] = "市城乡管理局"
    dry_run(page, "2023年度账号（改）.xlsx", filled_template(template, fixed))
    expect(page.locator("#import-summary")).to_contain_text("共 5 行，全部可以导入")
    page.get_by_role("button", name="导入这 5 个账号").click()
    expect(page.get_by_role("heading", name="批量导入的 5 个账号的一次性密码")).to_be_visible()
    one_time = page.locator("#sheet-table tr", has_text="wanggang").locator(".password").inner_text().strip()
    keep(page, DIR, "06-one-time-passwords", phone=True)
    imported = {u.username: u for u in User.objects.filter(username__in=[row[1] for row in ACCOUNTS])}
    assert sorted(u.role for u in imported.values()) == sorted([Role.JUDGE] * 3 + [Role.OFFICER] * 2)
    assert imported["wanggang"].unit == chengguan and imported["wanggang"].must_change_password
    assert JudgeProfile.objects.get(user__username="zhaomin").organizations == ["山西大学", "太原市志愿服务联合会"]

    # 5. 市城乡管理局 gets 3 places in 最佳志愿服务组织 (the category's quota is 2).
    page.goto(f"/judging/office/{year.pk}/")
    page.locator("#pages").get_by_role("link", name="奖项与名额").click()
    page.locator("tr[data-category=ZZ]").get_by_role("link", name="编辑与单位名额").click()
    page.get_by_label(chengguan.name).fill("3")
    page.get_by_role("button", name="保存各单位名额").click()
    expect(page.locator(".messages")).to_contain_text("各单位推荐名额已保存（1 个单位有变化）")
    assert QuotaOverride.objects.get(category__competition=year, unit=chengguan).nomination_quota == 3
    keep(page, DIR, "07-quota-override", phone=True)

    # 6. The centre's 2019 award as 最佳志愿服务组织, won before this system, goes on the
    #    past-winner list.
    page.goto(f"/judging/office/{year.pk}/")
    page.locator("#pages").get_by_role("link", name="往年获奖名单").click()
    expect(page.get_by_role("heading", name="往年获奖名单")).to_be_visible()
    record = page.locator("#past-winner-new")
    record.get_by_label("年度").fill("2019")
    record.get_by_label("奖项").select_option(label="最佳志愿服务组织")
    record.get_by_label("名称（项目或组织）").fill(CENTRE)
    record.get_by_label("推荐单位").fill("太原市城乡管理局")
    record.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text(f"已记录：2019 年度最佳志愿服务组织“{CENTRE}”")
    expect(page.locator("#past-winner-list")).to_contain_text(CENTRE)
    assert PastWinner.objects.filter(year=2019, category_code="ZZ", title=CENTRE).count() == 1
    keep(page, DIR, "08-past-winner", phone=True)

    # 7. Open nominations: the console's next step leads to the dates page, which says why
    #    not yet (the copied dates lie in the past); the office moves them and opens.
    page.goto(f"/judging/office/{year.pk}/")
    expect(page.locator("#next-step")).to_contain_text("下一步：完成年度设置并开放申报")
    page.get_by_role("link", name="去完成年度设置并开放申报").click()
    expect(page.get_by_role("heading", name="2023年度日期与开放申报")).to_be_visible()
    expect(page.get_by_label("申报截止")).to_have_value("2023-08-31T17:00")
    expect(page.locator("#open-refusal")).to_have_text("还不能开放申报：申报截止时间已过，请先修改申报时间再开始申报。")
    keep(page, DIR, "09-dates-copied", phone=True)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    opens, closes, judged = today, today + dt.timedelta(days=30, hours=17), today + dt.timedelta(days=60, hours=17)
    page.get_by_label("申报开始").fill(local_input(opens))
    page.get_by_label("申报截止").fill(local_input(closes))
    page.get_by_label("评审截止").fill(local_input(judged))
    page.get_by_role("button", name="保存日期").click()
    expect(page.locator(".messages")).to_contain_text("日期已保存")
    expect(page.locator("#open-ready")).to_be_visible()
    keep(page, DIR, "10-dates-ready", phone=True)  # docs/images/01-open-competition.png
    page.get_by_role("button", name="开放申报").click()
    expect(page.locator(".messages")).to_contain_text(
        f"已开放申报：各推荐单位可在 {opens:%Y-%m-%d %H:%M} 至 {closes:%Y-%m-%d %H:%M} 新建和提交推荐。"
    )
    expect(page.locator("#opened")).to_contain_text("活动处于“申报推荐”阶段")
    year.refresh_from_db()
    assert year.phase == Phase.NOMINATING and year.nominations_close == closes
    assert AuditEntry.objects.filter(action="competition.advance", object_id=str(year.pk)).count() == 1
    keep(page, DIR, "11-nominations-open", phone=True)
    sign_out(page)

    # 8. 王刚, the new officer of 市城乡管理局, signs in with the one-time password, is held on
    #    the password page until he sets his own, and sees his unit's 3 places.
    login(page, "wanggang", one_time)
    expect(page.locator("#must-change-password")).to_be_visible()
    page.goto("/nominations/")
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    keep(page, DIR, "12-must-change-password", phone=True)
    page.get_by_label("原密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".messages")).to_contain_text("新密码已设置")
    assert not User.objects.get(username="wanggang").must_change_password
    page.locator(".site-header").get_by_role("link", name="本单位推荐").click()
    block = page.locator(f"#competition-{year.pk}")
    expect(block.locator("p.notice.ok")).to_contain_text("申报进行中")
    quota = block.locator("table.quota-table tbody tr")
    expect(quota.filter(has_text="最佳志愿服务组织").locator("td").nth(1)).to_have_text("3")
    expect(quota.filter(has_text="最佳志愿服务项目").locator("td").nth(1)).to_have_text("3")
    keep(page, DIR, "13-officer-quota", phone=True)

    # 9. 王刚 starts a nomination of the centre for 最佳志愿服务组织: as soon as its name is
    #    typed (the draft saves itself), the form warns that it won this award in 2019.
    quota.filter(has_text="最佳志愿服务组织").get_by_role("link", name="新建推荐").click()
    expect(page.get_by_role("heading", name="新建推荐：最佳志愿服务组织")).to_be_visible()
    page.get_by_label("组织名称").fill(CENTRE)
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"已自动保存 \d{2}:\d{2}"))
    page.wait_for_url(re.compile(r"/nominations/\d+/edit/$"))
    expect(page.locator("#warnings-card")).to_be_visible()
    expect(page.locator("#warnings")).to_contain_text("已于 2019 年度获评“最佳志愿服务组织”。")
    expect(page.get_by_text("本单位“最佳志愿服务组织”名额 3 个")).to_be_visible()
    nomination = Nomination.objects.get(competition=year, title=CENTRE)
    assert nomination.unit == chengguan and nomination.status == Status.DRAFT
    assert [w["code"] for w in nomination.warnings] == [EligibilityRule.PAST_WINNER]
    # The centre's supervising body typed beside its name: still the same past winner.
    with page.expect_response(lambda r: "/api/v1/nominations/" in r.url and r.request.method == "PATCH"):
        page.get_by_label("业务主管单位").fill("太原市城乡管理局")
    expect(page.locator("#warnings")).to_contain_text("已于 2019 年度获评“最佳志愿服务组织”。")
    nomination.refresh_from_db()
    assert nomination.organization == "太原市城乡管理局"
    assert [w["code"] for w in nomination.warnings] == [EligibilityRule.PAST_WINNER]
    keep(page, DIR, "14-past-winner-warning", phone=True)
    page.locator(".site-header").get_by_role("link", name="本单位推荐").click()
    row = page.locator(f"#competition-{year.pk} table.nomination-table tr", has_text=CENTRE)
    expect(row).to_contain_text("已于 2019 年度获评“最佳志愿服务组织”。")
    keep(page, DIR, "15-officer-list", phone=True)
