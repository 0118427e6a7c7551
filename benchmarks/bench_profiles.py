"""What do weighted, tested profiles cost, next to the fit they describe?

Prints, in one process and as ratios against a reference run on the same data:

* ``profile_segments`` unweighted and weighted (survey weights, effective bases, Welch and
  two-proportion tests for every feature of every segment, one Holm-corrected family)
  against one ``KPrototypes.fit`` (``n_init=1``) on the same rows;
* the typical person (most common combination of four demographic answers, or the medoid)
  against the weighted profile.

Run: ``python benchmarks/bench_profiles.py [--rows 100000 1000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from dash_personas import KPrototypes, make_mixed_blobs, profile_segments
from dash_personas.personas import typical_people


def _median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'rows':>9} {'fit s':>7} {'profile/fit':>11} {'weighted/fit':>12} "
          f"{'weighted/unweighted':>19} {'typical/weighted':>16}")
    for n in args.rows:
        X, _ = make_mixed_blobs(n, n_numeric=10, n_categorical=10, n_clusters=6,
                                random_state=0)
        weights = rng.uniform(0.2, 3.0, n)
        demographics = pd.DataFrame({f"d{j}": rng.integers(0, 5, n).astype(str)
                                     for j in range(4)})
        model = KPrototypes(6, n_init=1, random_state=0).fit(X)
        labels = model.labels_
        fit = _median_seconds(lambda X=X: KPrototypes(6, n_init=1, random_state=0).fit(X),
                              args.repeat)
        plain = _median_seconds(lambda X=X, labels=labels: profile_segments(X, labels),
                                args.repeat)
        weighted = _median_seconds(
            lambda X=X, labels=labels, weights=weights: profile_segments(
                X, labels, sample_weight=weights), args.repeat)
        typical = _median_seconds(
            lambda d=demographics, labels=labels, weights=weights: typical_people(
                d, list(d.columns), labels, weights), args.repeat)
        print(f"{n:>9,} {fit:>7.2f} {plain / fit:>11.2f} {weighted / fit:>12.2f} "
              f"{weighted / plain:>19.2f} {typical / weighted:>16.2f}")


if __name__ == "__main__":
    main()
