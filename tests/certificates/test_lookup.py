"""Certificate lookup by 证书编号 and the holder's name: the JSON and the /verify/ page (issue 14, item 5)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from certificates.enums import CertificateStatus
from tests.certificates.factories import CertificateFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/certificates/"
PUBLIC_FIELDS = {"number", "holder", "award", "competition", "year", "status", "issued_at", "sha256"}


def _issued(**kwargs):
    return CertificateFactory(
        status=CertificateStatus.ISSUED,
        pdf="certificates/x.pdf",
        sha256="a" * 64,
        issued_at=timezone.now(),
        holder="王𠮷堃",
        **kwargs,
    )


@pytest.fixture
def certificate():
    return _issued()


def test_lookup_json_answers_on_an_exact_match_of_both(certificate):
    response = APIClient().get(URL, {"number": certificate.number, "holder": "王𠮷堃"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PUBLIC_FIELDS
    assert body["number"] == certificate.number and body["holder"] == "王𠮷堃"
    assert body["status"] == "issued" and body["sha256"] == "a" * 64
    assert response["Cache-Control"] == "no-store"
    # Spaces typed around either value do not matter.
    assert APIClient().get(URL, {"number": f" {certificate.number} ", "holder": " 王𠮷堃"}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"holder": "王𠮷"},  # part of the name
        {"holder": "王𠮷堃堃"},
        {"holder": "李四"},
        {"number": "TY-XLF-1999-XM-0001"},
    ],
)
def test_lookup_json_refuses_anything_but_an_exact_match(certificate, query):
    params = {"number": certificate.number, "holder": "王𠮷堃", **query}
    response = APIClient().get(URL, params)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "王𠮷堃" not in response.content.decode()


def test_lookup_number_in_other_case_is_not_a_match(certificate):
    response = APIClient().get(URL, {"number": certificate.number.lower(), "holder": "王𠮷堃"})
    assert response.status_code == 404


def test_lookup_json_names_the_missing_field(certificate):
    response = APIClient().get(URL, {"number": certificate.number})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"holder": ["请填写获奖者姓名。"]}
    response = APIClient().get(URL)
    assert set(response.json()["error"]["fields"]) == {"number", "holder"}


def test_odd_input_is_not_found_rather_than_an_error(certificate):
    for params in (
        {"number": certificate.number + "\x00", "holder": "王𠮷堃"},
        {"number": certificate.number, "holder": "王\x00"},
        {"number": "X" * 5000, "holder": "王𠮷堃"},
    ):
        assert APIClient().get(URL, params).status_code == 404
        assert Client().get("/verify/", params).status_code == 404


def test_pending_certificates_are_not_found():
    pending = CertificateFactory(holder="张三")
    assert APIClient().get(URL, {"number": pending.number, "holder": "张三"}).status_code == 404
    page = Client().get("/verify/", {"number": pending.number, "holder": "张三"})
    assert page.status_code == 404


def test_revoked_answers_as_the_qr_verification_without_the_reason(certificate):
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = "经核实，申报材料不实"
    certificate.save()
    params = {"number": certificate.number, "holder": "王𠮷堃"}
    body = APIClient().get(URL, params).json()
    assert body == APIClient().get(f"{URL}{certificate.token}/").json()
    assert body["status"] == "revoked" and body["revoked_at"]
    assert "申报材料不实" not in str(body)
    by_number = Client().get("/verify/", params).content.decode()
    by_qr = Client().get(f"/verify/{certificate.token}/").content.decode()
    assert by_number == by_qr
    assert "该证书已撤销" in by_number and "申报材料不实" not in by_number


def test_page_shows_the_form_then_the_result(certificate):
    form = Client().get("/verify/")
    html = form.content.decode()
    assert form.status_code == 200
    assert 'name="number"' in html and 'name="holder"' in html and "证书编号" in html and "获奖者姓名" in html
    found = Client().get("/verify/", {"number": certificate.number, "holder": "王𠮷堃"})
    assert found.status_code == 200
    assert "证书有效" in found.content.decode() and found["Cache-Control"] == "no-store"


def test_page_refuses_a_wrong_name_in_chinese(certificate):
    page = Client().get("/verify/", {"number": certificate.number, "holder": "李四"})
    html = page.content.decode()
    assert page.status_code == 404
    assert "未找到该证书" in html and "证书有效" not in html
    assert 'value="李四"' in html  # the form keeps what was typed


def test_page_names_a_missing_field(certificate):
    page = Client().get("/verify/", {"number": certificate.number, "holder": ""})
    assert page.status_code == 400
    assert "请填写获奖者姓名。" in page.content.decode()


def test_page_escapes_what_was_typed(certificate):
    html = Client().get("/verify/", {"number": "<b>x</b>", "holder": "<script>"}).content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_lookup_is_throttled_with_the_qr_verification(monkeypatch, certificate):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "public", "3/minute")
    params = {"number": certificate.number, "holder": "王𠮷堃"}
    a = Client(REMOTE_ADDR="10.0.0.7")
    statuses = [
        a.get("/verify/", params).status_code,
        a.get(URL, params).status_code,
        a.get(f"/verify/{certificate.token}/").status_code,
    ]
    assert statuses == [200, 200, 200]
    blocked = a.get("/verify/", params)
    assert blocked.status_code == 429 and "Retry-After" in blocked
    assert a.get(URL, params).json()["error"]["code"] == "throttled"
    # Wrong guesses count too: a wrong name does not get a fresh allowance.
    assert a.get(URL, {**params, "holder": "李四"}).status_code == 429
    assert a.get(URL, params, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.8").get(URL, params).status_code == 200
