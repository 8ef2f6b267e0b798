"""The six halls of the 云展馆 (issue 16 items 1, 3, 6, 7): the sanitised Markdown
of the content halls, their services (office only, refusals, file checks,
audit), the halls' API (order, counts, filters, search, ETag/304) and pages
(search box, share tags, the 公示 link)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from competition.exceptions import Conflict, Forbidden, ValidationFailed
from competition.models import AuditEntry, Unit
from exhibition import hall_services as hs
from exhibition import richtext
from exhibition.hall_enums import ItemStatus
from exhibition.models import HallItem, HallItemFile
from tests.exhibition.conftest import exhibit_of
from tests.nominations.files import jpeg_bytes, minimal_pdf, mp4_bytes, png_bytes

pytestmark = pytest.mark.django_db

BASE = "/api/v1/public/exhibition/halls"
NASTY = (
    "# 标题\n\n正文 <script>alert('x')</script> 与 [点我](javascript:alert(1)) 和 "
    "[也点我](JaVaScRiPt:alert(2))\n\n<img src=\"x.png\" onerror=\"alert(3)\">\n\n"
    "<a href=\"https://example.org/\" onclick=\"steal()\">站外</a> "
    "<p style=\"color:red\" onmouseover=\"x()\">段落</p>\n\n"
    "<iframe src=\"https://evil.example/\"></iframe><svg onload=\"alert(4)\"></svg>\n\n"
    "[data](data:text/html;base64,PHNjcmlwdD4=) ![图](javascript:alert(5))"
)


def get(path, **headers):
    return Client().get(path, **headers)


def item(office, hall="culture", title="志愿服务小词典", publish=True, **data):
    made = hs.item_save(actor=office, data={"hall": hall, "title": title, "body": data.pop("body", "正文。"), **data})
    if publish:
        made = hs.item_publish(actor=office, item=made)
    return made


# --------------------------------------------------------------------------- Markdown


def test_markdown_body_renders_without_script_javascript_or_event_handlers():
    html = richtext.render(NASTY)
    lowered = html.lower()
    for bad in ("<script", "alert('x')", "javascript:", "onerror", "onclick", "onmouseover", "onload",
                "style=", "<iframe", "<svg", "data:text"):
        assert bad not in lowered, (bad, html)
    # What is safe stays: the heading (moved under the page's h1), the text, the https link.
    assert "<h2>标题</h2>" in html
    assert "点我" in html and "站外" in html and "段落" in html
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">站外</a>' in html


def test_markdown_keeps_lists_tables_and_relative_links():
    html = richtext.render("- 一\n- 二\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[项目展](/exhibition/halls/projects/)")
    assert "<li>一</li>" in html and "<table>" in html and "<td>2</td>" in html
    assert 'href="/exhibition/halls/projects/"' in html


def test_the_saved_item_keeps_the_sanitised_html_and_its_text(office):
    made = hs.item_save(actor=office, data={"hall": "prologue", "title": "开篇", "body": NASTY})
    assert "<script" not in made.body_html and "onerror" not in made.body_html
    assert "javascript:" not in made.body_html.lower()
    assert made.body == NASTY  # the office's text is kept as written
    assert "点我" in made.body_text and "<" not in made.body_text


# --------------------------------------------------------------------------- services


def test_only_the_office_writes_items(observer, officer, office):
    for actor in (observer, officer, None):
        with pytest.raises(Forbidden):
            hs.item_save(actor=actor, data={"hall": "culture", "title": "不应保存"})
    assert not HallItem.objects.exists()
    made = item(office, publish=False)
    with pytest.raises(Forbidden):
        hs.item_publish(actor=observer, item=made)
    with pytest.raises(Forbidden):
        hs.item_add_file(actor=observer, item=made, kind="image", title="图", upload=io.BytesIO(png_bytes()))
    made.refresh_from_db()
    assert made.status == ItemStatus.DRAFT and not made.files.exists()


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"hall": "organizations", "title": "x"}, "hall", "展厅"),
        ({"hall": "culture", "title": " "}, "title", "标题"),
        ({"hall": "culture", "title": "x" * 101}, "title", "标题"),
        ({"hall": "culture", "title": "x", "year": "二〇二二"}, "year", "年度"),
        ({"hall": "culture", "title": "x", "unit": "NOPE"}, "unit", "相关单位"),
        ({"hall": "culture", "title": "x", "field": "火星探索"}, "field", "服务领域"),
        ({"hall": "culture", "title": "x", "links": [{"title": "坏", "url": "javascript:alert(1)"}]}, "links", "http"),
        ({"hall": "culture", "title": "x", "links": [{"title": "文件", "url": "file:///etc/passwd"}]}, "links", "http"),
        ({"hall": "culture", "title": "x", "links": [{"title": "ftp", "url": "ftp://example.org/a"}]}, "links", "http"),
    ],
)
def test_bad_fields_are_refused_by_name_and_nothing_is_saved(office, data, field, text):
    with pytest.raises(ValidationFailed) as exc:
        hs.item_save(actor=office, data=data)
    assert field in exc.value.fields and text in exc.value.fields[field][0]
    assert not HallItem.objects.exists()


def test_items_are_audited_ordered_and_published(office):
    a = item(office, title="甲", publish=False)
    b = item(office, title="乙", publish=False, links=[{"title": "中国志愿服务网", "url": "https://chinavolunteer.mca.gov.cn/"}])
    assert (a.order, b.order) == (1, 2)
    hs.item_move(actor=office, item=b, direction="up")
    assert list(HallItem.objects.filter(hall="culture").order_by("order").values_list("title", flat=True)) == ["乙", "甲"]
    with pytest.raises(Conflict):
        hs.item_move(actor=office, item=HallItem.objects.get(title="乙"), direction="up")
    hs.item_publish(actor=office, item=a)
    with pytest.raises(Conflict):
        hs.item_publish(actor=office, item=a)
    hs.item_unpublish(actor=office, item=a)
    actions = list(AuditEntry.objects.filter(object_type="exhibition.hallitem").values_list("action", flat=True))
    assert actions.count("hall_item.create") == 2
    for action in ("hall_item.move", "hall_item.publish", "hall_item.unpublish"):
        assert action in actions


def test_an_empty_item_is_not_published(office):
    made = hs.item_save(actor=office, data={"hall": "themes", "title": "空的"})
    with pytest.raises(ValidationFailed) as exc:
        hs.item_publish(actor=office, item=made)
    assert "正文" in exc.value.fields["body"][0]


def test_files_are_checked_by_content(office, settings):
    made = item(office, hall="policies", title="管理办法", publish=False)
    # A picture, a PDF and a video with its poster are accepted.
    picture = hs.item_add_file(actor=office, item=made, kind="image", title="照片", upload=io.BytesIO(jpeg_bytes((800, 600))))
    assert picture.name.endswith(".jpg") and picture.thumb.endswith(".jpg") and picture.width == 800
    document = hs.item_add_file(actor=office, item=made, kind="document", title="管理办法", upload=io.BytesIO(minimal_pdf()))
    assert document.name.endswith(".pdf")
    video = hs.item_add_file(
        actor=office, item=made, kind="video", title="短片", upload=io.BytesIO(mp4_bytes(seconds=30)),
        poster=io.BytesIO(png_bytes((320, 180))),
    )  # fmt: skip
    assert video.seconds == 30 and video.thumb.endswith(".jpg")
    # A PNG, an MP4 or a text passed off as the 管理办法 is refused.
    for fake in (png_bytes(), mp4_bytes(seconds=5), b"%PDX not a pdf at all"):
        with pytest.raises(ValidationFailed) as exc:
            hs.item_add_file(actor=office, item=made, kind="document", title="假的", upload=io.BytesIO(fake))
        assert "PDF" in exc.value.fields["file"][0]
    # A video longer than the setting is refused, naming the limit.
    settings.EXHIBITION_VIDEO_MAX_SECONDS = 60
    with pytest.raises(ValidationFailed) as exc:
        hs.item_add_file(
            actor=office, item=made, kind="video", title="太长", upload=io.BytesIO(mp4_bytes(seconds=61)),
            poster=io.BytesIO(png_bytes()),
        )  # fmt: skip
    assert "1 分钟" in exc.value.fields["file"][0] and "时长" in exc.value.fields["file"][0]
    # A video needs its poster; a PDF is no video.
    with pytest.raises(ValidationFailed) as exc:
        hs.item_add_file(actor=office, item=made, kind="video", title="无封面", upload=io.BytesIO(mp4_bytes(seconds=5)))
    assert "封面" in exc.value.fields["poster"][0]
    with pytest.raises(ValidationFailed) as exc:
        hs.item_add_file(actor=office, item=made, kind="video", title="不是视频", upload=io.BytesIO(minimal_pdf()),
                         poster=io.BytesIO(png_bytes()))
    assert "MP4" in exc.value.fields["file"][0]
    assert HallItemFile.objects.filter(item=made).count() == 3
    hs.item_remove_file(actor=office, item=made, file_id=picture.pk)
    assert HallItemFile.objects.filter(item=made).count() == 2
    actions = set(AuditEntry.objects.filter(object_type="exhibition.hallitem").values_list("action", flat=True))
    assert {"hall_item.add_file", "hall_item.remove_file"} <= actions


# --------------------------------------------------------------------------- the halls API


def test_halls_are_six_in_order_with_counts(published, office):
    item(office, hall="prologue", title="开篇")
    item(office, hall="culture", title="小词典")
    item(office, hall="culture", title="草稿", publish=False)
    response = get(f"{BASE}/")
    assert response.status_code == 200
    halls = response.json()["results"]
    assert [h["slug"] for h in halls] == ["prologue", "organizations", "projects", "culture", "policies", "themes"]
    assert [h["name"] for h in halls] == ["序篇", "组织展", "项目展", "文化展", "制度展", "主题展"]
    assert all(h["intro"] for h in halls)
    counts = {h["slug"]: h["count"] for h in halls}
    assert counts == {"prologue": 1, "organizations": 1, "projects": 2, "culture": 1, "policies": 0, "themes": 0}
    assert set(halls[0]) == {"slug", "name", "intro", "count"}


def test_a_hall_lists_its_items_filtered_and_searched(published, office, units):
    unit = Unit.objects.get(pk=units[0].pk)
    item(office, hall="themes", title="清除城市牛皮癣", body="清理非法小广告近百万件。", year=2022, unit=unit.code, field="文明实践")
    item(office, hall="themes", title="国际志愿者日", body="主题活动。", year=2021)
    item(office, hall="themes", title="草稿不公开", publish=False)
    data = get(f"{BASE}/themes/").json()
    assert data["name"] == "主题展" and data["count"] == 2
    assert [r["title"] for r in data["results"]] == ["清除城市牛皮癣", "国际志愿者日"]
    first = data["results"][0]
    assert first["unit"] == {"code": unit.code, "name": unit.name} and first["field"] == "文明实践"
    assert first["page"].endswith(f"/exhibition/halls/themes/{first['slug']}/")
    assert get(f"{BASE}/themes/?year=2021").json()["count"] == 1
    assert get(f"{BASE}/themes/?unit={unit.code}").json()["results"][0]["title"] == "清除城市牛皮癣"
    assert get(f"{BASE}/themes/?field=文明实践").json()["count"] == 1
    assert get(f"{BASE}/themes/?q=小广告").json()["count"] == 1  # the text
    assert get(f"{BASE}/themes/?q=志愿者日").json()["count"] == 1  # the title
    assert get(f"{BASE}/themes/?q=草稿").json()["count"] == 0
    # The exhibit halls show the published exhibits, with the same filters.
    projects = get(f"{BASE}/projects/").json()
    assert projects["count"] == 2 and {r["title"] for r in projects["results"]} == {"银龄陪伴助老服务", "汾河岸线护水行动"}
    assert get(f"{BASE}/projects/?q=护水").json()["count"] == 1
    assert get(f"{BASE}/projects/?field=节水护水").json()["count"] == 1
    assert get(f"{BASE}/organizations/").json()["results"][0]["name"] == "杏花岭区青年志愿者协会"
    # Refusals: an unknown hall, a bad filter, a page past the end.
    assert get(f"{BASE}/nowhere/").status_code == 404
    assert get(f"{BASE}/themes/?year=abc").status_code == 400
    assert get(f"{BASE}/themes/?field=火星").status_code == 400
    assert get(f"{BASE}/themes/?page=9").status_code == 404


def test_a_content_item_in_the_api(office):
    made = item(office, hall="culture", title="宣传片", body="**好**<script>x()</script>",
                links=[{"title": "站外", "url": "https://example.org/"}], publish=False)
    hs.item_add_file(actor=office, item=made, kind="video", title="短片", upload=io.BytesIO(mp4_bytes(seconds=4)),
                     poster=io.BytesIO(png_bytes((320, 180))))
    assert get(f"{BASE}/culture/{made.slug}/").status_code == 404  # a draft
    hs.item_publish(actor=office, item=made)
    data = get(f"{BASE}/culture/{made.slug}/").json()
    assert data["body_html"] == "<p><strong>好</strong></p>"
    assert data["videos"][0]["seconds"] == 4 and data["videos"][0]["url"].endswith(".mp4")
    assert data["links"] == [{"title": "站外", "url": "https://example.org/"}]
    assert get(f"{BASE}/themes/{made.slug}/").status_code == 404  # not that hall
    assert get(f"{BASE}/projects/{made.slug}/").status_code == 404
    video = Client().get(data["videos"][0]["url"].split("testserver")[-1])
    assert video.status_code == 200 and video["Content-Type"] == "video/mp4"
    part = Client().get(data["videos"][0]["url"].split("testserver")[-1], HTTP_RANGE="bytes=0-7")
    assert part.status_code == 206 and len(part.content) == 8
    hs.item_unpublish(actor=office, item=made)
    assert Client().get(data["videos"][0]["url"].split("testserver")[-1]).status_code == 404


def test_halls_answer_304_and_change_their_etag_with_the_content(office):
    item(office, hall="prologue", title="开篇")
    for path in (f"{BASE}/", f"{BASE}/prologue/", "/exhibition/halls/", "/exhibition/halls/prologue/"):
        first = get(path)
        assert first.status_code == 200 and first["ETag"] and "max-age=60" in first["Cache-Control"]
        assert get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    before = get(f"{BASE}/")["ETag"]
    page_before = get("/exhibition/halls/")["ETag"]
    item(office, hall="culture", title="新的一条")
    assert get(f"{BASE}/")["ETag"] != before
    assert get("/exhibition/halls/")["ETag"] != page_before
    assert {h["slug"]: h["count"] for h in get(f"{BASE}/").json()["results"]}["culture"] == 1


# --------------------------------------------------------------------------- pages


def test_every_hall_page_has_a_search_box_and_share_tags(published, office):
    made = item(office, hall="policies", title="管理办法（演示）", summary="推选工作的依据。")
    hs.item_add_file(actor=office, item=made, kind="document", title="管理办法", upload=io.BytesIO(minimal_pdf()))
    for slug in ("prologue", "organizations", "projects", "culture", "policies", "themes"):
        page = get(f"/exhibition/halls/{slug}/").content.decode()
        assert 'type="search" name="q"' in page, slug
        assert '<meta property="og:title"' in page
    found = get("/exhibition/halls/policies/?q=管理").content.decode()
    assert "管理办法（演示）" in found
    assert "没有找到" in get("/exhibition/halls/policies/?q=没有这个词").content.decode()
    assert "汾河岸线护水行动" in get("/exhibition/halls/projects/?q=护水").content.decode()
    # The item page: its share tags, its PDF.
    page = get(f"/exhibition/halls/policies/{made.slug}/").content.decode()
    assert '<meta property="og:title" content="管理办法（演示）">' in page
    assert '<meta property="og:description" content="推选工作的依据。">' in page
    assert re.search(r'<meta property="og:image" content="http[^"]+">', page)
    assert ".pdf" in page
    # An exhibit's page shares its title and its first photo.
    exhibit = exhibit_of(published["project_a"])
    page = get(f"/exhibition/projects/{exhibit.slug}/").content.decode()
    assert f'<meta property="og:title" content="{exhibit.title}' in page
    assert re.search(r'<meta property="og:image" content="http[^"]+/exhibition/media/[^"]+\.jpg">', page)
    # The lobby links the six halls; the existing halls' pages have a search box too.
    lobby = get("/exhibition/").content.decode()
    for slug in ("prologue", "organizations", "projects", "culture", "policies", "themes"):
        assert f'href="/exhibition/halls/{slug}/"' in lobby
    assert 'name="q"' in get("/exhibition/projects/").content.decode()


def test_pages_link_the_publicity_while_it_runs(published, office):
    from judging.models import Publicity

    competition = published["competition"]
    today = timezone.localdate()
    assert "publicity-link" not in get("/exhibition/halls/").content.decode()
    Publicity.objects.create(
        competition=competition, working_days=5, starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(days=5)
    )
    type(competition).objects.filter(pk=competition.pk).update(phase="publicity")
    from exhibition import caching

    caching.forget_all()
    for path in ("/exhibition/", "/exhibition/halls/", "/exhibition/halls/culture/"):
        page = get(path).content.decode()
        assert "publicity-link" in page and f'href="/publicity/{competition.pk}/"' in page, path
