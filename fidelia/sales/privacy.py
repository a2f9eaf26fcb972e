"""Contracts and transactions, for the privacy registry.

They carry no identity of their own (only the link to the party, which erasure anonymises) and
are kept under accounting duties (invoices: 10 years), so erasure leaves them as they are.
"""
from __future__ import annotations

from typing import Any

from fidelia.privacy.registry import PrivacyHooks, register
from fidelia.sales.models import Contract, Transaction


def _plain(rows: Any) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if v is not None and not isinstance(v, str | int | bool) else v)
             for k, v in r.items()} for r in rows]


def export(party_id: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "contracts": _plain(Contract.objects.filter(party_id=party_id).values(
            "reference", "product__name", "start_date", "end_date", "renewal_date", "status", "annual_amount")),
        "transactions": _plain(Transaction.objects.filter(party_id=party_id).values(
            "date", "product__name", "quantity", "amount", "channel")),
    }


def erase(party_id: int) -> int:
    return 0


def register_hooks() -> None:
    register(PrivacyHooks(app_label="sales", export=export, erase=erase))
