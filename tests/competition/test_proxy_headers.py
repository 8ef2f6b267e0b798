"""Client address and request id come from headers only behind a configured
number of trusted proxies (issue 11): without one, no client can choose the
address the throttles and the audit trail see, nor the request id."""

from __future__ import annotations

import re

import pytest

from competition.models import AuditEntry
from tests.competition.test_phases import advance
from tests.factories import api_client, competition_factory

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def _advance(office, **headers):
    competition = competition_factory()
    response = advance(api_client(office, **headers), competition, "nominating")
    assert response.status_code == 200, response.json()
    return response, AuditEntry.objects.get(action="competition.advance", object_id=str(competition.pk))


def test_without_a_trusted_proxy_the_headers_are_not_believed(office, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    response, entry = _advance(
        office,
        REMOTE_ADDR="203.0.113.20",
        HTTP_X_FORWARDED_FOR="10.1.2.3",
        HTTP_X_REQUEST_ID="chosen-by-the-client",
    )
    assert entry.client_address == "203.0.113.20"
    assert entry.request_id != "chosen-by-the-client" and GENERATED.match(entry.request_id)
    assert response["X-Request-ID"] == entry.request_id


def test_behind_one_trusted_proxy_its_view_is_used(office, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response, entry = _advance(
        office,
        REMOTE_ADDR="10.0.0.1",  # the proxy
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.30",  # the client forged the first hop
        HTTP_X_REQUEST_ID="nginx-0f3a9c",
    )
    assert entry.client_address == "198.51.100.30"
    assert entry.request_id == "nginx-0f3a9c"
    assert response["X-Request-ID"] == "nginx-0f3a9c"


def test_behind_two_proxies_the_second_hop_from_the_right(office, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    _, entry = _advance(
        office, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.31, 10.0.0.9"
    )
    assert entry.client_address == "198.51.100.31"


def test_an_unsafe_request_id_or_a_broken_address_falls_back(office, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _, entry = _advance(
        office,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="not-an-address",
        HTTP_X_REQUEST_ID="bad id; drop table",
    )
    assert entry.client_address == "10.0.0.1"
    assert GENERATED.match(entry.request_id)
