"""Segment profiles of Dask data from per-partition statistics (no rows collected).

Each partition reduces to, per segment: the sum of the weights (and of their
squares) of the observed values, the weighted mean and the weighted sum of squared
deviations of every numeric column (merged across partitions with Chan et al.'s
update), and the weighted count of every categorical level with the sum of squared
weights of the rows that answered. Those are the sufficient statistics of
:func:`~dash_personas.segmentation.profile_segments`, which builds its tables from
them with the functions the in-memory profile uses, so the numbers agree to
floating-point rounding. Without weights every weight is 1.
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

from ._dask import WEIGHT_COLUMN, _partition_weight, _tree_reduce
from ._encoding import MixedEncoder, _check_weight_total
from ._profile_sums import ProfileSums

__all__ = ["ProfileSums", "profile_statistics"]


@dataclasses.dataclass
class _SegmentStatistics:
    """Per-segment weighted moments and level counts of one or more partitions."""

    segments: np.ndarray  # sorted
    size: np.ndarray  # (k,) rows
    weight: np.ndarray  # (k,) sums of weights
    weight_sq: np.ndarray  # (k,) sums of squared weights
    count: np.ndarray  # (k, p) sums of the weights of the observed values
    count_sq: np.ndarray  # (k, p) sums of their squared weights
    mean: np.ndarray  # (k, p) weighted means
    m2: np.ndarray  # (k, p) weighted sums of squared deviations from the segment mean
    levels: list[list[Any]]  # per categorical column, in order of first appearance
    level_counts: list[np.ndarray]  # per categorical column, (k, n_levels) sums of weights
    level_weight_sq: list[np.ndarray]  # per categorical column, (k,) squared weights

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
        return _SegmentStatistics(
            segments, spread(self.size), spread(self.weight), spread(self.weight_sq),
            spread(self.count).reshape(k, p), spread(self.count_sq).reshape(k, p),
            spread(self.mean).reshape(k, p), spread(self.m2).reshape(k, p), levels, counts,
            [spread(w2) for w2 in self.level_weight_sq])

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
            segments, a.size + b.size, a.weight + b.weight, a.weight_sq + b.weight_sq, count,
            a.count_sq + b.count_sq, a.mean + delta * share,
            a.m2 + b.m2 + delta**2 * a.count * share, levels,
            [x + y for x, y in zip(a.level_counts, b.level_counts)],
            [x + y for x, y in zip(a.level_weight_sq, b.level_weight_sq)])


def _partition_statistics(part: pd.DataFrame, labels: Any, numeric: list[str],
                          categorical: list[str], index: int,
                          numeric_column: Callable[[pd.Series], np.ndarray],
                          weight_column: str | None = None) -> _SegmentStatistics:
    labels = np.asarray(labels)
    if labels.shape[0] != len(part):
        raise UserError(f"labels must have one value per row: partition {index} has "
                        f"{len(part)} rows but {labels.shape[0]} labels; pass labels with "
                        "the data's partitions (e.g. model.predict(data))")
    weight = _partition_weight(part, weight_column, index)
    if weight is None:
        weight = np.ones(len(part))
    with np.errstate(over="ignore"):  # too large a total is refused after the reduction
        weight_sq = weight**2
    segments, inverse = np.unique(labels, return_inverse=True)
    k = segments.size
    values = (np.column_stack([numeric_column(part[c]) for c in numeric]) if numeric
              else np.zeros((len(part), 0)))
    observed = ~np.isnan(values)
    count = np.zeros((k, len(numeric)))
    count_sq = np.zeros((k, len(numeric)))
    mean = np.zeros((k, len(numeric)))
    m2 = np.zeros((k, len(numeric)))
    for j in range(len(numeric)):
        seen = observed[:, j]
        w = weight[seen]
        count[:, j] = np.bincount(inverse[seen], weights=w, minlength=k)
        count_sq[:, j] = np.bincount(inverse[seen], weights=weight_sq[seen], minlength=k)
        sums = np.bincount(inverse[seen], weights=w * values[seen, j], minlength=k)
        mean[:, j] = np.where(count[:, j] > 0, sums / np.where(count[:, j] > 0, count[:, j], 1),
                              0.0)
        deviation = values[seen, j] - mean[inverse[seen], j]
        m2[:, j] = np.bincount(inverse[seen], weights=w * deviation**2, minlength=k)
    levels, level_counts, level_weight_sq = [], [], []
    for name in categorical:
        codes, uniques = pd.factorize(part[name], sort=False)
        present = codes >= 0
        n_levels = len(uniques)
        levels.append(list(uniques))
        level_counts.append(np.bincount(inverse[present] * n_levels + codes[present],
                                        weights=weight[present],
                                        minlength=k * n_levels).reshape(k, n_levels))
        level_weight_sq.append(np.bincount(inverse[present], weights=weight_sq[present],
                                           minlength=k))
    return _SegmentStatistics(segments, np.bincount(inverse, minlength=k).astype(np.float64),
                              np.bincount(inverse, weights=weight, minlength=k),
                              np.bincount(inverse, weights=weight_sq, minlength=k),
                              count, count_sq, mean, m2, levels, level_counts, level_weight_sq)


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
                       numeric_column: Callable[[pd.Series], np.ndarray],
                       sample_weight: Any = None) -> ProfileSums:
    """The profile's sums over the partitions of a Dask DataFrame and its labels.

    ``numeric_column`` turns a column into float values (the profile's own rule);
    ``sample_weight`` is a Dask Series (or array) with the data's partitions.
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
    weight_column = None
    if sample_weight is not None:
        frame = _with_weights(frame, sample_weight)
        weight_column = WEIGHT_COLUMN
    parts, blocks = frame.to_delayed(), _label_blocks(labels)
    if len(parts) != len(blocks):
        raise UserError(f"labels have {len(blocks)} partitions but the data has {len(parts)}; "
                        "pass labels with the data's partitions (e.g. model.predict(data))")
    statistics: _SegmentStatistics = _tree_reduce(
        [delayed(_partition_statistics)(part, block, numeric, categorical_columns, i,
                                        numeric_column, weight_column)
         for i, (part, block) in enumerate(zip(parts, blocks))], _merge).compute()
    if sample_weight is not None:
        _check_weight_total(float(statistics.weight.sum()))
    # as in memory: sums of the weighted values minus the overall column mean
    all_count = statistics.count.sum(axis=0)
    shift = np.where(all_count > 0, (statistics.count * statistics.mean).sum(axis=0)
                     / np.where(all_count > 0, all_count, 1), 0.0)
    centred = statistics.mean - shift
    return ProfileSums(
        segments=statistics.segments, sizes=statistics.size.astype(np.int64),
        weight=statistics.weight, weight_sq=statistics.weight_sq,
        weighted=sample_weight is not None, numeric=numeric,
        sw=statistics.count, sw2=statistics.count_sq, total=statistics.count * centred,
        total_sq=statistics.m2 + statistics.count * centred**2, shift=shift,
        categorical=categorical_columns, levels=statistics.levels,
        level_counts=statistics.level_counts, level_weight_sq=statistics.level_weight_sq)


def _with_weights(frame: dd.DataFrame, sample_weight: Any) -> dd.DataFrame:
    """``frame`` with the weights as a column (they must have its partitions)."""
    if isinstance(sample_weight, da.Array):
        if sample_weight.ndim != 1:
            raise UserError(f"sample_weight must be 1-D, got {sample_weight.ndim} dimensions",
                            field="sample_weight")
        sample_weight = dd.from_dask_array(sample_weight)
    if not isinstance(sample_weight, dd.Series):
        raise UserError("with Dask data, pass sample_weight as a Dask Series with the data's "
                        "partitions (e.g. data['weight'], that column excluded)",
                        field="sample_weight")
    try:
        return frame.assign(**{WEIGHT_COLUMN: sample_weight})
    except (ValueError, TypeError, NotImplementedError) as exc:
        raise UserError(f"sample_weight is not aligned with the data ({exc}); pass a column "
                        "of the same Dask DataFrame", field="sample_weight") from None
