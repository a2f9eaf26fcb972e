"""What every benchmark script needs: its PostgreSQL database, Django set up on it, a stopwatch.

The scripts run as `python benchmarks/<name>.py`, so they import this module as `common`.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` if it does not exist (data is kept otherwise)."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    """Point Django at `url` and bring the schema up to date."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by `fn()`, and its value."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value
