"""Exhibits not tied to an award made here (issue 16 items 1, 2, 4): recommended
projects, historic winners (entered and imported), figures with their context,
the persons/communities halls, and the constraints that keep each source honest."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from competition.enums import Phase
from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry, Competition
from exhibition import history_import, services, source_services
from exhibition.enums import ExhibitKind, ExhibitSource, ExhibitStatus
from exhibition.models import Exhibit, ExhibitFigure
from nominations.enums import Status
from nominations.models import PastWinner
from tests.exhibition.conftest import api, exhibit_of, nominee, photo_bytes

pytestmark = pytest.mark.django_db

BASE = "/api/v1/public/exhibition"
CENTRE = "太原市城市综合管理服务指挥中心"
HOURS = {
    "label": "志愿服务时长", "value": 104100, "written": "10.41万", "suffix": "余", "unit": "小时",
    "as_of": "2022-12", "source": "“太原志愿者”平台记录",
}  # fmt: skip


def historic(office, **data):
    return source_services.exhibit_historic_create(
        actor=office,
        data={"year": 2019, "award_code": "ZZ", "title": CENTRE, "unit_name": "太原市城乡管理局", "introduction": "简介。"}
        | data,
        figures=[HOURS],
    )


# --------------------------------------------------------------------------- constraints


def _row(**kw):
    base = {
        "kind": ExhibitKind.PROJECT, "slug": f"s-{timezone.now().timestamp()}", "year": 2019, "award_code": "XM",
        "award_name": "最佳志愿服务项目", "unit_code": "", "unit_name": "", "title": "某项目", "published_at": timezone.now(),
    }  # fmt: skip
    return Exhibit(**(base | kw))


def test_the_database_keeps_each_source_honest(published):
    won = exhibit_of(published["project_a"])
    other = published["no_award"]
    cases = [
        # an award exhibit without its award
        dict(source=ExhibitSource.AWARD, nomination=other, competition=other.competition, honour_year=2031),
        # a historic exhibit tied to a nomination
        dict(source=ExhibitSource.HISTORIC, nomination=other, honour_year=2019),
        # a historic exhibit without the year it was honoured
        dict(source=ExhibitSource.HISTORIC, honour_year=None),
        # a historic exhibit honoured in another year than the one it is shown in
        dict(source=ExhibitSource.HISTORIC, honour_year=2018),
        # a recommended project that carries an award, or an honour year
        dict(source=ExhibitSource.RECOMMENDED, nomination=other, competition=other.competition, award=won.award, honour_year=None),
        dict(source=ExhibitSource.RECOMMENDED, nomination=other, competition=other.competition, honour_year=2031),
        dict(source="invented", honour_year=2019),
    ]
    for case in cases:
        if "award" in case:
            Exhibit.objects.filter(pk=won.pk).delete()
        with pytest.raises(IntegrityError), transaction.atomic():
            _row(**case).save()
    _row(source=ExhibitSource.HISTORIC, honour_year=2019).save()  # a correct historic row


def test_a_hedged_figure_must_be_approximate(published):
    exhibit = exhibit_of(published["project_a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ExhibitFigure.objects.create(
            exhibit=exhibit, label="时长", value=Decimal(104100), suffix="余", approximate=False,
            as_of=dt.date(2022, 12, 1), source="平台",
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ExhibitFigure.objects.create(exhibit=exhibit, label="时长", value=Decimal(1), as_of=dt.date(2022, 12, 1), source="")


# --------------------------------------------------------------------------- recommended


def test_the_office_shows_a_recommended_project_labelled_as_such(office, published):
    nomination = published["no_award"]
    exhibit = source_services.exhibit_recommend(actor=office, nomination=nomination)
    assert (exhibit.source, exhibit.award_id, exhibit.honour_year, exhibit.award_name) == (
        ExhibitSource.RECOMMENDED, None, None, "推荐项目",
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="exhibit.recommend")
    assert entry.after["nomination"] == nomination.pk

    items = {r["title"]: r for r in api().get(f"{BASE}/projects/?page_size=100").json()["results"]}
    item = items[nomination.title]
    assert item["source"] == "recommended" and item["honour_year"] is None
    assert item["award"]["name"] == "推荐项目"
    assert {items[t]["source"] for t in ("银龄陪伴助老服务", "汾河岸线护水行动")} == {"award"}
    detail = api().get(f"{BASE}/projects/{exhibit.slug}/").json()
    assert detail["certificate_url"] is None and detail["figures"]

    from django.test import Client

    page = Client().get(f"/exhibition/projects/{exhibit.slug}/").content.decode()
    assert "各区推荐项目" in page and "未获表彰" in page and "太原市学雷锋最佳志愿服务项目" not in page


def test_recommending_is_refused_when_it_should_be_and_changes_nothing(office, observer, published, year):
    entries = AuditEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        source_services.exhibit_recommend(actor=office, nomination=published["project_a"])  # a winner
    assert exc.value.code == "awarded"
    rejected = nominee(published["competition"], published["project_a"].category, published["project_a"].unit, status=Status.SUBMITTED)
    with pytest.raises(Conflict) as exc:
        source_services.exhibit_recommend(actor=office, nomination=rejected)
    assert exc.value.code == "not_accepted"
    with pytest.raises(Forbidden):
        source_services.exhibit_recommend(actor=observer, nomination=published["no_award"])
    Competition.objects.filter(pk=published["competition"].pk).update(phase=Phase.PUBLICITY)
    with pytest.raises(Conflict) as exc:
        source_services.exhibit_recommend(actor=office, nomination=published["no_award"])
    assert exc.value.code == "not_final"
    assert not Exhibit.objects.filter(source=ExhibitSource.RECOMMENDED).exists()
    assert AuditEntry.objects.count() == entries


def test_a_recommended_project_that_wins_becomes_the_awards_exhibit(office, published):
    from tests.exhibition.conftest import award

    nomination = published["no_award"]
    exhibit = source_services.exhibit_recommend(actor=office, nomination=nomination)
    award(nomination, rank=3)
    services.exhibition_publish(actor=office, competition=published["competition"])
    exhibit.refresh_from_db()
    assert (exhibit.source, exhibit.honour_year, exhibit.award_name) == (ExhibitSource.AWARD, 2031, "最佳志愿服务项目")
    assert Exhibit.objects.filter(nomination=nomination).count() == 1


# --------------------------------------------------------------------------- historic


def test_a_historic_exhibit_is_shown_with_its_year_and_recorded_as_a_past_winner(office, competition, zz):
    exhibit = historic(office)
    assert (exhibit.kind, exhibit.source, exhibit.year, exhibit.honour_year) == (
        ExhibitKind.ORGANIZATION, ExhibitSource.HISTORIC, 2019, 2019,
    )  # fmt: skip
    assert exhibit.award_name == "最佳志愿服务组织" and exhibit.competition_id is None
    assert PastWinner.objects.filter(year=2019, category_code="ZZ", title=CENTRE).exists()
    assert AuditEntry.objects.filter(action="exhibit.historic_create", object_id=str(exhibit.pk)).exists()
    assert AuditEntry.objects.filter(action="past_winner.create").exists()

    body = api().get(f"{BASE}/organizations/?year=2019").json()
    assert [(r["name"], r["source"], r["honour_year"]) for r in body["results"]] == [(CENTRE, "historic", 2019)]
    detail = api().get(f"{BASE}/organizations/{exhibit.slug}/").json()
    [hours] = detail["figures"]
    assert hours == {
        "label": "志愿服务时长", "value": "104100", "written": "10.41万", "unit": "小时", "prefix": "", "suffix": "余",
        "approximate": True, "display": "10.41万余小时", "as_of": "2022-12", "as_of_text": "截至 2022年12月",
        "source": "“太原志愿者”平台记录",
    }  # fmt: skip
    years = api().get(f"{BASE}/years/").json()["years"]
    assert {"year": 2019, "projects": 0, "organizations": 1} in years


def test_historic_refusals_name_the_field_and_change_nothing(office, competition, zz):
    entries = AuditEntry.objects.count()
    for data, figures, field, text in [
        ({"year": 2999}, [], "year", "年度：应在"),
        ({"award_code": "优秀奖"}, [], "award_code", "奖项：“优秀奖”不是已知的奖项"),
        ({"title": ""}, [], "title", "名称：请填写"),
        ({}, [HOURS | {"source": ""}], "figures[0].source", "来源：请填写"),
        ({}, [HOURS | {"as_of": "去年"}], "figures[0].as_of", "截至时间"),
        ({}, [HOURS | {"value": "", "written": "很多"}], "figures[0].value", "数值"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            source_services.exhibit_historic_create(
                actor=office,
                data={"year": 2019, "award_code": "ZZ", "title": CENTRE} | data,
                figures=figures,
            )
        assert any(text in m for m in exc.value.fields[field]), (field, exc.value.fields)
    with pytest.raises(ValidationFailed) as exc:
        source_services.exhibit_historic_create(
            actor=office, data={"year": 2019, "award_code": "ZZ", "title": CENTRE}, photos=[(b"not an image", "x")]
        )
    assert "照片" in exc.value.fields["photos[0]"][0]
    assert not Exhibit.objects.exists() and not PastWinner.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_the_office_edits_figures_with_an_audit_entry(office, observer, published):
    exhibit = exhibit_of(published["project_a"])
    before = exhibit.updated_at
    source_services.exhibit_figures_set(
        actor=office,
        exhibit=exhibit,
        figures=[{"label": "清理非法小广告", "prefix": "近", "written": "百万", "unit": "件", "as_of": "2022", "source": "指挥中心"}],
    )
    [figure] = exhibit.figures.all()
    assert (figure.value, figure.approximate, figure.display, figure.as_of_text) == (
        Decimal("1000000.00"), True, "近百万件", "截至 2022年",
    )  # fmt: skip
    exhibit.refresh_from_db()
    assert exhibit.updated_at > before  # the public ETags move
    entry = AuditEntry.objects.get(action="exhibit.figures")
    assert entry.after["figures"][0]["label"] == "清理非法小广告" and len(entry.before["figures"]) == 4
    with pytest.raises(Forbidden):
        source_services.exhibit_figures_set(actor=observer, exhibit=exhibit, figures=[])
    assert exhibit.figures.count() == 1


# --------------------------------------------------------------------------- import


def _workbook(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in history_import.COLUMNS])
    for row in rows:
        ws.append([row.get(c.name) for c in history_import.COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


GOOD = {
    "year": 2019, "award_code": "最佳志愿服务组织", "title": CENTRE, "unit_name": "太原市城乡管理局",
    "introduction": "简介。", "volunteers": 758, "service_hours": "10.41万余", "activities": "3412",
    "as_of": "2022-12", "source": "“太原志愿者”平台记录", "photos": "centre.jpg", "caption": "清理小广告",
}  # fmt: skip


def test_the_import_dry_run_lists_every_problem_by_row(office, competition, zz):
    content = _workbook(
        [
            GOOD,
            GOOD | {"title": "缺照片的组织", "photos": "missing.jpg"},
            GOOD | {"title": "坏数据的组织", "service_hours": "很多", "photos": ""},
            GOOD | {"title": "无来源的组织", "source": None, "photos": ""},
            GOOD | {"year": "某年", "award_code": "优秀奖", "photos": ""},
            GOOD | {"photos": "broken.jpg", "title": "坏照片的组织"},
        ]
    )
    result = history_import.import_history(
        actor=office, content=content, photos=_zip({"photos/centre.jpg": photo_bytes(), "broken.jpg": b"xx"}), dry_run=True
    )
    by_row = {r.row: r.errors for r in result.rows}
    assert by_row[2] == {}
    assert by_row[3]["photos"] == ["照片：压缩包中没有“missing.jpg”。"]
    assert "不是数字" in by_row[4]["service_hours"][0]
    assert by_row[5]["source"][0].startswith("数据来源：")
    assert by_row[6]["year"][0].startswith("年度：") and "优秀奖" in by_row[6]["award_code"][0]
    assert by_row[7]["photos"] == ["照片：不是可用的 JPEG 或 PNG 图片。"]
    assert history_import.summary(result) == "共 6 行，其中 5 行有误，未导入任何展品。"
    assert not Exhibit.objects.exists() and not PastWinner.objects.exists()


def test_the_import_creates_historic_exhibits_with_photos_and_figures(office, competition, zz):
    content = _workbook([GOOD])
    photos = _zip({"centre.jpg": photo_bytes()})
    dry = history_import.import_history(actor=office, content=content, photos=photos, dry_run=True)
    assert dry.valid and not Exhibit.objects.exists()
    result = history_import.import_history(actor=office, content=content, photos=photos, dry_run=False)
    [exhibit] = Exhibit.objects.all()
    assert result.created == [exhibit.pk]
    assert exhibit.photos.count() == 1 and exhibit.photos.get().caption == "清理小广告"
    figures = {f.label: f for f in exhibit.figures.all()}
    assert figures["志愿服务时长"].display == "10.41万余小时" and figures["志愿服务时长"].approximate
    assert figures["志愿者"].display == "758人" and not figures["志愿者"].approximate
    assert PastWinner.objects.filter(year=2019, category_code="ZZ").exists()


# --------------------------------------------------------------------------- persons, communities


def test_persons_and_communities_have_their_halls_with_etags(office, published):
    response = api().get(f"{BASE}/persons/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert set(item) == {"slug", "name", "unit", "award", "year", "cover", "source", "honour_year"}
    assert item["award"] == {"code": "ZYZ", "name": "最美志愿者"} and item["source"] == "award"
    again = api().get(f"{BASE}/persons/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    detail = api().get(f"{BASE}/persons/{item['slug']}/")
    assert detail.status_code == 200 and detail.json()["name"] == "最美志愿者丁"
    assert api().get(f"{BASE}/persons/{item['slug']}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    assert api().get(f"{BASE}/projects/{item['slug']}/").status_code == 404  # not in another hall
    communities = api().get(f"{BASE}/communities/?year=2031&page_size=5")
    assert communities.status_code == 200 and communities.json()["count"] == 0
    assert api().get(f"{BASE}/communities/?year=abc").status_code == 400
    exhibit = Exhibit.objects.get(slug=item["slug"])
    services.exhibit_withdraw(actor=office, exhibit=exhibit, reason="核实")
    assert api().get(f"{BASE}/persons/").json()["count"] == 0
    exhibit.refresh_from_db()
    assert exhibit.status == ExhibitStatus.WITHDRAWN


# --------------------------------------------------------------------------- office pages


def test_the_office_shows_a_recommended_project_from_its_page(office, observer, published, client):
    url = f"/exhibition/office/competitions/{published['competition'].pk}/recommended/"
    client.force_login(observer)
    page = client.get(url).content.decode()
    assert "未获奖的项目甲" in page and "银龄陪伴助老服务" not in page  # winners are published, not recommended
    assert 'name="nomination"' not in page
    assert client.post(url, {"nomination": published["no_award"].pk}).status_code == 403
    client.force_login(office)
    response = client.post(url, {"nomination": published["no_award"].pk}, follow=True)
    assert "已在云展馆展出推荐项目“未获奖的项目甲”" in response.content.decode()
    assert Exhibit.objects.get(nomination=published["no_award"]).source == ExhibitSource.RECOMMENDED
    again = client.post(url, {"nomination": published["no_award"].pk}, follow=True).content.decode()
    assert "该项目已在云展馆展出" in again


def test_the_office_enters_a_historic_exhibit_with_a_photo_and_edits_its_figures(office, competition, zz, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(office)
    bad = client.post("/exhibition/office/history/", {"year": "2019", "award_code": "ZZ", "title": ""})
    assert bad.status_code == 200 and "名称：请填写。" in bad.content.decode()
    response = client.post(
        "/exhibition/office/history/",
        {
            "year": "2019", "award_code": "ZZ", "title": CENTRE, "unit_name": "太原市城乡管理局",
            "photo": SimpleUploadedFile("c.jpg", photo_bytes(), content_type="image/jpeg"), "caption": "街头",
        },
    )  # fmt: skip
    exhibit = Exhibit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exhibition/office/exhibits/{exhibit.pk}/"
    assert exhibit.photos.get().caption == "街头"
    form = {
        "action": "figures", "fig-TOTAL_FORMS": "2", "fig-INITIAL_FORMS": "0", "fig-MIN_NUM_FORMS": "0",
        "fig-MAX_NUM_FORMS": "20",
        "fig-0-label": "志愿服务时长", "fig-0-written": "10.41万", "fig-0-suffix": "余", "fig-0-unit": "小时",
        "fig-0-as_of": "2022-12", "fig-0-source": "平台记录",
    }  # fmt: skip
    missing = client.post(f"/exhibition/office/exhibits/{exhibit.pk}/", form | {"fig-0-source": ""}, follow=True)
    assert "第 1 项数据的来源：请填写" in missing.content.decode() and not exhibit.figures.exists()
    client.post(f"/exhibition/office/exhibits/{exhibit.pk}/", form)
    [figure] = exhibit.figures.all()
    assert figure.display == "10.41万余小时" and figure.approximate and figure.value == Decimal(104100)
    page = client.get(f"/exhibition/organizations/{exhibit.slug}/").content.decode()
    assert "截至 2022年12月 · 平台记录" in page and "2019年获评 · 太原市学雷锋最佳志愿服务组织" in page
