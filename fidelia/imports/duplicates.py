"""Duplicate detection for imported parties, behind one function so the matcher can be swapped.

`find_duplicates` answers for a whole batch at once (a few queries per batch, not per row). It
uses `fidelia.dedup.matching` when that module offers `match_candidates`; otherwise exact keys
(e-mail, phone, SIREN) and the folded name with the same postcode or birth date.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

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


@dataclass(frozen=True)
class Match:
    party_id: int
    reason: str


def _external_matcher():  # type: ignore[no-untyped-def]
    try:
        from fidelia.dedup import matching
    except ImportError:
        return None
    return getattr(matching, "match_candidates", None)


def find_duplicates(probes: Sequence[Probe]) -> list[list[Match]]:
    """For each probe, the parties already on file that look like it (best reasons first)."""
    external = _external_matcher()
    if external is not None:
        return external(probes)
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
