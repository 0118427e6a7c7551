"""Choosing k: speed of ``select_k`` and how often it finds the planted number of segments.

Prints, from one process:

1. ``select_k`` over k = 2..10 at 5,000 and 50,000 rows against one fit at the chosen
   k (``KPrototypes`` defaults, ``n_init=10``): seconds and the ratio.
2. The planted-k recovery table on mixed data (n=2,000, 10 numeric + 10 categorical
   columns, k in {3, 4, 5, 6}, 5 seeds each, from ``make_mixed_blobs``): how often
   ``select_k``'s rule, the rule before it (the k-prototypes partition's BIC among
   actionable k, without classification EM), each index of its table alone, and a
   latent-class model's BIC (StepMix, diagonal Gaussian numerics + categorical, the
   ``[bench]`` extra) give the planted k, with over- and under-estimates. Two
   settings: the default separation (2.0, concentration 0.6) and hard, overlapping
   segments (separation 0.5, concentration 0.4); the last table puts them side by
   side. "rule at prediction strength >= 0.8" re-applies the rule to the same table
   with Tibshirani & Walther's classic threshold as a filter.
   StepMix runs each k = 2..10 with ``n_init=2``, ``max_iter=300`` and
   ``rel_tol=1e-6`` and takes the lowest ``bic`` (its defaults, ``abs_tol=1e-10``
   and up to 1,000 EM iterations, took about 2.5x as long and gave the same BIC to 5
   digits on a hard data set; chosen k the same); its CPU seconds per data set are
   printed.

3. ``--rules``: every candidate rule for reading the table, on the planted mixed data
   sets above and on simulated survey data (``survey-builder init`` + ``simulate`` +
   ``score`` from the aspects and b2b templates, 3 to 8 planted personas, 1,500 to
   5,000 respondents, the features the pipeline selects, as in ``make demo``): the
   BIC's elbow at several step shares, with and without the clear-minimum check, the
   lowest BIC, prediction strength as a filter or where the BIC margin is weak (Kass &
   Raftery: < 10), the k-prototypes partition's BIC, and, for the survey sets, the
   lowest BIC over a range that stops at 7 (the demo's).

Usage::

    python benchmarks/bench_select_k.py --processes 2   # everything (~10 min on 2 quiet cores)
    python benchmarks/bench_select_k.py --no-stepmix --seeds 2
    python benchmarks/bench_select_k.py --rules --processes 2   # the rules table only
"""

from __future__ import annotations

import argparse
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from typing import Any

import numpy as np
import pandas as pd

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, select_k

K_RANGE = range(2, 11)
PLANTED = (3, 4, 5, 6)
SETTINGS = {"default (separation 2.0)": {"separation": 2.0, "concentration": 0.6},
            "hard (separation 0.5, concentration 0.4)": {"separation": 0.5,
                                                          "concentration": 0.4}}
INDICES = ["bic", "partition_bic", "silhouette", "cindex", "mcclain_rao", "dunn", "ptbiserial",
           "gamma_index", "g_plus", "tau"]


def planted(n: int, k: int, seed: int, **setting: float) -> tuple[pd.DataFrame, np.ndarray]:
    return make_mixed_blobs(n, n_numeric=10, n_categorical=10, n_clusters=k, random_state=seed,
                            **setting)


def speed(sizes: tuple[int, ...]) -> None:
    print("select_k, k = 2..10, against one fit at the chosen k (n_init=10); wall and CPU"
          " seconds (CPU is steadier on a shared machine)")
    print(f"{'rows':>8} {'n_jobs':>6} {'select_k s':>11} {'cpu s':>7} {'one fit s':>10} "
          f"{'cpu s':>7} {'ratio':>7} {'cpu ratio':>9}  chosen")
    for n in sizes:
        X, _ = planted(n, 5, 0, separation=2.0)
        for n_jobs in (1, 2):
            start, cpu = time.perf_counter(), time.process_time()
            table = select_k(X, K_RANGE, random_state=0, n_jobs=n_jobs)
            took, took_cpu = time.perf_counter() - start, time.process_time() - cpu
            start, cpu = time.perf_counter(), time.process_time()
            KPrototypes(table.recommended_k, random_state=0).fit(X)
            one, one_cpu = time.perf_counter() - start, time.process_time() - cpu
            print(f"{n:>8,} {n_jobs:>6} {took:>11.2f} {took_cpu:>7.2f} {one:>10.3f} "
                  f"{one_cpu:>7.3f} {took / one:>6.1f}x {took_cpu / one_cpu:>8.1f}x  "
                  f"k={table.recommended_k} (planted 5)", flush=True)


