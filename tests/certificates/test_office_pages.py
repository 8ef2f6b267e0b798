"""The office's certificate pages and the results' printed documents (issue 12 items 5, 7, 8, 11):
the 公示文件 and the 表彰名单 as PDFs in the certificates' font, the certificates page with
filters, a certificate's PDF, revoke and reissue with a reason; observers read, never act;
the 云展馆 office page publishes the final winners."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from certificates import services
from certificates.enums import CertificateStatus
from certificates.models import BatchItem, Certificate
from competition.models import AuditEntry
from exhibition.models import Exhibit
from judging.models import Publicity
from tests.certificates.conftest import assert_safe_subset_fonts, pdf_text, squeeze

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def issued(office, final, awards):
    batch = services.certificates_issue(actor=office, competition=final, send=False)
    for item in BatchItem.objects.filter(batch=batch):
        services.item_render(item_id=item.pk)
    services.batch_finish(batch_id=batch.pk)
    return list(Certificate.objects.filter(competition=final).order_by("category__order", "serial"))


def test_publicity_pdf_prints_the_notice_and_the_list(office, observer, final, awards, tmp_path, poppler):
    Publicity.objects.create(
        competition=final,
        working_days=5,
        starts_on=dt.date(2022, 11, 28),
        ends_on=dt.date(2022, 12, 2),
        published_by=office,
        notice_title="关于2022年度学雷锋志愿服务先进典型拟表彰对象的公示",
        contact_phone="0351-4040123",
        notice_issuers="太原市精神文明建设委员会办公室",
        notice_date=dt.date(2022, 11, 28),
    )
    response = _client(observer).get(f"/certificates/competitions/{final.pk}/publicity.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = squeeze(pdf_text(response.content, tmp_path))
    assert "关于2022年度学雷锋志愿服务先进典型拟表彰对象的公示" in text
    assert "举手之劳·为树木松绑拔刺" in text and "王𠮷堃" in text
    assert "0351-4040123" in text and "2022年11月28日" in text
    assert_safe_subset_fonts(response.content)


def test_honours_pdf_lists_the_final_awards(office, final, awards, tmp_path, poppler):
    response = _client(office).get(f"/certificates/competitions/{final.pk}/honours.pdf")
    assert response.status_code == 200
    text = squeeze(pdf_text(response.content, tmp_path))
    assert "表彰名单" in text and "清除城市牛皮癣" in text and "中共太原市委宣传部" in text


def test_documents_are_for_the_office_and_observers(officer, final, awards):
    assert _client(officer).get(f"/certificates/competitions/{final.pk}/honours.pdf").status_code == 404
    assert Client().get(f"/certificates/competitions/{final.pk}/honours.pdf").status_code == 302


def test_certificates_page_filters_and_actions(office, observer, final, issued):
    client = _client(office)
    url = f"/certificates/competitions/{final.pk}/"
    xm = final.categories.get(code="XM")
    page = client.get(url, {"category": xm.pk}).content.decode()
    assert issued[0].number in page and "王𠮷堃" not in page
    assert f"/certificates/{issued[0].pk}/pdf/" in page and issued[0].verify_path in page
    target = issued[0]
    refused = client.post(f"/certificates/{target.pk}/revoke/", {"reason": " ", "next": url}, follow=True)
    assert "理由" in refused.content.decode()
    assert Certificate.objects.get(pk=target.pk).status == CertificateStatus.ISSUED
    client.post(f"/certificates/{target.pk}/revoke/", {"reason": "获奖者材料不实", "next": url})
    assert Certificate.objects.get(pk=target.pk).status == CertificateStatus.REVOKED
    revoked = client.get(url, {"status": "revoked"}).content.decode()
    assert target.number in revoked and issued[1].number not in revoked and "获奖者材料不实" in revoked
    old_sha = Certificate.objects.get(pk=target.pk).sha256
    client.post(f"/certificates/{target.pk}/reissue/", {"reason": "更正名称后重新颁发"})
    again = Certificate.objects.get(pk=target.pk)
    assert again.status == CertificateStatus.ISSUED and again.sha256 != old_sha
    assert AuditEntry.objects.filter(action="certificate.reissue", reason="更正名称后重新颁发").exists()
    pdf = client.get(f"/certificates/{target.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["X-Content-SHA256"] == again.sha256


def test_observer_reads_certificates_without_actions_and_is_refused(office, observer, final, issued):
    client = _client(observer)
    page = client.get(f"/certificates/competitions/{final.pk}/").content.decode()
    assert issued[0].number in page
    assert "/revoke/" not in page and "/reissue/" not in page and "/pdf/" not in page
    assert client.post(f"/certificates/{issued[0].pk}/revoke/", {"reason": "x"}).status_code == 403
    assert client.post(f"/certificates/{issued[0].pk}/reissue/", {"reason": "x"}).status_code == 403
    assert client.get(f"/certificates/{issued[0].pk}/pdf/").status_code == 404
    assert Certificate.objects.get(pk=issued[0].pk).status == CertificateStatus.ISSUED


def test_exhibition_office_page_publishes(office, observer, final, awards):
    url = f"/exhibition/office/competitions/{final.pk}/"
    assert _client(observer).get(url).status_code == 200
    assert _client(observer).post(url).status_code == 403
    assert not Exhibit.objects.exists()
    done = _client(office).post(url, follow=True)
    text = done.content.decode()
    assert "已发布到云展馆：新增 4 个展品" in text  # the 最美志愿者 too, in its own hall (issue 16)
    assert Exhibit.objects.filter(competition=final).count() == 4
