"""Drift of a wave from the baseline wave of its segmentation, from stored profiles.

When a wave is added, :func:`wave_profile` stores a small *profile* in its aggregates:
for every feature of the segmentation, the weighted histogram of each segment's members
on fixed bins, and for numeric features each segment's weighted sum, sum of squares and
observed weight. The bins are the baseline wave's (the first wave under the same
segmentation): numeric features on its weighted deciles (ties merged, so a 1-5 answer
scale gets one bin per answer), categorical features on the model's levels; either
kind has one more bin for missing values (and categorical one for levels the model
never saw). The report then compares any wave with its baseline without touching
respondent rows (:func:`wave_drift`):

* **PSI** (population stability index) per feature:
  ``Σ (p_wave - p_base) · ln(p_wave / p_base)`` over the bins, each share floored at
  :data:`PSI_EPSILON` so an empty bin counts as nearly empty, not infinitely far. The
  usual reading: below :data:`PSI_MODERATE` stable, up to :data:`PSI_MAJOR` moderate,
  above it major. Under no change ``PSI / (1/n_base + 1/n_wave)`` is approximately
  χ² with (bins - 1) degrees of freedom (effective bases), which gives ``p_value``: a
  small wave can reach a "major" PSI by chance, and the alerts ask for both.
* **Mix-adjusted PSI**: the same index against the baseline's per-segment histograms
  mixed at *this* wave's segment shares. A change of the personas' sizes alone moves
  the raw PSI but not this one; a change inside the segments (new kinds of
  respondents, a segment splitting) moves both.
* **SMD** (standardised mean difference) of numeric features: weighted means, divided
  by the pooled standard deviation ``sqrt((var_base + var_wave) / 2)``.
* **Per persona**: each feature's standardised difference between the persona's members
  in the wave and in the baseline, in units of the feature's pooled (whole-wave) SD, so
  "+0.4 SD" is measured against the spread of the market; for a categorical feature the
  level whose share moved most (as the SMD of its indicator). The persona's ``shift`` is
  the mean absolute difference over the features.
* **Split signal** per segment: a weighted 2-means of the members' numeric features,
  each standardised by the segment's *baseline* members (mean and SD, clipped to
  ±:data:`SPLIT_CLIP`), started on the principal axis; its ``r2`` is the share of the
  members' spread the two groups explain. A segment whose members split in two explains
  much more than it did in the baseline. Computed on at most :data:`SPLIT_SAMPLE`
  members per segment; segmentations without numeric features get none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["PSI_EPSILON", "PSI_MAJOR", "PSI_MODERATE", "FeatureDrift", "PersonaDrift",
           "SplitSignal", "WaveDrift", "drift_level", "psi", "wave_drift", "wave_profile"]

#: Version of the profile document inside a wave's aggregates.
PROFILE_VERSION = 1
#: PSI below this is "stable".
PSI_MODERATE = 0.1
#: PSI above this is "major" (between the two: "moderate").
PSI_MAJOR = 0.25
#: Floor of a bin's share in the PSI (an empty bin is not infinitely far).
PSI_EPSILON = 1e-4
#: Quantiles of the baseline that bound the numeric bins (deciles).
BIN_QUANTILES = np.linspace(0.1, 0.9, 9)
#: Rows the baseline's deciles are estimated on (evenly spaced; exact below this).
EDGE_SAMPLE = 200_000
#: Members per segment the split signal is computed on (evenly spaced).
SPLIT_SAMPLE = 50_000
#: Standardised values beyond ± this are clipped in the split signal.
SPLIT_CLIP = 3.0
#: Lloyd iterations of the 2-means inside a segment.
SPLIT_ITERATIONS = 15
#: A persona's feature change is put in words from this many SDs on.
CHANGE_MIN_SMD = 0.2
#: At most this many changes are put in words per persona.
MAX_CHANGES = 3
#: Members (effective base) a persona needs in both waves to be compared.
MIN_PERSONA_BASE = 50.0


def drift_level(value: float) -> str:
    """``"stable"``, ``"moderate"`` or ``"major"``: the usual reading of a PSI."""
    if value > PSI_MAJOR:
        return "major"
    return "moderate" if value >= PSI_MODERATE else "stable"


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of ``actual`` shares against ``expected`` shares.

    Both are normalised to sum 1; shares below :data:`PSI_EPSILON` count as it.
    """
    p = np.maximum(np.asarray(expected, dtype=float) / max(np.sum(expected), 1e-300),
                   PSI_EPSILON)
    q = np.maximum(np.asarray(actual, dtype=float) / max(np.sum(actual), 1e-300),
                   PSI_EPSILON)
    return float(np.sum((q - p) * np.log(q / p)))


