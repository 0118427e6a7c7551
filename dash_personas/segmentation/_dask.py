"""K-prototypes on Dask: the fit as map-reduce over partitions, assignment as one map.

:class:`KPrototypes` dispatches here when ``X`` is a ``dask.dataframe.DataFrame`` (or a
Dask array with ``categorical=``). Everything runs on whichever Dask scheduler is
active: a ``distributed.Client`` (a real cluster or a ``LocalCluster``) or the local
threaded scheduler.

The fit is the in-memory fit, distributed:

1. **One pass over the raw partitions** learns the encoding: numeric means and
   standard deviations (per-partition counts, means and squared deviations merged
   with Chan et al.'s parallel update, so no sums of squares cancel), the levels
   of every categorical column (a union of the partitions' levels, ordered as the
   in-memory encoder orders them), the row count of every partition and whether
   any value is missing. Dtypes that differ between partitions stop here with
   the column and partition named.
2. **Seeding** is k-prototypes++ on a sample: each restart fetches a uniform sample
   of ``4 x max(2500, 250 k)`` rows (all rows for smaller data; one pass for all
   ``n_init`` restarts together) and runs the in-memory seeding
   (:func:`~dash_personas.segmentation._init.init_kprototypes_pp`) on it, which draws
   by weight from the sample's distinct rows and refines on its own sample. Data no
   larger than the sample therefore starts from exactly the in-memory prototypes for
   the same ``random_state``; larger data from prototypes seeded the same way on a
   sample (in memory the draws come from all distinct rows). k-means||
   (Bahmani et al. 2012) was not used: it needs about five further passes over the
   data and a weighted re-clustering of its oversampled candidates, which pays off
   for k in the hundreds; for segmentations (k <= ~20) a sample of at least 100 rows
   per 1 % segment seeds as well. ``gamma`` rules ("auto", "lambdaest", "huang") run
   on the first restart's sample (all rows when the data is no larger than it).
3. **Lloyd passes**: every pass is one task per partition that assigns the
   partition's rows to the prototypes of *every* restart still running (the
   restarts share the data pass) and returns the per-cluster sufficient
   statistics (:class:`~dash_personas.segmentation._kernels.SufficientStats`),
   summed in a tree reduction. Each restart's labels stay on the workers (one
   byte per row and restart) so the number of rows that moved is counted exactly
   as in memory; the stopping rule is the in-memory one
   (:func:`~dash_personas.segmentation._lloyd.judge_pass`). Empty clusters are
   re-seeded farthest-first, one pass per empty cluster.

The encoded partitions are kept in worker memory when they fit comfortably (by
default when their estimated size is under a third of the workers' memory
limit; set ``dask.config.set({"dash_personas.cache": True/False})`` to decide);
otherwise every pass re-reads and re-encodes the partitions, so worker memory is
bounded by the partition size, not by the data.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
import warnings
from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask import delayed
from sklearn.utils import check_random_state

from survey_builder.errors import UserError

from ._encoding import (
    MISSING,
    EncodedData,
    MixedEncoder,
    _check_finite_spread,
    _check_weight_total,
    _check_weight_values,
    _factorize,
    _object_columns,
    _sort_key,
    _weight_values,
    looks_like_id_counts,
)
from ._gamma import resolve_gamma
from ._init import SeedingPool, init_kprototypes_pp, seeding_sample_size
from ._kernels import KPrototypesDistance, PreparedData, Prototypes, SufficientStats
from ._lloyd import judge_pass
from ._restarts import (
    adjusted_rand_index_from_table,
    ranking_costs,
    restart_report,
    restarts_to_polish,
    warn_if_restarts_disagree,
)

__all__ = ["fit_dask", "membership_dask", "predict_dask", "score_dask", "transform_dask"]

WEIGHT_COLUMN = "__dash_personas_sample_weight__"
FAN_IN = 8
CACHE_SHARE = 1 / 3


# ---------------------------------------------------------------------- input
@dataclasses.dataclass
class _DaskInput:
    frame: dd.DataFrame  # the features (and the weight column, if any)
    features: list[str]
    weight: str | None
    is_frame: bool


def _as_input(X: Any, sample_weight: Any = None, *, fitting: bool,
              categorical: Any = "auto") -> _DaskInput:
    """A Dask DataFrame with string column names (arrays get "0", "1", ...)."""
    if isinstance(X, dd.Series):
        raise UserError("expected a 2-D table (DataFrame or array), got a Series")
    if isinstance(X, da.Array):
        if X.ndim != 2:
            raise UserError(f"expected a 2-D Dask array, got {X.ndim} dimension(s)")
        if (fitting and X.dtype.kind not in "biuf" and isinstance(categorical, str)):
            raise UserError("a Dask array of mixed values needs categorical= (the columns "
                            "to treat as categorical): its types cannot be inferred lazily")
        frame = dd.from_dask_array(X, columns=[str(i) for i in range(X.shape[1])])
        is_frame = False
    elif isinstance(X, dd.DataFrame):
        frame = X
        is_frame = True
        names = [str(c) for c in frame.columns]
        if len(set(names)) != len(names):
            raise UserError("column names must be unique")
        if names != list(frame.columns):
            frame = frame.rename(columns=dict(zip(frame.columns, names)))
    else:
        raise TypeError(f"expected a Dask DataFrame or array, got {type(X).__name__}")
    features = [str(c) for c in frame.columns]
    weight = None
    if sample_weight is not None:
        if isinstance(sample_weight, da.Array):
            sample_weight = dd.from_dask_array(sample_weight)
        if not isinstance(sample_weight, dd.Series):
            raise UserError("with Dask data, pass sample_weight as a Dask Series aligned with "
                            "X (e.g. X['weight'], with that column left out of X)")
        try:
            frame = frame.assign(**{WEIGHT_COLUMN: sample_weight})
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise UserError(f"sample_weight is not aligned with X ({exc}); pass a column "
                            "of the same Dask DataFrame") from None
        weight = WEIGHT_COLUMN
    return _DaskInput(frame, features, weight, is_frame)


def _family(dtype: Any) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if (pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype)
            or isinstance(dtype, pd.PeriodDtype)):
        return "datetime"
    return "text"


_COMPATIBLE = {
    "number": {"number"},
    "datetime": {"datetime"},
    "bool": {"bool", "text", "category"},
    "text": {"bool", "text", "category"},
    "category": {"bool", "text", "category"},
}


def _check_partition(part: pd.DataFrame, index: int, features: list[str],
                     expected: dict[str, Any]) -> None:
    """Same columns and compatible dtypes as the frame's metadata, or a UserError."""
    missing = [c for c in features if c not in part.columns]
    if missing:
        raise UserError(f"partition {index} lacks column {missing[0]!r}")
    for name in features:
        column = part[name]
        family, wanted = _family(column.dtype), _family(expected[name])
        if family not in _COMPATIBLE[wanted] and column.notna().any():
            raise UserError(
                f"column {name!r} has dtype {column.dtype} in partition {index} but "
                f"{expected[name]} in the frame's metadata (the other partitions); give the "
                "column one type in every file or partition (e.g. with astype) and refit")


