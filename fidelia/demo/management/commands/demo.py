"""`fidelia demo`: a working CRM on the embedded database in one command."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fidelia.accounts.models import User
from fidelia.core.errors import ValidationFailed
from fidelia.demo import reference as ref
from fidelia.demo.services import (
    DEMO_PASSWORD,
    demo_analyse,
    demo_is_empty,
    seed_customers,
    seed_reference_data,
)


class Command(BaseCommand):
    help = (
        "Create or upgrade the database (migrate), load demo data if it holds no customer yet, print "
        "one login per role and serve the CRM on http://HOST:PORT/ with Django's development server "
        f"(static files included). Policy: demo only — every printed login uses the password "
        f"{DEMO_PASSWORD!r}; never point it at a production database. Existing data is never "
        "deleted or changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers",
            type=int,
            default=300,
            help="Customers to generate on an empty database (default 300).",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="Random seed of the demo data (default 0)."
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default 8000)."
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare the data and print the logins, do not serve.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["port"] <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, got {options['port']}.")
        call_command("migrate", interactive=False, verbosity=0)
        if demo_is_empty():
            self.stdout.write(
                f"Empty database: generating {options['customers']:,} demo customers…"
            )
            try:
                report = seed_customers(
                    customers=options["customers"], seed=options["seed"], progress=True
                )
            except ValidationFailed as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"  {report.total_rows:,} rows in {report.seconds:.1f} s.")
            self.stdout.write("Analysing the portfolio (six months of history)…")
            demo_analyse()
        else:
            seed_reference_data(
                seed=options["seed"]
            )  # the logins below exist even on older demo data
        url = f"http://{options['host']}:{options['port']}/"
        self._print_logins()
        self.stdout.write(self.style.SUCCESS(f"\nFidelia demo: open {url}"))
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        if options["no_serve"]:
            return
        self.stdout.write("Press Ctrl+C to stop.\n")
        call_command(
            "runserver",
            f"{options['host']}:{options['port']}",
            use_reloader=False,
            insecure_serving=True,
            skip_checks=True,
        )

    def _print_logins(self) -> None:
        roles = dict(User._meta.get_field("role").flatchoices)
        self.stdout.write(f"\n{'username':<14} {'password':<20} role")
        self.stdout.write(f"{'-' * 14} {'-' * 20} {'-' * 30}")
        for username, role, *_rest in ref.DEMO_LOGINS:
            if User.objects.filter(username=username, role=role).exists():
                self.stdout.write(f"{username:<14} {DEMO_PASSWORD:<20} {roles.get(role, role)}")
        self.stdout.write("(demo password — for this demo only)")
