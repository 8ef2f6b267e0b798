"""The public pages at /exhibition/: lobby and archive, the two halls and their
filters, an exhibit's page with its photos and certificate check."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from django.utils import timezone

from competition.models import Competition
from exhibition import caching, services
from exhibition.caching import CACHE_CONTROL
from tests.exhibition.conftest import exhibit_of, make_final, winner
from tests.judging.conftest import judging_competition

pytestmark = pytest.mark.django_db


def html(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode()


def test_lobby_before_anything_is_published(client, db):
    page = html(client, "/exhibition/")
    assert "志愿服务云展馆" in page
    assert "展览正在筹备" in page
    assert "暂无往届展览" in page


def test_lobby_shows_the_latest_year_and_the_archive(client, office, published):
    # An earlier year, also final and published: it goes to the archive.
    earlier = judging_competition(office, year=2029)
    winner(earlier, earlier.categories.get(code="XM"), published["project_a"].unit, title="往届项目")
    make_final(earlier)
    services.exhibition_publish(actor=office, competition=earlier)

    page = html(client, "/exhibition/")
    assert "2031年度太原市学雷锋最佳志愿服务项目、最佳志愿服务组织在此展出" in page
    assert re.search(r"最佳志愿服务项目 <b>2</b> 个", page)
    assert re.search(r"最佳志愿服务组织 <b>1</b> 个", page)
    assert "往届展览" in page and "2029年度" in page
    assert '/exhibition/projects/?year=2029' in page
    assert "/exhibition/organizations/?year=2029" not in page  # no organisation that year

    hall = html(client, "/exhibition/projects/?year=2029")
    assert "2029年度项目展" in hall and "往届" in hall and "往届项目" in hall
    assert "银龄陪伴助老服务" not in hall


def test_project_hall_with_filters(client, published):
    page = html(client, "/exhibition/projects/")
    assert "<title>2031年度项目展 · 太原市学雷锋志愿服务</title>" in page
    assert "共 2 个（排名不分先后）" in page
    assert "银龄陪伴助老服务" in page and "汾河岸线护水行动" in page
    assert "未获奖的项目甲" not in page and "仅拟表彰的项目乙" not in page and "已撤销表彰的项目丙" not in page
    # The filters offer only what is on show.
    assert '<option value="140105">太原市小店区</option>' in page
    assert '<option value="140108">' not in page  # a unit with no exhibit
    assert '<option value="节水护水">节水护水</option>' in page
    assert '<option value="文明实践">' not in page

    by_unit = html(client, "/exhibition/projects/?year=2031&unit=140106")
    assert "汾河岸线护水行动" in by_unit and "银龄陪伴助老服务" not in by_unit
    by_field = html(client, "/exhibition/projects/?field=为老服务")
    assert "银龄陪伴助老服务" in by_field and "汾河岸线护水行动" not in by_field
    # Nonsense filters are ignored, never an error.
    assert "共 2 个" in html(client, "/exhibition/projects/?year=abc&unit=../x&field=<b>&foo=1")
    assert client.get("/exhibition/projects/?page=zz").status_code == 404  # a page is a page or nothing
    assert "暂无项目展展品" in html(client, "/exhibition/projects/?year=1999")


def test_organization_hall(client, published):
    page = html(client, "/exhibition/organizations/")
    assert "2031年度组织展" in page and "杏花岭区青年志愿者协会" in page
    assert 'name="field"' not in page  # organisations have no service field
    assert "银龄陪伴助老服务" not in page


def test_hall_pagination(client, office, competition, xm, units):
    for i in range(23):
        winner(competition, xm, units[i % len(units)], photos=0)
    make_final(competition)
    services.exhibition_publish(actor=office, competition=competition)
    first = html(client, "/exhibition/projects/")
    assert "第 1 / 2 页" in first and "?year=2031&amp;page=2" in first
    second = html(client, "/exhibition/projects/?year=2031&page=2")
    assert "第 2 / 2 页" in second and second.count('class="card"') == 3


def test_project_page(client, published):
    exhibit = exhibit_of(published["project_a"])
    page = html(client, f"/exhibition/projects/{exhibit.slug}/")
    assert "<h1>银龄陪伴助老服务</h1>" in page
    assert "2031年度 · 太原市学雷锋最佳志愿服务项目" in page
    assert "太原市小店区" in page and "某志愿服务队" in page and "为老服务" in page
    assert "<b>3.8</b>万" not in page and "<b>3.8万</b>小时" in page  # 38,000 hours
    assert "<b>1,460</b>次" in page and "<b>5.2万</b>人次" in page and "<b>320</b>人" in page
    assert page.count("<figure>") == 2
    assert "银龄陪伴助老服务活动现场1" in page
    assert "荣誉证书颁发后，可在此在线查验" in page
    assert "返回2031年度项目展" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "no external assets"


def test_organization_page(client, published):
    exhibit = exhibit_of(published["organization"])
    page = html(client, f"/exhibition/organizations/{exhibit.slug}/")
    assert "<h1>杏花岭区青年志愿者协会</h1>" in page
    assert "<b>2012</b>年<b>5</b>月" in page
    assert "<li>银龄陪伴</li>" in page and "<li>周末课堂</li>" in page
    assert "组织简介" in page
    assert "荣誉证书" not in page  # the organisation's whitelist has no certificate link


def test_project_page_links_its_certificate_check(client, office, published):
    from certificates.models import Certificate

    exhibit = exhibit_of(published["project_a"])
    path = f"/exhibition/projects/{exhibit.slug}/"
    api_path = f"/api/v1/public/exhibition/projects/{exhibit.slug}/"
    before = client.get(path)
    certificate = Certificate.objects.create(
        award=exhibit.award,
        competition=exhibit.competition,
        category=exhibit.category,
        serial=1,
        number="TY-XLF-2031-XM-0001",
        token=secrets.token_urlsafe(32),
        holder="某志愿服务队 银龄陪伴助老服务",
        award_name="最佳志愿服务项目",
        competition_title="2031年度推选",
        year=2031,
        date=dt.date(2031, 12, 5),
        status="pending",
    )
    # Pending (no PDF yet): no link, and the page has not changed.
    assert client.get(path, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    assert client.get(api_path).json()["certificate_url"] is None

    Certificate.objects.filter(pk=certificate.pk).update(
        status="issued", pdf="certificates/x.pdf", sha256="a" * 64, issued_at=timezone.now()
    )
    # The certificates app does not tell the exhibition: the link appears when the
    # exhibit's memo expires (EXHIBITION_STAMP_TTL, a second), here at once.
    caching.forget_stamp()
    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    page = after.content.decode()
    assert f'href="/verify/{certificate.token}/"' in page and "查验荣誉证书" in page
    assert client.get(api_path).json()["certificate_url"].endswith(f"/verify/{certificate.token}/")


def test_withdrawn_and_unknown_exhibits_answer_404_pages(client, office, published):
    exhibit = exhibit_of(published["project_b"])
    services.exhibit_withdraw(actor=office, exhibit=exhibit, reason="核实")
    page = html(client, f"/exhibition/projects/{exhibit.slug}/", status=404)
    assert "未找到该展品" in page and "汾河岸线护水行动" not in page
    html(client, "/exhibition/projects/2031-xm-aaaaaa/", status=404)


def test_pages_carry_cache_headers_and_no_session(client, published):
    response = client.get("/exhibition/projects/")
    assert response["Cache-Control"] == CACHE_CONTROL
    assert response["ETag"] and response["Last-Modified"]
    assert "Set-Cookie" not in response and "csrftoken" not in response.content.decode()
    assert "Cookie" not in response.get("Vary", "")
    assert client.post("/exhibition/projects/").status_code == 405


def test_pages_of_a_non_final_competition_show_nothing(client, office, competition, xm, units):
    winner(competition, xm, units[0], title="尚在评审的项目")
    assert Competition.objects.get(pk=competition.pk).phase == "judging"
    for path in ("/exhibition/", "/exhibition/projects/", "/exhibition/organizations/"):
        assert "尚在评审的项目" not in html(client, path)
