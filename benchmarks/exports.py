#!/usr/bin/env python
"""Exports benchmark: 1,000,000 transactions out of PostgreSQL to Parquet and CSV, streamed.

    python benchmarks/exports.py [--database-url postgres://postgres@127.0.0.1:5432/fidelia_bench_exports] [--rows 1000000]

Creates the database if needed, migrates, seeds (once) 2,000 customers and N transactions with one
INSERT … SELECT generate_series, then runs each measurement in its own process (so each peak RSS
is its own): the real export service (`export_job_create` as the administrator, the transactions
list, no filter) to Parquet and to CSV, and as the baseline the non-streaming way — every row in a
list, then `fidelia.core.exports.csv_bytes`. Prints seconds, rows/s and peak memory, and the
ratios streaming / baseline. Only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fidelia_bench_exports"


def setup_django(url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["FIDELIA_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from fidelia.accounts.enums import Role
    from fidelia.accounts.models import User
    from fidelia.parties.models import Party
    from fidelia.sales.models import Product, ProductFamily, Transaction

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="bench-admin").exists():
        User.objects.create_user("bench-admin", password="x-Bench-2026!", role=Role.ADMIN)
    if Party.objects.count() < 2000:
        Party.objects.bulk_create([Party(kind="person", stage="customer", display_name=f"Client {i}",
                                         last_name=f"Client {i}", sort_name=f"client {i}") for i in range(2000)])
    family, _ = ProductFamily.objects.get_or_create(name="Bench")
    product, _ = Product.objects.get_or_create(code="BENCH", defaults={"name": "Bench", "family": family,
                                                                        "kind": "strategic", "price": 100,
                                                                        "margin_rate": "0.2"})
    missing = rows - Transaction.objects.count()
    if missing > 0:
        first, count = Party.objects.order_by("pk").values_list("pk", flat=True).first(), Party.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO sales_transaction (created_at, updated_at, party_id, product_id, date, quantity, amount,"
                " margin, channel) SELECT now(), now(), %s + (g %% %s), %s, DATE '2020-01-01' + (g %% 2000),"
                " 1 + g %% 3, (g %% 100000) / 100.0, (g %% 20000) / 100.0, 'branch' FROM generate_series(1, %s) g",
                [first, count, product.pk, missing])
        cursor.close()


def phase(name: str) -> dict[str, float]:
    """One measurement, in this (fresh) process."""
    from django.utils import timezone  # noqa: F401 (Django ready)

    from fidelia.accounts.models import User
    from fidelia.bi.lists import list_export
    from fidelia.bi.services import export_job_create
    from fidelia.core.exports import csv_bytes

    user = User.objects.get(username="bench-admin")
    start = time.perf_counter()
    if name == "baseline_csv":
        export = list_export(user=user, name="transactions", filters={})
        rows = list(export.queryset)  # everything in memory, as a naive export would
        body = csv_bytes([c.header for c in export.columns], rows)
        count, size = len(rows), len(body)
    else:
        job = export_job_create(user=user, list_name="transactions", filters={}, fmt=name.split("_")[1],
                                background=False)
        assert job.status == "done", job.error
        count, size = job.row_count, Path(job.file_path).stat().st_size
        Path(job.file_path).unlink()
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": count, "seconds": seconds, "rows_per_s": count / seconds, "peak_mb": peak_mb,
            "file_mb": size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_EXPORTS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--var-dir", default="/tmp/fidelia-bench-exports")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("PostgreSQL only: pass --database-url postgres://…")
    if args.phase:
        setup_django(args.database_url, args.var_dir)
        print(json.dumps(phase(args.phase)))
        return
    create_database(args.database_url)
    setup_django(args.database_url, args.var_dir)
    started = time.perf_counter()
    seed(args.rows)
    print(f"seeded {args.rows:,} transactions in {time.perf_counter() - started:.1f} s")
    results = {}
    for name in ("stream_parquet", "stream_csv", "baseline_csv"):
        out = subprocess.run([sys.executable, __file__, "--database-url", args.database_url, "--var-dir",
                              args.var_dir, "--phase", name], capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            sys.exit(out.stderr)
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[name]
        print(f"{name:15} {r['rows']:>10,} rows  {r['seconds']:7.1f} s  {r['rows_per_s']:>9,.0f} rows/s  "
              f"peak RSS {r['peak_mb']:7.0f} MB  file {r['file_mb']:6.1f} MB")
    base = results["baseline_csv"]
    for name in ("stream_parquet", "stream_csv"):
        r = results[name]
        print(f"{name} / baseline_csv: time × {r['seconds'] / base['seconds']:.2f}, "
              f"peak memory × {r['peak_mb'] / base['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
