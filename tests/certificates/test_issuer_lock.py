"""The issuers (颁发单位) and their seals cannot change under issued certificates.

``competition.refusals.issuers_refusal`` is the one rule: every way of editing,
adding, removing an issuer or replacing (or removing) its seal asks it, on the
competition row it has locked: the year setup's services and pages, the admin's
inline rows, the competition API's ``issuers`` and the demo's specimen seals.
Each action is tried in each situation: no certificates, certificates numbered
but not rendered, a batch rendering, issued certificates, all of them revoked.
A refusal changes nothing and writes no audit entry; the sample certificate
stays available.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from certificates import services as certificate_services
from certificates.enums import BatchStatus, CertificateStatus
from certificates.models import BatchItem, Certificate
from competition import services as competition_services
from competition.exceptions import Conflict
from competition.models import AuditEntry, Competition, Issuer
from competition.refusals import issuers_refusal
from competition.setup import services as setup_services
from tests.certificates.conftest import award_for
from tests.certificates.factories import CertificateBatchFactory, CertificateFactory
from tests.competition.test_admin_writes import form_data

pytestmark = pytest.mark.django_db


def png() -> bytes:
    """A transparent seal fit for ``seal_problems``: a red ring."""
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((40, 40, 360, 360), outline=(200, 0, 0, 255), width=30)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def issuers_of(competition) -> list[tuple]:
    """What the certificates print of the issuers, and the rows' ids: nothing of it may move."""
    return [(i.pk, i.order, i.name, i.seal.name) for i in Issuer.objects.filter(competition=competition).order_by("order", "id")]


def changes(competition) -> int:
    return AuditEntry.objects.filter(
        action__in=[
            "competition.issuers_set", "competition.update", "issuer.create", "issuer.update",
            "issuer.delete", "issuer.seal_set", "issuer.sample_seal",
        ]
    ).count()


# --------------------------------------------------------------------------- situations


def _issued(certificate) -> None:
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.ISSUED,
        pdf=f"certificates/{certificate.competition_id}/test-{certificate.pk}.pdf",
        sha256="ab" * 32,
        size=1000,
        issued_at=timezone.now(),
        rendered_at=timezone.now(),
        version=1,
    )


def _certificates(final, units, n=2) -> list[Certificate]:
    titles = ["举手之劳·为树木松绑拔刺", "清除城市牛皮癣"]
    return [
        CertificateFactory(award=award_for(final, "XM", units[i], title=titles[i], organization="某单位", rank=i + 1))
        for i in range(n)
    ]


def situation(name: str, office, final, units) -> None:
    if name == "none":
        return
    certificates = _certificates(final, units)
    if name == "pending":  # numbered; the batch finished without rendering them (failed items)
        CertificateBatchFactory(competition=final, status=BatchStatus.DONE_WITH_ERRORS)
        return
    if name == "rendering":
        batch = CertificateBatchFactory(competition=final, status=BatchStatus.RUNNING)
        BatchItem.objects.create(batch=batch, certificate=certificates[0])
        return
    for c in certificates:
        _issued(c)
    if name == "one_revoked":  # one issued, one revoked: still held
        certificate_services.certificate_revoke(actor=office, certificate=certificates[1], reason="获奖者名称有误")
    if name == "all_revoked":
        for c in certificates:
            certificate_services.certificate_revoke(actor=office, certificate=c, reason="更换印章")


REFUSED = {"rendering": "certificates_rendering", "issued": "certificates_issued", "one_revoked": "certificates_issued"}
SITUATIONS = ["none", "pending", "rendering", "issued", "one_revoked", "all_revoked"]


# --------------------------------------------------------------------------- actions


def _first(competition) -> Issuer:
    return competition.issuers.order_by("order", "id").first()


def _rows(competition) -> list[dict]:
    return [{"id": i.pk, "name": i.name} for i in competition.issuers.order_by("order", "id")]


def rename_on_setup_page(office, competition):
    rows = _rows(competition)
    rows[0]["name"] = "中共太原市委宣传部（新）"
    setup_services.issuers_set(actor=office, competition=competition, rows=rows)


