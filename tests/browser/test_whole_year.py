"""The whole year in a browser: one competition from opening to the 云展馆.

Chromium drives a live server on PostgreSQL; the aggregation and the
certificates run on a real Celery worker over the real Redis. Each step keeps
a screenshot, artifacts/screenshots/test_whole_year-NN-<step>.png.

Where a step has a web page, the test uses it; where the office has no page
for a step, it calls the JSON API from the office's signed-in page (``fetch``
with the CSRF token, as the pages' own scripts do) or uses the admin:

===========================================  ===================================
step                                         how
===========================================  ===================================
accounts (office, 2 officers, 3 judges)      services (test set-up)
create the competition                       API ``POST /api/v1/competitions/``
open it (筹备 → 申报推荐)                     admin action “推进到下一阶段”
nominate, photo, stamped form, submit        pages ``/nominations/``
accept, return, resubmit, accept             pages ``/nominations/review/``
close the window                             API ``PATCH /api/v1/competitions/<id>/``
资格审查 → 评审                               admin action “推进到下一阶段”
automatic assignment                         API ``POST /api/v1/rounds/<id>/assignments/auto/``
pledge, scoring, another judge's card (404)  pages ``/judging/``
aggregate (worker), close the round          page ``/judging/rounds/<id>/ranking/``
publish the 公示                              API ``POST /api/v1/competitions/<id>/publicity/``
objection                                    page ``/publicity/<id>/``
dismiss the objection                        API ``POST /api/v1/objections/<id>/resolve/``
finalise                                     API ``POST /api/v1/competitions/<id>/finalize/``
certificates (worker)                        pages ``/certificates/competitions/<id>/``
verify by the QR code's address              API listing for the token, page ``/verify/<token>/``
publish the exhibition                       admin page “发布到云展馆”
the winners on show                          pages ``/exhibition/``
===========================================  ===================================

The 公示 and the finalisation depend on the calendar (working days, the
公示's last day): those steps run under ``time_machine.travel``, which moves
the clock of the live server's thread too.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from certificates.enums import BatchStatus
from certificates.models import Certificate, CertificateBatch
from competition import services as competition_services
from competition.demo import RUBRIC as DEMO_RUBRIC
from competition.enums import Phase, Role
from competition.models import Competition, Unit
from judging.enums import AwardStatus, ObjectionStatus, ScorecardStatus
from judging.models import AggregationJob, Assignment, Award, Objection, Publicity, Round, Scorecard
from nominations.enums import Status
from nominations.models import Nomination
from tests.browser.test_officer_nomination import fill_project
from tests.nominations.conftest import competition_payload
from tests.nominations.files import jpeg_bytes, minimal_pdf
from tests.workers import celery_worker, flush_queue, tasks_sent_to_broker

pytestmark = [pytest.mark.browser, pytest.mark.worker]

PASSWORD = "pw-whole-year"
SAVED = re.compile(r"已自动保存 \d{2}:\d{2}")
SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2036

# (unit code, account, project title, implementing organisation)
UNITS = [
    ("140105", "unit-140105", "举手之劳·为树木松绑拔刺", "太原市城市综合管理服务指挥中心"),
    ("140106", "unit-140106", "汾河晚报爱心送考", "迎泽区青年志愿者协会"),
]
JUDGES = [("judge01", "张明华"), ("judge02", "李建国"), ("judge03", "王丽")]
# Each judge's share of every criterion's maximum, per project: the first ranks first.
SHARES = {
    0: [Decimal("0.9"), Decimal("0.88"), Decimal("0.92")],
    1: [Decimal("0.8"), Decimal("0.78"), Decimal("0.82")],
}


# --------------------------------------------------------------------------- helpers


class Shots:
    """Numbered screenshots: 01-…, 02-…, in the order the steps happen."""

    def __init__(self, shot):
        self.shot = shot
        self.n = 0

    def __call__(self, page, step: str) -> Path:
        self.n += 1
        return self.shot(page, f"{self.n:02d}-{step}")


def sign_in_as(page, login, username: str, password: str = PASSWORD) -> None:
    """Another person at the same browser: forget the last session, sign in."""
    page.context.clear_cookies()
    login(page, username, password)


def call_api(page, method: str, path: str, body: dict | None = None) -> dict:
    """The JSON API called from the signed-in page, as the pages' scripts call it."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
            const response = await fetch(path, {
                method,
                credentials: "same-origin",
                headers: {"Content-Type": "application/json", "Accept": "application/json",
                          "X-CSRFToken": m ? decodeURIComponent(m[1]) : ""},
                body: body === null ? undefined : JSON.stringify(body),
            });
            let data = null;
            try { data = await response.json(); } catch (e) {}
            return {status: response.status, data};
        }""",
        [method, path, body],
    )


def admin_advance(page, competition: Competition, expected: str) -> None:
    """The admin's action “推进到下一阶段” on one competition."""
    page.goto("/admin/competition/competition/")
    page.locator(f'input.action-select[value="{competition.pk}"]').check()
    page.locator("select[name=action]").select_option(label="推进到下一阶段")
    page.locator("button[name=index]").click()
    expect(page.locator("ul.messagelist")).to_contain_text(f"已进入“{expected}”")


