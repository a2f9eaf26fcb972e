"""Typed columns shared by list exports and BI tables: a name, a type, a header and a description.

Types are the few the files need: "string", "int64", "float64", "decimal" (money, 2 decimals),
"date", "timestamp", "bool". Parquet gets them as pyarrow types; the PostgreSQL placeholders and
`docs/bi.md` as SQL types.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SQL_TYPES = {"string": "TEXT", "int64": "BIGINT", "float64": "DOUBLE PRECISION", "decimal": "NUMERIC(14, 2)",
             "date": "DATE", "timestamp": "TIMESTAMP", "bool": "BOOLEAN"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    label: Any = ""  # header of a list export (translated lazily); the name when empty
    description: str = ""

    def __post_init__(self) -> None:
        if self.type not in SQL_TYPES:
            raise ValueError(f"column {self.name!r}: unknown type {self.type!r}, one of {sorted(SQL_TYPES)}")

    @property
    def header(self) -> str:
        return str(self.label or self.name)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


def arrow_type(kind: str) -> Any:
    """The pyarrow type of a column type."""
    import pyarrow as pa

    return {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "decimal": pa.decimal128(14, 2),
            "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC"), "bool": pa.bool_()}[kind]
