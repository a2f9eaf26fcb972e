"""Benchmark of marketing on PostgreSQL: segment count, campaign planning, delivery, KPI dashboard.

    .venv/bin/python benchmarks/marketing.py --customers 150000 --send 5000
    (default database postgres://postgres@127.0.0.1:5432/fidelia_bench_marketing)

Steps, on the same rows in one run:
1. migrate (database created if missing); generate N parties (70 % customers) with e-mail, postcode,
   birth date and an e-mail consent for 60 % (55 % granted), all with SQL `generate_series`;
2. time a 4-criteria segment count (stage, department, age band, e-mail opt-in) — ONE SQL query;
   baseline: the same criteria evaluated in Python over the rows fetched from the database;
3. time the planning of a campaign to every customer (consent, suppression, pressure, stratified
   10 % control, one recipient row each) — target < 60 s for 100,000 recipients;
4. deliver `--send` messages (a wave) through `--workers` Celery worker processes on Redis to a
   local SMTP server (`MailServer`), printing messages/second (0 skips the step);
5. time the KPI dashboard of the campaign: `campaign_results` and the page through Django's test
   client — target < 300 ms;
6. attribution (`--purchases`, 0 skips): the campaign is marked launched yesterday and sent, N
   purchases of its recipients are inserted by SQL, then timed: the nightly catch-up
   (`attribution_catch_up`) and the task the sales signal queues for an import of 5,000 purchases.
Targets (issue 8): 1,000,000 customers, segment < 2 s; 100,000 recipients planned < 60 s.

Measured (2 cores, load average beside each figure):
- 1,000,000 parties: segment count 556 ms (load 1.1; Python baseline 1.09 s); 700,000 recipients
  planned in 21.2 s (load 1.1); 558 messages/s with 2 workers; KPI results 113 ms, page 121 ms.
- 150,000 parties: 105,000 recipients planned in 3.2 s (load 0.9–1.5), was 121.7 s under heavy load
  when each person was decided in Python; 550 messages/s (was ~40 under heavy load); page 42 ms.
- attribution, 150,000 parties (67,500 recipients sent or held out), load average about 4: 50,000
  purchases attributed by the catch-up in 8.4 s (17.8 s with one model instance per response);
  an import of 5,000 purchases by the signal's task in 1.0 s.
Planning decides consent, suppression and pressure in SQL, one query per 5,000 people
(`eligibility.plan_decisions`), and writes the recipients with INSERT … SELECT over arrays.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from common import ROOT, ensure_database, setup_django, timed  # noqa: E402  (benchmarks/common.py)

DEPARTMENTS = ["69", "38", "42", "01", "73", "74", "75", "13", "33", "59"]
SEGMENT = {"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer"},
                   {"fact": "marketing.department", "operator": "in", "value": ["69", "38", "42", "01"]},
                   {"fact": "parties.age", "operator": "between", "value": [25, 60]},
                   {"fact": "marketing.email_optin", "operator": "is_true"}]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fidelia_bench_marketing"))
    parser.add_argument("--customers", type=int, default=150_000)
    parser.add_argument("--send", type=int, default=5_000, help="messages delivered by the workers (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--reuse", action="store_true", help="keep the parties of a previous run of the same size")
    parser.add_argument("--purchases", type=int, default=50_000, help="purchases attributed (0: skip)")
    args = parser.parse_args()
    if urlparse(args.database_url).scheme not in {"postgres", "postgresql"}:
        parser.error("--database-url must be a postgres:// URL")
    if not 1_000 <= args.customers <= 5_000_000:
        parser.error("--customers must be between 1,000 and 5,000,000")
    if not 0 <= args.send <= 1_000_000 or not 1 <= args.workers <= 16:
        parser.error("--send must be 0–1,000,000 and --workers 1–16")
    return args


def _defaults(cursor: Any, table: str, given: set[str]) -> dict[str, str]:
    cursor.execute("""SELECT column_name, data_type FROM information_schema.columns
                      WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL""", [table])
    filler = {"text": "''", "character varying": "''", "integer": "1", "bigint": "1", "smallint": "1",
              "boolean": "false", "timestamp with time zone": "now()", "date": "current_date", "numeric": "0",
              "jsonb": "'{}'::jsonb", "double precision": "0"}
    return {n: filler[k] for n, k in cursor.fetchall() if n not in given and n != "id"}


def _insert(c: Any, table: str, cols: dict[str, str], source: str) -> None:
    extra = _defaults(c, table, set(cols))
    c.execute(f"INSERT INTO {table} ({', '.join([*cols, *extra])}) "
              f"SELECT {', '.join([*cols.values(), *extra.values()])} {source}")


def generate(customers: int, *, reuse: bool) -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM parties_party")
        if reuse and c.fetchone()[0] == customers:
            print(f"reusing {customers:,} parties")
            return
        print(f"generating {customers:,} parties …", flush=True)
        c.execute("TRUNCATE marketing_campaignresponse, marketing_solicitation, marketing_campaignrecipient, "
                  "marketing_campaign, marketing_segmentversion, marketing_segment, parties_consentrecord, "
                  "parties_party CASCADE")
        deps = "ARRAY[" + ",".join(f"'{d}'" for d in DEPARTMENTS) + "]"
        _insert(c, "parties_party", {
            "kind": "'person'", "stage": "CASE WHEN g % 10 < 7 THEN 'customer' ELSE 'prospect' END",
            "display_name": "'Client ' || g", "first_name": "'Prénom' || g", "last_name": "'Nom' || g",
            "sort_name": "'nom' || g", "email": "'client' || g || '@example.org'", "phone": "''",
            "postcode": f"({deps})[1 + g % 10] || lpad((g % 1000)::text, 3, '0')", "city": "'Ville'",
            "birth_date": "date '1940-01-01' + (g::bigint * 7919 % 25000)::int", "version": "1",
            "created_at": "now()", "updated_at": "now()"}, f"FROM generate_series(1, {customers}) g")
        _insert(c, "parties_consentrecord", {
            "party_id": "p.id", "channel": "'email'", "purpose": "'prospecting'", "granted": "p.id % 20 < 11",
            "source": "'import'", "wording": "''", "recorded_at": "now() - interval '30 days'"},
            "FROM parties_party p WHERE p.id % 10 < 6")
        c.execute("ANALYZE")


def python_baseline(as_of: dt.date) -> int:
    """The same four criteria, rows fetched then filtered in Python."""
    from fidelia.parties.models import ConsentRecord, Party

    latest: dict[int, bool] = {}
    for pid, granted in (ConsentRecord.objects.filter(channel="email", purpose="prospecting")
                         .order_by("party_id", "-recorded_at", "-id").values_list("party_id", "granted").iterator(10_000)):
        latest.setdefault(pid, granted)
    low, high = as_of.replace(year=as_of.year - 61), as_of.replace(year=as_of.year - 25)
    n = 0
    for pid, stage, postcode, born in Party.objects.values_list("pk", "stage", "postcode", "birth_date").iterator(10_000):
        if stage == "customer" and postcode[:2] in {"69", "38", "42", "01"} and born and low < born <= high \
                and latest.get(pid):
            n += 1
    return n


def deliver(campaign_id: int, args: argparse.Namespace) -> None:
    from django.conf import settings

    from fidelia.core.mailserver import MailServer
    from fidelia.marketing.models import Campaign, CampaignRecipient
    from fidelia.marketing.services import campaign_launch

    with MailServer() as server:
        env = {**os.environ, "DATABASE_URL": args.database_url, "FIDELIA_CELERY_BROKER_URL": args.redis,
               "FIDELIA_EMAIL_HOST": "127.0.0.1", "FIDELIA_EMAIL_PORT": str(server.port),
               "FIDELIA_MARKETING_BATCH_SIZE": "250", "DJANGO_SETTINGS_MODULE": "config.settings"}
        workers = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "1", "-P", "solo",
                                     "-n", f"bench{i}@%h", "--loglevel=WARNING", "-Q", "celery"], cwd=ROOT, env=env)
                   for i in range(args.workers)]
        try:
            time.sleep(8)  # workers connect to Redis
            settings.CELERY_TASK_ALWAYS_EAGER = False
            settings.CELERY_BROKER_URL = args.redis
            from config.celery import app

            app.conf.broker_url = args.redis
            app.conf.task_always_eager = False
            Campaign.objects.filter(pk=campaign_id).update(wave_size=args.send)
            start = time.perf_counter()
            campaign_launch(campaign=Campaign.objects.get(pk=campaign_id), actor=None)
            while True:
                sent = CampaignRecipient.objects.filter(campaign_id=campaign_id, status__in=["sent", "failed", "bounced"]).count()
                if sent >= args.send or time.perf_counter() - start > 900:
                    break
                time.sleep(0.5)
            elapsed = time.perf_counter() - start
            print(f"delivery: {sent:,} messages to the local SMTP server ({len(server.messages):,} received) "
                  f"by {args.workers} workers in {elapsed:.1f} s = {sent / elapsed:,.0f} messages/s")
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                w.wait(timeout=30)


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.test import Client
    from django.utils import timezone

    from fidelia.accounts.models import User
    from fidelia.marketing import selectors, services

    generate(args.customers, reuse=args.reuse)
    actor = User.objects.filter(username="bench-marketing").first() or User.objects.create_user(
        username="bench-marketing", password="bench-Fidelia-2026", role="marketing")
    as_of = timezone.localdate()
    seg_time, count = timed(lambda: selectors.segment_evaluate(definition=SEGMENT, user=actor).count())
    seg_time, count = timed(lambda: selectors.segment_evaluate(definition=SEGMENT, user=actor).count())  # warm
    base_time, base_count = timed(lambda: python_baseline(as_of))
    print(f"segment (4 criteria) on {args.customers:,} parties: {count:,} members in {seg_time * 1000:.0f} ms "
          f"(Python baseline {base_time:.2f} s, {base_count:,} members; ratio ×{base_time / seg_time:.0f})")
    assert count == base_count, "the SQL segment and the Python baseline disagree"

    everyone = services.segment_save(actor=actor, name=f"Bench customers {time.time():.0f}",
                                     definition={"all": [{"fact": "parties.stage", "operator": "eq", "value": "customer"}]})
    campaign = services.campaign_save(
        actor=actor, name="Bench campaign", channel="email", segment=everyone, subject_fr="Bonjour {{ first_name }}",
        body_fr="Bonjour {{ first_name }}, une offre pour vous.", control_share=Decimal("0.1"),
        send_from=dt.time(0, 0), send_until=dt.time(23, 59), fixed_cost=Decimal("5000"), cost_per_message=Decimal("0.02"))
    plan_time, report = timed(lambda: services.campaign_plan(campaign=campaign, actor=actor))
    print(f"planning: {report.targeted:,} recipients ({report.test:,} to send, {report.control:,} control, "
          f"excluded {report.excluded}) in {plan_time:.1f} s = {report.targeted / plan_time:,.0f} recipients/s")
    if args.send:
        deliver(campaign.pk, args)
    campaign.refresh_from_db()
    kpi_time, _r = timed(lambda: selectors.campaign_results(campaign=campaign))
    kpi_time, _r = timed(lambda: selectors.campaign_results(campaign=campaign))
    client = Client(HTTP_HOST="localhost")
    client.force_login(actor)
    client.get(f"/marketing/campaigns/{campaign.pk}/")
    page_time, response = timed(lambda: client.get(f"/marketing/campaigns/{campaign.pk}/"))
    print(f"KPI dashboard: results {kpi_time * 1000:.0f} ms, page {page_time * 1000:.0f} ms "
          f"(HTTP {response.status_code}); segment count baseline ratio above")

    if args.purchases:
        attribution(campaign.pk, args.purchases)


def attribution(campaign_id: int, purchases: int) -> None:
    from django.db import connection

    from fidelia.marketing import services
    from fidelia.marketing.models import CampaignResponse
    from fidelia.marketing.tasks import attribution_task
    from fidelia.sales.models import Product, ProductFamily, Transaction

    family, _c = ProductFamily.objects.get_or_create(name="Bench")
    product, _c = Product.objects.get_or_create(code="BENCH", defaults={
        "name": "Bench", "family": family, "kind": "tactical", "price": Decimal("10"), "margin_rate": Decimal("0.3")})
    with connection.cursor() as c:
        c.execute("UPDATE marketing_campaignrecipient SET status = 'sent', sent_at = now() "
                  "WHERE campaign_id = %s AND status IN ('planned', 'sending')", [campaign_id])
        c.execute("UPDATE marketing_campaign SET status = 'done', launched_at = now() - interval '1 day' "
                  "WHERE id = %s", [campaign_id])
        c.execute("DELETE FROM sales_transaction WHERE product_id = %s", [product.pk])
        _insert(c, "sales_transaction", {
            "party_id": "r.party_id", "product_id": str(product.pk), "date": "current_date", "quantity": "1",
            "amount": "50 + r.g % 200", "margin": "(50 + r.g % 200) * 0.3", "channel": "'web'",
            "created_at": "now()", "updated_at": "now()"},
            "FROM (SELECT party_id, row_number() OVER () AS g FROM marketing_campaignrecipient "
            f"WHERE campaign_id = {int(campaign_id)} AND status IN ('sent', 'held_out') "
            f"ORDER BY md5(party_id::text) LIMIT {int(purchases)}) r")
        c.execute("ANALYZE sales_transaction")
    CampaignResponse.objects.filter(recipient__campaign_id=campaign_id, kind="order").delete()
    catch_time, result = timed(lambda: services.attribution_catch_up())
    print(f"attribution catch-up: {result['orders']:,} orders attributed in {catch_time:.2f} s "
          f"= {result['orders'] / catch_time:,.0f} purchases/s")
    ids = list(Transaction.objects.filter(product=product).order_by("pk").values_list("pk", flat=True)[:5000])
    CampaignResponse.objects.filter(key__in=[f"tx:{i}" for i in ids]).delete()
    task_time, n = timed(lambda: attribution_task("orders", ids))
    print(f"attribution of an import of {len(ids):,} purchases (signal task): {n:,} orders in "
          f"{task_time * 1000:.0f} ms")


if __name__ == "__main__":
    main()
