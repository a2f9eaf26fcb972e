"""No lost update through the API: concurrent PATCHes of one customer on real PostgreSQL.

Eight API clients (threads, each with its own database connection) read the same customer with
its ETag, wait for each other, then PATCH a different field with If-Match. For each version
exactly one write succeeds and the others get 412; those retry from a fresh read. In the end the
version counts every success and every successful write's value is in the row.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from fidelia.accounts.services import api_token_create
from fidelia.core.testing import Personas
from fidelia.parties.models import Party
from fidelia.parties.tests import factories
from tests.api.conftest import ApiClient

# one field per client, each with the value it writes (and how the row holds it)
WRITES: dict[str, tuple[Any, Any]] = {
    "job_title": ("Pilote", "Pilote"),
    "notes": ("Rappeler en mai", "Rappeler en mai"),
    "csp": ("3", "3"),
    "preferred_channel": ("email", "email"),
    "civility": ("mrs", "mrs"),
    "first_name": ("Élodie", "Élodie"),
    "income_bracket": ("gt120", "gt120"),
    "customer_since": ("2020-02-03", "2020-02-03"),
}


@dataclass
class Attempt:
    field: str
    version_read: int
    status: int


def _round(tokens: dict[str, str], pk: int, pending: list[str]) -> list[Attempt]:
    """Every pending client reads, all wait at a barrier, then all PATCH at once."""
    barrier = threading.Barrier(len(pending))
    attempts: list[Attempt] = []
    lock = threading.Lock()

    def client(field: str) -> None:
        try:
            api = ApiClient(tokens[field])
            read = api.get(f"/api/parties/{pk}")
            etag = read["ETag"]
            barrier.wait(timeout=30)
            response = api.patch_json(f"/api/parties/{pk}", {field: WRITES[field][0]}, headers={"If-Match": etag})
            with lock:
                attempts.append(Attempt(field, int(etag.strip('"')), response.status_code))
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=client, args=(field,)) for field in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(attempts) == len(pending), "a client thread failed"
    return attempts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_api_patches_never_lose_a_write(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's real concurrency")
    party = factories.person(owner=personas.alice, first_name="Elodie", last_name="Concurrente")
    assert party.version == 1
    tokens = {field: api_token_create(user=personas.alice, name=f"client {field}")[1] for field in WRITES}
    pending, successes, rounds = list(WRITES), 0, 0
    while pending:
        rounds += 1
        attempts = _round(tokens, party.pk, pending)
        assert {a.status for a in attempts} <= {200, 412}, attempts
        by_version: dict[int, list[Attempt]] = {}
        for attempt in attempts:
            by_version.setdefault(attempt.version_read, []).append(attempt)
        for version, group in by_version.items():
            # exactly one write per version read succeeds; the others are told they are stale
            assert [a.status for a in group].count(200) == 1, (version, group)
        won = [a.field for a in attempts if a.status == 200]
        successes += len(won)
        pending = [field for field in pending if field not in won]
        assert rounds <= len(WRITES)
    fresh = Party.objects.get(pk=party.pk)
    assert successes == len(WRITES)
    assert fresh.version == 1 + successes
    for field, (_sent, stored) in WRITES.items():  # no successful write was lost
        assert str(getattr(fresh, field)) == stored, field
    assert fresh.last_name == "Concurrente"  # fields nobody wrote are untouched
