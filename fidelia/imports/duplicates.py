"""Duplicate detection for imported parties, behind one function so the matcher can be swapped.

`find_duplicates` answers for a whole batch at once (a few queries per batch, not per row):
1. blocking in the database: parties sharing an e-mail, phone or SIREN with a row of the batch,
   a last name (either name, for swapped first/last names) with the same postcode or birth date,
   a first name with the same birth date (a typo in the last name), or the same folded full name; each row is judged only against its own candidates, so the
   verdict never depends on the other rows of the batch;
2. scoring with the deduplication app's matcher (`fidelia.dedup.matching.link`), the one behind
   the whole-base scan and the creation warning, so all three agree. Without that app, the exact
   keys and the same name with the same postcode or birth date decide.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fidelia.core.text import fold
from fidelia.imports.bulk import among
from fidelia.parties.models import Email, Party, Phone


@dataclass(frozen=True)
class Probe:
    """What is known of one incoming party."""

    email: str = ""
    phone: str = ""
    siren: str = ""
    sort_name: str = ""
    postcode: str = ""
    birth_date: dt.date | None = None
    kind: str = "person"
    first_name: str = ""
    last_name: str = ""
    legal_name: str = ""
    street: str = ""
    city: str = ""
    siret: str = ""


@dataclass(frozen=True)
class Match:
    party_id: int
    reason: str


MAX_BLOCK = 20_000  # candidate parties scored per batch at most


def _matcher():  # type: ignore[no-untyped-def]
    try:
        from fidelia.dedup import matching
    except ImportError:
        return None
    return matching if hasattr(matching, "link") and hasattr(matching, "records_for_ids") else None


def find_duplicates(probes: Sequence[Probe]) -> list[list[Match]]:
    """For each probe, the parties already on file that look like it (best first)."""
    if not probes:
        return []
    matching = _matcher()
    if matching is None:
        return _exact(probes)
    ids = _blocking_ids(probes)
    if not ids:
        return [[] for _p in probes]
    existing = matching.records_for_ids(ids)
    # Only the rows that share a blocking key with some candidate can have a match: the others
    # (most of a file of new customers) are not scored at all.
    scored = _with_candidates(probes, existing)
    new = [matching.PartyRecord(
        key=f"row:{i}", kind=p.kind, first_name=p.first_name, last_name=p.last_name,
        name=p.legal_name if p.kind == "organisation" else "", birth_date=p.birth_date, street=p.street,
        postcode=p.postcode, city=p.city, email=p.email, phone=p.phone, siren=p.siren, siret=p.siret)
        for i, p in enumerate(probes) if i in scored]
    linked = matching.link(new, existing)
    labels = getattr(matching, "REASON_LABELS", {})
    by_id = {r.key: r for r in existing}
    # Only the candidates a row's own blocking finds: the verdict on a row must not depend on the
    # other rows of its batch (a resumed or repeated import decides exactly the same).
    return [[Match(m.b, ", ".join(str(labels.get(r, r)) for r in m.reasons[:3]) or _("similar"))
             for m in linked.get(f"row:{i}", []) if m.b in by_id and _blocked(p, by_id[m.b])]
            for i, p in enumerate(probes)]


def _with_candidates(probes: Sequence[Probe], existing: Sequence[Any]) -> set[int]:
    """Indexes of the probes for which `_blocked` holds with at least one of `existing` (matcher
    records), found through dictionaries of the same keys instead of every probe against every
    record."""
    keys: set[tuple[Any, ...]] = set()
    for o in existing:
        last, first = fold(o.last_name or "").upper(), fold(o.first_name or "").upper()
        keys.update({("e", (o.email or "").lower()), ("t", o.phone), ("s", o.siren), ("lp", last, o.postcode),
                     ("lb", last, o.birth_date), ("fb", first, o.birth_date),
                     ("n", fold(o.name or f"{o.first_name} {o.last_name}"))})
    found: set[int] = set()
    for i, p in enumerate(probes):
        names = {fold(n).upper() for n in (p.last_name, p.first_name) if n}
        wanted = [("e", p.email.lower()) if p.email else None, ("t", p.phone) if p.phone else None,
                  ("s", p.siren) if p.siren else None, ("n", p.sort_name) if p.sort_name else None]
        for name in names:
            if p.postcode:
                wanted.append(("lp", name, p.postcode))
            if p.birth_date:
                wanted += [("lb", name, p.birth_date), ("fb", name, p.birth_date)]
        if any(k in keys for k in wanted if k is not None):
            found.add(i)
    return found


def _blocked(p: Probe, other: object) -> bool:
    """Whether `other` (a matcher record) is among the parties `_blocking_ids` fetches for `p`."""
    o = other  # PartyRecord of the deduplication app
    if (p.email and p.email.lower() == (o.email or "").lower()) or (p.phone and p.phone == o.phone):  # type: ignore[attr-defined]
        return True
    if p.siren and p.siren == o.siren:  # type: ignore[attr-defined]
        return True
    names = {fold(n).upper() for n in (p.last_name, p.first_name) if n}
    same_birth = bool(p.birth_date) and p.birth_date == o.birth_date  # type: ignore[attr-defined]
    same_place = (bool(p.postcode) and p.postcode == o.postcode) or same_birth  # type: ignore[attr-defined]
    if names and fold(o.last_name or "").upper() in names and same_place:  # type: ignore[attr-defined]
        return True
    if same_birth and fold(o.first_name or "").upper() in names:  # type: ignore[attr-defined]
        return True
    other_name = fold(o.name or f"{o.first_name} {o.last_name}")  # type: ignore[attr-defined]
    return bool(p.sort_name) and p.sort_name == other_name


def _blocking_ids(probes: Sequence[Probe]) -> set[int]:
    """Parties worth scoring against the batch: for each row, those sharing its e-mail, phone,
    SIREN or folded full name, a name (last or first, for swapped names) with its postcode or
    birth date, or its first name with its birth date. Indexed or hash-joined lookups only: each
    row's own (name, place) pairs, never every name of the batch with every place of the batch,
    which on a large base sends most of it to the matcher for every batch."""
    emails = {p.email.lower() for p in probes if p.email}
    phones = {p.phone for p in probes if p.phone}
    sirens = {p.siren for p in probes if p.siren}
    names = {p.sort_name for p in probes if p.sort_name}
    ids: set[int] = set()
    if emails:
        ids.update(Email.objects.filter(among("normalized", emails)).values_list("party_id", flat=True)[:MAX_BLOCK])
    if phones:
        ids.update(Phone.objects.filter(among("number", phones)).values_list("party_id", flat=True)[:MAX_BLOCK])
    if names or sirens:
        ids.update(Party.objects.filter(among("sort_name", names) | among("siren", sirens))
                   .values_list("id", flat=True)[:MAX_BLOCK])
    ids |= _pairs_ids(*_row_pairs(probes))
    return set(sorted(ids)[:MAX_BLOCK])


def _row_pairs(probes: Sequence[Probe]) -> tuple[set[tuple[str, str]], set[tuple[str, dt.date]]]:
    """Each row's (name, postcode) and (name, birth date) pairs, for either of its names and each
    way the name may be stored (as written, folded capitals, folded title case)."""
    by_postcode: set[tuple[str, str]] = set()
    by_birth: set[tuple[str, dt.date]] = set()
    for p in probes:
        for n in (p.last_name, p.first_name):
            if not n:
                continue
            folded = fold(n).upper()
            for form in {n, folded, folded.title()}:
                if p.postcode:
                    by_postcode.add((form, p.postcode))
                if p.birth_date:
                    by_birth.add((form, p.birth_date))
    return by_postcode, by_birth


PAIRS_PER_QUERY = 4_000


def _pairs_ids(by_postcode: set[tuple[str, str]], by_birth: set[tuple[str, dt.date]]) -> set[int]:
    """Ids of the parties whose (last name, postcode), (last name, birth date) or (first name,
    birth date) is one of the rows' pairs. On PostgreSQL one query per batch, the pairs sent as
    arrays: one pass over the parties with three hash lookups (no index on names), where one query
    per pair kind with thousands of placeholders cost a pass each and seconds of query building."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return (_pair_ids("last_name", "postcode", by_postcode) | _pair_ids("last_name", "birth_date", by_birth)
                | _pair_ids("first_name", "birth_date", by_birth))
    if not by_postcode and not by_birth:
        return set()
    table = connection.ops.quote_name(Party._meta.db_table)
    names, postcodes = [n for n, _p in by_postcode], [p for _n, p in by_postcode]
    birth_names, births = [n for n, _b in by_birth], [b for _n, b in by_birth]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE (last_name, postcode) IN (SELECT * FROM unnest(%s::text[], %s::text[]))"  # noqa: S608
            " OR (last_name, birth_date) IN (SELECT * FROM unnest(%s::text[], %s::date[]))"
            " OR (first_name, birth_date) IN (SELECT * FROM unnest(%s::text[], %s::date[]))",
            [names, postcodes, birth_names, births, birth_names, births])
        return {row[0] for row in cursor.fetchall()}


