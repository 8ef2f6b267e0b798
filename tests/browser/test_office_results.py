"""The observer on the office's results pages (issue 12 item 11).

The office's own steps on these pages (公示, objections, finalising,
certificates, the 云展馆, statistics) are driven in the one journey of
test_office_console.py. Here the observer reads the same pages of a
competition in its 公示 (with an open objection) and of a final one (with
certificates and exhibits), finds no action button on them, and every action
it posts anyway (with its session and CSRF token, as a form would) is refused
with 403, changing nothing. Screenshots: ``artifacts/office-results/observer-*``.

The 公示 period depends on the calendar: the 公示 is published under
``time_machine.travel`` (a Wednesday).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from certificates.enums import CertificateStatus
from certificates.models import Certificate
from competition import services as competition_services
from competition.enums import Phase, Role
from competition.models import Competition, Unit
from judging import services as judging_services
from judging.enums import ObjectionStatus
from judging.models import Objection
from tests.browser.office import keep, tab
from tests.certificates.conftest import WORDING, _seals
from tests.factories import STRONG_PASSWORD as PASSWORD
from tests.judging.conftest import accepted, judging_competition, make_judge, score_all

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = dt.datetime(2036, 12, 3, 10, 0, tzinfo=SHANGHAI)
TITLES = ["举手之劳·为树木松绑拔刺", "汾河晚报爱心送考", "晋祠社区邻里守望", "清除城市牛皮癣", "阳光助残在行动"]


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


def test_observer_reads_every_results_page_and_every_action_is_refused(page, login):
    pub, final, objection, noms = _observer_world()
    certificate = Certificate.objects.get(competition=final)
    login(page, "observer", PASSWORD)
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
        keep(page, "office-results", f"observer-{i:02d}")

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