# ------------------------------------------------------------- partition maps
@dataclasses.dataclass
class _RawSummary:
    """What one partition says about the encoding; summaries of partitions merge."""

    lengths: list[int]
    weight_total: float
    count: np.ndarray  # (p_num,) weight of the observed values
    observed: np.ndarray  # (p_num,) number of observed values
    mean: np.ndarray
    m2: np.ndarray  # weighted sum of squared deviations from ``mean``
    abs_max: np.ndarray
    ordered_levels: dict[str, list[Any]]
    levels: list[dict[Any, int]]  # observed rows of each level
    categories: list[tuple[Any, ...] | None]  # declared categories, None if not categorical
    n_rows_categorical_missing: int

    def merge(self, other: _RawSummary) -> _RawSummary:
        count = self.count + other.count
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(count > 0, other.count / np.where(count > 0, count, 1), 0.0)
        delta = other.mean - self.mean
        levels = []
        for mine, theirs in zip(self.levels, other.levels):
            merged = dict(mine)
            for value, n in theirs.items():
                merged[value] = merged.get(value, 0) + n
            levels.append(merged)
        categories = [a if a == b else _MIXED
                      for a, b in zip(self.categories, other.categories)]
        return _RawSummary(
            lengths=self.lengths + other.lengths,
            weight_total=self.weight_total + other.weight_total,
            count=count,
            observed=self.observed + other.observed,
            mean=self.mean + delta * share,
            m2=self.m2 + other.m2 + delta**2 * self.count * share,
            abs_max=np.fmax(self.abs_max, other.abs_max),
            ordered_levels={**other.ordered_levels, **self.ordered_levels},
            levels=levels,
            categories=categories,
            n_rows_categorical_missing=(self.n_rows_categorical_missing
                                        + other.n_rows_categorical_missing),
        )


_MIXED = ("<categories differ between partitions>",)


def _partition_weight(part: pd.DataFrame, weight: str | None, index: int) -> np.ndarray | None:
    if weight is None:
        return None
    values = _weight_values(part[weight])
    _check_weight_values(values, where=f" of partition {index}")
    return values


def _raw_summary(part: pd.DataFrame, index: int, encoder: MixedEncoder,
                 expected: dict[str, Any], weight: str | None) -> _RawSummary:
    features = encoder.feature_names_in_
    _check_partition(part, index, features, expected)
    local = copy.copy(encoder)
    local.ordered_levels_ = {}
    frame = part[features]
    block = _in_partition(index, local._numeric_values, frame)
    w = _partition_weight(part, weight, index)
    observed = ~np.isnan(block)
    rows_weight = np.ones(len(frame)) if w is None else w
    count = rows_weight @ observed
    filled = np.where(observed, block, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, (rows_weight @ filled) / np.where(count > 0, count, 1), 0.0)
    m2 = rows_weight @ np.where(observed, block - mean, 0.0) ** 2
    abs_max = np.max(np.where(observed, np.abs(block), -np.inf), axis=0, initial=-np.inf)
    levels, categories = [], []
    any_missing = np.zeros(len(frame), dtype=bool)
    for name in encoder.categorical_features_:
        column = frame[name]
        found, codes = _factorize(column)
        counts = np.bincount(codes[codes >= 0], minlength=len(found))
        levels.append(dict(zip(found, counts.tolist())))
        categories.append(tuple(column.cat.categories.tolist())
                          if isinstance(column.dtype, pd.CategoricalDtype) else None)
        any_missing |= codes == MISSING
    return _RawSummary(
        lengths=[len(frame)],
        weight_total=float(rows_weight.sum()),
        count=count, observed=observed.sum(axis=0), mean=mean, m2=m2, abs_max=abs_max,
        ordered_levels=local.ordered_levels_, levels=levels, categories=categories,
        n_rows_categorical_missing=int(any_missing.sum()),
    )