# ------------------------------------------------------------------ the stored profile
def _weighted_edges(values: np.ndarray, weights: np.ndarray) -> list[float]:
    observed = ~np.isnan(values)
    values, weights = values[observed], weights[observed]
    if values.size == 0 or weights.sum() <= 0:
        return []
    if values.size > EDGE_SAMPLE:
        keep = np.linspace(0, values.size - 1, EDGE_SAMPLE).astype(np.int64)
        values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    positions = np.searchsorted(cumulative, BIN_QUANTILES * cumulative[-1], side="left")
    edges = np.unique(values[np.minimum(positions, values.size - 1)])
    # an edge at the minimum would leave its lower bin empty by construction
    return [float(e) for e in edges if e > values[0]]


def _histogram(bins: np.ndarray, segment: np.ndarray, weights: np.ndarray, n_bins: int,
               n_segments: int) -> list[list[float]]:
    flat = np.bincount(segment * n_bins + bins, weights, minlength=n_segments * n_bins)
    return flat.reshape(n_segments, n_bins).tolist()


def _numeric_entry(name: str, values: np.ndarray, segment: np.ndarray, weights: np.ndarray,
                   n_segments: int, edges: list[float]) -> dict[str, Any]:
    missing = np.isnan(values)
    n_bins = len(edges) + 2  # below the first edge ... above the last, missing
    bins = np.searchsorted(np.asarray(edges, dtype=float), values, side="right")
    bins[missing] = n_bins - 1
    observed = np.where(missing, 0.0, weights)
    filled = np.where(missing, 0.0, values)
    return {"feature": name, "kind": "numeric", "edges": edges,
            "histogram": _histogram(bins, segment, weights, n_bins, n_segments),
            "sum_weights": np.bincount(segment, observed, minlength=n_segments).tolist(),
            "sum": np.bincount(segment, observed * filled, minlength=n_segments).tolist(),
            "sum_squares": np.bincount(segment, observed * filled * filled,
                                       minlength=n_segments).tolist()}


def _categorical_entry(name: str, codes: np.ndarray, levels: Sequence[Any],
                       segment: np.ndarray, weights: np.ndarray, n_segments: int
                       ) -> dict[str, Any]:
    n_levels = len(levels)
    # the encoder's codes: 0..n-1 levels, -2 a level the model never saw, -1 missing
    bins = np.where(codes >= 0, codes, np.where(codes == -2, n_levels, n_levels + 1))
    return {"feature": name, "kind": "categorical", "levels": [str(v) for v in levels],
            "histogram": _histogram(bins.astype(np.int64), segment, weights, n_levels + 2,
                                    n_segments)}


