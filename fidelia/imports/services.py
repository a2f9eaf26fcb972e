"""Writes of the import app: upload, mapping, dry run, the resumable import itself, cancel.

The import proper (`import_run_execute`) works in batches. In per-batch mode each batch — its
records, their provenance (`ImportedRecord`) and the run's progress (`committed_rows`, counts,
errors) — commits in one transaction, so an interrupted run (killed worker, lost connection)
leaves whole batches only, and running it again resumes after the last committed one. In
all-or-nothing mode the whole file is one transaction, and one row in error undoes everything.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fidelia.accounts.models import Team, User
from fidelia.core.errors import PermissionDenied, ValidationFailed
from fidelia.imports.bulk import insert_rows
from fidelia.imports.enums import BatchMode, DuplicatePolicy, RowAction, RunStatus
from fidelia.imports.mapping import builtin_template, check_mapping, suggest_mapping, target_for
from fidelia.imports.models import ImportedRecord, ImportRun, MappingTemplate
from fidelia.imports.readers import Table, read_table
from fidelia.imports.targets import RowPlan, Target
from fidelia.imports.transforms import PARSERS, CellError
from fidelia.parties.services import _resolve_owner
from fidelia.privacy.audit import audit_record
from fidelia.privacy.enums import AuditAction

MAX_STORED_ERRORS = 10_000
INLINE_MAX_ROWS = 2_000   # larger files run as background jobs
MAX_BATCH_SIZE = 5_000
ACTIONS = [a.value for a in RowAction]


class Cancelled(Exception):
    pass


class _Abort(Exception):
    """All-or-nothing: a row failed, the whole transaction is rolled back."""


@dataclass
class Context:
    """What the targets need to know while resolving and writing a batch."""

    run: ImportRun
    actor: User
    dry_run: bool
    owner: User | None = None
    team: Team | None = None
    seen: dict[str, int] = field(default_factory=dict)
    check_create: Callable[[], None] | None = None

    @property
    def source(self) -> str:
        return self.run.source

    @property
    def duplicates(self) -> str:
        return self.run.duplicates

    @property
    def constants(self) -> dict[str, Any]:
        return self.run.constants or {}


def _require(actor: User, target: Target) -> None:
    if not target.may_import(actor):
        raise PermissionDenied(_("You may not import this kind of data."))


def _table(run: ImportRun) -> Table:
    return read_table(bytes(run.content), filename=run.filename, encoding=run.encoding, delimiter=run.delimiter)


@transaction.atomic
def import_run_create(*, actor: User, filename: str, data: bytes, target: str, source: str = "",
                      encoding: str = "", delimiter: str = "", template: str = "") -> ImportRun:
    """Store an uploaded file after reading it once: ImportFileError (nothing stored) if it is not
    a readable table. The run starts with a suggested mapping (or the template's)."""
    spec = target_for(target)
    _require(actor, spec)
    table = read_table(data, filename=filename, encoding=encoding, delimiter=delimiter)
    run = ImportRun(created_by=actor, target=target, filename=filename[:200], content=data, size=len(data),
                    encoding=encoding or table.encoding, delimiter=delimiter or table.delimiter, headers=table.headers,
                    total_rows=len(table.rows), source=(source or _default_source(filename))[:60])
    run.mapping = suggest_mapping(spec, table.headers, table.rows[:200])
    if template:
        _apply_template(run, template)
    run.save()
    return run


def _default_source(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"file:{stem}"[:60]


def _apply_template(run: ImportRun, name: str) -> None:
    builtin = builtin_template(name)
    saved = None if builtin else MappingTemplate.objects.filter(name=name).first()
    tpl = builtin or saved
    if tpl is None:
        raise ValidationFailed(_("No mapping template is called “%(name)s”.") % {"name": name},
                               fields={"template": [_("Unknown template.")]})
    if tpl.target != run.target:
        raise ValidationFailed(_("This template is for another kind of data."), fields={"template": [_("Wrong kind of data.")]})
    headers = {h.casefold(): h for h in run.headers}
    mapping: dict[str, str] = {}
    for header, name_ in tpl.mapping.items():
        actual = headers.get(header.casefold())
        if actual and name_ not in mapping.values():
            mapping[actual] = name_
    run.mapping, run.constants = mapping, dict(tpl.constants)
    if tpl.source and run.source.startswith("file:"):
        run.source = tpl.source


@transaction.atomic
def import_run_configure(*, run: ImportRun, actor: User, mapping: dict[str, str] | None = None,
                         constants: dict[str, Any] | None = None, template: str = "", source: str = "",
                         batch_mode: str = "", batch_size: int | None = None, duplicates: str = "") -> ImportRun:
    """Set the mapping and options of a run not yet imported; ValidationFailed names each problem."""
    if run.status not in (RunStatus.UPLOADED, RunStatus.CHECKED):
        raise ValidationFailed(_("This import has started: its mapping can no longer change."))
    spec = target_for(run.target)
    _require(actor, spec)
    if template:
        _apply_template(run, template)
    if mapping is not None:
        run.mapping = mapping
    if constants is not None:
        run.constants = constants
    errors: dict[str, list[str]] = {}
    if batch_mode and batch_mode not in BatchMode.values:
        errors["batch_mode"] = [_("Choose all or batch.")]
    if duplicates and duplicates not in DuplicatePolicy.values:
        errors["duplicates"] = [_("Choose skip, flag or create.")]
    if batch_size is not None and not 1 <= batch_size <= MAX_BATCH_SIZE:
        errors["batch_size"] = [_("Between 1 and %(max)d rows.") % {"max": MAX_BATCH_SIZE}]
    if errors:
        raise ValidationFailed(_("Some options are not valid."), fields=errors)
    run.mapping = check_mapping(spec, run.headers, run.mapping, run.constants, actor)
    run.batch_mode = batch_mode or run.batch_mode
    run.batch_size = batch_size or run.batch_size
    run.duplicates = duplicates or run.duplicates
    run.source = (source or run.source)[:60]
    run.status, run.dry_run_counts = RunStatus.UPLOADED, {}
    run.save()
    return run


@transaction.atomic
def mapping_template_save(*, actor: User, run: ImportRun, name: str) -> MappingTemplate:
    """Save the run's mapping under `name` (replacing a saved template of that name)."""
    name = name.strip()[:80]
    if not name or builtin_template(name):
        raise ValidationFailed(_("Choose another name."), fields={"name": [_("Choose another name.")]})
    template, _created = MappingTemplate.objects.update_or_create(
        name=name, defaults={"target": run.target, "source": run.source, "mapping": run.mapping,
                             "constants": run.constants, "created_by": actor})
    return template


# --- rows ---------------------------------------------------------------------------------------

def _parser(spec: Any) -> Callable[[str], Any]:
    return spec.kind if callable(spec.kind) else PARSERS[spec.kind]


def _content_key(raw: dict[str, str]) -> str:
    text = json.dumps(sorted((k, v) for k, v in raw.items() if v), ensure_ascii=False)
    return "row:" + hashlib.sha1(text.encode()).hexdigest()[:32]


def _raw_rows(run: ImportRun, table: Table) -> list[dict[str, str]]:
    index = {h: i for i, h in enumerate(table.headers)}
    cols = [(index[h], name) for h, name in run.mapping.items() if h in index]
    constants = {k: str(v) for k, v in (run.constants or {}).items() if k != "create_missing_parties"}
    out = []
    for cells in table.rows:
        raw = dict(constants)
        for i, name in cols:
            value = cells[i].strip() if i < len(cells) else ""
            if value or name not in raw:
                raw[name] = value
        out.append(raw)
    return out


@dataclass
class FileKeys:
    keys: list[str]                  # each row's import key
    repeats: dict[int, int]          # row index -> file row whose external id it repeats (an error)
    same_as: dict[int, int]          # row index -> file row it duplicates by the target's file keys


def _keys(raws: list[dict[str, str]], target: Target) -> FileKeys:
    """Each row's import key (its external id, else its content with an occurrence number, so that
    two identical lines stay two records), the rows repeating an earlier row's external id, and
    the rows duplicating an earlier one (same e-mail…). Computed over the whole file, so a resumed
    run decides exactly as an uninterrupted one."""
    keys: list[str] = []
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    repeats: dict[int, int] = {}
    same_as: dict[int, int] = {}
    seen: dict[str, int] = {}
    for i, raw in enumerate(raws):
        if target.file_keys is not None:
            for key in target.file_keys(raw):
                if key in seen and i not in same_as:
                    same_as[i] = seen[key]
                seen.setdefault(key, i + 2)
        ext = raw.get("external_id", "")
        if ext:
            keys.append(ext)
            if ext in first:
                repeats[i] = first[ext]
            first.setdefault(ext, i + 2)
        else:
            base = _content_key(raw)
            counts[base] += 1
            keys.append(f"{base}#{counts[base]}")
    return FileKeys(keys, repeats, same_as)


def _plan(target: Target, row: int, raw: dict[str, str], key: str) -> RowPlan:
    plan = RowPlan(row=row, raw=raw, key=key)
    for spec in target.fields:
        text = raw.get(spec.name, "")
        if not text:
            if spec.required:
                plan.fail(spec.name, _("This field is required."), "")
            continue
        try:
            plan.values[spec.name] = _parser(spec)(text)
        except CellError as exc:
            plan.fail(spec.name, str(exc))
    if plan.action != RowAction.ERROR and target.check is not None:
        target.check(plan.values, plan)
    return plan


def _batch(run: ImportRun, target: Target, raws: list[dict[str, str]], fk: FileKeys,
           start: int, stop: int) -> list[RowPlan]:
    plans = []
    for i in range(start, stop):
        plan = _plan(target, i + 2, raws[i], fk.keys[i])
        if i in fk.repeats:
            plan.fail("external_id", _("This id already appears on row %(row)d.") % {"row": fk.repeats[i]})
        elif i in fk.same_as and plan.action != RowAction.ERROR:
            plan.action = RowAction.DUPLICATE
            plan.note = _("same as row %(row)d of this file") % {"row": fk.same_as[i]}
        plans.append(plan)
    return plans


def _record_provenance(plans: list[RowPlan], ctx: Context) -> None:
    """One ImportedRecord per row written or recognised. Created rows carry keys never seen before
    (fast insert); a recognised row's key may already be recorded (conflicts are ignored)."""
    def row(p: RowPlan) -> dict[str, Any]:
        return {"run_id": ctx.run.pk, "row": p.row, "target": ctx.run.target, "object_id": p.object_id,
                "party_id": p.party_id or (p.object_id if ctx.run.target == "parties" else None),
                "source": ctx.source, "external_id": p.key[:200], "flagged": p.flagged}

    insert_rows(ImportedRecord, [row(p) for p in plans if p.object_id and p.action == RowAction.CREATE])
    known = [ImportedRecord(**row(p)) for p in plans if p.object_id and p.action in (RowAction.UPDATE, RowAction.UNCHANGED)]
    ImportedRecord.objects.bulk_create(known, batch_size=1000, ignore_conflicts=True)


def _error_rows(run: ImportRun, plans: list[RowPlan]) -> list[list[Any]]:
    """[row, column, value, message] per problem; skipped and duplicate rows are listed too."""
    column = {name: header for header, name in run.mapping.items()}
    out: list[list[Any]] = []
    for p in plans:
        for name, value, message in p.errors:
            out.append([p.row, column.get(name, name), value[:200], message])
        if p.action in (RowAction.DUPLICATE, RowAction.SKIPPED):
            out.append([p.row, "", "", f"{RowAction(p.action).label}: {p.note}"])
    return out


def _process(plans: list[RowPlan], target: Target, ctx: Context) -> None:
    target.resolve(plans, ctx)
    if not ctx.dry_run:
        target.write(plans, ctx)
        _record_provenance(plans, ctx)


def _context(run: ImportRun, actor: User, *, dry_run: bool) -> Context:
    owner, team = _resolve_owner(actor=actor, owner=None, team=None)
    return Context(run=run, actor=actor, dry_run=dry_run, owner=owner, team=team)


def import_run_dry_run(*, run: ImportRun, actor: User) -> ImportRun:
    """Validate every row and tell what the import would do; nothing is written but the run's report."""
    target = target_for(run.target)
    _require(actor, target)
    run.mapping = check_mapping(target, run.headers, run.mapping, run.constants, actor)
    table = _table(run)
    raws = _raw_rows(run, table)
    fk = _keys(raws, target)
    ctx = _context(run, actor, dry_run=True)
    counts: Counter[str] = Counter()
    errors: list[list[Any]] = []
    with transaction.atomic():
        for start in range(0, len(raws), run.batch_size):
            plans = _batch(run, target, raws, fk, start, min(start + run.batch_size, len(raws)))
            _process(plans, target, ctx)
            counts.update(p.action for p in plans)
            errors += _error_rows(run, plans)
        transaction.set_rollback(True)  # a dry run writes nothing, whatever a target did
    run.dry_run_counts = {a: counts.get(a, 0) for a in ACTIONS}
    run.errors, run.error_count = errors[:MAX_STORED_ERRORS], len(errors)
    run.status = RunStatus.CHECKED
    run.total_rows = len(raws)
    run.save(update_fields=["mapping", "dry_run_counts", "errors", "error_count", "status", "total_rows", "updated_at"])
    return run


@transaction.atomic
def import_run_start(*, run: ImportRun, actor: User) -> ImportRun:
    """Queue a checked run (a dry run is required first); small files then run inline."""
    _require(actor, target_for(run.target))
    if run.status != RunStatus.CHECKED:
        raise ValidationFailed(_("Run the dry run first: its report tells what the import will do."))
    run.status, run.counts, run.errors, run.error_count, run.committed_rows = RunStatus.QUEUED, {}, [], 0, 0
    run.save(update_fields=["status", "counts", "errors", "error_count", "committed_rows", "updated_at"])
    return run


def import_run_cancel(*, run: ImportRun, actor: User) -> ImportRun:
    """Ask a queued or running import to stop after its current batch (committed batches stay)."""
    if not run.is_active and run.status not in (RunStatus.UPLOADED, RunStatus.CHECKED):
        raise ValidationFailed(_("This import is over: there is nothing to cancel."))
    ImportRun.objects.filter(pk=run.pk).update(cancel_requested=True, updated_at=timezone.now())
    if not run.is_active:
        ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def import_run_execute(*, run_id: int, progress: Callable[[int], None] | None = None) -> ImportRun:
    """Import (or resume importing) run `run_id`; safe to call again after any interruption.

    Per-batch mode: each batch commits with the run's progress; a batch already committed is never
    redone. All-or-nothing: one transaction; a row in error fails the run and writes nothing.
    """
    run = ImportRun.objects.select_related("created_by", "created_by__team").get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run
    actor = run.created_by
    target = target_for(run.target)
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=run.started_at or timezone.now())
    raws = _raw_rows(run, _table(run))
    fk = _keys(raws, target)
    ctx = _context(run, actor, dry_run=False)
    try:
        if run.batch_mode == BatchMode.ALL_OR_NOTHING:
            _execute_whole(run, target, ctx, raws, fk, progress)
        else:
            _execute_batches(run, target, ctx, raws, fk, progress)
    except Cancelled:
        ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED, finished_at=timezone.now())
    except _Abort:
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(),
            message=_("Rows in error: nothing was imported (all or nothing)."))
    run.refresh_from_db()
    _audit(run)
    return run


