"""Personal data held by deduplication, for the privacy registry.

- Candidate pairs hold two party ids, a score and reasons (which fields agree): personal data of
  both parties. Merge records hold a snapshot of both files' values (for the undo).
- A merged-away file keeps its row (hidden) so the merge can be undone: it is the same person's
  data and is exported and erased with the surviving file.
- Retention (`duplicate_reviews`, 12 months by default): reviewed pairs and merge records older
  than the policy are deleted — after that a merge can no longer be undone — and the merged-away
  files they kept are anonymised.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from fidelia.dedup.enums import PairStatus
from fidelia.dedup.models import DuplicateCandidate, Merge
from fidelia.parties.models import Party
from fidelia.privacy.registry import (
    PrivacyHooks,
    RetentionOutcome,
    register,
    register_retention,
    registered,
)

RETENTION_KEY = "duplicate_reviews"


def _merged_away(party_id: int) -> list[int]:
    """Files merged (directly or through a chain) into `party_id`."""
    found, frontier = [], [party_id]
    while frontier:
        ids = list(Party.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        found += ids
        frontier = ids
    return found


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    pairs = DuplicateCandidate.objects.filter(Q(party_a_id=party_id) | Q(party_b_id=party_id))
    merges = Merge.objects.filter(Q(survivor_id=party_id) | Q(loser_id=party_id))
    out: dict[str, list[dict[str, Any]]] = {
        "possible_duplicates": [
            {"score": p.score, "reasons": p.reasons, "status": p.status, "found_at": p.created_at.isoformat()}
            for p in pairs],
        "merges": [
            {"merged_at": m.merged_at.isoformat(), "undone_at": m.undone_at.isoformat() if m.undone_at else None,
             "survived": m.survivor_id == party_id, "values_before": m.snapshot.get(
                 "survivor_before" if m.survivor_id == party_id else "loser_values", {})}
            for m in merges],
    }
    # The files merged into this one are this person's too: their own data, section by section.
    for loser_id in _merged_away(party_id):
        for hooks in registered():
            if hooks.app_label == "dedup":
                continue
            for section, rows in hooks.export(loser_id).items():
                if rows:
                    out.setdefault(f"merged_file_{section}", []).extend(rows)
    return out


def erase(party_id: int) -> int:
    """Delete the pairs and merge records naming the party, and anonymise the files merged into it."""
    changed = 0
    for loser_id in _merged_away(party_id):
        for hooks in registered():
            if hooks.app_label != "dedup":
                changed += hooks.erase(loser_id)
        changed += _delete_records(loser_id)
    return changed + _delete_records(party_id)


def _delete_records(party_id: int) -> int:
    n = DuplicateCandidate.objects.filter(Q(party_a_id=party_id) | Q(party_b_id=party_id)).delete()[0]
    return n + Merge.objects.filter(Q(survivor_id=party_id) | Q(loser_id=party_id)).delete()[0]


def reviews_past(policy: Any, *, now: dt.datetime, apply: bool) -> RetentionOutcome:
    """Reviewed pairs and merges older than the cutoff; the merged-away files they kept are anonymised."""
    from fidelia.privacy.services import subject_erase

    cutoff = policy.cutoff(now)
    pairs = DuplicateCandidate.objects.filter(reviewed_at__lt=cutoff).exclude(status=PairStatus.OPEN)
    merges = Merge.objects.filter(Q(undone_at__lt=cutoff) | Q(undone_at__isnull=True, merged_at__lt=cutoff))
    matched = pairs.count() + merges.count()
    if not apply:
        return RetentionOutcome(policy.key, matched, 0)
    losers = list(merges.filter(undone_at__isnull=True).values_list("loser_id", flat=True))
    acted = pairs.delete()[0] + merges.delete()[0]
    for loser_id in Party.objects.filter(pk__in=losers, erased_at__isnull=True).values_list("pk", flat=True):
        subject_erase(party_id=loser_id)
    return RetentionOutcome(policy.key, matched, acted)


def register_hooks() -> None:
    # Runs before the parties' own erasure (order 0) and after the apps that read the file.
    register(PrivacyHooks(app_label="dedup", export=export, erase=erase, order=120))
    register_retention(RETENTION_KEY, reviews_past)
