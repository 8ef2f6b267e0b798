"""On PostgreSQL the audit table refuses TRUNCATE as well as UPDATE and DELETE.

TRUNCATE fires no row triggers, so 0003's trigger let it empty the table in
one statement. A statement-level BEFORE TRUNCATE trigger, with the same
function, refuses it (also when another table's TRUNCATE ... CASCADE
reaches the audit table). Only a role that may disable triggers (the
table's owner, or a superuser with ``session_replication_role = replica``,
as the test harness's flush does) can get past it: run the application
under a role that is neither (docs/operations.md).
"""

from django.db import migrations

FORWARD = """
CREATE TRIGGER competition_auditentry_no_truncate
    BEFORE TRUNCATE ON competition_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION competition_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS competition_auditentry_no_truncate ON competition_auditentry;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("competition", "0005_user_manager")]
    operations = [migrations.RunPython(forward, backward)]
