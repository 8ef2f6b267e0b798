"""The office's second half of the year in a browser, by clicking only (issue 12 items 5–9, 11).

From a competition whose final round is closed (built with services), the
office publishes the 公示 with its notice (preview first), a citizen lodges
an objection on the public page, the office enters one received by letter,
resolves both (the public one upheld: the next ranked enters, shown before
confirming), finalises, downloads the 表彰名单, issues the certificates,
revokes and reissues one, publishes the 云展馆 and reads the statistics. The
test types no API URL, calls no API and opens no ``/admin/`` page; the
office's pages are reached from ``/`` by clicking. Screenshots of every
office page: ``artifacts/office-results/`` at 1280 px, some at 390 px.

The observer's test reads the same pages (a competition in its 公示 and a
final one), finds no action button on them, and every action it posts
anyway (with its session and CSRF token, as a form would) is refused with 403.

The 公示 period depends on the calendar: the steps run under
``time_machine.travel`` (a Wednesday, then the day after the 公示 ends),
which moves the live server thread's clock too. Celery runs eagerly here
(the test settings), so certificates render within the request.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from certificates.enums import CertificateStatus
from certificates.models import Certificate
from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Competition, Unit
from exhibition.models import Exhibit
from judging import services as judging_services
from judging.enums import AwardStatus, ObjectionStatus
from judging.models import Award, Objection, Publicity
from tests.browser.conftest import REPO_ROOT
from tests.certificates.conftest import WORDING, _seals
from tests.judging.conftest import accepted, judging_competition, make_judge, score_all

pytestmark = pytest.mark.browser

PASSWORD = "Xlf-test-pass-2026"
SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.datetime(2036, 12, 3, 10, 0, tzinfo=SHANGHAI)
SHOTS = REPO_ROOT / "artifacts" / "office-results"
TITLES = ["举手之劳·为树木松绑拔刺", "汾河晚报爱心送考", "晋祠社区邻里守望", "清除城市牛皮癣", "阳光助残在行动"]
PHONE_VIEW = {"width": 390, "height": 844}
DESKTOP_VIEW = {"width": 1280, "height": 900}


def snap(page, name: str, *, phone: bool = False) -> Path:
    """A full-page screenshot under artifacts/office-results/ (and at 390 px when ``phone``)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    path = SHOTS / f"{name}-1280.png"
    page.screenshot(path=str(path), full_page=True)
    if phone:
        page.set_viewport_size(PHONE_VIEW)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name}: the page is {overflow}px wider than a phone"
        page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
        page.set_viewport_size(DESKTOP_VIEW)
    return path


def closed_year(*, year: int = 2036) -> tuple[Competition, list]:
    """A competition in judging whose only (final) round is closed: five projects ranked 1 to 5."""
    office = competition_services.user_create(actor=None, username="office", password=PASSWORD, role=Role.OFFICE)
    competition = judging_competition(office, year=year, judges_per_nomination=3)
    Competition.objects.filter(pk=competition.pk).update(
        title=f"{year}年度太原市学雷锋志愿服务先进典型推选", certificate_wording=WORDING
    )
    competition.refresh_from_db()
    _seals(competition)
    xm = competition.categories.get(code="XM")
    units = list(Unit.objects.order_by("order")[:5])
    nominations = [
        accepted(competition, xm, unit, title=title, organization=f"{unit.short_name}志愿服务队")[0]
        for unit, title in zip(units, TITLES, strict=True)
    ]
    for i in range(3):
        make_judge(username=f"judge-r{i}")
    round_ = competition.rounds.get(order=1)
    judging_services.assignments_auto(actor=office, round_=round_, seed=1)
    rank = {n.pk: i for i, n in enumerate(nominations)}
    score_all(round_, lambda judge, nomination, c: max(Decimal(0), c.max_points - 2 * rank[nomination.pk]))
    judging_services.round_close(actor=office, round_=round_)
    return competition, nominations


