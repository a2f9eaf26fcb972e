"""Fetch step of attrition: SQL aggregates turned into the arrays of `methods.History`.

Purchases are positive transaction lines grouped per (customer, day) in the database; contracts
are read as (customer, start, end). Signals of other apps come through their selectors; an app
that does not offer its selector yet leaves its features at zero / unknown.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet, Sum

from fidelia.attrition.methods import NO_END, History
from fidelia.parties.models import Party
from fidelia.sales.enums import ContractStatus
from fidelia.sales.models import Contract, Transaction


def day(value: dt.date) -> int:
    return value.toordinal()


def customer_ids(scope: Q | None = None) -> np.ndarray:
    """Ids of every party that ever bought or held a contract (within `scope`, a Q over Party)."""
    parties = Party.objects.all() if scope is None else Party.objects.filter(scope)
    bought = Transaction.objects.filter(amount__gt=0, archived_at__isnull=True).values("party_id")
    held = Contract.objects.values("party_id")
    ids = parties.filter(Q(pk__in=bought) | Q(pk__in=held)).order_by("pk").values_list("pk", flat=True)
    return np.fromiter(ids.iterator(chunk_size=20000), dtype=np.int64)


def load_history(ids: np.ndarray) -> History:
    """Purchase days and contracts of the customers `ids` (sorted), indexed by position in `ids`."""
    index = {int(pk): i for i, pk in enumerate(ids)}
    rows = (Transaction.objects.filter(amount__gt=0, archived_at__isnull=True, party_id__in=_chunkless(ids))
            .values("party_id", "date").annotate(total=Sum("amount")).order_by("party_id", "date")
            .values_list("party_id", "date", "total"))
    tx = [(index[p], d.toordinal(), float(a)) for p, d, a in rows.iterator(chunk_size=50000) if p in index]
    ct = [(index[p], s.toordinal(), _contract_end(e, st, s))
          for p, s, e, st in Contract.objects.filter(party_id__in=_chunkless(ids))
          .values_list("party_id", "start_date", "end_date", "status").iterator(chunk_size=50000) if p in index]
    tx_a = np.array(tx, dtype=np.float64).reshape(-1, 3)
    ct_a = np.array(ct, dtype=np.int64).reshape(-1, 3)
    return History(n=len(ids), tx_party=tx_a[:, 0].astype(np.int64), tx_day=tx_a[:, 1].astype(np.int64),
                   tx_amount=tx_a[:, 2], ct_party=ct_a[:, 0], ct_start=ct_a[:, 1], ct_end=ct_a[:, 2])


def _contract_end(end: dt.date | None, status: str, start: dt.date) -> int:
    if end is not None:
        return end.toordinal()
    # Ended or cancelled without an end date: counted as never in force rather than in force forever.
    return int(NO_END) if status == ContractStatus.ACTIVE else start.toordinal()


def _chunkless(ids: np.ndarray) -> Any:
    """The ids as a subquery-free list when small, else all rows (filtered in Python by the index)."""
    return [int(i) for i in ids] if len(ids) <= 5000 else Party.objects.values("pk")


def load_signals(ids: np.ndarray, as_of: dt.date, *, only: bool = False) -> tuple[dict[str, np.ndarray], list[str]]:
    """Signals of service, surveys and marketing as arrays aligned on `ids`; also the names of the
    sources that were available (the others stay at zero / NaN).

    `only`: read the signals of these customers alone (rescoring a few): every signal selector
    takes `party_ids`."""
    n, index = len(ids), {int(pk): i for i, pk in enumerate(ids)}
    out: dict[str, np.ndarray] = {}
    available: list[str] = []
    wanted = [int(pk) for pk in ids]

    def read(selector: Any) -> dict[int, Any]:
        return selector(as_of=as_of, party_ids=wanted) if only else selector(as_of=as_of)

    def fill(rows: dict[int, Any], fields: Iterable[tuple[str, str, float]]) -> None:
        for name, attr, default in fields:
            arr = np.full(n, default)
            for pk, sig in rows.items():
                i = index.get(int(pk))
                value = getattr(sig, attr, None)
                if i is not None and value is not None:
                    arr[i] = float(value)
            out[name] = arr

    try:
        from fidelia.service.selectors import complaint_signals
    except ImportError:
        complaint_signals = None
    if complaint_signals is not None:
        fill(read(complaint_signals), [("open_complaints", "open_complaints", 0.0),
                                              ("complaints_365d", "complaints_365d", 0.0),
                                              ("breached_365d", "breached_365d", 0.0),
                                              ("mean_resolution_hours", "mean_resolution_hours", np.nan)])
        available.append("service")
    try:
        from fidelia.surveys.selectors import satisfaction_signals  # type: ignore[import-not-found]
    except ImportError:
        satisfaction_signals = None
    if satisfaction_signals is not None:
        fill(read(satisfaction_signals), [("last_csat", "last_csat", np.nan), ("last_nps", "last_nps", np.nan),
                                                 ("nps_detractor", "nps_detractor", 0.0)])
        available.append("surveys")
    try:
        from fidelia.marketing.selectors import campaign_response_signals  # type: ignore[import-not-found]
    except ImportError:
        campaign_response_signals = None
    if campaign_response_signals is not None:
        fill(read(campaign_response_signals), [("contacted_365d", "contacted_365d", 0.0),
                                                      ("responded_365d", "responded_365d", 0.0)])
        available.append("marketing")
    return out, available


def load_dimensions(ids: np.ndarray) -> dict[str, list[Any]]:
    """Per customer (aligned on `ids`): RFM segment and ABC class stored by analytics, owner, and the
    main channel and product family of their purchases (most frequent; '' when none)."""
    from fidelia.analytics.models import CustomerAnalytics

    index = {int(pk): i for i, pk in enumerate(ids)}
    n = len(ids)
    dims: dict[str, list[Any]] = {k: [""] * n for k in ("segment", "abc", "owner", "channel", "family")}
    for pk, seg, abc in CustomerAnalytics.objects.filter(party_id__in=_chunkless(ids)).values_list(
            "party_id", "rfm_segment", "abc_class").iterator(chunk_size=50000):
        if pk in index:
            dims["segment"][index[pk]], dims["abc"][index[pk]] = seg, abc
    for pk, owner in Party.objects.filter(pk__in=_chunkless(ids)).values_list("pk", "owner__username"):
        if pk in index and owner:
            dims["owner"][index[pk]] = owner
    _main(dims["channel"], index, Transaction.objects.filter(amount__gt=0, party_id__in=_chunkless(ids)), "channel")
    _main(dims["family"], index, Transaction.objects.filter(amount__gt=0, party_id__in=_chunkless(ids)),
          "product__family__name")
    return dims


def _main(target: list[Any], index: dict[int, int], rows: QuerySet[Any], field: str) -> None:
    best: dict[int, int] = {}
    for pk, value, n in rows.values("party_id", field).annotate(n=Count("id")).values_list("party_id", field, "n"):
        i = index.get(pk)
        if i is not None and value and n > best.get(i, 0):
            best[i], target[i] = n, value
