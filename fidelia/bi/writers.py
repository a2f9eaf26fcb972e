"""Streaming file writers: rows arrive from a database iterator and leave in chunks, so an export of
millions of rows holds one chunk in memory, never the whole list.

CSV and XLSX cells are neutralised against formula injection (`fidelia.core.exports.neutralise`);
Parquet keeps typed values (see `fidelia.core.exports`).
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from fidelia.bi.columns import Column, arrow_type
from fidelia.core.exports import FORMULA_PREFIXES, neutralise

CHUNK = 10_000
Progress = Callable[[int], None]


def chunks(rows: Iterable[Sequence[Any]], size: int = CHUNK) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _text(value: Any) -> Any:
    """`neutralise` for a text column (the hot path of large CSV files)."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_cells(columns: Sequence[Column]) -> Callable[[Sequence[Any]], list[Any]]:
    """A row → cells function neutralising only what can hold text. Numbers, dates and booleans
    are written as `neutralise` would write them (csv prints None as "" and a date as ISO 8601)."""
    text = [i for i, c in enumerate(columns) if c.type == "string"]
    other = [i for i, c in enumerate(columns) if c.type == "timestamp"]

    def cells(row: Sequence[Any]) -> list[Any]:
        out = list(row)
        for i in text:
            out[i] = _text(out[i])
        for i in other:
            out[i] = neutralise(out[i])
        return out

    return cells


def write_csv(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
              on_progress: Progress | None = None) -> int:
    """UTF-8 with a byte-order mark and `;` separators (French Excel), as `core.exports.csv_bytes`."""
    count = 0
    cells = _csv_cells(columns)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([neutralise(c.header) for c in columns])
        for batch in chunks(rows):
            writer.writerows(map(cells, batch))
            count += len(batch)
            if on_progress:
                on_progress(count)
    return count


def write_xlsx(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
               on_progress: Progress | None = None, title: str = "Fidelia") -> int:
    """A write-only workbook: openpyxl streams the rows to a temporary file, not to memory."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(c.header) for c in columns])
    count = 0
    for batch in chunks(rows):
        for row in batch:
            sheet.append([neutralise(v) for v in row])
        count += len(batch)
        if on_progress:
            on_progress(count)
    workbook.save(path)
    return count


def write_parquet(path: Path, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
                  on_progress: Progress | None = None, chunk: int = CHUNK * 5) -> int:
    """One row group per chunk, zstd-compressed, with the columns' declared types (an empty list
    still gets its schema)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c.name, arrow_type(c.type)) for c in columns])
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in chunks(rows, chunk):
            arrays = [pa.array(values, type=field.type) for values, field in zip(zip(*batch, strict=True), schema, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            count += len(batch)
            if on_progress:
                on_progress(count)
    return count


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "parquet": write_parquet}


def write_rows(path: Path, fmt: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *,
               on_progress: Progress | None = None) -> int:
    """Write `rows` to `path` in `fmt`; return how many rows were written."""
    return WRITERS[fmt](path, columns, rows, on_progress=on_progress)
