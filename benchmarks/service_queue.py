"""Benchmark of the service queue page: N open cases on PostgreSQL, the agent's queue views.

    .venv/bin/python benchmarks/service_queue.py --cases 100000
    .venv/bin/python benchmarks/service_queue.py --database-url postgres://postgres@127.0.0.1:5432/fidelia_bench_service

Steps (one run, same database):
1. migrate; if there are fewer than N active cases, generate them (bulk, deterministic): N/10 customers,
   20 agents in 3 teams, cases in every active status with due dates spread over ±2 weeks, 30 %
   unassigned, plus N/4 closed ones;
2. the queue page as a service agent (reads every case) through Django — view, selector, SLA time
   left per row, template — for each view (all, unassigned, breached or due soon, mine, team) and a
   search, R rounds: p50 / p95 / max;
3. baseline in the same run: the naive page — Django's exact-count Paginator and the same ordering
   without the related rows fetched with the page (one query per customer, owner and team);
4. prints both, the ratio baseline / page and the target (p95 < 200 ms).

Measured on the shared 2-core machine, 100,000 open cases, 5 rounds (1-min load average in brackets):
before, all views p95 93.6 ms [2.1], each view p50 19–22 ms but the search (`q=facture`) p50 94 ms;
after counting a search only up to 1,000 matches, p95 40.5 ms [2.6]; after also looking the rows'
labels up once per page (not `get_<field>_display` per row), p95 31.2 ms [0.9]: each view p50
12–15 ms, the search 31 ms; naive page p95 110 ms. (Earlier, under heavy load: p95 456 ms.)
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TARGET_MS = 200.0
ACTIVE = ("new", "open", "waiting", "reopened")
SUBJECTS = ("Erreur sur ma facture", "Prélèvement effectué deux fois", "Carte bloquée", "Changement d'adresse",
            "Attente trop longue au téléphone", "Tarif de l'assurance", "Application : connexion impossible",
            "Question sur mon contrat", "Toujours pas de réponse", "Virement non crédité")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fidelia_bench_service"))
    parser.add_argument("--cases", type=int, default=100_000, help="open cases in the base (default 100,000)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the views (default 5)")
    args = parser.parse_args()
    if not 100 <= args.cases <= 5_000_000:
        parser.error("--cases must be between 100 and 5,000,000")
    if not 1 <= args.rounds <= 100:
        parser.error("--rounds must be between 1 and 100")
    return args


def generate(n: int) -> Any:
    from django.db import connection
    from django.utils import timezone

    from fidelia.accounts.enums import Role
    from fidelia.accounts.models import Team, User
    from fidelia.parties.models import Party
    from fidelia.service.models import Case

    teams = [Team.objects.get_or_create(name=f"Centre de relation client {i}", defaults={"kind": "team"})[0]
             for i in range(3)]
    agents = []
    for i in range(20):
        agent = User.objects.filter(username=f"agent{i}").first() or User.objects.create_user(
            f"agent{i}", password="bench-Fidelia-2026", role=Role.SERVICE_AGENT, team=teams[i % 3],
            first_name="Agent", last_name=str(i))
        agents.append(agent)
    have = Case.objects.filter(status__in=ACTIVE).count()
    if have >= n:
        print(f"{have:,} open cases already there")
        return agents[0]
    rng = random.Random(7)
    start = time.perf_counter()
    customers = max(100, n // 10)
    existing = Party.objects.count()
    Party.objects.bulk_create([Party(kind="person", stage="customer", first_name=f"Client{i}", last_name=f"Nom{i}",
                                     display_name=f"Client{i} NOM{i}", sort_name=f"nom{i} client{i}",
                                     email=f"client{i}@example.fr")
                               for i in range(existing, customers)], batch_size=5000)
    party_ids = list(Party.objects.values_list("pk", flat=True))
    now = timezone.now()
    rows = []
    total = (n - have) + n // 4
    for i in range(total):
        opened = now - dt.timedelta(hours=rng.uniform(1, 24 * 30))
        active = i < n - have
        rows.append(Case(
            reference=f"CAS-BENCH-{have + i:08d}", kind=rng.choice(["request", "complaint", "incident"]),
            party_id=rng.choice(party_ids), channel=rng.choice(["email", "phone", "web"]),
            category=rng.choice(["core_failure", "price", "inconvenience", "information", "technical"]),
            priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
            status=rng.choice(ACTIVE) if active else "closed", subject=rng.choice(SUBJECTS),
            owner=None if rng.random() < 0.3 else rng.choice(agents), team=rng.choice(teams), opened_at=opened,
            first_response_due=opened + dt.timedelta(hours=8),
            resolution_due=now + dt.timedelta(hours=rng.uniform(-24 * 14, 24 * 14)),
            resolved_at=None if active else opened + dt.timedelta(hours=20)))
        if len(rows) == 10_000:
            Case.objects.bulk_create(rows)
            rows = []
    Case.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE service_case")
        cursor.execute("ANALYZE parties_party")
    print(f"generated {total:,} cases ({n - have:,} open) in {time.perf_counter() - start:.1f} s")
    return agents[0]


URLS = ["/service/?view=all", "/service/?view=unassigned", "/service/?view=breaching", "/service/?view=mine",
        "/service/?view=team", "/service/?view=all&page=3", "/service/?view=all&kind=complaint",
        "/service/?view=all&q=facture"]


def measure(fn: Any, rounds: int) -> dict[str, list[float]]:
    for url in URLS:  # warm-up: plans, caches, templates
        fn(url)
    times: dict[str, list[float]] = {u: [] for u in URLS}
    for _ in range(rounds):
        for url in URLS:
            start = time.perf_counter()
            fn(url)
            times[url].append((time.perf_counter() - start) * 1000)
    return times


def naive_page(request: Any) -> Any:
    """The page as first written: exact count, the related rows fetched row by row."""
    from django.core.paginator import Paginator
    from django.shortcuts import render
    from django.utils import timezone

    from fidelia.service import selectors
    from fidelia.service.enums import CaseKind, QueueView
    from fidelia.service.models import Case

    view = request.GET.get("view") or "mine"
    qs = selectors.case_queue(request.user, view=view, q=request.GET.get("q", ""), kind=request.GET.get("kind", ""))
    qs = Case.objects.filter(pk__in=qs.values("pk")).order_by("resolution_due", "opened_at", "id")  # no select_related
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for case in page.object_list:
        case.sla = selectors.sla_state(case, now=timezone.now())
    return render(request, "service/queue.html", {"page": page, "view": view, "views": QueueView.choices,
                                                  "q": "", "kind": "", "kinds": CaseKind.choices})


def main() -> None:
    args = parse_args()
    common.ensure_database(args.database_url)
    common.setup_django(args.database_url)
    from django.test import Client, RequestFactory

    agent = generate(args.cases)
    client = Client()
    client.force_login(agent)

    def page(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    factory = RequestFactory()

    def baseline(url: str) -> None:
        request = factory.get(url)
        request.user = agent
        request.session = client.session
        naive_page(request)

    fast = measure(page, args.rounds)
    slow = measure(baseline, max(1, args.rounds // 2))
    print(f"\nqueue page, {args.cases:,} open cases, {args.rounds} rounds (ms)")
    print(f"{'view':42} {'p50':>8} {'p95':>8} {'max':>8} {'naive p50':>10}")
    all_fast = [t for ts in fast.values() for t in ts]
    all_slow = [t for ts in slow.values() for t in ts]
    for url in URLS:
        ts = sorted(fast[url])
        print(f"{url:42} {statistics.median(ts):8.1f} {ts[int(0.95 * (len(ts) - 1))]:8.1f} {ts[-1]:8.1f} "
              f"{statistics.median(slow[url]):10.1f}")
    p95 = sorted(all_fast)[int(0.95 * (len(all_fast) - 1))]
    naive_p95 = sorted(all_slow)[int(0.95 * (len(all_slow) - 1))]
    print(f"\nall views: p95 {p95:.1f} ms (target < {TARGET_MS:.0f} ms: {'OK' if p95 < TARGET_MS else 'MISSED'}); "
          f"naive p95 {naive_p95:.1f} ms; ratio naive / page = {naive_p95 / p95:.1f}×")


if __name__ == "__main__":
    main()
