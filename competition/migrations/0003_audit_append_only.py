"""On PostgreSQL the database itself refuses to change or delete an audit entry.

(TRUNCATE, which only the test harness uses, is not a row change.) On SQLite,
the embedded demo database, the model refuses it.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION competition_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER competition_auditentry_append_only
    BEFORE UPDATE OR DELETE ON competition_auditentry
    FOR EACH ROW EXECUTE FUNCTION competition_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS competition_auditentry_append_only ON competition_auditentry;
DROP FUNCTION IF EXISTS competition_audit_append_only();
"""
def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("competition", "0002_load_taiyuan_units")]
    operations = [migrations.RunPython(forward, backward)]
