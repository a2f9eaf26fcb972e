"""CSV, XLSX and Parquet files that users open in a spreadsheet or load into an analysis tool.

Every CSV/XLSX cell goes through `neutralise`: a value starting with = + - @ tab or carriage return would
be run as a formula by Excel or LibreOffice (CSV/formula injection), so it is prefixed with an
apostrophe, which spreadsheets show as text. Numbers stay numbers.

Parquet is typed columnar data read by programs (pandas, DuckDB, a warehouse), never evaluated as
formulas: values are kept as they are, with their types (dates, decimals, integers).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARQUET_TYPE = "application/vnd.apache.parquet"


def neutralise(value: Any) -> Any:
    """The cell value, made safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark and `;` separators, as French Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Fidelia") -> bytes:
    from openpyxl import Workbook  # imported here: only exports need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parquet_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, types: Sequence[Any] | None = None) -> bytes:
    """A Parquet file (zstd-compressed) of `rows` under the column names `header`.

    `types` are pyarrow types per column; without them pyarrow infers each column's type from its
    values (a column of None only is of the null type). Values are not neutralised: see above.
    """
    import pyarrow as pa  # imported here: only exports need it
    import pyarrow.parquet as pq

    columns: list[list[Any]] = [[] for _ in header]
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    arrays = [pa.array(values, type=types[i] if types else None) for i, values in enumerate(columns)]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=[str(h) for h in header]), buffer, compression="zstd")
    return buffer.getvalue()


def download(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, fmt: str = "csv") -> HttpResponse:
    """An attachment response in `fmt` ("csv", "xlsx" or "parquet"); the file name gets the extension."""
    if fmt == "xlsx":
        body, content_type = xlsx_bytes(header, rows), XLSX_TYPE
    elif fmt == "parquet":
        body, content_type = parquet_bytes(header, rows), PARQUET_TYPE
    else:
        fmt, body, content_type = "csv", csv_bytes(header, rows), CSV_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
