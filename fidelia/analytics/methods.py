"""The course's portfolio methods as pure NumPy functions: no ORM, no Django, no I/O.

Inputs are aligned arrays (one entry per customer); outputs are the dataclasses of `results.py`.
Every rule the course leaves open is decided here and stated in the docstring:
- ranking: revenue descending, equal revenues by party id ascending;
- a count of customers that is not whole is rounded half up (cumulatively, so classes add up);
- quintile scores: the mid-rank rule (see `quintile_scores`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt

from fidelia.analytics.results import (
    AbcResult,
    AnalysisOptions,
    AnalysisResult,
    CustomerRows,
    FratResult,
    IntArray,
    ParetoResult,
    RfmResult,
)

ABC_CLASSES = ("A", "B", "C")
SEGMENTS = ("champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
            "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost")


def round_half_up(x: float) -> int:
    """Round a non-negative count half up (2.5 → 3), unlike Python's banker's rounding."""
    return int(np.floor(x + 0.5 + 1e-9))


def ranking(values: npt.ArrayLike, party_ids: npt.ArrayLike | None = None) -> IntArray:
    """Indices of `values` from the largest to the smallest; ties by party id (or position) ascending."""
    v = np.asarray(values)
    ids = np.arange(v.shape[0]) if party_ids is None else np.asarray(party_ids)
    return np.lexsort((ids, -v.astype(np.float64) if v.dtype.kind == "f" else -v)).astype(np.int64)


def pareto(revenues: npt.ArrayLike, party_ids: npt.ArrayLike | None = None, *,
           top_fraction: float = 0.20) -> ParetoResult:
    """Pareto 20/80 of positive revenues (cents, integers for exact shares).

    top_share = revenue of the top round_half_up(top_fraction·n) customers (at least 1) / total;
    customers_for_80 = the fewest top customers whose cumulative revenue reaches 80 % of the total;
    gini = 1 − 2·(area under the Lorenz curve), computed exactly on the ascending order.
    """
    rev = np.asarray(revenues, dtype=np.int64)
    n = int(rev.shape[0])
    order = ranking(rev, party_ids)
    ranked = rev[order]
    cum = np.cumsum(ranked)
    total = int(cum[-1]) if n else 0
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    if n == 0 or total <= 0:
        zeros = np.zeros(n, dtype=np.float64)
        return ParetoResult(n=n, total=total, rank=rank, cumulative_share=zeros, top_share=0.0, top_count=0,
                            customers_for_80=0, share_customers_for_80=0.0, gini=0.0,
                            curve_x=np.array([0.0]), curve_y=np.array([0.0]), top_fraction=top_fraction)
    share_ranked = cum / total
    cumulative_share = np.empty(n, dtype=np.float64)
    cumulative_share[order] = share_ranked
    top_count = max(1, round_half_up(top_fraction * n))
    # integer comparison: 10·cum ≥ 8·total, no float edge at exactly 80 %
    customers_for_80 = int(np.argmax(cum * 10 >= total * 8)) + 1
    ascending = ranked[::-1].astype(np.float64)
    gini = float((2.0 * np.dot(np.arange(1, n + 1), ascending)) / (n * ascending.sum()) - (n + 1) / n)
    return ParetoResult(
        n=n, total=total, rank=rank, cumulative_share=cumulative_share,
        top_share=float(cum[top_count - 1] / total), top_count=top_count,
        customers_for_80=customers_for_80, share_customers_for_80=customers_for_80 / n, gini=max(0.0, gini),
        curve_x=np.concatenate(([0.0], np.arange(1, n + 1) / n)), curve_y=np.concatenate(([0.0], share_ranked)),
        top_fraction=top_fraction)


def abc_counts(n: int, cutoffs: tuple[float, float, float] = (0.10, 0.30, 0.60)) -> tuple[int, int, int]:
    """How many customers fall in A, B and C: cumulative cut-offs rounded half up.

    n = 15 with 10/30/60: A = round(1.5) = 2, A+B = round(6.0) = 6 so B = 4, C = 9.
    """
    a_share, b_share, c_share = cutoffs
    if min(cutoffs) < 0 or abs(a_share + b_share + c_share - 1.0) > 1e-9:
        raise ValueError("ABC cut-offs must be non-negative and add up to 1")
    n_a = min(n, round_half_up(a_share * n))
    n_ab = min(n, max(n_a, round_half_up((a_share + b_share) * n)))
    return n_a, n_ab - n_a, n - n_ab


def abc(revenues: npt.ArrayLike, party_ids: npt.ArrayLike | None = None,
        cutoffs: tuple[float, float, float] = (0.10, 0.30, 0.60)) -> AbcResult:
    """ABC classes by the course rule: A = top 10 % of customers by revenue, B = next 30 %, C = the rest."""
    rev = np.asarray(revenues, dtype=np.int64)
    n = int(rev.shape[0])
    n_a, n_b, n_c = abc_counts(n, cutoffs)
    ranked_classes = np.array(["A"] * n_a + ["B"] * n_b + ["C"] * n_c, dtype="<U1")
    classes = np.empty(n, dtype="<U1")
    classes[ranking(rev, party_ids)] = ranked_classes
    total = int(rev.sum())
    revenue = {c: int(rev[classes == c].sum()) for c in ABC_CLASSES}
    shares = {c: (revenue[c] / total if total > 0 else 0.0) for c in ABC_CLASSES}
    return AbcResult(classes=classes, counts={"A": n_a, "B": n_b, "C": n_c}, revenue=revenue, shares=shares,
                     cutoffs=cutoffs)


TIE_RULES = ("midrank", "lower", "upper")


def quintile_scores(values: npt.ArrayLike, *, higher_is_better: bool = True, tie_rule: str = "midrank") -> IntArray:
    """Scores 1–5 by quintiles, with the mid-rank tie rule (default) or another stated one.

    Sort the values (worst first). A group of equal values occupying sorted positions
    [s, s + c) has the mid-rank p = (s + c/2) / n and gets the score ceil(5·p), computed in
    integers as ceil(5·(2s + c) / 2n). Consequences, all tested:
    - equal values always get the same score, and a better value never gets a lower score;
    - without ties every score holds ⌊n/5⌋ or ⌈n/5⌉ customers; a tie group lands whole in the
      quintile holding its middle, which is as even as ties allow;
    - the scores depend only on the values, not on the order customers come in.
    The alternatives a user may choose: "lower" gives a tie group the score of its worst position,
    ceil(5·(s + 1) / n); "upper" the score of its best position, ceil(5·(s + c) / n).
    """
    if tie_rule not in TIE_RULES:
        raise ValueError(f"unknown tie rule {tie_rule!r}")
    v = np.asarray(values)
    n = int(v.shape[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    key = v if higher_is_better else -v.astype(np.float64 if v.dtype.kind == "f" else np.int64)
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    counts = counts.astype(np.int64)
    # integer ceilings: ceil(a / b) = -(-a // b)
    if tie_rule == "midrank":
        group_score = -((-5 * (2 * starts + counts)) // (2 * n))
    elif tie_rule == "lower":
        group_score = -((-5 * (starts + 1)) // n)
    else:
        group_score = -((-5 * (starts + counts)) // n)
    return np.clip(group_score, 1, 5)[inverse.reshape(-1)].astype(np.int64)


# Named RFM segments from R and the mean of F and M rounded half up ("FM"), a total mapping of the
# 25 (R, FM) pairs (the usual RFM segment map, with "lost" split from hibernating at R = FM = 1):
#   R\FM  1            2               3               4          5
#   5     new          potential_loy.  potential_loy.  champions  champions
#   4     promising    potential_loy.  potential_loy.  loyal      loyal
#   3     about_to_sl. about_to_sleep  need_attention  loyal      loyal
#   2     hibernating  hibernating     at_risk         at_risk    cant_lose
#   1     lost         hibernating     at_risk         at_risk    cant_lose
SEGMENT_MAP: dict[tuple[int, int], str] = {}
for _fm, _names in enumerate([
        ("lost", "hibernating", "about_to_sleep", "promising", "new"),
        ("hibernating", "hibernating", "about_to_sleep", "potential_loyalist", "potential_loyalist"),
        ("at_risk", "at_risk", "need_attention", "potential_loyalist", "potential_loyalist"),
        ("at_risk", "at_risk", "loyal", "loyal", "champions"),
        ("cant_lose", "cant_lose", "loyal", "loyal", "champions")], start=1):
    for _r, _name in enumerate(_names, start=1):
        SEGMENT_MAP[(_r, _fm)] = _name


def rfm_segment(r: int, f: int, m: int) -> str:
    """The named segment of one RFM cell (see SEGMENT_MAP; FM = (F + M) / 2 rounded half up)."""
    return SEGMENT_MAP[(r, (f + m + 1) // 2)]


# Lookup tables indexed by (R − 1, F − 1, M − 1): cells, segment names and segment numbers, so a
# million customers are labelled by indexing instead of string operations.
_CELL_TABLE = np.array([[[f"{r}-{f}-{m}" for m in range(1, 6)] for f in range(1, 6)] for r in range(1, 6)])
_SEGMENT_TABLE = np.array([[[rfm_segment(r, f, m) for m in range(1, 6)] for f in range(1, 6)] for r in range(1, 6)])
_SEGMENT_INDEX = np.vectorize(SEGMENTS.index)(_SEGMENT_TABLE)


def rfm(recency_days: npt.ArrayLike, frequency: npt.ArrayLike, monetary: npt.ArrayLike, *,
        tie_rule: str = "midrank") -> RfmResult:
    """RFM scores (quintiles, mid-rank ties unless told otherwise), cells "R-F-M" and named segments."""
    rec = np.asarray(recency_days, dtype=np.int64)
    freq = np.asarray(frequency, dtype=np.int64)
    mon = np.asarray(monetary, dtype=np.int64)
    r = quintile_scores(rec, higher_is_better=False, tie_rule=tie_rule)
    f = quintile_scores(freq, tie_rule=tie_rule)
    m = quintile_scores(mon, tie_rule=tie_rule)
    idx = (r - 1, f - 1, m - 1)
    codes = _SEGMENT_INDEX[idx]
    counts = np.bincount(codes, minlength=len(SEGMENTS))
    sums = np.bincount(codes, weights=mon.astype(np.float64), minlength=len(SEGMENTS))
    return RfmResult(recency_days=rec, frequency=freq, monetary=mon, r_score=r, f_score=f, m_score=m,
                     cells=_CELL_TABLE[idx], segments=_SEGMENT_TABLE[idx],
                     segment_counts={s: int(c) for s, c in zip(SEGMENTS, counts, strict=True) if c},
                     segment_revenue={s: int(round(v)) for s, v, c in zip(SEGMENTS, sums, counts, strict=True) if c})


def distribution(values: npt.ArrayLike) -> dict[str, Any]:
    """Count, mean and p10/p25/median/p75/p90 of the finite values (None when there are none)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.shape[0] == 0:
        return {"count": 0, "mean": None, "p10": None, "p25": None, "median": None, "p75": None, "p90": None}
    q = np.percentile(v, [10, 25, 50, 75, 90])
    return {"count": int(v.shape[0]), "mean": float(v.mean()),
            **{k: float(x) for k, x in zip(("p10", "p25", "median", "p75", "p90"), q, strict=True)}}