def _in_partition(index: int, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``function``, naming the partition in a UserError it raises."""
    try:
        return function(*args, **kwargs)
    except UserError as exc:
        raise dataclasses.replace(exc, message=f"partition {index}: {exc.message}") from None


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Whether the whole data has missing values (the in-memory encoding is global)."""

    numeric_missing: bool
    any_missing: bool


def _encode_partition(part: pd.DataFrame, index: int, encoder: MixedEncoder,
                      weight: str | None, layout: _Layout | None,
                      warn_unseen: bool = False) -> EncodedData | None:
    """The partition encoded as in memory; ``None`` for an empty partition."""
    if len(part) == 0:
        return None
    # rows hashed unscaled as the in-memory fit hashes them: the same seeding pool order
    encoded = _in_partition(index, encoder.transform, part[encoder.feature_names_in_],
                            warn_unseen=warn_unseen, hash_rows_unscaled=True)
    encoded.sample_weight = _partition_weight(part, weight, index)
    if layout is not None:
        n = encoded.n_samples
        if layout.numeric_missing and encoded.numeric_mask is None:
            encoded.numeric_mask = np.ones(encoded.numeric.shape, dtype=bool)
        if layout.any_missing and encoded.row_scale is None:
            encoded.row_scale = np.ones(n)
    return encoded


def _prepare(encoded: EncodedData | None, distance: KPrototypesDistance) -> PreparedData | None:
    return None if encoded is None else PreparedData(encoded, distance)


def _take(encoded: EncodedData | None, rows: np.ndarray) -> EncodedData | None:
    return None if encoded is None or not rows.size else encoded.take(rows)


def _zero_stats(distance: KPrototypesDistance, k: int, p_num: int) -> SufficientStats:
    sizes = [int(np.prod([distance.radix[j] for j in block])) for block in distance.blocks]
    return SufficientStats(np.zeros(k), np.zeros((k, p_num)), np.zeros((k, p_num)),
                           [np.zeros((k, size)) for size in sizes], 0.0, 0)


def _label_dtype(k: int) -> type:
    return np.int8 if k <= np.iinfo(np.int8).max else np.int32


def _assign_runs(prepared: PreparedData | None, previous: list[np.ndarray | None],
                 prototypes: list[Prototypes], distance: KPrototypesDistance, p_num: int
                 ) -> tuple[list[np.ndarray], list[SufficientStats]]:
    """One Lloyd pass of every run over one partition: new labels and statistics."""
    k = prototypes[0].n_clusters
    dtype = _label_dtype(k)
    if prepared is None:
        return ([np.zeros(0, dtype=dtype) for _ in prototypes],
                [_zero_stats(distance, k, p_num) for _ in prototypes])
    labels_out, stats_out = [], []
    nearest = np.empty(prepared.n)
    for before, centers in zip(previous, prototypes):
        labels = (np.full(prepared.n, -1, dtype=np.int32) if before is None
                  else before.astype(np.int32))
        stats_out.append(prepared.assign(centers, labels, nearest))
        labels_out.append(labels.astype(dtype))
    return labels_out, stats_out


def _stats_for_labels(prepared: PreparedData | None, labels: np.ndarray, k: int,
                      distance: KPrototypesDistance, p_num: int) -> SufficientStats:
    if prepared is None:
        return _zero_stats(distance, k, p_num)
    return prepared.stats_for_labels(labels.astype(np.int32), k)


def _farthest_row(prepared: PreparedData | None, prototypes: Prototypes
                  ) -> tuple[float, EncodedData | None]:
    """The partition's row farthest from every prototype (weight > 0 rows only)."""
    if prepared is None:
        return -np.inf, None
    closest = prepared.distance.nearest(prepared, prototypes)[1]
    closest *= prepared.update_weight > 0
    row = int(np.argmax(closest))
    return float(closest[row]), prepared.data.take(np.array([row]))


def _fill_statistics(prepared: PreparedData | None, n_levels: list[int]
                     ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]] | None:
    """Sums behind ``PreparedData.numeric_fill`` and ``global_modes``."""
    if prepared is None:
        return None
    mask = prepared.mask if prepared.mask is not None else np.ones_like(prepared.numeric)
    codes = prepared.data.categorical
    counts = [np.bincount(codes[:, j][codes[:, j] >= 0], minlength=max(n, 1))
              for j, n in enumerate(n_levels)]
    return prepared.numeric.sum(axis=0), mask.sum(axis=0), counts


def _finish_partition(labels: np.ndarray, others: list[np.ndarray], k: int,
                      part: pd.DataFrame | None, zero: np.ndarray, encoder: MixedEncoder,
                      weight: str | None, index: int
                      ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray,
                                 np.ndarray]:
    """Segment sizes (rows and weights), contingency tables against other restarts,
    zero-weight sums."""
    lab = labels.astype(np.int64)
    sizes = np.bincount(lab, minlength=k)
    row_weight = (_partition_weight(part, weight, index)
                  if weight is not None and part is not None else None)
    weights = (sizes.astype(np.float64) if row_weight is None
               else np.bincount(lab, weights=row_weight, minlength=k))
    tables = [np.bincount(lab * k + other.astype(np.int64), minlength=k * k).reshape(k, k)
              for other in others]
    sums = np.zeros((k, zero.size))
    counts = np.zeros((k, zero.size))
    if zero.size and part is not None and len(part):
        encoded = _encode_partition(part, index, encoder, weight, None)
        assert encoded is not None
        update = np.ones(len(part)) if encoded.row_scale is None else encoded.row_scale.copy()
        if encoded.sample_weight is not None:
            update *= encoded.sample_weight
        raw = encoder._numeric_values(part[encoder.feature_names_in_])[:, zero]
        observed = ~np.isnan(raw)
        w = update[:, None] * observed
        np.add.at(sums, lab, np.where(observed, raw, 0.0) * w)
        np.add.at(counts, lab, w)
    return sizes, weights, tables, sums, counts


# ------------------------------------------------------------------- plumbing
def _tree_reduce(items: Sequence[Any], combine: Callable[[Any, Any], Any]) -> Any:
    """Sum delayed values in a tree of fan-in ``FAN_IN`` (one reduction per pass)."""
    level = list(items)
    while len(level) > 1:
        level = [delayed(_combine_all)(combine, level[i:i + FAN_IN])
                 for i in range(0, len(level), FAN_IN)]
    return level[0]