def _execute_batches(run: ImportRun, target: Target, ctx: Context, raws: list[dict[str, str]], fk: FileKeys,
                     progress: Callable[[int], None] | None) -> None:
    total = len(raws)
    while True:
        with transaction.atomic():
            # The lock serialises two workers on one run; the progress read under it is the truth.
            # The file itself (megabytes) was read once by the caller: not again for every batch.
            locked = ImportRun.objects.select_for_update().defer("content").get(pk=run.pk)
            if locked.cancel_requested:
                raise Cancelled
            start = locked.committed_rows
            if start >= total:
                locked.status, locked.finished_at = RunStatus.DONE, timezone.now()
                locked.save(update_fields=["status", "finished_at", "updated_at"])
                return
            stop = min(start + locked.batch_size, total)
            ctx.run = locked
            plans = _batch(locked, target, raws, fk, start, stop)
            _process(plans, target, ctx)
            counts = Counter(locked.counts)
            counts.update(p.action for p in plans)
            new_errors = _error_rows(locked, plans)
            locked.counts = {a: counts.get(a, 0) for a in ACTIONS}
            locked.errors = (locked.errors + new_errors)[:MAX_STORED_ERRORS]
            locked.error_count += len(new_errors)
            locked.committed_rows = stop
            locked.save(update_fields=["counts", "errors", "error_count", "committed_rows", "updated_at"])
        if progress:
            progress(stop - start)


