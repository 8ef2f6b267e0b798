"""Issuing in batches (eager Celery here), numbering, failures, listing, downloads, revoke, reissue."""

from __future__ import annotations

import hashlib
import io
import socket
import zipfile
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from pypdf import PdfReader

from certificates import services
from certificates.enums import BatchStatus, CertificateStatus, ItemStatus
from certificates.models import BatchItem, Certificate, CertificateBatch
from certificates.rendering import qr_matrix
from certificates.services import designs
from competition.enums import Phase
from competition.models import AuditEntry, Competition
from judging.enums import AwardStatus
from judging.models import Award
from tests.certificates.conftest import (
    api,
    assert_safe_subset_fonts,
    award_for,
    pdf_text,
    qr_image_matrix,
    squeeze,
)
from tests.workers import broker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("poppler")]


def issue(client, competition, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/competitions/{competition.pk}/certificates/issue/", body, format="json")
    return response


def test_issue_renders_every_final_award_with_numbers_per_category(
    office, final, awards, tmp_path, django_capture_on_commit_callbacks
):
    client = api(office)
    response = issue(client, final, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    assert response["Location"] == response.json()["status_url"]
    batch = client.get(response.json()["status_url"]).json()
    assert batch["status"] == "done"  # eager Celery in this test
    assert (batch["total"], batch["done"], batch["failed"]) == (4, 4, 0)
    assert batch["archive_url"] == f"/api/v1/certificate-batches/{batch['id']}/archive/"

    numbers = {c.award_id: c.number for c in Certificate.objects.all()}
    assert numbers == {
        awards[0].pk: "TY-XLF-2022-XM-0001",
        awards[1].pk: "TY-XLF-2022-XM-0002",
        awards[2].pk: "TY-XLF-2022-ZZ-0001",
        awards[3].pk: "TY-XLF-2022-ZYZ-0001",
    }
    for certificate in Certificate.objects.all():
        assert certificate.status == CertificateStatus.ISSUED
        pdf = certificate.pdf.read()
        certificate.pdf.close()
        assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
        assert certificate.pdf.name.startswith(f"certificates/{final.pk}/")
        assert certificate.number not in certificate.pdf.name  # a generated name
        assert_safe_subset_fonts(pdf)
        matrix = qr_matrix(certificate.verify_url)
        assert qr_image_matrix(pdf, len(matrix)) == matrix  # the QR code is the verification URL's
        assert certificate.verify_url == f"{settings.SITE_URL}/verify/{certificate.token}/"
        text = squeeze(pdf_text(pdf, tmp_path))
        assert squeeze(certificate.number) in text
        assert "二〇二二年十二月五日" in text  # the day the results were made final
        for part in certificate.holder.split():
            assert part in text
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1

    person = Certificate.objects.get(award=awards[3])
    assert person.holder == "王𠮷堃"
    assert "王𠮷堃同志：" in squeeze(pdf_text(person.pdf.read(), tmp_path))
    assert AuditEntry.objects.filter(action="certificates.issue").count() == 1


def test_issue_twice_gives_the_same_certificates_and_numbers(office, final, awards, units, django_capture_on_commit_callbacks):
    client = api(office)
    issue(client, final, django_capture_on_commit_callbacks)
    first = {c.pk: (c.number, c.token, c.sha256, c.pdf.name) for c in Certificate.objects.all()}
    # A late award (say, after an objection) joins; the others keep everything.
    late = award_for(final, "XM", units[4], title="邻里守望", organization="小店区某社区", rank=3)
    second = client.get(issue(client, final, django_capture_on_commit_callbacks).json()["status_url"]).json()
    assert second["total"] == 5 and second["done"] == 5
    again = {c.pk: (c.number, c.token, c.sha256, c.pdf.name) for c in Certificate.objects.exclude(award=late)}
    assert again == first
    assert Certificate.objects.get(award=late).number == "TY-XLF-2022-XM-0003"
    assert Certificate.objects.count() == 5
    download = client.get(second["archive_url"])
    # A Chinese file name: percent-encoded UTF-8 in filename* (RFC 6266), written by Django.
    name = quote(f"荣誉证书-2022-批次{second['id']}.zip")
    assert download["Content-Disposition"] == f"attachment; filename*=utf-8''{name}"
    zipped = zipfile.ZipFile(io.BytesIO(download.getvalue()))
    assert sorted(n for n in zipped.namelist() if n.endswith(".pdf")) == sorted(
        f"{c.number}.pdf" for c in Certificate.objects.all()
    )
    assert "清单.csv" in zipped.namelist()
    listing = zipped.read("清单.csv").decode("utf-8-sig")
    assert "TY-XLF-2022-XM-0003" in listing and "小店区某社区 邻里守望" in listing


def test_the_database_refuses_a_second_certificate_or_number(office, final, awards, django_capture_on_commit_callbacks):
    from django.db import IntegrityError, transaction

    issue(api(office), final, django_capture_on_commit_callbacks)
    existing = Certificate.objects.first()
    fields = {f.name: getattr(existing, f.name) for f in Certificate._meta.fields if f.name not in ("id",)}
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(**{**fields, "number": "X-1", "token": "t" * 43, "serial": 99})  # same award
    other = Certificate.objects.exclude(pk=existing.pk).filter(category=existing.category).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=other.pk).update(serial=existing.serial)


def test_one_failing_render_is_retried_then_reported_and_the_rest_complete(
    office, final, awards, monkeypatch, django_capture_on_commit_callbacks
):
    broken = awards[1].nomination
    calls = {"broken": 0}
    real = designs.render_certificate_pdf

    def render(data, design, *, chars=""):
        if data.holder.endswith(broken.title):
            calls["broken"] += 1
            raise RuntimeError("模拟的渲染故障")
        return real(data, design, chars=chars)

    monkeypatch.setattr(designs, "render_certificate_pdf", render)
    client = api(office)
    batch = client.get(issue(client, final, django_capture_on_commit_callbacks).json()["status_url"]).json()
    assert batch["status"] == "done_with_errors"
    assert (batch["total"], batch["done"], batch["failed"]) == (4, 3, 1)
    assert calls["broken"] == 3  # CERTIFICATES_RENDER_ATTEMPTS
    [failure] = batch["failures"]
    assert failure["number"] == "TY-XLF-2022-XM-0002"
    assert failure["attempts"] == 3
    assert "模拟的渲染故障" in failure["error"]
    assert Certificate.objects.get(award=awards[1]).status == CertificateStatus.PENDING
    zipped = zipfile.ZipFile(io.BytesIO(client.get(batch["archive_url"]).getvalue()))
    assert len([n for n in zipped.namelist() if n.endswith(".pdf")]) == 3

    # The fault is gone: issuing again renders only that one, with its number.
    monkeypatch.setattr(designs, "render_certificate_pdf", real)
    again = client.get(issue(client, final, django_capture_on_commit_callbacks).json()["status_url"]).json()
    assert (again["status"], again["done"], again["failed"]) == ("done", 4, 0)
    assert Certificate.objects.get(award=awards[1]).status == CertificateStatus.ISSUED


def test_a_glyph_missing_fails_at_once_with_the_character(office, final, units, django_capture_on_commit_callbacks):
    award_for(final, "ZYZ", units[0], title="李\U000f0001")
    client = api(office)
    batch = client.get(issue(client, final, django_capture_on_commit_callbacks).json()["status_url"]).json()
    assert batch["failed"] == 1
    assert batch["failures"][0]["attempts"] == 1
    assert "U+F0001" in batch["failures"][0]["error"]


def test_issue_only_when_final_and_only_by_the_office(
    office, observer, officer, final, awards, django_capture_on_commit_callbacks
):
    Competition.objects.filter(pk=final.pk).update(phase=Phase.PUBLICITY)
    response = issue(api(office), final, django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wrong_phase"
    Competition.objects.filter(pk=final.pk).update(phase=Phase.FINAL)
    for user in (observer, officer):
        assert issue(api(user), final, django_capture_on_commit_callbacks).status_code == 403
    assert issue(api(), final, django_capture_on_commit_callbacks).status_code in (401, 403)
    assert api(office).post("/api/v1/competitions/999999/certificates/issue/").status_code == 404
    assert not Certificate.objects.exists()


def test_removed_and_proposed_awards_get_no_certificate(office, final, awards, django_capture_on_commit_callbacks):
    Award.objects.filter(pk=awards[1].pk).update(status=AwardStatus.REMOVED, removed_reason="异议成立")
    issue(api(office), final, django_capture_on_commit_callbacks)
    assert set(Certificate.objects.values_list("award_id", flat=True)) == {awards[0].pk, awards[2].pk, awards[3].pk}


def test_a_batch_while_another_runs_is_refused(office, final, awards, django_capture_on_commit_callbacks):
    services.certificates_issue(actor=office, competition=final, send=False)  # queued, not sent
    response = issue(api(office), final, django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "batch_running"


def test_broker_down_leaves_the_batch_queued_and_the_drain_sends_it(
    office, final, awards, django_capture_on_commit_callbacks
):
    # A broker address where nothing listens: the real send fails as it does when Redis is down
    # (within the publish retry policy's seconds); back in eager mode the drain sends the batch.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with broker(f"redis://127.0.0.1:{port}/0"):
        body = issue(api(office), final, django_capture_on_commit_callbacks).json()
    assert body["status"] == "queued" and "消息队列暂不可用" in body["message"]
    batch = CertificateBatch.objects.get(pk=body["id"])
    assert batch.sent_at is None and batch.attempts == 1
    assert services.outbox_drain(older_than_seconds=0) == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.sent_at is not None


def test_a_duplicate_delivery_does_not_render_twice(office, final, awards, monkeypatch):
    batch = services.certificates_issue(actor=office, competition=final, send=False)
    item = BatchItem.objects.filter(batch=batch).first()
    assert services.item_render(item_id=item.pk) == "done"
    certificate = Certificate.objects.get(pk=item.certificate_id)
    monkeypatch.setattr(designs, "render_certificate_pdf", lambda *a, **k: pytest.fail("rendered again"))
    assert services.item_render(item_id=item.pk) == "skipped"
    # The same certificate pending in a second item (a redelivered, older message) is not redrawn either.
    BatchItem.objects.filter(pk=item.pk).update(status=ItemStatus.PENDING)
    assert services.item_render(item_id=item.pk) == "done"
    assert Certificate.objects.get(pk=certificate.pk).sha256 == certificate.sha256


def test_listing_is_scoped_and_pdf_downloads_only_for_office_and_winning_unit(
    office, observer, officer, other_officer, final, awards, django_capture_on_commit_callbacks
):
    issue(api(office), final, django_capture_on_commit_callbacks)
    everything = api(office).get("/api/v1/certificates/", {"competition": final.pk}).json()
    assert everything["count"] == 4
    row = everything["results"][0]
    assert {"id", "number", "holder", "award", "nomination", "status", "token", "sha256"} <= set(row)
    assert row["award"] == "最佳志愿服务项目" and row["status"] == "issued"
    assert api(observer).get("/api/v1/certificates/", {"competition": final.pk}).json()["count"] == 4
    own = api(officer).get("/api/v1/certificates/", {"competition": final.pk}).json()
    assert sorted(r["nomination"] for r in own["results"]) == sorted([awards[0].nomination_id, awards[2].nomination_id])
    assert api(other_officer).get("/api/v1/certificates/").json()["count"] == 0

    mine = Certificate.objects.get(award=awards[0])
    theirs = Certificate.objects.get(award=awards[1])
    for user, certificate, expected in (
        (office, theirs, 200),
        (officer, mine, 200),
        (officer, theirs, 404),
        (other_officer, mine, 404),
        (observer, mine, 404),
    ):
        response = api(user).get(f"/api/v1/certificates/{certificate.pk}/pdf/")
        assert response.status_code == expected, (user, certificate)
        if expected == 200:
            body = b"".join(response.streaming_content)
            assert body.startswith(b"%PDF") and hashlib.sha256(body).hexdigest() == certificate.sha256
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.pdf"'
    assert api().get(f"/api/v1/certificates/{mine.pk}/pdf/").status_code in (401, 403)
    batch = CertificateBatch.objects.get()
    assert api(observer).get(f"/api/v1/certificate-batches/{batch.pk}/").json()["archive_url"] is None
    assert api(observer).get(f"/api/v1/certificate-batches/{batch.pk}/archive/").status_code in (403, 404)
    assert api(officer).get(f"/api/v1/certificate-batches/{batch.pk}/").status_code == 404


def test_revoke_and_reissue_by_the_office_with_a_reason(
    office, officer, final, awards, tmp_path, django_capture_on_commit_callbacks
):
    issue(api(office), final, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(award=awards[0])
    url = f"/api/v1/certificates/{certificate.pk}/"
    client = api(office)
    assert client.post(url + "revoke/", {"reason": ""}, format="json").status_code == 400
    assert api(officer).post(url + "revoke/", {"reason": "x"}, format="json").status_code == 403
    revoked = client.post(url + "revoke/", {"reason": "经核实，申报材料不实"}, format="json")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked" and revoked.json()["revoked_reason"] == "经核实，申报材料不实"
    assert client.post(url + "revoke/", {"reason": "again"}, format="json").status_code == 409
    # The unit can no longer download a revoked certificate; the office can.
    assert api(officer).get(url + "pdf/").status_code == 404
    assert client.get(url + "pdf/").status_code == 200

    # A name corrected in the nomination, then a reissue: same number and token, new PDF and hash.
    nomination = awards[0].nomination
    nomination.organization = "太原市城市综合管理服务指挥中心（更正）"
    nomination.save(update_fields=["organization"])
    old_pdf = certificate.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        reissued = client.post(url + "reissue/", {"reason": "更正单位名称"}, format="json")
    assert reissued.status_code == 200, reissued.json()
    body = reissued.json()
    assert body["status"] == "issued" and body["revoked_at"] is None
    assert body["number"] == certificate.number and body["token"] == certificate.token
    assert body["sha256"] != certificate.sha256 and body["version"] == certificate.version + 1
    fresh = Certificate.objects.get(pk=certificate.pk)
    assert fresh.pdf.name != old_pdf and not fresh.pdf.storage.exists(old_pdf)
    with fresh.pdf.open("rb") as fh:
        pdf = fh.read()
    assert hashlib.sha256(pdf).hexdigest() == fresh.sha256
    assert "（更正）" in pdf_text(pdf, tmp_path)
    actions = list(AuditEntry.objects.filter(object_type="certificates.certificate").values_list("action", "reason"))
    assert ("certificate.revoke", "经核实，申报材料不实") in actions
    assert ("certificate.reissue", "更正单位名称") in actions


def test_management_command_issues_with_a_progress_bar(office, final, awards):
    out = io.StringIO()
    call_command("issue_certificates", str(final.year), stdout=out)
    text = out.getvalue()
    assert "[" in text and "4/4 100%" in text
    assert "4 份已生成，0 份失败" in text
    assert "ZIP" in text
    assert Certificate.objects.filter(status=CertificateStatus.ISSUED).count() == 4


def test_render_task_is_time_limited_and_acknowledged_late():
    from certificates.tasks import finish_batch, render_certificate

    assert render_certificate.soft_time_limit == 60 and render_certificate.time_limit == 90
    assert render_certificate.acks_late and render_certificate.reject_on_worker_lost
    assert finish_batch.acks_late


def test_drain_command_sends_a_queued_batch(office, final, awards):
    batch = services.certificates_issue(actor=office, competition=final, send=False)
    CertificateBatch.objects.filter(pk=batch.pk).update(created_at=batch.created_at.replace(year=2020))
    out = io.StringIO()
    call_command("drain_certificates", stdout=out)
    assert "1 个证书批次" in out.getvalue()
    assert CertificateBatch.objects.get(pk=batch.pk).status == BatchStatus.DONE


def test_the_listing_csv_neutralises_formulas(office, final, units, django_capture_on_commit_callbacks):
    """Issue 11: a nominee named like a formula must not run in the office's spreadsheet."""
    import csv

    names = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)"]
    for i, title in enumerate(names):
        award_for(final, "XM", units[i], title=title, rank=i + 1)
    client = api(office)
    batch = client.get(issue(client, final, django_capture_on_commit_callbacks).json()["status_url"]).json()
    zipped = zipfile.ZipFile(io.BytesIO(client.get(batch["archive_url"]).getvalue()))
    rows = list(csv.reader(io.StringIO(zipped.read("清单.csv").decode("utf-8-sig"))))
    holders = [row[1] for row in rows[1:]]
    assert sorted(holders) == sorted("'" + name for name in names)
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    # The certificates themselves keep the real names.
    assert sorted(Certificate.objects.values_list("holder", flat=True)) == sorted(names)


def test_csv_cell_covers_tab_and_carriage_return():
    assert [services.csv_cell(v) for v in ("\t=1", "\r=1", "普通名称", "", None, 12)] == [
        "'\t=1", "'\r=1", "普通名称", "", "", "12"
    ]
