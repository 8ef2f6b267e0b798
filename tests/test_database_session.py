"""The application's PostgreSQL sessions run with the JIT compiler off (config/settings/base.py)."""

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def test_jit_is_off_in_the_applications_sessions(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_setting_comes_from_the_connection_options(postgres):
    """Per connection (libpq ``options``), so a server left at ``jit = on`` does not matter."""
    assert "-c jit=off" in settings.DATABASES["default"]["OPTIONS"]["options"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT source FROM pg_settings WHERE name = 'jit'")
        assert cursor.fetchone()[0] == "client"
