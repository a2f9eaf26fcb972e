"""Benchmark of customer value: Fidelia's BG/NBD + Gamma-Gamma against lifetimes 0.11.3, same summaries.

    .venv/bin/python benchmarks/clv.py --customers 1000000

Steps, in one run:
1. simulate N customers' summaries from a BG/NBD (r, α, a, b) and a Gamma-Gamma (p, q, γ) with
   known parameters (seeded): purchase days at a Poisson rate until the customer drops out, ages of
   26–104 weeks, times rounded to whole days as the CRM stores them; saved as .npz;
2. in a subprocess of the project's Python: fit BG/NBD and Gamma-Gamma (`fidelia.clv.methods`),
   then per customer P(alive), expected purchases over 52 weeks and the 12-month CLV;
3. in a subprocess of an isolated venv (`benchmarks/.venv-lifetimes`, created once, git-ignored,
   `pip install lifetimes==0.11.3`): lifetimes doing the same on the same summaries;
4. prints seconds per step, peak memory (max RSS of each subprocess, and its growth after loading
   the data), the ratio, and checks both found the same parameters and values.

No database is needed: both start from per-customer summaries (what `clv.selectors` returns).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "benchmarks" / ".venv-lifetimes"
TRUE = {"r": 0.8, "alpha": 4.0, "a": 0.8, "b": 8.0, "p": 6.0, "q": 4.0, "gamma": 15.0}
MONTHS, DISCOUNT = 12, 0.01


def simulate(n: int, seed: int = 2026) -> dict[str, np.ndarray]:
    """BG/NBD + Gamma-Gamma summaries (weeks): x, t_x, T, mean repeat spend m."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    drop = rng.beta(TRUE["a"], TRUE["b"], n)
    T = rng.integers(26 * 7, 104 * 7 + 1, n) / 7.0
    x, t_x, t = np.zeros(n), np.zeros(n), np.zeros(n)
    active = np.arange(n)
    while active.size:
        t_next = t[active] + rng.exponential(1 / lam[active])
        alive = t_next <= T[active]
        active, t_next = active[alive], t_next[alive]
        x[active] += 1
        t[active] = t_next
        t_x[active] = t_next
        active = active[rng.random(active.size) >= drop[active]]
    t_x = np.minimum(np.round(t_x * 7) / 7, T)
    x = np.where(t_x > 0, x, 0)
    t_x = np.where(x > 0, t_x, 0)
    nu = rng.gamma(TRUE["q"], 1 / TRUE["gamma"], n)
    total = rng.gamma(TRUE["p"] * np.maximum(x, 1), 1 / nu)
    m = np.where(x > 0, np.round(total / np.maximum(x, 1), 2), 0.0)
    return {"x": x, "t_x": t_x, "T": T, "m": m}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_fidelia(data: dict[str, np.ndarray]) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from fidelia.clv import methods as M

    x, t_x, T, m = data["x"], data["t_x"], data["T"], data["m"]
    times, start = {}, time.perf_counter()
    bg = M.bgnbd_fit(x, t_x, T)
    times["fit BG/NBD"] = time.perf_counter() - start
    s = time.perf_counter()
    gg = M.gamma_gamma_fit(x, m)
    times["fit Gamma-Gamma"] = time.perf_counter() - s
    s = time.perf_counter()
    alive = M.bgnbd_p_alive(bg, x, t_x, T)
    expected = M.bgnbd_expected_purchases(bg, 52, x, t_x, T)
    times["P(alive) + E[52 w]"] = time.perf_counter() - s
    s = time.perf_counter()
    clv = M.bgnbd_clv(bg, gg, x, t_x, T, m, months=MONTHS, monthly_discount=DISCOUNT)
    times["CLV 12 months"] = time.perf_counter() - s
    times["total"] = time.perf_counter() - start
    return {"times": times, "params": {**bg.params(), **gg.params()},
            "outputs": {"p_alive": alive, "e52": expected, "clv": clv}}


