"""Page-driving helpers shared by the office console's browser tests.

``keep`` saves the screenshots the office guide is drawn from, ``tab`` clicks
the results pages' tabs, ``sign_out`` uses the header's button, and
``post_as_a_form`` submits a form no page offers (an observer's forged click).
"""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import REPO_ROOT, VIEWPORT

PHONE = {"width": 390, "height": 844}


def keep(page, directory: str, name: str, *, phone: bool = False) -> Path:
    """A full-page screenshot ``artifacts/<directory>/<name>-1280.png``.

    With ``phone`` also ``<name>-390.png`` at 390 px, after checking that the
    page is no wider than the phone (no sideways scrolling).
    """
    folder = REPO_ROOT / "artifacts" / directory
    folder.mkdir(parents=True, exist_ok=True)
    # From the top, so that sticky side panels are drawn where they belong.
    page.evaluate("window.scrollTo(0, 0)")
    path = folder / f"{name}-1280.png"
    page.screenshot(path=str(path), full_page=True)
    if phone:
        page.set_viewport_size(PHONE)
        try:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name}: the page is {overflow}px wider than a phone"
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(folder / f"{name}-390.png"), full_page=True)
        finally:
            page.set_viewport_size(VIEWPORT)
    return path


def tab(page, name: str) -> None:
    """Click one of the results pages' tabs (概览 · 公示 · 异议 · …)."""
    page.locator(".results-tabs").get_by_role("link", name=name, exact=True).click()


def sign_out(page) -> None:
    page.locator(".site-header").get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def post_as_a_form(page, url: str, data: dict) -> None:
    """Submit a form the page does not offer (with the page's CSRF token), as a forged click would."""
    page.evaluate(
        """([url, data]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = url;
            const token = document.querySelector("input[name=csrfmiddlewaretoken]");
            const fields = Object.assign({csrfmiddlewaretoken: token.value}, data);
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        [url, data],
    )
    page.wait_for_load_state()
