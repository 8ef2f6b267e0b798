"""Units' own outputs (issue 14 item 3): the result of each nomination after 结果确定 (pages and
JSON), the unit's certificates page with its downloads, and the 推荐汇总表 buttons."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from certificates import services
from certificates.models import BatchItem, Certificate
from competition.enums import Phase
from competition.models import Competition
from nominations.enums import Status
from tests.certificates.conftest import award_for
from tests.factories import OfficerFactory
from tests.judging.conftest import accepted, api

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(office, competition) -> None:
    batch = services.certificates_issue(actor=office, competition=competition, send=False)
    for item in BatchItem.objects.filter(batch=batch):
        services.item_render(item_id=item.pk)
    services.batch_finish(batch_id=batch.pk)


@pytest.fixture
def loser(final, units):
    """An accepted nomination of the officer's unit that won nothing."""
    return accepted(final, final.categories.get(code="XM"), units[0], title="未获评的项目")[0]


def test_result_is_null_before_the_results_are_final(officer, final, awards, loser):
    Competition.objects.filter(pk=final.pk).update(phase=Phase.PUBLICITY)
    for nomination in (awards[0].nomination, loser):
        body = api(officer).get(f"/api/v1/nominations/{nomination.pk}/").json()
        assert "result" in body and body["result"] is None
    page = _client(officer).get(f"/nominations/{awards[0].nomination_id}/").content.decode()
    assert "评选结果" not in page


def test_result_after_finalisation_names_the_award_and_then_the_certificate(office, officer, final, awards, loser):
    winner = awards[0].nomination
    body = api(officer).get(f"/api/v1/nominations/{winner.pk}/").json()
    assert body["result"] == {"awarded": True, "award": winner.category.name, "certificate": None}
    body = api(officer).get(f"/api/v1/nominations/{loser.pk}/").json()
    assert body["result"] == {"awarded": False, "award": None, "certificate": None}

    _issue(office, final)
    certificate = Certificate.objects.get(award=awards[0])
    for user in (officer, office):
        body = api(user).get(f"/api/v1/nominations/{winner.pk}/").json()
        assert body["result"] == {"awarded": True, "award": winner.category.name, "certificate": certificate.pk}


def test_the_nomination_pages_show_the_result(office, officer, final, awards, loser):
    _issue(office, final)
    certificate = Certificate.objects.get(award=awards[0])
    client = _client(officer)
    page = client.get(f"/nominations/{awards[0].nomination_id}/").content.decode()
    assert "获评" in page and awards[0].nomination.category.name in page
    assert f"/certificates/{certificate.pk}/pdf/" in page
    page = client.get(f"/nominations/{loser.pk}/").content.decode()
    assert "未获评" in page
    index = client.get("/nominations/").content.decode()
    assert "获评" in index and "未获评" in index


def test_the_list_api_reads_results_without_a_query_per_nomination(office, officer, final, awards, units):
    _issue(office, final)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api(officer).get(f"/api/v1/nominations/?competition={final.pk}")
        assert response.status_code == 200
        return len(queries)

    before = count()
    award_for(final, "XM", units[0], title="又一个获评项目", rank=3)
    accepted(final, final.categories.get(code="ZZ"), units[0], title="未获评组织", n=2)
    _issue(office, final)
    rows = api(officer).get(f"/api/v1/nominations/?competition={final.pk}").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert len(rows) >= 5
    assert count() == before


def test_the_unit_downloads_its_certificates_from_its_page(office, officer, final, awards):
    _issue(office, final)
    mine = Certificate.objects.get(award=awards[0])
    theirs = Certificate.objects.get(award=awards[1])
    client = _client(officer)
    index = client.get("/nominations/").content.decode()
    page_url = f"/certificates/competitions/{final.pk}/"
    assert page_url in index
    page = client.get(page_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.number in text and f"/certificates/{mine.pk}/pdf/" in text
    assert theirs.number not in text
    pdf = client.get(f"/certificates/{mine.pk}/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(f"/certificates/{theirs.pk}/pdf/").status_code == 404


def test_another_unit_sees_only_its_own_certificates(office, final, awards, units):
    _issue(office, final)
    stranger = OfficerFactory(username="unit-far", unit=units[5])
    page = _client(stranger).get(f"/certificates/competitions/{final.pk}/").content.decode()
    for certificate in Certificate.objects.filter(competition=final):
        assert certificate.number not in page


def test_the_unit_exports_its_own_summary_from_its_list(officer, final, awards, units):
    Competition.objects.filter(pk=final.pk).update(phase=Phase.REVIEWING)
    client = _client(officer)
    index = client.get("/nominations/").content.decode()
    url = f"/api/v1/nominations/export/?competition={final.pk}"
    assert url in index
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert awards[0].nomination.title in cells
    assert awards[1].nomination.title not in cells  # another unit's


def test_the_office_exports_everything_from_the_review_queue(office, final, awards):
    assert awards[0].nomination.status == Status.ACCEPTED
    client = _client(office)
    page = client.get(f"/nominations/review/?competition={final.pk}").content.decode()
    url = f"/api/v1/nominations/export/?competition={final.pk}"
    assert url in page
    book = load_workbook(io.BytesIO(client.get(url).content), read_only=True)
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert {awards[0].nomination.title, awards[1].nomination.title} <= cells