def _combine_all(combine: Callable[[Any, Any], Any], values: list[Any]) -> Any:
    return reduce(combine, values)


def _add_lists(first: list[Any], second: list[Any]) -> list[Any]:
    return [a + b for a, b in zip(first, second)]


def _merge(first: _RawSummary, second: _RawSummary) -> _RawSummary:
    return first.merge(second)


def _keep_encoded(n_rows: int, encoder: MixedEncoder, layout: _Layout) -> bool:
    """Whether the encoded partitions should stay in worker memory between passes."""
    setting = dask.config.get("dash_personas.cache", "auto")
    if setting != "auto":
        return bool(setting)
    p_num, p_cat = len(encoder.numeric_features_), len(encoder.categorical_features_)
    per_row = 8 * p_num * (3 if layout.numeric_missing else 1) + 8 * p_cat + 48
    return n_rows * per_row < CACHE_SHARE * _memory_budget()


def _memory_budget() -> float:
    """Total worker memory of the active distributed client, or free local memory."""
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):
        client = None
    if client is not None:
        workers = client.scheduler_info(n_workers=-1)["workers"].values()
        limits = [w.get("memory_limit") or 0 for w in workers]
        if all(limits):
            return float(sum(limits))
    try:
        import psutil
    except ImportError:
        return 0.0
    return float(psutil.virtual_memory().available)


def _persist(*collections: Any) -> tuple[Any, ...]:
    return dask.persist(*collections)


# ---------------------------------------------------------------- the fit
def _learn_encoder(data: _DaskInput, parts: list[Any], categorical: Any, scale: bool,
                   weights: Any) -> tuple[MixedEncoder, _RawSummary]:
    meta = data.frame._meta
    encoder = MixedEncoder(categorical=categorical, scale=scale, weights=weights)
    encoder.input_is_frame_ = data.is_frame
    encoder.feature_names_in_ = list(data.features)
    if not encoder.feature_names_in_:
        raise UserError("cannot segment data with no columns: found 0 feature(s) while a "
                        "minimum of 1 is required.")
    kinds = encoder._resolve_categorical(meta[data.features])
    encoder.numeric_features_ = [c for c in data.features if c not in kinds]
    encoder.categorical_features_ = [c for c in data.features if c in kinds]
    expected = {name: meta[name].dtype for name in data.features}
    summaries = [delayed(_raw_summary)(part, i, encoder, expected, data.weight)
                 for i, part in enumerate(parts)]
    summary: _RawSummary = _tree_reduce(summaries, _merge).compute()
    n = sum(summary.lengths)
    if n == 0:
        raise UserError("cannot segment empty data: found 0 sample(s) while a minimum of 1 "
                        "is required.")
    if data.weight is not None:
        _check_weight_total(summary.weight_total)
    all_missing = [c for c, seen in zip(encoder.numeric_features_, summary.observed) if not seen]
    all_missing += [c for c, levels in zip(encoder.categorical_features_, summary.levels)
                    if not levels]
    if all_missing:
        raise UserError(f"column {all_missing[0]!r} is entirely missing; drop it or fill it in")
    encoder.ordered_levels_ = dict(summary.ordered_levels)
    with np.errstate(invalid="ignore", divide="ignore"):
        positive = summary.count > 0
        mean = np.where(positive, summary.mean, 0.0)
        std = np.where(positive, np.sqrt(summary.m2 / np.where(positive, summary.count, 1)),
                       1.0)
    _check_finite_spread(encoder.numeric_features_, summary.abs_max[None, :], mean, std)
    if not scale:
        mean, std = np.zeros(mean.size), np.ones(std.size)
    encoder.mean_ = mean
    encoder.std_ = np.where(std > 0, std, 1.0)
    encoder.levels_ = []
    for found, categories in zip(summary.levels, summary.categories):
        if categories is not None and categories != _MIXED:
            position = {value: i for i, value in enumerate(categories)}
            encoder.levels_.append(sorted(found, key=lambda v: position[v]))
        else:
            encoder.levels_.append(sorted(found, key=_sort_key))
    ids = [name for name, found in zip(encoder.categorical_features_, summary.levels)
           if looks_like_id_counts(int(sum(found.values())), len(found))]
    encoder._warn_surprising_columns(
        ids, object_columns=_object_columns(meta, encoder.categorical_features_))
    encoder._resolve_weights()
    return encoder, summary


class _SampleStore:
    """Rows of the data fetched from the partitions, by global row number."""

    def __init__(self, sources: list[Any], lengths: list[int]) -> None:
        self.sources = sources
        self.offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.blocks: list[EncodedData] = []
        self.where: dict[int, tuple[int, int]] = {}  # row -> (block, position in it)

    def fetch(self, wanted: Sequence[np.ndarray]) -> None:
        """Fetch every row in ``wanted`` not fetched yet, in one pass."""
        rows = np.unique(np.concatenate([np.asarray(w, dtype=np.int64) for w in wanted]))
        new = rows[[int(r) not in self.where for r in rows]] if rows.size else rows
        if not new.size:
            return
        which = np.searchsorted(self.offsets, new, side="right") - 1
        tasks, order = [], []
        for part in np.unique(which):
            tasks.append(delayed(_take)(self.sources[part], new[which == part]
                                        - self.offsets[part]))
            order.append(new[which == part])
        for rows_of_block, taken in zip(order, dask.compute(*tasks)):
            block = len(self.blocks)
            self.blocks.append(taken)
            self.where.update({int(r): (block, i) for i, r in enumerate(rows_of_block)})

    def take(self, rows: np.ndarray) -> EncodedData:
        """The encoded rows ``rows``, in that order (fetched first if need be)."""
        rows = np.asarray(rows, dtype=np.int64)
        self.fetch([rows])
        located = np.array([self.where[int(r)] for r in rows], dtype=np.int64).reshape(-1, 2)
        pieces, positions = [], []
        for block in np.unique(located[:, 0]):
            chosen = np.flatnonzero(located[:, 0] == block)
            pieces.append(self.blocks[block].take(located[chosen, 1]))
            positions.append(chosen)
        gathered = _concat(pieces)
        order = np.empty(rows.size, dtype=np.int64)
        order[np.concatenate(positions)] = np.arange(rows.size)
        return gathered.take(order)


