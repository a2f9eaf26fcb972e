"""Audit rows may be deleted only by the retention job, which sets `fidelia.audit_purge` for its
own transaction (security and access logs are kept 12 months). UPDATE stays refused."""
from django.db import migrations

FORWARD = [
    """CREATE OR REPLACE FUNCTION fidelia_audit_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND current_setting('fidelia.audit_purge', true) = 'on' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'the audit log is append-only';
       END; $$ LANGUAGE plpgsql""",
]
BACKWARD = [
    """CREATE OR REPLACE FUNCTION fidelia_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_audit_append_only")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