def local_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)


def nominate(
    page, shots, title: str, organization: str, photo: Path, form_pdf: Path, step: str
) -> Nomination:
    """A unit officer fills a project in, uploads a photo and the stamped form, and submits."""
    page.goto("/nominations/")
    page.locator("table.quota-table tr", has_text="最佳志愿服务项目").get_by_role(
        "link", name="新建推荐"
    ).click()
    page.get_by_label("项目名称").fill(title)
    # The draft is created by autosave a moment after typing stops (the page then swaps its URL
    # in place): under a loaded machine (two test processes) that took over 10 s twice.
    page.wait_for_url(re.compile(r"/nominations/\d+/edit/$"), timeout=30_000)
    fill_project(page)
    page.get_by_label("实施单位").fill(organization)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#autosave-status")).to_have_text(SAVED)

    page.get_by_label("附件类型").select_option("photo")
    page.locator("#upload-file").set_input_files(str(photo))
    expect(page.locator("#upload-preview img")).to_be_visible()
    page.get_by_label("照片说明").fill(f"{title}活动现场")
    page.get_by_role("button", name="上传附件").click()
    expect(page.locator("#attachment-list li.kind-photo img")).to_be_visible()
    page.get_by_label("附件类型").select_option("stamped_form")
    page.locator("#upload-file").set_input_files(str(form_pdf))
    page.get_by_role("button", name="上传附件").click()
    expect(page.locator("#attachment-list li.kind-stamped_form")).to_contain_text(form_pdf.name)
    expect(page.locator("#checklist")).to_contain_text("材料已齐全，可以提交。")
    shots(page, step)

    page.get_by_role("button", name="提交推荐").click()
    page.wait_for_url(re.compile(r"/nominations/\d+/$"))
    expect(page.locator("h1 .badge")).to_have_text("已提交")
    return Nomination.objects.get(title=title)


def review(page, nomination: Nomination, decision: str, reason: str = "") -> None:
    """The office's decision on the nomination's page, reached from the review queue."""
    page.goto("/nominations/review/")
    page.locator("table.review-table tr", has_text=nomination.title).get_by_role(
        "link", name="审查"
    ).click()
    expect(page.locator("h1")).to_contain_text(nomination.title)
    if decision == "accept":
        form = page.locator("form.review-form", has=page.locator("input[value=accept]"))
        form.get_by_role("button", name="审查通过").click()
        expect(page.locator("h1 .badge")).to_have_text("审查通过")
    else:
        page.get_by_label("退回修改的理由").fill(reason)
        form = page.locator("form.review-form", has=page.locator("input[value=return]"))
        form.get_by_role("button", name="退回修改").click()
        expect(page.locator("h1 .badge")).to_have_text("退回修改")


def points(criterion, share: Decimal) -> Decimal:
    return max(
        Decimal(0),
        min(
            criterion.max_points,
            (criterion.max_points * share * 2).quantize(Decimal(1), ROUND_HALF_UP) / 2,
        ),
    )


def score(page, assignment: Assignment, share: Decimal) -> None:
    """A judge scores one assignment on its page and submits it (confirming the dialog)."""
    criteria = list(assignment.nomination.category.criteria.order_by("order", "id"))
    total = Decimal(0)
    for criterion in criteria:
        value = points(criterion, share)
        total += value
        page.locator(f"#score-{criterion.pk}").fill(f"{value.normalize():f}")
    expect(page.locator("#running-total")).to_have_text(f"{total:.2f}")
    page.get_by_label("评语").fill(
        "项目持续时间长、覆盖面广，社会效益突出；建议进一步完善志愿者培训记录。"
    )
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("#submitted-notice")).to_contain_text("提交并锁定")