def _concat(pieces: list[EncodedData]) -> EncodedData:
    def stack(name: str, fill: Callable[[EncodedData], np.ndarray]) -> np.ndarray | None:
        values = [getattr(p, name) for p in pieces]
        if all(v is None for v in values):
            return None
        return np.concatenate([fill(p) if v is None else v for p, v in zip(pieces, values)])

    return EncodedData(
        numeric=np.concatenate([p.numeric for p in pieces]),
        numeric_mask=stack("numeric_mask", lambda p: np.ones(p.numeric.shape, dtype=bool)),
        categorical=np.concatenate([p.categorical for p in pieces]),
        row_scale=stack("row_scale", lambda p: np.ones(p.n_samples)),
        sample_weight=stack("sample_weight", lambda p: np.ones(p.n_samples)),
        row_hash=(np.concatenate([p.row_hash for p in pieces])
                  if all(p.row_hash is not None for p in pieces) else None),
    )


#: Data larger than this many seeding samples is seeded on a uniform sample of that size.
SEEDING_SAMPLE_FACTOR = 4


def first_rows(frame: dd.DataFrame) -> pd.DataFrame:
    """The first non-empty partition: the sample that column rules (identifiers, features
    to describe) are judged on without reading the whole table."""
    for index in range(frame.npartitions):
        part = frame.partitions[index].compute()
        if len(part):
            return part
    raise UserError("the data has no rows")


def _drawn_rows(n: int, k: int, seed: int) -> np.ndarray:
    """The rows a restart seeds on: a uniform sample of :data:`SEEDING_SAMPLE_FACTOR`
    seeding samples (their weights come with them), on which the in-memory seeding
    then draws by weight and refines as it does on all rows in memory."""
    size = min(n, SEEDING_SAMPLE_FACTOR * seeding_sample_size(k))
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


@dataclasses.dataclass
class _Run:
    prototypes: Prototypes
    labels: list[Any] | None = None  # persisted label blocks, one per partition
    history: list[float] = dataclasses.field(default_factory=list)
    previous_cost: float = np.inf
    n_iter: int = 0
    at_optimum: bool = False
    done: bool = False
    verbose_index: int = 0


