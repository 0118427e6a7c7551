"""Benchmark the k-prototypes engine against kmodes' KPrototypes, side by side.

Both run in this process on the same synthetic mixed data (planted segments,
10 numeric + 10 categorical columns, numerics standardised, the same gamma,
``n_init=1``). For every n the script prints both fit times, the speed ratio,
both costs, both adjusted Rand indices against the planted labels (medians over
``--seeds``) and the peak memory of one fit of each (traced allocations, measured
in separate untimed runs because tracing slows kmodes' Python loops).

Then three more targets:

* the stopping rule: the default (``tol=1e-4`` screens the restarts, the cheapest
  two distinct ones within 0.1 % run on to their optimum) against the reference
  (the same, with only the cheapest run on) and ``tol=0`` (every restart runs until
  no row moves) from the same seeds, on the benchmark data and on overlapping
  segments (``--hard-separation``): time, passes of all restarts, the kept cost
  against tol=0's (ppm) and the restart report's top-2 agreement;
* this engine with ``n_init=10`` against one kmodes fit (time and ARI);
* 1,000,000 rows x 20 columns, k=8, ``n_init=1``: time and peak memory (traced
  allocations) relative to the size of the data.

Usage::

    python benchmarks/bench_engine.py            # 10k, 50k, 100k rows, 5 seeds
    python benchmarks/bench_engine.py --quick    # 10k rows, 2 seeds, smaller big run
    python benchmarks/bench_engine.py --sizes 10000 50000 --seeds 3 --big-n 0
                                                 # chosen sizes, no 1M-row run

Machines here are noisy: only the ratios measured in the same run mean anything.
On a machine shared with other work, ``--cpu-time`` times with this process's CPU
time (``time.process_time``: every thread of the process, BLAS's included), which
other processes hardly change; wall time then mostly measures them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from kmodes.kprototypes import KPrototypes as KModesKPrototypes
from sklearn.metrics import adjusted_rand_score

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, RestartsDisagreeWarning
from dash_personas.segmentation import _restarts as restarts

N_NUMERIC = 10
N_CATEGORICAL = 10
K = 5
GAMMA = 1.0


def traced_peak_mib(fit: Callable[[], Any]) -> float:
    """Peak of Python/NumPy allocations (tracemalloc) during ``fit``, in MiB.

    Tracing slows pure-Python code such as kmodes' loops, so this runs separately
    from the timed fits.
    """
    tracemalloc.start()
    try:
        fit()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def make_data(n: int, seed: int, k: int = K) -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_mixed_blobs(n, n_numeric=N_NUMERIC, n_categorical=N_CATEGORICAL, n_clusters=k,
                            separation=1.5, concentration=0.5, categorical_dtype="object",
                            random_state=seed)
    numeric = [c for c in X.columns if c.startswith("num_")]
    X[numeric] = (X[numeric] - X[numeric].mean()) / X[numeric].std(ddof=0)
    return X, y


#: The clock of every timing: wall time, or this process's CPU time (``--cpu-time``).
CLOCK: Callable[[], float] = time.perf_counter


def timed(fit: Callable[[], Any]) -> tuple[Any, float]:
    start = CLOCK()
    result = fit()
    return result, CLOCK() - start


def run_ours(X: pd.DataFrame, seed: int, n_init: int = 1, k: int = K,
             **params: Any) -> KPrototypes:
    return KPrototypes(k, gamma=GAMMA, n_init=n_init, scale=False, random_state=seed,
                       **params).fit(X)


def run_kmodes(X: pd.DataFrame, seed: int) -> KModesKPrototypes:
    categorical = [X.columns.get_loc(c) for c in X.columns if c.startswith("cat_")]
    model = KModesKPrototypes(K, gamma=GAMMA, n_init=1, random_state=seed)
    return model.fit(X.to_numpy(dtype=object), categorical=categorical)


def compare(sizes: list[int], seeds: list[int]) -> None:
    print(f"== kmodes vs dash-personas, {N_NUMERIC} numeric + {N_CATEGORICAL} categorical, "
          f"k={K}, gamma={GAMMA}, n_init=1, medians over {len(seeds)} seeds ==")
    header = (f"{'n':>8} {'kmodes s':>9} {'ours s':>8} {'speed x':>8} {'kmodes cost':>13} "
              f"{'ours cost':>13} {'cost ratio':>10} {'ARI km':>7} {'ARI ours':>8} "
              f"{'MiB km':>7} {'MiB ours':>8}")
    print(header)
    warm, _ = make_data(2000, 0)
    run_ours(warm, 0)
    run_kmodes(warm.iloc[:300], 0)
    for n in sizes:
        rows = []
        for seed in seeds:
            X, y = make_data(n, seed)
            km, km_time = timed(lambda X=X, seed=seed: run_kmodes(X, seed))
            ours, our_time = timed(lambda X=X, seed=seed: run_ours(X, seed))
            rows.append((km_time, our_time, km_time / our_time, km.cost_, ours.cost_,
                         ours.cost_ / km.cost_, adjusted_rand_score(y, km.labels_),
                         adjusted_rand_score(y, ours.labels_)))
        # peak memory of one fit each (first seed), traced outside the timed runs
        X, _ = make_data(n, seeds[0])
        memory = (traced_peak_mib(lambda X=X: run_kmodes(X, seeds[0])),
                  traced_peak_mib(lambda X=X: run_ours(X, seeds[0])))
        med = [statistics.median(col) for col in zip(*rows)] + list(memory)
        print(f"{n:>8} {med[0]:>9.2f} {med[1]:>8.3f} {med[2]:>8.0f} {med[3]:>13.1f} "
              f"{med[4]:>13.1f} {med[5]:>10.6f} {med[6]:>7.3f} {med[7]:>8.3f} "
              f"{med[8]:>7.1f} {med[9]:>8.1f}")
        print(f"   cost no worse than kmodes at the median (default tol; ratio <= 1.0000 at "
              f"4 decimals): {(med[5] - 1) * 1e6:+.3f} ppm: "
              f"{'PASS' if round(med[5], 4) <= 1.0 else 'FAIL'}")
        if n == 50_000:
            verdict = "PASS" if med[2] >= 100 and round(med[5], 4) <= 1.0 else "FAIL"
            print(f"   target at n={n}: >= 100x faster with cost no worse -> "
                  f"{med[2]:.0f}x, cost ratio {med[5]:.4f}: {verdict}")


def fit_cheapest_only(X: pd.DataFrame, seed: int, n_init: int) -> KPrototypes:
    """``tol=1e-4`` with only the cheapest restart run on to its optimum (the reference)."""
    saved = restarts.N_POLISHED
    restarts.N_POLISHED = 1
    try:
        return run_ours(X, seed, n_init=n_init, tol=1e-4)
    finally:
        restarts.N_POLISHED = saved


def compare_stopping(n: int, seeds: list[int], separations: list[float]) -> None:
    print(f"\n== stopping rule, n={n}, same seeds, medians over {len(seeds)} seeds: the "
          f"reference 'cheapest' (tol=1e-4 screens the restarts, only the cheapest runs on to "
          f"its optimum), the default (tol=1e-4, the cheapest {restarts.N_POLISHED} distinct "
          f"within {restarts.COST_TIE:.1%} run on) and tol=0 (every restart to its optimum) ==")
    print(f"{'separation':>10} {'n_init':>6} {'cheapest s':>10} {'default s':>9} "
          f"{'tol=0 s':>8} {'default x':>9} {'tol=0 x':>7} {'passes c/d/0':>13} "
          f"{'ppm c':>7} {'ppm d':>7} {'top-2 ARI':>9}")
    for separation in separations:
        for n_init in (1, 10):
            rows = []
            for seed in seeds:
                X, _ = make_mixed_blobs(n, n_numeric=N_NUMERIC, n_categorical=N_CATEGORICAL,
                                        n_clusters=K, separation=separation,
                                        concentration=0.3 if separation < 1 else 0.5,
                                        categorical_dtype="object", random_state=seed)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RestartsDisagreeWarning)
                    cheap, cheap_time = timed(lambda X=X, seed=seed, n_init=n_init:
                                              fit_cheapest_only(X, seed, n_init))
                    default, default_time = timed(lambda X=X, seed=seed, n_init=n_init:
                                                  run_ours(X, seed, n_init=n_init))
                    exact, exact_time = timed(lambda X=X, seed=seed, n_init=n_init:
                                              run_ours(X, seed, n_init=n_init, tol=0.0))
                top_ari = (default.restarts_.top_ari[0] if default.restarts_.top_ari.size
                           else 1.0)
                rows.append((cheap_time, default_time, exact_time, default_time / cheap_time,
                             exact_time / cheap_time, sum(cheap.restarts_.n_iter),
                             sum(default.restarts_.n_iter), sum(exact.restarts_.n_iter),
                             (cheap.cost_ / exact.cost_ - 1) * 1e6,
                             (default.cost_ / exact.cost_ - 1) * 1e6, top_ari))
            med = [statistics.median(col) for col in zip(*rows)]
            print(f"{separation:>10.1f} {n_init:>6} {med[0]:>10.3f} {med[1]:>9.3f} "
                  f"{med[2]:>8.3f} {med[3]:>9.2f} {med[4]:>7.2f} "
                  f"{f'{med[5]:.0f}/{med[6]:.0f}/{med[7]:.0f}':>13} {med[8]:>7.2f} "
                  f"{med[9]:>7.2f} {med[10]:>9.2f}")
            if n_init == 10:
                print(f"   target: the default within 1.1x of the reference -> {med[3]:.2f}x: "
                      f"{'PASS' if med[3] <= 1.1 else 'FAIL'}; passes of all restarts; ppm: "
                      f"cost above tol=0's (negative: cheaper)")


def compare_restarts(n: int, seeds: list[int]) -> None:
    print(f"\n== dash-personas n_init=10 vs one kmodes fit (n={n}) ==")
    rows = []
    for seed in seeds:
        X, y = make_data(n, seed)
        km, km_time = timed(lambda X=X, seed=seed: run_kmodes(X, seed))
        ours, our_time = timed(lambda X=X, seed=seed: run_ours(X, seed, n_init=10))
        rows.append((km_time, our_time, adjusted_rand_score(y, km.labels_),
                     adjusted_rand_score(y, ours.labels_)))
    km_time, our_time, km_ari, our_ari = (statistics.median(c) for c in zip(*rows))
    verdict = "PASS" if our_time < km_time and our_ari >= km_ari else "FAIL"
    print(f"kmodes 1 fit {km_time:.2f} s, ARI {km_ari:.3f} | ours 10 restarts {our_time:.3f} s, "
          f"ARI {our_ari:.3f} | {km_time / our_time:.0f}x faster: {verdict}")


def big_run(n: int) -> None:
    print(f"\n== {n:,} rows x 20 columns, k=8, n_init=1 ==")
    X, y = make_mixed_blobs(n, n_numeric=N_NUMERIC, n_categorical=N_CATEGORICAL, n_clusters=8,
                            separation=1.5, concentration=0.5, categorical_dtype="category",
                            random_state=0)
    data_mib = X.memory_usage(deep=True).sum() / 2**20
    run_ours(X.iloc[:5000], 0, k=8)
    start = CLOCK()
    model = run_ours(X, 0, k=8)
    elapsed = CLOCK() - start
    peak_mib = traced_peak_mib(lambda: run_ours(X, 0, k=8))
    ok_time = elapsed <= 10
    ok_mem = peak_mib <= 4 * data_mib
    print(f"fit {elapsed:.2f} s ({'PASS' if ok_time else 'FAIL'} <= 10 s), "
          f"{model.n_iter_} passes, ARI {adjusted_rand_score(y, model.labels_):.3f}")
    print(f"data {data_mib:.0f} MiB (10 float64 + 10 category columns), peak traced "
          f"allocations during fit {peak_mib:.0f} MiB = {peak_mib / data_mib:.2f}x the data "
          f"({'PASS' if ok_mem else 'FAIL'} <= 4x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000],
                        help="row counts of the side-by-side comparison")
    parser.add_argument("--restarts-n", type=int, default=50_000,
                        help="rows of the n_init=10 comparison (0 skips it)")
    parser.add_argument("--big-n", type=int, default=1_000_000,
                        help="rows of the large run (0 skips it)")
    parser.add_argument("--hard-separation", type=float, default=0.5,
                        help="separation of the overlapping segments in the stopping-rule run")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with this process's CPU time instead of wall time")
    args = parser.parse_args()
    if args.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    print(f"timings: {'CPU time of this process' if args.cpu_time else 'wall time'}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores at the start")
    if args.quick:
        compare([10_000], list(range(2)))
        compare_stopping(10_000, list(range(2)), [args.hard_separation, 1.5])
        compare_restarts(10_000, [0])
        big_run(200_000)
        return
    seeds = list(range(args.seeds))
    compare(args.sizes, seeds)
    compare_stopping(max(args.sizes), seeds[:3], [args.hard_separation, 1.5])
    if args.restarts_n:
        compare_restarts(args.restarts_n, seeds[:3])
    if args.big_n:
        big_run(args.big_n)
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