# --------------------------------------------------------------------------- the accounts


@pytest.fixture
def people():
    office = competition_services.user_create(
        actor=None,
        username="office",
        password=PASSWORD,
        role=Role.OFFICE,
        display_name="市文明办 王芳",
    )
    officers = [
        competition_services.user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            role=Role.OFFICER,
            unit=Unit.objects.get(code=code),
            display_name=f"{Unit.objects.get(code=code).name}推荐管理员",
        )
        for code, username, _, _ in UNITS
    ]
    judges = []
    for username, name in JUDGES:
        judge = competition_services.user_create(
            actor=None, username=username, password=PASSWORD, role=Role.JUDGE, display_name=name
        )
        competition_services.judge_profile_set(actor=None, user=judge, name=name, organizations=[])
        judges.append(judge)
    return {"office": office, "officers": officers, "judges": judges}


def _competition_json(now: dt.datetime) -> dict:
    payload = competition_payload(
        YEAR, opens=now - dt.timedelta(hours=1), closes=now + dt.timedelta(days=10)
    )
    rubric = [{"name": n, "max_points": p, "weight": 1, "guidance": g} for n, p, g in DEMO_RUBRIC]
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
    for key in ("nominations_open", "nominations_close", "judging_close"):
        payload[key] = payload[key].isoformat()
    return payload


# --------------------------------------------------------------------------- the year