def tab(page, name: str) -> None:
    """Click one of the results pages' tabs."""
    page.locator(".results-tabs").get_by_role("link", name=name, exact=True).click()


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_office_runs_the_results_by_clicking(page, browser, live_server):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations (data-confirm) say yes
    with time_machine.travel(WEDNESDAY, tick=True):
        competition, noms = closed_year()
        sign_in(page, "office")

        # From "/": 评审与排名 → 公示与表彰 (two clicks).
        page.goto("/")
        page.get_by_role("link", name="评审与排名").click()
        page.locator("a.results-link").first.click()
        expect(page.get_by_role("heading", name="公示与表彰")).to_be_visible()
        expect(page.locator("#next-step")).to_have_text("下一步：发布公示")
        snap(page, "01-overview", phone=True)

        # 公示: the notice, a refusal shown on the page, the preview, then publishing.
        page.locator("#next-step").click()
        page.get_by_label("联系电话").fill("")
        page.get_by_role("button", name="预览").click()
        expect(page.locator(".errorlist")).to_contain_text("联系电话：请填写组委会办公室受理异议的电话。")
        page.get_by_label("联系电话").fill("0351-4040123")
        page.get_by_label("通讯地址").fill("太原市迎泽区迎泽大街 100 号")
        page.get_by_label("电子邮箱").fill("wmb@example.org")
        snap(page, "02-publicity-form", phone=True)
        page.get_by_role("button", name="预览").click()
        expect(page.locator("#preview")).to_contain_text(TITLES[0])
        expect(page.locator("#preview")).to_contain_text("0351-4040123")
        assert not Publicity.objects.exists()
        snap(page, "03-publicity-preview", phone=True)
        page.get_by_role("button", name="确认发布公示").click()
        expect(page.locator("#published")).to_be_visible()
        snap(page, "04-publicity-published")
        publicity = Publicity.objects.get(competition=competition)
        assert publicity.contact_email == "wmb@example.org"
        with page.expect_download() as download:
            page.locator("#publicity-pdf").click()
        assert download.value.suggested_filename.endswith(".pdf")

        # A citizen objects on the public page (another browser context: not signed in).
        public = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
        citizen = public.new_page()
        citizen.goto(f"/publicity/{competition.pk}/")
        expect(citizen.locator("#notice")).to_contain_text("0351-4040123")
        citizen.get_by_label("异议对象").select_option(str(noms[1].pk))
        citizen.get_by_label("姓名").fill("张三")
        citizen.get_by_label("手机号码").fill("13912345678")
        citizen.get_by_label("异议内容").fill("该项目申报的累计服务时长与实际开展情况不符，请组委会核实。")
        citizen.get_by_role("button", name="提交异议").click()
        expect(citizen.locator("#objection-message")).to_contain_text("异议已收到")
        SHOTS.mkdir(parents=True, exist_ok=True)
        citizen.screenshot(path=str(SHOTS / "05-public-objection-1280.png"), full_page=True)
        public.close()

        # The office enters an objection received by letter.
        tab(page, "异议")
        page.locator("#enter-objection").click()
        page.get_by_label("异议对象").select_option(str(noms[0].pk))
        page.get_by_label("提出方式").select_option("letter")
        page.get_by_label("姓名").fill("李四")
        page.get_by_label("手机号码").fill("13800001111")
        page.get_by_label("异议内容").fill("来信反映该项目的志愿者人数统计口径有误，请核实。")
        snap(page, "06-objection-enter", phone=True)
        page.locator("#enter-submit").click()
        expect(page.locator(".messages")).to_contain_text("已登记来信异议")
        letter = Objection.objects.get(channel="letter")
        assert letter.entered_by.username == "office"

        # Dismiss it: the confirmation first.
        page.get_by_label("异议不成立").check()
        page.get_by_label("处理意见").fill("经核实，志愿者人数有平台记录为证，异议不成立。")
        page.locator("#resolve-next").click()
        expect(page.locator("#confirm")).to_contain_text("名单不变")
        page.locator("#confirm-resolve").click()
        expect(page.locator(".messages")).to_contain_text("异议已处理：不成立")
        snap(page, "07-objection-dismissed", phone=True)

        # Uphold the public one: who leaves and who enters is shown before confirming.
        tab(page, "异议")
        page.get_by_label("状态").select_option("open")
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("#objection-list tbody tr")).to_have_count(1)
        snap(page, "08-objections-list", phone=True)
        page.locator("#objection-list").get_by_role("link", name="处理").click()
        page.get_by_label("异议成立").check()
        page.get_by_label("处理意见").fill("经核实，该项目服务时长存在重复统计，异议成立。")
        page.locator("#resolve-next").click()
        expect(page.locator("#leaving")).to_contain_text(TITLES[1])
        expect(page.locator("#entering")).to_contain_text(TITLES[3])
        snap(page, "09-objection-uphold-confirm", phone=True)
        assert Objection.objects.get(channel="online").status == ObjectionStatus.OPEN
        page.locator("#confirm-resolve").click()
        expect(page.locator(".messages")).to_contain_text("异议已处理：成立")
        assert Award.objects.get(nomination=noms[3]).status == AwardStatus.PROPOSED

        # Finalising before the 公示 ends: refused in the service's words.
        tab(page, "确定结果")
        expect(page.locator("#refusal")).to_contain_text("公示期满后才能确定结果")

    with time_machine.travel(dt.datetime.combine(publicity.ends_on + dt.timedelta(days=1), dt.time(10), SHANGHAI), tick=True):
        page.reload()
        expect(page.locator("tr.change-removed")).to_contain_text(TITLES[1])
        expect(page.locator("tr.change-entered")).to_contain_text(TITLES[3])
        snap(page, "10-finalize", phone=True)
        page.get_by_label(re.compile("我已核对以上名单")).check()
        page.locator("#finalize-submit").click()
        expect(page.get_by_role("heading", name="表彰名单")).to_be_visible()
        assert Competition.objects.get(pk=competition.pk).phase == Phase.FINAL
        snap(page, "11-honours", phone=True)
        with page.expect_download() as xlsx:
            page.locator("#honours-xlsx").click()
        assert xlsx.value.suggested_filename.endswith(".xlsx")
        with page.expect_download() as pdf:
            page.locator("#honours-pdf").click()
        assert pdf.value.suggested_filename.endswith(".pdf")

        # Certificates: issue, revoke one with a reason, reissue it.
        tab(page, "荣誉证书")
        page.locator("#issue-certificates").click()
        page.wait_for_url(re.compile(r"/certificates/batches/\d+/$"))
        expect(page.locator("#batch-status")).to_have_text("已完成", timeout=60_000)
        snap(page, "12-certificate-batch")
        page.get_by_role("link", name=re.compile("的荣誉证书")).click()
        assert Certificate.objects.filter(status=CertificateStatus.ISSUED).count() == 3
        target = Certificate.objects.get(award__nomination=noms[3])
        row = page.locator(f"#certificate-{target.pk}")
        row.locator("summary", has_text="撤销").click()
        row.get_by_label("撤销理由").fill("获奖者名称有误，撤销后更正。")
        row.get_by_role("button", name="撤销证书").click()
        expect(page.locator(".messages")).to_contain_text("已撤销")
        expect(page.locator(f"#certificate-{target.pk}")).to_contain_text("已撤销")
        snap(page, "13-certificate-revoked", phone=True)
        row = page.locator(f"#certificate-{target.pk}")
        row.locator("summary", has_text="重新生成").click()
        row.get_by_label("理由").fill("名称已更正，重新颁发。")
        row.get_by_role("button", name="重新生成").click()
        expect(page.locator(".messages")).to_contain_text("已重新生成")
        assert Certificate.objects.get(pk=target.pk).status == CertificateStatus.ISSUED
        page.get_by_label("状态").select_option("issued")
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("#certificate-list tbody tr")).to_have_count(3)
        snap(page, "14-certificates")

        # The 云展馆 and the statistics.
        tab(page, "云展馆")
        page.locator("#publish-exhibition").click()
        expect(page.locator(".messages")).to_contain_text("已发布到云展馆：新增 3 个展品")
        assert Exhibit.objects.filter(competition=competition).count() == 3
        snap(page, "15-exhibition", phone=True)
        tab(page, "数据统计")
        expect(page.locator("#totals")).to_contain_text("5")
        expect(page.locator("svg.bar-chart").first).to_be_visible()
        snap(page, "16-statistics", phone=True)
        with page.expect_download() as stats:
            page.locator("#statistics-xlsx").click()
        assert stats.value.suggested_filename.endswith(".xlsx")
        tab(page, "概览")
        expect(page.locator("#next-step")).to_contain_text("颁发荣誉证书")
        snap(page, "17-overview-final")


