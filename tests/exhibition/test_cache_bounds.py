"""The exhibition's shared cache cannot be flooded (issue 11 item 9): keys come
from the canonical query, a bad page is 404 and never stored, and each hall's
family of bodies is capped."""

from __future__ import annotations

import random
import string

import pytest
from django.core.cache import cache
from django.test import Client

from tests.exhibition.conftest import api

pytestmark = pytest.mark.django_db

BASE = "/api/v1/public/exhibition"
HALLS = (f"{BASE}/projects/", f"{BASE}/organizations/", "/exhibition/projects/", "/exhibition/organizations/")


def _stored() -> int:
    """Bodies in the shared cache (the tests' cache is Django's in-process LocMemCache)."""
    return sum("exhibition:body:" in key for key in cache._cache)


def _token(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits, k=rng.randint(1, 12)))


def test_random_query_values_store_nothing_new(published):
    rng = random.Random(11)
    client = Client()
    plain = {path: client.get(path) for path in HALLS}
    assert all(r.status_code == 200 for r in plain.values())
    stored = _stored()
    assert stored == len(HALLS)

    for _ in range(50):
        for path in HALLS:
            ignored = client.get(f"{path}?foo={_token(rng)}&{_token(rng)}=1")
            assert ignored.status_code == 200
            assert ignored.content == plain[path].content  # the same canonical body
            junk_page = rng.choice([_token(rng) + "x", str(rng.randint(3, 10**9)), "-1", "0", "1.5", " 1"])
            assert client.get(f"{path}?page={junk_page}").status_code == 404, junk_page
    # Leading zeros and page=1 are the plain request.
    for path in HALLS:
        assert client.get(f"{path}?page=0001").content == plain[path].content
    assert _stored() == stored


def test_a_bad_page_is_404_in_the_error_shape_and_never_stored(published):
    for query in ("page=abc", "page=0", "page=9", "page=-2", "page=1e3", "page=99999999999"):
        response = api().get(f"{BASE}/projects/?{query}")
        assert response.status_code == 404, query
        assert response.json()["error"]["code"] == "not_found"
        page = Client().get(f"/exhibition/projects/?{query}")
        assert page.status_code == 404, query
        assert "text/html" in page["Content-Type"]
    assert _stored() == 0


def test_links_in_a_body_carry_only_the_canonical_query(published):
    body = api().get(f"{BASE}/projects/?page_size=1&utm=<x>&callback=evil").json()
    assert body["next"] == "http://testserver/api/v1/public/exhibition/projects/?page=2&page_size=1"
    second = api().get(f"{BASE}/projects/?page=2&page_size=1&foo=bar").json()
    assert second["previous"] == "http://testserver/api/v1/public/exhibition/projects/?page_size=1"


def test_each_hall_stores_at_most_the_cap_of_distinct_queries(published, settings):
    settings.EXHIBITION_CACHED_QUERIES_MAX = 5
    for i in range(20):
        response = api().get(f"{BASE}/projects/?q=搜索{i}")
        assert response.status_code == 200 and response.json()["count"] == 0
    assert _stored() == 5
    # Past the cap every answer is still right, built each time.
    assert api().get(f"{BASE}/projects/?q=银龄").json()["count"] == 1
    # Another family has its own budget.
    assert api().get(f"{BASE}/organizations/?q=杏花岭").json()["count"] == 1
    assert _stored() == 6
