"""Benchmark of the daily actions-to-take job on PostgreSQL: all built-in rules for all reps.

    .venv/bin/python benchmarks/actions.py --customers 200000
    (default database postgres://postgres@127.0.0.1:5432/fidelia_bench_actions)

Steps, on the same rows in one run:
1. migrate (database created if missing); generate N customers spread over 200 reps in 10 teams,
   0.6 child per customer (random birth dates over 25 years), expected births (2 %), vehicle
   purchases (35 %, up to 16 years old), one active contract each with a renewal date within a year,
   stored analytics (ABC class) for 70 % and a last contact for 80 %, all with SQL `generate_series`;
2. time `actions_refresh` for a fixed day (every built-in rule: one query per rule, bulk insert with
   ON CONFLICT DO NOTHING), per rule and in total;
3. time the re-run the same day and check it creates 0 actions;
4. baseline: evaluate the same six rules per customer in Python (loading each customer's children,
   events, contracts and analytics as a per-customer loop would) on a sample, extrapolate to N,
   print the ratio; check the two agree on the sample.
Target (issue 4): 1,000,000 customers in under 2 minutes on 2 cores.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from typing import Any
from urllib.parse import urlparse

from common import ensure_database, setup_django, timed  # noqa: E402  (benchmarks/common.py)

AS_OF = dt.date(2026, 6, 15)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fidelia_bench_actions"))
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=2_000, help="customers evaluated by the Python baseline")
    parser.add_argument("--reuse", action="store_true", help="keep the customers of a previous run of the same size")
    args = parser.parse_args()
    if urlparse(args.database_url).scheme not in {"postgres", "postgresql"}:
        parser.error("--database-url must be a postgres:// URL")
    if not 1_000 <= args.customers <= 5_000_000:
        parser.error("--customers must be between 1,000 and 5,000,000")
    return args


def _defaults(cursor: Any, table: str, given: set[str]) -> dict[str, str]:
    """SQL values for NOT NULL columns without a database default that the generator does not set."""
    cursor.execute("""SELECT column_name, data_type FROM information_schema.columns
                      WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL""", [table])
    filler = {"text": "''", "character varying": "''", "integer": "1", "bigint": "1", "smallint": "1",
              "boolean": "false", "timestamp with time zone": "now()", "date": "current_date", "numeric": "0",
              "jsonb": "'{}'::jsonb", "double precision": "0"}
    return {n: filler[k] for n, k in cursor.fetchall() if n not in given and n != "id"}


def _insert(c: Any, table: str, cols: dict[str, str], source: str, params: list[Any]) -> None:
    extra = _defaults(c, table, set(cols))
    names = ", ".join([*cols, *extra])
    values = ", ".join([*cols.values(), *extra.values()])
    c.execute(f"INSERT INTO {table} ({names}) SELECT {values} {source}", params)


def generate(customers: int, *, reuse: bool) -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM parties_party")
        if reuse and c.fetchone()[0] == customers:
            print(f"reusing {customers:,} customers")
            return
        print(f"generating {customers:,} customers …", flush=True)
        c.execute("TRUNCATE actions_action, analytics_customeranalytics, analytics_analysisrun, parties_lifeevent, "
                  "parties_householdmember, sales_contract, parties_party CASCADE")
        c.execute("DELETE FROM accounts_user WHERE username LIKE 'bench-rep-%%'")
        c.execute("DELETE FROM accounts_team WHERE name LIKE 'Bench team %%'")
        _insert(c, "accounts_team", {"name": "'Bench team ' || g"}, "FROM generate_series(1, 10) g", [])
        c.execute("SELECT min(id) FROM accounts_team WHERE name LIKE 'Bench team %%'")
        t0 = c.fetchone()[0]
        _insert(c, "accounts_user", {"username": "'bench-rep-' || g", "password": "'!'", "role": "'sales_rep'",
                                     "is_active": "true", "team_id": "%s + g %% 10", "date_joined": "now()"},
                "FROM generate_series(1, 200) g", [t0])
        c.execute("SELECT min(id) FROM accounts_user WHERE username LIKE 'bench-rep-%%'")
        u0 = c.fetchone()[0]
        _insert(c, "parties_party", {
            "kind": "'person'", "stage": "'customer'", "display_name": "'Client ' || g", "last_name": "'Client ' || g",
            "owner_id": "%s + g %% 200", "team_id": "%s + (g %% 200) %% 10",
            "last_inbound_at": "CASE WHEN random() < 0.8 THEN now() - (random() * 400) * interval '1 day' END",
            "birth_date": "DATE '1940-01-01' + (random() * 25000)::int"},
            "FROM generate_series(1, %s) g", [u0, t0, customers])
        c.execute("SELECT min(id), max(id) FROM parties_party")
        lo, hi = c.fetchone()
        span = hi - lo + 1
        _insert(c, "parties_householdmember", {
            "party_id": "%s + floor(random() * %s)::bigint", "role": "'child'", "first_name": "'Enfant'",
            "birth_date": "DATE %s - (random() * 9125)::int"},
            "FROM generate_series(1, %s)", [lo, span, AS_OF, int(customers * 0.6)])
        _insert(c, "parties_lifeevent", {"party_id": "id", "kind": "'expected_birth'",
                                         "date": "DATE %s + (random() * 260)::int"},
                "FROM parties_party WHERE random() < 0.02", [AS_OF])
        _insert(c, "parties_lifeevent", {"party_id": "id", "kind": "'vehicle_purchase'",
                                         "date": "DATE %s - (random() * 5840)::int"},
                "FROM parties_party WHERE random() < 0.35", [AS_OF])
        c.execute("INSERT INTO sales_productfamily (name, description) VALUES ('ABench', '') ON CONFLICT DO NOTHING")
        c.execute("DELETE FROM sales_product WHERE code = 'ABENCH'")
        _insert(c, "sales_product", {"code": "'ABENCH'", "name": "'ABench'", "family_id": "id", "kind": "'tactical'",
                                     "price": "10", "margin_rate": "0.2"},
                "FROM sales_productfamily WHERE name = 'ABench'", [])
        _insert(c, "sales_contract", {
            "party_id": "id", "product_id": "(SELECT id FROM sales_product WHERE code = 'ABENCH')",
            "reference": "'AB' || id", "start_date": "DATE '2020-01-01'", "status": "'active'", "annual_amount": "0",
            "version": "1", "renewal_date": "DATE %s + (random() * 365)::int"},
            "FROM parties_party", [AS_OF])
        _insert(c, "analytics_analysisrun", {"reference_date": "%s", "date_from": "%s", "date_to": "%s",
                                             "status": "'done'", "started_at": "now()"}, "", [AS_OF, AS_OF, AS_OF])
        _insert(c, "analytics_customeranalytics", {
            "party_id": "id", "run_id": "(SELECT max(id) FROM analytics_analysisrun)", "revenue": "100",
            "margin": "10", "orders": "1", "first_purchase": "%s", "last_purchase": "%s", "rank": "1",
            "cumulative_share": "0.5", "abc_class": "CASE WHEN random() < 0.1 THEN 'A' WHEN random() < 0.4 THEN 'B' "
                                                    "ELSE 'C' END",
            "recency_days": "1", "r_score": "1", "f_score": "1", "m_score": "1", "rfm_cell": "'111'",
            "rfm_segment": "'lost'", "frat_recency_days": "1"},
            "FROM parties_party WHERE random() < 0.7", [AS_OF, AS_OF])
        for table in ("parties_party", "parties_householdmember", "parties_lifeevent", "sales_contract",
                      "analytics_customeranalytics"):
            c.execute(f"ANALYZE {table}")


def python_baseline(sample: int) -> tuple[float, set[tuple[str, int]]]:
    """The six automatic built-in rules evaluated customer by customer, as a loop in Python would."""
    from fidelia.analytics.models import CustomerAnalytics
    from fidelia.parties.models import Party
    from fidelia.sales.models import Contract

    today = AS_OF
    matches: set[tuple[str, int]] = set()

    def mmdd(d: dt.date) -> int:
        return d.month * 100 + d.day

    end = today + dt.timedelta(days=14)
    lo, hi = mmdd(today), mmdd(end)
    eighteen_lo = today.replace(year=today.year - 18)
    eighteen_hi = (today + dt.timedelta(days=90)).replace(year=today.year - 18)
    started = time.perf_counter()
    for party in Party.objects.order_by("pk")[:sample]:
        children = [m.birth_date for m in party.household_members.filter(role="child") if m.birth_date]
        events = list(party.life_events.values_list("kind", "date"))
        renewals = [c.renewal_date for c in Contract.objects.filter(party=party, status="active", archived_at=None)
                    if c.renewal_date]
        abc = CustomerAnalytics.objects.filter(party=party).values_list("abc_class", flat=True).first()
        if any(k == "expected_birth" and today <= d <= today + dt.timedelta(days=120) for k, d in events):
            matches.add(("naissance-attendue", party.pk))
        if any((lo <= mmdd(b) <= hi) if lo <= hi else (mmdd(b) >= lo or mmdd(b) <= hi) for b in children):
            matches.add(("anniversaire-enfant", party.pk))
        if any(eighteen_lo <= b <= eighteen_hi for b in children):
            matches.add(("etudes-superieures", party.pk))
        vehicles = [d for k, d in events if k == "vehicle_purchase"]
        if vehicles and max(vehicles) < today.replace(year=today.year - 11):
            matches.add(("vehicule-ancien", party.pk))
        if any(today <= r <= today + dt.timedelta(days=60) for r in renewals):
            matches.add(("renouvellement-contrat", party.pk))
        contacts = [x for x in (party.last_inbound_at, party.last_outbound_at) if x]
        last = max(contacts).date() if contacts else None
        if abc == "A" and (last is None or last < today - dt.timedelta(days=180)):
            matches.add(("client-a-sans-contact", party.pk))
    return time.perf_counter() - started, matches


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from fidelia.actions.models import Action
    from fidelia.actions.services import actions_refresh
    from fidelia.parties.models import Party

    seconds, _ = timed(lambda: generate(args.customers, reuse=args.reuse))
    print(f"data ready in {seconds:.1f} s")
    Action.objects.all().delete()
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")

    first = actions_refresh(as_of=AS_OF)
    for r in first.rules:
        print(f"  {r.key:<24} {r.matched:>9,} matched {r.created:>9,} created {r.seconds:7.2f} s")
    print(f"refresh, {args.customers:,} customers: {first.created:,} actions in {first.seconds:.1f} s "
          f"(target < 120 s at 1,000,000)")
    again = actions_refresh(as_of=AS_OF)
    print(f"re-run the same day: {again.created} created, {Action.objects.count():,} actions in all, "
          f"{again.seconds:.1f} s")
    assert again.created == 0, "a re-run must create no duplicate"

    base_seconds, expected = python_baseline(args.sample)
    sample_ids = list(Party.objects.order_by("pk").values_list("pk", flat=True)[:args.sample])
    got = set(Action.objects.filter(party_id__in=sample_ids, rule__isnull=False).values_list("rule__key", "party_id"))
    extrapolated = base_seconds * args.customers / args.sample
    print(f"baseline (per-customer Python, {args.sample:,} customers): {base_seconds:.1f} s "
          f"→ {extrapolated:,.0f} s extrapolated to {args.customers:,}; SQL rules are {extrapolated / first.seconds:.0f}× faster")
    print(f"baseline and SQL agree on the sample: {got == expected} ({len(expected):,} matches)")


if __name__ == "__main__":
    main()
