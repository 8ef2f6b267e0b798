"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Writing one
-----------
::

    import pytest

    pytestmark = pytest.mark.browser

    def test_officer_sees_their_list(page, login, shot, officer_account):
        login(page, officer_account.username, PASSWORD)
        page.goto("/nominations/")                 # relative to the live server
        expect(page.get_by_role("heading", name="本单位推荐")).to_be_visible()
        shot(page, "01-list")                      # artifacts/screenshots/<test>-01-list.png

Mark every browser test ``@pytest.mark.browser`` (``-m browser`` runs only
them, ``-m "not browser"`` skips them). Create the test's data in the test
(or in fixtures) with services and factories: the live server runs in a
thread of the same process and sees the committed rows.

The fixtures
------------
``browser``
    Chromium launched headless from ``/usr/bin/chromium`` (override with the
    ``CHROMIUM_PATH`` environment variable), with the flags that let it run
    as root in a container without a GPU or /dev/shm. Playwright's own
    browser download is never used: do not run ``playwright install``. When
    the binary is missing the test is skipped on a laptop and *fails* under
    ``CI=true``. One browser per test (about half a second): it must start
    after the test database is set up and stop before it is flushed, because
    while Playwright's sync API runs, the main thread sees another
    ``contextvars`` context, hence other Django connection objects (Django's
    serialized rollback and flush would act on the wrong ones). For the same
    reason ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set while the browser runs (its
    event loop would otherwise make Django refuse database calls from the
    test), and the connections the test opened meanwhile are closed at the end.
``page``
    A new browser context and page per test: ``base_url`` is the live
    server (so ``page.goto("/nominations/")`` works), locale ``zh-CN``,
    timezone ``Asia/Shanghai``, a 1280×900 viewport, a 10 s default
    timeout (for actions and for ``expect``). Headless Debian Chromium draws
    its own widgets (date fields) in en-US whatever the locale: that is the
    test browser, not the page. An uncaught JavaScript error on any page fails the test;
    console errors are printed (pytest shows them when a test fails). When
    a test fails, a screenshot ``<test>-failure.png`` is kept.
``shot(page, step)``
    Saves a full-page screenshot as ``artifacts/screenshots/<test-name>-<step>.png``
    under the repository root (``artifacts/`` is git-ignored; the directory
    is created) and returns its path. Name steps so they sort: ``01-login``.
``login(page, username, password)``
    Signs in through ``/accounts/login/`` and waits until the login page is left.

The database
------------
``browser`` requests pytest-django's ``live_server`` and ``transactional_db``
(the test's writes are committed, so that the server thread sees them) and
``django_db_serialized_rollback``: each browser test starts with the rows
the migrations load (the 24 Taiyuan units). The flush after a test empties
every table; before and after each browser module the database is reset to
the migrations' rows (``_migrated_rows``), so that neither an earlier
transactional test nor the browser tests disturb the tests around them. ``ALLOWED_HOSTS`` gets the live server's host from
pytest-django; with SQLite the in-memory test database is shared with the
server thread.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Lets the ``page`` fixture know whether the test failed (for the failure screenshot).
    setattr(item, f"_browser_report_{report.when}", report)
    return report


def _reset_to_migrated_rows(django_db_blocker) -> None:
    """Empty every table and reload the rows the migrations made (the Taiyuan units,
    content types, permissions), as serialized when the test database was created."""
    from django.core.management import call_command
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                call_command(
                    "flush",
                    database=connection.alias,
                    interactive=False,
                    inhibit_post_migrate=True,
                    verbosity=0,
                )
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="module", autouse=True)
def _migrated_rows(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Before and after each browser module, the database holds what the migrations made.

    Before: a transactional test that ran earlier (without serialized
    rollback) left the tables flushed and the content types re-created under
    new ids, which would make Django's own reload of the serialized rows
    fail. After: the flush that follows a browser test empties every table,
    and tests that run later in the session expect the migrations' rows.
    """
    _reset_to_migrated_rows(django_db_blocker)
    yield
    _reset_to_migrated_rows(django_db_blocker)


@pytest.fixture
def browser(live_server, transactional_db, django_db_serialized_rollback) -> Iterator:
    """Chromium, started for one test, after the test database is set up and
    stopped before it is flushed.

    (While Playwright runs, the main thread sees another ``contextvars``
    context, hence other Django connection objects: the database fixtures
    must set up and tear down outside it, and the connections the test opens
    inside it are closed here.)
    """
    if not Path(CHROMIUM).is_file():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("the playwright Python package is not installed")
    from django.db import connections

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        connections.close_all()  # the connections opened under Playwright's context
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(request, browser, live_server) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=VIEWPORT,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(f"{page.url}: {exc}"))
    page.on(
        "console",
        lambda msg: print(f"[browser console {msg.type}] {msg.text}")  # noqa: T201
        if msg.type in ("error", "warning")
        else None,
    )
    try:
        yield page
    finally:
        report = getattr(request.node, "_browser_report_call", None)
        if report is not None and report.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(
                    path=str(SCREENSHOTS / f"{_safe(request.node.name)}-failure.png"), full_page=True
                )
            except Exception as exc:  # noqa: BLE001 - the failure itself matters more
                print(f"could not take the failure screenshot: {exc}")  # noqa: T201
        context.close()
    if js_errors:
        pytest.fail("JavaScript errors on the page:\n" + "\n".join(js_errors))


@pytest.fixture
def shot(request) -> Callable:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = _safe(request.node.name)

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{_safe(step)}.png"
        # From the top, so that sticky side panels are drawn where they belong.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login() -> Callable:
    def sign_in(page, username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return sign_in
