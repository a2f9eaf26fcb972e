"""Load the CDNOW sample (2,357 customers) as customer-days, like the published analyses."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from fidelia.clv.selectors import CustomerDays

SAMPLE = Path(__file__).resolve().parents[2] / "analytics" / "tests" / "data" / "CDNOW_sample.txt"
CALIBRATION_END = dt.date(1997, 9, 30)   # 39 weeks after 1997-01-01
HOLDOUT_END = dt.date(1998, 6, 30)       # weeks 40–78


def cdnow_days() -> CustomerDays:
    """Customer-days of the sample: purchases on the same day merged (values summed)."""
    raw = np.loadtxt(SAMPLE, dtype=str)
    ids = raw[:, 1].astype(np.int64)
    day = np.array([dt.date(int(s[:4]), int(s[4:6]), int(s[6:])).toordinal() for s in raw[:, 2]], dtype=np.int64)
    value = raw[:, 4].astype(float)
    keys, inverse = np.unique(np.column_stack([ids, day]), axis=0, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=value)
    return CustomerDays(keys[:, 0], keys[:, 1], summed, summed * 0.3)
