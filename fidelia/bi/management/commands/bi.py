"""fidelia bi export --out DIR | fidelia bi install-schema | fidelia bi tables"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fidelia.bi.feed import SCHEMA, bi_feed_export, bi_schema_install
from fidelia.bi.registry import registered_tables
from fidelia.core.context import work_context
from fidelia.core.errors import DomainError


class Command(BaseCommand):
    help = ("The BI feed (pseudonymous analytics tables, no direct identifier). "
            "`export --out DIR` writes one Parquet file per table and manifest.json (audited); "
            "`install-schema` creates or refreshes the read-only PostgreSQL schema fidelia_bi (one view per "
            "table) and the role fidelia_bi_reader (USAGE and SELECT only) — PostgreSQL only; "
            "`tables` lists the registered tables and their versions.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the feed as Parquet files and manifest.json")
        export.add_argument("--out", required=True, help="directory to write into")
        sub.add_parser("install-schema", help="create or refresh the fidelia_bi views and the reader role")
        sub.add_parser("tables", help="list the registered tables")

    def handle(self, *args: Any, **options: Any) -> None:
        with work_context(channel="cli"):
            try:
                getattr(self, options["action"].replace("-", "_"))(**options)
            except DomainError as exc:
                raise CommandError(exc.message) from exc

    def export(self, **options: Any) -> None:
        tables = registered_tables()
        with tqdm(total=len(tables), unit="table", disable=None, file=self.stderr._out) as bar:
            manifest = bi_feed_export(out_dir=Path(options["out"]),
                                      on_table=lambda table, rows: bar.update(1))
        for table in manifest["tables"]:
            self.stdout.write(f"{table['file']}: {table['rows']} rows")

    def install_schema(self, **options: Any) -> None:
        for view in bi_schema_install():
            self.stdout.write(f"view {view}")
        self.stdout.write(f"schema {SCHEMA} ready; grant the role to a login: "
                          "CREATE ROLE metabase LOGIN PASSWORD '…' IN ROLE fidelia_bi_reader;")

    def tables(self, **options: Any) -> None:
        for table in registered_tables():
            flag = " (placeholder)" if table.placeholder else ""
            self.stdout.write(f"{table.view_name}{flag}: {', '.join(table.column_names)}")
