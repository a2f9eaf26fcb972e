"""The models against the published CDNOW results and against their own definitions."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize

from fidelia.clv import methods as M
from fidelia.clv.summaries import calibration_report, holdout_counts, summaries_from_days
from fidelia.clv.tests.cdnow import CALIBRATION_END, HOLDOUT_END, cdnow_days


def sig3(value: float, expected: float) -> bool:
    """Equal to 3 significant digits (the published tables' precision)."""
    return f"{value:.3g}" == f"{expected:.3g}"


@pytest.fixture(scope="module")
def cdnow():
    days = cdnow_days()
    s = summaries_from_days(days.party, days.day, days.amount, days.margin, end_day=CALIBRATION_END.toordinal())
    return days, s


def test_cdnow_summaries_match_the_papers(cdnow) -> None:
    _, s = cdnow
    assert len(s) == 2357
    assert int(np.count_nonzero(s.x > 0)) == 946      # repeat buyers in the calibration period
    assert int(s.x.sum()) == 2457                      # repeat transactions, weeks 1–39


def test_bgnbd_reproduces_fader_hardie_lee_2005(cdnow) -> None:
    _, s = cdnow
    fit = M.bgnbd_fit(s.x, s.t_x, s.T)
    assert fit.converged and not fit.warnings
    for got, published in [(fit.r, 0.243), (fit.alpha, 4.414), (fit.a, 0.793), (fit.b, 2.426)]:
        assert sig3(got, published), (got, published)
    assert round(fit.loglik, 1) == -9582.4
    assert all(np.isfinite(v) and v > 0 for v in fit.se.values())


def test_bgnbd_gradient_is_the_derivative_of_the_likelihood(cdnow) -> None:
    _, s = cdnow
    data = M._BgNbdData.build(s.x, s.t_x, s.T)
    point = np.log([0.3, 5.0, 0.9, 2.0])
    value, analytic = M._bgnbd_neg_ll_grad(point, data)
    # the split evaluation equals the plain per-customer likelihood
    assert -value == pytest.approx(M.bgnbd_loglik(np.exp(point), s.x, s.t_x, s.T).sum(), rel=1e-12)
    numeric = optimize.approx_fprime(point, lambda p: M._bgnbd_neg_ll_grad(p, data)[0], 1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-3)


def test_pareto_nbd_reproduces_the_published_fit(cdnow) -> None:
    _, s = cdnow
    fit = M.pareto_nbd_fit(s.x, s.t_x, s.T)
    assert fit.converged
    for got, published in [(fit.r, 0.553), (fit.alpha, 10.58), (fit.s, 0.606), (fit.beta, 11.67)]:
        assert sig3(got, published), (got, published)
    assert round(fit.loglik, 0) == -9595


def test_gamma_gamma_reproduces_fader_hardie_lee_2005_rfm(cdnow) -> None:
    _, s = cdnow
    fit = M.gamma_gamma_fit(s.x, s.m)
    assert fit.n_customers == 946
    for got, published in [(fit.p, 6.25), (fit.q, 3.74), (fit.gamma, 15.44)]:
        assert sig3(got, published), (got, published)
    # The population mean spend p·γ/(q−1) for a new customer
    assert gamma_mean(fit) == pytest.approx(M.gamma_gamma_expected_spend(fit, np.array([0.0]), np.array([0.0]))[0])


def gamma_mean(fit: M.GammaGammaFit) -> float:
    return fit.p * fit.gamma / (fit.q - 1)


def test_gamma_gamma_gradient(cdnow) -> None:
    _, s = cdnow
    keep = s.x > 0
    (ux, um), w = M._compress(s.x[keep], s.m[keep])
    xs, wx = np.unique(s.x[keep], return_counts=True)
    args = (ux, um, w, xs, wx.astype(float))
    point = np.log([5.0, 3.0, 12.0])
    analytic = M._gg_neg_ll_grad(point, *args)[1]
    numeric = optimize.approx_fprime(point, lambda p: M._gg_neg_ll_grad(p, *args)[0], 1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-3)


def test_calibration_holdout_report_on_cdnow(cdnow) -> None:
    days, s = cdnow
    fit = M.bgnbd_fit(s.x, s.t_x, s.T)
    actual = holdout_counts(days.party, days.day, s.party_ids, start_day=CALIBRATION_END.toordinal(),
                            end_day=HOLDOUT_END.toordinal())
    report = calibration_report(fit, s.x, s.t_x, s.T, actual, holdout_weeks=39)
    assert [c["class"] for c in report["classes"]] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert report["classes"][0]["customers"] == 1411
    assert report["actual_total"] == actual.sum() > 0
    # The BG/NBD tracks the holdout within 15 % overall and is monotone in the calibration count.
    assert report["predicted_total"] == pytest.approx(report["actual_total"], rel=0.15)
    predicted = [c["predicted"] for c in report["classes"]]
    assert predicted == sorted(predicted)


def test_p_alive_and_expected_purchases_follow_their_definitions(cdnow) -> None:
    _, s = cdnow
    fit = M.bgnbd_fit(s.x, s.t_x, s.T)
    x, t_x, T = np.array([0.0, 2, 2, 7]), np.array([0.0, 30, 5, 35]), np.array([38.0, 38, 38, 38])
    alive = M.bgnbd_p_alive(fit, x, t_x, T)
    assert alive[0] == 1.0 and alive[1] > alive[2]      # a recent buyer is more likely alive
    e = M.bgnbd_expected_purchases(fit, 52, x, t_x, T)
    assert e[3] > e[1] > e[2] > 0
    # E[X(t)] of a new customer is the integral of its rate: a numeric check of the closed form
    t = 39.0
    ex = float(M.bgnbd_unconditional_purchases(fit, t))
    assert 0.5 < ex < 2.0


def test_discounted_purchases_sum_over_monthly_periods() -> None:
    # A constant rate of one purchase a month: Σ 1/(1+d)^i.
    got = M.discounted_expected_purchases(lambda t: np.array([t / M.WEEKS_PER_MONTH]), months=12,
                                          monthly_discount=0.01)
    assert float(got[0]) == pytest.approx(sum(1 / 1.01**i for i in range(1, 13)))
    with pytest.raises(ValueError):
        M.discounted_expected_purchases(lambda t: np.zeros(1), months=0, monthly_discount=0.01)


def test_fit_warns_instead_of_failing_silently() -> None:
    x = np.array([0.0] * 40 + [1.0] * 3)
    t_x = np.array([0.0] * 40 + [5.0] * 3)
    T = np.full(43, 20.0)
    fit = M.bgnbd_fit(x, t_x, T)
    assert any("repeat buyers" in w for w in fit.warnings)
    with pytest.raises(ValueError):
        M.bgnbd_fit(np.array([1.0]), np.array([30.0]), np.array([20.0]))   # t_x > T


@settings(max_examples=30, deadline=None)
@given(st.floats(0.05, 5), st.floats(0.5, 20), st.floats(0.1, 5), st.floats(0.5, 10),
       st.integers(0, 20), st.floats(0.1, 1.0), st.floats(1, 100))
def test_bgnbd_likelihood_is_a_probability(r, alpha, a, b, x, frac, T) -> None:
    """exp(LL) ≤ 1 and P(alive) ∈ (0, 1] for any parameters and histories."""
    t_x = frac * T if x else 0.0
    ll = M.bgnbd_loglik([r, alpha, a, b], [x], [t_x], [T])[0]
    assert np.isfinite(ll)
    fit = M.BgNbdFit(r, alpha, a, b, 0.0, {}, True, 1, 1)
    p = M.bgnbd_p_alive(fit, np.array([float(x)]), np.array([t_x]), np.array([T]))[0]
    assert 0 < p <= 1


def test_pareto_expected_purchases_integrate_the_rate() -> None:
    fit = M.ParetoNbdFit(0.55, 10.58, 0.61, 11.67, 0.0, {}, True, 1, 1)
    x, t_x, T = np.array([3.0]), np.array([20.0]), np.array([30.0])
    p = M.pareto_nbd_p_alive(fit, x, t_x, T)[0]
    # E[Y(t)] = P(alive) · E[λ] · E[∫ S(τ)dτ] with λ ~ Gamma(r+x, α+T), μ ~ Gamma(s, β+T)
    rate = (fit.r + 3) / (fit.alpha + 30)
    lifetime = integrate.quad(lambda u: (1 + u / (fit.beta + 30)) ** (-fit.s), 0, 52)[0]
    assert M.pareto_nbd_expected_purchases(fit, 52, x, t_x, T)[0] == pytest.approx(p * rate * lifetime, rel=1e-6)


def test_pareto_nbd_quadrature_and_gradient_match_the_closed_form(cdnow) -> None:
    _, s = cdnow
    (x, t_x, T), w = M._compress(s.x, s.t_x, s.T)
    for params in ([0.553, 10.58, 0.606, 11.67], [2.0, 1.0, 0.2, 40.0], [0.05, 0.01, 0.05, 0.02], [5.0, 100.0, 3.0, 0.5]):
        point = np.log(params)
        value, analytic = M._pareto_neg_ll_grad(point, x, t_x, T, w)
        closed = M._dot(w, M.pareto_nbd_loglik(np.array(params), x, t_x, T))
        assert -value == pytest.approx(closed, rel=1e-10)
        numeric = optimize.approx_fprime(point, lambda p: M._pareto_neg_ll_grad(p, x, t_x, T, w)[0], 1e-6)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-3)


@settings(max_examples=60, deadline=None)
@given(
    log_params=st.lists(st.floats(np.log(0.01), np.log(100)), min_size=4, max_size=4),
    x=st.integers(0, 300),
    share=st.floats(0.0, 1.0),
    T=st.floats(0.5, 520.0),
)
def test_pareto_nbd_quadrature_is_exact_anywhere(log_params, x, share, T) -> None:
    """Steep or flat, peaked inside or at an end: the quadrature equals the hypergeometric form."""
    t_x = max(share * T, 1e-3) if x > 0 else 0.0
    params = np.exp(log_params)
    rows = [np.array([float(x)]), np.array([t_x]), np.array([T])]
    with np.errstate(all="ignore"):
        closed = M.pareto_nbd_loglik(params, *rows)[0]
    if not np.isfinite(closed):   # the closed form itself overflows: nothing to compare with
        return
    value, grad = M._pareto_neg_ll_grad(np.log(params), *rows, np.ones(1))
    assert -value == pytest.approx(closed, rel=1e-8, abs=1e-8)
    assert np.all(np.isfinite(grad))