def _two_means(z: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted 2-means of rows ``z``: explained share of their spread, smaller group."""
    total_weight = w.sum()
    centred = z - (w @ z) / total_weight
    total = float(w @ np.einsum("ij,ij->i", centred, centred))
    if total <= 0 or centred.shape[0] < 4:
        return 0.0, 0.0
    covariance = (centred * w[:, None]).T @ centred
    upper = centred @ np.linalg.eigh(covariance)[1][:, -1] > 0
    explained = smaller = 0.0
    for _ in range(SPLIT_ITERATIONS + 1):
        w1 = float(w @ upper)
        w0 = total_weight - w1
        if w0 <= 0 or w1 <= 0:
            return 0.0, 0.0
        # around the common mean the two weighted centres balance: w0 c0 = -w1 c1
        c1 = ((w * upper) @ centred) / w1
        c0 = -c1 * (w1 / w0)
        explained = (w1 * float(c1 @ c1) + w0 * float(c0 @ c0)) / total
        smaller = min(w0, w1) / total_weight
        # nearer to c1 than to c0: 2 z.(c1 - c0) > |c1|² - |c0|²
        moved = 2 * (centred @ (c1 - c0)) > float(c1 @ c1 - c0 @ c0)
        if np.array_equal(moved, upper):
            break
        upper = moved
    return explained, float(smaller)


def _moments(entry: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-segment weights, means and variances of a numeric entry."""
    weight = np.asarray(entry["sum_weights"], dtype=float)
    total = np.asarray(entry["sum"], dtype=float)
    squares = np.asarray(entry["sum_squares"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(weight > 0, total / weight, np.nan)
        variance = np.where(weight > 0, squares / weight - mean * mean, np.nan)
    return weight, mean, np.maximum(variance, 0.0)


def _split_entry(values: np.ndarray, segment: np.ndarray, weights: np.ndarray,
                 reference: Sequence[Mapping[str, Any]], n_segments: int
                 ) -> dict[str, Any] | None:
    """Each segment's 2-means on its members standardised by its baseline members.

    ``values`` holds the numeric features (columns in the order of ``reference``, the
    baseline's numeric entries). Each value becomes ``(x - mean) / sd`` of the segment's
    baseline members, clipped to ±:data:`SPLIT_CLIP` so a heavy tail (a spend column)
    cannot make the two groups "outliers and the rest"; a missing value sits at 0.
    """
    if values.shape[1] == 0:
        return None
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    moments = [_moments(entry) for entry in reference]
    means = np.column_stack([m[1] for m in moments])  # (k, features)
    sds = np.sqrt(np.column_stack([m[2] for m in moments]))
    r2, smaller = np.zeros(n_segments), np.zeros(n_segments)
    # Small matrix-vector products: BLAS threads only add synchronisation (18x slower on
    # a busy machine here); scikit-learn's KMeans limits BLAS to one thread the same way.
    with threadpool_limits(limits=1, user_api="blas"):
        for j in range(n_segments):
            r2[j], smaller[j] = _segment_two_means(values, segment, weights, j, means[j],
                                                   sds[j])
    return {"r2": r2.tolist(), "smaller_part": smaller.tolist()}


def _segment_two_means(values: np.ndarray, segment: np.ndarray, weights: np.ndarray, j: int,
                       mean: np.ndarray, sd: np.ndarray) -> tuple[float, float]:
    members = np.flatnonzero((segment == j) & (weights > 0))
    if members.size > SPLIT_SAMPLE:
        members = members[np.linspace(0, members.size - 1, SPLIT_SAMPLE).astype(np.int64)]
    usable = np.isfinite(mean) & (sd > 0)
    if members.size == 0 or not usable.any():
        return 0.0, 0.0
    z = (values[np.ix_(members, np.flatnonzero(usable))] - mean[usable]) / sd[usable]
    z = np.clip(np.nan_to_num(z, nan=0.0), -SPLIT_CLIP, SPLIT_CLIP)
    return _two_means(z, weights[members])


def wave_profile(model: Any, features: pd.DataFrame, weights: np.ndarray,
                 segment: np.ndarray, baseline: Mapping[str, Any] | None = None, *,
                 codes: np.ndarray | None = None) -> dict[str, Any]:
    """The profile a wave stores in its aggregates (see the module docstring).

    Parameters
    ----------
    model : KPrototypes
        The segmentation the wave was assigned under.
    features : DataFrame
        The wave's values of the model's features.
    weights : ndarray
        Respondent weights.
    segment : ndarray of int
        Each respondent's segment.
    baseline : mapping, optional
        The baseline wave's profile, whose bins this one uses; ``None`` for the baseline
        itself (its deciles become the bins).
    codes : ndarray of int, shape (n, n_categorical), optional
        The categorical features as the model's level codes
        (``model.encoder_.transform(features).categorical``), if already encoded.

    Returns
    -------
    dict
        JSON-ready.
    """
    n_segments = len(model.cluster_centers_)
    weights = np.asarray(weights, dtype=float)
    segment = np.asarray(segment, dtype=np.int64)
    edges_of = ({} if baseline is None else
                {f["feature"]: f["edges"] for f in baseline["features"]
                 if f["kind"] == "numeric"})
    numeric = [str(name) for name in model.numeric_features_]
    values = (features[numeric].to_numpy(dtype=np.float64, na_value=np.nan) if numeric
              else np.empty((len(features), 0)))
    entries = []
    for column, name in enumerate(numeric):
        edges = (edges_of[name] if name in edges_of
                 else _weighted_edges(values[:, column], weights))
        entries.append(_numeric_entry(name, values[:, column], segment, weights, n_segments,
                                      edges))
    reference = entries if baseline is None else [
        f for f in baseline["features"] if f["kind"] == "numeric"]
    split = _split_entry(values, segment, weights, reference, n_segments)
    if model.categorical_features_:
        if codes is None:
            codes = model.encoder_.transform(features, warn_unseen=False).categorical
        for j, name in enumerate(model.categorical_features_):
            entries.append(_categorical_entry(name, codes[:, j], model.encoder_.levels_[j],
                                              segment, weights, n_segments))
    return {"format_version": PROFILE_VERSION, "features": entries, "split": split}


# ------------------------------------------------------------------ the report's view
@dataclass(frozen=True)
class FeatureDrift:
    """How far one feature's distribution moved from the baseline.

    Attributes
    ----------
    feature, label : str
        Column and its readable label.
    kind : str
        ``"numeric"`` or ``"categorical"``.
    smd : float or None
        Standardised mean difference (numeric features only).
    psi : float
        Population stability index against the baseline.
    psi_mix_adjusted : float
        PSI against the baseline's segments mixed at this wave's shares: what the
        change of the personas' sizes does not explain.
    p_value : float
        Chance of a PSI this large with no change (χ² approximation).
    level : str
        ``"stable"``, ``"moderate"`` or ``"major"`` (:func:`drift_level` of ``psi``).
    p_value_mix_adjusted : float
        The same for ``psi_mix_adjusted``.
    """

    feature: str
    label: str
    kind: str
    smd: float | None
    psi: float
    psi_mix_adjusted: float
    p_value: float
    level: str
    p_value_mix_adjusted: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"feature": self.feature, "label": self.label, "kind": self.kind,
                "smd": self.smd, "psi": self.psi, "level": self.level,
                "psi_mix_adjusted": self.psi_mix_adjusted, "p_value": self.p_value,
                "p_value_mix_adjusted": self.p_value_mix_adjusted}


@dataclass(frozen=True)
class SplitSignal:
    """A 2-means inside a segment, this wave against the baseline.

    ``r2`` is the share of the members' spread two groups explain, ``baseline_r2`` the
    same in the baseline, ``smaller_part`` the weighted share of the smaller group.
    """

    r2: float
    baseline_r2: float
    smaller_part: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"r2": self.r2, "baseline_r2": self.baseline_r2,
                "smaller_part": self.smaller_part}


@dataclass(frozen=True)
class PersonaDrift:
    """How far a persona's members' profile moved from its baseline members.

    Attributes
    ----------
    persona : str
    segment : int
    shift : float
        Mean absolute standardised difference over the features (0 when the persona
        has fewer than :data:`MIN_PERSONA_BASE` effective members in either wave).
    changes : list of str
        The largest differences in words, e.g. ``"higher Price focus: +0.4 SD"``.
    effects : dict of str to float
        Signed standardised difference per feature.
    split : SplitSignal or None
    """

    persona: str
    segment: int
    shift: float
    changes: list[str]
    effects: dict[str, float] = field(default_factory=dict)
    split: SplitSignal | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"persona": self.persona, "segment": self.segment, "shift": self.shift,
                "changes": self.changes, "effects": self.effects,
                "split": None if self.split is None else self.split.to_dict()}


