"""API schemas of the exports and the BI feed."""
from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

from ninja import Field, Schema

from fidelia.bi.enums import ExportFormat, ExportList


class ExportIn(Schema):
    filters: dict[str, str | builtins.list[str]] = Field(
        default_factory=dict, max_length=30,
        description="the list page's query parameters, e.g. {\"stage\": \"customer\", \"sort\": \"-created\"}")
    format: ExportFormat = Field(description="csv, xlsx or parquet")
    list: ExportList = Field(description="customers (`parties`), `contracts` or `transactions`")


class ExportOut(Schema):
    id: int
    filters: dict[str, Any]
    format: str
    status: str
    total_rows: int
    row_count: int
    progress: int = Field(description="percentage of rows written")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None
    error: str
    file_url: str | None = Field(None, description="GET it to download the file, once status is `done`")
    list: str


class ColumnOut(Schema):
    name: str
    type: str
    description: str


class TableOut(Schema):
    name: str
    version: int
    view: str
    file: str
    description: str
    placeholder: bool
    rows: int | None = None
    columns: list[ColumnOut]


class ManifestOut(Schema):
    feed_version: str
    generated_at: dt.datetime | None = Field(None, description="when the last Parquet feed was generated (null: never)")
    tables: list[TableOut]
