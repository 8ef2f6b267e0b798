"""PostgreSQL's connection killed in the middle of a request: a clean 503, nothing half-written."""

import psycopg
import pytest
from django.db import connection

from competition.models import AuditEntry
from nominations.enums import Status
from nominations.models import Nomination
from tests.nominations.conftest import api

pytestmark = pytest.mark.django_db(transaction=True)


class KillAfter:
    """A query wrapper that terminates this connection's server process from
    another connection once ``n`` queries of the request have run."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen = 0
        self.killed = False

    def __call__(self, execute, sql, params, many, context):
        self.seen += 1
        if self.seen == self.n and not self.killed:
            self.killed = True
            pid = context["connection"].connection.info.backend_pid
            settings = context["connection"].settings_dict
            with psycopg.connect(
                host=settings["HOST"] or "127.0.0.1",
                port=settings["PORT"] or 5432,
                user=settings["USER"] or "postgres",
                dbname=settings["NAME"],
                autocommit=True,
            ) as killer:
                killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)


def test_killed_connection_mid_submit_answers_503_and_writes_nothing(postgres, officer, complete_draft):
    client = api(officer)
    audit_before = AuditEntry.objects.count()
    killer = KillAfter(6)  # a few queries into the submit: after the locks, before the writes commit

    with connection.execute_wrapper(killer):
        response = client.post(f"/api/v1/nominations/{complete_draft.pk}/submit/")

    assert killer.killed
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"]
    connection.close()  # the test's own connection was the one killed
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.DRAFT
    assert AuditEntry.objects.count() == audit_before

    # The next request reconnects and works.
    retry = client.post(f"/api/v1/nominations/{complete_draft.pk}/submit/")
    assert retry.status_code == 200, retry.json()
    assert Nomination.objects.get(pk=complete_draft.pk).status == Status.SUBMITTED