def add_on_setup_page(office, competition):
    setup_services.issuers_set(actor=office, competition=competition, rows=[*_rows(competition), {"name": "太原市民政局"}])


def remove_on_setup_page(office, competition):
    setup_services.issuers_set(actor=office, competition=competition, rows=_rows(competition)[:1])


def reorder_on_setup_page(office, competition):
    setup_services.issuers_set(actor=office, competition=competition, rows=_rows(competition)[::-1])


def upload_seal_on_setup_page(office, competition):
    upload = SimpleUploadedFile("seal.png", png(), content_type="image/png")
    setup_services.issuer_seal_upload(actor=office, issuer=_first(competition), upload=upload)


def replace_seal_in_admin(office, competition):
    competition_services.issuer_seal_set(
        actor=office, issuer=_first(competition), seal=ContentFile(png(), name="seal.png")
    )


def remove_seal_in_admin(office, competition):
    competition_services.issuer_seal_set(actor=office, issuer=_first(competition), seal=None)


def rename_in_admin(office, competition):
    competition_services.structure_item_save(actor=office, obj=_first(competition), data={"name": "改名后的单位"})


def add_in_admin(office, competition):
    competition_services.structure_item_save(
        actor=office, obj=Issuer(competition_id=competition.pk), data={"order": 9, "name": "太原市民政局"}
    )


def remove_in_admin(office, competition):
    competition_services.structure_item_delete(actor=office, obj=_first(competition))


def rename_through_api(office, competition):
    names = [{"name": r["name"]} for r in _rows(competition)]
    names[-1]["name"] = "太原市文明办"
    competition_services.competition_update(actor=office, competition=competition, data={"issuers": names})


def sample_seal_for_a_bare_issuer(office, competition):
    """The demo's specimen seals (the test adds an issuer without a seal first)."""
    certificate_services.sample_seals_attach(actor=office, competition=competition)


ACTIONS = [
    rename_on_setup_page, add_on_setup_page, remove_on_setup_page, reorder_on_setup_page,
    upload_seal_on_setup_page, replace_seal_in_admin, remove_seal_in_admin, rename_in_admin,
    add_in_admin, remove_in_admin, rename_through_api, sample_seal_for_a_bare_issuer,
]


@pytest.mark.parametrize("name", SITUATIONS)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.__name__)
def test_each_change_of_the_issuers_in_each_situation(office, final, units, name, action):
    situation(name, office, final, units)
    if action is sample_seal_for_a_bare_issuer:
        Issuer.objects.create(competition=final, name="太原市民政局", order=9)  # written directly
    before, audited = issuers_of(final), changes(final)
    if name in REFUSED:
        with pytest.raises(Conflict) as caught:
            action(office, final)
        assert caught.value.code == REFUSED[name]
        assert caught.value.status_code == 409
        assert "不能" in caught.value.message
        assert issuers_of(final) == before
        assert changes(final) == audited
    else:
        action(office, final)
        assert issuers_of(final) != before
        assert changes(final) > audited
    kept = {i[3] for i in before}
    for issuer in Issuer.objects.filter(competition=final):
        if issuer.seal and issuer.seal.name not in kept:  # a file this test wrote
            issuer.seal.delete(save=False)


def test_the_refusal_says_why_and_what_to_do(office, final, units):
    situation("issued", office, final, units)
    refusal = issuers_refusal(final, action="seal")
    assert refusal.code == "certificates_issued"
    assert refusal.startswith("现在不能更换印章：本年度已颁发 2 份荣誉证书")
    # What is true of the certificate rows: they keep the holder, the award and the PDF's
    # SHA-256, not the issuers nor the seals.
    assert "不另存颁发单位和印章" in refusal
    assert "请先在“荣誉证书”页撤销已颁发的证书" in refusal and "重新颁发" in refusal
    assert not {"issuers", "seal", "seal_sha256"} & {f.name for f in Certificate._meta.get_fields()}