def fit_dask(model: Any, X: Any, categorical: Any = None, sample_weight: Any = None) -> Any:
    """Fit ``model`` (a :class:`KPrototypes`) on Dask data; see the module docstring."""
    k = int(model.n_clusters)
    data = _as_input(X, sample_weight, fitting=True,
                     categorical=model.categorical if categorical is None else categorical)
    parts = data.frame.to_delayed()
    encoder, summary = _learn_encoder(
        data, parts, model.categorical if categorical is None else categorical,
        model.scale, model.weights)
    lengths = summary.lengths
    n = sum(lengths)
    if n < k:
        raise UserError(f"n_samples={n} should be >= n_clusters={k}")
    numeric_missing = bool((summary.observed < n).any())
    layout = _Layout(numeric_missing,
                     numeric_missing or summary.n_rows_categorical_missing > 0)
    p_num = len(encoder.numeric_features_)
    encoded = [delayed(_encode_partition)(part, i, encoder, data.weight, layout)
               for i, part in enumerate(parts)]
    cached = _keep_encoded(n, encoder, layout)
    if cached:
        encoded = list(_persist(*encoded))
    store = _SampleStore(encoded, lengths)

    if isinstance(model.init, str) and model.init != "k-prototypes++":
        raise UserError(f"init={model.init!r} needs all rows in memory; on Dask use "
                        "'k-prototypes++' (the default) or explicit prototypes")
    explicit = None if isinstance(model.init, str) else model._encode_init(encoder, k)
    n_init = 1 if explicit is not None else int(model.n_init)
    seeds = check_random_state(model.random_state).randint(np.iinfo(np.int32).max,
                                                            size=n_init)
    small = n <= seeding_sample_size(k)
    if small:
        drawn = [np.arange(n)]
    elif explicit is None:
        drawn = [_drawn_rows(n, k, int(seed)) for seed in seeds]
    else:
        drawn = [np.sort(np.random.default_rng(int(seeds[0])).choice(
            n, size=seeding_sample_size(k), replace=False))]
    prefix = np.arange(min(n, 10 * k + 100))
    store.fetch([*drawn, prefix])
    _check_distinct(store, prefix, n, k, encoded)

    # the in-memory rules, on the first restart's sample (all rows when the data is small)
    sample = store.take(drawn[0])
    gamma, selection = resolve_gamma(model.gamma, sample, encoder, k,
                                     SeedingPool.from_data(sample))
    distance = KPrototypesDistance.from_encoder(encoder, gamma)
    if cached:
        prepared = list(_persist(*[delayed(_prepare)(e, distance) for e in encoded]))
        del encoded
        store.sources = [delayed(_encoded_of)(p) for p in prepared]
    else:
        prepared = [delayed(_prepare)(e, distance) for e in encoded]

    starts = []
    if explicit is not None:
        starts.append(explicit.copy())
    elif small:
        everything = PreparedData(sample, distance)
        pool = SeedingPool.from_data(everything)  # as in memory: weights = repeated rows
        starts = [init_kprototypes_pp(everything, k, np.random.default_rng(int(seed)), pool)
                  for seed in seeds]
    else:
        starts = [init_kprototypes_pp(PreparedData(store.take(rows), distance), k,
                                      np.random.default_rng(int(seed)))
                  for rows, seed in zip(drawn, seeds)]
    runs = [_Run(start, verbose_index=i) for i, start in enumerate(starts)]
    fill = _FillCache(prepared, distance, p_num)
    _lloyd_dask(runs, prepared, distance, p_num, int(model.max_iter), float(model.tol),
                model.verbose, fill)
    for polished in restarts_to_polish(ranking_costs([run.history[-1] for run in runs])):
        if not runs[polished].at_optimum and runs[polished].n_iter < int(model.max_iter):
            _run_to_optimum(runs[polished], prepared, distance, p_num, int(model.max_iter),
                            model.verbose, fill, n_init)

    costs = list(ranking_costs([run.history[-1] for run in runs]))
    report = restart_report(costs, [run.n_iter for run in runs],
                            [np.zeros(1, dtype=np.int32)] * len(runs),
                            [run.at_optimum for run in runs])
    top = [int(i) for i in report.top]
    kept = runs[report.best]
    assert kept.labels is not None
    zero = np.flatnonzero(encoder.numeric_weights_ == 0)
    # the rows are read again only for what the encoded data does not keep
    reread = bool(zero.size) or data.weight is not None
    finish = [delayed(_finish_partition, nout=5)(
        kept.labels[i], [runs[r].labels[i] for r in top[1:]], k,  # type: ignore[index]
        parts[i] if reread else None, zero, encoder, data.weight, i)
        for i in range(len(parts))]
    sizes, weights, tables, sums, counts = dask.compute(_tree_reduce(finish, _add_finish))[0]
    label_blocks = {r: _label_array(runs[r].labels, lengths, k) for r in top}
    report = dataclasses.replace(
        report,
        top_labels=da.stack([label_blocks[r] for r in top]),
        top_ari=np.array([adjusted_rand_index_from_table(t) for t in tables]))
    warn_if_restarts_disagree(report, n_init)

    model.encoder_ = encoder
    model.distance_ = distance
    model.prototypes_ = kept.prototypes
    model.gamma_ = gamma
    model.gamma_selection_ = selection
    model.labels_ = label_blocks[report.best].astype(np.int64)
    model.cost_ = float(kept.history[-1])
    model.n_iter_ = int(kept.n_iter)
    model.cost_history_ = list(kept.history)
    model.restarts_ = report
    model.cluster_sizes_ = np.asarray(sizes, dtype=np.int64)
    model.cluster_weights_ = np.asarray(weights, dtype=np.float64)
    model.n_features_in_ = len(encoder.feature_names_in_)
    if encoder.input_is_frame_:
        model.feature_names_in_ = np.asarray(encoder.feature_names_in_, dtype=object)
    elif hasattr(model, "feature_names_in_"):
        del model.feature_names_in_
    model.numeric_features_ = list(encoder.numeric_features_)
    model.categorical_features_ = list(encoder.categorical_features_)
    zero_means = None
    if zero.size:
        weight = counts.sum(axis=0)
        overall = sums.sum(axis=0) / np.maximum(weight, np.finfo(np.float64).tiny)
        zero_means = np.where(counts > 0, sums / np.maximum(counts, np.finfo(np.float64).tiny),
                              overall)
    model.cluster_centers_ = encoder.decode_prototypes(
        kept.prototypes.numeric, kept.prototypes.categorical, zero_means)
    model._n_features_out = k
    if hasattr(model, "membership_"):
        del model.membership_
    return model


def _encoded_of(prepared: PreparedData | None) -> EncodedData | None:
    return None if prepared is None else prepared.data


def _add_finish(first: tuple[Any, ...], second: tuple[Any, ...]) -> tuple[Any, ...]:
    return (first[0] + second[0], first[1] + second[1], _add_lists(first[2], second[2]),
            first[3] + second[3], first[4] + second[4])


def _label_array(blocks: list[Any] | None, lengths: list[int], k: int) -> da.Array:
    assert blocks is not None
    dtype = _label_dtype(k)
    return da.concatenate([da.from_delayed(block, shape=(length,), dtype=dtype)
                           for block, length in zip(blocks, lengths)])


def _check_distinct(store: _SampleStore, prefix: np.ndarray, n: int, k: int,
                    encoded: list[Any]) -> None:
    """At least ``k`` distinct rows: the first rows nearly always settle it cheaply."""
    distinct = _row_hashes(store.take(prefix)).size
    if distinct < k and prefix.size < n:
        hashes = dask.compute(*[delayed(_row_hashes)(e) for e in encoded])
        distinct = int(np.unique(np.concatenate(hashes)).size)
    if distinct < k:
        raise UserError(f"the data has only {distinct} distinct rows, fewer than "
                        f"n_clusters={k}; lower n_clusters")


def _row_hashes(encoded: EncodedData | None) -> np.ndarray:
    if encoded is None:
        return np.zeros(0, dtype=np.uint64)
    columns = {f"n{j}": encoded.numeric[:, j] for j in range(encoded.numeric.shape[1])}
    columns.update({f"c{j}": encoded.categorical[:, j]
                    for j in range(encoded.categorical.shape[1])})
    if encoded.numeric_mask is not None:
        columns.update({f"m{j}": encoded.numeric_mask[:, j]
                        for j in range(encoded.numeric_mask.shape[1])})
    return np.unique(pd.util.hash_pandas_object(pd.DataFrame(columns), index=False).to_numpy())