@dataclass(frozen=True)
class WaveDrift:
    """A wave's drift from the baseline wave of its segmentation.

    Attributes
    ----------
    against : str
        The baseline wave's label.
    features : list of FeatureDrift
        Most drifted (highest PSI) first.
    personas : list of PersonaDrift
        By segment number.
    """

    against: str
    features: list[FeatureDrift]
    personas: list[PersonaDrift]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"against": self.against, "features": [f.to_dict() for f in self.features],
                "personas": [p.to_dict() for p in self.personas]}


def _pooled_moments(entry: Mapping[str, Any]) -> tuple[float, float]:
    weight = float(np.sum(entry["sum_weights"]))
    if weight <= 0:
        return np.nan, np.nan
    mean = float(np.sum(entry["sum"])) / weight
    return mean, max(float(np.sum(entry["sum_squares"])) / weight - mean * mean, 0.0)


def _divide(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(b) > 0, np.asarray(a) / np.asarray(b), 0.0)


def _change_text(label: str, effect: float, level: str | None,
                 shares: tuple[float, float] | None) -> str:
    if level is None:
        return f"{'higher' if effect > 0 else 'lower'} {label}: {effect:+.1f} SD"
    before, after = shares or (0.0, 0.0)
    return (f"{'more' if effect > 0 else 'less'} often {level} on {label}: "
            f"{before * 100:.0f} % → {after * 100:.0f} %")


