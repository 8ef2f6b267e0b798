"""The front door: ``/`` for a visitor who is not signed in (issue 14, item 4)."""

from __future__ import annotations

import pytest
from django.test import Client

from competition.enums import Phase
from judging.enums import AwardStatus
from tests.factories import competition_factory
from tests.judging.factories import AwardFactory, PublicityFactory

pytestmark = pytest.mark.django_db


def _page(client=None) -> str:
    response = (client or Client()).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_front_door_without_any_year_still_offers_the_doors():
    html = _page()
    assert '<html lang="zh-CN">' in html
    assert "本年度活动尚未开始" in html
    for href in ('href="/exhibition/"', 'action="/verify/"', 'href="/accounts/login/"'):
        assert href in html
    assert "当前没有正在进行的公示" in html
    assert "<script" not in html  # nothing on it needs JavaScript


def test_front_door_shows_the_current_year_and_its_stage():
    competition_factory(phase=Phase.ARCHIVED, year=2024)
    competition_factory(phase=Phase.NOMINATING, year=2025)
    competition_factory(phase=Phase.DRAFT, year=2026)  # being prepared: not shown
    html = _page()
    assert "2025 年度" in html and "2025年度太原市学雷锋志愿服务先进典型推选" in html
    assert "当前阶段：<strong>申报推荐</strong>" in html
    assert "2026年度太原市" not in html and "2026 年度" not in html


def test_front_door_links_the_running_publicity():
    competition = competition_factory(phase=Phase.PUBLICITY, year=2025)
    publicity = PublicityFactory(competition=competition)
    html = _page()
    assert "正在公示" in html
    assert f'href="/publicity/{competition.pk}/"' in html
    assert f"{publicity.starts_on:%Y年%-m月%-d日}" in html
    # Whoever lodged an objection finds its lookup by receipt from the front door.
    assert 'href="/publicity/objections/"' in html


def test_front_door_tells_the_last_publicity_outcome():
    past = competition_factory(phase=Phase.FINAL, year=2024)
    PublicityFactory(competition=past)
    category = past.categories.order_by("order").first()
    for _ in range(2):
        AwardFactory(nomination__category=category, status=AwardStatus.FINAL)
    AwardFactory(nomination__category=category, status=AwardStatus.REMOVED)
    html = _page()
    assert "2024 年度公示结果" in html and "共 2 个先进典型获评" in html
    assert f"<span>{category.name}</span><b>2</b>" in html
    assert f'href="/publicity/{past.pk}/"' in html
    assert "当前没有正在进行的公示" in html


def test_signed_in_users_keep_their_own_home(client, officer):
    competition = competition_factory(phase=Phase.NOMINATING)
    client.force_login(officer)
    html = _page(client)
    assert competition.title in html and "退出" in html
    assert 'action="/verify/"' not in html
