"""The public JSON of the 云展馆: only whitelisted fields, only published winners,
conditional GETs, a constant number of queries, filters and pagination."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from exhibition import caching, services
from exhibition.models import Exhibit
from tests.exhibition.conftest import SECRET_SCORE, SECRETS, api, exhibit_of, make_final, winner

pytestmark = pytest.mark.django_db

BASE = "/api/v1/public/exhibition"

# The whitelist, exactly. A field added to a public response fails these tests
# until it is added here on purpose.
PAGE_KEYS = {"count", "next", "previous", "results"}
# Issue 16: every item says where it comes from (source, honour_year); details carry their figures.
PROJECT_LIST_KEYS = {"slug", "title", "organization", "unit", "field", "award", "year", "cover", "source", "honour_year"}
ORGANIZATION_LIST_KEYS = {"slug", "name", "unit", "award", "year", "cover", "source", "honour_year"}
PROJECT_DETAIL_KEYS = {
    "slug", "title", "organization", "unit", "field", "years_running", "volunteers", "service_hours",
    "activities", "beneficiaries", "introduction", "photos", "award", "year", "certificate_url",
    "source", "honour_year", "figures",
}  # fmt: skip
ORGANIZATION_DETAIL_KEYS = {
    "slug", "name", "unit", "founded", "volunteers", "service_hours", "activities", "brand_projects",
    "introduction", "photos", "award", "year", "source", "honour_year", "figures",
}  # fmt: skip
FIGURE_KEYS = {
    "label", "value", "written", "unit", "prefix", "suffix", "approximate", "display", "as_of", "as_of_text", "source",
}  # fmt: skip
UNIT_KEYS = {"code", "name"}
AWARD_KEYS = {"code", "name"}
IMAGE_KEYS = {"url", "width", "height"}
PHOTO_KEYS = {"caption", "thumbnail", "image"}
YEARS_KEYS = {"years"}
YEAR_KEYS = {"year", "projects", "organizations"}


def get(path, **headers):
    return api().get(path, **headers)


def test_project_list_keys_are_exactly_the_whitelist(published):
    body = get(f"{BASE}/projects/").json()
    assert set(body) == PAGE_KEYS
    assert body["count"] == 2
    for item in body["results"]:
        assert set(item) == PROJECT_LIST_KEYS
        assert set(item["unit"]) == UNIT_KEYS
        assert set(item["award"]) == AWARD_KEYS
        assert set(item["cover"]) == IMAGE_KEYS


def test_organization_list_keys_are_exactly_the_whitelist(published):
    body = get(f"{BASE}/organizations/").json()
    assert set(body) == PAGE_KEYS
    [item] = body["results"]
    assert set(item) == ORGANIZATION_LIST_KEYS
    assert set(item["unit"]) == UNIT_KEYS
    assert set(item["award"]) == AWARD_KEYS
    assert set(item["cover"]) == IMAGE_KEYS
    assert item["name"] == "杏花岭区青年志愿者协会"


def test_project_detail_keys_and_values(published):
    exhibit = exhibit_of(published["project_a"])
    response = get(f"{BASE}/projects/{exhibit.slug}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROJECT_DETAIL_KEYS
    assert set(body["unit"]) == UNIT_KEYS and set(body["award"]) == AWARD_KEYS
    assert len(body["photos"]) == 2
    for photo in body["photos"]:
        assert set(photo) == PHOTO_KEYS
        assert set(photo["thumbnail"]) == IMAGE_KEYS and set(photo["image"]) == IMAGE_KEYS
    assert body["title"] == "银龄陪伴助老服务"
    assert body["unit"] == {"code": "140105", "name": "太原市小店区"}
    assert body["award"] == {"code": "XM", "name": "最佳志愿服务项目"}
    assert body["year"] == 2031
    assert body["field"] == "为老服务"
    assert body["volunteers"] == 320 and body["service_hours"] == 38000
    assert body["activities"] == 1460 and body["beneficiaries"] == 52000
    assert body["years_running"] >= 3
    assert body["certificate_url"] is None  # no certificate issued in this test
    assert body["source"] == "award" and body["honour_year"] == 2031
    # The nomination's figures, each with its as-of date and its source.
    assert all(set(f) == FIGURE_KEYS for f in body["figures"])
    hours = next(f for f in body["figures"] if f["label"] == "累计服务时长")
    assert (hours["value"], hours["display"], hours["approximate"]) == ("38000", "3.8万小时", False)
    assert hours["source"] == "太原市小店区推荐表" and hours["as_of_text"].startswith("截至 ")
    assert [p["caption"] for p in body["photos"]] == ["银龄陪伴助老服务活动现场1", "银龄陪伴助老服务活动现场2"]


def test_organization_detail_keys_and_values(published):
    exhibit = exhibit_of(published["organization"])
    body = get(f"{BASE}/organizations/{exhibit.slug}/").json()
    assert set(body) == ORGANIZATION_DETAIL_KEYS
    assert body["founded"] == "2012-05-04"
    assert body["brand_projects"] == ["银龄陪伴", "周末课堂"]
    assert body["volunteers"] == 320
    assert len(body["photos"]) == 1 and set(body["photos"][0]) == PHOTO_KEYS


def test_years_keys_and_counts(published):
    body = get(f"{BASE}/years/").json()
    assert set(body) == YEARS_KEYS
    assert body["years"] == [{"year": 2031, "projects": 2, "organizations": 1}]
    assert all(set(y) == YEAR_KEYS for y in body["years"])


def test_nothing_private_leaves_through_any_public_response(published, client):
    """Contacts, phone numbers, drafts of the other texts, scores, reviewers: in no body."""
    project = exhibit_of(published["project_a"])
    organization = exhibit_of(published["organization"])
    paths = [
        f"{BASE}/projects/",
        f"{BASE}/organizations/",
        f"{BASE}/years/",
        f"{BASE}/projects/{project.slug}/",
        f"{BASE}/organizations/{organization.slug}/",
        "/exhibition/",
        "/exhibition/projects/",
        "/exhibition/organizations/",
        f"/exhibition/projects/{project.slug}/",
        f"/exhibition/organizations/{organization.slug}/",
    ]
    secrets = [v for v in SECRETS.values() if v] + [str(SECRET_SCORE), "secret-report", "office"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        for secret in secrets:
            assert secret not in text, (path, secret)
        if path.startswith(BASE):
            assert "summary" not in text and "contact" not in text and "phone" not in text, path


def test_unpublished_withdrawn_and_non_winning_are_never_visible(office, year, client):
    competition = year["competition"]
    # Final, but not published yet: empty halls.
    assert get(f"{BASE}/projects/").json()["count"] == 0
    assert get(f"{BASE}/years/").json() == {"years": []}

    services.exhibition_publish(actor=office, competition=competition)
    titles = {r["title"] for r in get(f"{BASE}/projects/?page_size=100").json()["results"]}
    assert titles == {"银龄陪伴助老服务", "汾河岸线护水行动"}
    # Non-winners (no award, proposed only, removed): no exhibit at all.
    for key in ("no_award", "proposed", "removed"):
        assert not Exhibit.objects.filter(nomination=year[key]).exists(), key
    # The 最美志愿者 winner is in its own hall (issue 16), never among the projects.
    assert [r["name"] for r in get(f"{BASE}/persons/").json()["results"]] == ["最美志愿者丁"]

    withdrawn = exhibit_of(year["project_b"])
    services.exhibit_withdraw(actor=office, exhibit=withdrawn, reason="核实发现材料有误")
    assert get(f"{BASE}/projects/{withdrawn.slug}/").status_code == 404
    assert get(f"{BASE}/projects/{withdrawn.slug}/").json()["error"]["code"] == "not_found"
    assert client.get(f"/exhibition/projects/{withdrawn.slug}/").status_code == 404
    titles = {r["title"] for r in get(f"{BASE}/projects/").json()["results"]}
    assert titles == {"银龄陪伴助老服务"}
    assert get(f"{BASE}/years/").json()["years"] == [{"year": 2031, "projects": 1, "organizations": 1}]
    assert "汾河岸线护水行动" not in client.get("/exhibition/projects/").content.decode()

    # A project's slug in the organisations hall, and slugs that do not exist.
    shown = exhibit_of(year["project_a"])
    assert get(f"{BASE}/organizations/{shown.slug}/").status_code == 404
    assert client.get(f"/exhibition/organizations/{shown.slug}/").status_code == 404
    for slug in ("2031-xm-zzzzzz", "nope"):
        assert get(f"{BASE}/projects/{slug}/").status_code == 404
        assert client.get(f"/exhibition/projects/{slug}/").status_code == 404


def test_nothing_before_final(office, competition, xm, units):
    winner(competition, xm, units[0], title="评审中的项目")
    response = api(office).post(f"/api/v1/competitions/{competition.pk}/exhibition/publish/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_final"
    assert get(f"{BASE}/projects/").json()["count"] == 0
    assert not Exhibit.objects.exists()


# --------------------------------------------------------------------------- HTTP caching


def _check_304(path, changed=None):
    first = get(path)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and last_modified.endswith("GMT")
    assert first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"

    by_etag = get(path, HTTP_IF_NONE_MATCH=etag)
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == etag and by_etag["Last-Modified"] == last_modified
    assert "max-age=60" in by_etag["Cache-Control"]

    by_date = get(path, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert by_date.status_code == 304
    assert get(path, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert get(path, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200
    if changed is not None:
        changed()
        again = get(path, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 200
        assert again["ETag"] != etag
    return first


@pytest.mark.parametrize("path", ["/projects/", "/organizations/", "/years/", "/projects/?year=2031&page_size=1"])
def test_conditional_get_answers_304_on_lists(published, path, office):
    exhibit = exhibit_of(published["project_a"])
    _check_304(
        BASE + path,
        changed=lambda: services.exhibit_update(actor=office, exhibit=exhibit, data={"volunteers": 321}),
    )


def test_conditional_get_answers_304_on_details_and_pages(published, office):
    project = exhibit_of(published["project_a"])
    organization = exhibit_of(published["organization"])
    _check_304(
        f"{BASE}/projects/{project.slug}/",
        changed=lambda: services.exhibit_update(actor=office, exhibit=project, data={"title": "银龄陪伴"}),
    )
    _check_304(f"{BASE}/organizations/{organization.slug}/")
    for path in ("/exhibition/", "/exhibition/projects/", "/exhibition/organizations/?year=2031"):
        _check_304(path)
    _check_304(
        f"/exhibition/organizations/{organization.slug}/",
        changed=lambda: services.exhibit_update(actor=office, exhibit=organization, data={"volunteers": 400}),
    )


def test_withdrawal_changes_the_list_validators(published, office):
    first = get(f"{BASE}/projects/")
    services.exhibit_withdraw(actor=office, exhibit=exhibit_of(published["project_b"]), reason="理由")
    second = get(f"{BASE}/projects/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second.json()["count"] == 1


def test_public_responses_are_open_to_any_origin(published):
    response = get(f"{BASE}/projects/")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"
    assert "Set-Cookie" not in response


def test_an_edit_in_the_body_cache_is_seen_at_once(published, office):
    exhibit = exhibit_of(published["project_a"])
    path = f"{BASE}/projects/{exhibit.slug}/"
    assert get(path).json()["volunteers"] == 320
    services.exhibit_update(actor=office, exhibit=exhibit, data={"volunteers": 999})
    assert get(path).json()["volunteers"] == 999
    assert get(f"{BASE}/projects/?q=银龄").json()["count"] == 1
    services.exhibit_update(actor=office, exhibit=exhibit, data={"title": "陪伴长者"})
    assert get(f"{BASE}/projects/?q=银龄").json()["count"] == 0


# --------------------------------------------------------------------------- queries


def _queries(path) -> int:
    cache.clear()  # measure a real build, not a cached body
    caching.forget_all()
    with CaptureQueriesContext(connection) as ctx:
        response = get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_the_same_queries_for_1_and_for_30_exhibits(office, competition, xm, units):
    winner(competition, xm, units[0], photos=2)
    make_final(competition)
    services.exhibition_publish(actor=office, competition=competition)
    one = {p: _queries(p) for p in (f"{BASE}/projects/?page_size=50", "/exhibition/projects/")}
    one_detail = _queries(f"{BASE}/projects/{Exhibit.objects.get().slug}/")

    for i in range(29):
        winner(competition, xm, units[i % len(units)], photos=1 + i % 3)
    services.exhibition_publish(actor=office, competition=competition)
    assert Exhibit.objects.count() == 30
    thirty = {p: _queries(p) for p in one}
    assert thirty == one
    assert one[f"{BASE}/projects/?page_size=50"] <= 4  # stamp, count, page, photos
    assert get(f"{BASE}/projects/?page_size=50").json()["count"] == 30
    assert _queries(f"{BASE}/projects/{Exhibit.objects.last().slug}/") == one_detail


def test_a_cached_list_costs_no_query_within_the_memo_and_one_without(published, settings):
    path = f"{BASE}/projects/"
    first = get(path)
    for ttl, queries in ((1, 0), (0, 1)):
        settings.EXHIBITION_STAMP_TTL = ttl
        with CaptureQueriesContext(connection) as ctx:
            assert get(path).status_code == 200
        assert len(ctx.captured_queries) == queries
        with CaptureQueriesContext(connection) as ctx:
            assert get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert len(ctx.captured_queries) == queries


def test_another_process_sees_a_change_when_its_memo_expires(published, office, settings):
    """A write forgets this process's memo at once; another worker's memo lives ``EXHIBITION_STAMP_TTL``."""
    settings.EXHIBITION_STAMP_TTL = 60
    exhibit = exhibit_of(published["project_b"])
    assert get(f"{BASE}/projects/").json()["count"] == 2
    assert get(f"{BASE}/projects/{exhibit.slug}/").status_code == 200
    # Another worker withdraws it: the rows change, this process's memo does not know yet.
    Exhibit.objects.filter(pk=exhibit.pk).update(status="withdrawn", withdrawn_reason="x", withdrawn_at=exhibit.updated_at)
    assert get(f"{BASE}/projects/").json()["count"] == 2
    assert get(f"{BASE}/projects/{exhibit.slug}/").status_code == 200
    settings.EXHIBITION_STAMP_TTL = 0  # as if the memo had expired
    assert get(f"{BASE}/projects/{exhibit.slug}/").status_code == 404
    # (the raw update left updated_at alone; the service moves it, see test_withdrawal_changes_…)
    caching.forget_all()
    services.exhibit_withdraw(actor=office, exhibit=exhibit_of(published["project_a"]), reason="理由")
    settings.EXHIBITION_STAMP_TTL = 60
    assert get(f"{BASE}/projects/").json()["count"] == 0


# --------------------------------------------------------------------------- filters


def test_filters_and_search(published, office, competition, xm, units):
    assert get(f"{BASE}/projects/?year=2031").json()["count"] == 2
    assert get(f"{BASE}/projects/?year=2030").json()["count"] == 0
    assert get(f"{BASE}/projects/?unit=140106").json()["results"][0]["title"] == "汾河岸线护水行动"
    assert get(f"{BASE}/projects/?field=节水护水").json()["count"] == 1
    assert get(f"{BASE}/projects/?category=XM").json()["count"] == 2
    assert get(f"{BASE}/projects/?category=xm").json()["count"] == 2
    assert get(f"{BASE}/projects/?category=ZZ").json()["count"] == 0
    assert get(f"{BASE}/organizations/?category=ZZ").json()["count"] == 1
    assert get(f"{BASE}/projects/?q=护水").json()["count"] == 1
    assert get(f"{BASE}/projects/?q=小店区").json()["count"] == 1  # the unit's name
    assert get(f"{BASE}/organizations/?q=杏花岭").json()["count"] == 1
    assert get(f"{BASE}/organizations/?unit=140105").json()["count"] == 0


def test_pagination(published):
    body = get(f"{BASE}/projects/?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1
    assert body["next"].endswith("page=2&page_size=1")
    second = get(body["next"]).json()
    assert second["previous"] is not None and len(second["results"]) == 1
    assert second["results"][0]["slug"] != body["results"][0]["slug"]
    missing = get(f"{BASE}/projects/?page=9")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "query, field",
    [("year=abc", "year"), ("page_size=1000", "page_size"), ("field=不存在", "field")],
)
def test_invalid_filters_answer_400_in_the_one_error_shape(published, query, field):
    response = get(f"{BASE}/projects/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "validation_failed"
    assert field in body["error"]["fields"]


def test_public_api_refuses_writes(published):
    response = api().post(f"{BASE}/projects/", {}, format="json")
    assert response.status_code == 405


# --------------------------------------------------------------------------- images


def test_image_urls_serve_renditions_with_long_cache(published, office, client):
    exhibit = exhibit_of(published["project_a"])
    body = get(f"{BASE}/projects/{exhibit.slug}/").json()
    photo = body["photos"][0]
    assert max(photo["thumbnail"]["width"], photo["thumbnail"]["height"]) == 480
    assert max(photo["image"]["width"], photo["image"]["height"]) == 1280
    for image in (photo["thumbnail"], photo["image"]):
        assert image["url"].startswith("http://testserver/exhibition/media/")
        response = client.get(image["url"].removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        content = b"".join(response.streaming_content)
        with Image.open(io.BytesIO(content)) as img:
            assert img.format == "JPEG"
            assert (img.width, img.height) == (image["width"], image["height"])
        assert client.get(image["url"], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    # Withdrawn: its images are no longer served.
    services.exhibit_withdraw(actor=office, exhibit=exhibit, reason="撤下")
    assert client.get(photo["image"]["url"].removeprefix("http://testserver")).status_code == 404
    assert client.get("/exhibition/media/00/" + "0" * 40 + ".jpg").status_code == 404
    assert client.get("/exhibition/media/../settings.py").status_code == 404


def test_a_hidden_photo_is_not_shown_nor_served(published, office, client):
    exhibit = exhibit_of(published["project_a"])
    photos = list(exhibit.photos.order_by("order"))
    hidden_url = get(f"{BASE}/projects/{exhibit.slug}/").json()["photos"][0]["image"]["url"]
    services.exhibit_photos_set(
        actor=office,
        exhibit=exhibit,
        photos=[{"id": photos[1].pk, "shown": True}, {"id": photos[0].pk, "shown": False}],
    )
    body = get(f"{BASE}/projects/{exhibit.slug}/").json()
    assert [p["caption"] for p in body["photos"]] == ["银龄陪伴助老服务活动现场2"]
    assert client.get(hidden_url.removeprefix("http://testserver")).status_code == 404


def test_json_is_utf8_not_escaped(published):
    response = get(f"{BASE}/organizations/")
    assert "杏花岭区青年志愿者协会" in response.content.decode("utf-8")
    assert json.loads(response.content)["count"] == 1