def test_the_same_issuers_sent_again_change_nothing_and_are_not_refused(office, final, units):
    """A PATCH of the competition with its issuers as they are, or the setup form saved unchanged."""
    situation("issued", office, final, units)
    before, audited = issuers_of(final), changes(final)
    names = [{"name": i.name} for i in final.issuers.order_by("order", "id")]
    competition_services.competition_update(actor=office, competition=final, data={"issuers": names, "title": final.title})
    setup_services.issuers_set(actor=office, competition=final, rows=_rows(final))
    # The rows were renumbered 1.. by the setup service before: compare what is printed.
    assert [(i[2], i[3]) for i in issuers_of(final)] == [(i[2], i[3]) for i in before]
    assert [i[0] for i in issuers_of(final)] == [i[0] for i in before]
    assert AuditEntry.objects.filter(action__in=["issuer.delete", "issuer.create", "issuer.seal_set"]).count() == 0
    assert changes(final) >= audited


def test_revoke_change_the_seal_and_reissue(office, final, units):
    """What the refusal tells the office to do works: revoke, change, reissue (same number and
    QR code, a new PDF rendered with the new seal)."""
    award_for(final, "ZZ", units[0], title="太原市城市综合管理服务指挥中心志愿服务队")
    batch = certificate_services.certificates_issue(actor=office, competition=final, send=False)
    with pytest.raises(Conflict) as caught:  # the batch renders
        replace_seal_in_admin(office, final)
    assert caught.value.code == "certificates_rendering"
    item = BatchItem.objects.get(batch=batch)
    certificate_services.item_render(item_id=item.pk)
    certificate_services.batch_finish(batch_id=batch.pk)
    certificate = Certificate.objects.get(pk=item.certificate_id)
    assert certificate.status == CertificateStatus.ISSUED
    with pytest.raises(Conflict) as caught:
        replace_seal_in_admin(office, final)
    assert caught.value.code == "certificates_issued"
    certificate_services.certificate_revoke(actor=office, certificate=certificate, reason="更换印章")
    replace_seal_in_admin(office, final)
    new_seal = _first(final).seal.name
    reissued = certificate_services.certificate_reissue(actor=office, certificate=certificate, reason="更换印章后重新颁发")
    assert (reissued.status, reissued.number, reissued.token) == (
        CertificateStatus.ISSUED, certificate.number, certificate.token
    )
    assert reissued.sha256 != certificate.sha256
    assert _first(final).seal.name == new_seal
    # And the seal is locked again.
    with pytest.raises(Conflict):
        remove_seal_in_admin(office, final)


# --------------------------------------------------------------------------- the setup page


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_form_while_nothing_is_issued(office, final, units):
    situation("all_revoked", office, final, units)
    page = _client(office).get(f"/competitions/{final.pk}/setup/issuers/").content.decode()
    assert 'id="issuers-form"' in page and 'id="issuers-locked"' not in page
    assert f"/competitions/{final.pk}/setup/issuers/{_first(final).pk}/seal/" in page
    assert 'id="sample-certificate"' in page


@pytest.mark.parametrize("name", ["issued", "rendering"])
def test_the_page_replaces_the_form_by_the_note(office, observer, final, units, name):
    situation(name, office, final, units)
    for user in (office, observer):
        response = _client(user).get(f"/competitions/{final.pk}/setup/issuers/")
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="issuers-locked"' in page and str(issuers_refusal(final)) in page
        assert 'id="issuers-form"' not in page and 'id="issuers-save"' not in page
        assert "/seal/" not in page and 'type="file"' not in page  # no seal upload
        # The issuers and their seals are still shown, and the sample certificate stays.
        for issuer in final.issuers.all():
            assert issuer.name in page
            assert f"/setup/issuers/{issuer.pk}/seal.png" in page
        assert 'id="sample-certificate"' in page
    # Where to revoke: the certificates page, when certificates are issued.
    assert (f'href="/certificates/competitions/{final.pk}/"' in page) is (name == "issued")


