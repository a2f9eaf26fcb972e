"""Shared steps of the import tests: upload → configure → dry run → import."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fidelia.imports import services
from fidelia.imports.models import ImportRun

DATA = Path(__file__).parent / "data"


def upload(actor: Any, data: bytes | str, *, filename: str = "file.csv", target: str = "parties", **kw: Any) -> ImportRun:
    raw = data.encode() if isinstance(data, str) else data
    return services.import_run_create(actor=actor, filename=filename, data=raw, target=target, **kw)


def dry_run(actor: Any, data: bytes | str, *, filename: str = "file.csv", target: str = "parties",
            config: dict[str, Any] | None = None, **kw: Any) -> ImportRun:
    run = upload(actor, data, filename=filename, target=target, **kw)
    run = services.import_run_configure(run=run, actor=actor, **(config or {}))
    return services.import_run_dry_run(run=run, actor=actor)


def full_import(actor: Any, data: bytes | str, **kw: Any) -> ImportRun:
    run = dry_run(actor, data, **kw)
    run = services.import_run_start(run=run, actor=actor)
    return services.import_run_execute(run_id=run.pk)
