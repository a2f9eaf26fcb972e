"""From customer-days to model inputs, the calibration/holdout report and the CLV scoring — pure NumPy.

A *customer-day* is one customer's purchases on one calendar day, values summed (several purchases
on the same day count as one transaction, like the published CDNOW analyses). Days are integer
ordinals; the time unit of the models is the week (days / 7).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fidelia.clv import methods as M
from fidelia.clv.enums import CountModel

CLASS_LABELS = ["0", "1", "2", "3", "4", "5", "6", "7+"]


@dataclass(frozen=True)
class Summaries:
    """Per-customer model inputs, aligned arrays (weeks, euros)."""

    party_ids: np.ndarray
    x: np.ndarray           # repeat customer-days before or on the end day
    t_x: np.ndarray         # weeks from the first to the last purchase day
    T: np.ndarray           # weeks from the first purchase day to the end day
    m: np.ndarray           # mean value of the repeat days (0 without repeat)
    margin_rate: np.ndarray  # margin / amount over the period, clipped to [0, 1]

    def __len__(self) -> int:
        return int(self.party_ids.size)

    def subset(self, keep: np.ndarray) -> Summaries:
        """The customers selected by the boolean mask `keep`."""
        return Summaries(self.party_ids[keep], self.x[keep], self.t_x[keep], self.T[keep], self.m[keep],
                         self.margin_rate[keep])


def summaries_from_days(party: np.ndarray, day: np.ndarray, amount: np.ndarray, margin: np.ndarray, *,
                        end_day: int, default_margin_rate: float = 0.3, include_new: bool = False) -> Summaries:
    """Summaries of the customer-days dated up to `end_day` (inclusive).

    `party, day, amount, margin` are one row per customer-day with a positive amount (any order).
    Customers whose first day is `end_day` have T = 0: they bring nothing to a fit (no time to repeat)
    and are left out unless `include_new`, for scoring (a new customer's expectations).
    """
    keep = day <= end_day
    party, day, amount, margin = party[keep], day[keep], amount[keep].astype(float), margin[keep].astype(float)
    order = np.lexsort((day, party))
    party, day, amount, margin = party[order], day[order], amount[order], margin[order]
    if party.size == 0:
        e = np.empty(0)
        return Summaries(np.empty(0, dtype=np.int64), e, e, e, e, e)
    starts = np.flatnonzero(np.r_[True, party[1:] != party[:-1]])
    ends = np.r_[starts[1:], party.size] - 1
    n_days = ends - starts + 1
    first, last = day[starts], day[ends]
    total = np.add.reduceat(amount, starts)
    total_margin = np.add.reduceat(margin, starts)
    x = (n_days - 1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(x > 0, (total - amount[starts]) / np.maximum(x, 1), 0.0)
        rate = np.where(total > 0, total_margin / total, default_margin_rate)
    rate = np.clip(np.nan_to_num(rate, nan=default_margin_rate), 0.0, 1.0)
    T = (end_day - first) / 7.0
    ok = T >= 0 if include_new else T > 0
    return Summaries(party[starts][ok], x[ok], ((last - first) / 7.0)[ok], T[ok], m[ok], rate[ok])


def holdout_counts(party: np.ndarray, day: np.ndarray, party_ids: np.ndarray, *, start_day: int,
                   end_day: int) -> np.ndarray:
    """Customer-days in (start_day, end_day] per customer of `party_ids` (0 for none)."""
    sel = (day > start_day) & (day <= end_day)
    ids, counts = np.unique(party[sel], return_counts=True)
    pos = np.searchsorted(ids, party_ids)
    pos = np.clip(pos, 0, max(ids.size - 1, 0))
    found = (ids.size > 0) & (ids[pos] == party_ids) if ids.size else np.zeros(party_ids.size, bool)
    return np.where(found, counts[pos] if ids.size else 0, 0).astype(float)


def fit_counts(model: str, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> M.BgNbdFit | M.ParetoNbdFit:
    """Fit the chosen purchase-count model."""
    if model == CountModel.PARETO_NBD:
        return M.pareto_nbd_fit(x, t_x, T)
    return M.bgnbd_fit(x, t_x, T)


def p_alive(fit: M.BgNbdFit | M.ParetoNbdFit, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    if isinstance(fit, M.ParetoNbdFit):
        return M.pareto_nbd_p_alive(fit, x, t_x, T)
    return M.bgnbd_p_alive(fit, x, t_x, T)


def expected_purchases(fit: M.BgNbdFit | M.ParetoNbdFit, t: float, x: np.ndarray, t_x: np.ndarray,
                       T: np.ndarray) -> np.ndarray:
    if isinstance(fit, M.ParetoNbdFit):
        return M.pareto_nbd_expected_purchases(fit, t, x, t_x, T)
    return M.bgnbd_expected_purchases(fit, t, x, t_x, T)


def calibration_report(fit: M.BgNbdFit | M.ParetoNbdFit, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                       actual: np.ndarray, *, holdout_weeks: float) -> dict:
    """Predicted vs actual holdout purchases, overall and per calibration purchase-count class 0..7+.

    This is the classic conditional-expectation check: customers grouped by their number of repeat
    purchases in the calibration period; per class, the mean actual purchases in the holdout and
    the mean of E[Y(holdout) | x, t_x, T].
    """
    predicted = expected_purchases(fit, holdout_weeks, x, t_x, T)
    cls = np.minimum(x, 7).astype(int)
    rows = []
    for k, label in enumerate(CLASS_LABELS):
        sel = cls == k
        n = int(np.count_nonzero(sel))
        rows.append({"class": label, "customers": n,
                     "actual": float(actual[sel].mean()) if n else None,
                     "predicted": float(predicted[sel].mean()) if n else None})
    return {"holdout_weeks": float(holdout_weeks), "customers": int(x.size),
            "actual_total": float(actual.sum()), "predicted_total": float(predicted.sum()),
            "classes": rows}


@dataclass(frozen=True)
class Scores:
    """Per-customer results aligned with the summaries."""

    p_alive: np.ndarray
    expected_purchases_52w: np.ndarray
    expected_spend: np.ndarray
    clv_12m: np.ndarray
    clv_horizon: np.ndarray


def score(fit: M.BgNbdFit | M.ParetoNbdFit, spend: M.GammaGammaFit, s: Summaries, *, horizon_months: int,
          monthly_discount: float) -> Scores:
    """P(alive), 52-week expected purchases, expected spend and discounted expected margins.

    CLV = margin rate × E[spend | x, m] × Σ_months ΔE[Y] / (1 + d)^month (sum over monthly periods,
    see `methods.discounted_expected_purchases`), over 12 months and over `horizon_months`.
    """
    spend_each = M.gamma_gamma_expected_spend(spend, s.x, s.m)

    def expected(t: float) -> np.ndarray:
        return expected_purchases(fit, t, s.x, s.t_x, s.T)

    det_12 = M.discounted_expected_purchases(expected, months=12, monthly_discount=monthly_discount)
    det_h = det_12 if horizon_months == 12 else M.discounted_expected_purchases(
        expected, months=horizon_months, monthly_discount=monthly_discount)
    value = s.margin_rate * spend_each
    return Scores(p_alive=p_alive(fit, s.x, s.t_x, s.T), expected_purchases_52w=expected(52.0),
                  expected_spend=spend_each, clv_12m=value * det_12, clv_horizon=value * det_h)
