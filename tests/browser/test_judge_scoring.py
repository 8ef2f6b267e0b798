"""Judging in a real browser: a judge scores, the office ranks, the public reads the 公示."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from competition import services as competition_services
from competition.demo import RUBRIC as DEMO_RUBRIC
from competition.enums import Phase, Role
from competition.models import Competition, Unit
from judging import selectors, services
from judging.enums import ScorecardStatus
from judging.models import Assignment, Objection, Pledge, Scorecard
from judging.scoring import HALF, CriterionSpec, score_problem
from nominations.enums import Status
from nominations.models import Nomination
from tests.factories import STRONG_PASSWORD
from tests.nominations.conftest import competition_payload

pytestmark = pytest.mark.browser

PASSWORD = STRONG_PASSWORD
SAVED = re.compile(r"已自动保存 \d{2}:\d{2}")

# Realistic projects of four units (小店区, 迎泽区, 杏花岭区, 尖草坪区).
PROJECTS = [
    ("140105", "举手之劳·为树木松绑拔刺", "太原市城市综合管理服务指挥中心"),
    ("140105", "“红马甲”社区助老服务", "小店区坞城街道志愿服务站"),
    ("140106", "汾河晚报爱心送考", "迎泽区青年志愿者协会"),
    ("140106", "文明交通劝导行动", "迎泽区交通志愿服务队"),
    ("140107", "留守儿童周末课堂", "杏花岭区巨轮街道新时代文明实践所"),
    ("140108", "“银发助学”关爱行动", "尖草坪区老干部志愿服务团"),
]


def _payload(year: int) -> dict:
    now = timezone.now()
    payload = competition_payload(
        year, opens=now - dt.timedelta(days=30), closes=now - dt.timedelta(days=1)
    )
    payload["judging_close"] = now + dt.timedelta(days=20)
    rubric = [
        {"name": name, "max_points": points, "weight": 1, "guidance": guidance}
        for name, points, guidance in DEMO_RUBRIC
    ]
    for category in payload["categories"]:
        category["criteria"] = rubric
    payload["rounds"] = [
        {
            "name": "初评",
            "method": "trimmed_mean",
            "judges_per_nomination": 3,
            "weight": 1,
            "blind": True,
            "comment_required": True,
        }
    ]
    return payload


def _nominations(competition) -> list[Nomination]:
    category = competition.categories.get(code="XM")
    rows = []
    for i, (code, title, organization) in enumerate(PROJECTS):
        rows.append(
            Nomination(
                competition=competition,
                category=category,
                unit=Unit.objects.get(code=code),
                order=1 + i % 2,
                status=Status.ACCEPTED,
                title=title,
                organization=organization,
                field="社区服务",
                service_targets="社区居民",
                service_area="太原市",
                introduction="志愿者利用业余时间常态化开展服务，覆盖全区各街道社区。",
                summary="项目自2016年启动，累计开展活动三千余次，服务时长超过十万小时，受益群众逾百万人次。",
                innovation="“随手做、人人可为”的参与模式。",
                social_benefit="带动市民参与志愿服务，社会反响良好。",
                sustainability="建立了招募、培训、激励制度，常态化开展。",
                honors="2019年获评太原市学雷锋最佳志愿服务项目。",
                started_on=dt.date(2016, 3, 5),
                volunteers=758,
                active_volunteers=700,
                service_hours=104100,
                activities=3412,
                beneficiaries=1000000,
                leader="王志远",
                contact_name="李晓",
                contact_phone="13800000000",
                pledge=True,
            )
        )
    return Nomination.objects.bulk_create(rows)


def _judge(username: str, name: str, unit: Unit | None = None):
    user = competition_services.user_create(
        actor=None, username=username, password=PASSWORD, role=Role.JUDGE, display_name=name
    )
    competition_services.judge_profile_set(
        actor=None, user=user, name=name, unit=unit, organizations=[]
    )
    return user


@pytest.fixture
def judging_setup():
    office = competition_services.user_create(
        actor=None, username="office-browser", password=STRONG_PASSWORD, role=Role.OFFICE
    )
    competition = competition_services.competition_create(actor=office, data=_payload(2032))
    # Straight to judging: the phase machine is tested elsewhere.
    Competition.objects.filter(pk=competition.pk).update(phase=Phase.JUDGING)
    competition.refresh_from_db()
    nominations = _nominations(competition)
    judges = [
        _judge("judge-zhang", "张明华", Unit.objects.get(code="140105")),
        _judge("judge-li", "李建国"),
        _judge("judge-wang", "王丽"),
        _judge("judge-zhao", "赵文"),
    ]
    round_ = competition.rounds.get(order=1)
    services.assignments_auto(actor=office, round_=round_, seed=11)
    return {
        "office": office,
        "competition": competition,
        "round": round_,
        "nominations": nominations,
        "judges": judges,
    }


def _wait_for(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def test_judge_signs_scores_autosaves_reloads_and_submits(page, login, shot, judging_setup):
    judge, other = judging_setup["judges"][0], judging_setup["judges"][1]
    competition = judging_setup["competition"]
    mine = list(Assignment.objects.filter(judge=judge).select_related("nomination").order_by("pk"))
    theirs = (
        Assignment.objects.filter(judge=other)
        .exclude(nomination__in=[a.nomination for a in mine])
        .first()
    )
    theirs = theirs or Assignment.objects.filter(judge=other).first()
    assert mine and theirs
    # 张明华 belongs to 小店区: no 小店区 project was given to them.
    assert all(a.nomination.unit.code != "140105" for a in mine)

    # 1. The list with the pledge, before signing.
    login(page, judge.username, PASSWORD)
    page.goto("/judging/")
    expect(page.get_by_role("heading", name="我的评审任务")).to_be_visible()
    expect(page.get_by_role("heading", name="评审专家承诺书")).to_be_visible()
    expect(page.locator(".progress-text").first).to_contain_text(f"已提交 0 / {len(mine)} 件")
    shot(page, "01-pledge")

    # 2. Sign it.
    page.get_by_label("我已认真阅读以上承诺书，并承诺遵守。").check()
    page.get_by_role("button", name="签署承诺书").click()
    expect(page.locator(".messages")).to_contain_text("评审承诺书已签署")
    expect(page.locator(".pledge-done")).to_be_visible()
    assert Pledge.objects.filter(judge=judge, competition=competition).exists()
    shot(page, "02-list")

    # 3. Open the first assignment: materials, guidance beside each input, no unit (blind round).
    assignment = mine[0]
    page.locator(f'tr[data-id="{assignment.pk}"]').get_by_role("link", name="开始评分").click()
    page.wait_for_url(f"**/judging/assignments/{assignment.pk}/")
    expect(page.get_by_role("heading", name=assignment.nomination.title)).to_be_visible()
    expect(page.locator(".badge.blind")).to_have_text("匿名评审 · 已隐去推荐单位")
    expect(page.get_by_text(assignment.nomination.unit.name)).to_have_count(0)
    expect(page.get_by_text("13800000000")).to_have_count(0)
    expect(page.locator(".criterion", has_text="社会效益")).to_contain_text("覆盖面与受益人数")
    expect(page.locator("#running-total")).to_have_text("0.00")
    shot(page, "03-scoring-page")

    # 4. Enter scores: the running total follows; an off-grid value is flagged and not sent.
    criteria = list(assignment.nomination.category.criteria.order_by("order", "id"))
    values = [Decimal("13.5"), Decimal("12"), Decimal("18.5"), Decimal("22"), Decimal("11")]
    for criterion, value in zip(criteria, values, strict=False):
        page.locator(f"#score-{criterion.pk}").fill(str(value))
    expect(page.locator("#running-total")).to_have_text("77.00")
    last = criteria[-1]
    page.locator(f"#score-{last.pk}").fill("8.3")
    expect(page.locator(f'[data-errors-for="scores.{last.pk}"]')).to_have_text(
        "只能以 0.5 分为单位。"
    )
    expect(page.locator("#running-total")).to_have_text("77.00")
    # The grid and the maximum the page checks are the server's (judging.scoring): the
    # page says what the server says of the same value, and the inputs step on its grid.
    spec = CriterionSpec(id=last.pk, max_points=last.max_points, weight=last.weight)
    expect(page.locator(f'[data-errors-for="scores.{last.pk}"]')).to_have_text(
        score_problem(Decimal("8.3"), spec)
    )
    expect(page.locator(f"#score-{last.pk}")).to_have_attribute("step", str(HALF))
    over = last.max_points + HALF
    page.locator(f"#score-{last.pk}").fill(str(over))
    expect(page.locator(f'[data-errors-for="scores.{last.pk}"]')).to_have_text(
        score_problem(over, spec)
    )
    page.locator(f"#score-{last.pk}").fill("8.5")
    expect(page.locator(f'[data-errors-for="scores.{last.pk}"]')).to_be_empty()
    expect(page.locator("#running-total")).to_have_text("85.50")
    expect(page.locator("#filled-count")).to_have_text("已评 6 / 6 项")

    # 5. The draft autosaves through the API.
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    card = Scorecard.objects.get(assignment=assignment)
    assert card.total == Decimal("85.50")
    assert card.status == ScorecardStatus.DRAFT
    shot(page, "04-autosaved")

    # 6. Submitting without the comment this round requires: the page says what is missing.
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#submit-problems")).to_contain_text("评语：本轮评审必须填写评语。")
    shot(page, "05-incomplete")

    # 7. A comment, then the tab is closed at once: the pending change still reaches the server.
    page.get_by_label("评语").fill(
        "项目持续时间长，覆盖面广，社会效益突出；建议加强志愿者培训记录。"
    )
    page.locator(f"#score-{criteria[0].pk}").fill("14")
    context = page.context
    page.close(run_before_unload=True)  # as a person closes the tab: pagehide runs
    saved = _wait_for(
        lambda: Scorecard.objects.filter(
            assignment=assignment, total=Decimal("86.00"), comment__contains="社会效益突出"
        ).exists()
    )
    assert saved, "the change typed just before the tab closed was saved"

    # 8. Reload (a new tab): the draft is there.
    page = context.new_page()
    page.goto(f"/judging/assignments/{assignment.pk}/")
    expect(page.locator(f"#score-{criteria[0].pk}")).to_have_value("14")
    expect(page.locator(f"#score-{last.pk}")).to_have_value("8.5")
    expect(page.get_by_label("评语")).to_have_value(re.compile("社会效益突出"))
    expect(page.locator("#running-total")).to_have_text("86.00")
    shot(page, "06-reloaded-draft")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "06b-reloaded-draft-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 9. Saved meanwhile elsewhere: the next save gets 409 stale_version and offers to reload.
    card = Scorecard.objects.get(assignment=assignment)
    services.scorecard_save(
        judge=judge,
        assignment=assignment,
        scores={criteria[1].pk: Decimal("13")},
        comment=None,
        version=card.version,
    )
    page.locator(f"#score-{criteria[2].pk}").fill("19")
    expect(page.locator("#save-notice")).to_contain_text("已在其他页面或设备上保存过")
    shot(page, "07-stale-version")
    page.get_by_role("button", name="重新载入").click()
    expect(page.locator(f"#score-{criteria[1].pk}")).to_have_value("13")
    expect(page.locator(f"#score-{criteria[2].pk}")).to_have_value("18.5")
    expect(page.locator("#running-total")).to_have_text("87.00")

    # 10. Submit, confirming the dialog: the page reloads locked.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#submitted-notice")).to_contain_text("提交并锁定")
    expect(page.locator(f"#score-{criteria[0].pk}")).to_be_disabled()
    card = Scorecard.objects.get(assignment=assignment)
    assert card.status == ScorecardStatus.SUBMITTED
    assert card.total == Decimal("87.00")
    shot(page, "08-submitted")

    page.goto("/judging/")
    expect(page.locator(".progress-text").first).to_contain_text(f"已提交 1 / {len(mine)} 件")
    expect(page.locator(f'tr[data-id="{assignment.pk}"]')).to_contain_text("已提交")
    shot(page, "09-list-after-submit")

    # 11. Another judge's assignment: 404, the same page as a missing one.
    response = page.goto(f"/judging/assignments/{theirs.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="未找到")).to_be_visible()
    expect(page.get_by_text(theirs.nomination.title)).to_have_count(0)
    shot(page, "10-other-judges-assignment-404")


def _score_everything(setup, *, leave_open: int = 0):
    """Every judge scores and submits; 赵文 is severe; the 4th and 5th projects tie.

    ``leave_open``: that many of 王丽's assignments stay unsubmitted drafts.
    """
    round_ = setup["round"]
    offset = dict(zip([n.pk for n in setup["nominations"]], [0, 1, 2, 4, 4, 6], strict=True))
    tied = {setup["nominations"][3].pk, setup["nominations"][4].pk}
    # Per criterion: 李建国 half a point low, 王丽 half a point high, 赵文 three points low.
    bias = dict(zip([j.pk for j in setup["judges"]], ["0", "-0.5", "0.5", "-3"], strict=True))
    drafts = set(
        Assignment.objects.filter(round=round_, judge=setup["judges"][2])
        .exclude(nomination_id__in=tied)
        .order_by("pk")
        .values_list("pk", flat=True)[:leave_open]
    )
    for a in Assignment.objects.filter(round=round_).select_related(
        "judge", "nomination__category"
    ):
        services.pledge_accept(judge=a.judge, competition=round_.competition)
        scores = {}
        for c in a.nomination.category.criteria.all():
            points = (c.max_points * Decimal("0.9") * 2).to_integral_value() / 2 - offset[
                a.nomination_id
            ]
            if a.nomination_id not in tied:
                points += Decimal(bias[a.judge_id])
            scores[c.pk] = max(Decimal(0), min(c.max_points, points))
        services.scorecard_save(
            judge=a.judge, assignment=a, scores=scores, comment="评审意见", version=0
        )
        if a.pk not in drafts:
            services.scorecard_submit(judge=a.judge, assignment=a)


def test_office_switches_the_ranking_method_and_compares(page, login, shot, judging_setup):
    _score_everything(judging_setup, leave_open=1)
    round_ = judging_setup["round"]
    services.snapshot_compute(round_=round_, method="trimmed_mean")
    login(page, "office-browser", STRONG_PASSWORD)

    page.goto(f"/judging/rounds/{round_.pk}/progress/")
    expect(page.get_by_role("heading", name="评审进度：初评")).to_be_visible()
    expect(page.locator("#submitted-total")).to_have_text(
        str(Assignment.objects.filter(round=round_).count() - 1)
    )
    shot(page, "01-progress")

    page.goto(f"/judging/rounds/{round_.pk}/ranking/")
    expect(page.locator("#current-method")).to_have_text("去掉一个最高分和一个最低分后平均")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator(".ranking-table tr.tied")).to_have_count(2)
    expect(page.locator(".ranking-table tr.tied").first).to_contain_text("并列")
    # 赵文 (bias -3) is far from consensus, under the code drawn for them in this round.
    far = selectors.judge_codes(round_=round_)[judging_setup["judges"][3].pk]
    expect(page.locator(f'svg.chart g.far[data-judge="{far}"]')).to_contain_text("偏离共识")
    shot(page, "02-ranking")

    # The method switch: aggregate with another method, the job's progress, then its ranking.
    page.get_by_role("button", name=re.compile("标准化")).click()
    page.wait_for_url(re.compile(r"method=normalized"))
    expect(page.locator("#current-method")).to_have_text("按评委标准化")
    expect(page.locator(".badge.trial").first).to_be_visible()
    # Side by side with the round's own method.
    page.get_by_label("方法 A").select_option("trimmed_mean")
    page.get_by_label("方法 B").select_option("normalized")
    page.get_by_role("button", name="对照").click()
    expect(page.locator(".compare-table")).to_be_visible()
    expect(page.locator(".compare-table tbody tr")).to_have_count(len(judging_setup["nominations"]))
    shot(page, "03-normalized-and-compare")


def test_public_reads_the_publicity_and_lodges_an_objection_on_a_phone(page, shot, judging_setup):
    _score_everything(judging_setup)
    office, competition = judging_setup["office"], judging_setup["competition"]
    services.round_close(actor=office, round_=judging_setup["round"])
    today = timezone.localtime()
    # Publish on the last working day up to today, so that today is inside the 公示.
    published_on = today - dt.timedelta(days=max(0, today.weekday() - 4))
    services.publicity_publish(
        actor=office, competition=competition, working_days=5, now=published_on
    )
    first = judging_setup["nominations"][0]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/publicity/{competition.pk}/")
    expect(page.get_by_role("heading", name=re.compile("拟表彰对象公示"))).to_be_visible()
    expect(page.locator(".publicity-list li").first).to_contain_text(first.title)
    expect(page.get_by_text("得分")).to_have_count(0)
    shot(page, "01-list")

    # Errors in the API's shape come back in Chinese under their fields.
    page.get_by_label("异议对象").select_option(str(first.pk))
    page.get_by_label("姓名").fill("张")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_label("异议内容").fill("不属实")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator('[data-errors-for="phone"]')).to_contain_text("手机号码")
    expect(page.locator('[data-errors-for="name"]')).to_contain_text("姓名")
    expect(page.locator('[data-errors-for="content"]')).to_contain_text("不少于 10 个字")
    shot(page, "02-errors")

    page.get_by_label("姓名").fill("张三")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("异议内容").fill("该项目申报的累计服务时长与实际开展情况不符，请组委会核实。")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("#objection-message")).to_contain_text("异议已收到")
    objection = Objection.objects.get()
    assert (objection.nomination_id, objection.name, objection.phone) == (
        first.pk,
        "张三",
        "13912345678",
    )
    shot(page, "03-lodged")
