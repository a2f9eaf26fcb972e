"""A real data set end to end: the CDNOW sample imported through the import path, analysed by the
run service, and checked against figures computed independently here with plain NumPy/SciPy."""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pytest
from django.db.models import Count
from scipy.stats import rankdata

from fidelia.analytics import selectors
from fidelia.analytics.models import CustomerAnalytics
from fidelia.analytics.services import analytics_run
from fidelia.imports.testing import import_cdnow

DATA = Path(__file__).parent / "data" / "CDNOW_sample.txt"
REFERENCE = dt.date(1998, 6, 30)

# The RFM segment map written as the usual regular expressions over "R" + "FM" (FM = mean of F and M
# rounded half up), first match wins — an independent spelling of methods.SEGMENT_MAP.
SEGMENT_PATTERNS = [(r"11", "lost"), (r"[1-2][1-2]", "hibernating"), (r"[1-2][3-4]", "at_risk"),
                    (r"[1-2]5", "cant_lose"), (r"3[1-2]", "about_to_sleep"), (r"33", "need_attention"),
                    (r"[3-4][4-5]", "loyal"), (r"41", "promising"), (r"51", "new"),
                    (r"[4-5][2-3]", "potential_loyalist"), (r"5[4-5]", "champions")]


def quintiles(values: np.ndarray) -> np.ndarray:
    """Mid-rank quintiles: average rank r (1-based) of n → ceil(5·(2r − 1) / 2n)."""
    n = len(values)
    twice = (2 * rankdata(values, method="average") - 1).round().astype(np.int64)
    return np.array([math.ceil(5 * t / (2 * n)) for t in twice])


def expected() -> dict:
    raw = np.loadtxt(DATA, dtype=np.int64, usecols=(1, 2))
    value = np.round(np.loadtxt(DATA, usecols=(4,)) * 100).astype(np.int64)
    keep = value != 0                                   # the import refuses zero-value lines
    cust, day, value = raw[keep, 0], raw[keep, 1], value[keep]
    ids = np.unique(cust)
    revenue = np.array([value[cust == c].sum() for c in ids])
    orders = np.array([len(np.unique(day[cust == c])) for c in ids])
    last = [dt.datetime.strptime(str(day[cust == c].max()), "%Y%m%d").date() for c in ids]
    recency = np.array([(REFERENCE - d).days for d in last])
    n = len(ids)
    ranked = np.sort(revenue)[::-1]
    top = int(math.floor(0.2 * n + 0.5))
    n_a, n_ab = int(math.floor(0.1 * n + 0.5)), int(math.floor(0.4 * n + 0.5))
    r, f, m = quintiles(-recency), quintiles(orders), quintiles(revenue)
    segments: dict[str, int] = {}
    for ri, fi, mi in zip(r, f, m, strict=True):
        code = f"{ri}{(fi + mi + 1) // 2}"
        name = next(name for pattern, name in SEGMENT_PATTERNS if re.fullmatch(pattern, code))
        segments[name] = segments.get(name, 0) + 1
    return {"n": n, "top_share": ranked[:top].sum() / ranked.sum(),
            "abc": {"A": n_a, "B": n_ab - n_a, "C": n - n_ab},
            "abc_revenue": {"A": ranked[:n_a].sum(), "B": ranked[n_a:n_ab].sum(), "C": ranked[n_ab:].sum()},
            "segments": segments}


@pytest.mark.django_db
def test_cdnow_sample_through_the_import_path(personas) -> None:
    imported = import_cdnow(DATA, actor=personas.admin)
    assert imported.status == "done", imported.status
    run = analytics_run(actor=None, reference_date=REFERENCE, period_months=18)
    run.refresh_from_db()
    want = expected()
    assert run.customers == want["n"] and want["n"] > 2300
    summary = selectors.analytics_summary(personas.analyst)
    assert summary["pareto"]["top_share"] == pytest.approx(want["top_share"], abs=1e-12)
    assert 0.5 < want["top_share"] < 0.8          # CDNOW: the top 20 % make about 60 %
    classes = {c["key"]: c for c in summary["abc"]["classes"]}
    assert {k: v["count"] for k, v in classes.items()} == want["abc"]
    assert {k: round(v["revenue"] * 100) for k, v in classes.items()} == want["abc_revenue"]
    segments = {s["key"]: s["count"] for s in summary["rfm"]["segments"] if s["count"]}
    assert segments == want["segments"]
    stored = dict(CustomerAnalytics.objects.values_list("rfm_segment").annotate(n=Count("pk")).order_by())
    assert stored == want["segments"]
