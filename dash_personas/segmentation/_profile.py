"""What makes each segment different: sizes, means, level shares, lifts and drivers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from survey_builder.errors import UserError

from ._backend import is_dask_collection
from ._encoding import MixedEncoder

__all__ = ["SegmentProfiles", "profile_segments"]


@dataclass
class SegmentProfiles:
    """Profiles of every segment, as tidy DataFrames.

    Attributes
    ----------
    summary : DataFrame
        One row per segment: ``size`` and ``share``.
    numeric : DataFrame
        One row per (segment, feature): ``mean``, ``overall_mean``, ``std_diff``
        (segment mean minus overall mean, in overall standard deviations),
        ``p_value`` (Welch t-test, segment vs the rest) and ``effect``
        (point-biserial correlation with membership, absolute).
    categorical : DataFrame
        One row per (segment, feature, level): ``share``, ``overall_share``,
        ``lift`` (share / overall share), ``p_value`` (chi-square test of the
        feature's distribution, segment vs the rest) and ``effect`` (Cramér's V).
    drivers : DataFrame
        Per segment, features ranked by ``effect`` (comparable across kinds: both
        are association strengths in [0, 1]) with a readable ``description``.
    """

    summary: pd.DataFrame
    numeric: pd.DataFrame
    categorical: pd.DataFrame
    drivers: pd.DataFrame

    def top_drivers(self, segment: Any, n: int = 5) -> pd.DataFrame:
        """The ``n`` features that most distinguish ``segment``."""
        rows = self.drivers[self.drivers["segment"] == segment]
        return rows.nsmallest(n, "rank")

    def table(self, max_levels: int = 1, labels: Mapping[str, str] | None = None
              ) -> pd.DataFrame:
        """A compact feature x segment table: means, and the most over-represented level.

        Parameters
        ----------
        max_levels : int, default=1
            Over-represented levels shown per categorical feature.
        labels : mapping of str to str, optional
            Readable row names by feature (e.g. from the questionnaire's codebook).
        """
        labels = labels or {}
        columns: dict[str, list[str]] = {}
        segments = list(self.summary.index)
        index = ["size", "share"]
        for seg in segments:
            columns[str(seg)] = [str(int(self.summary.loc[seg, "size"])),
                                 f"{self.summary.loc[seg, 'share']:.1%}"]
        for feature, group in self.numeric.groupby("feature", sort=False):
            index.append(labels.get(str(feature), str(feature)))
            for seg in segments:
                row = group[group["segment"] == seg].iloc[0]
                columns[str(seg)].append(f"{row['mean']:.3g} ({row['std_diff']:+.2f} sd)")
        for feature, group in self.categorical.groupby("feature", sort=False):
            index.append(labels.get(str(feature), str(feature)))
            for seg in segments:
                levels = group[group["segment"] == seg].nlargest(max_levels, "lift")
                cell = ", ".join(f"{lvl} x{lift:.1f}" for lvl, lift
                                 in zip(levels["level"], levels["lift"]))
                columns[str(seg)].append(cell)
        return pd.DataFrame(columns, index=index)

    def __repr__(self) -> str:
        return f"SegmentProfiles({len(self.summary)} segments)\n{self.table().to_string()}"


def profile_segments(data: Any, labels: Any, *, categorical: Any = "auto",
                     exclude: Any = None) -> SegmentProfiles:
    """Describe what sets each segment apart from the population.

    Parameters
    ----------
    data : DataFrame or array-like
        The rows that were segmented (any columns; missing values allowed).
    labels : array-like of shape (n_samples,)
        Segment of each row (e.g. ``model.labels_`` or ``model.predict(data)``).
    categorical : "auto" or list, default="auto"
        Which columns are categorical (as in :class:`KPrototypes`).
    exclude : list of str, optional
        Columns to leave out (identifiers, free text).

    Returns
    -------
    SegmentProfiles

    Notes
    -----
    ``data`` may be a Dask DataFrame with ``labels`` a Dask collection of the same
    partitions (``model.predict(data)``, or ``labels_`` of a Dask fit): the same
    numbers then come from per-partition statistics, without collecting rows.
    """
    if is_dask_collection(data):
        from ._dask_profile import profile_statistics

        return _from_statistics(profile_statistics(
            data, labels, categorical=categorical, exclude=exclude,
            numeric_column=_numeric_column))
    if is_dask_collection(labels):  # in-memory rows: their labels fit in memory too
        labels = labels.compute()
    encoder = MixedEncoder(categorical=categorical, scale=False)
    # as in KPrototypes: numeric-looking columns of an object array stay numeric
    frame = encoder._as_frame(data, fitting=True)
    if exclude:
        frame = frame.drop(columns=[str(c) for c in exclude])
        encoder.feature_names_in_ = [str(c) for c in frame.columns]
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] != frame.shape[0]:
        raise UserError(f"labels must have one value per row ({frame.shape[0]}), "
                         f"got shape {labels.shape}")
    kinds = encoder._resolve_categorical(frame)
    numeric_cols = [c for c in frame.columns if c not in kinds]
    categorical_cols = [c for c in frame.columns if c in kinds]

    segments, inverse = np.unique(labels, return_inverse=True)
    k = segments.size
    n = labels.shape[0]
    sizes = np.bincount(inverse, minlength=k)
    summary = pd.DataFrame({"size": sizes, "share": sizes / n}, index=pd.Index(segments,
                                                                               name="segment"))
    numeric = _numeric_profiles(frame, numeric_cols, segments, inverse, sizes)
    categorical_table = _categorical_profiles(frame, categorical_cols, segments, inverse)
    drivers = _drivers(numeric, categorical_table)
    return SegmentProfiles(summary, numeric, categorical_table, drivers)


def _from_statistics(sums: Any) -> SegmentProfiles:
    """Profiles from the sums of :class:`~._dask_profile.ProfileStatistics`."""
    n = int(sums.sizes.sum())
    summary = pd.DataFrame({"size": sums.sizes, "share": sums.sizes / n},
                           index=pd.Index(sums.segments, name="segment"))
    numeric = (_numeric_table(sums.numeric, sums.segments, sums.count, sums.total,
                              sums.total_sq, sums.shift) if sums.numeric
               else _numeric_profiles(pd.DataFrame(), [], sums.segments, np.zeros(0), sums.sizes))
    tables = [_categorical_table(name, sums.segments, counts, levels)
              for name, levels, counts in zip(sums.categorical, sums.levels, sums.level_counts)
              if levels]
    categorical = (pd.concat(tables, ignore_index=True) if tables
                   else _categorical_profiles(pd.DataFrame(), [], sums.segments, np.zeros(0)))
    return SegmentProfiles(summary, numeric, categorical, _drivers(numeric, categorical))


def _numeric_profiles(frame: pd.DataFrame, columns: list[str], segments: np.ndarray,
                      inverse: np.ndarray, sizes: np.ndarray) -> pd.DataFrame:
    if not columns:
        return pd.DataFrame(columns=["segment", "feature", "mean", "overall_mean", "std_diff",
                                     "p_value", "effect"])
    values = np.column_stack([
        _numeric_column(frame[c]) for c in columns
    ])
    observed = ~np.isnan(values)
    # centre on the column means first: sums of squares of raw values such as
    # timestamps (~1e9) would cancel catastrophically in the variances below
    count_all = observed.sum(axis=0)
    shift = np.where(count_all > 0, np.where(observed, values, 0.0).sum(axis=0)
                     / np.maximum(count_all, 1), 0.0)
    filled = np.where(observed, values - shift, 0.0)
    k = segments.size
    onehot = np.zeros((inverse.size, k))
    onehot[np.arange(inverse.size), inverse] = 1.0
    count = onehot.T @ observed  # (k, p)
    total = onehot.T @ filled
    total_sq = onehot.T @ (filled**2)
    return _numeric_table(columns, segments, count, total, total_sq, shift)


def _numeric_table(columns: list[str], segments: np.ndarray, count: np.ndarray,
                   total: np.ndarray, total_sq: np.ndarray, shift: np.ndarray) -> pd.DataFrame:
    """The numeric profile from per-segment sums of the values minus ``shift``."""
    k = segments.size
    all_count = count.sum(axis=0)
    all_total = total.sum(axis=0)
    all_sq = total_sq.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        overall_mean = all_total / all_count
        overall_var = all_sq / all_count - overall_mean**2
        overall_sd = np.sqrt(np.maximum(overall_var, 0.0))
        seg_mean = total / count
        seg_var = np.maximum(total_sq / count - seg_mean**2, 0.0) * count / np.maximum(count - 1, 1)
        rest_count = all_count - count
        rest_mean = (all_total - total) / rest_count
        rest_var = np.maximum((all_sq - total_sq) / rest_count - rest_mean**2, 0.0) \
            * rest_count / np.maximum(rest_count - 1, 1)
        std_diff = (seg_mean - overall_mean) / overall_sd
        # Welch t-test, segment vs the rest
        se2 = seg_var / count + rest_var / rest_count
        t = (seg_mean - rest_mean) / np.sqrt(se2)
        dof = se2**2 / ((seg_var / count) ** 2 / np.maximum(count - 1, 1)
                        + (rest_var / rest_count) ** 2 / np.maximum(rest_count - 1, 1))
        p_value = 2.0 * stats.t.sf(np.abs(t), dof)
        # point-biserial correlation between membership and the feature
        share = count / all_count
        effect = np.abs(seg_mean - rest_mean) * np.sqrt(share * (1 - share)) / overall_sd
    p_value = np.where(np.isfinite(p_value), p_value, 1.0)
    effect = np.where(np.isfinite(effect), np.minimum(effect, 1.0), 0.0)
    std_diff = np.where(np.isfinite(std_diff), std_diff, 0.0)
    grid_seg = np.repeat(segments, len(columns))
    grid_feat = np.tile(np.asarray(columns, dtype=object), k)
    return pd.DataFrame({
        "segment": grid_seg,
        "feature": grid_feat,
        "mean": (seg_mean + shift).ravel(),
        "overall_mean": np.tile(overall_mean + shift, k),
        "std_diff": std_diff.ravel(),
        "p_value": p_value.ravel(),
        "effect": effect.ravel(),
    })


def _numeric_column(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.float64)
        codes[codes < 0] = np.nan
        return codes + 1.0
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _categorical_profiles(frame: pd.DataFrame, columns: list[str], segments: np.ndarray,
                          inverse: np.ndarray) -> pd.DataFrame:
    parts = []
    k = segments.size
    for name in columns:
        codes, uniques = pd.factorize(frame[name], sort=False)
        present = codes >= 0
        n_levels = len(uniques)
        if n_levels == 0:
            continue
        counts = np.bincount(inverse[present] * n_levels + codes[present],
                             minlength=k * n_levels).reshape(k, n_levels).astype(np.float64)
        parts.append(_categorical_table(name, segments, counts, list(uniques)))
    if not parts:
        return pd.DataFrame(columns=["segment", "feature", "level", "share", "overall_share",
                                     "lift", "p_value", "effect"])
    return pd.concat(parts, ignore_index=True)


def _categorical_table(name: str, segments: np.ndarray, counts: np.ndarray,
                       levels: list[Any]) -> pd.DataFrame:
    """The profile of one categorical feature from its (segment x level) counts."""
    k, n_levels = counts.shape
    seg_total = counts.sum(axis=1, keepdims=True)
    overall = counts.sum(axis=0)
    overall_share = overall / overall.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = counts / seg_total
        lift = share / overall_share
    p_values = np.ones(k)
    effects = np.zeros(k)
    for s in range(k):  # k small 2 x L tables: segment vs the rest
        table = np.vstack([counts[s], overall - counts[s]])
        table = table[:, table.sum(axis=0) > 0]
        if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
            continue
        chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
        p_values[s] = p
        effects[s] = np.sqrt(chi2 / table.sum())  # Cramér's V of a 2 x L table
    return pd.DataFrame({
        "segment": np.repeat(segments, n_levels),
        "feature": name,
        "level": np.tile(np.asarray(levels, dtype=object), k),
        "share": np.nan_to_num(share).ravel(),
        "overall_share": np.tile(overall_share, k),
        "lift": np.nan_to_num(lift).ravel(),
        "p_value": np.repeat(p_values, n_levels),
        "effect": np.repeat(effects, n_levels),
    })


def _drivers(numeric: pd.DataFrame, categorical: pd.DataFrame) -> pd.DataFrame:
    rows = []
    if len(numeric):
        desc = [
            f"{'higher' if d > 0 else 'lower'} than average ({m:.3g} vs {o:.3g}, {d:+.2f} sd)"
            for d, m, o in zip(numeric["std_diff"], numeric["mean"], numeric["overall_mean"])
        ]
        rows.append(pd.DataFrame({
            "segment": numeric["segment"], "feature": numeric["feature"], "kind": "numeric",
            "effect": numeric["effect"], "p_value": numeric["p_value"],
            "direction": np.sign(numeric["std_diff"]).astype(int), "level": None,
            "description": desc,
        }))
    if len(categorical):
        idx = categorical.groupby(["segment", "feature"], sort=False)["lift"].idxmax()
        top = categorical.loc[idx.to_numpy()]
        desc = [
            f"{lvl!s} is {lift:.1f}x as common ({s:.0%} vs {o:.0%})"
            for lvl, lift, s, o in zip(top["level"], top["lift"], top["share"],
                                       top["overall_share"])
        ]
        rows.append(pd.DataFrame({
            "segment": top["segment"].to_numpy(), "feature": top["feature"].to_numpy(),
            "kind": "categorical", "effect": top["effect"].to_numpy(),
            "p_value": top["p_value"].to_numpy(), "direction": 1,
            "level": top["level"].to_numpy(), "description": desc,
        }))
    if not rows:
        return pd.DataFrame(columns=["segment", "rank", "feature", "kind", "effect", "p_value",
                                     "direction", "level", "description"])
    drivers = pd.concat(rows, ignore_index=True)
    drivers = drivers.sort_values(["segment", "effect"], ascending=[True, False], kind="stable")
    drivers["rank"] = drivers.groupby("segment").cumcount() + 1
    columns = ["segment", "rank", "feature", "kind", "effect", "p_value", "direction", "level",
               "description"]
    return drivers[columns].reset_index(drop=True)
