"""End to end: the site started as a separate process (``manage.py runserver``) with
``EMAIL_URL=smtp://127.0.0.1:<port>`` and no Redis, on the test database.

Returning a nomination through the API puts a mail to the unit's officer
(its subject naming the nomination) into a real SMTP server within seconds,
and the officer's ``GET /api/v1/notifications/`` shows it unread.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from competition import services as competition_services
from competition.enums import Role
from competition.models import Unit

from .conftest import account, free_port, nominating_competition, plain_body, submitted_nomination

ROOT = Path(__file__).resolve().parents[2]


def _call(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own loopback server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _wait(check, timeout: float, what: str, process=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-3000:] if log else ''}")
        time.sleep(0.2)
    raise TimeoutError(f"timed out waiting for {what}:\n{log.read_text()[-3000:] if log else ''}")


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture
def server(smtp, tmp_path, transactional_db):
    """``manage.py runserver`` on the test database, mail to the ``smtp`` fixture's server, no Redis."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required in CI: the server process shares the test database")
        pytest.skip("the server process needs the PostgreSQL test database (set DATABASE_URL)")
    db = connection.settings_dict
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "EMAIL_URL", "WECOM_WEBHOOK_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "ENV_FILE": "/nonexistent/.env",
            "PYTHONUNBUFFERED": "1",
        }
    )
    log = tmp_path / "server.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(lambda: _up(f"{base}/healthz/"), 60, "the server to start", process, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def test_returning_a_nomination_through_the_api_mails_the_officer_and_fills_the_inbox(smtp, server):
    office = account("e2e-office", Role.OFFICE)
    officer = account("e2e-unit-140105", Role.OFFICER, unit=Unit.objects.get(code="140105"), email="officer@example.org")
    competition = nominating_competition(office, year=2033)
    nomination = submitted_nomination(officer, competition, title="端到端测试项目")
    office_token = competition_services.token_issue(user=office).raw
    officer_token = competition_services.token_issue(user=officer).raw

    status, body = _call(
        "POST",
        f"{server}/api/v1/nominations/{nomination.pk}/review/",
        office_token,
        {"decision": "return", "reason": "请补充近三年的活动记录。"},
    )
    assert status == 200, body
    assert body["status"] == "returned"

    _wait(lambda: smtp.to("officer@example.org"), 10, "the mail to reach the SMTP server")
    [mail] = smtp.to("officer@example.org")
    assert "端到端测试项目" in mail["Subject"]
    assert mail["Subject"].strip().startswith("【退回修改】2033年度")
    text = plain_body(mail)
    assert "请补充近三年的活动记录。" in text
    assert f"{server}/nominations/{nomination.pk}/" in text

    status, inbox = _call("GET", f"{server}/api/v1/notifications/", officer_token)
    assert status == 200
    assert inbox["unread"] == 1
    [item] = inbox["results"]
    assert item["event"] == "nomination_returned" and item["read"] is False
    assert "端到端测试项目" in item["title"]
