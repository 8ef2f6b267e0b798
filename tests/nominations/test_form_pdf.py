"""The printable 推荐表 (issue 14 item 2): the PDF read back, its version code, who may print it,
the stamped scan recorded against the version, and the checklist asking for a new stamp after an edit."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from competition.exceptions import ValidationFailed
from nominations import attachments, form_pdf, services
from nominations.enums import AttachmentKind, Status
from tests.certificates.conftest import pdf_text, squeeze
from tests.nominations.conftest import api
from tests.nominations.files import minimal_pdf, png_bytes

pytestmark = pytest.mark.django_db


def _upload(officer, nomination, kind=AttachmentKind.STAMPED_FORM, caption=""):
    data = minimal_pdf() if kind == AttachmentKind.STAMPED_FORM else png_bytes()
    name = "stamped.pdf" if kind == AttachmentKind.STAMPED_FORM else "photo.png"
    upload = io.BytesIO(data)
    upload.name = name
    return attachments.attachment_add(actor=officer, nomination=nomination, upload=upload, kind=kind, caption=caption)


def _stamped_messages(nomination) -> list[str]:
    return [m["message"] for m in services.missing_items(nomination) if m["message"].startswith("盖章推荐表")]


def test_the_form_pdf_prints_title_unit_data_and_version_code(officer, draft, tmp_path):
    response = api(officer).get(f"/api/v1/nominations/{draft.pk}/form.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    code = form_pdf.version_code(draft)
    assert response["X-Form-Version"] == code
    text = squeeze(pdf_text(response.content, tmp_path))
    assert "最佳志愿服务项目推荐表" in text or f"{draft.category.name}推荐表" in text
    assert draft.unit.name in text
    assert code in text
    assert draft.title in text and draft.organization in text
    # The unit's opinion and the stamp have their boxes.
    assert "推荐单位意见" in text and "盖章" in text


def test_the_version_code_changes_with_the_data_and_only_then(officer, draft):
    code = form_pdf.version_code(draft)
    assert len(code) == 8 and code == code.upper()
    services.nomination_update(actor=officer, nomination=draft, data={"title": draft.title})
    draft.refresh_from_db()
    assert form_pdf.version_code(draft) == code  # nothing changed
    services.nomination_update(actor=officer, nomination=draft, data={"volunteers": 759})
    draft.refresh_from_db()
    assert form_pdf.version_code(draft) != code


def test_who_may_print_the_form(officer, other_officer, office, observer, judge, draft):
    assert api(office).get(f"/api/v1/nominations/{draft.pk}/form.pdf").status_code == 200
    missing = api(other_officer).get("/api/v1/nominations/999999/form.pdf")
    for user in (other_officer, observer, judge):
        response = api(user).get(f"/api/v1/nominations/{draft.pk}/form.pdf")
        assert response.status_code == 404
        assert response.content == missing.content
        assert draft.title not in response.content.decode()
    assert api().get(f"/api/v1/nominations/{draft.pk}/form.pdf").status_code == 401


def test_the_stamped_scan_is_recorded_against_the_current_version(officer, draft):
    stamped = _upload(officer, draft)
    assert stamped.form_version == form_pdf.version_code(draft)
    listed = api(officer).get(f"/api/v1/nominations/{draft.pk}/attachments/").json()
    assert [a["form_version"] for a in listed] == [stamped.form_version]
    assert _stamped_messages(draft) == []


def test_an_edit_after_the_stamp_asks_for_a_new_one_and_submission_waits(officer, draft):
    stamped = _upload(officer, draft)
    _upload(officer, draft, AttachmentKind.PHOTO, caption="志愿者拆除铁丝")
    services.nomination_update(actor=officer, nomination=draft, data={"service_hours": 105000})
    draft.refresh_from_db()
    current = form_pdf.version_code(draft)
    messages = _stamped_messages(draft)
    assert len(messages) == 1
    assert stamped.form_version in messages[0] and current in messages[0]
    assert "请重新打印推荐表" in messages[0]

    # The checklist the form page reads says the same.
    client = Client()
    client.force_login(officer)
    checklist = client.get(f"/nominations/{draft.pk}/checklist/").json()
    assert not checklist["complete"]
    assert any("请重新打印推荐表" in m["message"] for m in checklist["missing"])

    with pytest.raises(ValidationFailed) as refused:
        services.nomination_submit(actor=officer, nomination=draft)
    assert any("请重新打印推荐表" in m for m in refused.value.fields["attachments"])
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    renewed = _upload(officer, draft)
    assert renewed.form_version == current
    assert draft.attachments.filter(kind=AttachmentKind.STAMPED_FORM).count() == 1
    assert services.nomination_submit(actor=officer, nomination=draft).status == Status.SUBMITTED


def test_the_api_refuses_submission_with_a_stale_stamp_in_chinese(officer, draft):
    _upload(officer, draft)
    _upload(officer, draft, AttachmentKind.PHOTO, caption="志愿者拆除铁丝")
    response = api(officer).patch(f"/api/v1/nominations/{draft.pk}/", {"activities": 3413}, format="json")
    assert response.status_code == 200
    response = api(officer).post(f"/api/v1/nominations/{draft.pk}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert "盖章推荐表" in str(body) and "请重新打印推荐表" in str(body)


def test_the_nomination_page_offers_the_form_with_its_code(officer, observer, draft):
    client = Client()
    client.force_login(officer)
    page = client.get(f"/nominations/{draft.pk}/").content.decode()
    assert f"/api/v1/nominations/{draft.pk}/form.pdf" in page
    assert form_pdf.version_code(draft) in page
    edit = client.get(f"/nominations/{draft.pk}/edit/").content.decode()
    assert f"/api/v1/nominations/{draft.pk}/form.pdf" in edit
    # Observers read the nomination but print nothing.
    client.force_login(observer)
    page = client.get(f"/nominations/{draft.pk}/").content.decode()
    assert "form.pdf" not in page
