"""Correction during 资格审查 (issue 14), in a real browser.

After the nominations deadline the office returns a nomination with a 补正截止
on its page; the unit's officer reads the reason and the date, corrects the
field on the form and resubmits; the office accepts it. A second nomination,
returned earlier, whose correction period has passed, is marked 已逾期未更正
by the step to judging and shown so to the office and to the unit. Then the
office starts judging from the review queue.

Screenshots at 1280 and 390 px: ``artifacts/review-correction/``.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import AuditEntry, Competition, Unit
from nominations import services
from nominations.enums import Status
from nominations.models import Nomination
from tests.browser.office import keep, sign_out
from tests.factories import STRONG_PASSWORD
from tests.nominations.conftest import PROJECT, attach_required, competition_payload

pytestmark = pytest.mark.browser

PASSWORD = STRONG_PASSWORD
SHOTS = "review-correction"


@pytest.fixture
def world(live_server, transactional_db, django_db_serialized_rollback):
    """A year whose nominations closed two days ago, now in 资格审查: nomination A
    submitted; nomination B returned a week ago with a 补正截止 five days ago."""
    office = competition_services.user_create(
        actor=None, username="office-correction", password=PASSWORD, role=Role.OFFICE, display_name="市文明办"
    )
    officer = competition_services.user_create(
        actor=None,
        username="unit-140105",
        password=PASSWORD,
        role=Role.OFFICER,
        unit=Unit.objects.get(code="140105"),
        display_name="小店区推荐管理员",
    )
    now = timezone.now()
    during = now - dt.timedelta(days=10)
    competition = competition_services.competition_create(
        actor=office,
        data=competition_payload(2030, opens=now - dt.timedelta(days=20), closes=now - dt.timedelta(days=2)),
    )
    competition = competition_services.competition_advance(
        actor=office, competition=competition, to=Phase.NOMINATING, now=during
    )
    category = competition.categories.get(kind="project")
    nominations = []
    for order, title in ((1, "举手之劳·为树木松绑拔刺"), (2, "举手之劳·清除城市牛皮癣")):
        nomination = services.nomination_create(
            actor=officer,
            competition=competition,
            category=category,
            data={**PROJECT, "order": order, "title": title},
            now=during,
        )
        attach_required(nomination)
        nominations.append(services.nomination_submit(actor=officer, nomination=nomination, now=during))
    competition_services.competition_advance(actor=office, competition=competition, to=Phase.REVIEWING)
    a, b = nominations
    week_ago = now - dt.timedelta(days=7)
    with time_machine.travel(week_ago, tick=False):
        services.nomination_review(
            actor=office,
            nomination=b,
            decision="return",
            reason="请补充近三年的活动记录。",
            correct_by=timezone.localdate(week_ago) + dt.timedelta(days=2),
        )
    return {"office": office, "officer": officer, "competition": competition, "a": a, "b": b}


def test_unit_corrects_a_returned_nomination_after_the_deadline_and_a_lapsed_one_is_shown(
    world, page, login
):
    a, b, competition = world["a"], world["b"], world["competition"]
    b_correct_by = Nomination.objects.get(pk=b.pk).correct_by
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The office, after the deadline, in its review queue: B is returned with a past 补正截止.
    login(page, "office-correction", PASSWORD)
    page.goto("/nominations/review/")
    expect(page.get_by_role("heading", name="资格审查")).to_be_visible()
    row_b = page.locator("tr", has_text="清除城市牛皮癣")
    expect(row_b).to_contain_text("退回修改")
    expect(row_b).to_contain_text(f"补正截止 {b_correct_by:%Y-%m-%d}")

    # 2. 开始评审 first marks B as lapsed, then is refused: A still waits for review.
    page.get_by_role("button", name="资格审查完毕，开始评审").click()
    expect(page.locator(".messages")).to_contain_text("还有 1 项推荐未完成资格审查")
    expect(row_b).to_contain_text("已逾期未更正")
    keep(page, SHOTS, "01-office-queue-lapsed", phone=True)
    assert Nomination.objects.get(pk=b.pk).status == Status.LAPSED

    # 3. The office returns A with a 补正截止 of its choice (the field is prefilled with the default).
    page.locator("tr", has_text="为树木松绑拔刺").get_by_role("link", name="审查").click()
    correct_by = timezone.localdate() + dt.timedelta(days=3)
    date_field = page.get_by_label("补正截止")
    expect(date_field).to_have_value(_default(competition).isoformat())
    page.locator("#reason-return").fill("累计服务时长与活动记录不符，请核实后修改。")
    date_field.fill(correct_by.isoformat())
    keep(page, SHOTS, "02-office-returns", phone=True)
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator(".messages")).to_contain_text("审查结论已记录：退回修改")
    expect(page.locator("#correct-by")).to_contain_text(f"补正截止：{correct_by:%Y-%m-%d}")
    assert Nomination.objects.get(pk=a.pk).correct_by == correct_by

    # 4. While A's correction period runs, the step to judging is refused, naming A and its date.
    page.goto("/nominations/review/")
    page.get_by_role("button", name="资格审查完毕，开始评审").click()
    expect(page.locator(".messages")).to_contain_text(
        f"“举手之劳·为树木松绑拔刺”（补正截止 {correct_by:%Y-%m-%d}）"
    )
    keep(page, SHOTS, "03-office-step-refused", phone=True)
    sign_out(page)

    # 5. The unit's officer sees both on the list: A to correct by its date, B lapsed.
    login(page, "unit-140105", PASSWORD)
    page.goto("/nominations/")
    row_a = page.locator("table.nomination-table tr", has_text="为树木松绑拔刺")
    expect(row_a).to_contain_text(f"补正截止 {correct_by:%Y-%m-%d}")
    expect(page.locator("table.nomination-table tr", has_text="清除城市牛皮癣")).to_contain_text("已逾期未更正")
    keep(page, SHOTS, "04-unit-list", phone=True)

    # 6. A's page: the reason and the date; the unit corrects the field and resubmits.
    row_a.get_by_role("link", name="举手之劳·为树木松绑拔刺").click()
    expect(page.locator("#review-reason")).to_contain_text("累计服务时长与活动记录不符")
    expect(page.locator("#correct-by")).to_contain_text(f"补正截止：{correct_by:%Y-%m-%d}")
    keep(page, SHOTS, "05-unit-returned", phone=True)
    page.get_by_role("link", name="修改并重新提交").click()
    expect(page.locator("#returned-notice")).to_contain_text(f"补正截止：{correct_by:%Y-%m-%d}")
    hours = page.get_by_label("累计服务时长（小时）")
    expect(hours).to_be_enabled()
    hours.fill("98600")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#autosave-status")).to_contain_text("已自动保存")
    expect(page.locator("#submit-button")).to_be_enabled()
    keep(page, SHOTS, "06-unit-corrected", phone=True)
    page.get_by_role("button", name="重新提交").click()
    expect(page.locator(".messages")).to_contain_text("推荐已提交")
    expect(page.locator("h1 .badge")).to_have_text("已提交")
    corrected = Nomination.objects.get(pk=a.pk)
    assert (corrected.status, corrected.service_hours) == (Status.SUBMITTED, 98600)

    # 7. B's page tells the unit it lapsed, with its date.
    page.goto(f"/nominations/{b.pk}/")
    expect(page.locator("h1 .badge")).to_have_text("已逾期未更正")
    expect(page.locator("#lapsed")).to_contain_text(f"补正截止 {b_correct_by:%Y-%m-%d}")
    keep(page, SHOTS, "07-unit-lapsed", phone=True)
    sign_out(page)

    # 8. A is back in the office's queue; the office accepts it.
    login(page, "office-correction", PASSWORD)
    page.goto("/nominations/review/")
    row_a = page.locator("tr", has_text="为树木松绑拔刺")
    expect(row_a).to_contain_text("已提交")
    row_a.get_by_role("link", name="审查").click()
    expect(page.get_by_text("98,600")).to_be_visible()
    page.get_by_role("button", name="审查通过").click()
    expect(page.locator("h1 .badge")).to_have_text("审查通过")

    # 9. B's page for the office: 已逾期未更正, with the lapse in its history.
    page.goto(f"/nominations/{b.pk}/")
    expect(page.locator("h1 .badge")).to_have_text("已逾期未更正")
    expect(page.locator("#lapsed")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("逾期未更正")
    keep(page, SHOTS, "08-office-lapsed", phone=True)

    # 10. Now the step to judging goes through.
    page.goto("/nominations/review/")
    page.get_by_role("button", name="资格审查完毕，开始评审").click()
    expect(page.locator(".messages")).to_contain_text("进入“评审”阶段")
    keep(page, SHOTS, "09-office-judging", phone=True)
    assert Competition.objects.get(pk=competition.pk).phase == Phase.JUDGING
    actions = set(AuditEntry.objects.filter(object_id__in=[str(a.pk), str(b.pk)]).values_list("action", flat=True))
    assert {"nomination.review.return", "nomination.submit", "nomination.review.accept", "nomination.lapse"} <= actions


def _default(competition):
    from nominations.corrections import default_correct_by

    return default_correct_by(Competition.objects.get(pk=competition.pk))
