"""A name typed into a new nomination before the form's script has run is saved as soon as
it runs (found by the year setup journey: the officer typed the organisation's name while
the page was still loading its scripts, and no draft was saved until the next keystroke)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from competition.enums import Phase
from nominations.models import Nomination
from tests.factories import PASSWORD, OfficerFactory, competition_factory, taiyuan_unit

pytestmark = pytest.mark.browser

SAVED = re.compile(r"已自动保存 \d{2}:\d{2}")


def test_a_title_typed_before_the_script_runs_is_saved(page, login):
    competition = competition_factory(phase=Phase.NOMINATING)
    officer = OfficerFactory(username="early-typist", unit=taiyuan_unit("140105"))
    login(page, officer.username, PASSWORD)
    page.goto("/nominations/")

    # The form's script is held back (a slow line) while the officer types the name.
    held = []
    page.route("**/static/nominations/form.js", lambda route: held.append(route))
    page.locator(f"#competition-{competition.pk} table.quota-table tbody tr", has_text="最佳志愿服务项目").get_by_role(
        "link", name="新建推荐"
    ).click()
    expect(page.get_by_role("heading", name="新建推荐：最佳志愿服务项目")).to_be_visible()
    page.get_by_label("项目名称").fill("举手之劳·清除城市牛皮癣")
    for _ in range(100):  # until the browser has asked for the script
        if held:
            break
        page.wait_for_timeout(50)
    assert held and not Nomination.objects.exists()

    held[0].continue_()
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    page.wait_for_url(re.compile(r"/nominations/\d+/edit/$"))
    nomination = Nomination.objects.get()
    assert nomination.title == "举手之劳·清除城市牛皮癣" and nomination.unit == officer.unit
