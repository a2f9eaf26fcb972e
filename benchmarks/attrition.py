"""Attrition risk model at scale: features, training and scoring for N synthetic customers.

    python benchmarks/attrition.py --customers 1000000

Targets (issue 7): training under 2 minutes and scoring under 20 s for 1,000,000 customers. The
purchase histories are generated in NumPy (about 8 purchase days per customer over three years, half
the customers leaving at a random date after slowing down), so the benchmark measures the method,
not the database (the fetch step is one GROUP BY; `analytics.py` times that kind of read).

Training = features at two cut-offs + labels + HistGradientBoosting fit + validation metrics.
Scoring = features at today + risk + top-3 reasons (one prediction per reason group, for the
customers at 10 % risk or more, as the nightly run does).
Baseline, same run: scikit-learn's GradientBoostingClassifier (exact, non-histogram) with the same
depth and number of trees, fitted on a sample and extrapolated linearly to N rows (optimistic for
the baseline: exact split finding grows faster than linearly).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def synthetic(n: int, seed: int = 0) -> tuple[object, int]:
    """A History of `n` customers over 3 years (days 0..1095); returns it and 'today'."""
    from fidelia.attrition.methods import History

    rng = np.random.default_rng(seed)
    today = 1095
    start = rng.integers(0, 700, n)
    leaves = rng.random(n) < 0.5
    stop = np.where(leaves, rng.integers(300, today, n), today + 1)
    stop = np.maximum(stop, start + 30)
    rate = rng.gamma(2.0, 1 / 80, n)  # purchases per day: one every ~40 days on average
    k = np.minimum(rng.poisson(rate * (np.minimum(stop, today) - start)), 60) + 1
    party = np.repeat(np.arange(n), k)
    span = (np.minimum(stop, today) - start)[party]
    # slowing down before leaving: purchase days pulled towards the start (u ** 1.6) for leavers
    u = rng.random(len(party))
    u = np.where(leaves[party], u ** 1.6, u)
    day = start[party] + (u * span).astype(np.int64)
    key = np.unique(party * 4096 + day)  # one row per (customer, day), sorted
    p, d = key // 4096, key % 4096
    amount = rng.gamma(2.0, 40.0, len(p))
    return History(n=n, tx_party=p, tx_day=d, tx_amount=amount), today


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--baseline-sample", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=None, help="OpenMP threads of the model (default: auto)")
    args = parser.parse_args()
    if args.customers < 1000:
        parser.error("--customers must be at least 1000")
    import django

    django.setup()
    from sklearn.ensemble import GradientBoostingClassifier

    from fidelia.attrition import methods

    methods.THREADS = args.threads
    t0 = time.perf_counter()
    h, today = synthetic(args.customers)
    gen = time.perf_counter() - t0
    print(f"customers {args.customers:,}  purchase days {len(h.tx_day):,}  generated in {gen:.1f} s")
    H, W = 180, 365
    c1, c2 = today - 2 * H, today - H

    t = time.perf_counter()
    X1, a1, y1 = methods.build_features(h, c1), methods.active_at(h, c1, W), methods.churn_labels(h, c1, H)
    X2, a2, y2 = methods.build_features(h, c2), methods.active_at(h, c2, W), methods.churn_labels(h, c2, H)
    feat = time.perf_counter() - t
    t = time.perf_counter()
    model = methods.fit_model(X1[a1], y1[a1])
    fit = time.perf_counter() - t
    ev = methods.evaluate(y2[a2], model.predict_proba(X2[a2])[:, 1])
    train = time.perf_counter() - t + feat
    print(f"training: features {feat:.1f} s + fit {fit:.1f} s on {int(a1.sum()):,} active customers "
          f"+ validation = {train:.1f} s  (target < 120 s)  test AUC {ev['auc']:.3f}  "
          f"precision@10% {ev['precision_top10']:.3f}")

    t = time.perf_counter()
    X3, a3 = methods.build_features(h, today), methods.active_at(h, today, W)
    risk = model.predict_proba(X3[a3])[:, 1]
    feat3 = time.perf_counter() - t
    why = methods.reasons(model, X3[a3], methods.typical_values(X2[a2]), risk, from_risk=0.10)
    score = time.perf_counter() - t
    print(f"scoring: features + risk {feat3:.1f} s, with top-3 reasons {score:.1f} s for {int(a3.sum()):,} "
          f"customers, reasons for the {int((risk >= 0.1).sum()):,} at 10 % or more  (target < 20 s)  "
          f"e.g. {next((w for w in why if w), [])}")

    m = min(args.baseline_sample, int(a1.sum()))
    idx = np.flatnonzero(a1)[:m]
    Xs = np.nan_to_num(X1[idx], nan=-1.0)  # the exact GBM does not take NaN
    t = time.perf_counter()
    GradientBoostingClassifier(n_estimators=100, max_depth=3, learning_rate=0.05, random_state=0).fit(Xs, y1[idx])
    base = (time.perf_counter() - t) * a1.sum() / m
    print(f"baseline GradientBoostingClassifier: {time.perf_counter() - t:.1f} s on {m:,} rows → "
          f"~{base:.0f} s extrapolated to {int(a1.sum()):,}; HistGradientBoosting fit is {base / fit:.0f}× faster")
    print(f"load: {os.getloadavg()}")


if __name__ == "__main__":
    main()
