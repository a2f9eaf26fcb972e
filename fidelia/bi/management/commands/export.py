"""fidelia export <list> --format csv|xlsx|parquet [--filter k=v ...] --as <username> -o FILE"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fidelia.accounts.models import User
from fidelia.bi.enums import ExportFormat, ExportList
from fidelia.bi.lists import filter_names, list_export
from fidelia.bi.services import export_job_create, export_job_file
from fidelia.core.context import work_context
from fidelia.core.errors import DomainError


class Command(BaseCommand):
    help = ("Export a list (customers, contracts, transactions) as one user sees it: the user's portfolio "
            "and field rights apply, filters are the list page's query parameters (--filter stage=customer), "
            "and the export is audited under that user. Rows stream to the file in chunks with a progress bar.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("list", choices=ExportList.values)
        parser.add_argument("--format", dest="fmt", choices=ExportFormat.values, default=ExportFormat.CSV)
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                            help="a filter of the list page, e.g. stage=customer or date_from=2026-01-01")
        parser.add_argument("--as", dest="username", required=True, help="the user whose view of the list is exported")
        parser.add_argument("-o", "--output", required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        filters: dict[str, list[str]] = {}
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CommandError(f"--filter {item!r}: expected KEY=VALUE.")
            filters.setdefault(key.strip(), []).append(value)
        unknown = sorted(set(filters) - filter_names(user=user, name=options["list"]))
        if unknown:
            allowed = ", ".join(sorted(filter_names(user=user, name=options["list"])))
            raise CommandError(f"--filter {unknown[0]!r}: the {options['list']} list has no such filter (it has: {allowed}).")
        with work_context(channel="cli"):
            try:
                path = self._export(user, options["list"], filters, options["fmt"], Path(options["output"]))
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(path)

    def _export(self, user: User, name: str, filters: dict[str, list[str]], fmt: str, output: Path) -> str:
        """Through an export job (audited, rights checked), the progress bar fed by the writer."""
        total = list_export(user=user, name=name, filters=filters).count()
        with tqdm(total=total, unit="rows", disable=None, file=self.stderr._out) as bar:
            job = export_job_create(user=user, list_name=name, filters=filters, fmt=fmt, background=False,
                                    on_progress=lambda done: bar.update(done - bar.n))
        if job.error:
            raise CommandError(job.error)
        _job, path = export_job_file(user=user, job_id=job.pk)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, output)
        return f"{job.row_count} rows written to {output}"