def test_whole_year(page, login, shot, tmp_path, people, postgres, redis_url):
    shots = Shots(shot)
    flush_queue(redis_url)
    photo = tmp_path / "志愿服务活动现场.jpg"
    photo.write_bytes(jpeg_bytes(size=(800, 600), color=(60, 140, 80)))
    form_pdf = tmp_path / "盖章推荐表.pdf"
    form_pdf.write_bytes(minimal_pdf("最佳志愿服务项目推荐表"))

    with celery_worker(redis_url, tmp_path / "worker.log"), tasks_sent_to_broker():
        # 1. The office creates the competition (API) and opens it (admin action).
        sign_in_as(page, login, "office")
        page.goto("/admin/competition/competition/")
        created = call_api(page, "POST", "/api/v1/competitions/", _competition_json(timezone.now()))
        assert created["status"] == 201, created
        competition = Competition.objects.get(pk=created["data"]["id"])
        admin_advance(page, competition, "申报推荐")
        shots(page, "office-opens-the-competition")

        # 2. Two unit officers nominate a project each, with a photo and the stamped form.
        nominations = []
        for i, (_, username, title, organization) in enumerate(UNITS):
            sign_in_as(page, login, username)
            nominations.append(
                nominate(
                    page,
                    shots,
                    title,
                    organization,
                    photo,
                    form_pdf,
                    f"officer-{i + 1}-nomination-complete",
                )
            )
        first, second = nominations
        shots(page, "officer-submitted")

        # 3. The office accepts one and returns the other.
        sign_in_as(page, login, "office")
        page.goto("/nominations/review/")
        expect(page.locator("table.review-table")).to_contain_text(second.title)
        shots(page, "office-review-queue")
        review(page, first, "accept")
        review(page, second, "return", "请补充近三年的活动照片，并说明志愿者的注册情况。")
        shots(page, "office-returns-a-nomination")

        # 4. The officer sees why, corrects and resubmits; the office accepts it.
        sign_in_as(page, login, UNITS[1][1])
        page.goto(f"/nominations/{second.pk}/")
        expect(page.locator(".notice")).to_contain_text("请补充近三年的活动照片")
        page.get_by_role("link", name="修改并重新提交").click()
        # The edit page shows the saved 启动时间 as 2016/03/05, which a date field
        # drops (and the autosave would then clear): enter it again.
        page.get_by_label("启动时间").fill("2016-03-05")
        page.get_by_label("社会效益").fill(
            "累计为三千余名考生提供爱心送考服务，志愿者均已在“志愿山西”平台注册。"
        )
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator("#autosave-status")).to_have_text(SAVED)
        # The stamped form answered for the data before the correction (its version
        # code): the checklist asks for a new one, stamped and uploaded again.
        expect(page.locator("#checklist")).to_contain_text("请重新打印推荐表")
        page.get_by_label("附件类型").select_option("stamped_form")
        page.locator("#upload-file").set_input_files(str(form_pdf))
        page.get_by_role("button", name="上传附件").click()
        expect(page.locator("#checklist")).to_contain_text("材料已齐全，可以提交。")
        shots(page, "officer-corrects")
        page.locator("#submit-button").click()
        page.wait_for_url(re.compile(r"/nominations/\d+/$"))
        expect(page.locator("h1 .badge")).to_have_text("已提交")
        sign_in_as(page, login, "office")
        review(page, second, "accept")
        assert set(Nomination.objects.values_list("status", flat=True)) == {Status.ACCEPTED}

        # 5. The window closes (API: the close time moved into the past), 资格审查, 评审 (admin).
        page.goto("/admin/competition/competition/")
        closed = call_api(
            page,
            "PATCH",
            f"/api/v1/competitions/{competition.pk}/",
            {"nominations_close": (timezone.now() - dt.timedelta(minutes=1)).isoformat()},
        )
        assert closed["status"] == 200, closed
        admin_advance(page, competition, "资格审查")
        admin_advance(page, competition, "评审")
        shots(page, "office-starts-judging")

        # 6. Automatic assignment (API): three judges per project.
        round_ = Round.objects.get(competition=competition)
        assigned = call_api(
            page, "POST", f"/api/v1/rounds/{round_.pk}/assignments/auto/", {"seed": 7}
        )
        assert assigned["status"] == 200, assigned
        assert Assignment.objects.filter(round=round_).count() == 6
        page.goto(f"/judging/rounds/{round_.pk}/progress/")
        expect(page.get_by_role("heading", name="评审进度：初评")).to_be_visible()
        shots(page, "office-progress-assigned")

        # 7. Three judges sign the pledge and score; one tries another judge's scorecard.
        for j, judge in enumerate(people["judges"]):
            sign_in_as(page, login, judge.username)
            page.goto("/judging/")
            page.get_by_label("我已认真阅读以上承诺书，并承诺遵守。").check()
            page.get_by_role("button", name="签署承诺书").click()
            expect(page.locator(".pledge-done")).to_be_visible()
            if j == 0:
                shots(page, "judge-signed-the-pledge")
            mine = list(
                Assignment.objects.filter(judge=judge)
                .select_related("nomination__category")
                .order_by("pk")
            )
            for k, assignment in enumerate(mine):
                if k == 0:
                    page.goto("/judging/")
                    page.locator(f'tr[data-id="{assignment.pk}"]').get_by_role(
                        "link", name="开始评分"
                    ).click()
                else:
                    page.goto(f"/judging/assignments/{assignment.pk}/")
                expect(
                    page.get_by_role("heading", name=assignment.nomination.title)
                ).to_be_visible()
                score(page, assignment, SHARES[nominations.index(assignment.nomination)][j])
                if j == 0 and k == 0:
                    shots(page, "judge-scored-and-submitted")
            if j == 2:
                theirs = Assignment.objects.filter(judge=people["judges"][0]).first()
                response = page.goto(f"/judging/assignments/{theirs.pk}/")
                assert response.status == 404
                expect(page.get_by_role("heading", name="未找到")).to_be_visible()
                shots(page, "judge-refused-another-judges-scorecard")
        assert Scorecard.objects.filter(status=ScorecardStatus.SUBMITTED).count() == 6

        # 8. The office aggregates on the worker (ranking page), then closes the round.
        sign_in_as(page, login, "office")
        page.goto(f"/judging/rounds/{round_.pk}/progress/")
        expect(page.locator("#submitted-total")).to_have_text("6")
        page.goto(f"/judging/rounds/{round_.pk}/ranking/")
        page.locator("button[data-method=mean]").click()
        page.wait_for_url(re.compile(r"method=mean"), timeout=60_000)
        expect(page.locator("#current-method")).to_have_text("算术平均")
        job = AggregationJob.objects.get(round=round_, method="mean")
        assert job.sent_at is not None  # through the broker, to the worker
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_label("我已核对本轮排名，确认结束本轮评审。").check()
        page.get_by_role("button", name="结束本轮评审").click()
        expect(page.locator(".messages")).to_contain_text("已结束，评分已锁定")
        expect(page.locator(".ranking-table tbody tr").first).to_contain_text(first.title)
        shots(page, "office-closes-the-round")

        # 9. 公示 (API, one working day) and an objection from the public page.
        published = call_api(
            page, "POST", f"/api/v1/competitions/{competition.pk}/publicity/", {"working_days": 1}
        )
        assert published["status"] == 200, published
        publicity = Publicity.objects.get(competition=competition)
        today = timezone.localdate()
        during = local_noon(publicity.starts_on) if publicity.starts_on > today else None
        with time_machine.travel(during or timezone.now(), tick=True):
            page.context.clear_cookies()
            page.goto(f"/publicity/{competition.pk}/")
            expect(page.get_by_role("heading", name=re.compile("拟表彰对象公示"))).to_be_visible()
            page.get_by_label("异议对象").select_option(str(second.pk))
            page.get_by_label("姓名").fill("张三")
            page.get_by_label("手机号码").fill("13912345678")
            page.get_by_label("异议内容").fill(
                "该项目申报的累计服务时长与实际开展情况不符，请组委会核实。"
            )
            page.get_by_role("button", name="提交异议").click()
            expect(page.locator("#objection-message")).to_contain_text("异议已收到")
            shots(page, "public-lodges-an-objection")

            # 10. The office dismisses it (API).
            objection = Objection.objects.get(competition=competition)
            login(page, "office", PASSWORD)
            dismissed = call_api(
                page,
                "POST",
                f"/api/v1/objections/{objection.pk}/resolve/",
                {
                    "decision": "dismissed",
                    "reason": "经核实，服务时长有“志愿山西”平台记录为证，异议不成立。",
                },
            )
            assert dismissed["status"] == 200, dismissed
            assert Objection.objects.get().status == ObjectionStatus.DISMISSED

        # 11. Finalise (API) once the 公示's last day has passed.
        with time_machine.travel(local_noon(publicity.ends_on + dt.timedelta(days=1)), tick=True):
            page.goto(f"/judging/rounds/{round_.pk}/ranking/")
            final = call_api(page, "POST", f"/api/v1/competitions/{competition.pk}/finalize/")
            assert final["status"] == 200, final
            assert final["data"]["phase"] == Phase.FINAL
        assert set(Award.objects.values_list("status", flat=True)) == {AwardStatus.FINAL}
        page.goto(f"/publicity/{competition.pk}/")
        shots(page, "publicity-final")

        # 12. Certificates on the worker (pages), one checked through its QR code's address.
        page.goto(f"/certificates/competitions/{competition.pk}/")
        page.get_by_role("button", name="颁发荣誉证书").click()
        page.wait_for_url(re.compile(r"/certificates/batches/\d+/$"))
        expect(page.locator("#batch-status")).to_have_text(BatchStatus.DONE.label, timeout=90_000)
        shots(page, "office-certificates-issued")
        assert CertificateBatch.objects.get().status == BatchStatus.DONE
        assert Certificate.objects.filter(status="issued").count() == 2
        page.goto(f"/certificates/competitions/{competition.pk}/")
        expect(page.locator("table.table").last).to_contain_text(first.title)
        shots(page, "office-certificate-list")

        listing = call_api(page, "GET", f"/api/v1/certificates/?competition={competition.pk}")
        assert listing["status"] == 200, listing
        rows = listing["data"]["results"] if isinstance(listing["data"], dict) else listing["data"]
        token = next(r["token"] for r in rows if r["nomination"] == first.pk)
        page.context.clear_cookies()
        page.goto(f"/verify/{token}/")
        expect(page.get_by_role("heading", name="证书有效")).to_be_visible()
        expect(page.locator(".tag.good")).to_have_text("有效")
        shots(page, "public-verifies-a-certificate")

    # 13. The exhibition (admin page “发布到云展馆”), then the public halls.
    sign_in_as(page, login, "office")
    page.goto("/admin/exhibition/exhibit/publish/")
    page.get_by_label("推选活动").select_option(str(competition.pk))
    page.get_by_role("button", name="发布").click()
    expect(page.locator("ul.messagelist")).to_contain_text("已发布到云展馆：新增 2 个展品")
    page.context.clear_cookies()
    page.goto("/exhibition/")
    expect(page.get_by_role("heading", name="志愿服务云展馆")).to_be_visible()
    expect(page.locator(".hall-card").first).to_contain_text("2")
    shots(page, "exhibition-lobby")
    page.goto(f"/exhibition/projects/?year={YEAR}")
    for nomination in nominations:
        expect(page.get_by_text(nomination.title).first).to_be_visible()
    shots(page, "exhibition-projects")
