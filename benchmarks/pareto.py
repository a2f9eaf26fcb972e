"""Benchmark of the Pareto/NBD fit: analytic gradient (Fidelia) against central differences.

    .venv/bin/python benchmarks/pareto.py --customers 1000000

The Pareto/NBD is the alternative count model of customer value. Its likelihood holds an
integral over the dropout time; `fidelia.clv.methods.pareto_nbd_fit` takes the integral and its
derivatives from one graded Gauss–Legendre quadrature (the gradient is the exact derivative under
the integral). The baseline, measured in the same run on the same summaries, is what such fits
commonly do: the hypergeometric closed form (`pareto_nbd_loglik`) with a gradient by central
differences (eight likelihood evaluations per gradient), same optimiser, same start, same
standard errors.

The summaries are the customer-value benchmark's (`clv.py`: simulated BG/NBD buyers, times in
whole days, so most (x, t_x, T) triples are distinct). Prints seconds, the distinct triples,
both fits' parameters and log-likelihoods, and the ratio.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from clv import simulate  # noqa: E402

from fidelia.clv import methods as M  # noqa: E402


def fit_central_differences(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, float]:
    """The baseline: closed-form likelihood, gradient by central differences."""
    (ux, ut, uT), w = M._compress(x, t_x, T)

    def nll(lp: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            v = -M._dot(w, M.pareto_nbd_loglik(np.exp(lp), ux, ut, uT))
        return v if np.isfinite(v) else 1e300

    def grad(lp: np.ndarray) -> np.ndarray:
        h = 1e-6
        return np.array([(nll(lp + e) - nll(lp - e)) / (2 * h) for e in np.eye(lp.size) * h])

    start = np.log([1.0, max(float(np.mean(T)), 1.0), 1.0, max(float(np.mean(T)), 1.0)])
    res, _ = M._minimise(lambda lp: (nll(lp), grad(lp)), start)
    M._standard_errors(grad, res.x, ["r", "alpha", "s", "beta"], [])
    return np.exp(res.x), -float(res.fun)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    if not 1_000 <= args.customers <= 5_000_000:
        parser.error("--customers must be between 1,000 and 5,000,000")
    d = simulate(args.customers)
    x, t_x, T = d["x"], d["t_x"], d["T"]
    (ux, _, _), _ = M._compress(x, t_x, T)
    print(f"{args.customers:,} customers, {int((x > 0).sum()):,} repeat buyers, {ux.size:,} distinct (x, t_x, T); "
          f"load {os.getloadavg()[0]:.1f}")
    s = time.perf_counter()
    fit = M.pareto_nbd_fit(x, t_x, T)
    ours = time.perf_counter() - s
    s = time.perf_counter()
    base_params, base_ll = fit_central_differences(x, t_x, T)
    base = time.perf_counter() - s
    print(f"\n{'':<28}{'seconds':>10}  parameters (r, α, s, β)                 log-likelihood")
    print(f"{'analytic gradient':<28}{ours:>10.1f}  " + ", ".join(f"{v:.5g}" for v in fit.params().values())
          + f"   {fit.loglik:,.3f}")
    print(f"{'central differences':<28}{base:>10.1f}  " + ", ".join(f"{v:.5g}" for v in base_params)
          + f"   {base_ll:,.3f}")
    print(f"\nratio {base / ours:.1f}× (load {os.getloadavg()[0]:.1f}); converged: {fit.converged}; "
          f"warnings: {fit.warnings or 'none'}")


if __name__ == "__main__":
    main()
