"""The nominations API: the contract, who sees what, attacks through the body."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competition.models import AuditEntry
from nominations.enums import Status
from nominations.models import Nomination
from tests.nominations.conftest import PROJECT, api, attach_required, make_nomination

pytestmark = pytest.mark.django_db

CONTRACT_BODY = {
    "order": 1,
    "title": "举手之劳·为树木松绑拔刺",
    "organization": "太原市城市综合管理服务指挥中心",
    "field": "环境保护",
    "service_targets": "城市树木与市民",
    "service_area": "太原市六城区",
    "started_on": "2016-03-05",
    "volunteers": 758,
    "active_volunteers": 700,
    "service_hours": 104100,
    "activities": 3412,
    "beneficiaries": 1000000,
    "leader": "项目负责人姓名",
    "contact_name": "联系人姓名",
    "contact_phone": "13800000000",
    "summary": "≤1000字的项目概述及亮点成效",
    "introduction": "≤300字的项目简介",
    "innovation": "…",
    "social_benefit": "…",
    "sustainability": "…",
    "honors": "2019年12月获评最佳志愿服务组织",
    "media_links": ["https://example.org/report"],
    "pledge": True,
}


def body(competition, category, **extra):
    return {"competition": competition.pk, "category": category.pk, **CONTRACT_BODY, **extra}


def test_create_project_nomination_with_the_contract_body(officer, competition, project_category):
    response = api(officer).post("/api/v1/nominations/", body(competition, project_category), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    for key in ("id", "unit", "status", "years_running", "warnings", "attachments"):
        assert key in data
    for key, value in CONTRACT_BODY.items():
        assert data[key] == value, key
    assert data["unit"] == officer.unit_id
    assert data["status"] == "draft"
    assert data["years_running"] >= 6
    nomination = Nomination.objects.get(pk=data["id"])
    assert nomination.unit_id == officer.unit_id
    assert nomination.created_by == officer
    assert AuditEntry.objects.filter(action="nomination.create", object_id=str(nomination.pk)).count() == 1


def test_create_organization_nomination_with_its_own_fields(officer, competition, organization_category):
    payload = {
        "competition": competition.pk,
        "category": organization_category.pk,
        "order": 1,
        "title": "太原市城市综合管理服务指挥中心志愿服务队",
        "registration": "已在太原市志愿服务信息系统备案",
        "founded_on": "2015-06-01",
        "brand_projects": ["举手之劳·为树木松绑拔刺", "举手之劳·清除城市牛皮癣"],
        "volunteers": 758,
        "active_volunteers": 700,
        "pledge": True,
    }
    response = api(officer).post("/api/v1/nominations/", payload, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["brand_projects"] == payload["brand_projects"]
    assert data["founded_on"] == "2015-06-01"
    assert data["years_running"] >= 7


@pytest.mark.parametrize("forced", [{"unit": "OTHER"}, {"status": "accepted"}])
def test_unit_or_status_in_the_body_is_refused_and_not_applied(
    forced, officer, other_unit, competition, project_category
):
    value = other_unit.pk if "unit" in forced else forced["status"]
    key = next(iter(forced))
    response = api(officer).post(
        "/api/v1/nominations/", body(competition, project_category, **{key: value}), format="json"
    )

    assert response.status_code == 400
    assert key in response.json()["error"]["fields"]
    assert Nomination.objects.count() == 0


@pytest.mark.parametrize("forced", [{"unit": "OTHER"}, {"status": "accepted"}])
def test_unit_or_status_in_a_patch_is_refused_and_not_applied(forced, officer, other_unit, draft):
    key = next(iter(forced))
    value = other_unit.pk if key == "unit" else forced[key]
    response = api(officer).patch(f"/api/v1/nominations/{draft.pk}/", {key: value}, format="json")

    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.unit_id == officer.unit_id
    assert draft.status == Status.DRAFT


def test_another_units_nomination_answers_404_like_a_missing_one(other_officer, draft):
    client = api(other_officer)
    hidden = client.get(f"/api/v1/nominations/{draft.pk}/")
    missing = client.get("/api/v1/nominations/999999/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    for method, url in (
        ("patch", f"/api/v1/nominations/{draft.pk}/"),
        ("delete", f"/api/v1/nominations/{draft.pk}/"),
        ("post", f"/api/v1/nominations/{draft.pk}/submit/"),
        ("post", f"/api/v1/nominations/{draft.pk}/withdraw/"),
    ):
        response = getattr(client, method)(url, {"title": "x"}, format="json")
        assert response.status_code == 404, (method, url)
        assert response.json() == missing.json()
    draft.refresh_from_db()
    assert draft.title == PROJECT["title"]


def test_officer_lists_only_own_unit(officer, other_officer, competition, project_category):
    make_nomination(officer, competition, project_category)
    make_nomination(other_officer, competition, project_category, title="另一个项目")

    mine = api(officer).get("/api/v1/nominations/").json()
    assert [n["unit"] for n in mine["results"]] == [officer.unit_id]


def test_office_and_observer_see_all_and_judges_see_none(
    office, observer, judge, officer, other_officer, competition, project_category
):
    make_nomination(officer, competition, project_category)
    make_nomination(other_officer, competition, project_category, title="另一个项目")

    assert api(office).get("/api/v1/nominations/").json()["count"] == 2
    assert api(observer).get("/api/v1/nominations/").json()["count"] == 2
    response = api(judge).get("/api/v1/nominations/")
    assert response.status_code in (403, 200)
    if response.status_code == 200:
        assert response.json()["count"] == 0


def test_list_filters(office, officer, other_officer, competition, project_category, organization_category):
    make_nomination(officer, competition, project_category)
    make_nomination(other_officer, competition, project_category, title="另一个项目")
    client = api(office)

    by_unit = client.get("/api/v1/nominations/", {"unit": officer.unit_id}).json()
    assert by_unit["count"] == 1
    by_status = client.get("/api/v1/nominations/", {"status": "submitted"}).json()
    assert by_status["count"] == 0
    by_category = client.get("/api/v1/nominations/", {"category": organization_category.pk}).json()
    assert by_category["count"] == 0


def test_observer_cannot_change_anything(observer, draft):
    client = api(observer)
    assert client.patch(f"/api/v1/nominations/{draft.pk}/", {"title": "x"}, format="json").status_code == 403
    assert client.post(f"/api/v1/nominations/{draft.pk}/review/", {"decision": "accept"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/nominations/{draft.pk}/").status_code == 403


def test_bad_fields_get_chinese_messages_naming_the_field(officer, competition, project_category):
    response = api(officer).post(
        "/api/v1/nominations/",
        body(
            competition,
            project_category,
            contact_phone="12345",
            introduction="字" * 301,
            field="天文观测",
            media_links=["not a url"],
        ),
        format="json",
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["contact_phone"][0].startswith("联系电话：")
    assert fields["introduction"][0].startswith("简介：")
    assert fields["field"][0].startswith("服务领域：")
    assert any(k.startswith("media_links") for k in fields)
    assert Nomination.objects.count() == 0


def test_edit_one_second_after_the_window_closes_is_refused(officer, draft, competition):
    closes = competition.nominations_close
    with time_machine.travel(closes + dt.timedelta(seconds=1), tick=False):
        response = api(officer).patch(f"/api/v1/nominations/{draft.pk}/", {"title": "改名"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "window_closed"
    assert "截止" in response.json()["error"]["message"]
    draft.refresh_from_db()
    assert draft.title == PROJECT["title"]


def test_edit_one_second_before_the_window_closes_is_allowed(officer, draft, competition):
    closes = competition.nominations_close
    with time_machine.travel(closes - dt.timedelta(seconds=1), tick=False):
        response = api(officer).patch(f"/api/v1/nominations/{draft.pk}/", {"title": "改名"}, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "改名"


def test_stale_version_is_refused(officer, draft):
    client = api(officer)
    first = client.patch(f"/api/v1/nominations/{draft.pk}/", {"title": "一", "version": draft.version}, format="json")
    assert first.status_code == 200
    assert first.json()["version"] == draft.version + 1

    stale = client.patch(f"/api/v1/nominations/{draft.pk}/", {"title": "二", "version": draft.version}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    draft.refresh_from_db()
    assert draft.title == "一"


def test_submit_review_flow_through_the_api(officer, office, complete_draft):
    client = api(officer)
    submitted = client.post(f"/api/v1/nominations/{complete_draft.pk}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"

    returned = api(office).post(
        f"/api/v1/nominations/{complete_draft.pk}/review/", {"decision": "return", "reason": "请补充照片说明"}, format="json"
    )
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_reason"] == "请补充照片说明"

    edited = client.patch(f"/api/v1/nominations/{complete_draft.pk}/", {"summary": "补充后的概述"}, format="json")
    assert edited.status_code == 200
    assert client.post(f"/api/v1/nominations/{complete_draft.pk}/submit/").json()["status"] == "submitted"
    accepted = api(office).post(
        f"/api/v1/nominations/{complete_draft.pk}/review/", {"decision": "accept"}, format="json"
    )
    assert accepted.json()["status"] == "accepted"
    actions = list(
        AuditEntry.objects.filter(object_id=str(complete_draft.pk), object_type="nominations.nomination")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "nomination.create",
        "nomination.submit",
        "nomination.review.return",
        "nomination.update",
        "nomination.submit",
        "nomination.review.accept",
    ]


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_return_or_reject_without_reason_is_400_and_changes_nothing(office, submitted, decision):
    response = api(office).post(
        f"/api/v1/nominations/{submitted.pk}/review/", {"decision": decision, "reason": "  "}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_officer_cannot_review(officer, submitted):
    response = api(officer).post(f"/api/v1/nominations/{submitted.pk}/review/", {"decision": "accept"}, format="json")
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_delete_only_a_draft(officer, submitted, competition, project_category):
    draft = make_nomination(officer, competition, project_category, title="另一个草稿", order=2)
    client = api(officer)
    assert client.delete(f"/api/v1/nominations/{submitted.pk}/").status_code == 409
    assert client.delete(f"/api/v1/nominations/{draft.pk}/").status_code == 204
    assert not Nomination.objects.filter(pk=draft.pk).exists()
    assert Nomination.objects.filter(pk=submitted.pk).exists()


def _list_queries(user, n, officer, competition, category):
    for i in range(n):
        nomination = make_nomination(officer, competition, category, title=f"项目{i}", order=None)
        attach_required(nomination)
    client = api(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/nominations/", {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == n
    return len(ctx.captured_queries)


def test_list_runs_the_same_number_of_queries_for_1_and_30(office, officer, competition, project_category):
    one = _list_queries(office, 1, officer, competition, project_category)
    Nomination.objects.all().delete()
    thirty = _list_queries(office, 30, officer, competition, project_category)
    assert one == thirty


def test_an_edit_that_changes_nothing_keeps_the_version_and_writes_no_audit(officer, draft):
    before = AuditEntry.objects.count()
    response = api(officer).patch(
        f"/api/v1/nominations/{draft.pk}/", {"title": draft.title, "version": draft.version}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["version"] == draft.version
    assert AuditEntry.objects.count() == before
