"""What surveys announce to the apps built on them.

Attrition sits above surveys in the import order, so it cannot be called from here; it subscribes
instead (in its ``AppConfig.ready``). Signals are sent after the transaction commits, so a receiver
never sees an answer that was rolled back and cannot undo it.

- ``answers_recorded(party_ids, response_ids)``: customers answered a survey (CSAT, NPS or custom).
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

answers_recorded = Signal()


def send_after_commit(signal: Signal, *, party_ids: Iterable[int], response_ids: Iterable[int]) -> None:
    """Send ``signal`` once the current transaction commits (at once outside a transaction)."""
    parties = sorted({int(p) for p in party_ids})
    responses = list(response_ids)
    if parties:
        transaction.on_commit(lambda: signal.send(sender=None, party_ids=parties, response_ids=responses))
