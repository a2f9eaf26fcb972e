"""Benchmark of the import on PostgreSQL: 100,000 party rows with validation and duplicate detection.

    .venv/bin/python benchmarks/imports.py [--database-url postgres://postgres@127.0.0.1:5432/fidelia_bench_imports] \
        [--rows 100000] [--existing 20000] [--baseline-rows 200]

Steps, in one run on the same database (created if missing, emptied of parties first):
1. an existing base of `--existing` parties is loaded through the import (timed, not the target);
2. a file of `--rows` persons (French names, e-mails, mobile numbers, addresses, birth dates in
   French formats) is generated: 1 % invalid rows (31/02 dates, broken e-mails), 2 % repeats
   within the file, 2 % people already in the base (same e-mail) and 1 % same name and postcode
   as someone in the base (duplicate detection);
3. the dry run and the import (per batch of 1,000) are timed: the target is the import < 60 s;
4. baseline: the same rows created one by one through `party_create` (the service the web form
   uses, with its duplicate search) on `--baseline-rows` rows; rows/s and the ratio are printed.
The machine is shared: the ratio to the baseline measured in the same run is the stable figure.

Measured on 1 December 2026, 2 cores shared with other sessions' test runs and a million-party
deduplication benchmark (load average 6.5–6.7 throughout, so this process had about a third of a
core): 100,000 rows: dry run 65.1 s (1,537 rows/s), import 191.7 s (522 rows/s; 92,221 created,
1,807 unchanged, 4,934 duplicates, 1,038 errors), `party_create` one by one 0.9 rows/s: import 558×,
dry run 1,643× the baseline. 10,000 rows: dry run 9.5 s (1,052 rows/s), import 10.9 s (920 rows/s),
baseline 3.7 rows/s, import 246×. With the load at 1.3–1.8 the same 100,000 rows took 27 s (dry run)
and 64 s (import) before the candidates' lookup by key and the prepared-record cache; with all
changes and the load at 4–5.5: 39 s and 96 s (1,037 rows/s), the Python process using 58 s of CPU
for setting up, dry run and import together (the rest is waiting for a core and for PostgreSQL).
Same day, quiet machine (load average 1.0): import 62.9 s; then with names folded once per
distinct value (`fidelia.core.text.fold` cached; the import folded 1.4 million strings): dry run
25.1 s (3,983 rows/s), import 58.6 s (1,706 rows/s; target 60 s, met), 814× the one-by-one
baseline (2.1 rows/s), load average 1.5 at the end.
"""
from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path
from urllib.parse import urlparse

from common import ensure_database, setup_django  # noqa: E402  (benchmarks/common.py)

ROOT = Path(__file__).resolve().parents[1]
FIRST = ["Jean", "Marie", "Pierre", "Sophie", "Luc", "Élodie", "Nicolas", "Camille", "Julien", "Chloé", "Thomas",
         "Léa", "Antoine", "Manon", "Hugo", "Inès", "Louis", "Zoé", "Paul", "Clara"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
        "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand"]
CITIES = [("69002", "Lyon"), ("75011", "Paris"), ("13001", "Marseille"), ("31000", "Toulouse"), ("33000", "Bordeaux"),
          ("59000", "Lille"), ("44000", "Nantes"), ("67000", "Strasbourg")]
HEADER = "Code client;Civilité;Prénom;Nom;Date de naissance;Email;Téléphone;Adresse;Code postal;Ville"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fidelia_bench_imports"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--baseline-rows", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=1_000)
    args = parser.parse_args()
    if urlparse(args.database_url).scheme not in {"postgres", "postgresql"}:
        parser.error("--database-url must be a postgres:// URL: the benchmark measures PostgreSQL")
    return args


SYLLABLES = ["ber", "nard", "mo", "reau", "du", "pont", "gi", "rard", "le", "roy", "fa", "vre", "bou", "cher", "ro",
             "bin", "gar", "nier", "che", "val", "lier", "mar", "tin", "ma", "thieu", "co", "lin", "ri", "chard", "bla"]
POSTCODES = [f"{d:02d}{n:03d}" for d in (1, 6, 13, 31, 33, 35, 44, 59, 67, 69, 75, 92, 93, 94) for n in (0, 100, 200, 300, 400)]


