"""Benchmark of the service dashboard: every figure of the cases of the last 12 months, whole base, on PostgreSQL.

    .venv/bin/python benchmarks/service_dashboard.py
    .venv/bin/python benchmarks/service_dashboard.py --cases 100000 --rounds 5

Steps (one run, same database as `service_queue.py`, fidelia_bench_service by default):
1. migrate; the queue benchmark's cases if missing (N open + N/4 closed); then, once, the closed cases
   get what the dashboard reads (deterministic): first responses and resolutions from minutes to
   weeks, SLA policies with some breaches, reopens; 5 % of the customers become former customers,
   10 % get an ended or cancelled contract, and a quarter of the closed cases a CSAT answer;
2. the dashboard page (`/service/dashboard/?months=12`) through Django as a service agent (who reads
   every case), and `reports.dashboard` alone: R rounds, p50 / max;
3. baseline in the same run: the former Python path — `reports.fetch` (every case of the period as a
   row, the lost customers' contracts, every CSAT answer) then `reports.compute`;
4. checks both give the same figures, prints the times, the ratio baseline / SQL, the target
   (page < 500 ms) and the load average (other benchmarks may share the machine).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import service_queue  # noqa: E402

TARGET_MS = 500.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fidelia_bench_service"))
    parser.add_argument("--cases", type=int, default=100_000, help="open cases in the base (default 100,000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes (default 5)")
    args = parser.parse_args()
    if not 100 <= args.cases <= 5_000_000:
        parser.error("--cases must be between 100 and 5,000,000")
    if not 1 <= args.rounds <= 100:
        parser.error("--rounds must be between 1 and 100")
    return args


def enrich() -> None:
    """What the dashboard reads, on the closed cases (the queue's open cases are left as they are)."""
    from django.db import connection, transaction

    from fidelia.sales.models import Product, ProductFamily
    from fidelia.service.models import SlaPolicy
    from fidelia.surveys.models import Survey, SurveyInvitation, SurveyResponse

    if SurveyResponse.objects.filter(reference__startswith="case:").exists():
        return
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        policy = SlaPolicy.objects.order_by("pk").first() or SlaPolicy.objects.create(
            name="Bench", priority="normal", first_response_hours=8, resolution_hours=40)
        family, _ = ProductFamily.objects.get_or_create(name="Bench")
        product = Product.objects.filter(code="BENCH").first() or Product.objects.create(
            code="BENCH", name="Bench", family=family, kind="strategic", price=100, margin_rate=0.25)
        # hours from minutes to three weeks, spread by a hash of the id (deterministic)
        cursor.execute("""
            UPDATE service_case SET
              first_response_at = opened_at + ((id * 7919) %% 9973) * interval '1 second' * 4,
              resolved_at = opened_at + ((id * 104729) %% 50000) * interval '1 second' * 36,
              reopen_count = CASE WHEN id %% 17 = 0 THEN 1 ELSE 0 END,
              sla_policy_id = CASE WHEN id %% 3 = 0 THEN NULL ELSE %s END,
              first_response_breached = (id %% 11 = 0), resolution_breached = (id %% 13 = 0)
            WHERE status = 'closed'""", [policy.pk])
        cursor.execute("UPDATE parties_party SET stage = 'former' WHERE id % 20 = 0")
        cursor.execute("""
            INSERT INTO sales_contract (party_id, product_id, reference, start_date, end_date, status,
                                        annual_amount, version, created_at, updated_at)
            SELECT p.id, %s, 'BENCH-' || p.id, DATE '2020-01-01',
                   CURRENT_DATE - (p.id %% 60)::int + 30, CASE WHEN p.id %% 2 = 0 THEN 'ended' ELSE 'cancelled' END,
                   0, 1, now(), now()
            FROM parties_party p WHERE p.id %% 10 = 3 ON CONFLICT (reference) DO NOTHING""", [product.pk])
        survey = Survey.objects.create(name="CSAT bench", kind="csat", title="Votre avis", status="active")
        cases = _closed(cursor)
        for i in range(0, len(cases), 5000):
            batch = cases[i:i + 5000]
            invitations = SurveyInvitation.objects.bulk_create([
                SurveyInvitation(survey=survey, party_id=party, token_hash=f"bench-{pk}", reference=f"case:{pk}",
                                 expires_at=when + dt.timedelta(days=30), answered_at=when + dt.timedelta(days=1))
                for pk, party, when in batch])
            SurveyResponse.objects.bulk_create([
                SurveyResponse(survey=survey, invitation=inv, party_id=inv.party_id, answered_at=inv.answered_at,
                               reference=inv.reference, csat=1 + inv.party_id % 5) for inv in invitations])
        cursor.execute("ANALYZE service_case")
        cursor.execute("ANALYZE sales_contract")
        cursor.execute("ANALYZE surveys_surveyresponse")
    print(f"dashboard data added to the closed cases in {time.perf_counter() - start:.1f} s")


def _closed(cursor: Any) -> list[tuple[int, int, dt.datetime]]:
    cursor.execute("SELECT id, party_id, resolved_at FROM service_case WHERE status = 'closed' AND id % 4 = 0 "
                   "AND party_id IS NOT NULL")
    return list(cursor.fetchall())


def rounds(fn: Any, n: int) -> list[float]:
    fn()  # warm-up: plans, caches, templates
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    args = parse_args()
    common.ensure_database(args.database_url)
    common.setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from fidelia.service import reports, selectors
    from fidelia.service.models import Case

    agent = service_queue.generate(args.cases)
    enrich()
    client = Client()
    client.force_login(agent)
    until = timezone.now()
    since = until - dt.timedelta(days=30.44 * 12)
    scope = selectors.report_scope(agent)
    cases = Case.objects.filter(scope, opened_at__gte=since, opened_at__lt=until).count()

    def page() -> None:
        response = client.get("/service/dashboard/?months=12")
        assert response.status_code == 200, response.status_code

    def sql() -> reports.Dashboard:
        return reports.dashboard(scope, since=since, until=until)

    def python() -> reports.Dashboard:
        rows, lost, former, csat = reports.fetch(scope, since=since, until=until)
        return reports.compute(rows, lost=lost, former=former, csat=csat)

    print(f"\n{load()} (before)")
    fast, slow = dataclasses.asdict(sql()), dataclasses.asdict(python())
    same = all(fast[k] == slow[k] or k.startswith("median") and abs(fast[k] - slow[k]) < 1e-6 for k in fast)
    queries: list[str] = []

    def count(execute: Any, sql_text: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql_text)
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(count):
        sql()
    page_ms = rounds(page, args.rounds)
    sql_ms = rounds(sql, args.rounds)
    python_ms = rounds(python, max(1, args.rounds // 2))
    print(f"service dashboard, {cases:,} cases in the last 12 months, {args.rounds} rounds (ms); "
          f"{len(queries)} statements (SET jit and the queries); same figures as the Python path: {'yes' if same else 'NO'}")
    print(f"{'':34} {'p50':>8} {'max':>8}")
    for name, ts in [("page (SQL), through Django", page_ms), ("reports.dashboard (SQL)", sql_ms),
                     ("baseline fetch + compute (Python)", python_ms)]:
        print(f"{name:34} {statistics.median(ts):8.1f} {max(ts):8.1f}")
    p50 = statistics.median(page_ms)
    print(f"\npage p50 {p50:.1f} ms (target < {TARGET_MS:.0f} ms: {'OK' if p50 < TARGET_MS else 'MISSED'}); "
          f"ratio Python / SQL = {statistics.median(python_ms) / statistics.median(sql_ms):.1f}×; {load()} (after)")


if __name__ == "__main__":
    main()
