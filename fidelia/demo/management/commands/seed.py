"""`fidelia seed`: generate realistic French CRM data in bulk."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fidelia.core.errors import ValidationFailed
from fidelia.demo.services import (
    DEFAULT_BATCH,
    DEMO_PASSWORD,
    seed_customers,
    validate_seed_options,
)


class Command(BaseCommand):
    help = (
        "Add N generated customers (Faker fr_FR: households, companies with valid SIRENs, consents, "
        "life events, interactions, contracts and purchase histories) to the configured database. "
        "Policy: demo and benchmark databases only. It ADDS data (it never deletes), creates any "
        f"missing agencies, reps, catalogue and one login per role with the demo password "
        f"{DEMO_PASSWORD!r}, and runs in one transaction (all or nothing). Deterministic for a given "
        "--seed on the same starting data. On PostgreSQL it uses COPY and, from 50,000 customers, "
        "rebuilds secondary indexes after loading (other sessions wait meanwhile)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers", type=int, required=True, help="Number of parties to add (≥ 1)."
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument(
            "--transactions-per-customer",
            type=float,
            default=10.0,
            help="Average purchases per party over the whole base (default 10).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help=f"Parties generated per batch (default {DEFAULT_BATCH:,}).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def _status(self, message: str) -> None:
        self.stderr.write(f"  … {time.strftime('%H:%M:%S')} {message}")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_seed_options(
                customers=options["customers"],
                batch=options["batch"],
                transactions_per_customer=options["transactions_per_customer"],
            )
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        report = seed_customers(
            customers=options["customers"],
            seed=options["seed"],
            batch=options["batch"],
            transactions_per_customer=options["transactions_per_customer"],
            progress=not options["no_progress"],
            on_status=self._status,
        )
        for table, count in report.rows.items():
            self.stdout.write(f"  {table:<28} {count:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.customers:,} customers, {report.total_rows:,} rows in {report.seconds:.1f} s "
                f"({report.rows_per_second:,.0f} rows/s)."
            )
        )