def wave_drift(baseline: Mapping[str, Any], wave: Mapping[str, Any], *,
               against: str, names: Sequence[str], labels: Mapping[str, str],
               base_sizes: tuple[float, float], segment_bases: tuple[np.ndarray, np.ndarray],
               shares: np.ndarray) -> WaveDrift:
    """Compare a wave's profile with its baseline's (see the module docstring).

    Parameters
    ----------
    baseline, wave : mapping
        The two profiles (:func:`wave_profile`), same segmentation.
    against : str
        The baseline's label.
    names : sequence of str
        Persona name of each segment.
    labels : mapping of str to str
        Readable label of each feature (missing ones show the column name).
    base_sizes : (float, float)
        Effective bases of the baseline and the wave.
    segment_bases : (ndarray, ndarray)
        Each segment's effective base in the baseline and in the wave.
    shares : ndarray
        This wave's weighted segment shares.

    Returns
    -------
    WaveDrift
    """
    n_segments = len(names)
    base_of = {f["feature"]: f for f in baseline["features"]}
    measured: list[tuple[str, str, str, float | None, float, float]] = []
    statistics: list[tuple[float, float]] = []
    freedoms: list[int] = []
    effects = np.zeros((n_segments, len(wave["features"])))
    texts: list[list[tuple[float, str]]] = [[] for _ in range(n_segments)]
    inverse_bases = _divide(1.0, base_sizes[0]) + _divide(1.0, base_sizes[1])
    for column, entry in enumerate(wave["features"]):
        name = entry["feature"]
        label = labels.get(name) or name
        before = base_of[name]
        hist_b = np.asarray(before["histogram"], dtype=float)
        hist_w = np.asarray(entry["histogram"], dtype=float)
        total_b, total_w = hist_b.sum(axis=0), hist_w.sum(axis=0)
        index = psi(total_b, total_w)
        row_totals = hist_b.sum(axis=1, keepdims=True)
        mixed = shares @ _divide(hist_b, row_totals)
        occupied = max(int(np.count_nonzero((total_b + total_w) > 0)), 2)
        mixed_index = psi(mixed, total_w)
        scale = 1 / inverse_bases if inverse_bases > 0 else 0.0
        statistics.append((index * scale, mixed_index * scale))
        freedoms.append(occupied - 1)
        smd = None
        if entry["kind"] == "numeric":
            mean_b, var_b = _pooled_moments(before)
            mean_w, var_w = _pooled_moments(entry)
            sd = float(np.sqrt((var_b + var_w) / 2))
            smd = float((mean_w - mean_b) / sd) if sd > 0 else 0.0
            _, seg_mean_b, _ = _moments(before)
            _, seg_mean_w, _ = _moments(entry)
            effect = np.nan_to_num(_divide(seg_mean_w - seg_mean_b, sd))
            effects[:, column] = effect
            for j in range(n_segments):
                if abs(effect[j]) >= CHANGE_MIN_SMD:
                    texts[j].append((abs(float(effect[j])),
                                     _change_text(label, float(effect[j]), None, None)))
        else:
            n_levels = len(entry["levels"])
            share_b = _divide(hist_b[:, :n_levels], row_totals)
            share_w = _divide(hist_w[:, :n_levels], hist_w.sum(axis=1, keepdims=True))
            overall_b = total_b[:n_levels] / max(total_b.sum(), 1e-300)
            overall_w = total_w[:n_levels] / max(total_w.sum(), 1e-300)
            sd = np.sqrt((overall_b * (1 - overall_b) + overall_w * (1 - overall_w)) / 2)
            level_effect = _divide(share_w - share_b, sd[None, :])
            strongest = np.argmax(np.abs(level_effect), axis=1) if n_levels else None
            for j in range(n_segments):
                if strongest is None:
                    continue
                level = int(strongest[j])
                effects[j, column] = level_effect[j, level]
                if abs(level_effect[j, level]) >= CHANGE_MIN_SMD:
                    texts[j].append((abs(float(level_effect[j, level])), _change_text(
                        label, float(level_effect[j, level]), entry["levels"][level],
                        (float(share_b[j, level]), float(share_w[j, level])))))
        measured.append((name, label, entry["kind"], smd, index, mixed_index))
    # one vectorised call: (features, 2) statistics, degrees of freedom per feature
    p_values = stats.chi2.sf(np.asarray(statistics).reshape(-1, 2),
                             np.asarray(freedoms)[:, None]).reshape(-1, 2)
    features = [FeatureDrift(name, label, kind, smd, index, mixed, float(p[0]),
                             drift_level(index), float(p[1]))
                for (name, label, kind, smd, index, mixed), p in zip(measured, p_values)]
    features.sort(key=lambda f: -f.psi)
    comparable = (segment_bases[0] >= MIN_PERSONA_BASE) & (segment_bases[1] >= MIN_PERSONA_BASE)
    split_b, split_w = baseline.get("split"), wave.get("split")
    personas = []
    names_of = [entry["feature"] for entry in wave["features"]]
    for j in range(n_segments):
        split = None
        if split_b is not None and split_w is not None:
            split = SplitSignal(float(split_w["r2"][j]), float(split_b["r2"][j]),
                                float(split_w["smaller_part"][j]))
        if not comparable[j] or not names_of:
            personas.append(PersonaDrift(names[j], j, 0.0, [], {}, split))
            continue
        words = [text for _, text in sorted(texts[j], key=lambda pair: -pair[0])]
        personas.append(PersonaDrift(names[j], j, float(np.mean(np.abs(effects[j]))),
                                     words[:MAX_CHANGES],
                                     dict(zip(names_of, effects[j].tolist())), split))
    return WaveDrift(against, features, personas)
