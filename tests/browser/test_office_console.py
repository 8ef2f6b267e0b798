"""The office runs two judging rounds on its console pages, by clicking only.

From a year in the judging phase with accepted nominations (built with
services): the office opens its 工作台 from the navigation, previews and saves
the automatic assignment of round 1, judges score on their own pages, the
office unlocks one scorecard (the judge reads why and scores again),
aggregates on the ranking page, closes round 1 and lands on assigning round 2,
which is scored and closed the same way. No API URL is typed or called and no
/admin/ page opened. Every office page is kept under artifacts/office-console/
at 1280 px, some at 390 px too.

The observer reads the same pages without any action button, and every
action posted to the server anyway is refused with the 403 page, changing
nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import AuditEntry, Competition, Unit
from judging import services
from judging.enums import ScorecardStatus
from judging.models import Assignment, PanelMember, Scorecard
from nominations.enums import Status
from nominations.models import Nomination
from tests.factories import STRONG_PASSWORD
from tests.nominations.conftest import competition_payload

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "office-console"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

PROJECTS = [
    ("140105", "举手之劳·为树木松绑拔刺"),
    ("140105", "“红马甲”社区助老服务"),
    ("140106", "汾河晚报爱心送考"),
    ("140107", "留守儿童周末课堂"),
]


def keep(page, name: str, *, phone: bool = False) -> None:
    """A full-page screenshot at 1280 px (and at 390 px when ``phone``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if phone:
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(ARTIFACTS / f"{name}-390.png"), full_page=True)
        page.set_viewport_size(DESKTOP)


@pytest.fixture
def year():
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
        {"name": "初评", "method": "mean", "judges_per_nomination": 2, "advance_per_category": 2, "weight": "0.4"},
        {"name": "终评", "method": "mean", "judges_per_nomination": 2, "weight": "0.6"},
    ]
    competition = competition_services.competition_create(actor=office, data=payload)
    Competition.objects.filter(pk=competition.pk).update(phase=Phase.JUDGING)
    competition.refresh_from_db()
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


def sign_out(page) -> None:
    page.locator(".site-header").get_by_role("button", name="退出").click()
    page.wait_for_load_state()


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


def test_the_office_runs_two_rounds_on_its_pages(page, login, year):
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
    page.wait_for_url(re.compile(r"method=mean"))
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

    # 7. Closing leads straight to assigning round 2 (the two advancing projects).
    expect(page.get_by_role("heading", name="分配评委：终评")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("下一步：分配“终评”评审任务")
    round1.refresh_from_db()
    assert round1.closed_at is not None
    page.get_by_role("button", name="预览分配").click()
    expect(page.locator("#preview-created")).to_have_text("4")
    keep(page, "10-assign-round2-preview")
    page.get_by_role("button", name="确认并保存分配").click()
    expect(page.locator(".messages")).to_contain_text("新增 4 项评审任务")
    assert {n for _j, n in pairs(round2)} == {nominations[0].pk, nominations[1].pk}
    keep(page, "11-assign-round2-saved")
    sign_out(page)

    for judge in judges:
        if Assignment.objects.filter(round=round2, judge=judge).exists():
            score_on_the_judges_pages(page, login, judge, first_time=False, points=points)

    # 8. Round 2 is closed: every round is over, the next step is the 公示.
    login(page, office.username, STRONG_PASSWORD)
    page.locator("#nav-console").click()
    page.locator(f'tr[data-round="{round2.pk}"]').get_by_role("link", name="评审进度").click()
    expect(page.locator("#submitted-total")).to_have_text("4")
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


def post_as_a_form(page, url: str, data: dict) -> None:
    """Submit a form the page does not offer (with the page's CSRF token), as a forged click would."""
    page.evaluate(
        """([url, data]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = url;
            const token = document.querySelector("input[name=csrfmiddlewaretoken]");
            const fields = Object.assign({csrfmiddlewaretoken: token.value}, data);
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        [url, data],
    )
    page.wait_for_load_state()


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