class _FillCache:
    """The overall centre used to fill a re-seeded prototype's gaps (computed once)."""

    def __init__(self, prepared: list[Any], distance: KPrototypesDistance, p_num: int) -> None:
        self.prepared, self.distance, self.p_num = prepared, distance, p_num
        self.value: tuple[np.ndarray, np.ndarray] | None = None

    def get(self) -> tuple[np.ndarray, np.ndarray]:
        if self.value is None:
            parts = [p for p in dask.compute(*[delayed(_fill_statistics)(
                prep, self.distance.n_levels) for prep in self.prepared]) if p is not None]
            total = sum(p[0] for p in parts)
            observed = sum(p[1] for p in parts)
            counts = [sum(p[2][j] for p in parts) for j in range(len(self.distance.n_levels))]
            fill = total / np.maximum(observed, 1)
            modes = np.array([int(np.argmax(c)) if c.size else 0 for c in counts],
                             dtype=np.int32)
            self.value = (fill, modes)
        return self.value


def _row_as_center(row: EncodedData, fill: tuple[np.ndarray, np.ndarray]) -> Prototypes:
    """:meth:`PreparedData.row_as_center` for a fetched row, with the overall centre."""
    numeric = row.numeric.copy()
    if row.numeric_mask is not None:
        missing = ~row.numeric_mask
        numeric[missing] = np.broadcast_to(fill[0], numeric.shape)[missing]
    categorical = row.categorical.copy()
    bad = categorical < 0
    categorical[bad] = np.broadcast_to(fill[1], categorical.shape)[bad]
    return Prototypes(numeric, categorical.astype(np.int32))


def _reseed_empty(prepared: list[Any], prototypes: Prototypes, empty: np.ndarray,
                  fill: _FillCache) -> tuple[Prototypes, int]:
    """:func:`~dash_personas.segmentation._lloyd.reseed_empty` over partitions: each
    empty cluster moves onto the row farthest from all prototypes so far."""
    prototypes = prototypes.copy()
    chosen = list(np.setdiff1d(np.arange(prototypes.n_clusters), empty))
    n_reseeded = 0
    for cluster in empty:
        current = Prototypes(prototypes.numeric[chosen], prototypes.categorical[chosen])
        found = dask.compute(*[delayed(_farthest_row)(p, current) for p in prepared])
        values = np.array([value for value, _ in found])
        best = int(np.argmax(values))  # the first partition on ties, as np.argmax in memory
        if not values[best] > 0:
            break
        row = found[best][1]
        assert row is not None
        replacement = _row_as_center(row, fill.get())
        prototypes.numeric[cluster] = replacement.numeric[0]
        prototypes.categorical[cluster] = replacement.categorical[0]
        chosen.append(int(cluster))
        n_reseeded += 1
    return prototypes, n_reseeded


def _updater(distance: KPrototypesDistance, p_num: int) -> PreparedData:
    """A row-less PreparedData: its ``update_centers`` needs only the distance."""
    empty = EncodedData(np.zeros((0, p_num)), None,
                        np.zeros((0, len(distance.n_levels)), dtype=np.int32), None)
    return PreparedData(empty, distance)


def _lloyd_dask(runs: list[_Run], prepared: list[Any], distance: KPrototypesDistance,
                p_num: int, max_iter: int, tol: float, verbose: Any, fill: _FillCache,
                n_runs: int | None = None) -> None:
    """Batch passes of all ``runs`` together, each pass one reduction over partitions.

    Mirrors :func:`~dash_personas.segmentation._lloyd.lloyd` run by run.
    """
    n_runs = len(runs) if n_runs is None else n_runs
    updater = _updater(distance, p_num)
    n_parts = len(prepared)
    while True:
        active = [run for run in runs if not run.done]
        if not active:
            return
        steps = [delayed(_assign_runs, nout=2)(
            prepared[i], [None if run.labels is None else run.labels[i] for run in active],
            [run.prototypes for run in active], distance, p_num) for i in range(n_parts)]
        picked = [steps[i][0][r] for r in range(len(active)) for i in range(n_parts)]
        total = _tree_reduce([step[1] for step in steps], _add_lists)
        persisted = _persist(*picked, total)
        totals: list[SufficientStats] = persisted[-1].compute()
        for r, (run, stats) in enumerate(zip(active, totals)):
            run.labels = list(persisted[r * n_parts:(r + 1) * n_parts])
            run.n_iter += 1
            run.history.append(stats.cost)
            if verbose:
                print(f"run {run.verbose_index + 1}/{n_runs}  pass {run.n_iter:3d}  "
                      f"cost {stats.cost:.6g}  moved {stats.n_changed}", file=sys.stderr)
            at_optimum, converged, empty = judge_pass(stats, run.previous_cost, tol)
            run.at_optimum = at_optimum
            if (converged and not empty.size) or run.n_iter >= max_iter:
                run.done = True
                continue
            run.previous_cost = stats.cost
            updated = updater.update_centers(stats, run.prototypes)
            if empty.size:
                updated, n_reseeded = _reseed_empty(prepared, updated, empty, fill)
                if converged and n_reseeded == 0:
                    run.done = True
                    continue
            run.prototypes = updated


def _run_to_optimum(run: _Run, prepared: list[Any], distance: KPrototypesDistance,
                    p_num: int, max_iter: int, verbose: Any, fill: _FillCache,
                    n_runs: int) -> None:
    """:func:`~dash_personas.segmentation._lloyd.run_to_optimum` on Dask."""
    k = run.prototypes.n_clusters
    assert run.labels is not None
    stats = _tree_reduce([delayed(_stats_for_labels)(p, lab, k, distance, p_num)
                          for p, lab in zip(prepared, run.labels)],
                         lambda a, b: a + b).compute()
    run.prototypes = _updater(distance, p_num).update_centers(stats, run.prototypes)
    run.previous_cost = np.inf
    run.done = False
    _lloyd_dask([run], prepared, distance, p_num, max_iter, 0.0, verbose, fill, n_runs)


