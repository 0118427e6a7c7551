"""The sums a segment profile is computed from, whoever collects them.

The Dask profile reduces partitions to them and the dashboard's filter takes them
from rows coded once; ``_profile._from_statistics`` builds the profile tables from
them. Kept apart from both so that neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["ProfileSums"]


@dataclass
class ProfileSums:
    """The sums a segment profile is computed from (Dask partitions, filtered rows).

    ``sizes`` are rows per segment, ``weight`` and ``weight_sq`` the sums of their
    weights and squared weights. ``sw``, ``sw2``, ``total`` and ``total_sq`` are per
    (segment, numeric column) sums of the weights of the observed values, of their
    squares, and of the weighted ``value - shift`` and its square, ``shift`` being the
    overall (weighted) column mean; ``level_counts`` are (segment x level) sums of
    weights and ``level_weight_sq`` each segment's sum of squared weights of the rows
    that answered the column.
    """

    segments: np.ndarray
    sizes: np.ndarray
    weight: np.ndarray
    weight_sq: np.ndarray
    weighted: bool
    numeric: list[str]
    sw: np.ndarray
    sw2: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    shift: np.ndarray
    categorical: list[str]
    levels: list[list[Any]] = field(default_factory=list)
    level_counts: list[np.ndarray] = field(default_factory=list)
    level_weight_sq: list[np.ndarray] = field(default_factory=list)
