"""The audit trail survives TRUNCATE on PostgreSQL (issue 11, item 2)."""

import pytest
from django.db import DatabaseError, connection, transaction

from competition import services
from competition.enums import Phase
from competition.models import AuditEntry
from tests.factories import OfficeFactory, competition_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(postgres):
    services.competition_advance(actor=OfficeFactory(), competition=competition_factory(), to=Phase.NOMINATING)
    return list(AuditEntry.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE competition_auditentry",
        "TRUNCATE ONLY competition_auditentry RESTART IDENTITY",
        # Emptying the accounts reaches the audit table through its foreign key.
        "TRUNCATE competition_user CASCADE",
    ],
)
def test_truncate_of_the_audit_table_is_refused(trail, statement):
    with connection.cursor() as cursor:
        # Fire the foreign-key checks still pending from the inserts of this
        # test's transaction (PostgreSQL refuses TRUNCATE while any are).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement)
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == trail


@pytest.mark.django_db(transaction=True)
def test_the_test_harness_can_still_empty_the_database(postgres):
    """A transactional test leaves audit entries; the flush after it (as the
    database's superuser, skipping triggers) must still empty the table."""
    services.competition_advance(actor=OfficeFactory(), competition=competition_factory(), to=Phase.NOMINATING)
    assert AuditEntry.objects.exists()
