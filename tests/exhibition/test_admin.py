"""The office's exhibition admin: every write goes through the services (checked, audited)."""

from __future__ import annotations

import pytest

from competition.models import AuditEntry
from exhibition.enums import ExhibitStatus
from exhibition.models import Exhibit
from tests.exhibition.conftest import exhibit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, office):
    client.force_login(office)
    return client


def test_publish_from_the_admin(admin_client, year):
    page = admin_client.get("/admin/exhibition/exhibit/publish/")
    assert page.status_code == 200 and "发布到云展馆" in page.content.decode()
    response = admin_client.post(
        "/admin/exhibition/exhibit/publish/", {"competition": year["competition"].pk}, follow=True
    )
    assert response.status_code == 200
    assert "新增 4 个展品" in response.content.decode()  # 2 projects, 1 organisation, 1 最美志愿者
    assert Exhibit.objects.count() == 4
    assert AuditEntry.objects.filter(action="exhibition.publish", actor__username="office").exists()
    changelist = admin_client.get("/admin/exhibition/exhibit/")
    assert "银龄陪伴助老服务" in changelist.content.decode()


def test_edit_texts_and_photos_in_the_admin(admin_client, published):
    exhibit = exhibit_of(published["project_a"])
    nomination_title = published["project_a"].title
    photos = list(exhibit.photos.order_by("order"))
    page = admin_client.get(f"/admin/exhibition/exhibit/{exhibit.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="title"' in html and 'name="photos-0-caption"' in html
    assert 'name="contact_phone"' not in html and 'name="summary"' not in html
    data = {
        "title": "银龄陪伴·助老",
        "organization": exhibit.organization,
        "field": exhibit.field,
        "years_running": exhibit.years_running,
        "volunteers": 330,
        "service_hours": exhibit.service_hours,
        "activities": exhibit.activities,
        "beneficiaries": exhibit.beneficiaries,
        "introduction": exhibit.introduction,
        "photos-TOTAL_FORMS": "2",
        "photos-INITIAL_FORMS": "2",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "photos-0-id": photos[0].pk,
        "photos-0-exhibit": exhibit.pk,
        "photos-0-caption": "第一张改了说明",
        "photos-0-order": "5",
        "photos-0-shown": "on",
        "photos-1-id": photos[1].pk,
        "photos-1-exhibit": exhibit.pk,
        "photos-1-caption": photos[1].caption,
        "photos-1-order": "1",
        "_save": "保存",
    }
    response = admin_client.post(f"/admin/exhibition/exhibit/{exhibit.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    exhibit.refresh_from_db()
    assert exhibit.title == "银龄陪伴·助老" and exhibit.volunteers == 330
    ordered = list(exhibit.photos.order_by("order").values_list("pk", "caption", "shown"))
    assert ordered == [(photos[1].pk, photos[1].caption, False), (photos[0].pk, "第一张改了说明", True)]
    published["project_a"].refresh_from_db()
    assert published["project_a"].title == nomination_title
    assert AuditEntry.objects.filter(action="exhibit.update").count() == 1
    assert AuditEntry.objects.filter(action="exhibit.photos").count() == 1


def test_withdraw_action_asks_for_a_reason(admin_client, published):
    exhibit = exhibit_of(published["project_b"])
    base = {"action": "withdraw", "_selected_action": [exhibit.pk]}
    ask = admin_client.post("/admin/exhibition/exhibit/", base)
    assert ask.status_code == 200 and "撤下理由" in ask.content.decode()
    assert exhibit_of(published["project_b"]).status == ExhibitStatus.PUBLISHED
    done = admin_client.post("/admin/exhibition/exhibit/", {**base, "reason": "材料需要核实"}, follow=True)
    assert "已撤下 1 个展品" in done.content.decode()
    exhibit.refresh_from_db()
    assert exhibit.status == ExhibitStatus.WITHDRAWN and exhibit.withdrawn_reason == "材料需要核实"
    assert AuditEntry.objects.get(action="exhibit.withdraw").reason == "材料需要核实"
    restored = admin_client.post("/admin/exhibition/exhibit/", {"action": "restore", "_selected_action": [exhibit.pk]}, follow=True)
    assert "已恢复展出 1 个展品" in restored.content.decode()


def test_observers_only_look(client, observer, published):
    client.force_login(observer)
    exhibit = exhibit_of(published["project_a"])
    page = client.get(f"/admin/exhibition/exhibit/{exhibit.pk}/change/")
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    assert client.get("/admin/exhibition/exhibit/publish/").status_code == 302