def stepmix_k(X: pd.DataFrame, seed: int, n_init: int) -> int:
    try:
        from stepmix.stepmix import StepMix
    except ImportError as error:
        raise SystemExit("StepMix is not installed: pip install -e '.[bench]' "
                         "(or run with --no-stepmix)") from error

    numeric = X.filter(like="num_").to_numpy(float)
    codes = np.column_stack([X[c].cat.codes.to_numpy() for c in X.filter(like="cat_")])
    data = np.column_stack([numeric, codes])
    model = {"num": {"model": "gaussian_diag", "n_columns": numeric.shape[1]},
             "cat": {"model": "categorical", "n_columns": codes.shape[1]}}
    bic = {}
    for k in K_RANGE:
        fitted = StepMix(n_components=k, measurement=model, n_init=n_init, max_iter=300,
                         rel_tol=1e-6, random_state=seed, verbose=0,
                         progress_bar=0).fit(data)
        bic[k] = fitted.bic(data)
    return min(bic, key=bic.get)


def classic_rule(table: pd.DataFrame, strength: float = 0.8) -> int:
    """select_k's rule on the same table with another prediction-strength threshold."""
    actionable = table["smallest_share"] >= 0.05
    eligible = actionable & (table["prediction_strength"] >= strength)
    return int(table.loc[eligible if eligible.any() else actionable, "bic"].idxmin())


def partition_rule(table: pd.DataFrame) -> int:
    """The rule before classification EM: the k-prototypes partition's BIC, actionable k."""
    return int(table.loc[table["smallest_share"] >= 0.05, "partition_bic"].idxmin())


def choices_for(setting_name: str, k: int, seed: int, use_stepmix: bool,
                stepmix_init: int) -> dict[str, int]:
    """Every method's k on one planted data set (one task of the recovery table)."""
    X, _ = planted(2000, k, seed, **SETTINGS[setting_name])
    chosen: dict[str, int] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = select_k(X, K_RANGE, random_state=seed)
        chosen["select_k rule"] = table.recommended_k
        chosen["previous rule: lowest BIC, actionable k"] = table.lowest_bic_k
        chosen["older rule: partition BIC, actionable k"] = partition_rule(table)
        chosen["rule at prediction strength >= 0.8"] = classic_rule(table)
        for column in INDICES:
            chosen[f"  {column} alone"] = table.best_by(column)
        if use_stepmix:
            start = time.process_time()
            chosen["StepMix BIC"] = stepmix_k(X, seed, stepmix_init)
            chosen["StepMix CPU s"] = time.process_time() - start
    return chosen


def recovery(seeds: int, use_stepmix: bool, stepmix_init: int, only: str | None,
             planted_ks: tuple[int, ...] = PLANTED, processes: int = 1) -> None:
    names = [name for name in SETTINGS if only is None or name.startswith(only)]
    tasks = [(name, k, seed) for name in names for k in planted_ks for seed in range(seeds)]
    with ProcessPoolExecutor(processes) if processes > 1 else nullcontext() as pool:
        run = pool.map if pool is not None else map
        results = []
        for (name, k, seed), chosen in zip(tasks, run(
                choices_for, *zip(*tasks), [use_stepmix] * len(tasks),
                [stepmix_init] * len(tasks)), strict=True):
            results.append(chosen)
            found = ", ".join(f"{method.strip()} {value:.0f}" for method, value
                              in chosen.items())
            print(f"  ... {name}: k={k} seed={seed}: {found}", flush=True)
    summary: dict[str, dict[str, str]] = {}
    for name in names:
        rows = [(k, chosen) for (setting, k, _), chosen in zip(tasks, results, strict=True)
                if setting == name]
        planted_k = np.array([k for k, _ in rows])
        print(f"\nPlanted-k recovery, {name}: n=2,000, {len(rows)} data sets")
        print(f"{'method':<44} {'found':>6} {'over':>5} {'under':>6}")
        for method in rows[0][1]:
            if method.endswith("CPU s"):
                cpu = np.array([chosen[method] for _, chosen in rows])
                print(f"{'StepMix CPU s per data set (k = 2..10)':<44} median {np.median(cpu):.1f}")
                continue
            chosen_k = np.array([chosen[method] for _, chosen in rows])
            cell = (f"{int((chosen_k == planted_k).sum())} / {int((chosen_k > planted_k).sum())}"
                    f" / {int((chosen_k < planted_k).sum())}")
            summary.setdefault(method, {})[name] = cell
            print(f"{method:<44} {int((chosen_k == planted_k).sum()):>3}/{len(rows):<2} "
                  f"{int((chosen_k > planted_k).sum()):>5} {int((chosen_k < planted_k).sum()):>6}")
    print("\nSide by side (found / over / under):")
    print(f"{'method':<44} " + "  ".join(f"{name:<42}" for name in names))
    for method, cells in summary.items():
        print(f"{method:<44} " + "  ".join(f"{cells[name]:<42}" for name in names))


