"""Writing derived results in bulk: COPY on PostgreSQL, batched inserts elsewhere.

A run replaces a whole slice of results (one grid and month, or one RADAR year): the slice is deleted
and written again in the caller's transaction, so readers see the old slice until the commit.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

ANALYZE_FROM = 10_000  # rows written by one COPY from which the table's statistics are refreshed


def replace_slice(model: type[models.Model], *, where: dict[str, Any], columns: Sequence[str],
                  rows: Iterable[Sequence[Any]], progress: Callable[[int], None] | None = None,
                  batch: int = 5000) -> int:
    """Delete `model` rows matching `where`, then insert `rows` (tuples in the order of `columns`, which
    are attribute names such as "party_id"). JSON fields take Python values. Returns rows written."""
    model.objects.filter(**where).delete()
    fields = [model._meta.get_field(c.removesuffix("_id") if c.endswith("_id") else c) for c in columns]
    json_at = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
    if connection.vendor == "postgresql":
        return _copy(model, fields, rows, json_at, progress, batch)
    written, chunk = 0, []
    for row in rows:
        chunk.append(model(**dict(zip(columns, row, strict=True))))
        if len(chunk) >= batch:
            written += _flush(model, chunk, progress)
            chunk = []
    return written + _flush(model, chunk, progress)


def replace_slice_columns(model: type[models.Model], *, where: dict[str, Any], data: dict[str, Sequence[Any]],
                          progress: Callable[[int], None] | None = None) -> int:
    """`replace_slice` for rows given as columns (`data`: attribute name → one value per row, None for
    NULL). On PostgreSQL Arrow writes the whole slice as one CSV stream for COPY: no Python call per row
    or value but the JSON fields' encoding. Returns rows written."""
    columns = list(data)
    if connection.vendor != "postgresql":
        return replace_slice(model, where=where, columns=columns, rows=zip(*data.values(), strict=True),
                             progress=progress)
    import pyarrow as pa
    import pyarrow.csv as pacsv

    model.objects.filter(**where).delete()
    fields = [model._meta.get_field(c.removesuffix("_id") if c.endswith("_id") else c) for c in columns]
    arrays = [pa.array([json.dumps(v) for v in values] if isinstance(field, models.JSONField) else values)
              for field, values in zip(fields, data.values(), strict=True)]
    written = len(arrays[0]) if arrays else 0
    if not written:
        return 0
    out = pa.BufferOutputStream()
    pacsv.write_csv(pa.Table.from_arrays(arrays, names=columns), out, pacsv.WriteOptions(include_header=False))
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")  # see _copy
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(out.getvalue().to_pybytes())
    if progress:
        progress(written)
    if written >= ANALYZE_FROM:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return written


def _flush(model: type[models.Model], chunk: list[models.Model], progress: Callable[[int], None] | None) -> int:
    if chunk:
        model.objects.bulk_create(chunk)
        if progress:
            progress(len(chunk))
    return len(chunk)


def _copy(model: type[models.Model], fields: list[models.Field], rows: Iterable[Sequence[Any]], json_at: set[int],
          progress: Callable[[int], None] | None, batch: int) -> int:
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    written = 0
    dumps, json_columns = json.dumps, sorted(json_at)
    with connection.cursor() as cursor:
        # derived results, recomputable: no need to wait for the WAL flush at commit (a crash loses at
        # most this run, never entered data); SET LOCAL ends with the caller's transaction
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            if json_columns:
                row = list(row)
                for i in json_columns:
                    row[i] = dumps(row[i])
            copy.write_row(row)
            written += 1
            if progress and written % batch == 0:
                progress(batch)
    if progress and written % batch:
        progress(written % batch)
    if written >= ANALYZE_FROM:
        # fresh statistics at once: the planner picks the portfolio indexes for the next page views
        # instead of waiting for autovacuum to notice the new rows
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return written
