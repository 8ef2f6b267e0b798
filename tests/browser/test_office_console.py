"""The office's year from judging to the 云展馆 on its console pages, by clicking only (issue 12).

From a year in the judging phase with four accepted projects (built with
services): the office opens its 工作台 from the navigation, previews and saves
the automatic assignment of round 1, judges score on their own pages, the
office unlocks one scorecard (the judge reads why and scores again),
aggregates on the ranking page, closes round 1 and lands on assigning round 2,
which is scored and closed the same way. On the same competition the office
then publishes the 公示 with its notice (preview first), a citizen lodges an
objection on the public page, the office enters one received by letter,
resolves both (the public one upheld: the next ranked enters, shown before
confirming), finalises, downloads the 表彰名单, issues the certificates,
revokes and reissues one, publishes the 云展馆 and reads the statistics.
No API URL is typed or called and no /admin/ page opened. Every office page is
kept under artifacts/office-console/ (``*-1280.png``; ``*-390.png`` at phone
width, where the page must not scroll sideways).

The observer reads the judging pages without any action button, and every
action posted to the server anyway is refused with the 403 page, changing
nothing (the results pages' observer test is in test_office_results.py).

The 公示 period counts working days: the year runs under
``time_machine.travel`` (a Wednesday, then the day after the 公示 ends), which
moves the live server thread's clock too. Celery runs eagerly here (the test
settings), so certificates render within the request.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from certificates.enums import CertificateStatus
from certificates.models import Certificate
from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import AuditEntry, Competition, Unit
from exhibition.models import Exhibit
from judging import services
from judging.enums import AwardStatus, ObjectionStatus, ScorecardStatus
from judging.models import Assignment, Award, Objection, PanelMember, Publicity, Scorecard
from nominations.enums import Status
from nominations.models import Nomination
from tests.browser.office import keep as keep_in
from tests.browser.office import post_as_a_form, sign_out, tab
from tests.certificates.conftest import WORDING, _seals
from tests.factories import STRONG_PASSWORD
from tests.nominations.conftest import competition_payload

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.datetime(2033, 12, 7, 10, 0, tzinfo=SHANGHAI)

PROJECTS = [
    ("140105", "举手之劳·为树木松绑拔刺"),
    ("140105", "“红马甲”社区助老服务"),
    ("140106", "汾河晚报爱心送考"),
    ("140107", "留守儿童周末课堂"),
]


def keep(page, name: str, *, phone: bool = False) -> None:
    keep_in(page, "office-console", name, phone=phone)


@pytest.fixture
def clock():
    """A Wednesday in December 2033 (ticking), for the server thread too."""
    with time_machine.travel(WEDNESDAY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def year(clock):
    """Four accepted projects (XM: two awards) and three judges; round 1 advances three to round 2."""
    office = competition_services.user_create(
        actor=None, username="office-console", password=STRONG_PASSWORD, role=Role.OFFICE, display_name="市文明办"
    )
    observer = competition_services.user_create(
        actor=None, username="observer-console", password=STRONG_PASSWORD, role=Role.OBSERVER
    )
    now = timezone.now()
    payload = competition_payload(2033, opens=now - dt.timedelta(days=30), closes=now - dt.timedelta(days=1))
    payload["judging_close"] = now + dt.timedelta(days=20)
    payload["rounds"] = [
        {"name": "初评", "method": "mean", "judges_per_nomination": 2, "advance_per_category": 3, "weight": "0.4"},
        {"name": "终评", "method": "mean", "judges_per_nomination": 2, "weight": "0.6"},
    ]
    payload["categories"][0]["award_quota"] = 2  # so that an upheld objection lets the third finalist in
    competition = competition_services.competition_create(actor=office, data=payload)
    Competition.objects.filter(pk=competition.pk).update(phase=Phase.JUDGING, certificate_wording=WORDING)
    competition.refresh_from_db()
    _seals(competition)
    category = competition.categories.get(code="XM")
    nominations = Nomination.objects.bulk_create(
        Nomination(
            competition=competition,
            category=category,
            unit=Unit.objects.get(code=code),
            order=i + 1,
            status=Status.ACCEPTED,
            title=title,
            organization=f"{title}志愿服务队",
            introduction="常态化开展志愿服务。",
            summary="项目自2016年启动，累计服务时长超过十万小时。",
            started_on=dt.date(2016, 3, 5),
            volunteers=300,
            active_volunteers=200,
            pledge=True,
        )
        for i, (code, title) in enumerate(PROJECTS)
    )
    judges = []
    for username, name, unit in (
        ("judge-zhang", "张明华", Unit.objects.get(code="140105")),
        ("judge-li", "李建国", None),
        ("judge-wang", "王丽", None),
    ):
        user = competition_services.user_create(
            actor=None, username=username, password=STRONG_PASSWORD, role=Role.JUDGE, display_name=name
        )
        competition_services.judge_profile_set(actor=None, user=user, name=name, unit=unit, organizations=[])
        judges.append(user)
    return {
        "office": office,
        "observer": observer,
        "competition": competition,
        "rounds": list(competition.rounds.order_by("order")),
        "nominations": nominations,
        "judges": judges,
    }


def pairs(round_) -> set[tuple[int, int]]:
    return set(Assignment.objects.filter(round=round_).values_list("judge_id", "nomination_id"))


def score_on_the_judges_pages(page, login, judge, *, first_time: bool, points: dict[int, str]) -> int:
    """The judge signs the pledge (first time), opens each unscored assignment and submits it."""
    login(page, judge.username, STRONG_PASSWORD)
    page.locator(".site-header").get_by_role("link", name="我的评审任务").click()
    if first_time:
        page.get_by_label("我已认真阅读以上承诺书，并承诺遵守。").check()
        page.get_by_role("button", name="签署承诺书").click()
        expect(page.locator(".messages")).to_contain_text("评审承诺书已签署")
    done = 0
    while True:
        start = page.get_by_role("link", name=re.compile("开始评分|继续评分"))
        if start.count() == 0:
            break
        row = start.first.locator("xpath=ancestor::tr")
        assignment_id = int(row.get_attribute("data-id"))
        start.first.click()
        page.wait_for_url(f"**/judging/assignments/{assignment_id}/")
        nomination_id = Assignment.objects.get(pk=assignment_id).nomination_id
        for field in page.locator("input.score").all():
            field.fill(points[nomination_id] if float(field.get_attribute("max")) >= 20 else "8")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="提交评分").click()
        expect(page.locator("#submitted-notice")).to_contain_text("提交并锁定")
        done += 1
        page.locator(".crumbs").get_by_role("link", name="我的评审任务").click()
    sign_out(page)
    return done


def test_the_office_runs_the_year_on_its_pages(page, browser, live_server, login, year):
    office, judges = year["office"], year["judges"]
    round1, round2 = year["rounds"]
    nominations = year["nominations"]
    # Distinct scores per project: the first is best.
    points = {n.pk: str(18 - 2 * i) for i, n in enumerate(nominations)}

    # 1. The office's 工作台 from the navigation: the stage and the next step.
    login(page, office.username, STRONG_PASSWORD)
    page.locator("#nav-console").click()
    expect(page.locator("#year-title")).to_contain_text(year["competition"].title)
    expect(page.locator("#next-step")).to_contain_text("下一步：分配评审任务")
    keep(page, "01-year", phone=True)

    # The panels page (评审组) and the conflict report are a click away.
    page.locator("#pages").get_by_role("link", name="评审组").click()
    expect(page.get_by_role("heading", name="评审组", exact=True)).to_be_visible()
    keep(page, "02-panels")
    page.locator(".crumbs").get_by_role("link", name="2033年度").click()

    # 2. Automatic assignment of round 1: preview (nothing written), then save.
    page.locator("#next-step-button").click()
    expect(page.get_by_role("heading", name="分配评委：初评")).to_be_visible()
    keep(page, "03-assign-round1-empty")
    page.get_by_label("随机种子").fill("7")
    page.get_by_role("button", name="预览分配").click()
    expect(page.locator("#preview")).to_contain_text("分配预览（尚未保存）")
    expect(page.locator("#preview-created")).to_have_text("8")
    expect(page.locator("#preview-avoided")).to_contain_text("judge-zhang")
    assert not Assignment.objects.filter(round=round1).exists(), "the preview wrote nothing"
    expected = set(services.assignment_plan(round_=round1, seed=7).new_pairs)
    keep(page, "04-assign-round1-preview", phone=True)
    page.get_by_role("button", name="确认并保存分配").click()
    expect(page.locator(".messages")).to_contain_text("自动分配已保存：新增 8 项评审任务")
    assert pairs(round1) == expected, "what was saved is what was previewed"
    # 张明华 (小店区) got neither 小店区 project.
    zhang = judges[0]
    assert not Assignment.objects.filter(round=round1, judge=zhang, nomination__unit__code="140105").exists()
    keep(page, "05-assign-round1-saved", phone=True)
    page.get_by_role("link", name="回避冲突").click()
    expect(page.locator("#conflict-none")).to_be_visible()
    keep(page, "06-conflicts-round1")
    sign_out(page)

    # 3. The judges score on their own pages.
    for judge in judges:
        score_on_the_judges_pages(page, login, judge, first_time=True, points=points)
    assert Scorecard.objects.filter(assignment__round=round1, status=ScorecardStatus.SUBMITTED).count() == 8

    # 4. The office: progress board with pledges, and one scorecard unlocked with a reason.
    login(page, office.username, STRONG_PASSWORD)
    page.locator("#nav-console").click()
    expect(page.locator("#next-step")).to_contain_text("下一步：计算排名并结束本轮评审")
    page.locator(f'tr[data-round="{round1.pk}"]').get_by_role("link", name="评审进度").click()
    expect(page.get_by_role("heading", name="评审进度：初评")).to_be_visible()
    expect(page.locator("#judge-progress .pledge-status").first).to_have_text("已签署")
    unlocked = Assignment.objects.filter(round=round1, judge=judges[1]).order_by("pk").first()
    block = page.locator(f'#unlock details[data-judge="{judges[1].pk}"]')
    block.locator("summary").click()
    row = block.locator(f'tr[data-assignment="{unlocked.pk}"]')
    row.get_by_role("button", name="解锁").click()  # no reason: the browser asks for it
    assert Scorecard.objects.get(assignment=unlocked).status == ScorecardStatus.SUBMITTED
    row.get_by_label("解锁理由").fill("“社会效益”一项评分与评语不一致，请核实")
    keep(page, "07-progress-round1", phone=True)
    row.get_by_role("button", name="解锁").click()
    expect(page.locator(".messages")).to_contain_text("已解锁评委")
    assert Scorecard.objects.get(assignment=unlocked).status == ScorecardStatus.DRAFT
    sign_out(page)

    # 5. The judge reads why and scores again.
    login(page, judges[1].username, STRONG_PASSWORD)
    page.locator(".site-header").get_by_role("link", name="我的评审任务").click()
    page.locator(f'tr[data-id="{unlocked.pk}"]').get_by_role("link").first.click()
    expect(page.locator("#unlock-notice")).to_contain_text("理由：“社会效益”一项评分与评语不一致，请核实")
    keep(page, "08-judge-reads-the-unlock")
    sign_out(page)
    score_on_the_judges_pages(page, login, judges[1], first_time=False, points=points)
    assert Scorecard.objects.get(assignment=unlocked).status == ScorecardStatus.SUBMITTED

    # 6. Aggregation on the ranking page (progress on the page), then closing round 1.
    login(page, office.username, STRONG_PASSWORD)
    page.locator("#nav-console").click()
    page.locator(f'tr[data-round="{round1.pk}"]').get_by_role("link", name="排名").click()
    page.locator("button[data-method=mean]").click()
    # The page moves on when the aggregation job is done: with two test processes on two
    # cores that took over 10 s once (the whole-year test gives the same step 60 s).
    page.wait_for_url(re.compile(r"method=mean"), timeout=60_000)
    expect(page.locator("#current-method")).to_have_text("算术平均")
    expect(page.locator("#export-xlsx")).to_be_visible()
    expect(page.locator("#export-pdf")).to_be_visible()
    expect(page.locator(".ranking-table tbody tr").first).to_contain_text(nominations[0].title)
    keep(page, "09-ranking-round1", phone=True)
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_label(re.compile("确认")).check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结束本轮评审").click()

    # 7. Closing leads straight to assigning round 2 (the three advancing projects).
    expect(page.get_by_role("heading", name="分配评委：终评")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("下一步：分配“终评”评审任务")
    round1.refresh_from_db()
    assert round1.closed_at is not None
    page.get_by_role("button", name="预览分配").click()
    expect(page.locator("#preview-created")).to_have_text("6")
    keep(page, "10-assign-round2-preview")
    page.get_by_role("button", name="确认并保存分配").click()
    expect(page.locator(".messages")).to_contain_text("新增 6 项评审任务")
    assert {n for _j, n in pairs(round2)} == {n.pk for n in nominations[:3]}
    keep(page, "11-assign-round2-saved")
    sign_out(page)

    for judge in judges:
        if Assignment.objects.filter(round=round2, judge=judge).exists():
            score_on_the_judges_pages(page, login, judge, first_time=False, points=points)

    # 8. Round 2 is closed: every round is over, the next step is the 公示.
    login(page, office.username, STRONG_PASSWORD)
    page.locator("#nav-console").click()
    page.locator(f'tr[data-round="{round2.pk}"]').get_by_role("link", name="评审进度").click()
    expect(page.locator("#submitted-total")).to_have_text("6")
    keep(page, "12-progress-round2")
    page.get_by_role("link", name="排名", exact=True).click()
    page.get_by_label(re.compile("确认")).check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结束本轮评审").click()
    expect(page.locator(".messages")).to_contain_text("各轮评审均已结束")
    keep(page, "13-ranking-round2-closed", phone=True)
    round2.refresh_from_db()
    assert round2.closed_at is not None
    page.locator("#nav-console").click()
    expect(page.locator("#next-step")).to_contain_text("下一步：发布公示")
    keep(page, "14-year-after-judging")

    # 9. The results of the same competition: 工作台 › 公示与表彰 › 概览.
    competition = year["competition"]
    titles = [n.title for n in nominations]
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations (data-confirm) say yes
    page.locator("#pages").get_by_role("link", name="概览", exact=True).click()
    expect(page.get_by_role("heading", name="公示与表彰")).to_be_visible()
    expect(page.locator("#next-step")).to_have_text("下一步：发布公示")
    keep(page, "15-results-overview", phone=True)

    # 10. 公示: the notice, a refusal shown on the page, the preview, then publishing.
    page.locator("#next-step").click()
    page.get_by_label("联系电话").fill("")
    page.get_by_role("button", name="预览").click()
    expect(page.locator(".errorlist")).to_contain_text("联系电话：请填写组委会办公室受理异议的电话。")
    page.get_by_label("联系电话").fill("0351-4040123")
    page.get_by_label("通讯地址").fill("太原市迎泽区迎泽大街 100 号")
    page.get_by_label("电子邮箱").fill("wmb@example.org")
    keep(page, "16-publicity-form", phone=True)
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#preview")).to_contain_text(titles[0])
    expect(page.locator("#preview")).to_contain_text(titles[1])
    expect(page.locator("#preview")).not_to_contain_text(titles[2])  # two awards: the third finalist waits
    expect(page.locator("#preview")).to_contain_text("0351-4040123")
    assert not Publicity.objects.exists(), "the preview published nothing"
    keep(page, "17-publicity-preview", phone=True)
    page.get_by_role("button", name="确认发布公示").click()
    expect(page.locator("#published")).to_be_visible()
    keep(page, "18-publicity-published")
    publicity = Publicity.objects.get(competition=competition)
    assert publicity.contact_email == "wmb@example.org"
    assert Competition.objects.get(pk=competition.pk).phase == Phase.PUBLICITY
    with page.expect_download() as download:
        page.locator("#publicity-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # 11. A citizen objects on the public page (another browser context: not signed in).
    public = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        citizen = public.new_page()
        citizen.goto(f"/publicity/{competition.pk}/")
        expect(citizen.locator("#notice")).to_contain_text("0351-4040123")
        citizen.get_by_label("异议对象").select_option(str(nominations[1].pk))
        citizen.get_by_label("姓名").fill("张三")
        citizen.get_by_label("手机号码").fill("13912345678")
        citizen.get_by_label("异议内容").fill("该项目申报的累计服务时长与实际开展情况不符，请组委会核实。")
        citizen.get_by_role("button", name="提交异议").click()
        expect(citizen.locator("#objection-message")).to_contain_text("异议已收到")
        keep_in(citizen, "office-console", "19-public-objection")
    finally:
        public.close()

    # 12. The office enters an objection received by letter, and dismisses it (confirmation first).
    tab(page, "异议")
    page.locator("#enter-objection").click()
    page.get_by_label("异议对象").select_option(str(nominations[0].pk))
    page.get_by_label("提出方式").select_option("letter")
    page.get_by_label("姓名").fill("李四")
    page.get_by_label("手机号码").fill("13800001111")
    page.get_by_label("异议内容").fill("来信反映该项目的志愿者人数统计口径有误，请核实。")
    keep(page, "20-objection-enter", phone=True)
    page.locator("#enter-submit").click()
    expect(page.locator(".messages")).to_contain_text("已登记来信异议")
    letter = Objection.objects.get(channel="letter")
    assert letter.entered_by == office
    page.get_by_label("异议不成立").check()
    page.get_by_label("处理意见").fill("经核实，志愿者人数有平台记录为证，异议不成立。")
    page.locator("#resolve-next").click()
    expect(page.locator("#confirm")).to_contain_text("名单不变")
    page.locator("#confirm-resolve").click()
    expect(page.locator(".messages")).to_contain_text("异议已处理：不成立")
    assert Objection.objects.get(pk=letter.pk).status == ObjectionStatus.DISMISSED
    keep(page, "21-objection-dismissed", phone=True)

    # 13. The public one is upheld: who leaves and who enters is shown before confirming.
    tab(page, "异议")
    page.get_by_label("状态").select_option("open")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#objection-list tbody tr")).to_have_count(1)
    keep(page, "22-objections-list", phone=True)
    page.locator("#objection-list").get_by_role("link", name="处理").click()
    page.get_by_label("异议成立").check()
    page.get_by_label("处理意见").fill("经核实，该项目服务时长存在重复统计，异议成立。")
    page.locator("#resolve-next").click()
    expect(page.locator("#leaving")).to_contain_text(titles[1])
    expect(page.locator("#entering")).to_contain_text(titles[2])
    keep(page, "23-objection-uphold-confirm", phone=True)
    assert Objection.objects.get(channel="online").status == ObjectionStatus.OPEN, "nothing before confirming"
    page.locator("#confirm-resolve").click()
    expect(page.locator(".messages")).to_contain_text("异议已处理：成立")
    assert Objection.objects.get(channel="online").status == ObjectionStatus.UPHELD
    assert Award.objects.get(nomination=nominations[2]).status == AwardStatus.PROPOSED

    # Finalising before the 公示 ends: refused in the service's words.
    tab(page, "确定结果")
    expect(page.locator("#refusal")).to_contain_text("公示期满后才能确定结果")

    after_publicity = dt.datetime.combine(publicity.ends_on + dt.timedelta(days=1), dt.time(10), SHANGHAI)
    with time_machine.travel(after_publicity, tick=True):
        # 14. Finalise: the changes since the 公示 highlighted, a confirmation, the 表彰名单.
        page.reload()
        expect(page.locator("tr.change-removed")).to_contain_text(titles[1])
        expect(page.locator("tr.change-entered")).to_contain_text(titles[2])
        keep(page, "24-finalize", phone=True)
        page.get_by_label(re.compile("我已核对以上名单")).check()
        page.locator("#finalize-submit").click()
        expect(page.get_by_role("heading", name="表彰名单")).to_be_visible()
        assert Competition.objects.get(pk=competition.pk).phase == Phase.FINAL
        keep(page, "25-honours", phone=True)
        with page.expect_download() as xlsx:
            page.locator("#honours-xlsx").click()
        assert xlsx.value.suggested_filename.endswith(".xlsx")
        with page.expect_download() as pdf:
            page.locator("#honours-pdf").click()
        assert pdf.value.suggested_filename.endswith(".pdf")

        # 15. Certificates: issue, revoke one with a reason, reissue it.
        tab(page, "荣誉证书")
        page.locator("#issue-certificates").click()
        page.wait_for_url(re.compile(r"/certificates/batches/\d+/$"))
        expect(page.locator("#batch-status")).to_have_text("已完成", timeout=60_000)
        keep(page, "26-certificate-batch")
        page.get_by_role("link", name=re.compile("的荣誉证书")).click()
        winners = {nominations[0].pk, nominations[2].pk}
        issued = Certificate.objects.filter(competition=competition, status=CertificateStatus.ISSUED)
        assert set(issued.values_list("award__nomination_id", flat=True)) == winners
        target = Certificate.objects.get(award__nomination=nominations[2])
        row = page.locator(f"#certificate-{target.pk}")
        row.locator("summary", has_text="撤销").click()
        row.get_by_label("撤销理由").fill("获奖者名称有误，撤销后更正。")
        row.get_by_role("button", name="撤销证书").click()
        expect(page.locator(".messages")).to_contain_text("已撤销")
        expect(page.locator(f"#certificate-{target.pk}")).to_contain_text("已撤销")
        assert Certificate.objects.get(pk=target.pk).status == CertificateStatus.REVOKED
        keep(page, "27-certificate-revoked", phone=True)
        row = page.locator(f"#certificate-{target.pk}")
        row.locator("summary", has_text="重新生成").click()
        row.get_by_label("理由").fill("名称已更正，重新颁发。")
        row.get_by_role("button", name="重新生成").click()
        expect(page.locator(".messages")).to_contain_text("已重新生成")
        assert Certificate.objects.get(pk=target.pk).status == CertificateStatus.ISSUED
        page.get_by_label("状态").select_option("issued")
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("#certificate-list tbody tr")).to_have_count(2)
        keep(page, "28-certificates")

        # 16. The 云展馆 and the statistics.
        tab(page, "云展馆")
        page.locator("#publish-exhibition").click()
        expect(page.locator(".messages")).to_contain_text("已发布到云展馆：新增 2 个展品")
        assert set(Exhibit.objects.filter(competition=competition).values_list("nomination_id", flat=True)) == winners
        keep(page, "29-exhibition", phone=True)
        tab(page, "数据统计")
        totals = page.locator("#totals li")
        expect(totals.filter(has_text="审查通过").locator("strong")).to_have_text("4")
        expect(totals.filter(has_text="获评").locator("strong")).to_have_text("2")
        expect(page.locator("svg.bar-chart").first).to_be_visible()
        keep(page, "30-statistics", phone=True)
        with page.expect_download() as stats:
            page.locator("#statistics-xlsx").click()
        assert stats.value.suggested_filename.endswith(".xlsx")
        tab(page, "概览")
        expect(page.locator("#next-step")).to_contain_text("颁发荣誉证书")
        keep(page, "31-overview-final")
    assert "/api/" not in page.url and "/admin/" not in page.url


# The console's actions, as an observer's forged POSTs would reach them.
ACTIONS = [
    ("assign/preview/", "round", {"seed": "7"}),
    ("assign/auto/", "round", {"seed": "7"}),
    ("assign/add/", "round", {"judge": "{judge}", "nomination": "{nomination}"}),
    ("withdraw/", "round", {"judge": "{judge}", "reason": "理由"}),
    ("close/", "round", {"confirm": "on"}),
    ("remove/", "assignment", {"reason": "理由"}),
    ("replace/", "assignment", {"judge": "{judge}"}),
    ("reassign/", "assignment", {}),
    ("exclude/", "assignment", {"reason": "理由"}),
    ("unlock/", "assignment", {"reason": "理由"}),
    ("panels/save/", "competition", {"category": "{category}", "judges": "{judge}"}),
]


def test_the_observer_reads_every_page_and_every_action_is_refused(page, login, year):
    office, judges, observer = year["office"], year["judges"], year["observer"]
    round1 = year["rounds"][0]
    competition = year["competition"]
    services.assignments_auto(actor=office, round_=round1, seed=7)
    for a in Assignment.objects.filter(round=round1).select_related("judge", "nomination__category"):
        services.pledge_accept(judge=a.judge, competition=competition)
        scores = {c.pk: 10 for c in a.nomination.category.criteria.all()}
        services.scorecard_save(judge=a.judge, assignment=a, scores=scores, comment="", version=0)
        services.scorecard_submit(judge=a.judge, assignment=a)
    services.snapshot_compute(round_=round1, method="mean")
    assignment = Assignment.objects.filter(round=round1).first()

    login(page, observer.username, STRONG_PASSWORD)
    page.locator("#nav-console").click()
    expect(page.locator("#next-step")).to_contain_text("下一步：计算排名并结束本轮评审")
    expect(page.get_by_text("您以监督员身份查看，所有页面只读。")).to_be_visible()
    keep(page, "observer-01-year", phone=True)
    pages = [
        ("分配评委", "observer-02-assign"),
        ("评审进度", "observer-03-progress"),
        ("回避冲突", "observer-04-conflicts"),
        ("排名", "observer-05-ranking"),
    ]
    for link, name in pages:
        page.locator("#nav-console").click()
        page.locator(f'tr[data-round="{round1.pk}"]').get_by_role("link", name=link, exact=True).click()
        expect(page.locator("main form[method=post]")).to_have_count(0)
        for label in ("预览分配", "解锁", "移出并另行安排评委", "结束本轮评审", "添加", "退出本轮"):
            expect(page.get_by_role("button", name=label, exact=True)).to_have_count(0)
        keep(page, name)
    page.locator("#nav-console").click()
    page.locator("#pages").get_by_role("link", name="评审组").click()
    expect(page.locator("main form[method=post]")).to_have_count(0)
    keep(page, "observer-06-panels")

    values = {
        "judge": str(judges[2].pk),
        "nomination": str(year["nominations"][0].pk),
        "category": str(competition.categories.get(code="XM").pk),
    }
    ids = {"round": f"rounds/{round1.pk}/", "assignment": f"assignments/{assignment.pk}/", "competition": f"{competition.pk}/"}

    def state():
        return (
            sorted(Assignment.objects.values_list("pk", "judge_id", "nomination_id")),
            sorted(Scorecard.objects.values_list("pk", "status", "version")),
            PanelMember.objects.count(),
            AuditEntry.objects.exclude(action__startswith="auth.").count(),
        )

    before = state()
    for path, takes, data in ACTIONS:
        body = {k: values[v[1:-1]] if v.startswith("{") else v for k, v in data.items()}
        url = f"/judging/office/{ids[takes]}{path}"
        post_as_a_form(page, url, body)
        expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
        assert page.url.endswith(url), page.url
        if path == "unlock/":
            keep(page, "observer-07-refused")
        page.go_back()
    assert state() == before, "a refused action changed something"
    round1.refresh_from_db()
    assert round1.closed_at is None
