"""What the sales app announces to the apps built on it.

Sales sits below loyalty, customer value, attrition and marketing in the import order, so it cannot
call them; they subscribe here instead (in their ``AppConfig.ready``). Signals are sent after the
recording transaction commits, so a receiver never sees a purchase that was rolled back, and a
failing receiver cannot undo the purchase.

- ``purchases_recorded(party_ids, transaction_ids)``: purchases (or refunds) were recorded, one at
  a time or by an import batch.
- ``contracts_signed(party_ids, contract_ids)``: contracts were created.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

purchases_recorded = Signal()
contracts_signed = Signal()


def send_after_commit(signal: Signal, *, party_ids: Iterable[int], object_ids: Iterable[int]) -> None:
    """Send ``signal`` once the current transaction commits (at once outside a transaction)."""
    parties = sorted(set(party_ids))
    objects = list(object_ids)
    if not parties:
        return
    key = "transaction_ids" if signal is purchases_recorded else "contract_ids"
    transaction.on_commit(lambda: signal.send(sender=None, party_ids=parties, **{key: objects}))
