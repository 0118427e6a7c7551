"""A real ``distributed.LocalCluster`` with two worker processes, started once.

The cluster is shared by the session; each test that wants it connects its own
``Client`` (a fresh connection takes a fraction of a second), so the tests that
run on the local threaded scheduler are not routed to the cluster by accident.
"""

from __future__ import annotations

import dask
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from dash_personas import make_mixed_blobs


@pytest.fixture(scope="session")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit="1GiB") as local:
        yield local


@pytest.fixture
def client(cluster):
    with Client(cluster) as connected:
        yield connected


@pytest.fixture(params=["threads", "distributed"])
def scheduler(request):
    """Run the test on the local threaded scheduler and on the LocalCluster."""
    if request.param == "threads":
        with dask.config.set(scheduler="threads"):
            yield "threads"
    else:
        with Client(request.getfixturevalue("cluster")):
            yield "distributed"


@pytest.fixture
def mixed_frame():
    """Builds mixed data with text categories (optionally missing values)."""
    return _mixed_frame


@pytest.fixture
def weights_for():
    """Builds integer sample weights 1-3 for a frame."""
    return _weights_for


def _mixed_frame(n: int = 1200, *, missing: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Mixed data with text categories (and optionally missing values)."""
    X, _ = make_mixed_blobs(n_samples=n, n_clusters=4, missing_rate=missing,
                            categorical_dtype="object", random_state=seed)
    return X


def _weights_for(frame: pd.DataFrame, seed: int = 1) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.integers(1, 4, len(frame)).astype(float), index=frame.index)
