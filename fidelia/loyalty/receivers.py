"""Loyalty listens to sales: points and referral rewards as soon as a purchase or a contract is
recorded, instead of waiting for the daily run.

Sales sends its signals after the recording transaction commits; the work goes to a Celery task
taking ids (run in-process in the embedded mode), in chunks, since one import may announce
thousands of purchases at once. A failure here must never break the purchase, which is already
saved: it is logged, and the daily run (idempotent, same source keys) catches up.
"""
from __future__ import annotations

import logging
from itertools import zip_longest
from typing import Any

from fidelia.sales.signals import contracts_signed, purchases_recorded

logger = logging.getLogger(__name__)
TASK_CHUNK = 5000  # ids per task: a small message, a statement set the database digests quickly


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + TASK_CHUNK] for i in range(0, len(ids), TASK_CHUNK)]


def _queue(party_ids: list[int], transaction_ids: list[int]) -> None:
    from fidelia.loyalty.tasks import loyalty_sales_task

    for parties, purchases in zip_longest(_chunks(list(party_ids)), _chunks(list(transaction_ids)), fillvalue=[]):
        try:
            loyalty_sales_task.delay(parties, purchases)
        except Exception:  # the purchase is saved; the daily run will catch up
            logger.exception("Loyalty could not handle %d purchases of %d customers at once; the daily run will.",
                             len(purchases), len(parties))


def on_purchases_recorded(sender: Any, *, party_ids: list[int], transaction_ids: list[int], **_kw: Any) -> None:
    _queue(party_ids, transaction_ids)


def on_contracts_signed(sender: Any, *, party_ids: list[int], **_kw: Any) -> None:
    _queue(party_ids, [])


def connect() -> None:
    purchases_recorded.connect(on_purchases_recorded, dispatch_uid="loyalty.purchases_recorded")
    contracts_signed.connect(on_contracts_signed, dispatch_uid="loyalty.contracts_signed")
