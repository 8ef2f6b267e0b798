"""The front door with JavaScript disabled (issue 14, items 4 and 5).

A visitor opens ``/``, finds the running 公示 and opens it, then verifies a
certificate by its number and the holder's name from the front door's form;
a wrong name is refused in Chinese. Both at 1280 and at 390 px, with
JavaScript disabled in the browser context. Screenshots are kept under
artifacts/front-door/<width>-<step>.png.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certificates.enums import CertificateStatus
from competition.enums import Phase
from competition.models import Unit
from judging.enums import AwardStatus
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, REPO_ROOT
from tests.certificates.factories import CertificateFactory
from tests.factories import competition_factory
from tests.judging.factories import AwardFactory, PublicityFactory

pytestmark = pytest.mark.browser

SHOTS = REPO_ROOT / "artifacts" / "front-door"
HOLDER = "太原市城市综合管理服务指挥中心 举手之劳·为树木松绑拔刺"
NOMINEE = "汾河岸边的守护者志愿服务队"


@pytest.fixture
def year():
    """A finished year with an issued certificate, and the current year's 公示 running."""
    # The Taiyuan units the migrations made (a factory's unit would clash with their ids here).
    unit_a, unit_b = Unit.objects.order_by("order")[:2]
    past = competition_factory(phase=Phase.FINAL, year=2024)
    PublicityFactory(competition=past)
    category = past.categories.order_by("order").first()
    award = AwardFactory(nomination__category=category, nomination__title=HOLDER, nomination__unit=unit_a, status=AwardStatus.FINAL)
    certificate = CertificateFactory(
        award=award,
        holder=HOLDER,
        status=CertificateStatus.ISSUED,
        pdf="certificates/x.pdf",
        sha256="b" * 64,
        issued_at=timezone.now(),
    )
    current = competition_factory(phase=Phase.PUBLICITY, year=2025)
    PublicityFactory(competition=current)
    AwardFactory(
        nomination__category=current.categories.order_by("order").first(),
        nomination__title=NOMINEE,
        nomination__unit=unit_b,
    )
    return {"current": current, "certificate": certificate}


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_visitor_without_javascript_finds_the_publicity_and_verifies_a_certificate(
    browser, live_server, year, width, height
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": width, "height": height},
        java_script_enabled=False,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()

    def shot(step: str) -> None:
        page.screenshot(path=str(SHOTS / f"{width}-{step}.png"), full_page=True)

    def fits() -> None:
        # Nothing wider than the window (no sideways scrolling on a phone).
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    try:
        page.goto("/")
        expect(page.get_by_role("heading", name="2025年度太原市学雷锋志愿服务先进典型推选")).to_be_visible()
        expect(page.get_by_text("当前阶段：公示")).to_be_visible()
        expect(page.get_by_role("link", name="进入云展馆")).to_have_attribute("href", "/exhibition/")
        expect(page.get_by_role("link", name="登录系统")).to_be_visible()
        expect(page.get_by_text("2024 年度公示结果")).to_be_visible()
        fits()
        shot("01-front-door")

        # The 公示 from the front door.
        page.get_by_role("link", name="查看公示名单与异议方式").click()
        page.wait_for_url(f"**/publicity/{year['current'].pk}/")
        expect(page.get_by_text(NOMINEE).first).to_be_visible()
        shot("02-publicity")

        # A certificate by number and name, from the front door's form.
        certificate = year["certificate"]
        page.goto("/")
        page.get_by_label("证书编号").fill(certificate.number)
        page.get_by_label("获奖者姓名").fill(HOLDER)
        page.get_by_role("button", name="查验证书").click()
        expect(page.get_by_role("heading", name="证书有效")).to_be_visible()
        expect(page.locator(".holder")).to_have_text(HOLDER)
        fits()
        shot("03-verified")

        # A wrong name is refused, in Chinese, and the form is there to try again.
        page.goto("/verify/")
        page.get_by_label("证书编号").fill(certificate.number)
        page.get_by_label("获奖者姓名").fill("李四")
        page.get_by_role("button", name="查验").click()
        expect(page.get_by_role("heading", name="未找到该证书")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("请核对证书编号与获奖者姓名")
        expect(page.get_by_text("证书有效")).to_have_count(0)
        expect(page.get_by_label("获奖者姓名")).to_have_value("李四")
        fits()
        shot("04-wrong-name")
    finally:
        context.close()
