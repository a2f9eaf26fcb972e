"""API schemas of imports."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from fidelia.core.api import text
from fidelia.imports.enums import BatchMode, DuplicatePolicy, RunStatus
from fidelia.parties.schemas import StrictIn


class FieldOut(Schema):
    name: str
    label: str
    required: bool


class TargetOut(Schema):
    name: str
    label: str
    fields: list[FieldOut]


class RunOut(Schema):
    id: int
    target: str
    source: str
    filename: str
    size: int
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str]
    constants: dict[str, Any]
    batch_mode: BatchMode
    batch_size: int
    duplicates: DuplicatePolicy
    status: RunStatus
    total_rows: int
    committed_rows: int
    progress: int
    dry_run_counts: dict[str, int]
    counts: dict[str, int]
    error_count: int
    message: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class MappingIn(StrictIn):
    """The column mapping ({column header: field name}; an empty field ignores the column) and options."""

    mapping: dict[text(200), text(40)] | None = None
    template: text(80) = ""
    source: text(60) = ""
    batch_mode: BatchMode | None = None
    batch_size: Annotated[int, Field(ge=1, le=5000)] | None = None
    duplicates: DuplicatePolicy | None = None


class ErrorRowOut(Schema):
    row: int
    column: str
    value: str
    message: str


class ErrorPage(Schema):
    count: int
    items: list[ErrorRowOut]