def test_a_forced_post_of_the_issuers_changes_nothing_and_says_why(office, final, units):
    situation("issued", office, final, units)
    before, audited = issuers_of(final), changes(final)
    data = {
        "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0", "rows-MAX_NUM_FORMS": "1000",
        "rows-0-id": str(_first(final).pk), "rows-0-name": "改名后的单位",
    }
    client = _client(office)
    response = client.post(f"/competitions/{final.pk}/setup/issuers/", data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "颁发单位未保存。现在不能修改颁发单位和印章：本年度已颁发 2 份荣誉证书" in page
    assert issuers_of(final) == before and changes(final) == audited


def test_a_forced_seal_upload_changes_nothing_and_says_why(office, final, units):
    situation("issued", office, final, units)
    before, audited = issuers_of(final), changes(final)
    issuer = _first(final)
    client = _client(office)
    response = client.post(
        f"/competitions/{final.pk}/setup/issuers/{issuer.pk}/seal/",
        {"seal": SimpleUploadedFile("seal.png", png(), content_type="image/png")},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"{issuer.name}的印章未保存。现在不能更换印章：本年度已颁发 2 份荣誉证书" in page
    assert issuers_of(final) == before and changes(final) == audited


def test_the_sample_certificate_stays_available(office, final, units):
    situation("issued", office, final, units)
    response = _client(office).get(f"/certificates/competitions/{final.pk}/sample.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"%PDF")


# --------------------------------------------------------------------------- the admin


@pytest.mark.parametrize("change", ["name", "seal", "delete"])
def test_the_admin_refuses_in_chinese_and_changes_nothing(office, final, units, change):
    situation("issued", office, final, units)
    before, audited = issuers_of(final), changes(final)
    client = _client(office)
    url = f"/admin/competition/competition/{final.pk}/change/"
    page = client.get(url)
    data = form_data(page)
    issuers = next(i.formset for i in page.context["inline_admin_formsets"] if i.formset.prefix == "issuers")
    row = next(i for i, f in enumerate(issuers.forms) if f.instance.pk == _first(final).pk)
    if change == "name":
        data[f"issuers-{row}-name"] = "改名后的单位"
    elif change == "seal":
        data[f"issuers-{row}-seal"] = SimpleUploadedFile("seal.png", png(), content_type="image/png")
    else:
        data[f"issuers-{row}-DELETE"] = "on"
    response = client.post(url, data, follow=True)
    assert response.status_code == 200 and response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "本年度已颁发 2 份荣誉证书" in page and "请先在“荣誉证书”页撤销" in page, page[:3000]
    assert issuers_of(final) == before and changes(final) == audited


def test_the_admin_page_says_beforehand_that_the_issuers_are_locked(office, final, units):
    url = f"/admin/competition/competition/{final.pk}/change/"
    assert "颁发单位与印章：现在不能" not in _client(office).get(url).content.decode()
    situation("issued", office, final, units)
    page = _client(office).get(url).content.decode()
    assert "颁发单位与印章：现在不能修改颁发单位和印章：本年度已颁发 2 份荣誉证书" in page


def test_a_seal_changed_while_a_reissue_renders_is_not_printed_silently(office, final, units, monkeypatch):
    """All revoked, the seal may change; a reissue rendering meanwhile printed the old one:
    it is refused (409 stale) and the certificate stays revoked, not valid with the old seal."""
    from certificates.services import designs

    award_for(final, "ZZ", units[0], title="太原市城市综合管理服务指挥中心志愿服务队")
    batch = certificate_services.certificates_issue(actor=office, competition=final, send=False)
    item = BatchItem.objects.get(batch=batch)
    certificate_services.item_render(item_id=item.pk)
    certificate_services.batch_finish(batch_id=batch.pk)
    certificate = certificate_services.certificate_revoke(
        actor=office, certificate=Certificate.objects.get(pk=item.certificate_id), reason="更换印章"
    )
    kept = {i[3] for i in issuers_of(final)}
    render = designs.render_certificate_pdf

    def render_then_change_the_seal(*args, **kwargs):
        pdf = render(*args, **kwargs)
        replace_seal_in_admin(office, final)  # another request, while this one rendered
        return pdf

    monkeypatch.setattr(designs, "render_certificate_pdf", render_then_change_the_seal)
    with pytest.raises(Conflict) as caught:
        certificate_services.certificate_reissue(actor=office, certificate=certificate, reason="重新颁发")
    assert caught.value.code == "stale"
    stays = Certificate.objects.get(pk=certificate.pk)
    assert (stays.status, stays.sha256, stays.version) == (CertificateStatus.REVOKED, certificate.sha256, certificate.version)
    monkeypatch.setattr(designs, "render_certificate_pdf", render)
    reissued = certificate_services.certificate_reissue(actor=office, certificate=certificate, reason="重新颁发")
    assert reissued.status == CertificateStatus.ISSUED
    for issuer in final.issuers.all():
        if issuer.seal and issuer.seal.name not in kept:  # the file this test wrote
            issuer.seal.delete(save=False)


def test_the_api_answers_409_with_the_reason(office, final, units):
    from tests.judging.conftest import api

    situation("issued", office, final, units)
    before = issuers_of(final)
    names = [{"name": i.name} for i in final.issuers.order_by("order", "id")]
    response = api(office).patch(
        f"/api/v1/competitions/{final.pk}/", {"issuers": [*names, {"name": "太原市民政局"}]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "certificates_issued"
    assert response.json()["error"]["message"].startswith("现在不能修改颁发单位：本年度已颁发 2 份荣誉证书")
    assert issuers_of(final) == before
    # The same issuers with another change (the title: each certificate keeps the one it printed) go through.
    response = api(office).patch(
        f"/api/v1/competitions/{final.pk}/", {"issuers": names, "title": f"{final.title}（修订）"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert issuers_of(final) == before


@pytest.mark.parametrize("name", SITUATIONS)
def test_the_certificate_wording_is_held_as_the_issuers_are(name, office, final, units):
    """The wording is read when a PDF is rendered and not kept on the certificate: the same rule."""
    situation(name, office, final, units)
    wording = Competition.objects.get(pk=final.pk).certificate_wording
    change = {"certificate_wording": "经评审，特授予此证，以资鼓励。"}
    if name in REFUSED:
        with pytest.raises(Conflict) as caught:
            competition_services.competition_update(actor=office, competition=final, data=change)
        assert caught.value.code == REFUSED[name]
        assert str(caught.value).startswith("现在不能修改证书正文")
        assert Competition.objects.get(pk=final.pk).certificate_wording == wording
        # The wording as it is, sent again, is no change and goes through.
        competition_services.competition_update(actor=office, competition=final, data={"certificate_wording": wording})
    else:
        competition_services.competition_update(actor=office, competition=final, data=change)
        assert Competition.objects.get(pk=final.pk).certificate_wording == change["certificate_wording"]


# --------------------------------------------------------------------------- the certificate's wording on the page


def test_the_office_edits_the_certificate_wording_on_the_issuers_page(office, observer, final, units):
    """The wording is set on the page (it could be set only in the admin or the API), audited,
    and printed by the sample; once certificates are issued the page holds it with the reason."""
    client = _client(office)
    url = f"/competitions/{final.pk}/setup/issuers/"
    page = client.get(url).content.decode()
    assert 'id="wording-form"' in page and 'id="wording-save"' in page
    text = "在{year}年度推选活动中被评为“{award}”。特发此证。"
    response = client.post(f"/competitions/{final.pk}/setup/wording/", {"certificate_wording": text})
    assert (response.status_code, response["Location"]) == (302, f"{url}#wording")
    assert Competition.objects.get(pk=final.pk).certificate_wording == text
    assert "证书正文已保存" in client.get(url).content.decode()
    assert AuditEntry.objects.filter(object_id=str(final.pk), after__certificate_wording=text).exists()
    # Observers read it without a button, and may not post.
    seen = _client(observer).get(url).content.decode()
    assert 'id="wording-form"' in seen and 'id="wording-save"' not in seen
    assert _client(observer).post(f"/competitions/{final.pk}/setup/wording/", {"certificate_wording": "x"}).status_code == 403

    situation("issued", office, final, units)
    page = client.get(url).content.decode()
    assert 'id="wording-locked"' in page and 'id="wording-save"' not in page
    response = client.post(f"/competitions/{final.pk}/setup/wording/", {"certificate_wording": "改过的正文"})
    assert "证书正文未保存。现在不能修改证书正文：本年度已颁发 2 份荣誉证书" in client.get(response["Location"]).content.decode()
    assert Competition.objects.get(pk=final.pk).certificate_wording == text
