"""fidelia import FILE --target KIND --as USER [--mapping NAME | --map COL=FIELD …] [--apply]"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fidelia.accounts.models import User
from fidelia.core.context import work_context
from fidelia.core.errors import DomainError
from fidelia.imports import services
from fidelia.imports.enums import DONE_LABELS, RowAction
from fidelia.imports.targets import TARGETS, ensure_registered


class Command(BaseCommand):
    help = ("Import a CSV or XLSX file with the rights of --as USER. Dry run by default: validates every "
            "row and prints what the import would do (create, update, unchanged, duplicates, errors), "
            "writing nothing but the run's report; --apply imports. Columns are mapped by suggestion, "
            "by a saved or built-in template (--mapping), or one by one (--map 'Nom=last_name'). "
            "--all-or-nothing: one row in error and nothing is imported; otherwise rows in error are "
            "skipped and each batch (--batch-size) is kept once committed. --resume RUN_ID finishes "
            "an interrupted run. Errors go to --errors FILE (CSV: row, column, value, message).")

    def add_arguments(self, parser: CommandParser) -> None:
        ensure_registered()
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--target", choices=sorted(TARGETS), default="parties")
        parser.add_argument("--as", dest="username", required=True, help="the user whose rights apply")
        parser.add_argument("--mapping", default="", help="name of a mapping template")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD")
        parser.add_argument("--source", default="", help="source system name (default: file:<name>)")
        parser.add_argument("--encoding", default="")
        parser.add_argument("--delimiter", default="", help="; , tab | or whitespace")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--all-or-nothing", action="store_true")
        parser.add_argument("--duplicates", choices=["skip", "flag", "create"], default="skip")
        parser.add_argument("--dry-run", action="store_true", help="the default; kept for explicitness")
        parser.add_argument("--apply", action="store_true", help="really import")
        parser.add_argument("--resume", type=int, default=None, metavar="RUN_ID")
        parser.add_argument("--errors", type=Path, default=None, help="write the error report to this CSV file")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            actor = User.objects.get(username=o["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {o['username']!r}.") from None
        with work_context(channel="cli"):
            try:
                run = self._resume(o["resume"]) if o["resume"] else self._prepare(actor, o)
            except DomainError as exc:
                details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
                raise CommandError(f"{exc.message} {details}".strip()) from None
        self._report(run, o["errors"])

    def _prepare(self, actor: User, o: dict[str, Any]) -> Any:
        if o["file"] is None:
            raise CommandError("Give the file to import (or --resume RUN_ID).")
        try:
            data = o["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {o['file']}: {exc.strerror}") from None
        run = services.import_run_create(actor=actor, filename=o["file"].name, data=data, target=o["target"],
                                         source=o["source"], encoding=o["encoding"], delimiter=o["delimiter"],
                                         template=o["mapping"])
        mapping = dict(run.mapping)
        for item in o["map"]:
            column, sep, name = item.partition("=")
            if not sep:
                raise CommandError(f"--map expects COLUMN=FIELD, got {item!r}.")
            mapping[column] = name
        run = services.import_run_configure(run=run, actor=actor, mapping=mapping, batch_size=o["batch_size"],
                                            batch_mode="all" if o["all_or_nothing"] else "batch",
                                            duplicates=o["duplicates"])
        self.stdout.write("Columns: " + ", ".join(f"{h} → {f}" for h, f in run.mapping.items()))
        with tqdm(total=run.total_rows, unit="rows", desc="checking", disable=None, file=self.stderr._out) as bar:
            run = services.import_run_dry_run(run=run, actor=actor)
            bar.update(run.total_rows)
        self._counts("Dry run", run.dry_run_counts)
        if not o["apply"]:
            self.stdout.write(f"Nothing written (dry run, run #{run.pk}). Add --apply to import.")
            return run
        run = services.import_run_start(run=run, actor=actor)
        return self._execute(run.pk, run.total_rows)

    def _resume(self, run_id: int) -> Any:
        from fidelia.imports.models import ImportRun

        run = ImportRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No import run #{run_id}.")
        return self._execute(run.pk, run.total_rows, done=run.committed_rows)

    def _execute(self, run_id: int, total: int, done: int = 0) -> Any:
        with tqdm(total=total, initial=done, unit="rows", desc="importing", disable=None, file=self.stderr._out) as bar:
            run = services.import_run_execute(run_id=run_id, progress=bar.update)
        self._counts(f"Import #{run.pk}: {run.get_status_display()}", run.counts, done=True)
        return run

    def _counts(self, title: str, counts: dict[str, int], *, done: bool = False) -> None:
        parts = [f"{DONE_LABELS[RowAction(k)] if done else RowAction(k).label} {v:,}" for k, v in counts.items() if v]
        self.stdout.write(f"{title}: " + (", ".join(parts) or "nothing"))

    def _report(self, run: Any, path: Path | None) -> None:
        from fidelia.imports.selectors import error_file

        if run.message:
            self.stdout.write(run.message)
        if run.error_count and path:
            path.write_bytes(error_file(run))
            self.stdout.write(f"{run.error_count:,} problems listed in {path}.")
        elif run.error_count:
            for row, column, value, message in run.errors[:20]:
                self.stdout.write(f"  row {row}, {column or '-'}: {value!r} — {message}")
            if run.error_count > 20:
                self.stdout.write(f"  … {run.error_count - 20:,} more (use --errors FILE).")
