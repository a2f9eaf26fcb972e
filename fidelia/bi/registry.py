"""The BI feed's tables, in one registry: a name, a version, typed columns and where the rows come from.

Other apps register their own tables from their `AppConfig.ready()`:

    from fidelia.bi.registry import register_table
    register_table("rfm_scores", 1, [Column("customer_id", "string", description="…"), …],
                   lambda: RfmScore.objects.values("party__bi_pseudonym__pseudo_id", …))

The source is either a callable returning a `values()`/`values_list()` QuerySet (columns in the
declared order; it is compiled to SQL for the PostgreSQL views and iterated for Parquet, so both
outputs hold the same rows) or a plain SQL string that runs on every supported database.
A table's `version` changes whenever a column is removed, renamed or changes meaning; the view
is then `<name>_v<version>` and consumers can move at their pace.

Rules for every table: no direct identifier (name, e-mail, phone, address, birth date, free text);
a party appears only through its pseudonymous id (`party__bi_pseudonym__pseudo_id`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from fidelia.bi.columns import Column

FEED_VERSION = "1"  # the feed's layout as a whole (manifest, file names); tables have their own
Source = Callable[[], QuerySet[Any]] | str


@dataclass(frozen=True)
class Table:
    name: str
    version: int
    columns: tuple[Column, ...]
    source: Source
    description: str = ""
    placeholder: bool = False  # defined so consumers can prepare; filled by a later feature

    @property
    def view_name(self) -> str:
        return f"{self.name}_v{self.version}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


_TABLES: dict[str, Table] = {}


def register_table(name: str, version: int, columns: Sequence[Column], queryset_or_sql: Source, *,
                   description: str = "", placeholder: bool = False) -> Table:
    """Add (or replace) the table `name` of the feed. A placeholder never replaces a real table, so
    the order in which apps register does not matter."""
    if not name.isidentifier() or name != name.lower():
        raise ValueError(f"table name {name!r} must be a lower-case identifier")
    if version < 1:
        raise ValueError(f"table {name!r}: version must be 1 or more")
    if placeholder and name in _TABLES and not _TABLES[name].placeholder:
        return _TABLES[name]
    table = Table(name=name, version=version, columns=tuple(columns), source=queryset_or_sql,
                  description=description, placeholder=placeholder)
    _TABLES[name] = table
    return table


def registered_tables() -> list[Table]:
    return [_TABLES[name] for name in sorted(_TABLES)]


def get_table(name: str) -> Table | None:
    return _TABLES.get(name)


def empty_sql(columns: Sequence[Column]) -> str:
    """A query with the columns' names and types and no row (placeholder tables)."""
    select = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in columns)
    return f"SELECT {select} WHERE 1 = 0"