#: Simulated survey data sets: (template, planted personas, respondents, seed).
SURVEY_SETS = [("aspects", 5, 5000, 0), ("aspects", 5, 5000, 1), ("aspects", 5, 5000, 2),
               ("aspects", 5, 2000, 3), ("aspects", 3, 3000, 3), ("aspects", 3, 1500, 13),
               ("aspects", 4, 3000, 4), ("aspects", 4, 5000, 14), ("aspects", 6, 3000, 6),
               ("aspects", 6, 5000, 16), ("aspects", 7, 3000, 7), ("aspects", 8, 3000, 8),
               ("aspects", 8, 5000, 18), ("b2b", 3, 3000, 3), ("b2b", 4, 3000, 24),
               ("b2b", 5, 3000, 5), ("b2b", 6, 3000, 26), ("b2b", 7, 3000, 7),
               ("b2b", 8, 3000, 28)]
MODULES = {"aspects": "demographics,behaviour,journey,clv,attention",
           "b2b": "firmographic,behaviour,clv"}
ELBOW_STEPS = (0.05, 0.065, 0.075, 0.085, 0.1)


def survey_data(template: str, personas: int, n: int, seed: int) -> pd.DataFrame:
    """The features the pipeline selects from simulated, scored survey responses."""
    import tempfile
    from pathlib import Path

    from dash_personas.pipeline import select_features
    from survey_builder import read_scores
    from survey_builder.cli import cli
    from survey_builder.codebook import build_codebook
    from survey_builder.spec import load_survey

    def run(args: list[str]) -> None:
        cli.main(args=args, prog_name="survey-builder", standalone_mode=False)

    with tempfile.TemporaryDirectory() as folder:
        spec, responses, scores = (Path(folder) / name for name in
                                   ("survey.yaml", "responses.csv", "scores.csv"))
        run(["init", "--template", template, "--modules", MODULES[template],
             "--languages", "en", "--out", str(spec)])
        run(["simulate", str(spec), "-n", str(n), "--personas", str(personas), "--seed",
             str(seed), "--out", str(responses), "--quiet"])
        run(["score", str(spec), str(responses), "--out", str(scores), "--quiet"])
        frame = read_scores(scores).frame
        return frame[select_features(frame, codebook=build_codebook(load_survey(spec))
                                     ).features]


def elbow_rule(table: pd.DataFrame, step: float, clear_minimum: bool = True) -> int:
    """The rule's reading of a table at another step share (optionally without the check
    that a clear minimum stands)."""
    bic, steps = table["bic"], table["bic_step"]
    actionable = table.index[table["smallest_share"] >= 0.05]
    lowest = int(bic.loc[actionable].idxmin())
    ks = list(table.index)
    after = ks.index(lowest) + 1
    if clear_minimum and after < len(ks) and -steps.iloc[after] >= step:
        return lowest
    for position, k in enumerate(ks[:after]):
        if k in actionable and (steps.iloc[position + 1:after] < step).all():
            return int(k)
    return lowest


def weak_margin_rule(table: pd.DataFrame) -> int:
    """Lowest BIC, unless the runner-up is within Kass & Raftery's "strong" (< 10) and
    reproduces better (higher prediction strength)."""
    ranked = table.loc[table["smallest_share"] >= 0.05, "bic"].sort_values()
    if len(ranked) < 2 or ranked.iloc[1] - ranked.iloc[0] >= 10:
        return int(ranked.index[0])
    first, second = (int(k) for k in ranked.index[:2])
    strength = table["prediction_strength"]
    return second if strength[second] > strength[first] else first


