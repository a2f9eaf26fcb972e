"""Time-based validation of the risk model on the CDNOW sample (Fader, Hardie & Lee's data).

The 1997 cohort bought first in January–March 1997; weeks are counted from 1 January 1997. Test:
features from the first 39 weeks, churn = no purchase in weeks 40–78. Training: an earlier cut-off
(week 20) labelled by the following weeks 21–39, so no holdout information reaches the model.
The BG/NBD 1 − P(alive) baseline is fitted at the test cut-off in the same run.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from fidelia.attrition import methods

ORIGIN = dt.date(1997, 1, 1).toordinal()


def read_cdnow(path: str | Path) -> methods.History:
    """CDNOW lines `id  id  yyyymmdd  quantity  amount` → purchase days (same-day lines merged)."""
    raw = np.loadtxt(path, dtype=np.float64)
    ids, party = np.unique(raw[:, 0].astype(np.int64), return_inverse=True)
    stamp = raw[:, 2].astype(np.int64)
    days = np.array([dt.date(s // 10000, s // 100 % 100, s % 100).toordinal() - ORIGIN for s in stamp])
    key = party * 100000 + days
    uniq, inverse = np.unique(key, return_inverse=True)
    amount = np.bincount(inverse, weights=raw[:, 4])
    return methods.History(n=len(ids), tx_party=uniq // 100000, tx_day=uniq % 100000, tx_amount=amount)


def cdnow_evaluation(path: str | Path, *, train_week: int = 20, test_week: int = 39, end_week: int = 78,
                     seed: int = 0) -> dict[str, Any]:
    """Model vs BG/NBD baseline on the holdout (AUC, precision at top 10 %, calibration)."""
    h = read_cdnow(path)
    c1, c2 = train_week * 7 - 1, test_week * 7 - 1
    X1, y1 = methods.build_features(h, c1), methods.churn_labels(h, c1, c2 - c1)
    X2, y2 = methods.build_features(h, c2), methods.churn_labels(h, c2, end_week * 7 - 1 - c2)
    model = methods.fit_model(X1, y1, seed=seed)
    score = model.predict_proba(X2)[:, 1]
    baseline = methods.bgnbd_baseline(h, c2, end_week * 7 - 1 - c2)
    return {"customers": h.n, "churn_rate": float(y2.mean()), "model": methods.evaluate(y2, score),
            "baseline": methods.evaluate(y2, baseline["p_alive"]),
            "baseline_expected": methods.evaluate(y2, baseline["expected"])}