def person(i: int, rng: random.Random, prefix: str) -> list[str]:
    """A plausible, mostly distinct French person: a common first name, a last name of 2–3 syllables
    (about 27,000 of them), a birth date over 65 years, one of 70 postcodes."""
    first = rng.choice(FIRST)
    last = "".join(rng.choice(SYLLABLES) for _s in range(rng.choice((2, 2, 3)))).capitalize()
    postcode = rng.choice(POSTCODES)
    city = CITIES[int(postcode[:2]) % len(CITIES)][1]
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2005)
    short = f"{day:02d}-{month:02d}-{year % 100:02d}" if year >= 1950 else f"{day:02d}.{month:02d}.{year}"
    birth = rng.choice([f"{day:02d}/{month:02d}/{year}", short, f"{year}-{month:02d}-{day:02d}"])
    civility = rng.choice(["M.", "Mme", "Mlle", "1", "2"])
    return [f"{prefix}{i}", civility, first, last, birth, f"{first.lower()}.{last.lower()}.{i}.{prefix.lower()}@example.fr",
            f"06 {i // 1000000 % 100:02d} {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}",
            f"{1 + i % 120} rue de la République", postcode, city]


def make_file(rows: int, existing: list[list[str]], seed: int) -> bytes:
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(rows):
        row = person(i + 500_000, rng, "N")
        roll = rng.random()
        if roll < 0.005:
            row[4] = "31/02/1980"
        elif roll < 0.01:
            row[5] = "pas-un-email"
        elif roll < 0.03 and i > 0:
            row = list(lines[-1].split(";"))
            row[0] = f"N{i}b"
        elif roll < 0.05 and existing:
            row = list(rng.choice(existing))
            row[0] = f"N{i}e"  # same person (same e-mail) under another id: matched, then unchanged or updated
        elif roll < 0.06 and existing:
            other = rng.choice(existing)
            row[2], row[3], row[4], row[8], row[9] = other[2], other[3], other[4], other[8], other[9]  # same name + place
            row[7] = other[7]
        lines.append(";".join(row))
    return ("\n".join(lines) + "\n").encode()


def timed_import(actor, data: bytes, name: str, batch_size: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    from fidelia.imports import services

    start = time.perf_counter()
    run = services.import_run_create(actor=actor, filename=name, data=data, target="parties", source="bench")
    run = services.import_run_configure(run=run, actor=actor, batch_size=batch_size)
    run = services.import_run_dry_run(run=run, actor=actor)
    checked = time.perf_counter()
    run = services.import_run_start(run=run, actor=actor)
    run = services.import_run_execute(run_id=run.pk)
    return checked - start, time.perf_counter() - checked, run


def baseline(actor, data: bytes, count: int) -> float:  # type: ignore[no-untyped-def]
    """Rows/s of the same rows created one by one through the parties service."""
    from fidelia.core.errors import DomainError
    from fidelia.imports.transforms import CellError, parse_civility, parse_date
    from fidelia.parties.services import AddressInput, party_create

    lines = data.decode().splitlines()[1:count + 1]
    start = time.perf_counter()
    for line in lines:
        ext, civ, first, last, birth, email, phone, line1, postcode, city = line.split(";")
        try:
            party_create(actor=actor, kind="person", civility=parse_civility(civ), first_name=first, last_name=last,
                         birth_date=parse_date(birth), email=email, phone=phone,
                         address=AddressInput(line1=line1, postcode=postcode, city=city))
        except (DomainError, CellError):
            pass
    return len(lines) / (time.perf_counter() - start)


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    from fidelia.accounts.enums import Role
    from fidelia.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE parties_party, parties_searchterm, imports_importrun, imports_importedrecord, "
                       "core_activityevent RESTART IDENTITY CASCADE")
    actor = User.objects.filter(username="bench-importer").first() or User.objects.create_user(
        "bench-importer", password="bench-importer-password-1", role=Role.ADMIN)
    rng = random.Random(1)
    existing = [person(i, rng, "E") for i in range(args.existing)]
    existing_file = ("\n".join([HEADER, *(";".join(r) for r in existing)]) + "\n").encode()
    check, load, run = timed_import(actor, existing_file, "existing.csv", args.batch_size)
    print(f"existing base: {args.existing:,} parties loaded in {check + load:.1f} s (dry run {check:.1f} s)")

    data = make_file(args.rows, existing, seed=2)
    print(f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB")
    check, load, run = timed_import(actor, data, "bench.csv", args.batch_size)
    counts = ", ".join(f"{k} {v:,}" for k, v in run.counts.items() if v)
    verdict = "met" if load < 60 else "missed"
    print(f"dry run: {check:.1f} s ({args.rows / check:,.0f} rows/s)")
    print(f"import:  {load:.1f} s ({args.rows / load:,.0f} rows/s) — target < 60 s {verdict} — {counts}")
    print(f"dry run + import: {check + load:.1f} s")

    base_rate = baseline(actor, make_file(args.baseline_rows, [], seed=3).replace(b"N5", b"B5"), args.baseline_rows)
    print(f"baseline (party_create one by one, {args.baseline_rows:,} rows): {base_rate:,.1f} rows/s")
    print(f"ratio to baseline: import {args.rows / load / base_rate:,.0f}×, dry run {args.rows / check / base_rate:,.0f}×")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
