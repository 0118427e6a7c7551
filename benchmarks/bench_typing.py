"""Benchmark ``TypingTool.build``: time and peak memory against the size of the data.

Builds a typing tool for a k-prototypes model on N mixed rows (default 200,000;
10 numeric + 10 categorical columns, k=8) and prints the peak of the memory Python
allocates during the build (``tracemalloc``, NumPy arrays included) next to the size of
the data frame it is given. Issue #10 asks for a peak bounded by a small multiple of
the data; before the build was chunked it held features x rows x k distances at once.

Measured on the 2-core development machine (same questions and accuracies before and
after, checked on these rows)::

    rows        data      peak before           peak after
    200,000     17.2 MiB  512.7 MiB (29.9x)     36.4 MiB (2.1x)
    1,000,000   85.8 MiB  (+2.6 GB, issue #10)  173.9 MiB (2.0x)

Usage::

    python benchmarks/bench_typing.py                 # N = 200,000
    python benchmarks/bench_typing.py --rows 1000000  # the issue's 1M x 20 case

Machines here are noisy: the memory figures are exact, the times are indicative.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from dash_personas import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, TypingTool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows of data")
    parser.add_argument("--clusters", type=int, default=8, help="segments (k)")
    parser.add_argument("--max-questions", type=int, default=8, help="questions to choose")
    args = parser.parse_args()

    X, _ = make_mixed_blobs(args.rows, n_numeric=10, n_categorical=10,
                            n_clusters=args.clusters, random_state=0)
    model = KPrototypes(args.clusters, n_init=1, max_iter=20, random_state=0).fit(X)
    data_bytes = int(X.memory_usage(deep=True).sum())

    tracemalloc.start()
    start = time.perf_counter()
    tool = TypingTool.build(model, X, max_questions=args.max_questions, target_accuracy=1.0,
                            random_state=0)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"TypingTool.build at {args.rows:,} rows x 20 columns, k={args.clusters}, "
          f"{len(tool.questions)} questions, held-out accuracy {tool.accuracy:.1%}")
    print(f"  data frame       {data_bytes / 2**20:9.1f} MiB")
    print(f"  peak during build{peak / 2**20:9.1f} MiB   ({peak / data_bytes:.2f}x the data)")
    print(f"  time             {seconds:9.2f} s (with tracemalloc on)")


if __name__ == "__main__":
    main()
