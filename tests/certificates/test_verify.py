"""Public verification (JSON and the phone page), the batch page, the admin designs and preview."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from certificates import rendering, services
from certificates.models import Certificate, CertificateBatch, CertificateTemplate
from competition.models import AuditEntry
from tests.certificates.conftest import api, pdf_text, squeeze

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("poppler")]

PUBLIC_FIELDS = {"number", "holder", "award", "competition", "year", "status", "issued_at", "sha256"}


@pytest.fixture
def issued(office, final, awards, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.certificates_issue(actor=office, competition=final)
    return {c.award_id: c for c in Certificate.objects.all()}


def test_verification_json_valid_then_revoked(office, awards, issued):
    certificate = issued[awards[0].pk]
    url = f"/api/v1/public/certificates/{certificate.token}/"
    body = api().get(url).json()
    assert set(body) == PUBLIC_FIELDS
    assert body == {
        "number": "TY-XLF-2022-XM-0001",
        "holder": "太原市城市综合管理服务指挥中心 举手之劳·为树木松绑拔刺",
        "award": "最佳志愿服务项目",
        "competition": "2022年度太原市学雷锋志愿服务先进典型推选",
        "year": 2022,
        "status": "issued",
        "issued_at": body["issued_at"],
        "sha256": certificate.sha256,
    }
    services.certificate_revoke(actor=office, certificate=certificate, reason="经核实，申报材料不实")
    revoked = api().get(url).json()
    # That it was revoked and when; never why (issue 11).
    assert set(revoked) == PUBLIC_FIELDS | {"revoked_at"}
    assert revoked["status"] == "revoked" and revoked["revoked_at"]
    assert "申报材料不实" not in str(revoked)


def test_unknown_or_pending_token_is_404(office, final, awards):
    assert api().get("/api/v1/public/certificates/" + "x" * 43 + "/").status_code == 404
    assert Client().get("/verify/" + "x" * 43 + "/").status_code == 404
    services.certificates_issue(actor=office, competition=final, send=False)
    pending = Certificate.objects.first()
    assert api().get(f"/api/v1/public/certificates/{pending.token}/").status_code == 404
    page = Client().get(f"/verify/{pending.token}/")
    assert page.status_code == 404 and "未找到该证书" in page.content.decode()


def test_verification_page_in_chinese_for_phones(office, awards, issued):
    certificate = issued[awards[3].pk]
    page = Client().get(f"/verify/{certificate.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'lang="zh-CN"' in html
    for text in ("证书有效", "王𠮷堃", "TY-XLF-2022-ZYZ-0001", "最美志愿者"):
        assert text in html
    # The fingerprint in four groups of 16 with break points (a phone's width, with or without
    # the stylesheet); the text a visitor copies is the 64 digits, whole.
    digest = certificate.sha256
    assert "<wbr>".join(digest[i : i + 16] for i in range(0, 64, 16)) in html
    assert page["Cache-Control"] == "no-store"
    services.certificate_revoke(actor=office, certificate=certificate, reason="本人申请撤销")
    html = Client().get(f"/verify/{certificate.token}/").content.decode()
    assert "该证书已撤销" in html and "撤销时间" in html and "证书有效" not in html
    assert "本人申请撤销" not in html and "撤销原因" not in html  # why is not public (issue 11)


def test_verification_escapes_the_holder(office, final, units, django_capture_on_commit_callbacks):
    from tests.certificates.conftest import award_for

    award_for(final, "ZYZ", units[0], title='<script>alert("x")</script>')
    with django_capture_on_commit_callbacks(execute=True):
        services.certificates_issue(actor=office, competition=final)
    certificate = Certificate.objects.get()
    html = Client().get(f"/verify/{certificate.token}/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_verification_is_throttled_per_address(monkeypatch, awards, issued):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "public", "3/minute")
    token = next(iter(issued.values())).token
    page, json_url = f"/verify/{token}/", f"/api/v1/public/certificates/{token}/"
    a = Client(REMOTE_ADDR="10.0.0.1")
    assert [a.get(page).status_code, a.get(json_url).status_code, a.get(page).status_code] == [200, 200, 200]
    blocked = a.get(page)
    assert blocked.status_code == 429 and "Retry-After" in blocked
    assert a.get(json_url).status_code == 429
    assert a.get(json_url).json()["error"]["code"] == "throttled"
    # A forged X-Forwarded-For does not buy a fresh allowance (no proxy is trusted here).
    assert a.get(json_url, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.2").get(page).status_code == 200


def test_batch_page_shows_progress_and_the_zip_link(office, observer, officer, final, awards, issued):
    batch = CertificateBatch.objects.get()
    client = Client()
    client.force_login(office)
    html = client.get(f"/certificates/batches/{batch.pk}/").content.decode()
    assert "<progress" in html and 'value="4"' in html and "下载全部证书（ZIP）" in html
    assert "certificates/batch.js" in html
    client.force_login(observer)
    html = client.get(f"/certificates/batches/{batch.pk}/").content.decode()
    assert "<progress" in html and "下载全部证书" in html and " hidden" in html.split('id="batch-archive"')[1][:20]
    client.force_login(officer)
    assert client.get(f"/certificates/batches/{batch.pk}/").status_code == 404
    client.force_login(office)
    listing = client.get(f"/certificates/competitions/{final.pk}/").content.decode()
    assert "TY-XLF-2022-XM-0001" in listing and "颁发荣誉证书" in listing


def test_issue_button_on_the_page_creates_a_batch(office, final, awards, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/certificates/competitions/{final.pk}/issue/")
    batch = CertificateBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certificates/batches/{batch.pk}/"


def _png(width=600, height=420, colour=(200, 180, 120, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def test_admin_edits_a_design_and_previews_it(office, final, awards, tmp_path, django_capture_on_commit_callbacks):
    category = final.categories.get(code="ZZ")
    client = Client()
    client.force_login(office)
    add = client.get("/admin/certificates/certificatetemplate/add/").content.decode()
    assert "荣誉证书" in add  # prefilled with the default design
    html = rendering.DEFAULT_HTML.replace("荣誉证书</h1>", "荣誉证书</h1><p class=\"motto\">奉献 友爱 互助 进步</p>")
    response = client.post(
        "/admin/certificates/certificatetemplate/add/",
        {
            "category": category.pk,
            "html": html,
            "stylesheet": rendering.DEFAULT_CSS + "\n.motto { position: absolute; top: 60mm; width: 100%; text-align: center; }",
            "background": SimpleUploadedFile("bg.png", _png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = CertificateTemplate.objects.get(category=category)
    assert template.background.name.endswith(".jpg")
    with template.background.open("rb") as fh:
        assert fh.read(2) == b"\xff\xd8"  # converted to JPEG
    assert AuditEntry.objects.filter(action="certificate_template.save").exists()

    preview = client.get(f"/admin/certificates/certificatetemplate/preview/{category.pk}/")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"] == 'inline; filename="preview-ZZ.pdf"'
    text = squeeze(pdf_text(preview.content, tmp_path))
    assert "奉献友爱互助进步" in text and "TY-XLF-2022-ZZ-0001" in text

    with django_capture_on_commit_callbacks(execute=True):
        services.certificates_issue(actor=office, competition=final)
    organisation = Certificate.objects.get(category=category)
    assert "奉献友爱互助进步" in squeeze(pdf_text(organisation.pdf.read(), tmp_path))
    project = Certificate.objects.filter(category__code="XM").first()
    assert "奉献友爱互助进步" not in squeeze(pdf_text(project.pdf.read(), tmp_path))

    broken = client.post(
        f"/admin/certificates/certificatetemplate/{template.pk}/change/",
        {"category": category.pk, "html": "{% if %}", "stylesheet": ""},
    )
    assert broken.status_code == 200 and "模板语法错误" in broken.content.decode()


def test_observer_reads_designs_but_cannot_change_them(observer, final):
    client = Client()
    client.force_login(observer)
    assert client.get("/admin/certificates/certificatetemplate/").status_code == 200
    assert client.get("/admin/certificates/certificatetemplate/add/").status_code == 403
