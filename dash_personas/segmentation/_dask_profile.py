"""Segment profiles of Dask data from per-partition statistics (no rows collected).

Each partition reduces to, per segment: the count, mean and sum of squared
deviations of every numeric column (merged across partitions with Chan et al.'s
update) and the count of every categorical level. Those are the sufficient
statistics of :func:`~dash_personas.segmentation.profile_segments`, which builds
its tables from them with the functions the in-memory profile uses, so the numbers
agree to floating-point rounding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask import delayed

from survey_builder.errors import UserError

from ._dask import _tree_reduce
from ._encoding import MixedEncoder

__all__ = ["ProfileStatistics", "profile_statistics"]


@dataclasses.dataclass
class ProfileStatistics:
    """The sums a segment profile is computed from (as ``_profile`` computes them).

    ``count``, ``total`` and ``total_sq`` are per (segment, numeric column) counts of
    observed values and sums of ``value - shift`` and its square, ``shift`` being
    the overall column mean; ``level_counts`` are (segment x level) counts.
    """

    segments: np.ndarray
    sizes: np.ndarray
    numeric: list[str]
    count: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    shift: np.ndarray
    categorical: list[str]
    levels: list[list[Any]]
    level_counts: list[np.ndarray]


@dataclasses.dataclass
class _SegmentStatistics:
    """Per-segment moments and level counts of one or more partitions."""

    segments: np.ndarray  # sorted
    size: np.ndarray  # (k,)
    count: np.ndarray  # (k, p) observed values
    mean: np.ndarray  # (k, p)
    m2: np.ndarray  # (k, p) sums of squared deviations from the segment mean
    levels: list[list[Any]]  # per categorical column, in order of first appearance
    level_counts: list[np.ndarray]  # per categorical column, (k, n_levels)

    def aligned(self, segments: np.ndarray, levels: list[list[Any]]) -> _SegmentStatistics:
        """The same statistics on a superset of segments and levels (zeros elsewhere)."""
        where = np.searchsorted(segments, self.segments)
        k, p = segments.size, self.count.shape[1]

        def spread(values: np.ndarray) -> np.ndarray:
            out = np.zeros((k, *values.shape[1:]))
            out[where] = values
            return out

        counts = []
        for mine, theirs, table in zip(self.levels, levels, self.level_counts):
            position = {level: i for i, level in enumerate(theirs)}
            out = np.zeros((k, len(theirs)))
            if mine:
                out[np.ix_(where, [position[level] for level in mine])] = table
            counts.append(out)
        return _SegmentStatistics(segments, spread(self.size), spread(self.count).reshape(k, p),
                                  spread(self.mean).reshape(k, p),
                                  spread(self.m2).reshape(k, p), levels, counts)

    def merge(self, other: _SegmentStatistics) -> _SegmentStatistics:
        segments = np.union1d(self.segments, other.segments)
        levels = [mine + [v for v in theirs if v not in set(mine)]
                  for mine, theirs in zip(self.levels, other.levels)]
        a, b = self.aligned(segments, levels), other.aligned(segments, levels)
        count = a.count + b.count
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(count > 0, b.count / np.where(count > 0, count, 1), 0.0)
        delta = b.mean - a.mean
        return _SegmentStatistics(
            segments, a.size + b.size, count, a.mean + delta * share,
            a.m2 + b.m2 + delta**2 * a.count * share, levels,
            [x + y for x, y in zip(a.level_counts, b.level_counts)])


def _partition_statistics(part: pd.DataFrame, labels: Any, numeric: list[str],
                          categorical: list[str], index: int,
                          numeric_column: Callable[[pd.Series], np.ndarray]
                          ) -> _SegmentStatistics:
    labels = np.asarray(labels)
    if labels.shape[0] != len(part):
        raise UserError(f"labels must have one value per row: partition {index} has "
                        f"{len(part)} rows but {labels.shape[0]} labels; pass labels with "
                        "the data's partitions (e.g. model.predict(data))")
    segments, inverse = np.unique(labels, return_inverse=True)
    k = segments.size
    values = (np.column_stack([numeric_column(part[c]) for c in numeric]) if numeric
              else np.zeros((len(part), 0)))
    observed = ~np.isnan(values)
    count = np.zeros((k, len(numeric)))
    mean = np.zeros((k, len(numeric)))
    m2 = np.zeros((k, len(numeric)))
    for j in range(len(numeric)):
        seen = observed[:, j]
        count[:, j] = np.bincount(inverse[seen], minlength=k)
        sums = np.bincount(inverse[seen], weights=values[seen, j], minlength=k)
        mean[:, j] = np.where(count[:, j] > 0, sums / np.maximum(count[:, j], 1), 0.0)
        deviation = values[seen, j] - mean[inverse[seen], j]
        m2[:, j] = np.bincount(inverse[seen], weights=deviation**2, minlength=k)
    levels, level_counts = [], []
    for name in categorical:
        codes, uniques = pd.factorize(part[name], sort=False)
        present = codes >= 0
        n_levels = len(uniques)
        levels.append(list(uniques))
        level_counts.append(np.bincount(inverse[present] * n_levels + codes[present],
                                        minlength=k * n_levels).reshape(k, n_levels)
                            .astype(np.float64))
    return _SegmentStatistics(segments, np.bincount(inverse, minlength=k).astype(np.float64),
                              count, mean, m2, levels, level_counts)


def _merge(first: _SegmentStatistics, second: _SegmentStatistics) -> _SegmentStatistics:
    return first.merge(second)


def _label_blocks(labels: Any) -> list[Any]:
    if isinstance(labels, (dd.Series, dd.DataFrame)):
        return list(labels.to_delayed())
    if isinstance(labels, da.Array):
        if labels.ndim != 1:
            raise UserError(f"labels must be 1-D, got {labels.ndim} dimensions")
        return list(labels.to_delayed().ravel())
    raise UserError("with Dask data, pass labels as a Dask Series or array with the data's "
                    "partitions (model.predict(data), or labels_ of a fit on that data)")


def profile_statistics(data: Any, labels: Any, *, categorical: Any, exclude: Any,
                       numeric_column: Callable[[pd.Series], np.ndarray]
                       ) -> ProfileStatistics:
    """The profile's sums over the partitions of a Dask DataFrame and its labels.

    ``numeric_column`` turns a column into float values (the profile's own rule).
    """
    if not isinstance(data, dd.DataFrame):
        raise UserError("profile_segments on Dask takes a Dask DataFrame (or in-memory data "
                        "with in-memory labels)")
    frame = data.rename(columns={c: str(c) for c in data.columns})
    if exclude:
        frame = frame.drop(columns=[str(c) for c in exclude])
    encoder = MixedEncoder(categorical=categorical, scale=False)
    encoder.input_is_frame_ = True
    encoder.feature_names_in_ = [str(c) for c in frame.columns]
    kinds = encoder._resolve_categorical(frame._meta)
    numeric = [c for c in frame.columns if c not in kinds]
    categorical_columns = [c for c in frame.columns if c in kinds]
    parts, blocks = frame.to_delayed(), _label_blocks(labels)
    if len(parts) != len(blocks):
        raise UserError(f"labels have {len(blocks)} partitions but the data has {len(parts)}; "
                        "pass labels with the data's partitions (e.g. model.predict(data))")
    statistics: _SegmentStatistics = _tree_reduce(
        [delayed(_partition_statistics)(part, block, numeric, categorical_columns, i,
                                        numeric_column)
         for i, (part, block) in enumerate(zip(parts, blocks))], _merge).compute()
    # as in memory: sums of the values minus the overall column mean
    all_count = statistics.count.sum(axis=0)
    shift = np.where(all_count > 0, (statistics.count * statistics.mean).sum(axis=0)
                     / np.maximum(all_count, 1), 0.0)
    centred = statistics.mean - shift
    return ProfileStatistics(
        segments=statistics.segments, sizes=statistics.size.astype(np.int64), numeric=numeric,
        count=statistics.count, total=statistics.count * centred,
        total_sq=statistics.m2 + statistics.count * centred**2, shift=shift,
        categorical=categorical_columns, levels=statistics.levels,
        level_counts=statistics.level_counts)
