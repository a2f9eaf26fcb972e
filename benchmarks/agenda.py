"""Benchmark of the agenda: a busy calendar's week view and a year-long iCalendar feed.

    .venv/bin/python benchmarks/agenda.py --appointments 20000 --reps 20

Steps (one run, same PostgreSQL database `fidelia_bench_agenda`):
1. migrate; if the bench team has fewer than N appointments, create them (bulk) over its R reps,
   from 8 weeks back to 52 weeks ahead, with customers and a colleague attending one in five;
2. the week page `GET /agenda/?calendar=…` of the busiest rep through Django's test client
   (session, access, the week's rows, conflicts, layout, templates), median of 9;
3. the rep's private feed (90 days back, 400 ahead, rendered with `icalendar`), median of 5;
4. baseline, measured once in the same run: the same week fetched naively — every appointment
   of the calendar loaded, then filtered and its customer and attendees read one by one (N+1);
5. prints the medians and the ratio baseline / week view.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fidelia_bench_agenda"))
    parser.add_argument("--appointments", type=int, default=20_000, help="appointments of the team (default 20000)")
    parser.add_argument("--reps", type=int, default=20, help="reps of the team (default 20)")
    args = parser.parse_args()
    if not 1 <= args.reps <= 1000 or not 0 <= args.appointments <= 5_000_000:
        parser.error("--reps must be in 1..1000 and --appointments in 0..5,000,000")
    return args


def seed(n: int, reps: int) -> list:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from fidelia.accounts.models import Team
    from fidelia.agenda.models import Appointment
    from fidelia.parties.models import Party
    from fidelia.parties.tests.factories import person

    User = get_user_model()
    team, _ = Team.objects.get_or_create(name="Bench agenda")
    users = list(User.objects.filter(team=team).order_by("pk"))
    for i in range(len(users), reps):
        users.append(User.objects.create_user(f"bench-agenda-{i}", password="x", role="sales_rep", team=team,
                                              first_name="Rep", last_name=str(i)))
    have = Appointment.objects.filter(owner__team=team).count()
    if have >= n:
        return users
    rng = random.Random(4)
    parties = list(Party.objects.filter(owner__in=users).values_list("pk", flat=True)[:2000])
    while len(parties) < 200:
        parties.append(person(owner=rng.choice(users)).pk)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for _ in range(n - have):
        start = now + dt.timedelta(days=rng.randrange(-56, 364), hours=rng.randrange(-4, 8))
        rows.append(Appointment(owner=rng.choice(users), team=team,
                                title="Bilan", start=start, end=start + dt.timedelta(minutes=rng.choice((30, 60, 90))),
                                party_id=rng.choice(parties), channel=rng.choice(("visit", "phone", "office"))))
    created = Appointment.objects.bulk_create(rows, batch_size=5000)
    Through = Appointment.attendees.through
    Through.objects.bulk_create([Through(appointment_id=a.pk, user_id=rng.choice(users).pk)
                                 for a in created if rng.random() < 0.2], ignore_conflicts=True, batch_size=5000)
    return users


def main() -> None:
    args = parse_args()
    common.ensure_database(args.database_url)
    common.setup_django(args.database_url)
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from fidelia.agenda import services
    from fidelia.agenda.grid import grid_days
    from fidelia.agenda.layout import day_bounds
    from fidelia.agenda.models import Appointment

    setup_test_environment()  # the test client's host and the query log
    seconds, users = common.timed(lambda: seed(args.appointments, args.reps))
    busiest = (Appointment.objects.filter(owner__in=users).values("owner").annotate(n=Count("id"))
               .order_by("-n").first())
    rep = next(u for u in users if u.pk == busiest["owner"])
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start, end = day_bounds(grid_days(today, "week")[0], tz)[0], day_bounds(grid_days(today, "week")[-1], tz)[1]
    week_rows = Appointment.objects.filter(owner=rep, start__lt=end, end__gt=start).count()
    print(f"team: {len(users)} reps, {Appointment.objects.filter(owner__in=users).count():,} appointments "
          f"(seeded in {seconds:.1f} s); busiest rep: {busiest['n']:,}, {week_rows} this week")

    client = Client()
    client.force_login(rep)
    url = f"/agenda/?calendar={rep.pk}"
    assert client.get(url).status_code == 200
    week = statistics.median(common.timed(lambda: client.get(url))[0] for _ in range(9))
    raw = services.feed_rotate(user=rep)
    feed_url = f"/agenda/feed/{raw}.ics"
    feed = statistics.median(common.timed(lambda: Client().get(feed_url))[0] for _ in range(5))
    size = len(Client().get(feed_url).content)

    def naive() -> int:
        shown = 0
        for a in Appointment.objects.filter(owner=rep):
            if a.start < end and a.end > start:
                _ = (a.party.display_name if a.party_id else "", [u.pk for u in a.attendees.all()])
                shown += 1
        return shown

    baseline, _ = common.timed(naive)
    print(f"week view: {week * 1000:.1f} ms median (its query count is pinned by the tests)")
    print(f"feed: {feed * 1000:.1f} ms median, {size / 1024:.0f} KiB")
    print(f"baseline (naive week fetch, no rendering): {baseline * 1000:.1f} ms; ratio baseline / week view: "
          f"{baseline / week:.1f}×")


if __name__ == "__main__":
    main()
