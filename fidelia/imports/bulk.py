"""Fast inserts for large imports: PostgreSQL COPY, with ids drawn from the table's sequence.

Rows are dicts keyed by attribute name (`party_id`, not `party`); columns left out get the model
field's default (`now` for auto_now fields), exactly as `Model.objects.create` would fill them.
On other databases the same rows go through `bulk_create`. No validation happens here: callers
validate with the owning app's rules first.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.models import F, Lookup, Q
from django.utils import timezone


class _AnyOf(Lookup):
    """`column = ANY(%s)`: the values travel as one array parameter."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def among(field: str, values: Iterable[Any]) -> Q | Lookup:
    """A filter on `field` being one of `values`, like `field__in`. On PostgreSQL the values are one
    array parameter: a batch's thousand keys otherwise make a thousand placeholders that the driver
    parses on every query."""
    values = list(values)
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    return _AnyOf(F(field), values)


def _complete(model: type[models.Model], rows: list[dict[str, Any]]) -> list[str]:
    """Fill the columns the rows leave out; return the attribute names, in column order."""
    now = timezone.now()
    names = []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in rows[0]:
            continue
        names.append(f.attname)
        if f.attname in rows[0]:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        elif f.db_default is not models.NOT_PROVIDED:
            names.pop()
            continue
        else:
            value = f.get_default()
        for row in rows:
            row[f.attname] = value
    return names


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [r[0] for r in cursor.fetchall()]


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]], *, with_ids: bool = False) -> list[int]:
    """Insert `rows`; with `with_ids`, return their new primary keys (in order)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return [o.pk for o in objs] if with_ids else []
    ids: list[int] = []
    if with_ids:
        ids = _next_ids(model, len(rows))
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
    names = _complete(model, rows)
    from psycopg.types.json import Jsonb

    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_cols = {n for n in names if isinstance(fields[n], models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(fields[n].column) for n in names)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([Jsonb(row[n]) if n in json_cols else row[n] for n in names])
    return ids


def vocabulary_insert(sort_names: list[str]) -> None:
    """`fidelia.parties.vocabulary.vocabulary_add` for a large batch: on PostgreSQL one
    INSERT … SELECT unnest … ON CONFLICT DO NOTHING instead of thousands of model objects."""
    from fidelia.parties.models import SearchTerm
    from fidelia.parties.vocabulary import terms_of, vocabulary_add

    if connection.vendor != "postgresql":
        vocabulary_add(sort_names)
        return
    terms = sorted({t for name in sort_names for t in terms_of(name)})
    if not terms:
        return
    table = connection.ops.quote_name(SearchTerm._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (key, phrase) SELECT * FROM unnest(%s::text[], %s::text[]) "
                       "ON CONFLICT DO NOTHING", [[k for k, _p in terms], [p for _k, p in terms]])


def record_events(events: list[dict[str, Any]], *, actor: Any) -> None:
    """Insert history rows (`ActivityEvent`) and their audit entries, as `events.record` and the
    privacy app's `post_save` mirror do for one row, for a whole batch: the audit chain is locked
    once, each entry's digest chains on the previous one, and all are inserted together."""
    from fidelia.core.context import current_channel, current_request_id
    from fidelia.core.models import ActivityEvent
    from fidelia.privacy.audit import _head_digest, _lock_chain, compute_digest
    from fidelia.privacy.models import AuditEntry
    from fidelia.privacy.signals import audit_action_for

    if not events:
        return
    insert_rows(ActivityEvent, events)
    _lock_chain()
    previous = _head_digest()
    now, channel, request_id = timezone.now(), current_channel(), current_request_id()
    rows = []
    for event in events:
        entry = AuditEntry(created_at=now, actor_id=getattr(actor, "pk", None),
                           actor_username=getattr(actor, "username", "") or "", action=audit_action_for(event["action"]),
                           object_type=event["object_type"][:40], object_id=event["object_id"],
                           party_id=event["party_id"], fields=sorted(str(k) for k in event.get("changes") or {}),
                           channel=channel, request_id=request_id, previous_digest=previous)
        entry.digest = previous = compute_digest(previous, entry)
        rows.append({f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields if not f.primary_key})
    insert_rows(AuditEntry, rows)