def _pair_ids(column: str, other: str, pairs: set[tuple[str, Any]]) -> set[int]:
    """Ids of the parties whose (`column`, `other`) is one of `pairs` (row values joined with a
    VALUES list; the column names are constants of this module, never user input). SQLite."""
    from django.db import connection

    cast = "::date" if other == "birth_date" and connection.vendor == "postgresql" else ""
    table = connection.ops.quote_name(Party._meta.db_table)
    items = sorted(pairs, key=str)
    ids: set[int] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(items), PAIRS_PER_QUERY):
            chunk = items[start:start + PAIRS_PER_QUERY]
            values = ", ".join(f"(%s, %s{cast})" for _pair in chunk)
            cursor.execute(f"SELECT id FROM {table} WHERE ({column}, {other}) IN (VALUES {values})",  # noqa: S608
                           [x for a, b in chunk for x in (a, b.isoformat() if isinstance(b, dt.date) else b)])
            ids.update(row[0] for row in cursor.fetchall())
    return ids


def _exact(probes: Sequence[Probe]) -> list[list[Match]]:
    found: list[list[Match]] = [[] for _p in probes]
    emails = {p.email.lower(): i for i, p in enumerate(probes) if p.email}
    phones = {p.phone: i for i, p in enumerate(probes) if p.phone}
    sirens = {p.siren: i for i, p in enumerate(probes) if p.siren}
    names = {p.sort_name for p in probes if p.sort_name and (p.postcode or p.birth_date)}
    if emails:
        for pid, key in Email.objects.filter(normalized__in=list(emails)).values_list("party_id", "normalized"):
            found[emails[key]].append(Match(pid, _("same e-mail")))
    if phones:
        for pid, key in Phone.objects.filter(number__in=list(phones)).values_list("party_id", "number"):
            found[phones[key]].append(Match(pid, _("same phone")))
    if sirens:
        for pid, key in Party.objects.filter(siren__in=list(sirens)).values_list("id", "siren"):
            found[sirens[key]].append(Match(pid, _("same SIREN")))
    if names:
        by_name: dict[str, list[tuple[int, str, dt.date | None]]] = {}
        for pid, name, postcode, birth in Party.objects.filter(sort_name__in=list(names), erased_at__isnull=True).values_list(
                "id", "sort_name", "postcode", "birth_date"):
            by_name.setdefault(name, []).append((pid, postcode, birth))
        for i, p in enumerate(probes):
            for pid, postcode, birth in by_name.get(p.sort_name, []):
                if p.birth_date and birth == p.birth_date:
                    found[i].append(Match(pid, _("same name and birth date")))
                elif p.postcode and postcode == p.postcode:
                    found[i].append(Match(pid, _("same name and postcode")))
    return found
