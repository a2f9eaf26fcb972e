"""Queueing the rescoring of a few customers after an event (a purchase, a complaint, a survey answer).

Receivers of other apps' signals call `queue(task, party_ids, kind=...)`: the ids are deduplicated
and sent in chunks of `CHUNK` (an import announces thousands at once). Bursts are coalesced when the
cache is shared between the web and worker processes (Redis, `FIDELIA_CACHE_URL`) and tasks go to
a real worker: a customer whose rescoring of this kind is already waiting is not queued again. The
task calls `claim` *before* reading the data, so an event committed after the claim queues a new
task and an event committed before it is seen by the running one: nothing is missed. Without a
shared cache (or with tasks run in-process) every signal queues its own task.

Queueing never fails the caller: the signal is sent after the purchase (or case, or answer) was
committed, and a broker that cannot be reached only delays the new figures to the nightly run.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

log = logging.getLogger(__name__)

CHUNK = 5000
# A waiting customer is forgotten after this long even if its task never ran (broker lost it).
PENDING_SECONDS = 600
# Signals about more customers than this (imports) skip the per-customer bookkeeping: they are
# rarely repeated for the same customers, and one cache round-trip per customer would cost more.
COALESCE_UP_TO = 100


def _shared_cache() -> bool:
    """Whether the web and worker processes see the same cache (not the per-process memory one)."""
    return not isinstance(caches["default"], (LocMemCache, DummyCache))


def _key(kind: str, party_id: int) -> str:
    return f"fidelia:rescore:{kind}:{party_id}"


def _coalescing(task: Any) -> bool:
    if getattr(task.app.conf, "task_always_eager", False):
        return False  # run at once in this process: nothing waits
    return _shared_cache()


def chunks(party_ids: Iterable[int], size: int = CHUNK) -> list[list[int]]:
    ids = sorted({int(p) for p in party_ids})
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def queue(task: Any, party_ids: Iterable[int], *, kind: str) -> int:
    """Queue `task(party_ids)` for these customers; returns the number of customers queued."""
    ids = sorted({int(p) for p in party_ids})
    coalesce = _coalescing(task) and len(ids) <= COALESCE_UP_TO
    if coalesce:
        ids = [p for p in ids if cache.add(_key(kind, p), 1, PENDING_SECONDS)]
    queued = 0
    for chunk in chunks(ids):
        try:
            task.delay(chunk)
            queued += len(chunk)
        except Exception:  # noqa: BLE001 — the event is committed; the nightly run catches up
            log.exception("Rescoring (%s) of %d customers could not be queued", kind, len(chunk))
            if coalesce:
                cache.delete_many([_key(kind, p) for p in chunk])
    return queued


def claim(kind: str, party_ids: Iterable[int]) -> None:
    """Called by the task before it reads anything: later events queue a new task."""
    keys = [_key(kind, int(p)) for p in party_ids]
    if keys and _shared_cache():
        try:
            cache.delete_many(keys)
        except Exception:  # noqa: BLE001 — a cache outage must not stop the rescoring itself
            log.exception("Could not clear the pending rescoring marks (%s)", kind)
