"""Shared fixtures. Tests that need PostgreSQL or Redis use ``postgres``/``redis_url``:
they skip on a laptop without them and fail under CI=true.

The accounts and units every app's tests start from are defined here once:

- ``units``: the 24 Taiyuan units in their order (``units[0]`` is 小店区 140105,
  ``units[1]`` 迎泽区 140106); ``unit`` is 小店区 and ``other_unit`` 迎泽区;
- ``office`` (username ``office``, 市文明办, staff), ``observer`` and ``officer``
  (``unit-140105``, of 小店区): made by the factories, so they leave no audit
  entry of their own and sign in with ``tests.factories.PASSWORD``.

An app's conftest adds what is its own (the notifications tests give the
office and the officers an e-mail address under the same names).
"""

import os

import pytest
from django.db import connection

from tests.factories import ObserverFactory, OfficeFactory, OfficerFactory, taiyuan_unit

IN_CI = os.environ.get("CI") == "true"


def _missing(what: str):
    if IN_CI:
        pytest.fail(f"{what} is required in CI but not available")
    pytest.skip(f"{what} not available (set DATABASE_URL / REDIS_URL to run this test)")


@pytest.fixture
def postgres(db):
    """Marks a test that must run on PostgreSQL (row locks, triggers, races)."""
    if connection.vendor != "postgresql":
        _missing("PostgreSQL")
    return connection


@pytest.fixture
def redis_url():
    from django.conf import settings

    url = settings.REDIS_URL
    if not url:
        _missing("Redis")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        _missing("Redis")
    return url


@pytest.fixture
def units(db):
    """The 24 Taiyuan units of the data migration, in their order."""
    from competition.models import Unit

    return list(Unit.objects.order_by("order"))


@pytest.fixture
def unit(db):
    return taiyuan_unit("140105")  # 小店区


@pytest.fixture
def other_unit(db):
    return taiyuan_unit("140106")  # 迎泽区


@pytest.fixture
def office(db):
    return OfficeFactory(username="office", display_name="市文明办")


@pytest.fixture
def observer(db):
    return ObserverFactory(username="observer")


@pytest.fixture
def officer(unit):
    """The officer of 小店区."""
    return OfficerFactory(username="unit-140105", unit=unit)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _taiyuan_units(request):
    """The units come from a data migration; a transactional test's flush removes
    them, so put them back for every database test (a no-op when present)."""
    marker = request.node.get_closest_marker("django_db")
    wants_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if not wants_db:
        return
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from competition.models import Unit
    from competition.units_data import load_units

    if not Unit.objects.exists():
        load_units(Unit)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_truncate_trigger():
    """Between transactional tests the harness empties every table with TRUNCATE, which
    the audit table's trigger refuses (competition migration 0006). The test database's
    owner is a superuser: its flush runs with ``session_replication_role = replica``,
    which skips triggers for that transaction. The application's role cannot do this."""
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no PostgreSQL driver: SQLite has no such trigger
        yield
        return
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica;", *sql] if sql else sql

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield
