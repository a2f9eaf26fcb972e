"""Probabilistic customer-base models: BG/NBD, Pareto/NBD and Gamma-Gamma — pure NumPy/SciPy.

Arrays in, arrays out; no ORM. Conventions shared by every function:

* time unit = **weeks**; ``T`` is the customer's age (weeks from the first purchase to the end of
  the calibration period), ``t_x`` the time of the last *repeat* purchase (0 when ``x == 0``);
* ``x`` = number of **repeat** transactions, where all purchases of one customer on one calendar
  day count as one transaction (their values summed), as in the published CDNOW analyses;
* ``m`` = mean value of the repeat transactions (the first purchase is excluded);
* likelihoods are evaluated once per distinct ``(x, t_x, T)`` (or ``(x, m)``) and weighted by the
  number of customers sharing it, so bases with many identical histories fit fast;
* parameters are optimised in logs (positivity) with L-BFGS-B and analytic gradients; standard
  errors come from a numeric Hessian of the analytic gradient in log space, carried to the natural
  parameters with the delta method (``se(θ) = θ · se(log θ)``).

References: Fader, Hardie & Lee (2005) "Counting your customers the easy way: an alternative to
the Pareto/NBD model", Marketing Science 24(2); Fader, Hardie & Lee (2005) "RFM and CLV: using
iso-value curves for customer base analysis", JMR 42(4); Fader & Hardie (2005) "A note on deriving
the Pareto/NBD model and related expressions".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special
from threadpoolctl import threadpool_limits

WEEKS_PER_MONTH = 52.0 / 12.0
MIN_REPEAT_BUYERS = 30
_LOG_BOUND = 12.0  # |log θ| beyond this (θ < 6e-6 or > 1.6e5) is treated as "at a bound"

ArrayLike = np.ndarray | list | tuple


@dataclass(frozen=True)
class BgNbdFit:
    """A fitted BG/NBD model: purchase rate ~ Gamma(r, α), dropout probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float
    se: dict[str, float]
    converged: bool
    n_customers: int
    n_repeat_buyers: int
    warnings: list[str] = field(default_factory=list)

    def params(self) -> dict[str, float]:
        """The parameters by name, in the order of the paper."""
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class ParetoNbdFit:
    """A fitted Pareto/NBD model: purchase rate ~ Gamma(r, α), dropout rate ~ Gamma(s, β)."""

    r: float
    alpha: float
    s: float
    beta: float
    loglik: float
    se: dict[str, float]
    converged: bool
    n_customers: int
    n_repeat_buyers: int
    warnings: list[str] = field(default_factory=list)

    def params(self) -> dict[str, float]:
        """The parameters by name, in the order of the paper."""
        return {"r": self.r, "alpha": self.alpha, "s": self.s, "beta": self.beta}


@dataclass(frozen=True)
class GammaGammaFit:
    """A fitted Gamma-Gamma spend model: spend per transaction ~ Gamma(p, ν), ν ~ Gamma(q, γ)."""

    p: float
    q: float
    gamma: float
    loglik: float
    se: dict[str, float]
    converged: bool
    n_customers: int
    warnings: list[str] = field(default_factory=list)

    def params(self) -> dict[str, float]:
        """The parameters by name, in the order of the paper."""
        return {"p": self.p, "q": self.q, "gamma": self.gamma}


# --------------------------------------------------------------------------- helpers


def _as_arrays(*arrays: ArrayLike) -> list[np.ndarray]:
    return [np.asarray(a, dtype=float) for a in arrays]


def _validate_rft(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    """Refuse summaries no model can explain (negative counts, last purchase after the end)."""
    if not (x.shape == t_x.shape == T.shape):
        raise ValueError("x, t_x and T must have the same shape")
    if x.size == 0:
        raise ValueError("no customers to fit")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(T <= 0):
        raise ValueError("x and t_x must be ≥ 0 and T > 0")
    if np.any(t_x > T + 1e-9):
        raise ValueError("t_x (last repeat purchase) cannot exceed T (age)")
    if np.any((x > 0) & (t_x <= 0)):
        raise ValueError("a customer with repeat purchases needs t_x > 0")


def _compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the columns (contiguous arrays: special functions are ~10x slower on
    strided views) and how many customers share each one."""
    order = np.lexsort(columns[::-1])
    cols = [c[order] for c in columns]
    change = np.zeros(order.size, dtype=bool)
    change[:1] = True
    for c in cols:
        change[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(change)
    counts = np.diff(np.append(starts, order.size)).astype(float)
    return [np.ascontiguousarray(c[starts]) for c in cols], counts


def _distinct_with_inverse(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the columns and, per input row, the index of its distinct row."""
    order = np.lexsort(columns[::-1])
    cols = [c[order] for c in columns]
    change = np.zeros(order.size, dtype=bool)
    change[:1] = True
    for c in cols:
        change[1:] |= c[1:] != c[:-1]
    inverse = np.empty(order.size, dtype=np.int64)
    inverse[order] = np.cumsum(change) - 1
    return [np.ascontiguousarray(c[change]) for c in cols], inverse


def _dot(w: np.ndarray, v: np.ndarray) -> float:
    """Weighted sum. Not `w @ v`: a BLAS dot may spin threads, 1000x slower on a loaded machine."""
    return float(np.einsum("i,i->", w, v))


def _hessian_from_grad(grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of an analytic gradient, symmetrised."""
    k = theta.size
    hess = np.empty((k, k))
    for i in range(k):
        h = 1e-5 * max(1.0, abs(theta[i]))
        step = np.zeros(k)
        step[i] = h
        hess[i] = (grad(theta + step) - grad(theta - step)) / (2 * h)
    return (hess + hess.T) / 2


def _standard_errors(
    grad: Callable[[np.ndarray], np.ndarray], log_theta: np.ndarray, names: list[str], notes: list[str]
) -> dict[str, float]:
    """Delta-method SEs in natural parameters from the inverse Hessian of -LL in log space."""
    try:
        cov_log = np.linalg.inv(_hessian_from_grad(grad, log_theta))
        var = np.diag(cov_log)
        if np.any(var <= 0) or not np.all(np.isfinite(var)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        notes.append("The information matrix is singular: standard errors are not available.")
        return {n: float("nan") for n in names}
    theta = np.exp(log_theta)
    return {n: float(t * np.sqrt(v)) for n, t, v in zip(names, theta, var, strict=True)}


def _minimise(
    neg_ll_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], start: np.ndarray
) -> tuple[optimize.OptimizeResult, list[str]]:
    notes: list[str] = []
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * start.size
    # L-BFGS-B calls BLAS on 4-vectors: threaded BLAS only adds spinning (slow on a busy machine).
    with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
        res = optimize.minimize(
            neg_ll_and_grad, start, jac=True, method="L-BFGS-B", bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-8},
        )
    if not res.success:
        notes.append(f"The optimiser did not converge ({res.message}).")
    if np.any(np.abs(res.x) >= _LOG_BOUND - 1e-6):
        notes.append("A parameter reached its bound: the model is not identified on these data.")
    return res, notes


# --------------------------------------------------------------------------- BG/NBD


def _bgnbd_terms(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple:
    r, alpha, a, b = params
    A1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    A2 = (special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b)
          - special.gammaln(a + b + x))
    A3 = -(r + x) * np.log(alpha + T)
    pos = x > 0
    A4 = np.full_like(x, -np.inf)
    A4[pos] = (np.log(a) - np.log(b + x[pos] - 1) - (r + x[pos]) * np.log(alpha + t_x[pos]))
    return A1, A2, A3, A4, pos


def bgnbd_loglik(params: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD at ``params = (r, α, a, b)``."""
    x, t_x, T = _as_arrays(x, t_x, T)
    A1, A2, A3, A4, _ = _bgnbd_terms(np.asarray(params, float), x, t_x, T)
    return A1 + A2 + np.logaddexp(A3, A4)


@dataclass(frozen=True)
class _BgNbdData:
    """Weighted distinct histories split the way the likelihood is: terms that depend on x only
    (gamma functions: evaluated once per distinct x), customers without repeat purchase (depend
    on T only) and repeat buyers (per distinct (x, t_x, T))."""

    xs: np.ndarray   # distinct x
    wx: np.ndarray   # customers per distinct x
    T0: np.ndarray   # distinct T of customers with x = 0
    w0: np.ndarray
    x: np.ndarray    # repeat buyers' distinct (x, t_x, T) and weights
    t: np.ndarray
    T: np.ndarray
    w: np.ndarray
    xi: np.ndarray   # index of each repeat-buyer row's x in xs

    @classmethod
    def build(cls, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> _BgNbdData:
        pos = x > 0
        (T0,), w0 = _compress(T[~pos]) if np.any(~pos) else ([np.empty(0)], np.empty(0))
        (px, pt, pT), pw = _compress(x[pos], t_x[pos], T[pos]) if np.any(pos) else ([np.empty(0)] * 3, np.empty(0))
        xs, counts = np.unique(x, return_counts=True)
        return cls(xs, counts.astype(float), T0, w0, px, pt, pT, pw, np.searchsorted(xs, px))


def _bgnbd_neg_ll_grad(log_p: np.ndarray, d: _BgNbdData) -> tuple[float, np.ndarray]:
    """−LL and its gradient in log parameters (analytic), on prepared data."""
    p = np.exp(log_p)
    r, alpha, a, b = p
    xs, wx = d.xs, d.wx
    # terms in x only: Γ ratios of the NBD and of the beta-geometric dropout
    g = (special.gammaln(r + xs) - special.gammaln(r) + special.gammaln(a + b) + special.gammaln(b + xs)
         - special.gammaln(b) - special.gammaln(a + b + xs))
    psi_ab = special.digamma(a + b) - special.digamma(a + b + xs)
    n = wx.sum()
    ll = _dot(wx, g) + n * r * np.log(alpha)
    dr = _dot(wx, special.digamma(r + xs)) - n * special.digamma(r) + n * np.log(alpha)
    dalpha = n * r / alpha
    da = _dot(wx, psi_ab)
    db = _dot(wx, psi_ab + special.digamma(b + xs)) - n * special.digamma(b)
    # customers without repeat purchase: survival term (α/(α+T))^r only
    lT0 = np.log(alpha + d.T0)
    ll -= r * _dot(d.w0, lT0)
    dr -= _dot(d.w0, lT0)
    dalpha -= r * _dot(d.w0, 1 / (alpha + d.T0))
    # repeat buyers: log[(α+T)^-(r+x) + a/(b+x−1) (α+t_x)^-(r+x)]
    rx = r + d.x
    lT, lt = np.log(alpha + d.T), np.log(alpha + d.t)
    with np.errstate(invalid="ignore", divide="ignore"):  # x = 0 has no such term; never gathered
        lb = np.log(b + d.xs - 1)[d.xi] if d.x.size else np.empty(0)
    A3 = -rx * lT
    A4 = np.log(a) - lb - rx * lt
    L = np.logaddexp(A3, A4)
    w4 = np.exp(A4 - L)
    w3 = 1.0 - w4
    ll += _dot(d.w, L)
    dr -= _dot(d.w, w3 * lT + w4 * lt)
    dalpha -= _dot(d.w, rx * (w3 / (alpha + d.T) + w4 / (alpha + d.t)))
    da += _dot(d.w, w4) / a
    db -= _dot(d.w, w4 / (b + d.x - 1))
    grad = np.array([dr, dalpha, da, db]) * p  # chain rule to log parameters
    return -float(ll), -grad


def bgnbd_fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BgNbdFit:
    """Maximum-likelihood BG/NBD on repeat-purchase summaries (weeks).

    Raises ValueError on malformed summaries. Never raises on a poor fit: the problems (too few
    repeat buyers, non-convergence, a parameter at its bound, singular information) are listed in
    ``warnings`` and ``converged`` is False when the optimiser did not converge.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    _validate_rft(x, t_x, T)
    data = _BgNbdData.build(x, t_x, T)
    notes: list[str] = []
    n_repeat = int(np.count_nonzero(x > 0))
    if n_repeat < MIN_REPEAT_BUYERS:
        notes.append(f"Only {n_repeat} repeat buyers: the model is poorly determined.")

    def f(lp: np.ndarray) -> tuple[float, np.ndarray]:
        return _bgnbd_neg_ll_grad(lp, data)

    start = np.log([1.0, max(float(np.mean(T)), 1.0), 1.0, 1.0])
    res, more = _minimise(f, start)
    notes += more
    se = _standard_errors(lambda lp: f(lp)[1], res.x, ["r", "alpha", "a", "b"], notes)
    r, alpha, a, b = np.exp(res.x)
    return BgNbdFit(
        r=float(r), alpha=float(alpha), a=float(a), b=float(b), loglik=float(-res.fun), se=se,
        converged=bool(res.success), n_customers=int(x.size), n_repeat_buyers=n_repeat, warnings=notes,
    )


def bgnbd_p_alive(fit: BgNbdFit, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
    """P(customer still active at T | x, t_x, T); 1 for customers without repeat purchase."""
    x, t_x, T = _as_arrays(x, t_x, T)
    pos = x > 0
    out = np.ones_like(x)
    xp, tp, Tp = x[pos], t_x[pos], T[pos]
    log_ratio = (np.log(fit.a) - np.log(fit.b + xp - 1)
                 + (fit.r + xp) * (np.log(fit.alpha + Tp) - np.log(fit.alpha + tp)))
    out[pos] = special.expit(-log_ratio)
    return out


def _bgnbd_purchases_if_alive(fit: BgNbdFit, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """E[Y(t) | alive, x, T]: the factor of the conditional expectation that depends on (x, T) only.

    Evaluated once per distinct (x, T) when t is a scalar: the hypergeometric function dominates
    the cost and a base has far fewer distinct (x, T) pairs than customers.
    """
    if np.ndim(t) == 0 and x.size > 1000:
        (ux, uT), inverse = _distinct_with_inverse(x, T)
        if ux.size < x.size // 2:
            return _bgnbd_if_alive_rows(fit, t, ux, uT)[inverse]
    return _bgnbd_if_alive_rows(fit, t, x, T)


def _bgnbd_if_alive_rows(fit: BgNbdFit, t: float | np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    with np.errstate(divide="ignore", invalid="ignore"):
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        return (a + b + x - 1) / (a - 1) * (1 - np.exp((r + x) * np.log((alpha + T) / (alpha + T + t))) * hyp)


def bgnbd_expected_purchases(fit: BgNbdFit, t: float | ArrayLike, x: ArrayLike, t_x: ArrayLike,
                             T: ArrayLike) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` weeks (conditional expectation)."""
    x, t_x, T = _as_arrays(x, t_x, T)
    t = np.asarray(t, dtype=float)
    return _bgnbd_purchases_if_alive(fit, t, x, T) * bgnbd_p_alive(fit, x, t_x, T)


def bgnbd_unconditional_purchases(fit: BgNbdFit, t: float | ArrayLike) -> np.ndarray:
    """E[X(t)]: expected purchases of a new customer in ``t`` weeks after the first purchase."""
    t = np.asarray(t, dtype=float)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)


# --------------------------------------------------------------------------- Pareto/NBD


def _log_hyp2f1(a: np.ndarray, b: np.ndarray, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log 2F1 for 0 ≤ z < 1, via the Euler transform when the series would overflow."""
    with np.errstate(all="ignore"):
        direct = np.log(special.hyp2f1(a, b, c, z))
        # Euler: 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) — tames large a+b-c.
        euler = (c - a - b) * np.log1p(-z) + np.log(special.hyp2f1(c - a, c - b, c, z))
    return np.where(np.isfinite(direct), direct, euler)


def _pareto_log_a0(params: np.ndarray, x, t_x, T) -> np.ndarray:
    """log of the A0 term (Fader & Hardie note, eq. 18–19), stable for α ≥ β and α < β."""
    r, alpha, s, beta = params
    rsx = r + s + x
    if alpha >= beta:
        big, second, d = alpha, s + 1, alpha - beta
    else:
        big, second, d = beta, r + x, beta - alpha
    l1 = _log_hyp2f1(rsx, second + 0 * x, rsx + 1, d / (big + t_x)) - rsx * np.log(big + t_x)
    l2 = _log_hyp2f1(rsx, second + 0 * x, rsx + 1, d / (big + T)) - rsx * np.log(big + T)
    with np.errstate(all="ignore"):
        return l1 + np.log1p(-np.exp(np.minimum(l2 - l1, 0.0)))


def pareto_nbd_loglik(params: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Per-customer log-likelihood of the Pareto/NBD at ``params = (r, α, s, β)``."""
    x, t_x, T = _as_arrays(x, t_x, T)
    p = np.asarray(params, float)
    r, alpha, s, beta = p
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    second = np.log(s) - np.log(r + s + x) + _pareto_log_a0(p, x, t_x, T)
    return head + np.logaddexp(first, second)


# Gauss–Legendre rule for one panel, on [0, 1]
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(10)
_GL_NODES = (_GL_NODES + 1) / 2
_GL_WEIGHTS = _GL_WEIGHTS / 2
_PANEL_RATIO = 3.0      # a graded panel's far end is at most this many times its near end
_EPS_FLOOR = 1e-7       # the finest first panel, as a share of the side
_QUAD_CHUNK = 4096      # triples per block (bounds memory at a few hundred nodes × chunk)


def _panel_fractions(eps: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights, as shares of a side, of a first panel [0, ε] then ``k`` panels graded
    geometrically from ε to 1: arrays (rows, 10·(k+1)).

    A peak of any width between ε and 1 (relative to the side) then falls in a panel whose ends
    differ by at most :data:`_PANEL_RATIO`, where ten Gauss–Legendre nodes are exact to ~1e-12.
    """
    if k == 0:
        edges = np.tile([0.0, 1.0], (eps.size, 1))
    else:
        j = np.arange(k + 1) / k
        edges = np.concatenate([np.zeros((eps.size, 1)), eps[:, None] ** (1 - j[None, :])], axis=1)
    lo, width = edges[:, :-1], np.diff(edges, axis=1)
    nodes = (lo[:, :, None] + width[:, :, None] * _GL_NODES).reshape(eps.size, -1)
    weights = (width[:, :, None] * _GL_WEIGHTS).reshape(eps.size, -1)
    return nodes, weights


def _pareto_integral_block(p: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple:
    """log I and the weighted means E[log(α+τ)], E[1/(α+τ)], E[log(β+τ)], E[1/(β+τ)] under the
    density ∝ f(τ) = (α+τ)^−(r+x) (β+τ)^−(s+1) on [t_x, T], where I = ∫ f dτ.

    The integral is taken in t = log(m + τ), m = min(α, β): there its log-integrand
    φ(t) = t − (r+x)·log(α+τ) − (s+1)·log(β+τ) is concave with an explicit maximum t*, so the
    panels are graded from t* towards both ends at the scale of φ's steepest slope on each side.
    """
    r, alpha, s, beta = p
    c1, c2 = r + x, s + 1.0
    m = min(alpha, beta)
    da, db = alpha - m, beta - m              # one of them is 0
    t_a, t_b = np.log(m + t_x), np.log(m + T)
    # φ'(t) = 1 − c1·u/(da+u) − c2·u/(db+u), u = e^t; only the factor with the offset bends it
    c_min, c_other, d_other = (c1, c2, db) if alpha <= beta else (c2, c1, da)
    with np.errstate(divide="ignore", invalid="ignore"):
        u_star = (1 - c_min) * d_other / (c_min + c_other - 1)
        t_star = np.where(u_star > 0, np.log(np.where(u_star > 0, u_star, 1.0)), -np.inf)
    t_star = np.clip(t_star, t_a, t_b)

    def slope(t: np.ndarray, rows: np.ndarray) -> np.ndarray:
        u = np.exp(t)
        return 1 - c1[rows] * u / (da + u) - c2 * u / (db + u)

    def side(sign: float, rows: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
        """Scaled sums over the panels from t* to ``end``: top, Σe and Σe·v for the four means.

        Rows are grouped by how many graded panels their steepness needs, so gentle integrands
        cost ten nodes and only steep ones pay for the fine panels."""
        start, finish = t_star[rows], end[rows]
        length = np.abs(finish - start)
        steep = np.abs(slope(finish, rows)) + 1.0
        with np.errstate(divide="ignore"):
            eps = np.clip(0.1 / (steep * length), _EPS_FLOOR, 1.0)
        panels = np.ceil(np.log(1 / eps) / np.log(_PANEL_RATIO) - 1e-9).astype(int)
        out = [np.zeros(rows.size) for _ in range(6)]
        for k in np.unique(panels):
            g = np.flatnonzero(panels == k)
            frac, wts = _panel_fractions(eps[g], int(k))
            t = start[g, None] + sign * length[g, None] * frac
            et = np.exp(-t)
            log_a = t + np.log1p(da * et)             # log(α+τ)
            log_b = t + np.log1p(db * et)             # log(β+τ)
            with np.errstate(divide="ignore"):
                lw = t - c1[rows[g], None] * log_a - c2 * log_b + np.log(length[g, None] * wts)
            top = np.max(lw, axis=1)
            top = np.where(np.isfinite(top), top, 0.0)
            e = np.exp(lw - top[:, None])
            values = [top, e.sum(axis=1)] + [np.einsum("ij,ij->i", e, v)
                                            for v in (log_a, np.exp(-log_a), log_b, np.exp(-log_b))]
            for acc, v in zip(out, values, strict=True):
                acc[g] = v
        return out

    top, total, *sums = side(1.0, np.arange(x.size), t_b)
    left = np.flatnonzero(t_star > t_a)          # an inner maximum: integrate its left side too
    if left.size:
        l_top, l_total, *l_sums = side(-1.0, left, t_a)
        both = np.maximum(top[left], l_top)
        k_r, k_l = np.exp(top[left] - both), np.exp(l_top - both)
        top[left] = both
        total[left] = total[left] * k_r + l_total * k_l
        for acc, extra in zip(sums, l_sums, strict=True):
            acc[left] = acc[left] * k_r + extra * k_l
    empty = total <= 0                          # t_x = T: nothing to integrate
    with np.errstate(divide="ignore", invalid="ignore"):
        log_i = np.where(empty, -np.inf, np.log(total) + top)
        means = [np.where(empty, 0.0, v / total) for v in sums]
    return (log_i, *means)


def _pareto_integral(p: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple:
    """:func:`_pareto_integral_block` over blocks of triples (bounded memory)."""
    parts = [_pareto_integral_block(p, x[i:i + _QUAD_CHUNK], t_x[i:i + _QUAD_CHUNK], T[i:i + _QUAD_CHUNK])
             for i in range(0, x.size, _QUAD_CHUNK)]
    return tuple(np.concatenate(col) for col in zip(*parts, strict=True))


def _pareto_neg_ll_grad(log_p: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                        w: np.ndarray) -> tuple[float, np.ndarray]:
    """−LL of the Pareto/NBD and its analytic gradient in log parameters, on weighted triples.

    L = Γ(r+x)/Γ(r) · α^r β^s · [ (α+T)^−(r+x) (β+T)^−s + s·I ], I = ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ
    (the individual likelihood λ^x e^{−(λ+μ)T} + λ^x μ ∫ e^{−(λ+μ)τ} dτ averaged over the gamma
    rates). Differentiating under the integral gives the gradient in closed form from the same
    quadrature: ∂I/∂r = −∫ log(α+τ) f, ∂I/∂α = −(r+x) ∫ f/(α+τ), and likewise for s and β.
    """
    p = np.exp(log_p)
    r, alpha, s, beta = p
    c1 = r + x
    with np.errstate(all="ignore"):
        log_i, mean_la, mean_ia, mean_lb, mean_ib = _pareto_integral(p, x, t_x, T)
        lT_a, lT_b = np.log(alpha + T), np.log(beta + T)
        b1 = -c1 * lT_a - s * lT_b
        b2 = np.log(s) + log_i
        log_bracket = np.logaddexp(b1, b2)
        p2 = np.exp(b2 - log_bracket)
        p1 = 1.0 - p2
        ll_rows = (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
                   + log_bracket)
        dr = special.digamma(r + x) - special.digamma(r) + np.log(alpha) - p1 * lT_a - p2 * mean_la
        dalpha = r / alpha - c1 * (p1 / (alpha + T) + p2 * mean_ia)
        ds = np.log(beta) - p1 * lT_b + p2 * (1 / s - mean_lb)
        dbeta = s / beta - p1 * s / (beta + T) - p2 * (s + 1) * mean_ib
    ll = _dot(w, ll_rows)
    if not np.isfinite(ll):
        return 1e300, np.zeros(4)
    grad = np.array([_dot(w, dr), _dot(w, dalpha), _dot(w, ds), _dot(w, dbeta)]) * p
    return -ll, -grad


def pareto_nbd_fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> ParetoNbdFit:
    """Maximum-likelihood Pareto/NBD (weeks), the alternative to the BG/NBD.

    Likelihood and analytic gradient come from one quadrature of the lifetime integral
    (:func:`_pareto_neg_ll_grad`), once per distinct (x, t_x, T) triple; the reported
    log-likelihood is the closed form with Gauss's hypergeometric function
    (:func:`pareto_nbd_loglik`), which the quadrature matches to ~1e-12. Same warning contract
    as :func:`bgnbd_fit`.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    _validate_rft(x, t_x, T)
    (ux, ut, uT), w = _compress(x, t_x, T)
    notes: list[str] = []
    n_repeat = int(np.count_nonzero(x > 0))
    if n_repeat < MIN_REPEAT_BUYERS:
        notes.append(f"Only {n_repeat} repeat buyers: the model is poorly determined.")

    def f(lp: np.ndarray) -> tuple[float, np.ndarray]:
        return _pareto_neg_ll_grad(lp, ux, ut, uT, w)

    start = np.log([1.0, max(float(np.mean(T)), 1.0), 1.0, max(float(np.mean(T)), 1.0)])
    res, more = _minimise(f, start)
    notes += more
    se = _standard_errors(lambda lp: f(lp)[1], res.x, ["r", "alpha", "s", "beta"], notes)
    r, alpha, s, beta = np.exp(res.x)
    with np.errstate(all="ignore"):
        loglik = _dot(w, pareto_nbd_loglik(np.exp(res.x), ux, ut, uT))
    return ParetoNbdFit(
        r=float(r), alpha=float(alpha), s=float(s), beta=float(beta),
        loglik=float(loglik if np.isfinite(loglik) else -res.fun), se=se,
        converged=bool(res.success), n_customers=int(x.size), n_repeat_buyers=n_repeat, warnings=notes,
    )


def pareto_nbd_p_alive(fit: ParetoNbdFit, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
    """P(alive at T | x, t_x, T) under the Pareto/NBD."""
    x, t_x, T = _as_arrays(x, t_x, T)
    p = np.array([fit.r, fit.alpha, fit.s, fit.beta])
    log_ratio = (np.log(fit.s) - np.log(fit.r + fit.s + x) + (fit.r + x) * np.log(fit.alpha + T)
                 + fit.s * np.log(fit.beta + T) + _pareto_log_a0(p, x, t_x, T))
    return special.expit(-log_ratio)


def pareto_nbd_expected_purchases(fit: ParetoNbdFit, t: float | ArrayLike, x: ArrayLike,
                                  t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
    """E[Y(t) | x, t_x, T] under the Pareto/NBD (requires s > 1 for a finite lifetime mean)."""
    x, t_x, T = _as_arrays(x, t_x, T)
    t = np.asarray(t, dtype=float)
    r, alpha, s, beta = fit.r, fit.alpha, fit.s, fit.beta
    if abs(s - 1) < 1e-9:
        base = (r + x) * (beta + T) / (alpha + T) * np.log((beta + T + t) / (beta + T))
    else:
        base = ((r + x) * (beta + T) / ((alpha + T) * (s - 1))
                * (1 - ((beta + T) / (beta + T + t)) ** (s - 1)))
    return base * pareto_nbd_p_alive(fit, x, t_x, T)


# --------------------------------------------------------------------------- Gamma-Gamma


def _gg_neg_ll_grad(log_p: np.ndarray, x: np.ndarray, m: np.ndarray, w: np.ndarray, xs: np.ndarray,
                    wx: np.ndarray) -> tuple[float, np.ndarray]:
    """−LL and gradient (log parameters) of the Gamma-Gamma; gamma functions once per distinct x."""
    p, q, g = np.exp(log_p)
    pxs = p * xs
    psi = special.digamma(pxs + q)
    n = wx.sum()
    ll = (_dot(wx, special.gammaln(pxs + q) - special.gammaln(pxs) + pxs * np.log(xs))
          - n * special.gammaln(q) + n * q * np.log(g))
    dp = _dot(wx, xs * (psi - special.digamma(pxs) + np.log(xs)))
    dq = _dot(wx, psi) - n * special.digamma(q) + n * np.log(g)
    dg = n * q / g
    px = p * x
    lm = np.log(m)
    lgm = np.log(g + m * x)
    ll += _dot(w, (px - 1) * lm - (px + q) * lgm)
    dp += _dot(w, x * (lm - lgm))
    dq -= _dot(w, lgm)
    dg -= _dot(w, (px + q) / (g + m * x))
    grad = np.array([dp, dq, dg]) * np.exp(log_p)
    return -float(ll), -grad


def gamma_gamma_fit(x: ArrayLike, m: ArrayLike) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma on repeat buyers' mean spend (``x > 0`` and ``m > 0`` only).

    Customers without repeat purchase or with a zero mean are left out, as in Fader-Hardie-Lee
    (2005); their number is reported in ``warnings``. The model assumes spend is independent of
    frequency: a strong correlation between x and m is reported too.
    """
    x, m = _as_arrays(x, m)
    if x.shape != m.shape:
        raise ValueError("x and m must have the same shape")
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    notes: list[str] = []
    if np.any((x > 0) & ~keep):
        notes.append(f"{int(np.count_nonzero((x > 0) & ~keep))} repeat buyers with a zero mean spend left out.")
    xk, mk = x[keep], m[keep]
    if xk.size < MIN_REPEAT_BUYERS:
        notes.append(f"Only {xk.size} repeat buyers with spend: the spend model is poorly determined.")
    if xk.size < 3:
        raise ValueError("the Gamma-Gamma model needs repeat buyers with a positive mean spend")
    corr = float(np.corrcoef(xk, mk)[0, 1]) if np.std(xk) > 0 and np.std(mk) > 0 else 0.0
    if abs(corr) > 0.3:
        notes.append(f"Spend and frequency are correlated (ρ = {corr:.2f}): the independence assumption is doubtful.")
    (ux, um), w = _compress(xk, mk)
    xs, wx = np.unique(xk, return_counts=True)

    def f(lp: np.ndarray) -> tuple[float, np.ndarray]:
        return _gg_neg_ll_grad(lp, ux, um, w, xs, wx.astype(float))

    res, more = _minimise(f, np.log([1.0, 1.0, max(float(np.mean(mk)), 1.0)]))
    notes += more
    se = _standard_errors(lambda lp: f(lp)[1], res.x, ["p", "q", "gamma"], notes)
    p, q, g = np.exp(res.x)
    if q <= 1:
        notes.append("q ≤ 1: the expected spend has no finite mean under this fit.")
    return GammaGammaFit(p=float(p), q=float(q), gamma=float(g), loglik=float(-res.fun), se=se,
                         converged=bool(res.success), n_customers=int(xk.size), warnings=notes)


def gamma_gamma_expected_spend(fit: GammaGammaFit, x: ArrayLike, m: ArrayLike) -> np.ndarray:
    """E[M | x, m]: expected mean transaction value, shrinking m towards the population mean.

    For ``x == 0`` (or no spend) this is the population mean p·γ/(q−1).
    """
    x, m = _as_arrays(x, m)
    p, q, g = fit.p, fit.q, fit.gamma
    m = np.where((x > 0) & (m > 0), m, 0.0)
    xs = np.where(m > 0, x, 0.0)
    return p * (g + m * xs) / (p * xs + q - 1)


# --------------------------------------------------------------------------- CLV


def discounted_expected_purchases(
    expected: Callable[[float], np.ndarray], *, months: int, monthly_discount: float
) -> np.ndarray:
    """Σ_{i=1..months} (E[Y(i months)] − E[Y((i−1) months)]) / (1 + d)^i.

    The sum-over-periods form of the discounted expected transactions: the expected purchases of
    each month, discounted at the end of that month (the convention of lifetimes'
    ``customer_lifetime_value``). ``expected(t_weeks)`` returns per-customer E[Y(t)].
    """
    if months < 1:
        raise ValueError("the horizon must be at least one month")
    if not (0 <= monthly_discount < 1):
        raise ValueError("the monthly discount rate must be in [0, 1)")
    total = 0.0
    previous = 0.0
    for i in range(1, months + 1):
        current = expected(i * WEEKS_PER_MONTH)
        total = total + (current - previous) / (1 + monthly_discount) ** i
        previous = current
    return np.asarray(total, dtype=float)


def bgnbd_clv(bg: BgNbdFit, gg: GammaGammaFit, x: ArrayLike, t_x: ArrayLike, T: ArrayLike,
              m: ArrayLike, *, months: int = 12, monthly_discount: float = 0.01,
              margin: float | ArrayLike = 1.0) -> np.ndarray:
    """CLV over ``months``: margin × expected spend × discounted expected purchases (BG/NBD)."""
    x, t_x, T, m = _as_arrays(x, t_x, T, m)
    # E[Y(t)] = P(alive) · f(t; x, T): discount f on the distinct (x, T) pairs, then multiply.
    (ux, uT), inverse = _distinct_with_inverse(x, T)
    det = discounted_expected_purchases(
        lambda t: _bgnbd_if_alive_rows(bg, t, ux, uT), months=months, monthly_discount=monthly_discount
    )[inverse] * bgnbd_p_alive(bg, x, t_x, T)
    return np.asarray(margin, float) * gamma_gamma_expected_spend(gg, x, m) * det

