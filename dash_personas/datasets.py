"""Synthetic mixed-type data with planted segments, for examples, tests and benchmarks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from survey_builder.errors import UserError

__all__ = ["make_mixed_blobs"]


def make_mixed_blobs(
    n_samples: int = 1000,
    *,
    n_numeric: int = 4,
    n_categorical: int = 4,
    n_clusters: int = 4,
    n_levels: int = 5,
    separation: float = 2.0,
    concentration: float = 0.6,
    missing_rate: float = 0.0,
    categorical_dtype: str = "category",
    random_state: Any = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Generate mixed numeric/categorical rows from planted segments.

    Each segment has a numeric centre drawn from ``N(0, separation^2)`` (rows add
    unit-variance noise) and, for each categorical column, a preferred level that
    a row takes with probability ``concentration`` (otherwise a uniformly random
    level).

    Parameters
    ----------
    n_samples : int
        Number of rows.
    n_numeric, n_categorical : int
        Number of numeric (``num_0``...) and categorical (``cat_0``...) columns.
    n_clusters : int
        Number of planted segments (sizes vary, none smaller than half the average).
    n_levels : int
        Levels per categorical column (``"a"``, ``"b"``, ...).
    separation : float
        Spread of the numeric segment centres, in noise standard deviations.
    concentration : float
        Probability that a categorical value is the segment's preferred level.
    missing_rate : float
        Share of values set to missing, completely at random.
    categorical_dtype : {"category", "object"}
        dtype of the categorical columns.
    random_state : int, Generator or None
        Seed.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_numeric + n_categorical)
    y : ndarray of shape (n_samples,)
        The planted segment of each row.
    """
    if n_samples < 1 or n_clusters < 1:
        raise UserError("n_samples and n_clusters must be >= 1")
    if not 1 <= n_levels <= 26:
        raise UserError("n_levels must be between 1 and 26")
    rng = np.random.default_rng(random_state)
    shares = rng.uniform(0.5, 1.5, size=n_clusters)
    y = rng.choice(n_clusters, size=n_samples, p=shares / shares.sum())
    columns: dict[str, Any] = {}
    centres = rng.normal(0.0, separation, size=(n_clusters, n_numeric))
    numeric = centres[y] + rng.standard_normal((n_samples, n_numeric))
    for j in range(n_numeric):
        columns[f"num_{j}"] = numeric[:, j]
    level_names = np.array([chr(ord("a") + i) for i in range(n_levels)], dtype=object)
    preferred = rng.integers(0, n_levels, size=(n_clusters, n_categorical))
    keep = rng.random((n_samples, n_categorical)) < concentration
    random_levels = rng.integers(0, n_levels, size=(n_samples, n_categorical))
    codes = np.where(keep, preferred[y], random_levels)
    for j in range(n_categorical):
        values = level_names[codes[:, j]]
        if categorical_dtype == "category":
            columns[f"cat_{j}"] = pd.Categorical.from_codes(codes[:, j],
                                                            categories=list(level_names))
        else:
            columns[f"cat_{j}"] = values
    frame = pd.DataFrame(columns)
    if missing_rate > 0:
        holes = rng.random(frame.shape) < missing_rate
        # never blank a whole row
        holes[holes.all(axis=1), 0] = False
        frame = frame.mask(holes)
    return frame, y
