"""Reads of deduplication: the parties a scan covers, the review queue, pairs and merges for a user."""
from __future__ import annotations

from django.db.models import QuerySet

from fidelia.parties.models import Party


def active_parties() -> QuerySet[Party]:
    """Parties a duplicate may be found among: not anonymised, not merged into another."""
    return Party.objects.filter(erased_at__isnull=True, merged_into__isnull=True)
