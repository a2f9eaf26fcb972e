"""PostgreSQL refuses UPDATE and DELETE on the audit log (TRUNCATE stays a DBA's operation)."""
from django.db import migrations

FORWARD = [
    """CREATE OR REPLACE FUNCTION fidelia_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER privacy_auditentry_append_only BEFORE UPDATE OR DELETE ON privacy_auditentry
       FOR EACH ROW EXECUTE FUNCTION fidelia_audit_append_only()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS privacy_auditentry_append_only ON privacy_auditentry",
    "DROP FUNCTION IF EXISTS fidelia_audit_append_only()",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
