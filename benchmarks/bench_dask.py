"""Benchmark k-prototypes on Dask against the in-memory fit and dask-ml's KMeans.

Everything runs in this process and on one ``distributed.LocalCluster`` of
``--workers`` worker processes (one thread each), so the ratios compare the same
cores:

1. **Same data, three fits** (``--n`` rows x 20 columns: 10 numeric + 10
   categorical, k=8, ``n_init=1``, the same ``random_state``): the in-memory fit,
   the Dask fit on the cluster (Parquet files read by the workers; the encoded
   partitions fit in worker memory, so they are kept there), and dask-ml's
   ``KMeans`` (k-means||) on the numeric half only (dask-ml clusters numbers only).
   The Dask and in-memory fits must agree (labels, cost), and the script says so.
2. **Out of core**: ``--ooc-n`` rows of Parquet, several times the workers' total
   memory limit (``--memory-limit`` each): the fit re-reads the partitions every
   pass (the encoded data does not fit, so it is not kept); ``--ooc-passes``
   passes are timed. Reported: time per pass, rows/s per worker and the peak
   resident memory of any worker (sampled every 0.2 s), against the limit.
3. **assign**: labels for the out-of-core data (``predict``, one
   ``map_partitions``, written as Parquet): rows/s per worker, and the time for
   1e9 rows on 100 workers extrapolated linearly from it (assignment is a map
   without communication, so it scales with the workers as long as each reads
   its partitions as fast as here).

Usage::

    python benchmarks/bench_dask.py                 # defaults below (a few minutes)
    python benchmarks/bench_dask.py --n 5000000 --ooc-n 50000000 --memory-limit 2GiB
                                                    # the issue's full sizes

Machines here are noisy and shared: only ratios from the same run mean anything.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask_ml.cluster import KMeans as DaskMLKMeans
from distributed import Client, LocalCluster
from sklearn.metrics import adjusted_rand_score

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes

K = 8
N_NUMERIC = N_CATEGORICAL = 10
PARTITION_ROWS = 250_000
# encoded row as the Lloyd passes hold it: 10 scaled numerics, their squared norm,
# 10 level codes, 3 packed block codes, update weight and a label per restart
ENCODED_ROW_BYTES = 8 * N_NUMERIC + 8 + 4 * N_CATEGORICAL + 4 * 3 + 8 + 1


def planted(n: int, seed: int) -> pd.DataFrame:
    """Mixed blobs: 10 numeric + 10 categorical columns, k=8 planted segments."""
    X, _ = make_mixed_blobs(n_samples=n, n_numeric=N_NUMERIC, n_categorical=N_CATEGORICAL,
                            n_clusters=K, separation=2.0, random_state=seed)
    return X


def write_parquet(base: pd.DataFrame, folder: Path, n_rows: int, seed: int) -> int:
    """``n_rows`` rows as files of ``PARTITION_ROWS`` rows: copies of ``base`` with
    jittered numerics (the same segments, different rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    numeric = [c for c in base.columns if c.startswith("num")]
    written = 0
    part = 0
    while written < n_rows:
        size = min(PARTITION_ROWS, n_rows - written)
        rows = base.iloc[rng.integers(0, len(base), size)].reset_index(drop=True)
        rows[numeric] = rows[numeric] + rng.normal(0, 0.05, (size, len(numeric)))
        rows.to_parquet(folder / f"part-{part:05d}.parquet", index=False)
        written += size
        part += 1
    return part


class PeakMemory:
    """Peak resident memory of any worker, sampled in a background thread."""

    def __init__(self, client: Client, every: float = 0.2) -> None:
        self.client, self.every, self.peak = client, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rss = self.client.run(_rss)
                self.peak = max(self.peak, *rss.values())
            except Exception:  # a worker restarting: sample again
                pass
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def timed(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--ooc-n", type=int, default=12_000_000)
    parser.add_argument("--ooc-passes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="1GiB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-ooc", action="store_true",
                        help="Only part 1 (e.g. again with a larger --memory-limit, so that "
                             "the encoded partitions are kept in worker memory).")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    scratch = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        run(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace, scratch: Path) -> None:
    print(f"data: {N_NUMERIC} numeric + {N_CATEGORICAL} categorical columns, k={K}, "
          f"n_init=1; {args.workers} worker processes x 1 thread, memory limit "
          f"{args.memory_limit} each; partitions of {PARTITION_ROWS:,} rows")
    X = planted(args.n, args.seed)
    files = scratch / "same"
    files.mkdir()
    for i, start in enumerate(range(0, args.n, PARTITION_ROWS)):
        X.iloc[start:start + PARTITION_ROWS].to_parquet(files / f"part-{i:05d}.parquet",
                                                        index=False)
    params: dict[str, Any] = dict(n_init=1, random_state=args.seed, max_iter=100)
    memory_time, memory = timed(lambda: KPrototypes(K, **params).fit(X))
    # gamma="auto" is estimated on the seeding sample on Dask: give both fits one gamma
    params["gamma"] = memory.gamma_
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      memory_limit=args.memory_limit, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(lambda: __import__("dash_personas.segmentation._dask"))  # warm imports
        idle = max(client.run(_rss).values())
        lazy = dd.read_parquet(str(files / "*.parquet"))
        dask_time, fitted = timed(lambda: KPrototypes(K, **params).fit(lazy))
        lazy_labels = fitted.labels_.compute()
        same = bool(np.array_equal(lazy_labels, memory.labels_))
        # the same partition may come with the segments numbered in another order
        agreement = adjusted_rand_score(memory.labels_, lazy_labels)
        numeric = lazy[[c for c in X.columns if c.startswith("num")]]
        array = numeric.to_dask_array()
        array.compute_chunk_sizes()
        scaled = ((array - array.mean(axis=0)) / array.std(axis=0)).persist()
        print(f"\n1. {args.n:,} rows: in memory {memory_time:.2f} s, Dask {dask_time:.2f} s",
              flush=True)
        kmeans_time, _ = timed(lambda: DaskMLKMeans(n_clusters=K, random_state=args.seed,
                                                    init_max_iter=2).fit(scaled))
        print(f"\n1. {args.n:,} rows: fit times (passes: in memory {memory.n_iter_}, "
              f"Dask {fitted.n_iter_})")
        print(f"   in-memory fit            {memory_time:8.2f} s")
        print(f"   Dask fit (LocalCluster)  {dask_time:8.2f} s   "
              f"ratio to in memory {dask_time / memory_time:5.2f}x")
        print(f"   dask-ml KMeans, numeric  {kmeans_time:8.2f} s   "
              f"ratio Dask k-prototypes / dask-ml {dask_time / kmeans_time:5.2f}x")
        print(f"   same labels as in memory: {same} (adjusted Rand index {agreement:.6f}); "
              "cost ratio "
              f"{fitted.cost_ / memory.cost_:.12f}")
        # the engine's rule (_dask._keep_encoded): kept when under a third of the
        # workers' memory, counting 8 bytes per numeric and categorical value + 48 per row
        encoded = (8 * N_NUMERIC + 8 * N_CATEGORICAL + 48) * args.n
        kept = encoded < dask.utils.parse_bytes(args.memory_limit) * args.workers / 3
        print(f"   encoded data {encoded / 2**30:.2f} GiB: "
              + ("kept in worker memory" if kept else "re-read from Parquet every pass "
                 "(more than a third of the workers' memory)"))

        if args.no_ooc:
            return
        ooc = scratch / "ooc"
        n_files = write_parquet(X, ooc, args.ooc_n, args.seed + 1)
        row_bytes = X.memory_usage(deep=True).sum() / len(X)
        limit = dask.utils.parse_bytes(args.memory_limit)

        print(f"\n2. out of core, {args.ooc_passes} Lloyd passes per fit (max_iter), after "
              "the encoding and sampling passes; the encoded partitions are not kept")
        files_all = sorted(ooc.glob("*.parquet"))
        for share in (4, 1):
            chosen = files_all[: max(1, n_files // share)]
            n_rows = min(args.ooc_n, len(chosen) * PARTITION_ROWS)
            lazy = dd.read_parquet([str(f) for f in chosen])
            model = KPrototypes(K, n_init=1, random_state=args.seed, gamma=params["gamma"],
                                max_iter=args.ooc_passes)
            with PeakMemory(client) as peak, dask.config.set({"dash_personas.cache": False}):
                ooc_time, _ = timed(lambda: model.fit(lazy))  # noqa: B023
            passes = model.n_iter_ + 2
            total = limit * args.workers
            print(f"   {n_rows:>12,} rows ({row_bytes * n_rows / 2**30:5.2f} GiB as a "
                  f"DataFrame = {row_bytes * n_rows / total:4.1f}x the workers' total limit; "
                  f"{ENCODED_ROW_BYTES * n_rows / 2**30:5.2f} GiB encoded = "
                  f"{ENCODED_ROW_BYTES * n_rows / total:4.1f}x): {ooc_time:6.1f} s for "
                  f"{passes} data passes, "
                  f"{n_rows * passes / ooc_time / args.workers:,.0f} rows/s per worker "
                  f"and pass; peak worker memory {peak.peak / 2**20:,.0f} MiB "
                  f"(idle worker {idle / 2**20:,.0f} MiB, limit {limit / 2**20:,.0f} MiB)")
        alive = len(client.scheduler_info(n_workers=-1)["workers"]) == args.workers
        print(f"   every worker survived: {alive}")

        labels = scratch / "labels"
        assign_time, _ = timed(lambda: model.predict(lazy).to_frame().to_parquet(
            str(labels), write_index=False))
        per_worker = args.ooc_n / assign_time / args.workers
        print(f"\n3. assign: {args.ooc_n:,} rows read, assigned and written in "
              f"{assign_time:.1f} s = {per_worker:,.0f} rows/s per worker")
        hours = 1e9 / (per_worker * 100) / 3600
        print(f"   1e9 rows on 100 workers (linear: 1e9 / (rows/s per worker x 100)): "
              f"{hours * 60:.1f} min")


if __name__ == "__main__":
    main()
