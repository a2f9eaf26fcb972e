"""Announcing a change to the apps built on top, once it is committed.

Lower apps (sales, service, surveys) cannot call the apps that import them (loyalty, customer value,
attrition, marketing); they define Django signals that those apps subscribe to in their
``AppConfig.ready``, and send them with :func:`send_after_commit`.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal


def send_after_commit(signal: Signal, *, party_ids: Iterable[int | None], **object_ids: Iterable[int]) -> None:
    """Send ``signal(party_ids=[…], <name>=[…])`` once the current transaction commits (at once
    outside a transaction), so a receiver never sees a change that was rolled back and cannot undo
    it. Customers are deduplicated and sorted; nothing is sent without a customer."""
    parties = sorted({int(p) for p in party_ids if p is not None})
    if not parties:
        return
    objects = {name: list(ids) for name, ids in object_ids.items()}
    transaction.on_commit(lambda: signal.send(sender=None, party_ids=parties, **objects))
