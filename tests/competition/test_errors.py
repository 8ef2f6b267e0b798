"""One error shape; a hidden object answers exactly like a missing one."""

import pytest

from competition.models import AuditEntry, Competition
from tests.factories import JudgeFactory, api_client, competition_factory

from .utils import assert_error

pytestmark = pytest.mark.django_db


def test_missing_and_hidden_objects_answer_the_same_404(users):
    competition = competition_factory()
    other_judge = JudgeFactory(username="judge-other")
    office = api_client(users["office"])
    office.patch(f"/api/v1/competitions/{competition.pk}/", {"title": "改名"}, format="json")
    entry = AuditEntry.objects.get()

    missing_competition = api_client(users["judge"]).get("/api/v1/competitions/999999/")
    not_a_number = api_client(users["judge"]).get("/api/v1/competitions/abc/")
    hidden_judge = api_client(users["judge"]).get(f"/api/v1/judges/{other_judge.judge_profile.pk}/")
    missing_judge = api_client(users["judge"]).get("/api/v1/judges/999999/")
    hidden_entry = api_client(users["officer"]).get(f"/api/v1/audit/{entry.pk}/")
    missing_entry = api_client(users["officer"]).get("/api/v1/audit/999999/")

    first = assert_error(missing_competition, 404, "not_found")
    assert first["message"] == "未找到该对象。"
    for response in (not_a_number, hidden_judge, missing_judge, hidden_entry, missing_entry):
        assert response.status_code == 404
        assert response.content == missing_competition.content
    # The office sees them.
    assert office.get(f"/api/v1/judges/{other_judge.judge_profile.pk}/").status_code == 200
    assert office.get(f"/api/v1/audit/{entry.pk}/").status_code == 200


def test_change_of_a_missing_competition_is_404_before_403(users):
    """Nothing is revealed: a missing id answers 404 to everyone, a visible one 403 to non-office."""
    competition = competition_factory()
    officer = api_client(users["officer"])
    missing = officer.patch("/api/v1/competitions/999999/", {"title": "x"}, format="json")
    assert_error(missing, 404, "not_found")
    visible = officer.patch(
        f"/api/v1/competitions/{competition.pk}/", {"title": "x"}, format="json"
    )
    assert_error(visible, 403, "permission_denied")
    missing_advance = api_client(users["office"]).post(
        "/api/v1/competitions/999999/advance/", {"to": "nominating"}, format="json"
    )
    assert missing_advance.content == missing.content


def test_every_api_error_has_the_one_shape(users, anon_api):
    competition = competition_factory()
    office = api_client(users["office"])
    cases = [
        (anon_api.get("/api/v1/competitions/"), 401),
        (api_client(users["judge"]).post("/api/v1/competitions/", {}, format="json"), 403),
        (office.get("/api/v1/competitions/424242/"), 404),
        (office.post("/api/v1/competitions/", {"year": "x"}, format="json"), 400),
        (office.post("/api/v1/competitions/", "{", content_type="application/json"), 400),
        (office.post("/api/v1/competitions/", "year=1", content_type="text/plain"), 415),
        (office.get("/api/v1/auth/token/"), 405),
        (office.put("/api/v1/auth/logout/"), 405),
        (
            office.post(
                f"/api/v1/competitions/{competition.pk}/advance/", {"to": "judging"}, format="json"
            ),
            409,
        ),
        (
            office.patch(f"/api/v1/competitions/{competition.pk}/", {"year": 2000}, format="json"),
            400,
        ),
    ]
    for response, status in cases:
        assert_error(response, status)
    assert Competition.objects.get().phase == "draft"


def test_validation_errors_name_nested_fields_by_path(users):
    office = api_client(users["office"])
    body = {
        "year": 1999,
        "categories": [{"code": "XM", "criteria": [{"name": "", "max_points": 0}]}],
        "rounds": [{"name": "初评", "method": "vote", "weight": 0}],
    }
    error = assert_error(office.post("/api/v1/competitions/", body, format="json"), 400)
    fields = error["fields"]
    assert fields["year"][0].startswith("年度：")
    assert fields["title"] == ["活动名称：该字段是必填项。"]
    assert fields["categories[0].name"] == ["奖项名称：该字段是必填项。"]
    assert fields["categories[0].criteria[0].name"][0].startswith("评分项名称：")
    assert fields["categories[0].criteria[0].max_points"][0].startswith("满分：")
    assert fields["rounds[0].method"][0].startswith("计分方法：")
    assert fields["rounds[0].weight"][0].startswith("权重：")
    assert fields["rounds[0].judges_per_nomination"][0].startswith("每件评委数：")