def run_lifetimes(data: dict[str, np.ndarray]) -> dict[str, object]:
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    df = pd.DataFrame({"frequency": data["x"], "recency": data["t_x"], "T": data["T"], "monetary_value": data["m"]})
    times, start = {}, time.perf_counter()
    bg = BetaGeoFitter(penalizer_coef=0.0)
    bg.fit(df["frequency"], df["recency"], df["T"])
    times["fit BG/NBD"] = time.perf_counter() - start
    s = time.perf_counter()
    repeat = df[(df["frequency"] > 0) & (df["monetary_value"] > 0)]
    gg = GammaGammaFitter(penalizer_coef=0.0)
    gg.fit(repeat["frequency"], repeat["monetary_value"])
    times["fit Gamma-Gamma"] = time.perf_counter() - s
    s = time.perf_counter()
    alive = bg.conditional_probability_alive(df["frequency"], df["recency"], df["T"])
    expected = bg.conditional_expected_number_of_purchases_up_to_time(52, df["frequency"], df["recency"], df["T"])
    times["P(alive) + E[52 w]"] = time.perf_counter() - s
    s = time.perf_counter()
    clv = gg.customer_lifetime_value(bg, df["frequency"], df["recency"], df["T"], df["monetary_value"],
                                     time=MONTHS, discount_rate=DISCOUNT, freq="W")
    times["CLV 12 months"] = time.perf_counter() - s
    times["total"] = time.perf_counter() - start
    p = bg.params_
    g = gg.params_
    return {"times": times, "params": {"r": p["r"], "alpha": p["alpha"], "a": p["a"], "b": p["b"],
                                       "p": g["p"], "q": g["q"], "gamma": g["v"]},
            "outputs": {"p_alive": np.asarray(alive, float), "e52": np.asarray(expected, float),
                        "clv": np.asarray(clv, float)}}


def worker(which: str, path: str, out: str) -> None:
    """One side of the comparison in its own process, so peak memory is its own."""
    with np.load(path) as f:
        data = {k: f[k] for k in f.files}
    loaded = peak_mb()
    result = (run_fidelia if which == "fidelia" else run_lifetimes)(data)
    np.savez(out, **result.pop("outputs"))
    result.update(peak_mb=peak_mb(), loaded_mb=loaded)
    print(json.dumps(result, default=float))


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"Creating {VENV} with lifetimes==0.11.3 (once)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "lifetimes==0.11.3"], check=True)
    subprocess.run([str(python), "-c", "import lifetimes"], check=True)
    return python


def side(python: str, which: str, data: Path, out: Path) -> dict[str, object]:
    proc = subprocess.run([python, __file__, "--worker", which, "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode:
        sys.exit(f"{which} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--skip-lifetimes", action="store_true", help="time Fidelia only")
    parser.add_argument("--worker", choices=["fidelia", "lifetimes"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.data, args.out)
    if not 1_000 <= args.customers <= 20_000_000:
        parser.error("--customers must be between 1,000 and 20,000,000")
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    data = tmp / f"clv_bench_{args.customers}.npz"
    s = time.perf_counter()
    summaries = simulate(args.customers)
    np.savez(data, **summaries)
    x = summaries["x"]
    distinct = len(np.unique(np.column_stack([x, summaries["t_x"], summaries["T"]]), axis=0))
    print(f"{args.customers:,} customers, {int(x.sum() + x.size):,} purchase days, "
          f"{int((x > 0).sum()):,} repeat buyers, {distinct:,} distinct (x, t_x, T) "
          f"(simulated in {time.perf_counter() - s:.1f} s); load {os.getloadavg()[0]:.1f}")
    results = {"fidelia": side(sys.executable, "fidelia", data, tmp / "clv_bench_fidelia.npz")}
    if not args.skip_lifetimes:
        results["lifetimes"] = side(str(ensure_venv()), "lifetimes", data, tmp / "clv_bench_lifetimes.npz")
    names = list(results)
    print(f"\n{'step':<22}" + "".join(f"{n:>12}" for n in names) + ("       ratio" if len(names) == 2 else ""))
    for step in results["fidelia"]["times"]:
        row = [results[n]["times"][step] for n in names]
        ratio = f"{row[1] / row[0]:>11.1f}×" if len(row) == 2 and row[0] > 0 else ""
        print(f"{step:<22}" + "".join(f"{v:>11.2f}s" for v in row) + ratio)
    for key, label in (("peak_mb", "peak RSS (MB)"), ("loaded_mb", "after loading (MB)")):
        print(f"{label:<22}" + "".join(f"{results[n][key]:>12.0f}" for n in names))
    print(f"{'growth (MB)':<22}" + "".join(f"{results[n]['peak_mb'] - results[n]['loaded_mb']:>12.0f}"
                                          for n in names))
    print("\nparameters  true  " + "  ".join(f"{k}={v:g}" for k, v in TRUE.items()))
    for n in names:
        print(f"{n:>10}        " + "  ".join(f"{k}={v:.4g}" for k, v in results[n]["params"].items()))
    if len(names) == 2:
        a, b = np.load(tmp / "clv_bench_fidelia.npz"), np.load(tmp / "clv_bench_lifetimes.npz")
        for key in ("p_alive", "e52", "clv"):
            rel = np.abs(a[key] - b[key]) / np.maximum(np.abs(b[key]), 1e-9)
            print(f"max relative difference {key:>8}: {np.nanmax(rel):.2e} (median {np.nanmedian(rel):.1e})")
        print("(CLV: lifetimes counts 30-day months, Fidelia 52/12 weeks; the values differ by that.)")


if __name__ == "__main__":
    main()