def rules_for(kind: str, spec: tuple[Any, ...]) -> dict[str, int]:
    """Every candidate rule's k on one data set (one task of the rules table)."""
    if kind == "survey":
        X, seed = survey_data(*spec), spec[3]
    else:
        X, seed = planted(2000, spec[1], spec[2], **SETTINGS[spec[0]])[0], spec[2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = select_k(X, K_RANGE, random_state=seed)
    chosen = {"select_k rule (elbow at 7.5 %, lowest BIC at a clear minimum)":
              table.recommended_k}
    for step in ELBOW_STEPS:
        chosen[f"  elbow at {step:.1%}"] = elbow_rule(table, step)
    chosen["  elbow at 7.5 % without the clear-minimum check"] = elbow_rule(table, 0.075, False)
    chosen["lowest BIC (the previous rule)"] = table.lowest_bic_k
    chosen["lowest BIC, prediction strength >= 0.8 as a filter"] = classic_rule(table)
    chosen["lowest BIC, prediction strength where the margin < 10"] = weak_margin_rule(table)
    chosen["k-prototypes partition's BIC"] = partition_rule(table)
    chosen["lowest BIC over k = 2..7 (the demo's range)"] = int(
        table.loc[(table["smallest_share"] >= 0.05) & (table.index <= 7), "bic"].idxmin())
    return chosen


def rules(seeds: int, processes: int) -> None:
    tasks = ([("survey", spec) for spec in SURVEY_SETS]
             + [("planted", (name, k, seed)) for name in SETTINGS for k in PLANTED
                for seed in range(seeds)])
    with ProcessPoolExecutor(processes) if processes > 1 else nullcontext() as pool:
        run = pool.map if pool is not None else map
        results = []
        for (kind, spec), chosen in zip(tasks, run(rules_for, *zip(*tasks)), strict=True):
            results.append(chosen)
            label = (f"{spec[0]} {spec[1]} personas n={spec[2]:,} seed={spec[3]}"
                     if kind == "survey" else f"{spec[0][:4]} k={spec[1]} seed={spec[2]}")
            print(f"  ... {label}: " + ", ".join(
                f"{method.strip()} {value}" for method, value in chosen.items()), flush=True)
    groups = {"survey (simulated)": lambda kind, spec: kind == "survey"}
    for name in SETTINGS:
        groups[name] = lambda kind, spec, name=name: kind == "planted" and spec[0] == name
    print("\nCandidate rules, found / over / under per group of data sets:")
    truth = [spec[1] for _, spec in tasks]
    header = "  ".join(f"{group[:24]:<24}" for group in groups)
    print(f"{'rule':<64} {header}")
    for method in results[0]:
        cells = []
        for belongs in groups.values():
            picked = [(chosen[method], truth[i]) for i, ((kind, spec), chosen)
                      in enumerate(zip(tasks, results, strict=True)) if belongs(kind, spec)]
            found = sum(k == t for k, t in picked)
            over = sum(k > t for k, t in picked)
            cells.append(f"{found} / {over} / {len(picked) - found - over} of {len(picked)}")
        print(f"{method:<64} " + "  ".join(f"{cell:<24}" for cell in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--no-stepmix", action="store_true")
    parser.add_argument("--stepmix-init", type=int, default=2)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-recovery", action="store_true")
    parser.add_argument("--planted", type=int, nargs="+", default=list(PLANTED),
                        help="planted k of the recovery data sets")
    parser.add_argument("--setting", choices=["default", "hard"],
                        help="only this recovery setting")
    parser.add_argument("--processes", type=int, default=1,
                        help="data sets of the recovery table run in this many processes")
    parser.add_argument("--rules", action="store_true",
                        help="only the candidate-rules table (survey and planted data)")
    args = parser.parse_args()
    if args.rules:
        rules(args.seeds, args.processes)
        return
    if not args.no_speed:
        speed((5_000, 50_000))
    if not args.no_recovery:
        recovery(args.seeds, not args.no_stepmix, args.stepmix_init, args.setting,
                 tuple(args.planted), args.processes)


if __name__ == "__main__":
    main()