# ------------------------------------------------------------------ inference
@dataclasses.dataclass(frozen=True)
class _Fitted:
    """What assignment needs from a fitted model (broadcast once to the workers)."""

    encoder: MixedEncoder
    distance: KPrototypesDistance
    prototypes: Prototypes


def _fitted(model: Any) -> Any:
    state = _Fitted(model.encoder_, model.distance_, model.prototypes_)
    return delayed(state, pure=True, name=f"kprototypes-model-{dask.base.tokenize(state)}")


def _checked_input(model: Any, X: Any) -> _DaskInput:
    data = _as_input(X, fitting=False)
    meta = data.frame._meta
    model.encoder_._check_columns(meta.set_axis([str(c) for c in meta.columns], axis=1))
    return data


def _partition_distances(part: pd.DataFrame, state: _Fitted, partition_info: Any = None
                         ) -> tuple[PreparedData | None, list[str]]:
    index = partition_info["number"] if partition_info else 0
    if len(part) == 0:
        return None, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        encoded = _in_partition(index, state.encoder.transform,
                                part[state.encoder.feature_names_in_])
    unseen = [str(w.message) for w in caught if "never seen during fit" in str(w.message)]
    return state.distance.prepare(encoded), unseen


def _predict_partition(part: pd.DataFrame, state: _Fitted, partition_info: Any = None
                       ) -> pd.Series:
    prepared, unseen = _partition_distances(part, state, partition_info)
    if prepared is None:
        return pd.Series(np.zeros(0, dtype=np.int64), index=part.index, name="segment")
    for message in unseen:  # shown by the local schedulers; in worker logs on a cluster
        warnings.warn(message, UserWarning, stacklevel=2)
    labels, _ = state.distance.nearest(prepared, state.prototypes)
    return pd.Series(labels.astype(np.int64), index=part.index, name="segment")


def predict_dask(model: Any, X: Any) -> dd.Series:
    """Segments of Dask rows: a lazy Dask Series (one ``map_partitions``).

    The fitted model (encoder, distance, prototypes) is one task of the graph, so
    it is sent to each worker once, not with every partition.
    """
    data = _checked_input(model, X)
    return data.frame.map_partitions(
        _predict_partition, _fitted(model),
        meta=pd.Series(np.zeros(0, dtype=np.int64), name="segment"))


def _transform_partition(part: pd.DataFrame, state: _Fitted, partition_info: Any = None
                         ) -> pd.DataFrame:
    k = state.prototypes.n_clusters
    prepared, _ = _partition_distances(part, state, partition_info)
    if prepared is None:
        return pd.DataFrame(np.zeros((0, k)), index=part.index, columns=range(k))
    distances = state.distance.to_prototypes(prepared, state.prototypes)
    return pd.DataFrame(distances, index=part.index, columns=range(k))


def transform_dask(model: Any, X: Any) -> da.Array:
    """Distances of Dask rows to every prototype: a lazy ``(n, k)`` Dask array."""
    data = _checked_input(model, X)
    k = int(model.prototypes_.n_clusters)
    meta = pd.DataFrame(np.zeros((0, k)), columns=range(k))
    return data.frame.map_partitions(_transform_partition, _fitted(model),
                                     meta=meta).to_dask_array()


def _score_partition(part: pd.DataFrame, state: _Fitted, index: int
                     ) -> tuple[float, list[str]]:
    prepared, unseen = _partition_distances(part, state, {"number": index})
    if prepared is None:
        return 0.0, []
    _, nearest = state.distance.nearest(prepared, state.prototypes)
    return float(nearest.sum()), unseen


def score_dask(model: Any, X: Any) -> float:
    """Opposite of the cost of Dask rows under the fitted prototypes (computed)."""
    data = _checked_input(model, X)
    state = _fitted(model)
    results = dask.compute(*[delayed(_score_partition)(part, state, i)
                             for i, part in enumerate(data.frame.to_delayed())])
    unseen = sorted({message for _, messages in results for message in messages})
    for message in unseen:
        warnings.warn(message, UserWarning, stacklevel=3)
    return -float(sum(cost for cost, _ in results))


def _membership_partition(part: pd.DataFrame, state: _Fitted, temperature: float,
                          partition_info: Any = None) -> pd.DataFrame:
    from ._membership import membership_from_distances

    prepared, _ = _partition_distances(part, state, partition_info)
    names = [field.name for field in dataclasses.fields(_membership_type())]
    if prepared is None:
        return _membership_meta().set_axis(part.index[:0])
    membership = membership_from_distances(
        state.distance.to_prototypes(prepared, state.prototypes), temperature)
    return pd.DataFrame({name: getattr(membership, name) for name in names}, index=part.index)


def _membership_type() -> type:
    from ._membership import Membership

    return Membership


def _membership_meta() -> pd.DataFrame:
    columns = {}
    for field in dataclasses.fields(_membership_type()):
        dtype = np.int64 if field.name.endswith("segment") else np.float64
        columns[field.name] = np.zeros(0, dtype=dtype)
    return pd.DataFrame(columns)


def membership_dask(model: Any, X: Any) -> dd.DataFrame:
    """Soft membership of Dask rows: a lazy Dask DataFrame, one column per
    :class:`~dash_personas.segmentation.Membership` field."""
    data = _checked_input(model, X)
    return data.frame.map_partitions(_membership_partition, _fitted(model),
                                     float(model.membership_temperature_),
                                     meta=_membership_meta())