def frat(*, orders: npt.ArrayLike, first_day: npt.ArrayLike, last_day: npt.ArrayLike,
         last_order: npt.ArrayLike, gross: npt.ArrayLike, strategic: npt.ArrayLike) -> FratResult:
    """FRAT as DOMAIN.md §5 defines it (days are ordinals, amounts cents).

    frequency = (last − first) / (orders − 1), NaN with one order; recency = last − first;
    amount = last order / (gross / orders); type = strategic / gross (share by amount, refunds ignored).
    """
    o = np.asarray(orders, dtype=np.int64)
    span = np.asarray(last_day, dtype=np.int64) - np.asarray(first_day, dtype=np.int64)
    g = np.asarray(gross, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frequency = np.where(o > 1, span / np.maximum(o - 1, 1), np.nan)
        amount = np.where(g > 0, np.asarray(last_order, dtype=np.float64) * o / g, np.nan)
        strategic_share = np.where(g > 0, np.asarray(strategic, dtype=np.float64) / g, np.nan)
    hist = np.histogram(strategic_share[np.isfinite(strategic_share)], bins=5, range=(0.0, 1.0))[0]
    dists = {"frequency_days": distribution(frequency), "recency_days": distribution(span),
             "amount_ratio": distribution(amount), "strategic_share": distribution(strategic_share),
             "strategic_histogram": [int(x) for x in hist]}
    return FratResult(frequency_days=frequency, recency_days=span, amount_ratio=amount,
                      strategic_share=strategic_share, distributions=dists)


def analyse(rows: CustomerRows, *, reference_date: dt.date, date_from: dt.date, date_to: dt.date,
            options: AnalysisOptions | None = None) -> AnalysisResult:
    """All four methods over the customers with a positive revenue; the others are counted as excluded."""
    options = options or AnalysisOptions()
    buyers = rows.take(rows.revenue > 0)
    return AnalysisResult(
        options=options, reference_date=reference_date, date_from=date_from, date_to=date_to, rows=buyers,
        pareto=pareto(buyers.revenue, buyers.party_ids),
        abc=abc(buyers.revenue, buyers.party_ids, options.abc_cutoffs),
        rfm=rfm(reference_date.toordinal() - buyers.last_day, buyers.orders, buyers.revenue,
                tie_rule=options.tie_rule),
        frat=frat(orders=buyers.orders, first_day=buyers.first_day, last_day=buyers.last_day,
                  last_order=buyers.last_order, gross=buyers.gross, strategic=buyers.strategic),
        excluded=len(rows) - len(buyers))


# --- summaries (what dashboards draw, JSON-ready) ---------------------------------------------

def _euros(cents: int | float) -> float:
    return round(float(cents) / 100, 2)


def summarise_arrays(*, party_ids: IntArray, revenue: IntArray, classes: npt.NDArray[np.str_],
                     segments: npt.NDArray[np.str_], r: IntArray, f: IntArray, m: IntArray,
                     frat_frequency: npt.NDArray[np.float64], frat_recency: npt.NDArray[np.float64],
                     frat_amount: npt.NDArray[np.float64], frat_strategic: npt.NDArray[np.float64],
                     cutoffs: tuple[float, ...] = (0.10, 0.30, 0.60)) -> dict[str, Any]:
    """The JSON summary of a population's results, from aligned per-customer arrays.

    Used for stored runs (whole base), for a portfolio's stored rows and for live recomputations,
    so every dashboard reads one shape. Amounts in euros, shares in [0, 1].
    """
    n = int(revenue.shape[0])
    total = int(revenue.sum()) if n else 0
    p = pareto(revenue, party_ids)
    abc_rows = []
    for c in ABC_CLASSES:
        mask = classes == c
        rev = int(revenue[mask].sum())
        abc_rows.append({"key": c, "count": int(mask.sum()), "revenue": _euros(rev),
                         "share": rev / total if total > 0 else 0.0, "customer_share": int(mask.sum()) / n if n else 0.0})
    seg_rows = []
    for s in SEGMENTS:
        mask = segments == s
        rev = int(revenue[mask].sum())
        seg_rows.append({"key": s, "count": int(mask.sum()), "revenue": _euros(rev),
                         "share": rev / total if total > 0 else 0.0, "customer_share": int(mask.sum()) / n if n else 0.0})
    # segment map: customers per (R, FM) square, FM = (F + M) / 2 rounded half up
    grid = np.zeros((5, 5), dtype=np.int64)
    if n:
        np.add.at(grid, (r - 1, (f + m + 1) // 2 - 1), 1)
    hist = np.histogram(frat_strategic[np.isfinite(frat_strategic)], bins=5, range=(0.0, 1.0))[0]
    return {
        "customers": n, "total_revenue": _euros(total),
        "pareto": {"top_fraction": p.top_fraction, "top_count": p.top_count, "top_share": p.top_share,
                   "customers_for_80": p.customers_for_80, "share_customers_for_80": p.share_customers_for_80,
                   "gini": p.gini, "curve": p.downsampled_curve(200)},
        "abc": {"cutoffs": list(cutoffs), "classes": abc_rows},
        "rfm": {"segments": seg_rows, "grid": grid.tolist(),
                "score_counts": {name: np.bincount(v, minlength=6)[1:].tolist() if n else [0] * 5
                                 for name, v in (("r", r), ("f", f), ("m", m))}},
        "frat": {"frequency_days": distribution(frat_frequency), "recency_days": distribution(frat_recency),
                 "amount_ratio": distribution(frat_amount), "strategic_share": distribution(frat_strategic),
                 "strategic_histogram": [int(x) for x in hist]},
    }


def summarise(result: AnalysisResult) -> dict[str, Any]:
    """`summarise_arrays` of a fresh analysis, with its period."""
    rows = result.rows
    summary = summarise_arrays(
        party_ids=rows.party_ids, revenue=rows.revenue, classes=result.abc.classes, segments=result.rfm.segments,
        r=result.rfm.r_score, f=result.rfm.f_score, m=result.rfm.m_score,
        frat_frequency=result.frat.frequency_days, frat_recency=result.frat.recency_days.astype(np.float64),
        frat_amount=result.frat.amount_ratio, frat_strategic=result.frat.strategic_share,
        cutoffs=result.abc.cutoffs)
    summary.update(reference_date=result.reference_date.isoformat(), date_from=result.date_from.isoformat(),
                   date_to=result.date_to.isoformat(), excluded=result.excluded)
    return summary
