"""Who may do what: the office changes, every signed-in role reads, anonymous gets 401."""

import pytest

from competition.models import AuditEntry, Competition
from tests.factories import (
    JudgeFactory,
    JudgeProfileFactory,
    api_client,
    competition_factory,
    competition_payload,
    taiyuan_unit,
)

from .utils import assert_error

pytestmark = pytest.mark.django_db

NOT_OFFICE = ["officer", "judge", "observer"]
EVERY_ROLE = ["office", *NOT_OFFICE]


@pytest.mark.parametrize("role", NOT_OFFICE)
def test_create_competition_by_non_office_is_403(users, role):
    response = api_client(users[role]).post(
        "/api/v1/competitions/", competition_payload(), format="json"
    )
    assert_error(response, 403, "permission_denied")
    assert not Competition.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", NOT_OFFICE)
def test_patch_competition_by_non_office_is_403(users, role):
    competition = competition_factory()
    response = api_client(users[role]).patch(
        f"/api/v1/competitions/{competition.pk}/", {"title": "改名"}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    assert Competition.objects.get(pk=competition.pk).title == competition.title
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", NOT_OFFICE)
def test_advance_competition_by_non_office_is_403(users, role):
    competition = competition_factory()
    response = api_client(users[role]).post(
        f"/api/v1/competitions/{competition.pk}/advance/", {"to": "nominating"}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    assert Competition.objects.get(pk=competition.pk).phase == "draft"
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/units/", None),
        ("get", "/api/v1/competitions/", None),
        ("get", "/api/v1/competitions/{pk}/", None),
        ("post", "/api/v1/competitions/", {}),
        ("patch", "/api/v1/competitions/{pk}/", {"title": "改名"}),
        ("post", "/api/v1/competitions/{pk}/advance/", {"to": "nominating"}),
        ("get", "/api/v1/judges/", None),
        ("get", "/api/v1/audit/", None),
        ("post", "/api/v1/auth/logout/", None),
    ],
)
def test_anonymous_requests_are_401(anon_api, method, url, body):
    competition = competition_factory()
    response = getattr(anon_api, method)(url.format(pk=competition.pk), body, format="json")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert Competition.objects.get().title == competition.title
    assert not AuditEntry.objects.exists()


def test_a_bad_token_is_401_not_anonymous(db):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/units/"), 401, "authentication_failed")


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_units_listed_for_every_role(users, role):
    response = api_client(users[role]).get("/api/v1/units/")
    assert response.status_code == 200
    units = response.json()
    assert len(units) == 24
    assert units[0] == {
        "id": taiyuan_unit("140105").pk,
        "code": "140105",
        "name": "太原市小店区",
        "short_name": "小店区",
        "kind": "district",
        "order": 1,
    }
    assert [u["order"] for u in units] == list(range(1, 25))
    assert {u["kind"] for u in units} == {"district", "county", "county_city", "zone", "municipal"}


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_competitions_readable_by_every_role(users, role):
    competition = competition_factory()
    client = api_client(users[role])
    listed = client.get("/api/v1/competitions/")
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["results"]] == [competition.pk]
    detail = client.get(f"/api/v1/competitions/{competition.pk}/")
    assert detail.status_code == 200
    body = detail.json()
    assert [c["code"] for c in body["categories"]] == ["XM", "ZZ", "ZYZ", "SQ"]
    assert all(c["rubric_total"] == 100 for c in body["categories"])
    assert len(body["categories"][0]["criteria"]) == 6
    assert [r["name"] for r in body["rounds"]] == ["初评", "终评"]


@pytest.mark.parametrize("role", ["office", "observer"])
def test_judges_listed_with_affiliations_for_office_and_observer(users, role):
    JudgeProfileFactory(
        user=JudgeFactory(username="judge-a", profile=None),
        name="张三",
        unit=taiyuan_unit("140106"),
        organizations=["太原市志愿者协会"],
    )
    response = api_client(users[role]).get("/api/v1/judges/")
    assert response.status_code == 200
    judges = {j["username"]: j for j in response.json()["results"]}
    assert set(judges) == {"judge-a", "judge-t"}
    assert judges["judge-a"]["name"] == "张三"
    assert judges["judge-a"]["unit"]["code"] == "140106"
    assert judges["judge-a"]["organizations"] == ["太原市志愿者协会"]
    assert judges["judge-t"]["unit"] is None


@pytest.mark.parametrize("role", ["officer", "judge"])
def test_judges_list_is_403_for_officer_and_judge(users, role):
    assert_error(api_client(users[role]).get("/api/v1/judges/"), 403, "permission_denied")
