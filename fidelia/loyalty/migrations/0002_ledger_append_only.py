"""The points ledger is append-only in the database too: a trigger refuses any UPDATE of an entry
(PostgreSQL and SQLite). Deletes stay possible, for the erasure of a person and the retention job."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION loyalty_ledger_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'loyalty_ledgerentry is append-only: add a correcting entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER loyalty_ledger_no_update BEFORE UPDATE ON loyalty_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION loyalty_ledger_no_update();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS loyalty_ledger_no_update ON loyalty_ledgerentry;
DROP FUNCTION IF EXISTS loyalty_ledger_no_update();
"""
SQLITE_UP = """
CREATE TRIGGER loyalty_ledger_no_update BEFORE UPDATE ON loyalty_ledgerentry
BEGIN SELECT RAISE(ABORT, 'loyalty_ledgerentry is append-only: add a correcting entry'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS loyalty_ledger_no_update;"


def up(apps, schema_editor):
    sql = {"postgresql": PG_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    sql = {"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
