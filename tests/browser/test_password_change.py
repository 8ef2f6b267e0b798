"""A signed-in user changes their password from the header's “修改密码” link."""

import pytest
from playwright.sync_api import expect

from competition import services as competition_services
from competition.enums import Role
from tests.factories import STRONG_PASSWORD

pytestmark = pytest.mark.browser

NEW = "Browser-new-pass-2027"


def test_a_judge_changes_their_password_and_stays_signed_in(page, login, shot):
    judge = competition_services.user_create(
        actor=None, username="judge-pw", password=STRONG_PASSWORD, role=Role.JUDGE, display_name="张评委"
    )
    login(page, judge.username, STRONG_PASSWORD)
    page.get_by_role("link", name="修改密码").click()
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()

    # A weak new password is refused in Chinese.
    page.get_by_label("原密码").fill(STRONG_PASSWORD)
    page.get_by_label("新密码", exact=True).fill("12345678")
    page.get_by_label("再次输入新密码").fill("12345678")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".error").first).to_contain_text("新密码")
    shot(page, "01-weak")

    page.get_by_label("原密码").fill(STRONG_PASSWORD)
    page.get_by_label("新密码", exact=True).fill(NEW)
    page.get_by_label("再次输入新密码").fill(NEW)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".messages")).to_contain_text("密码已修改")
    shot(page, "02-changed")
    # Still signed in; the new password is the one that works from now on.
    page.goto("/")
    expect(page.locator(".who")).to_contain_text("张评委")
    judge.refresh_from_db()
    assert judge.check_password(NEW)
