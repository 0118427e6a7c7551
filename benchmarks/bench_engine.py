"""Benchmark the k-prototypes engine against kmodes' KPrototypes, side by side.

Both run in this process on the same synthetic mixed data (planted segments,
10 numeric + 10 categorical columns, numerics standardised, the same gamma,
``n_init=1``). For every n the script prints both fit times, the speed ratio,
both costs, both adjusted Rand indices against the planted labels (medians over
``--seeds``) and the peak memory of one fit of each (traced allocations, measured
in separate untimed runs because tracing slows kmodes' Python loops; ``--no-memory``
skips them: at 50k rows tracing kmodes takes many times its timed fit). Each seed's
row is printed as it finishes, the medians after the last seed.

Then three more targets:

* the stopping rule: the default (``tol=1e-4`` screens the restarts, the cheapest
  two distinct ones within 0.1 % run on to their optimum by bounded late passes)
  against the previous build's ``tol=1e-4`` (only the cheapest run on, by full
  passes), option A alone (two run on, full passes) and ``tol=0`` (every restart
  until no row moves), from the same seeds, on the benchmark data and on
  overlapping segments (``--hard-separation``): CPU or wall time, passes of all
  restarts, the kept cost against tol=0's (ppm) and the top-2 agreement;
* this engine with ``n_init=10`` against one kmodes fit (time and ARI);
* 1,000,000 rows x 20 columns, k=8, ``n_init=1``: time and peak memory (traced
  allocations) relative to the size of the data.

Usage::

    python benchmarks/bench_engine.py            # 10k, 50k, 100k rows, 5 seeds
    python benchmarks/bench_engine.py --quick    # 10k rows, 2 seeds, smaller big run
    python benchmarks/bench_engine.py --sizes 10000 50000 --seeds 3 --big-n 0
                                                 # chosen sizes, no 1M-row run
    python benchmarks/bench_engine.py --sizes 50000 --seeds 3 --big-n 0 --cpu-time \
        --no-memory --no-stopping --restarts-n 0  # the kmodes comparison alone

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
from dash_personas.segmentation import _lloyd as lloyd_module
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


def compare(sizes: list[int], seeds: list[int], memory: bool = True) -> None:
    print(f"== kmodes vs dash-personas, {N_NUMERIC} numeric + {N_CATEGORICAL} categorical, "
          f"k={K}, gamma={GAMMA}, n_init=1, medians over {len(seeds)} seeds ==")
    header = (f"{'n':>8} {'kmodes s':>9} {'ours s':>8} {'speed x':>8} {'kmodes cost':>13} "
              f"{'ours cost':>13} {'cost ratio':>10} {'ARI km':>7} {'ARI ours':>8} "
              f"{'MiB km':>7} {'MiB ours':>8}")
    print(header, flush=True)
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
            row = rows[-1]
            print(f"{'seed ' + str(seed):>8} {row[0]:>9.2f} {row[1]:>8.3f} {row[2]:>8.0f} "
                  f"{row[3]:>13.1f} {row[4]:>13.1f} {row[5]:>10.6f} {row[6]:>7.3f} "
                  f"{row[7]:>8.3f}   ({(row[5] - 1) * 1e6:+.3f} ppm; kmodes "
                  f"{km.n_iter_} passes, ours {ours.n_iter_})", flush=True)
        if memory:
            # peak memory of one fit each (first seed), traced outside the timed runs
            X, _ = make_data(n, seeds[0])
            peaks = [traced_peak_mib(lambda X=X: run_kmodes(X, seeds[0])),
                     traced_peak_mib(lambda X=X: run_ours(X, seeds[0]))]
        else:
            peaks = [float("nan"), float("nan")]
        med = [statistics.median(col) for col in zip(*rows)] + peaks
        print(f"{n:>8} {med[0]:>9.2f} {med[1]:>8.3f} {med[2]:>8.0f} {med[3]:>13.1f} "
              f"{med[4]:>13.1f} {med[5]:>10.6f} {med[6]:>7.3f} {med[7]:>8.3f} "
              f"{med[8]:>7.1f} {med[9]:>8.1f}")
        print(f"   cost no worse than kmodes at the median (default tol; ratio <= 1.0000 at "
              f"4 decimals): {(med[5] - 1) * 1e6:+.3f} ppm: "
              f"{'PASS' if round(med[5], 4) <= 1.0 else 'FAIL'}", flush=True)
        if n == 50_000:
            verdict = "PASS" if med[2] >= 100 and round(med[5], 4) <= 1.0 else "FAIL"
            print(f"   target at n={n}: >= 100x faster with cost no worse -> "
                  f"{med[2]:.0f}x, cost ratio {med[5]:.4f}: {verdict}", flush=True)


def run_variant(X: pd.DataFrame, seed: int, n_init: int, n_polished: int, bounded: bool,
                tol: float = 1e-4) -> KPrototypes:
    """A fit with ``n_polished`` restarts run on to their optimum, by bounded passes or not."""
    saved = restarts.N_POLISHED, lloyd_module.BOUNDED_LATE_PASSES
    restarts.N_POLISHED, lloyd_module.BOUNDED_LATE_PASSES = n_polished, bounded
    try:
        return run_ours(X, seed, n_init=n_init, tol=tol)
    finally:
        restarts.N_POLISHED, lloyd_module.BOUNDED_LATE_PASSES = saved


#: name -> (restarts run on to their optimum, bounded late passes, tol)
STOPPING_VARIANTS = {
    "before": (1, False, 1e-4),  # the previous build's tol=1e-4: the cheapest, full passes
    "A": (restarts.N_POLISHED, False, 1e-4),  # the cheapest two distinct, full passes
    "default": (restarts.N_POLISHED, True, 1e-4),  # A with bounded late passes (B)
    "tol=0": (restarts.N_POLISHED, True, 0.0),  # every restart to its optimum
}


def compare_stopping(n: int, seeds: list[int], separations: list[float]) -> None:
    print(f"\n== stopping rule, n={n}, same seeds, medians over {len(seeds)} seeds ==")
    print("before: the previous build's tol=1e-4 (the restarts compared where tol stops them, "
          "the cheapest run on to its optimum by full passes); A: the cheapest "
          f"{restarts.N_POLISHED} distinct within {restarts.COST_TIE:.1%} run on, full passes; "
          "default: A with bounded late passes (B); tol=0: every restart to its optimum. "
          "x = time / before's; passes of all restarts; ppm = kept cost above tol=0's")
    names = list(STOPPING_VARIANTS)
    print(f"{'separation':>10} {'n_init':>6} " + " ".join(f"{name + ' s':>9}" for name in names)
          + " " + " ".join(f"{name + ' x':>9}" for name in names[1:])
          + f" {'passes':>16} {'ppm before':>10} {'ppm default':>11} {'top-2 ARI':>9}")
    for separation in separations:
        for n_init in (1, 10):
            rows = []
            for seed in seeds:
                X, _ = make_mixed_blobs(n, n_numeric=N_NUMERIC, n_categorical=N_CATEGORICAL,
                                        n_clusters=K, separation=separation,
                                        concentration=0.3 if separation < 1 else 0.5,
                                        categorical_dtype="object", random_state=seed)
                fits, times = {}, {}
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RestartsDisagreeWarning)
                    for name, variant in STOPPING_VARIANTS.items():
                        fits[name], times[name] = timed(
                            lambda X=X, seed=seed, n_init=n_init, variant=variant:
                            run_variant(X, seed, n_init, *variant))
                default = fits["default"].restarts_
                rows.append([times[name] for name in names]
                            + [times[name] / times["before"] for name in names[1:]]
                            + [sum(fits[name].restarts_.n_iter) for name in names]
                            + [(fits["before"].cost_ / fits["tol=0"].cost_ - 1) * 1e6,
                               (fits["default"].cost_ / fits["tol=0"].cost_ - 1) * 1e6,
                               default.top_ari[0] if default.top_ari.size else 1.0])
            med = [statistics.median(col) for col in zip(*rows)]
            v = len(names)
            passes = "/".join(f"{x:.0f}" for x in med[2 * v - 1: 3 * v - 1])
            print(f"{separation:>10.1f} {n_init:>6} " + " ".join(f"{x:>9.3f}" for x in med[:v])
                  + " " + " ".join(f"{x:>9.2f}" for x in med[v: 2 * v - 1])
                  + f" {passes:>16} {med[-3]:>10.2f} {med[-2]:>11.2f} {med[-1]:>9.2f}")
            if n_init == 10:
                print(f"   target: the default within 1.1x of before -> {med[v + 1]:.2f}x: "
                      f"{'PASS' if med[v + 1] <= 1.1 else 'FAIL'}")


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
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the traced peak memory of the kmodes comparison")
    parser.add_argument("--no-stopping", action="store_true",
                        help="skip the stopping-rule comparison")
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
    compare(args.sizes, seeds, memory=not args.no_memory)
    if not args.no_stopping:
        compare_stopping(max(args.sizes), seeds[:3], [args.hard_separation, 1.5])
    if args.restarts_n:
        compare_restarts(args.restarts_n, seeds[:3])
    if args.big_n:
        big_run(args.big_n)
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
