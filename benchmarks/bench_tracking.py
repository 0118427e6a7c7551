"""Benchmark the tracking study: add-wave of many respondents, and a report over 20 waves.

* ``add-wave`` of N scored respondents (default 1,000,000; 10 numeric + 10 categorical
  columns, k=5) into SQLite and into PostgreSQL, assignment, stored feature values and
  the drift profile (histograms, moments, the split signal) included; then a second
  wave of N of which half were in the first (the panel's migration and the drift from
  the first are computed too). Target (issue #11): <= 30 s on SQLite. Shown against
  two references measured in this process on the same rows: ``model.transform`` (the
  assignment alone) and a raw ``executemany`` of the same tuples into a bare SQLite
  table (the cheapest possible write).
* ``report`` over 20 waves (default 20,000 respondents each, half of them a panel seen
  in the previous wave), drift of every wave from the first and the re-segment rule
  included. Target: <= 5 s. Shown against a plain full read of the
  respondents table, which a report that scanned rows would at least pay.

PostgreSQL runs on a throwaway cluster (Debian's server, ``tools/install-postgresql.sh``)
with fsync on, unless ``--postgres-server URL`` names a server where the benchmark may
create its databases (``postgresql+psycopg://user@host:port``); ``--no-postgres`` skips
it.

Usage::

    python benchmarks/bench_tracking.py                 # N = 1,000,000
    python benchmarks/bench_tracking.py --quick         # N = 100,000, 20 x 5,000 waves

Machines here are noisy: only the ratios measured in the same run mean anything.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from dash_personas import build_personas, make_mixed_blobs
from dash_personas.segmentation import KPrototypes
from dash_personas.tracking import Study, assign
from dash_personas.tracking._drift import wave_profile  # what add-wave adds for drift

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "tracking"))

K = 5
ADD_WAVE_TARGET_S = 30.0
REPORT_TARGET_S = 5.0


def verdict(seconds: float, target: float) -> str:
    return f"target <= {target:g} s: {'met' if seconds <= target else 'MISSED'}"


def scored_respondents(n: int, seed: int, first_id: int = 0) -> pd.DataFrame:
    """``n`` respondents from planted segments, with text ids."""
    frame, _ = make_mixed_blobs(n, n_numeric=10, n_categorical=10, n_clusters=K,
                                categorical_dtype="object", random_state=seed)
    frame.insert(0, "respondent_id", [f"R{i:08d}" for i in range(first_id, first_id + n)])
    return frame


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def raw_executemany_seconds(frame: pd.DataFrame, directory: Path) -> float:
    """Insert the rows add-wave writes (6 columns) into a bare SQLite table."""
    n = len(frame)
    rows = list(zip([1] * n, frame["respondent_id"].tolist(), [0] * n, [1.0] * n, [0.5] * n,
                    [1.0] * n))
    connection = sqlite3.connect(directory / "raw.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE t (w INT, id TEXT, s INT, d REAL, c REAL, wt REAL)")
    start = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


@contextlib.contextmanager
def postgres_server(url: str | None) -> Iterator[str]:
    """The given server, or a throwaway cluster with fsync on."""
    if url:
        yield url
        return
    from _pgcluster import throwaway_cluster

    with throwaway_cluster(durable=True) as server:
        yield server


def bench_add_wave(target: str, name: str, model, personas, frame, transform_s: float) -> None:
    """A first wave, then a second one of which half is the first's panel (migration)."""
    n = len(frame)
    second = frame.assign(respondent_id=[f"R{i:08d}" for i in range(n // 2, n // 2 + n)])
    with Study.create(target, model=model, personas=personas) as study:
        first_s, _ = timed(lambda: study.add_wave(frame, label="big"))
        second_s, _ = timed(lambda: study.add_wave(second, label="big-panel"))
        assert study.migration("big", "big-panel").n_panel == n - n // 2
        report_s, report = timed(study.report)
        assert report.waves[1].drift is not None  # the profile was stored and compared
    print(f"  {name:<10} add-wave {n:>9,} rows: {first_s:6.2f} s  "
          f"({first_s / transform_s:4.1f}x the assignment alone; "
          f"{verdict(first_s, ADD_WAVE_TARGET_S)})")
    print(f"  {name:<10} add-wave {n:>9,} rows, half of them a panel: {second_s:6.2f} s  "
          f"({second_s / transform_s:4.1f}x the assignment alone; "
          f"{verdict(second_s, ADD_WAVE_TARGET_S)})")
    print(f"  {name:<10} report of those two waves (drift included): {report_s:.3f} s")


def bench_report(target: str, name: str, model, personas, waves: int, size: int) -> None:
    with Study.create(target, model=model, personas=personas) as study:
        start = time.perf_counter()
        for w in range(waves):
            # half the wave is the previous wave's second half: a panel to migrate
            frame = scored_respondents(size, seed=100 + w, first_id=w * size // 2)
            study.add_wave(frame, label=f"W{w + 1:02d}")
        adding = time.perf_counter() - start
        report_s, report = timed(study.report)
        scan_s, _ = timed(lambda: [len(study.respondents(f"W{w + 1:02d}"))
                                   for w in range(waves)])
    assert len(report.waves) == waves and len(report.migration) == waves - 1
    assert all(w.drift is not None for w in report.waves[1:])
    print(f"  {name:<10} report over {waves} waves x {size:,}: {report_s:6.3f} s  "
          f"(a full read of the respondents: {scan_s:.2f} s, ratio "
          f"{report_s / scan_s:.3f}; adding the waves took {adding:.1f} s; "
          f"{verdict(report_s, REPORT_TARGET_S)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="respondents in add-wave")
    parser.add_argument("--waves", type=int, default=20)
    parser.add_argument("--wave-size", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="N=100,000, 20 x 5,000 waves")
    parser.add_argument("--postgres-server", default=None,
                        help="a PostgreSQL server URL where databases may be created")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.n, args.wave_size = 100_000, 5_000

    training = scored_respondents(20_000, seed=0)
    features = training.drop(columns="respondent_id")
    model = KPrototypes(K, n_init=1, random_state=0).fit(features)
    personas = build_personas(model, features)
    frame = scored_respondents(args.n, seed=1)
    transform_s, _ = timed(lambda: model.transform(frame.drop(columns="respondent_id")))
    print(f"{args.n:,} respondents, 20 columns, k={K}")
    print(f"  reference: model.transform {transform_s:.2f} s")
    features = frame.drop(columns="respondent_id")
    encoded = model.encoder_.transform(features)
    segment = assign(model, features, encoded=encoded).segment
    profile_s, _ = timed(lambda: wave_profile(model, features, np.ones(len(frame)), segment,
                                              codes=encoded.categorical))
    print(f"  part of add-wave: the drift profile alone {profile_s:.2f} s "
          f"({profile_s / transform_s:.2f}x the assignment)")

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        raw_s = raw_executemany_seconds(frame, root)
        print(f"  reference: raw sqlite3 executemany {raw_s:.2f} s")
        bench_add_wave(str(root / "big.db"), "SQLite", model, personas, frame, transform_s)
        bench_report(str(root / "waves.db"), "SQLite", model, personas, args.waves,
                     args.wave_size)
        if not args.no_postgres:
            from _pgcluster import new_database

            with postgres_server(args.postgres_server) as server:
                bench_add_wave(new_database(server), "PostgreSQL", model, personas, frame,
                               transform_s)
                bench_report(new_database(server), "PostgreSQL", model, personas,
                             args.waves, args.wave_size)


if __name__ == "__main__":
    main()
