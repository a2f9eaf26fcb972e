"""Benchmark of the analytics dashboards: full page time against the summary read alone.

    .venv/bin/python benchmarks/dashboards.py --database-url sqlite:////tmp/fidelia-bench-dashboards.sqlite3 --customers 2000
    .venv/bin/python benchmarks/dashboards.py --database-url postgres://postgres@127.0.0.1:5432/fidelia_bench_dashboards --customers 50000

Steps (one run, same database):
1. migrate; if the database has no customer, `fidelia seed --customers N`; if it has no completed
   analysis run, `analytics_run` (stored results, the default view of every dashboard);
2. baseline: the stored-results summary read (`selectors.analytics_summary`), median of R calls,
   for a whole-base user (analyst) and for a sales manager (their team's customers);
3. each dashboard page through Django's test client (middleware, access checks, chart data,
   templates), median of R requests, for the same two users;
4. prints every page's median, the baseline, the ratio page / summary and the target (< 500 ms).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/analytics/", "/analytics/pareto/", "/analytics/abc/?cls=A", "/analytics/rfm/", "/analytics/frat/",
         "/analytics/migrations/"]
TARGET_MS = 500.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "sqlite:////tmp/fidelia-bench-dashboards.sqlite3"))
    parser.add_argument("--customers", type=int, default=2000, help="customers to seed into an empty database")
    parser.add_argument("--repeat", type=int, default=7)
    return parser.parse_args()


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up: first template compilation, connection
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def prepare(customers: int) -> None:
    """Migrate, seed an empty database, run the analysis once if there is no stored result."""
    from django.core.management import call_command

    from fidelia.analytics.selectors import latest_run
    from fidelia.analytics.services import analytics_run
    from fidelia.parties.models import Party

    call_command("migrate", verbosity=0)
    if not Party.objects.exists():
        print(f"seeding {customers:,} customers…", flush=True)
        call_command("seed", customers=customers, no_progress=True, verbosity=0)
    if latest_run() is None:
        analytics_run(actor=None)


def bench_user(username: str, role: str) -> Any:
    from django.contrib.auth import get_user_model

    from fidelia.accounts.models import Team

    team = Team.objects.order_by("pk").first() if role == "sales_manager" else None
    user, _created = get_user_model().objects.get_or_create(username=username, defaults={"role": role, "team": team})
    return user


def main() -> int:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from fidelia.analytics import selectors

    setup_test_environment()  # lets the test client through ALLOWED_HOSTS
    prepare(args.customers)
    run = selectors.latest_run()
    print(f"database {args.database_url.split('@')[-1]} · {run.customers:,} customers in the stored run · "
          f"median of {args.repeat}")
    worst = 0.0
    for username, role in (("bench-analyst", "analyst"), ("bench-manager", "sales_manager")):
        user = bench_user(username, role)
        client = Client()
        client.force_login(user)
        summary_ms = median_ms(lambda u=user: selectors.analytics_summary(u), args.repeat)
        print(f"\n{role}: summary read (baseline) {summary_ms:8.1f} ms")
        for url in PAGES:
            response = client.get(url)
            if response.status_code != 200:
                print(f"  {url:<28} HTTP {response.status_code}")
                continue
            page_ms = median_ms(lambda c=client, u=url: c.get(u), args.repeat)
            worst = max(worst, page_ms)
            print(f"  {url:<28} {page_ms:8.1f} ms   ×{page_ms / summary_ms:5.2f} the summary read"
                  f"   (+{page_ms - summary_ms:6.1f} ms)")
    print(f"\nslowest page {worst:.1f} ms · target < {TARGET_MS:.0f} ms · {'OK' if worst < TARGET_MS else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
