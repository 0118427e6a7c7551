"""What makes each segment different: sizes, means, level shares, lifts, tests and drivers.

Every statistic is weighted when ``sample_weight`` is given (survey weights) and
identical to the unweighted one with weights of 1. Tests compare each segment with the
rest of the population on effective (Kish) bases and are corrected for the number of
tests (:mod:`dash_personas.stats`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.errors import UserError

from ..stats import (
    CORRECTIONS,
    SIGNIFICANCE_MARK,
    adjust_p_values,
    effective_base,
    significance_legend,
    two_proportion_test,
    welch_test,
)
from ._backend import is_dask_collection
from ._encoding import MixedEncoder, _check_sample_weight
from ._profile_sums import ProfileSums

__all__ = ["DEFAULT_ALPHA", "DEFAULT_MIN_BASE", "SegmentProfiles", "profile_segments"]

#: Effective base under which a segment (or a feature in it) should not be read
#: (market-research practice: interpret nothing under ~30 respondents).
DEFAULT_MIN_BASE = 30.0
#: Significance level of the corrected tests.
DEFAULT_ALPHA = 0.05

_NUMERIC_COLUMNS = ["segment", "feature", "mean", "overall_mean", "std_diff", "p_value",
                    "effect", "std", "base", "p_adjusted", "significant", "small_base"]
_CATEGORICAL_COLUMNS = ["segment", "feature", "level", "share", "overall_share", "lift",
                        "p_value", "effect", "base", "p_adjusted", "significant",
                        "small_base"]

_DRIVER_COLUMNS = ["segment", "rank", "feature", "kind", "effect", "p_value", "p_adjusted",
                   "significant", "direction", "level", "description"]


@dataclass
class SegmentProfiles:
    """Profiles of every segment, as tidy DataFrames.

    Attributes
    ----------
    summary : DataFrame
        One row per segment: ``size`` (respondents), ``weight`` (sum of their
        weights), ``share`` (of the total weight), ``effective_base`` (Kish's
        ``(Σw)² / Σw²``, the size without weights) and ``small_base``
        (``effective_base < min_base``).
    numeric : DataFrame
        One row per (segment, feature): ``mean``, ``overall_mean``, ``std_diff``
        (segment mean minus overall mean, in overall standard deviations),
        ``p_value`` (Welch t-test on effective bases, segment vs the rest),
        ``effect`` (point-biserial correlation with membership, absolute), ``std``
        (the segment's standard deviation), ``base`` (effective base of the
        segment's answers), ``p_adjusted``, ``significant`` and ``small_base``.
    categorical : DataFrame
        One row per (segment, feature, level): ``share``, ``overall_share``,
        ``lift`` (share / overall share), ``p_value`` (two-proportion z-test of the
        level's share, segment vs the rest, on effective bases), ``effect``
        (Cramér's V of the feature, segment vs the rest), ``base``,
        ``p_adjusted``, ``significant`` and ``small_base``.
    drivers : DataFrame
        Per segment, features ranked by ``effect`` (comparable across kinds: both
        are association strengths in [0, 1]) with a readable ``description``.
    correction : {"holm", "fdr_bh"}
        How the p-values were adjusted: across every test of every feature in every
        segment (one family).
    alpha : float
        ``significant`` is ``p_adjusted < alpha``.
    min_base : float
        Effective base under which ``small_base`` is set.
    weighted : bool
        Whether survey weights were used.
    n_tests : int
        Tests in the corrected family (those that could be run).
    """

    summary: pd.DataFrame
    numeric: pd.DataFrame
    categorical: pd.DataFrame
    drivers: pd.DataFrame
    correction: str = "holm"
    alpha: float = DEFAULT_ALPHA
    min_base: float = DEFAULT_MIN_BASE
    weighted: bool = False
    n_tests: int = 0

    @property
    def legend(self) -> str:
        """What the significance markers and small-base flags mean, in words."""
        return significance_legend(self.correction, self.alpha, self.min_base, self.n_tests,
                                   self.weighted)

    def top_drivers(self, segment: Any, n: int = 5) -> pd.DataFrame:
        """The ``n`` features that most distinguish ``segment``."""
        rows = self.drivers[self.drivers["segment"] == segment]
        return rows.nsmallest(n, "rank")

    def table(self, max_levels: int = 1, labels: Mapping[str, str] | None = None
              ) -> pd.DataFrame:
        """A compact feature x segment table: means, and the most over-represented level.

        Significant differences carry :data:`SIGNIFICANCE_MARK` (see :attr:`legend`);
        segments with a small base say so in their size cell.

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
        index = ["size", "share"] + (["effective base"] if self.weighted else [])
        for seg in segments:
            row = self.summary.loc[seg]
            size = f"{int(row['size'])}" + (" (small base)" if row["small_base"] else "")
            cells = [size, f"{row['share']:.1%}"]
            if self.weighted:
                cells.append(f"{row['effective_base']:.0f}")
            columns[str(seg)] = cells
        for feature, group in self.numeric.groupby("feature", sort=False):
            index.append(labels.get(str(feature), str(feature)))
            for seg in segments:
                row = group[group["segment"] == seg].iloc[0]
                mark = SIGNIFICANCE_MARK if row["significant"] else ""
                columns[str(seg)].append(
                    f"{_number(row['mean'])} ({row['std_diff']:+.2f} sd){mark}")
        for feature, group in self.categorical.groupby("feature", sort=False):
            index.append(labels.get(str(feature), str(feature)))
            for seg in segments:
                levels = group[group["segment"] == seg].nlargest(max_levels, "lift")
                cell = ", ".join(f"{lvl} x{lift:.1f}{SIGNIFICANCE_MARK if sig else ''}"
                                 for lvl, lift, sig in zip(levels["level"], levels["lift"],
                                                           levels["significant"]))
                columns[str(seg)].append(cell)
        return pd.DataFrame(columns, index=index)

    def __repr__(self) -> str:
        return f"SegmentProfiles({len(self.summary)} segments)\n{self.table().to_string()}"


def profile_segments(data: Any, labels: Any, *, categorical: Any = "auto",
                     exclude: Any = None, sample_weight: Any = None,
                     min_base: float = DEFAULT_MIN_BASE, correction: str = "holm",
                     alpha: float = DEFAULT_ALPHA) -> SegmentProfiles:
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
        Columns to leave out (identifiers, free text, the weight column).
    sample_weight : array-like of shape (n_samples,), optional
        Survey weights (finite, non-negative). Means, standard deviations, shares
        and sizes are weighted; tests use Kish's effective bases. Weights of 1 give
        exactly the unweighted profiles; integer weights give the same means,
        shares and lifts as repeating each row that many times.
    min_base : float, default=30
        Effective base under which a segment, or a feature within it, is flagged
        ``small_base``.
    correction : {"holm", "fdr_bh"}, default="holm"
        Multiple-comparison adjustment across every test (Holm: family-wise error;
        ``"fdr_bh"``: Benjamini–Hochberg false discovery rate).
    alpha : float, default=0.05
        Level at which an adjusted p-value is ``significant``.

    Returns
    -------
    SegmentProfiles

    Notes
    -----
    ``data`` may be a Dask DataFrame with ``labels`` a Dask collection of the same
    partitions (``model.predict(data)``, or ``labels_`` of a Dask fit): the same
    numbers then come from per-partition statistics, without collecting rows
    (``sample_weight`` then a Dask Series with the data's partitions).

    Examples
    --------
    >>> from dash_personas import make_mixed_blobs, profile_segments
    >>> X, y = make_mixed_blobs(300, n_clusters=3, random_state=0)
    >>> profiles = profile_segments(X, y, sample_weight=[1.0, 2.0] * 150)
    >>> profiles.summary.columns.tolist()
    ['size', 'weight', 'share', 'effective_base', 'small_base']
    """
    if correction not in CORRECTIONS:
        raise UserError(f"unknown multiple-comparison correction {correction!r}; "
                        f"expected one of {', '.join(CORRECTIONS)}", field="correction")
    if not 0 < alpha < 1:
        raise UserError(f"alpha must be between 0 and 1, got {alpha!r}", field="alpha")
    if not min_base >= 0:
        raise UserError(f"min_base must be a non-negative number, got {min_base!r}",
                        field="min_base")
    if is_dask_collection(data):
        from ._dask_profile import profile_statistics

        return _from_statistics(profile_statistics(
            data, labels, categorical=categorical, exclude=exclude,
            numeric_column=_numeric_column, sample_weight=sample_weight),
            correction, alpha, min_base)
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
    unlabelled = np.flatnonzero(pd.isna(labels))
    if unlabelled.size:
        raise UserError(f"labels are missing for {unlabelled.size} row(s) (the first is row "
                        f"{unlabelled[0]}); every profiled row needs a segment: drop the "
                        "unassigned rows from the data and the labels")
    checked = _check_sample_weight(sample_weight, frame.shape[0])
    weight = np.ones(frame.shape[0]) if checked is None else checked
    kinds = encoder._resolve_categorical(frame)
    numeric_cols = [c for c in frame.columns if c not in kinds]
    categorical_cols = [c for c in frame.columns if c in kinds]

    segments, inverse = np.unique(labels, return_inverse=True)
    k = segments.size
    sizes = np.bincount(inverse, minlength=k)
    seg_weight = np.bincount(inverse, weights=weight, minlength=k)
    seg_base = effective_base(seg_weight, np.bincount(inverse, weights=weight**2, minlength=k))
    summary = pd.DataFrame({"size": sizes, "weight": seg_weight,
                            "share": seg_weight / seg_weight.sum(),
                            "effective_base": seg_base, "small_base": seg_base < min_base},
                           index=pd.Index(segments, name="segment"))
    numeric = _numeric_profiles(frame, numeric_cols, segments, inverse, weight)
    categorical_table = _categorical_profiles(frame, categorical_cols, segments, inverse, weight)
    n_tests = _correct(numeric, categorical_table, correction, alpha, min_base)
    drivers = _drivers(numeric, categorical_table)
    return SegmentProfiles(summary, numeric, categorical_table, drivers, correction=correction,
                           alpha=float(alpha), min_base=float(min_base),
                           weighted=checked is not None, n_tests=n_tests)


def _from_statistics(sums: ProfileSums, correction: str, alpha: float,
                     min_base: float, drivers: bool = True) -> SegmentProfiles:
    """Profiles from the sums of :class:`ProfileSums` (without ``drivers``, an empty
    drivers table: a dashboard's filter does not read it)."""
    base = effective_base(sums.weight, sums.weight_sq)
    summary = pd.DataFrame({"size": sums.sizes, "weight": sums.weight,
                            "share": sums.weight / sums.weight.sum(),
                            "effective_base": base, "small_base": base < min_base},
                           index=pd.Index(sums.segments, name="segment"))
    numeric = (_numeric_table(sums.numeric, sums.segments, sums.sw, sums.sw2, sums.total,
                              sums.total_sq, sums.shift) if sums.numeric
               else pd.DataFrame(columns=_NUMERIC_COLUMNS))
    categorical = _categorical_tables([
        _categorical_columns(name, sums.segments, counts, weight_sq, levels)
        for name, levels, counts, weight_sq in zip(
            sums.categorical, sums.levels, sums.level_counts, sums.level_weight_sq)
        if levels])
    n_tests = _correct(numeric, categorical, correction, alpha, min_base)
    ranked = _drivers(numeric, categorical) if drivers \
        else pd.DataFrame(columns=_DRIVER_COLUMNS)
    return SegmentProfiles(summary, numeric, categorical, ranked,
                           correction=correction, alpha=float(alpha), min_base=float(min_base),
                           weighted=bool(sums.weighted), n_tests=n_tests)


def _correct(numeric: pd.DataFrame, categorical: pd.DataFrame, correction: str, alpha: float,
             min_base: float) -> int:
    """Adjust every p-value as one family (in place); untestable ones read 1."""
    raw = np.concatenate([numeric["p_value"].to_numpy(dtype=float),
                          categorical["p_value"].to_numpy(dtype=float)])
    adjusted = adjust_p_values(raw, correction)
    for table, part in ((numeric, adjusted[:len(numeric)]),
                        (categorical, adjusted[len(numeric):])):
        table["p_adjusted"] = np.where(np.isnan(part), 1.0, part)
        table["significant"] = ~np.isnan(part) & (part < alpha)
        table["p_value"] = table["p_value"].fillna(1.0)
        table["small_base"] = table["base"].to_numpy(dtype=float) < min_base
    return int((~np.isnan(raw)).sum())


def _numeric_profiles(frame: pd.DataFrame, columns: list[str], segments: np.ndarray,
                      inverse: np.ndarray, weight: np.ndarray) -> pd.DataFrame:
    if not columns:
        return pd.DataFrame(columns=_NUMERIC_COLUMNS)
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
    onehot[np.arange(inverse.size), inverse] = weight
    seen = observed.astype(np.float64)
    sw = onehot.T @ seen  # (k, p) sums of weights of the observed values
    sw2 = (onehot * weight[:, None]).T @ seen
    total = onehot.T @ filled
    total_sq = onehot.T @ (filled**2)
    return _numeric_table(columns, segments, sw, sw2, total, total_sq, shift)


def _numeric_table(columns: list[str], segments: np.ndarray, sw: np.ndarray, sw2: np.ndarray,
                   total: np.ndarray, total_sq: np.ndarray, shift: np.ndarray) -> pd.DataFrame:
    """The numeric profile from per (segment, column) sums of the weights of observed
    values (``sw``), of their squares (``sw2``) and of the weighted values minus ``shift``
    and their squares."""
    k = segments.size
    all_sw, all_sw2 = sw.sum(axis=0), sw2.sum(axis=0)
    all_total, all_sq = total.sum(axis=0), total_sq.sum(axis=0)
    base = effective_base(sw, sw2)
    rest_sw = all_sw - sw
    rest_base = effective_base(rest_sw, np.maximum(all_sw2 - sw2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        overall_mean = all_total / all_sw
        overall_sd = np.sqrt(np.maximum(all_sq / all_sw - overall_mean**2, 0.0))
        seg_mean = total / sw
        seg_var = np.maximum(total_sq / sw - seg_mean**2, 0.0) * base / (base - 1)
        rest_mean = (all_total - total) / rest_sw
        rest_var = np.maximum((all_sq - total_sq) / rest_sw - rest_mean**2, 0.0) \
            * rest_base / (rest_base - 1)
        std_diff = (seg_mean - overall_mean) / overall_sd
        # point-biserial correlation between membership and the feature
        share = sw / all_sw
        effect = np.abs(seg_mean - rest_mean) * np.sqrt(share * (1 - share)) / overall_sd
    p_value = welch_test(seg_mean, seg_var, base, rest_mean, rest_var, rest_base)
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
        "std": np.sqrt(np.where(base > 1, seg_var, np.nan)).ravel(),
        "base": base.ravel(),
    })


def _numeric_column(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.float64)
        codes[codes < 0] = np.nan
        return codes + 1.0
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _categorical_profiles(frame: pd.DataFrame, columns: list[str], segments: np.ndarray,
                          inverse: np.ndarray, weight: np.ndarray) -> pd.DataFrame:
    parts = []
    k = segments.size
    for name in columns:
        codes, uniques = pd.factorize(frame[name], sort=False)
        present = codes >= 0
        n_levels = len(uniques)
        if n_levels == 0:
            continue
        w = weight[present]
        counts = np.bincount(inverse[present] * n_levels + codes[present], weights=w,
                             minlength=k * n_levels).reshape(k, n_levels)
        seg_w2 = np.bincount(inverse[present], weights=w**2, minlength=k)
        parts.append(_categorical_columns(name, segments, counts, seg_w2, list(uniques)))
    return _categorical_tables(parts)


def _categorical_tables(parts: list[dict[str, Any]]) -> pd.DataFrame:
    """The categorical profile table of the features' :func:`_categorical_columns`.

    One DataFrame of the concatenated columns (a DataFrame per feature, then
    ``pd.concat``, cost more than the arithmetic); each feature's levels keep the
    type a table of their own would give them (``pd.concat`` of those columns).
    """
    if not parts:
        return pd.DataFrame(columns=_CATEGORICAL_COLUMNS)
    def joined(name: str) -> Any:
        if name == "feature":
            return np.repeat(np.asarray([part[name] for part in parts], dtype=object),
                             [part["share"].size for part in parts])
        if name == "level":
            return pd.concat([pd.Series(part[name]) for part in parts], ignore_index=True)
        return np.concatenate([part[name] for part in parts])

    return pd.DataFrame({name: joined(name) for name in parts[0]})


def _categorical_columns(name: str, segments: np.ndarray, counts: np.ndarray,
                         seg_w2: np.ndarray, levels: list[Any]) -> dict[str, Any]:
    """The profile columns of one categorical feature from its (segment x level) sums
    of weights and each segment's sum of squared weights (of the rows that answered):
    arrays of one row per (segment, level), ``feature`` the name itself."""
    k, n_levels = counts.shape
    seg_w = counts.sum(axis=1)
    overall = counts.sum(axis=0)
    all_w = overall.sum()
    rest_w = all_w - seg_w
    base = effective_base(seg_w, seg_w2)
    rest_base = effective_base(rest_w, np.maximum(seg_w2.sum() - seg_w2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        overall_share = overall / all_w
        share = counts / seg_w[:, None]
        lift = share / overall_share
        rest_share = (overall - counts) / rest_w[:, None]
    # level share, segment vs the rest: one test per level (levels nobody has
    # and features with a single answer cannot differ)
    testable = ((base > 0) & (rest_base > 0))[:, None] & (overall > 0) \
        & ((overall > 0).sum() >= 2)
    p_values = np.where(testable, two_proportion_test(
        np.nan_to_num(rest_share), rest_base[:, None], np.nan_to_num(share),
        base[:, None]), np.nan)
    return {
        "segment": np.repeat(segments, n_levels),
        "feature": name,
        "level": np.tile(np.asarray(levels, dtype=object), k),
        "share": np.nan_to_num(share).ravel(),
        "overall_share": np.tile(overall_share, k),
        "lift": np.nan_to_num(lift).ravel(),
        "p_value": p_values.ravel(),
        "effect": np.repeat(_cramers_v(counts, overall, seg_w, rest_w), n_levels),
        "base": np.repeat(base, n_levels),
    }


def _cramers_v(counts: np.ndarray, overall: np.ndarray, seg_w: np.ndarray,
               rest_w: np.ndarray) -> np.ndarray:
    """Cramér's V of each segment's 2 x L table (segment vs the rest), vectorised.

    V of a weighted table does not depend on the scale of the weights, so it is the
    unweighted V for weights of 1 and needs no effective base.
    """
    used = overall > 0
    total = overall.sum()
    inside, outside = counts[:, used], (overall - counts)[:, used]
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_in = seg_w[:, None] * overall[used] / total
        expected_out = rest_w[:, None] * overall[used] / total
        chi2 = ((inside - expected_in) ** 2 / expected_in).sum(axis=1) \
            + ((outside - expected_out) ** 2 / expected_out).sum(axis=1)
        v = np.sqrt(chi2 / total)
    possible = (used.sum() >= 2) & (seg_w > 0) & (rest_w > 0)
    return np.where(possible & np.isfinite(v), np.minimum(v, 1.0), 0.0)


def _number(value: float) -> str:
    """A mean as people read it (``10,200``, never ``1.02e+04``): the personas' rule."""
    from ..personas._view import format_amount  # imported here: personas import this module

    return format_amount(float(value))


def _drivers(numeric: pd.DataFrame, categorical: pd.DataFrame) -> pd.DataFrame:
    rows = []
    if len(numeric):
        desc = [
            f"{'higher' if d > 0 else 'lower'} than average ({_number(m)} vs {_number(o)}, "
            f"{d:+.2f} sd)"
            for d, m, o in zip(numeric["std_diff"], numeric["mean"], numeric["overall_mean"])
        ]
        rows.append(pd.DataFrame({
            "segment": numeric["segment"], "feature": numeric["feature"], "kind": "numeric",
            "effect": numeric["effect"], "p_value": numeric["p_value"],
            "p_adjusted": numeric["p_adjusted"], "significant": numeric["significant"],
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
            "p_value": top["p_value"].to_numpy(), "p_adjusted": top["p_adjusted"].to_numpy(),
            "significant": top["significant"].to_numpy(), "direction": 1,
            "level": top["level"].to_numpy(), "description": desc,
        }))
    if not rows:
        return pd.DataFrame(columns=_DRIVER_COLUMNS)
    drivers = pd.concat(rows, ignore_index=True)
    drivers = drivers.sort_values(["segment", "effect"], ascending=[True, False], kind="stable")
    drivers["rank"] = drivers.groupby("segment").cumcount() + 1
    return drivers[_DRIVER_COLUMNS].reset_index(drop=True)
