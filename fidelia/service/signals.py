"""What customer service announces to the apps built on it.

Attrition sits above service in the import order, so it cannot be called from here; it subscribes
instead (in its ``AppConfig.ready``). Signals are sent after the transaction commits, so a receiver
never sees a case that was rolled back and cannot undo it.

- ``complaints_changed(party_ids, case_ids)``: a customer's complaint was opened, or changed status
  (resolved, closed, reopened...).
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

complaints_changed = Signal()


def send_after_commit(signal: Signal, *, party_ids: Iterable[int | None], case_ids: Iterable[int]) -> None:
    """Send ``signal`` once the current transaction commits (at once outside a transaction)."""
    parties = sorted({int(p) for p in party_ids if p is not None})
    cases = list(case_ids)
    if parties:
        transaction.on_commit(lambda: signal.send(sender=None, party_ids=parties, case_ids=cases))