def _execute_whole(run: ImportRun, target: Target, ctx: Context, raws: list[dict[str, str]], fk: FileKeys,
                   progress: Callable[[int], None] | None) -> None:
    counts: Counter[str] = Counter()
    errors: list[list[Any]] = []
    try:
        with transaction.atomic():
            locked = ImportRun.objects.select_for_update().defer("content").get(pk=run.pk)
            ctx.run = locked
            for start in range(0, len(raws), locked.batch_size):
                stop = min(start + locked.batch_size, len(raws))
                plans = _batch(locked, target, raws, fk, start, stop)
                _process(plans, target, ctx)
                counts.update(p.action for p in plans)
                errors += _error_rows(locked, [p for p in plans if p.action == RowAction.ERROR])
                if progress:
                    progress(stop - start)
            if counts.get(RowAction.ERROR):
                raise _Abort
            locked.counts = {a: counts.get(a, 0) for a in ACTIONS}
            locked.committed_rows, locked.status, locked.finished_at = len(raws), RunStatus.DONE, timezone.now()
            locked.save(update_fields=["counts", "committed_rows", "status", "finished_at", "updated_at"])
    except _Abort:
        ImportRun.objects.filter(pk=run.pk).update(errors=errors[:MAX_STORED_ERRORS], error_count=len(errors))
        raise


def _audit(run: ImportRun) -> None:
    with transaction.atomic():
        audit_record(action=AuditAction.CREATE, actor=run.created_by, obj=run,
                     fields=[f"target:{run.target}", f"status:{run.status}", f"rows:{run.committed_rows}"])


def import_run_delete_file(*, run: ImportRun) -> None:
    """Drop the stored file and its error report (retention); counts and provenance stay."""
    ImportRun.objects.filter(pk=run.pk).update(content=b"", errors=[], purged_at=timezone.now())