def _observer_world():
    """A competition in its 公示 with an open objection, and a final one with certificates and exhibits."""
    from certificates import services as certificate_services
    from exhibition import services as exhibition_services
    from tests.certificates.conftest import award_for, make_final

    with time_machine.travel(WEDNESDAY, tick=True):
        pub, noms = closed_year(year=2036)
        office = competition_services.user_create(actor=None, username="office2", password=PASSWORD, role=Role.OFFICE)
        judging_services.publicity_publish(actor=office, competition=pub, working_days=5, notice={"phone": "0351-4040123"})
        objection = judging_services.objection_lodge(
            competition=pub, nomination=noms[0], name="张三", phone="13912345678", content="服务时长与实际不符，请核实。"
        )
    final = make_final(office, year=2035)
    unit = Unit.objects.order_by("order").first()
    award_for(final, "XM", unit, title="举手之劳·为树木松绑拔刺", organization="太原市城市综合管理服务指挥中心")
    certificate_services.certificates_issue(actor=office, competition=final)
    exhibition_services.exhibition_publish(actor=office, competition=final)
    competition_services.user_create(actor=None, username="observer", password=PASSWORD, role=Role.OBSERVER)
    return pub, final, objection, noms


def test_observer_reads_every_results_page_and_every_action_is_refused(page):
    pub, final, objection, noms = _observer_world()
    certificate = Certificate.objects.get(competition=final)
    sign_in(page, "observer")
    page.goto("/")
    page.get_by_role("link", name="评审与排名").click()
    page.locator("a.results-link").first.click()
    pages = []
    for name in ("概览", "公示", "异议", "确定结果", "数据统计"):
        tab(page, name)
        pages.append(page.url)
    page.goto(f"/judging/office/competitions/{pub.pk}/objections/")
    page.locator("#objection-list").get_by_role("link", name="查看").click()
    pages.append(page.url)
    page.goto(f"/judging/office/competitions/{final.pk}/results/")
    for name in ("表彰名单", "荣誉证书", "云展馆"):
        tab(page, name)
        pages.append(page.url)
    for i, url in enumerate(pages):
        page.goto(url)
        expect(page.locator("#read-only")).to_be_visible()
        # No action: the only POST form is the sign-out in the header.
        forms = page.locator("main form[method=post]")
        assert forms.count() == 0, f"{url} shows an action to an observer"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"observer-{i:02d}-1280.png"), full_page=True)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": token, "Referer": page.url}
    actions = [
        (f"/judging/office/competitions/{pub.pk}/publicity/", {"working_days": "5", "phone": "0351-1", "action": "publish"}),
        (f"/judging/office/competitions/{pub.pk}/objections/new/", {"nomination": str(noms[0].pk), "channel": "letter",
            "name": "李四", "phone": "13800001111", "content": "来信反映情况不实，请核实处理。"}),
        (f"/judging/office/objections/{objection.pk}/resolve/", {"decision": "upheld", "reason": "x", "confirm": "1"}),
        (f"/judging/office/objections/{objection.pk}/spam/", {"reason": "x"}),
        (f"/judging/office/competitions/{pub.pk}/finalize/", {"confirm": "on"}),
        (f"/certificates/{certificate.pk}/revoke/", {"reason": "x"}),
        (f"/certificates/{certificate.pk}/reissue/", {"reason": "x"}),
        (f"/certificates/competitions/{final.pk}/issue/", {}),
        (f"/exhibition/office/competitions/{final.pk}/", {}),
    ]
    for url, form in actions:
        response = page.request.post(url, form=form, headers=headers, max_redirects=0)
        assert response.status == 403, (url, response.status)
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.OPEN
    assert Objection.objects.count() == 1
    assert Competition.objects.get(pk=pub.pk).phase == Phase.PUBLICITY
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.ISSUED
