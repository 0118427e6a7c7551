"""Shared data and an independent brute-force reference of the k-prototypes distance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dash_personas.datasets import make_mixed_blobs


def _mixed_frame(n: int = 60, seed: int = 0, missing_rate: float = 0.0) -> pd.DataFrame:
    """A small table with every supported dtype (numbers, object, str, category, bool)."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, size=n)
    frame = pd.DataFrame({
        "age": 30.0 + 12.0 * group + rng.normal(0.0, 3.0, n),
        "income": rng.normal(50.0, 10.0, n) + 15.0 * (group == 1),
        "visits": rng.integers(0, 9, n).astype(np.int64),
        "region": np.array(["north", "south", "east"], dtype=object)[
            np.where(rng.random(n) < 0.8, group, rng.integers(0, 3, n))],
        "channel": pd.array(np.array(["web", "shop"])[rng.integers(0, 2, n)], dtype="str"),
        "plan": pd.Categorical(np.array(["basic", "plus", "pro"])[group],
                               categories=["basic", "plus", "pro"]),
        "member": rng.random(n) < 0.4 + 0.2 * group,
    })
    if missing_rate:
        holes = rng.random(frame.shape) < missing_rate
        holes[holes.all(axis=1), 0] = False
        for j, name in enumerate(frame.columns):
            if frame[name].dtype == bool:
                frame[name] = frame[name].astype(object)
            frame.loc[holes[:, j], name] = None
    return frame


@pytest.fixture
def mixed_frame() -> pd.DataFrame:
    return _mixed_frame()


@pytest.fixture
def make_frame() -> Callable[..., pd.DataFrame]:
    return _mixed_frame


@pytest.fixture(scope="session")
def blobs() -> tuple[pd.DataFrame, np.ndarray]:
    """Well separated planted segments (3 of them), small enough for quick fits."""
    return make_mixed_blobs(300, n_numeric=3, n_categorical=3, n_clusters=3, separation=4.0,
                            concentration=0.8, random_state=7)


def _numeric_column(column: pd.Series) -> np.ndarray:
    """Numeric values as float; an ordered categorical gives its rank 1..L."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(float)
        codes[codes < 0] = np.nan
        return codes + 1.0
    return pd.to_numeric(column).to_numpy(dtype=float, na_value=np.nan)


def brute_force_distances(model: Any, X_train: pd.DataFrame, X: pd.DataFrame,
                          weights: Any = None) -> np.ndarray:
    """The k-prototypes distance, written out feature by feature and row by row.

    Squared Euclidean distance on standardised numerics (training mean and population
    standard deviation, unless ``scale=False``) times each feature's weight, plus
    ``gamma * weight`` per categorical mismatch; with missing values only observed
    features count and the sum is rescaled by total / observed feature weight.
    Prototypes are read from ``model.cluster_centers_`` (original units and labels).
    """
    X_train = X_train.set_axis([str(c) for c in X_train.columns], axis=1)
    X = X.set_axis([str(c) for c in X.columns], axis=1)
    numeric, categorical = model.numeric_features_, model.categorical_features_
    names = [str(c) for c in X_train.columns]
    weight = dict.fromkeys(names, 1.0)
    if isinstance(weights, dict):
        weight.update({str(k): float(v) for k, v in weights.items()})
    elif weights is not None:
        weight.update(dict(zip(names, map(float, weights))))
    centres = model.cluster_centers_
    k = len(centres)
    mean, std = {}, {}
    for name in numeric:
        values = _numeric_column(X_train[name])
        if model.scale:
            mean[name] = np.nanmean(values)
            sd = np.nanstd(values)
            std[name] = sd if sd > 0 else 1.0
        else:
            mean[name], std[name] = 0.0, 1.0
    numeric_values = {name: _numeric_column(X[name]) for name in numeric}
    categorical_values = {name: X[name].to_numpy(dtype=object) for name in categorical}
    centre_values = {name: centres[name].tolist() for name in numeric + categorical}
    total = sum(weight[c] for c in numeric + categorical)
    out = np.zeros((len(X), k))
    for i in range(len(X)):
        for c in range(k):
            dist = 0.0
            observed = 0.0
            for name in numeric:
                value = numeric_values[name][i]
                if np.isnan(value):
                    continue
                observed += weight[name]
                z = (value - mean[name]) / std[name]
                centre = (float(centre_values[name][c]) - mean[name]) / std[name]
                dist += weight[name] * (z - centre) ** 2
            for name in categorical:
                value = categorical_values[name][i]
                if pd.isna(value):
                    continue
                observed += weight[name]
                if value != centre_values[name][c]:
                    dist += model.gamma_ * weight[name]
            out[i, c] = dist * total / observed
    return out


@pytest.fixture
def reference_distances() -> Callable[..., np.ndarray]:
    return brute_force_distances
