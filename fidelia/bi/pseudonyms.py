"""Pseudonymous party ids for the BI feed: stable across exports, not reversible.

`pseudo_id = HMAC-SHA256(key, "party:<id>")`, the first 32 hex digits. The key is
`settings.FIDELIA_BI_SALT` when set, otherwise derived from the secret key (as the suppression
list's salt is): without the key, the ids of a feed cannot be turned back into party ids, even by
trying every id. Changing the key changes every pseudonymous id (a warehouse then reloads).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction

from fidelia.bi.models import PartyPseudonym
from fidelia.parties.models import Party

BATCH = 5000


def bi_key() -> bytes:
    salt = getattr(settings, "FIDELIA_BI_SALT", "") or f"fidelia-bi:{settings.SECRET_KEY}"
    return salt.encode()


def pseudonym(party_id: int, *, key: bytes | None = None) -> str:
    return hmac.new(key or bi_key(), f"party:{party_id}".encode(), hashlib.sha256).hexdigest()[:32]


def pseudonyms_refresh() -> int:
    """Give every party without a pseudonym its own; erased parties get a random one (see the model).
    Returns how many were created. Idempotent, in batches, safe to run concurrently (conflicts ignored)."""
    key, created = bi_key(), 0
    missing = Party.objects.filter(bi_pseudonym__isnull=True).values_list("pk", "erased_at").order_by("pk")
    while batch := list(missing[:BATCH]):
        rows = [PartyPseudonym(party_id=pk, erased=erased is not None,
                               pseudo_id=secrets.token_hex(16) if erased else pseudonym(pk, key=key))
                for pk, erased in batch]
        with transaction.atomic():
            PartyPseudonym.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
    return created


def pseudonym_forget(party_id: int) -> int:
    """Unlink an erased party from the feed rows exported before: its pseudonym becomes random."""
    return PartyPseudonym.objects.filter(party_id=party_id, erased=False).update(
        pseudo_id=secrets.token_hex(16), erased=True)
