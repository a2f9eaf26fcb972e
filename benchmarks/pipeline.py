"""Benchmark of the pipeline board: a sales manager's team with N open opportunities.

    .venv/bin/python benchmarks/pipeline.py --opportunities 2000
    .venv/bin/python benchmarks/pipeline.py --database-url postgres://postgres@127.0.0.1:5432/fidelia_bench_sales --opportunities 2000

Steps (one run, same database):
1. migrate; if the team has fewer than N open opportunities, create them (bulk) over its reps and
   customers, spread over the open stages, plus some won/lost ones and another team's deals;
2. the board page `GET /sales/pipeline/` through Django's test client as the team's manager
   (middleware, session, access filter, one aggregate per stage, the windowed card query, templates),
   median of R requests, and the number of SQL queries it runs;
3. baseline, measured once in the same run: a naive board — every visible opportunity loaded without
   select_related, cards rendered with lazy foreign keys (N+1 queries), totals summed in Python;
4. prints both medians, the ratio baseline / board and the target (< 300 ms).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TARGET_MS = 300.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fidelia_bench_sales"))
    parser.add_argument("--opportunities", type=int, default=2000, help="open opportunities of the team (default 2000)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not 1 <= args.opportunities <= 1_000_000:
        parser.error("--opportunities must be between 1 and 1,000,000")
    if not 1 <= args.repeat <= 1000:
        parser.error("--repeat must be between 1 and 1000")
    return args


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up: template compilation, connection
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def prepare(n: int) -> Any:
    """The team, its manager and 5 reps, 500 customers and `n` open opportunities (created once)."""
    from fidelia.accounts.models import Team, User
    from fidelia.parties.models import Party
    from fidelia.sales.models import Opportunity, PipelineStage

    team, _ = Team.objects.get_or_create(name="Bench pipeline Lyon")
    other, _ = Team.objects.get_or_create(name="Bench pipeline Paris")
    manager = User.objects.filter(username="bench-pipeline-manager").first() or User.objects.create_user(
        "bench-pipeline-manager", role="sales_manager", team=team, first_name="Marc", last_name="Manager")
    reps = [User.objects.filter(username=f"bench-pipeline-rep{i}").first() or User.objects.create_user(
        f"bench-pipeline-rep{i}", role="sales_rep", team=team if i < 5 else other, first_name=f"Rep{i}", last_name="Bench")
        for i in range(7)]
    open_stages = list(PipelineStage.objects.filter(outcome="open").order_by("position"))
    closed = list(PipelineStage.objects.exclude(outcome="open"))
    have = Opportunity.objects.filter(team=team, stage__outcome="open").count()
    if have >= n:
        return manager, team
    rng = random.Random(4)
    parties = list(Party.objects.filter(team=team)[:500])
    if len(parties) < 500:
        Party.objects.bulk_create([Party(kind="person", display_name=f"Client BENCH {i}", owner=reps[i % 5], team=team,
                                         stage="customer") for i in range(500 - len(parties))])
        parties = list(Party.objects.filter(team=team)[:500])
    today = dt.date.today()

    def deal(i: int, stage: Any, owner: Any, owner_team: Any) -> Opportunity:
        return Opportunity(party=parties[i % len(parties)], name=f"Affaire {i}", owner=owner, team=owner_team, stage=stage,
                           amount=Decimal(rng.randrange(500, 200_000)), probability=stage.probability,
                           expected_close=today + dt.timedelta(days=rng.randrange(-30, 200)), next_step="Relancer",
                           closed_on=today - dt.timedelta(days=rng.randrange(0, 200)) if stage.outcome != "open" else None)

    rows = [deal(i, open_stages[i % len(open_stages)], reps[i % 5], team) for i in range(n - have)]
    rows += [deal(i, rng.choice(closed), reps[i % 5], team) for i in range(n // 4)]
    rows += [deal(i, open_stages[i % len(open_stages)], reps[5 + i % 2], other) for i in range(n // 2)]
    Opportunity.objects.bulk_create(rows, batch_size=2000)
    return manager, team


NAIVE = """{% for column in columns %}<section><h2>{{ column.stage.name }}</h2><p>{{ column.count }} {{ column.amount }} {{ column.weighted }}</p><ol>
{% for o in column.cards %}<li data-id="{{ o.pk }}"><a href="/sales/opportunities/{{ o.pk }}/">{{ o.name }}</a> {{ o.party.display_name }} {{ o.amount }} {{ o.expected_close }} {{ o.next_step }} {{ o.owner.first_name }} {{ o.owner.last_name }}</li>{% endfor %}</ol></section>{% endfor %}"""


def naive_board(user: Any) -> str:
    """The baseline: every visible opportunity, lazy foreign keys, totals and grouping in Python."""
    from django.template import Context, Template

    from fidelia.accounts import policies
    from fidelia.sales.models import Opportunity, PipelineStage

    columns = []
    for stage in PipelineStage.objects.filter(is_active=True).order_by("position"):
        cards = [o for o in Opportunity.objects.filter(policies.pipeline_read_filter(user)) if o.stage_id == stage.pk]
        columns.append({"stage": stage, "cards": cards, "count": len(cards), "amount": sum(o.amount for o in cards),
                        "weighted": sum(o.amount * o.probability / 100 for o in cards)})
    return Template(NAIVE).render(Context({"columns": columns}))


def main() -> int:
    args = parse_args()
    if args.database_url.startswith("postgres"):
        common.ensure_database(args.database_url)
    common.setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    elapsed, (manager, _team) = common.timed(lambda: prepare(args.opportunities))
    from fidelia.sales.models import Opportunity

    visible = Opportunity.objects.filter(team=manager.team, stage__outcome="open").count()
    print(f"prepared in {elapsed:.1f} s: {visible:,} open opportunities in the team "
          f"({Opportunity.objects.count():,} in the base), {connection.vendor}", flush=True)
    client = Client()
    client.force_login(manager)

    def board() -> None:
        response = client.get("/sales/pipeline/")
        assert response.status_code == 200, response.status_code

    with CaptureQueriesContext(connection) as queries:
        board()
    board_ms = median_ms(board, args.repeat)
    # The baseline runs thousands of queries: timed once (its own run is its warm-up's cost anyway).
    with CaptureQueriesContext(connection) as naive_queries:
        naive_s, _html = common.timed(lambda: naive_board(manager))
    naive_ms = naive_s * 1000
    print(f"board page (test client, {len(queries)} queries): median {board_ms:.0f} ms  (target < {TARGET_MS:.0f} ms: "
          f"{'OK' if board_ms < TARGET_MS else 'MISSED'})")
    print(f"naive board baseline ({len(naive_queries)} queries): {naive_ms:.0f} ms (one run)")
    print(f"ratio baseline / board: {naive_ms / board_ms:.1f}x")
    return 0 if board_ms < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
