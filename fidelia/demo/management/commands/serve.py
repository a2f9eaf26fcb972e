"""`fidelia serve`: serve the CRM with a production WSGI server when one is installed."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Collect static files (collectstatic --noinput into FIDELIA_STATIC_ROOT), then serve the CRM "
        "on HOST:PORT: with gunicorn (WORKERS processes, config.wsgi) when it is installed, otherwise "
        "with Django's development server (single process, not for production). It does not migrate: "
        "run `fidelia migrate` first. Static files are expected to be served by the reverse proxy "
        "in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default 8000)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=(os.cpu_count() or 1) * 2 + 1,
            help="gunicorn worker processes (default 2 × CPUs + 1).",
        )
        parser.add_argument("--no-collectstatic", action="store_true", help="Skip collectstatic.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["port"] <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, got {options['port']}.")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        if importlib.util.find_spec("gunicorn") is not None:
            gunicorn = shutil.which(
                "gunicorn", path=os.path.dirname(sys.executable)
            ) or shutil.which("gunicorn")
            argv = [
                gunicorn or sys.executable,
                *([] if gunicorn else ["-m", "gunicorn"]),
                "config.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ]
            self.stdout.write(f"Serving Fidelia with gunicorn on http://{bind}/")
            sys.stdout.flush()
            os.execv(argv[0], argv)
        self.stderr.write(
            "gunicorn is not installed: falling back to Django's development server (not for production)."
        )
        self.stdout.write(f"Serving Fidelia on http://{bind}/")
        call_command("runserver", bind, use_reloader=False, insecure_serving=True, skip_checks=True)
