"""Publishing, withdrawing, restoring and editing exhibits: the rules, the audit
trail, and that the nomination is never touched."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage

from competition.enums import Phase
from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry, Competition
from exhibition import renditions, services
from exhibition.enums import ExhibitKind, ExhibitStatus
from exhibition.models import Exhibit, ExhibitPhoto
from nominations.models import Nomination
from tests.exhibition.conftest import add_photo, api, exhibit_of, make_final, photo_bytes, winner

pytestmark = pytest.mark.django_db

PUBLISH = "/api/v1/competitions/{}/exhibition/publish/"


def test_publish_before_final_is_refused_with_409(office, competition, xm, units):
    winner(competition, xm, units[0])
    for phase in (Phase.JUDGING, Phase.PUBLICITY):
        Competition.objects.filter(pk=competition.pk).update(phase=phase)
        response = api(office).post(PUBLISH.format(competition.pk))
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "not_final"
        assert "表彰结果确定后" in response.json()["error"]["message"]
    assert not Exhibit.objects.exists()
    assert not AuditEntry.objects.filter(action="exhibition.publish").exists()


def test_publish_copies_the_whitelist_of_final_winners_only(office, published):
    exhibits = {e.nomination_id: e for e in Exhibit.objects.all()}
    assert set(exhibits) == {
        published["project_a"].pk, published["project_b"].pk, published["organization"].pk, published["person"].pk,
    }  # fmt: skip
    assert exhibits[published["person"].pk].kind == ExhibitKind.PERSON
    project = exhibits[published["project_a"].pk]
    nomination = published["project_a"]
    assert project.kind == ExhibitKind.PROJECT and project.status == ExhibitStatus.PUBLISHED
    assert project.slug.startswith("2031-xm-") and len(project.slug) == len("2031-xm-") + 6
    assert (project.title, project.organization, project.field) == (
        nomination.title, nomination.organization, nomination.field,
    )  # fmt: skip
    assert project.years_running == nomination.years_running
    assert project.unit_name == "太原市小店区" and project.award_name == "最佳志愿服务项目"
    assert project.photos.count() == 2
    organization = exhibits[published["organization"].pk]
    assert organization.kind == ExhibitKind.ORGANIZATION
    assert organization.brand_projects == ["银龄陪伴", "周末课堂"]
    assert organization.organization == "" and organization.field == ""
    entry = AuditEntry.objects.get(action="exhibition.publish")
    assert entry.actor == office and entry.object_id == str(published["competition"].pk)
    assert sorted(entry.after["created"]) == sorted(e.pk for e in exhibits.values())


def test_publish_is_idempotent_and_keeps_edits_and_withdrawals(office, published):
    competition = published["competition"]
    project = exhibit_of(published["project_a"])
    services.exhibit_update(actor=office, exhibit=project, data={"title": "改过的名称"})
    services.exhibit_withdraw(actor=office, exhibit=exhibit_of(published["project_b"]), reason="核实中")
    slugs = dict(Exhibit.objects.values_list("pk", "slug"))
    photos = ExhibitPhoto.objects.count()

    response = api(office).post(PUBLISH.format(competition.pk))
    assert response.status_code == 200
    assert response.json() == {"created": 0, "kept": 3, "withdrawn": 1, "photos": 0, "warnings": []}
    assert dict(Exhibit.objects.values_list("pk", "slug")) == slugs
    assert ExhibitPhoto.objects.count() == photos
    assert Exhibit.objects.get(pk=project.pk).title == "改过的名称"
    assert exhibit_of(published["project_b"]).status == ExhibitStatus.WITHDRAWN

    # A new winner (the office corrected the list) is added by the next publication.
    late = winner(competition, competition.categories.get(code="XM"), published["no_award"].unit, title="补充的项目")
    result = services.exhibition_publish(actor=office, competition=competition)
    assert [e.nomination_id for e in result.created] == [late.pk]


def test_publish_in_the_archived_phase_too(office, year):
    Competition.objects.filter(pk=year["competition"].pk).update(phase=Phase.ARCHIVED)
    result = services.exhibition_publish(actor=office, competition=Competition.objects.get(pk=year["competition"].pk))
    assert len(result.created) == 4  # with the 最美志愿者 winner (issue 16)


def test_only_the_office_publishes(year, officer, observer):
    competition = year["competition"]
    for user in (officer, observer):
        assert api(user).post(PUBLISH.format(competition.pk)).status_code == 403
        with pytest.raises(Forbidden):
            services.exhibition_publish(actor=user, competition=competition)
    assert api().post(PUBLISH.format(competition.pk)).status_code in (401, 403)
    assert not Exhibit.objects.exists()


def test_renditions_are_made_once_hashed_and_stripped(office, competition, xm, units):
    nomination = winner(competition, xm, units[0], photos=0)
    add_photo(nomination, caption="带定位信息的照片", content=photo_bytes(size=(3000, 2000), exif_gps=True))
    make_final(competition)
    services.exhibition_publish(actor=office, competition=competition)
    photo = ExhibitPhoto.objects.get()
    for name, width, height, longest in (
        (photo.thumb, photo.thumb_width, photo.thumb_height, renditions.LIST_MAX),
        (photo.image, photo.image_width, photo.image_height, renditions.DETAIL_MAX),
    ):
        assert name.startswith("public/exhibition/") and name.endswith(".jpg")
        with default_storage.open(name, "rb") as f:
            content = f.read()
        assert renditions.storage_name(content) == name
        assert b"SecretCameraMaker" not in content and b"Exif" not in content
        from PIL import Image

        with Image.open(io.BytesIO(content)) as img:
            assert img.format == "JPEG" and (img.width, img.height) == (width, height)
            assert max(img.size) == longest
    stamp = default_storage.get_modified_time(photo.image)
    services.exhibition_publish(actor=office, competition=competition)
    assert ExhibitPhoto.objects.count() == 1
    assert default_storage.get_modified_time(photo.image) == stamp


def test_a_broken_photo_is_skipped_with_a_warning(office, competition, xm, units):
    nomination = winner(competition, xm, units[0], photos=1)
    add_photo(nomination, caption="坏照片", order=1, content=b"\xff\xd8\xff" + b"not really a jpeg" * 10)
    make_final(competition)
    result = services.exhibition_publish(actor=office, competition=competition)
    assert result.photos == 1 and len(result.photo_failures) == 1
    assert "无法生成展示图" in result.photo_failures[0]
    assert exhibit_of(nomination).photos.count() == 1


# --------------------------------------------------------------------------- withdraw and restore


def test_withdraw_with_a_reason_is_audited(office, published):
    exhibit = exhibit_of(published["project_a"])
    response = api(office).post(
        f"/api/v1/exhibits/{exhibit.pk}/withdraw/", {"reason": "获奖项目被举报，核实期间暂停展出"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "withdrawn"
    exhibit.refresh_from_db()
    assert exhibit.status == ExhibitStatus.WITHDRAWN
    assert exhibit.withdrawn_reason == "获奖项目被举报，核实期间暂停展出" and exhibit.withdrawn_at
    entry = AuditEntry.objects.get(action="exhibit.withdraw")
    assert entry.actor == office and entry.actor_role == "office"
    assert entry.object_type == "exhibition.exhibit" and entry.object_id == str(exhibit.pk)
    assert entry.reason == "获奖项目被举报，核实期间暂停展出"
    assert entry.before == {"status": "published", "withdrawn_reason": ""}
    assert entry.after["status"] == "withdrawn"
    assert entry.request_id  # the API request's id

    again = api(office).post(f"/api/v1/exhibits/{exhibit.pk}/withdraw/", {"reason": "再次"}, format="json")
    assert again.status_code == 409


def test_withdraw_needs_a_reason_and_the_office(office, officer, observer, published):
    exhibit = exhibit_of(published["project_a"])
    empty = api(office).post(f"/api/v1/exhibits/{exhibit.pk}/withdraw/", {"reason": "  "}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()["error"]["fields"]
    with pytest.raises(ValidationFailed):
        services.exhibit_withdraw(actor=office, exhibit=exhibit, reason="")
    assert api(observer).post(f"/api/v1/exhibits/{exhibit.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 403
    assert api(officer).post(f"/api/v1/exhibits/{exhibit.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 404
    exhibit.refresh_from_db()
    assert exhibit.status == ExhibitStatus.PUBLISHED
    assert not AuditEntry.objects.filter(action="exhibit.withdraw").exists()


def test_restore_puts_a_withdrawn_exhibit_back(office, published):
    exhibit = exhibit_of(published["project_a"])
    services.exhibit_withdraw(actor=office, exhibit=exhibit, reason="暂停")
    response = api(office).post(f"/api/v1/exhibits/{exhibit.pk}/restore/", {"reason": "核实无误"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert api().get(f"/api/v1/public/exhibition/projects/{exhibit.slug}/").status_code == 200
    assert AuditEntry.objects.get(action="exhibit.restore").reason == "核实无误"
    with pytest.raises(Conflict):
        services.exhibit_restore(actor=office, exhibit=exhibit)


# --------------------------------------------------------------------------- edits


def _nomination_state(nomination):
    nomination = Nomination.objects.get(pk=nomination.pk)
    return {f.attname: getattr(nomination, f.attname) for f in Nomination._meta.concrete_fields}


def test_office_edits_do_not_touch_the_nomination(office, published):
    nomination = published["project_a"]
    before = _nomination_state(nomination)
    attachments = list(nomination.attachments.values_list("id", "caption", "order"))
    exhibit = exhibit_of(nomination)
    photos = list(exhibit.photos.order_by("order"))

    response = api(office).patch(
        f"/api/v1/exhibits/{exhibit.pk}/",
        {"title": "银龄陪伴·助老服务", "introduction": "新的简介。", "volunteers": 400, "field": "社区治理与邻里守望"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "银龄陪伴·助老服务"
    services.exhibit_photos_set(
        actor=office,
        exhibit=exhibit,
        photos=[{"id": photos[1].pk, "caption": "改过的说明"}, {"id": photos[0].pk, "shown": False}],
    )
    assert _nomination_state(nomination) == before
    assert list(nomination.attachments.values_list("id", "caption", "order")) == attachments

    public = api().get(f"/api/v1/public/exhibition/projects/{exhibit.slug}/").json()
    assert public["title"] == "银龄陪伴·助老服务" and public["volunteers"] == 400
    assert [p["caption"] for p in public["photos"]] == ["改过的说明"]

    update = AuditEntry.objects.get(action="exhibit.update")
    assert update.before["title"] == "银龄陪伴助老服务" and update.after["title"] == "银龄陪伴·助老服务"
    assert set(update.after) == {"title", "introduction", "volunteers", "field"}
    photos_entry = AuditEntry.objects.get(action="exhibit.photos")
    assert [p["id"] for p in photos_entry.after["photos"]] == [photos[1].pk, photos[0].pk]


def test_edits_are_checked(office, published):
    project = exhibit_of(published["project_a"])
    organization = exhibit_of(published["organization"])
    too_long = api(office).patch(f"/api/v1/exhibits/{project.pk}/", {"introduction": "字" * 301}, format="json")
    assert too_long.status_code == 400 and "introduction" in too_long.json()["error"]["fields"]
    with pytest.raises(ValidationFailed) as excinfo:
        services.exhibit_update(actor=office, exhibit=organization, data={"field": "为老服务"})
    assert "field" in excinfo.value.fields
    with pytest.raises(ValidationFailed):
        services.exhibit_update(actor=office, exhibit=project, data={"title": " "})
    with pytest.raises(ValidationFailed):
        services.exhibit_update(actor=office, exhibit=organization, data={"brand_projects": ["", "x"]})
    with pytest.raises(ValidationFailed):
        services.exhibit_photos_set(actor=office, exhibit=project, photos=[{"id": project.photos.first().pk}])
    with pytest.raises(Forbidden):
        services.exhibit_update(actor=None, exhibit=project, data={"title": "x"})
    assert not AuditEntry.objects.filter(action__in=["exhibit.update", "exhibit.photos"]).exists()
    # No change, no audit entry.
    services.exhibit_update(actor=office, exhibit=project, data={"title": project.title})
    assert not AuditEntry.objects.filter(action="exhibit.update").exists()


def test_staff_read_the_exhibits_others_do_not(office, observer, officer, published):
    assert api(office).get("/api/v1/exhibits/").json()["count"] == 4
    assert api(observer).get("/api/v1/exhibits/?kind=organization").json()["count"] == 1
    assert api(officer).get("/api/v1/exhibits/").status_code == 403
    exhibit = exhibit_of(published["project_a"])
    assert api(observer).patch(f"/api/v1/exhibits/{exhibit.pk}/", {"title": "x"}, format="json").status_code == 403


def test_the_demo_publishes_its_final_winners(office, year):
    from competition.demo import DemoContext
    from exhibition import demo

    ctx = DemoContext(password="x", stdout=io.StringIO(), competition=year["competition"])
    demo.seed(ctx)
    entries = AuditEntry.objects.count()
    demo.seed(ctx)  # idempotent: not even an audit entry the second time
    assert AuditEntry.objects.count() == entries
    assert Exhibit.objects.filter(status=ExhibitStatus.PUBLISHED).count() == 4  # with the 最美志愿者 winner
    assert ctx.notes[-1].startswith("云展馆：项目展 2 个、组织展 1 个")
    ctx.competition = None
    demo.seed(ctx)  # nothing to do
