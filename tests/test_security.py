"""Security settings a deployment relies on."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_csrf_is_enforced_on_session_requests(office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    response = client.post(
        "/api/v1/competitions/", {"year": 2040}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"] or response.json()["error"]["code"] == "permission_denied"

    page = client.get("/")  # any page with a form sets the CSRF cookie
    token = page.cookies["csrftoken"].value
    with_token = client.post(
        "/api/v1/competitions/", {"year": 2040}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert with_token.status_code == 400  # past CSRF: now the body is judged


def test_pages_carry_the_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _production(code: str) -> subprocess.CompletedProcess:
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.production_settings",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "awards.example.org",
        "ENV_FILE": "/nonexistent",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_has_no_debug_pages_and_sends_hsts():
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "assert settings.DEBUG is False\n"
        "c = Client(HTTP_HOST='awards.example.org', **{'wsgi.url_scheme': 'https'})\n"
        "r = c.get('/no-such-page/', secure=True)\n"
        "body = r.content.decode()\n"
        "assert r.status_code == 404, r.status_code\n"
        "assert 'Traceback' not in body and 'URLconf' not in body and '页面不存在' in body, body[:300]\n"
        "r = c.get('/healthz/', secure=True)\n"
        "assert r['Strict-Transport-Security'].startswith('max-age=31536000'), r.headers\n"
        "print('ok')\n"
    )
    result = _production(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")


def test_api_schema_and_docs_are_for_the_office_only_in_production():
    """Issue 11: in production the OpenAPI schema and the Swagger page answer
    anonymous callers 401 and signed-in non-office users 403; the office reads both."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment\n"
        "setup_test_environment()\n"
        "from django.test.utils import get_runner\n"
        "runner = get_runner(settings)(verbosity=0, interactive=False)\n"
        # Tables straight from the models: the check needs two accounts, not the migrations' data.
        "from django.db import connection\n"
        "connection.settings_dict['TEST']['MIGRATE'] = False\n"
        "old = runner.setup_databases()\n"
        "try:\n"
        "    from competition import services\n"
        "    from competition.enums import Role\n"
        "    assert settings.DEBUG is False\n"
        "    office = services.user_create(actor=None, username='docs-office', password='Xlf-test-pass-2026', role=Role.OFFICE)\n"
        "    observer = services.user_create(actor=None, username='docs-observer', password='Xlf-test-pass-2026', role=Role.OBSERVER)\n"
        "    kw = {'HTTP_HOST': 'awards.example.org', 'secure': True}\n"
        "    for path in ('/api/schema/', '/api/docs/'):\n"
        "        anonymous = Client().get(path, **kw)\n"
        "        assert anonymous.status_code == 401, (path, anonymous.status_code)\n"
        "        c = Client(); c.force_login(observer)\n"
        "        assert c.get(path, **kw).status_code == 403, path\n"
        "        c = Client(); c.force_login(office)\n"
        "        r = c.get(path, **kw)\n"
        "        assert r.status_code == 200, (path, r.status_code)\n"
        "        assert (b'openapi' in r.content) if path == '/api/schema/' else (b'swagger-ui' in r.content)\n"
        "finally:\n"
        "    runner.teardown_databases(old)\n"
        "print('ok')\n"
    )
    result = _production(code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_api_schema_is_open_in_debug_and_closed_without_it(client, settings, office):
    settings.API_DOCS_PUBLIC = False
    settings.DEBUG = False
    assert client.get("/api/schema/").status_code == 401
    settings.DEBUG = True
    assert client.get("/api/schema/").status_code == 200
    settings.DEBUG = False
    client.force_login(office)
    assert client.get("/api/schema/").status_code == 200
