"""The office's results pages and the services behind them (issue 12 items 5–7, 9, 11):
the 公示 notice with its preview, objections entered by the office, upholding with
the next ranked shown first, finalising with the changes since the 公示, the
表彰名单 and the statistics; observers read every page and every action is refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry, Competition
from judging import services, standings
from judging.console import charts
from judging.enums import AwardStatus, ObjectionChannel, ObjectionStatus
from judging.models import Award, Objection, Publicity
from judging.notice import default_notice, notice_clean
from tests.judging.conftest import api
from tests.judging.test_results import _a_wednesday, objection, scored  # noqa: F401

pytestmark = pytest.mark.django_db

NOTICE = {
    "title": "关于2031年度学雷锋志愿服务先进典型拟表彰对象的公示",
    "intro": "经推荐、资格审查和专家评审，现将拟表彰对象予以公示。",
    "how_to_object": "如有异议，请于公示期内实名向组委会办公室反映。",
    "phone": "0351-4040123",
    "address": "太原市迎泽大街某号",
    "email": "wmb@example.org",
    "issuers": "中共太原市委宣传部\n太原市精神文明建设委员会办公室",
    "date": "2026-12-02",
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _close(office, round1):
    services.round_close(actor=office, round_=round1)


def _publish(office, round1, competition, **notice):
    _close(office, round1)
    return services.publicity_publish(
        actor=office, competition=competition, working_days=5, notice={**NOTICE, **notice}
    )


def _after(publicity: Publicity) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(publicity.ends_on + dt.timedelta(days=1), dt.time(9)))


# --------------------------------------------------------------------------- the notice (pure)


def test_notice_blank_fields_take_the_standard_wording():
    defaults = default_notice(title="2031年度推选", issuers=["太原市文明办"], today=dt.date(2031, 12, 2))
    notice = notice_clean({"phone": "0351-1234567"}, defaults=defaults)
    assert notice.title == "2031年度推选拟表彰对象公示"
    assert notice.issuers == ("太原市文明办",)
    assert notice.date == dt.date(2031, 12, 2)
    assert notice.date_text == "2031年12月2日"


def test_notice_names_every_bad_field():
    defaults = default_notice(title="T", issuers=[], today=dt.date(2031, 1, 1))
    with pytest.raises(ValidationFailed) as caught:
        notice_clean(
            {"phone": "call me", "email": "not-an-address", "date": "31/12/2031", "issuers": "\n".join("ABCDEF")},
            defaults=defaults,
        )
    assert set(caught.value.fields) == {"phone", "email", "date", "issuers"}
    assert caught.value.fields["email"] == ["电子邮箱：请填写有效的电子邮箱地址。"]


def test_grouped_bars_scale_to_the_largest_value():
    chart = charts.grouped_bars([("小店区", [4, 2, 1]), ("迎泽区", [2, 0, 0])], series=["已提交", "审查通过", "获评"])
    first, second = chart["rows"]
    plot = charts.WIDTH - charts.LABEL - charts.VALUE
    assert first["bars"][0]["width"] == plot
    assert second["bars"][0]["width"] == plot / 2
    assert second["bars"][1]["width"] == 0  # nothing drawn for zero
    assert second["bars"][0]["y"] > first["bars"][2]["y"]
    assert chart["height"] > second["bars"][2]["y"]


# --------------------------------------------------------------------------- 公示


def test_publish_with_a_notice_shows_it_above_the_list(office, round1, scored, competition):  # noqa: F811
    publicity = _publish(office, round1, competition)
    assert publicity.notice_title == NOTICE["title"]
    assert publicity.contact_phone == "0351-4040123"
    assert publicity.notice_issuers.splitlines() == ["中共太原市委宣传部", "太原市精神文明建设委员会办公室"]
    entry = AuditEntry.objects.get(action="publicity.publish")
    assert entry.after["notice"]["contact_email"] == "wmb@example.org"
    page = Client().get(f"/publicity/{competition.pk}/").content.decode()
    assert page.index(NOTICE["title"]) < page.index("如有异议") < page.index(scored[0].title)
    assert "0351-4040123" in page and "太原市精神文明建设委员会办公室" in page
    body = api().get(f"/api/v1/public/competitions/{competition.pk}/publicity/").json()
    assert body["notice"]["title"] == NOTICE["title"]
    assert body["notice"]["issuers"][0] == "中共太原市委宣传部"


def test_a_bad_notice_publishes_nothing(office, round1, scored, competition):  # noqa: F811
    _close(office, round1)
    response = api(office).post(
        f"/api/v1/competitions/{competition.pk}/publicity/",
        {"working_days": 5, "notice": {"email": "nope", "phone": "x"}},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email", "phone"}
    assert not Publicity.objects.exists() and not Award.objects.exists()


def test_preview_writes_nothing_and_lists_what_publishing_publishes(office, observer, round1, scored, competition):  # noqa: F811
    _close(office, round1)
    audited = AuditEntry.objects.count()
    preview = services.publicity_preview(actor=office, competition=competition, working_days=5, notice=NOTICE)
    assert preview.refusal is None
    assert preview.notice.title == NOTICE["title"]
    assert [a.nomination_id for a in preview.awards] == [n.pk for n in scored[:3]]
    assert not Award.objects.exists() and AuditEntry.objects.count() == audited
    with pytest.raises(Forbidden):
        services.publicity_preview(actor=observer, competition=competition)
    publicity = services.publicity_publish(actor=office, competition=competition, working_days=5, notice=NOTICE)
    assert list(Award.objects.order_by("final_rank").values_list("nomination_id", flat=True)) == [
        a.nomination_id for a in preview.awards
    ]
    assert (publicity.starts_on, publicity.ends_on) == (preview.starts_on, preview.ends_on)


def test_publicity_page_previews_then_publishes(office, round1, scored, competition):  # noqa: F811
    _close(office, round1)
    client = _client(office)
    url = f"/judging/office/competitions/{competition.pk}/publicity/"
    form = client.get(url)
    assert form.status_code == 200 and "预览" in form.content.decode()
    fields = {**NOTICE, "working_days": 5}
    preview = client.post(url, {**fields, "action": "preview"})
    text = preview.content.decode()
    assert preview.status_code == 200 and "确认发布公示" in text and scored[0].title in text
    assert not Publicity.objects.exists()
    missing_phone = client.post(url, {**fields, "phone": "", "action": "preview"}).content.decode()
    assert "联系电话：请填写组委会办公室受理异议的电话。" in missing_phone
    bad = client.post(url, {**fields, "email": "nope", "action": "publish"}).content.decode()
    assert "电子邮箱：请填写有效的电子邮箱地址。" in bad
    assert not Publicity.objects.exists()
    done = client.post(url, {**fields, "action": "publish"})
    assert done.status_code == 302
    publicity = Publicity.objects.get()
    assert publicity.contact_address == NOTICE["address"]
    page = client.get(url).content.decode()
    assert "公示已于" in page and "公示文件（PDF" in page


def test_observer_reads_the_publicity_page_and_cannot_publish(observer, office, round1, scored, competition):  # noqa: F811
    _close(office, round1)
    client = _client(observer)
    url = f"/judging/office/competitions/{competition.pk}/publicity/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="publicity-form"' not in page.content.decode()
    refused = client.post(url, {**NOTICE, "working_days": 5, "action": "publish"})
    assert refused.status_code == 403
    assert not Publicity.objects.exists()


def test_units_and_judges_do_not_see_the_results_pages(office, round1, scored, competition, units):  # noqa: F811
    from competition import services as competition_services
    from tests.factories import STRONG_PASSWORD

    officer = competition_services.user_create(
        actor=None, username="u-res", password=STRONG_PASSWORD, role="officer", unit=units[0]
    )
    client = _client(officer)
    for path in ("results", "publicity", "objections", "finalize", "honours", "statistics"):
        assert client.get(f"/judging/office/competitions/{competition.pk}/{path}/").status_code == 404
    assert Client().get(f"/judging/office/competitions/{competition.pk}/results/").status_code == 302


# --------------------------------------------------------------------------- objections


def test_office_enters_an_objection_received_by_letter(office, observer, round1, scored, competition):  # noqa: F811
    publicity = _publish(office, round1, competition)
    fields = dict(name="李四", phone="13912340000", content="来信反映该项目志愿者人数不实，请核查。")
    with pytest.raises(Forbidden):
        services.objection_enter(
            actor=observer, competition=competition, nomination=scored[0], channel="letter", **fields
        )
    with pytest.raises(ValidationFailed) as caught:
        services.objection_enter(
            actor=office, competition=competition, nomination=scored[5], channel="online",
            name="", phone="123", content="短", received_on=publicity.starts_on - dt.timedelta(days=1),
        )
    assert set(caught.value.fields) == {"name", "phone", "content", "channel", "received_on", "nomination"}
    objection_ = services.objection_enter(
        actor=office, competition=competition, nomination=scored[0], channel=ObjectionChannel.LETTER, **fields
    )
    assert objection_.channel == "letter" and objection_.entered_by == office
    assert objection_.received_on == timezone.localdate()
    entry = AuditEntry.objects.get(action="objection.enter")
    assert entry.after == {"nomination": scored[0].pk, "channel": "letter", "received_on": objection_.received_on.isoformat()}
    # A letter received in time may be entered after the period's end; one received late may not.
    with time_machine.travel(_after(publicity), tick=False):
        services.objection_enter(
            actor=office, competition=competition, nomination=scored[1], channel="phone",
            received_on=publicity.ends_on, **fields,
        )
        with pytest.raises(ValidationFailed) as late:
            services.objection_enter(
                actor=office, competition=competition, nomination=scored[1], channel="visit", **fields
            )
        assert "公示期外收到的异议不予受理" in late.value.fields["received_on"][0]


def test_api_office_enters_objection_and_filters_by_channel(office, observer, round1, scored, competition):  # noqa: F811
    _publish(office, round1, competition)
    body = {**objection(competition, scored[0]), "channel": "visit"}
    assert api(observer).post("/api/v1/objections/", body, format="json").status_code == 403
    created = api(office).post("/api/v1/objections/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["channel"] == "visit"
    api().post("/api/v1/public/objections/", objection(competition, scored[1], phone="13700000001"), format="json")
    listed = api(observer).get("/api/v1/objections/?channel=visit").json()["results"]
    assert [o["id"] for o in listed] == [created.json()["id"]]


def test_objection_page_filters_and_enter_form(office, round1, scored, competition):  # noqa: F811
    _publish(office, round1, competition)
    client = _client(office)
    new = f"/judging/office/competitions/{competition.pk}/objections/new/"
    refused = client.post(new, {"nomination": scored[0].pk, "channel": "phone", "name": "", "phone": "139", "content": "x"})
    text = refused.content.decode()
    assert refused.status_code == 200 and "姓名：请填写真实姓名" in text and "手机号码：请填写 11 位手机号码。" in text
    done = client.post(new, {
        "nomination": scored[0].pk, "channel": "phone", "name": "王五", "phone": "13800001234",
        "content": "来电反映该项目的活动次数明显夸大。", "received_on": timezone.localdate().isoformat(),
    })
    assert done.status_code == 302
    entered = Objection.objects.get()
    assert entered.channel == "phone"
    api().post("/api/v1/public/objections/", objection(competition, scored[1]), format="json")
    listing = client.get(f"/judging/office/competitions/{competition.pk}/objections/?channel=phone").content.decode()
    assert "王五" in listing and "张三" not in listing
    both = client.get(f"/judging/office/competitions/{competition.pk}/objections/").content.decode()
    assert "王五" in both and "张三" in both


def test_upholding_shows_who_enters_before_it_is_confirmed(office, observer, round1, scored, competition):  # noqa: F811
    _publish(office, round1, competition)
    objection_id = api().post("/api/v1/public/objections/", objection(competition, scored[1]), format="json").json()["id"]
    client = _client(office)
    resolve = f"/judging/office/objections/{objection_id}/resolve/"
    blank = client.post(resolve, {"decision": "upheld", "reason": " "})
    assert blank.status_code == 400 and "处理意见：必须写明理由。" in blank.content.decode()
    step = client.post(resolve, {"decision": "upheld", "reason": "经核实服务时长虚报"})
    text = step.content.decode()
    assert step.status_code == 200 and 'id="confirm"' in text
    assert f"移出拟表彰名单：{scored[1].title}" in text
    assert f"递补进入：{scored[3].title}" in text
    assert Objection.objects.get(pk=objection_id).status == ObjectionStatus.OPEN
    assert _client(observer).post(resolve, {"decision": "upheld", "reason": "x", "confirm": "1"}).status_code == 403
    done = client.post(resolve, {"decision": "upheld", "reason": "经核实服务时长虚报", "confirm": "1"})
    assert done.status_code == 302
    assert Objection.objects.get(pk=objection_id).status == ObjectionStatus.UPHELD
    assert Award.objects.get(nomination=scored[3]).status == AwardStatus.PROPOSED
    again = client.post(resolve, {"decision": "dismissed", "reason": "再次处理", "confirm": "1"}, follow=True)
    assert "该异议已处理。" in again.content.decode()


def test_spam_through_the_page_and_observer_refused(office, observer, round1, scored, competition):  # noqa: F811
    _publish(office, round1, competition)
    objection_id = api().post("/api/v1/public/objections/", objection(competition, scored[0]), format="json").json()["id"]
    url = f"/judging/office/objections/{objection_id}/spam/"
    assert _client(observer).post(url, {"reason": "垃圾信息"}).status_code == 403
    page = _client(observer).get(f"/judging/office/objections/{objection_id}/").content.decode()
    assert 'id="resolve"' not in page and 'id="spam"' not in page
    blank = _client(office).post(url, {"reason": ""}, follow=True).content.decode()
    assert "理由：标记为无效异议必须写明理由。" in blank
    _client(office).post(url, {"reason": "无具体事实"})
    assert Objection.objects.get(pk=objection_id).status == ObjectionStatus.SPAM


# --------------------------------------------------------------------------- finalise, 表彰名单, statistics


def test_finalise_page_highlights_changes_and_confirms_once(office, observer, round1, scored, competition):  # noqa: F811
    publicity = _publish(office, round1, competition)
    objection_id = api().post("/api/v1/public/objections/", objection(competition, scored[0]), format="json").json()["id"]
    services.objection_resolve(
        actor=office, objection=Objection.objects.get(pk=objection_id), decision="upheld", reason="材料不实"
    )
    blocks = standings.award_rows(competition=competition)
    changes = {row.nomination.pk: row.change for row in blocks[0].rows}
    assert changes[scored[0].pk] == standings.CHANGE_REMOVED
    assert changes[scored[3].pk] == standings.CHANGE_ENTERED
    assert changes[scored[1].pk] is None
    url = f"/judging/office/competitions/{competition.pk}/finalize/"
    client = _client(office)
    page = client.get(url).content.decode()
    assert "异议成立，已移出" in page and "递补进入" in page and "公示期至" in page
    with time_machine.travel(_after(publicity), tick=False):
        assert _client(observer).post(url, {"confirm": "on"}).status_code == 403
        unchecked = client.post(url, {})
        assert "请先勾选确认已核对名单。" in unchecked.content.decode()
        assert Competition.objects.get(pk=competition.pk).phase == "publicity"
        done = client.post(url, {"confirm": "on"})
    assert done.status_code == 302 and done["Location"].endswith("/honours/")
    assert Competition.objects.get(pk=competition.pk).phase == "final"
    honours = client.get(done["Location"]).content.decode()
    assert scored[3].title in honours and scored[0].title not in honours
    xlsx = client.get(f"/judging/office/competitions/{competition.pk}/honours.xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    titles = [row[2] for row in sheet.iter_rows(values_only=True)]
    assert scored[3].title in titles and scored[0].title not in titles


def test_finalise_refusal_is_shown_in_the_services_words(office, round1, scored, competition):  # noqa: F811
    _publish(office, round1, competition)
    response = _client(office).post(
        f"/judging/office/competitions/{competition.pk}/finalize/", {"confirm": "on"}, follow=True
    )
    assert "公示期满后才能确定结果" in response.content.decode()
    with pytest.raises(Conflict):
        services.competition_finalize(actor=office, competition=competition)


def test_statistics_per_unit_and_category(office, observer, round1, scored, competition, units):  # noqa: F811
    from nominations.models import Nomination

    _publish(office, round1, competition)
    Nomination.objects.filter(pk=scored[0].pk).update(volunteers=120, service_hours=3000, activities=40)
    AuditEntry.objects.create(
        action="nomination.review.return", object_type="nominations.nomination", object_id=str(scored[0].pk)
    )
    stats = standings.statistics(competition=competition)
    unit = next(r for r in stats.units if r.key == scored[0].unit_id)
    assert unit.values["submitted"] == 2 and unit.values["accepted"] == 2
    assert unit.values["returned"] == 1 and unit.values["winners"] == 2
    assert stats.winners_label == "拟表彰"
    assert stats.totals["submitted"] == 6 and stats.totals["winners"] == 3
    assert stats.totals["volunteers"] == 120 + 5 * 100  # the fixture's accepted projects have 100 each
    page = _client(observer).get(f"/judging/office/competitions/{competition.pk}/statistics/")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and units[3].name in text
    xlsx = _client(observer).get(f"/judging/office/competitions/{competition.pk}/statistics.xlsx")
    assert xlsx["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%E6%95%B0%E6%8D%AE%E7%BB%9F%E8%AE%A1.xlsx" in xlsx["Content-Disposition"]  # 数据统计.xlsx
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["按推荐单位", "按奖项"]
    rows = list(workbook["按奖项"].iter_rows(values_only=True))
    assert rows[-1][:2] == ("合计", 6)


def test_overview_shows_the_next_step(office, round1, scored, competition):  # noqa: F811
    client = _client(office)
    url = f"/judging/office/competitions/{competition.pk}/results/"
    assert "尚未结束" in client.get(url).content.decode()
    _close(office, round1)
    assert "下一步：发布公示" in client.get(url).content.decode()
    services.publicity_publish(actor=office, competition=competition, working_days=5)
    api().post("/api/v1/public/objections/", objection(competition, scored[0]), format="json")
    assert "下一步：处理异议（1 件待处理）" in client.get(url).content.decode()
