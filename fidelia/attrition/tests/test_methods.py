"""Pure methods: labels, features, rates, reasons, loyalty, type suggestion, and CDNOW validation."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fidelia.attrition import methods
from fidelia.attrition.enums import AttritionType, LossReason, LoyaltyType
from fidelia.attrition.validation import cdnow_evaluation

CDNOW = Path(__file__).resolve().parents[2] / "analytics" / "tests" / "data" / "CDNOW_sample.txt"


def history() -> methods.History:
    # customer 0 buys on days 0, 10, 20, 100; customer 1 on day 5 only; customer 2 holds a contract 0–50
    return methods.History(n=3, tx_party=np.array([0, 0, 0, 0, 1]), tx_day=np.array([0, 10, 20, 100, 5]),
                           tx_amount=np.array([10.0, 10, 10, 40, 99]), ct_party=np.array([2]),
                           ct_start=np.array([0]), ct_end=np.array([50]))


def test_active_and_labels():
    h = history()
    assert methods.active_at(h, 30, 20).tolist() == [True, False, True]
    assert methods.active_at(h, 60, 20).tolist() == [False, False, False]
    # over (30, 130]: customer 0 buys on day 100; 1 does not; 2's contract ends on day 50
    assert methods.churn_labels(h, 30, 100).tolist() == [0, 1, 1]


def test_features_at_cutoff():
    h = history()
    X = methods.build_features(h, 40)
    f = {name: X[:, i] for i, name in enumerate(methods.FEATURE_NAMES)}
    assert f["days_since_last"][0] == 20 and f["mean_gap_days"][0] == 10 and f["overdue_ratio"][0] == 2
    assert np.isnan(f["mean_gap_days"][1]) and np.isnan(f["days_since_last"][2])
    assert f["purchases_90d"][0] == 3 and f["products_held"][2] == 1 and f["tenure_days"][2] == 40
    assert np.isnan(f["last_nps"]).all() and (f["open_complaints"] == 0).all()  # signals absent


def test_rates_count_customers_who_stop_in_the_month():
    h = history()
    base, churned = methods.attrition_rates(h, [(29, 60)], 20, np.array([0, 0, 1]), 2)
    assert base.tolist() == [[1, 1]] and churned.tolist() == [[1, 1]]


def test_loyalty_typology():
    attitude = np.array([9.0, 9.0, 3.0, 3.0, np.nan])
    types = methods.loyalty_types(attitude, attitude >= 7, np.array([1, 0, 1, 0, 1.0]), 0.5)
    assert types.tolist() == [LoyaltyType.TRUE, LoyaltyType.LATENT, LoyaltyType.SPURIOUS, LoyaltyType.NONE,
                              LoyaltyType.UNKNOWN]
    att, fav = methods.attitude_scores(np.array([np.nan, 8.0]), np.array([4.0, np.nan]), nps_favourable=7,
                                       csat_favourable=4)
    assert att.tolist() == [8.0, 8.0] and fav.tolist() == [True, True]


@pytest.mark.parametrize(("reason", "signals", "expected"), [
    (LossReason.COMPLAINT, {}, AttritionType.DISSATISFACTION),
    (LossReason.COMPETITOR, {}, AttritionType.STRUCTURAL),
    (LossReason.PRICE, {"complaints_365d": 2}, AttritionType.STRUCTURAL),
    (LossReason.EVENT, {}, AttritionType.CONJUNCTURAL),
    (LossReason.RELOCATION, {}, AttritionType.ANECDOTAL),
    (LossReason.OTHER, {"complaints_365d": 1}, AttritionType.DISSATISFACTION),
    (LossReason.OTHER, {"low_satisfaction": True}, AttritionType.DISSATISFACTION),
    (LossReason.OTHER, {"moved": True}, AttritionType.ANECDOTAL),
    (LossReason.OTHER, {}, AttritionType.ANECDOTAL),
])
def test_type_suggestion(reason, signals, expected):
    assert methods.suggest_type(reason=reason, **signals) == expected


def test_reasons_point_at_the_feature_that_raises_the_risk():
    rng = np.random.default_rng(0)
    n = 2000
    X = np.zeros((n, len(methods.FEATURE_NAMES)))
    overdue = rng.uniform(0, 5, n)
    X[:, methods.FEATURE_NAMES.index("overdue_ratio")] = overdue
    X[:, methods.FEATURE_NAMES.index("open_complaints")] = rng.integers(0, 3, n)
    y = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-(overdue - 2.5) * 2))).astype(int)
    model = methods.fit_model(X, y)
    top = methods.reasons(model, X[overdue > 4.5][:5], methods.typical_values(X))
    assert all(row and row[0][0] == "overdue" for row in top)
    assert methods.precision_at(np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), np.arange(10)[::-1] / 10) == 1.0


def test_reasons_skip_only_the_predictions_that_cannot_change_the_risk():
    """Rows whose group already holds the typical values are not predicted again: the reasons are still
    exactly those of one prediction per group and row (the definition), including NaN features."""
    rng = np.random.default_rng(1)
    n = 1500
    X = np.zeros((n, len(methods.FEATURE_NAMES)))
    for name in ("overdue_ratio", "spend_trend", "tenure_days"):
        X[:, methods.FEATURE_NAMES.index(name)] = rng.uniform(0, 5, n)
    complaints = methods.FEATURE_NAMES.index("complaints_365d")
    X[:, complaints] = np.where(rng.uniform(0, 1, n) < 0.1, rng.integers(1, 4, n), 0)  # mostly the typical 0
    X[rng.uniform(0, 1, n) < 0.05, methods.FEATURE_NAMES.index("spend_trend")] = np.nan
    logit = X[:, methods.FEATURE_NAMES.index("overdue_ratio")] - 2.5 + X[:, complaints]
    y = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-logit))).astype(int)
    model = methods.fit_model(X, y)
    reference = methods.typical_values(X)
    risk = model.predict_proba(X)[:, 1]
    impacts = np.empty((n, len(methods.REASON_GROUPS)))
    for g, features in enumerate(methods.REASON_GROUPS.values()):   # every row predicted again
        cols = [methods.FEATURE_NAMES.index(f) for f in features]
        moved = X.copy()
        moved[:, cols] = reference[cols]
        impacts[:, g] = risk - model.predict_proba(moved)[:, 1]
    codes = list(methods.REASON_GROUPS)
    expected = []
    for i in range(n):
        top = sorted(zip(codes, impacts[i], strict=True), key=lambda c: -c[1])[:3]
        expected.append([(c, round(float(v), 4)) for c, v in top if v >= 0.01] if risk[i] >= 0.2 else [])
    got = methods.reasons(model, X, reference, risk, from_risk=0.2)
    assert got == expected
    assert any(row and row[0][0] == "complaints" for row in got)


def test_single_class_is_refused():
    with pytest.raises(ValueError):
        methods.fit_model(np.zeros((10, 3)), np.zeros(10))


def test_cdnow_time_based_validation_against_bgnbd():
    """Weeks 1–39 → churn in weeks 40–78; the model must be useful (AUC > 0.7) and rank the top 10 %
    at least as well as BG/NBD's 1 − P(alive) (which ranks one-time buyers, P(alive) = 1, as safest)."""
    r = cdnow_evaluation(CDNOW)
    assert r["customers"] == 2357 and 0.70 < r["churn_rate"] < 0.72
    assert r["model"]["auc"] > 0.72 and r["model"]["precision_top10"] > 0.85
    assert r["model"]["auc"] > r["baseline"]["auc"]
    assert r["model"]["precision_top10"] >= r["baseline"]["precision_top10"]
    assert len(r["model"]["calibration"]) >= 3
