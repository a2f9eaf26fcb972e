"""The BI feed's two outputs: a Parquet export of every registered table with a manifest, and on
PostgreSQL a read-only schema `fidelia_bi` of views for Metabase or a warehouse.

Both read the same registered sources (`fidelia.bi.registry`), so a view and its Parquet file hold
the same columns and rows. Pseudonyms are refreshed first, so every party has its id.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.bi.pseudonyms import pseudonyms_refresh
from fidelia.bi.registry import FEED_VERSION, Table, registered_tables
from fidelia.bi.writers import write_parquet
from fidelia.core.errors import ValidationFailed
from fidelia.privacy.audit import audit_export

SCHEMA = "fidelia_bi"
READER_ROLE = "fidelia_bi_reader"
MANIFEST = "manifest.json"


def table_rows(table: Table, *, chunk_size: int = 10_000) -> Iterator[tuple[Any, ...]]:
    """The table's rows in column order, streamed (server-side cursor on PostgreSQL)."""
    if isinstance(table.source, str):
        with connection.chunked_cursor() as cursor:
            cursor.execute(table.source)
            while batch := cursor.fetchmany(chunk_size):
                yield from (tuple(row) for row in batch)
        return
    yield from table.source().values_list(*table.column_names).iterator(chunk_size=chunk_size)


def table_sql(table: Table) -> tuple[str, list[Any]]:
    """SELECT of the table with its columns in declared order, and its parameters."""
    if isinstance(table.source, str):
        return table.source, []
    sql, params = table.source().values_list(*table.column_names).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(c) for c in table.column_names)
    return f"SELECT {columns} FROM ({sql}) AS src", list(params)


def feed_dir() -> Path:
    return Path(settings.VAR_DIR) / "bi" / "feed"


def _describe(table: Table, rows: int | None = None) -> dict[str, Any]:
    described = {"name": table.name, "version": table.version, "view": f"{SCHEMA}.{table.view_name}",
                 "file": f"{table.view_name}.parquet", "description": table.description,
                 "placeholder": table.placeholder,
                 "columns": [{"name": c.name, "type": c.type, "description": c.description} for c in table.columns]}
    if rows is not None:
        described["rows"] = rows
    return described


def feed_schema() -> dict[str, Any]:
    """The feed's definition without data (what the API's manifest adds the last export to)."""
    return {"feed_version": FEED_VERSION, "tables": [_describe(t) for t in registered_tables()]}


def bi_feed_export(*, out_dir: Path, actor: Any = None,
                   on_table: Callable[[Table, int], None] | None = None) -> dict[str, Any]:
    """Write one Parquet file per table and `manifest.json` (feed version, generated at, row counts,
    columns) into `out_dir`; audited as an export. Files are written beside and moved into place,
    the manifest last, so a reader never sees a manifest that does not match its files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pseudonyms_refresh()
    tables = []
    for table in registered_tables():
        partial = out_dir / f".{table.view_name}.parquet.part"
        rows = write_parquet(partial, table.columns, table_rows(table))
        partial.replace(out_dir / f"{table.view_name}.parquet")
        tables.append(_describe(table, rows))
        if on_table:
            on_table(table, rows)
    manifest = {"feed_version": FEED_VERSION, "generated_at": timezone.now().isoformat(),
                "database": connection.vendor, "tables": tables}
    partial = out_dir / f".{MANIFEST}.part"
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    partial.replace(out_dir / MANIFEST)
    audit_export(actor=actor, what="bi_feed", fmt="parquet")
    return manifest


def bi_feed_generate(*, actor: Any = None) -> dict[str, Any]:
    """Regenerate the feed offered on the BI page (`FIDELIA_VAR_DIR/bi/feed`), replacing the last one."""
    target = feed_dir()
    fresh = target.with_name("feed.new")
    shutil.rmtree(fresh, ignore_errors=True)
    manifest = bi_feed_export(out_dir=fresh, actor=actor)
    old = target.with_name("feed.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def last_manifest() -> dict[str, Any] | None:
    """The manifest of the last generated feed, or None."""
    path = feed_dir() / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise ValidationFailed(_("The read-only BI schema needs PostgreSQL; with SQLite, use the Parquet feed "
                                 "(fidelia bi export --out DIR)."))


@transaction.atomic
def bi_schema_install() -> list[str]:
    """Create or refresh the schema `fidelia_bi`: one view per registered table (older views
    dropped), and the role `fidelia_bi_reader` with USAGE on the schema and SELECT on its views only,
    read-only by default. One transaction: readers see the old views or the new ones.
    Returns the qualified view names. PostgreSQL only (ValidationFailed otherwise)."""
    require_postgresql()
    pseudonyms_refresh()
    names = []
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        cursor.execute("SELECT table_name FROM information_schema.views WHERE table_schema = %s", [SCHEMA])
        for (stale,) in cursor.fetchall():
            cursor.execute(f"DROP VIEW IF EXISTS {SCHEMA}.{connection.ops.quote_name(stale)} CASCADE")
        for table in registered_tables():
            sql, params = table_sql(table)
            view = f"{SCHEMA}.{table.view_name}"
            cursor.execute(f"CREATE VIEW {view} AS {connection.ops.compose_sql(sql, params)}")
            cursor.execute(f"COMMENT ON VIEW {view} IS %s", [table.description])
            for column in table.columns:
                cursor.execute(f"COMMENT ON COLUMN {view}.{column.name} IS %s", [column.description])
            names.append(view)
        _grant_reader(cursor)
    return names


def _grant_reader(cursor: Any) -> None:
    cursor.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %s) THEN "
        f"CREATE ROLE {READER_ROLE} NOLOGIN; END IF; END $$".replace("%s", f"'{READER_ROLE}'"))
    cursor.execute(f"ALTER ROLE {READER_ROLE} SET default_transaction_read_only = on")
    cursor.execute(f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC")
    cursor.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {READER_ROLE}")
    cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM {READER_ROLE}")
    cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {READER_ROLE}")
