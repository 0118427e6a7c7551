"""Choose gamma, the weight of a categorical mismatch against numeric distance.

Two classic rules look only at the spread of the data: clustMixType's ``lambdaest``
(:func:`estimate_gamma`) and Huang's (:func:`huang_gamma`, kmodes' default). Neither
is right everywhere (on the penguins Huang's rule finds the species far better, on
data whose segments live mostly in the categorical answers ``lambdaest`` does), so
:func:`select_gamma` decides on evidence from the segments themselves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._encoding import EncodedData
from ._init import SeedingPool, init_kprototypes_pp
from ._kernels import KPrototypesDistance, PreparedData, Prototypes
from ._lloyd import lloyd

__all__ = ["GammaSelection", "estimate_gamma", "huang_gamma", "resolve_gamma", "select_gamma"]

#: Huang's (1998) factor, as kmodes uses it: gamma = 0.5 x mean numeric SD.
HUANG_FACTOR = 0.5
#: Candidates tried by ``select_gamma``: a geometric grid from the smaller classic
#: value divided by GRID_MARGIN to the larger one times GRID_MARGIN.
N_CANDIDATES = 5
GRID_MARGIN = 3.0
#: Rows the candidate fits use (drawn by weight); restarts per candidate.
SELECTION_ROWS = 2_000
SELECTION_RESTARTS = 1
SELECTION_MAX_ITER = 50
#: Scores within this share of the best count as ties (see ``_tie_break``).
SCORE_TIE = 0.02

RULE = ("Modha & Spangler (2003): the gamma whose segments minimise the product of the "
        "numeric and the categorical within/between distortion ratios (as in the kamila "
        "package's gmsClust), among {n} candidates from {low:.3g} to {high:.3g} spanning "
        "lambdaest ({lambdaest:.3g}) and Huang's rule ({huang:.3g})")


def estimate_gamma(data: EncodedData, n_levels: list[int],
                   categorical_weights: np.ndarray) -> float:
    """Balance the average numeric spread against the average categorical spread.

    Follows clustMixType's ``lambdaest`` (variance for numerics, concentration for
    categoricals): ``gamma = mean_j w_j var(x_j) / mean_j w_j (1 - sum_l p_jl^2)``,
    where ``p_jl`` is the share of level ``l`` in categorical column ``j``. Each kind
    of feature then contributes, on average, about equally to the distance between
    two random rows. The numeric data here is already weighted by ``sqrt(w_j)``, so
    its variance carries the weight.

    Sample weights (``data.sample_weight``) count like repeated rows.

    Returns 1.0 when the data has only one kind of feature (gamma is then moot).
    """
    p_num, p_cat = data.numeric.shape[1], data.categorical.shape[1]
    if p_num == 0 or p_cat == 0:
        return 1.0
    concentration = np.empty(p_cat)
    weight = data.sample_weight
    for j, n_lev in enumerate(n_levels):
        codes = data.categorical[:, j]
        present = codes >= 0
        counts = np.bincount(codes[present], minlength=n_lev,
                             weights=None if weight is None else weight[present])
        counts = counts.astype(np.float64)
        share = counts / counts.sum() if counts.sum() > 0 else counts
        concentration[j] = 1.0 - np.sum(share**2)
    numeric_spread = float(np.mean(_numeric_variance(data)))
    categorical_spread = float(np.mean(concentration * categorical_weights))
    if categorical_spread <= 0 or numeric_spread <= 0:
        return 1.0
    return numeric_spread / categorical_spread


def huang_gamma(data: EncodedData) -> float:
    """Huang's rule as kmodes applies it: ``0.5 x`` the mean numeric standard deviation.

    The standard deviations are those of the encoded numerics (standardised when
    ``scale=True``, so the rule gives 0.5 times the mean ``sqrt`` of the feature
    weights), over observed values, with sample weights counting like repeated rows.
    Returns 1.0 when the data has only one kind of feature.
    """
    if data.numeric.shape[1] == 0 or data.categorical.shape[1] == 0:
        return 1.0
    spread = float(np.mean(np.sqrt(_numeric_variance(data))))
    return HUANG_FACTOR * spread if spread > 0 else 1.0


def _numeric_variance(data: EncodedData) -> np.ndarray:
    """Weighted variance of each encoded numeric column over its observed values."""
    weight = np.ones(data.n_samples) if data.sample_weight is None else data.sample_weight
    observed = (np.ones(data.numeric.shape, dtype=bool) if data.numeric_mask is None
                else data.numeric_mask)
    count = np.maximum(weight @ observed, np.finfo(np.float64).tiny)
    mean = (weight @ np.where(observed, data.numeric, 0.0)) / count
    return (weight @ np.where(observed, (data.numeric - mean) ** 2, 0.0)) / count


@dataclass(frozen=True)
class GammaSelection:
    """What ``gamma="auto"`` tried and why it chose its gamma.

    Attributes
    ----------
    gamma : float
        The chosen gamma (``gamma_`` of the model).
    candidates : ndarray
        The gammas tried, in increasing order.
    scores : ndarray
        The Modha-Spangler objective of each candidate's segments (lower is
        better); ``inf`` for a candidate that is not eligible (its segments have
        no categorical or no numeric spread left inside them, i.e. they only
        reproduce level combinations or one side's split).
    numeric_ratio, categorical_ratio : ndarray
        Within-segment over between-segment distortion of the numeric and of the
        categorical features; ``scores`` is their product.
    lambdaest, huang : float
        The two classic rules on the same data (named options ``gamma="lambdaest"``
        and ``gamma="huang"``).
    n_rows : int
        Rows the candidate fits used (a weighted draw when the data is larger).
    rule : str
        The rule in words.
    """

    gamma: float
    candidates: np.ndarray
    scores: np.ndarray
    numeric_ratio: np.ndarray
    categorical_ratio: np.ndarray
    lambdaest: float
    huang: float
    n_rows: int
    rule: str

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: gamma, the two ratios, the score and the choice."""
        return pd.DataFrame({
            "gamma": self.candidates, "numeric_ratio": self.numeric_ratio,
            "categorical_ratio": self.categorical_ratio, "score": self.scores,
            "chosen": self.candidates == self.gamma,
        })


def select_gamma(data: EncodedData, encoder: Any, n_clusters: int,
                 pool: SeedingPool | None = None, rng: np.random.Generator | None = None
                 ) -> GammaSelection:
    """Choose gamma by the Modha-Spangler criterion over a grid spanning the classic rules.

    For each candidate gamma the data is segmented (on up to
    :data:`SELECTION_ROWS` rows drawn by weight, :data:`SELECTION_RESTARTS`
    k-prototypes++ restarts plus a warm start from the previous candidate), and the
    segments are scored as Modha & Spangler (2003, "Feature weighting in k-means
    clustering") propose for a weighting of feature groups, as the kamila R package
    does for mixed data (``gmsClust``): ``Q = (W_num / B_num) x (W_cat / B_cat)``,
    where ``W`` is the distortion of a feature group inside the segments (squared
    distance of the numerics to the segment means, categorical mismatches with the
    segment modes) and ``B = T - W`` the part of its total distortion ``T`` (to the
    overall means and modes) that the segments explain. The candidate with the
    smallest ``Q`` separates the rows best on both kinds of features at once.

    Measured on labelled data (``benchmarks/bench_gamma.py``, README "Choosing
    gamma"), this matches or beats the better of ``lambdaest`` and Huang's rule on
    average adjusted Rand index; a rule that looks only at the spread of the data
    cannot tell which kind of feature carries the segments, the segments can.

    Parameters
    ----------
    data : EncodedData
        The encoded training rows (with their sample weights).
    encoder : MixedEncoder
        The fitted encoder (feature weights and levels of the distance).
    n_clusters : int
        Number of segments.
    pool : SeedingPool, optional
        The distinct rows of ``data`` (computed if not given).
    rng : numpy Generator, optional
        Randomness of the row draw and of the candidate fits. By default it is
        seeded from the content of the data, so the chosen gamma depends on the
        data and ``n_clusters`` only (not on the row order, the model's
        ``random_state`` or whether rows are repeated or weighted).

    Returns
    -------
    GammaSelection
    """
    lambdaest = estimate_gamma(data, encoder.n_levels, encoder.categorical_weights_)
    huang = huang_gamma(data)
    p_num, p_cat = data.numeric.shape[1], data.categorical.shape[1]
    if p_num == 0 or p_cat == 0 or n_clusters < 2:
        reason = ("only one kind of feature: gamma does not change the segments"
                  if p_num == 0 or p_cat == 0 else
                  "one segment: gamma does not change it; used lambdaest")
        gamma = 1.0 if p_num == 0 or p_cat == 0 else lambdaest
        empty = np.zeros(0)
        return GammaSelection(gamma, empty, empty, empty, empty, lambdaest, huang,
                              data.n_samples, reason)
    pool = SeedingPool.from_data(data) if pool is None else pool
    rng = _content_rng(data, pool, n_clusters) if rng is None else rng
    sample = _selection_rows(data, pool, rng)
    low, high = min(lambdaest, huang) / GRID_MARGIN, max(lambdaest, huang) * GRID_MARGIN
    candidates = np.geomspace(low, high, N_CANDIDATES)
    numeric_ratio = np.empty(N_CANDIDATES)
    categorical_ratio = np.empty(N_CANDIDATES)
    sample_pool = SeedingPool(np.arange(sample.n_samples), sample.sample_weight)
    totals = _total_distortion(sample, encoder.categorical_weights_)
    warm: Prototypes | None = None
    for i, gamma in enumerate(candidates):
        prepared = KPrototypesDistance.from_encoder(encoder, float(gamma)).prepare(sample)
        starts = [init_kprototypes_pp(prepared, n_clusters, rng, sample_pool)
                  for _ in range(SELECTION_RESTARTS)]
        if warm is not None:
            starts.append(warm)
        runs = [lloyd(prepared, start, SELECTION_MAX_ITER, 0.0, False, 0, 1)
                for start in starts]
        best = min(runs, key=lambda run: run.cost)
        warm = best.prototypes
        within = _within_distortion(prepared, best.prototypes, best.labels,
                                    encoder.categorical_weights_)
        numeric_ratio[i], categorical_ratio[i] = (
            _ratio(within[0], totals[0]), _ratio(within[1], totals[1]))
    eligible = (np.isfinite(numeric_ratio) & np.isfinite(categorical_ratio)
                & (numeric_ratio > 0) & (categorical_ratio > 0))
    scores = np.where(eligible, numeric_ratio * categorical_ratio, np.inf)
    rule = RULE.format(n=N_CANDIDATES, low=low, high=high, lambdaest=lambdaest, huang=huang)
    if not eligible.any():
        return GammaSelection(lambdaest, candidates, scores, numeric_ratio,
                              categorical_ratio, lambdaest, huang, sample.n_samples,
                              rule + "; no candidate was eligible, so lambdaest was used")
    chosen = float(candidates[_tie_break(scores, candidates, np.sqrt(lambdaest * huang))])
    return GammaSelection(chosen, candidates, scores, numeric_ratio, categorical_ratio,
                          lambdaest, huang, sample.n_samples, rule)


def resolve_gamma(rule: Any, data: EncodedData, encoder: Any, n_clusters: int,
                  pool: SeedingPool) -> tuple[float, GammaSelection | None]:
    """The gamma a ``gamma=`` parameter stands for on ``data``, and the selection
    report when it is ``"auto"`` (the in-memory fit and the Dask fit share this).

    Parameters
    ----------
    rule : {"auto", "lambdaest", "huang"} or float
    data : EncodedData
        The rows the rule looks at (all rows in memory, the seeding sample on Dask).
    encoder : MixedEncoder
        The fitted encoder (levels and categorical weights).
    n_clusters : int
    pool : SeedingPool
        The distinct rows of ``data`` that ``"auto"``'s candidate fits draw from.

    Returns
    -------
    gamma : float
    selection : GammaSelection or None
    """
    if rule == "auto":
        selection = select_gamma(data, encoder, n_clusters, pool)
        return selection.gamma, selection
    if rule == "lambdaest":
        return estimate_gamma(data, encoder.n_levels, encoder.categorical_weights_), None
    if rule == "huang":
        return huang_gamma(data), None
    return float(rule), None


def _tie_break(scores: np.ndarray, candidates: np.ndarray, centre: float) -> int:
    """The candidate nearest ``centre`` (in log) among those within SCORE_TIE of the best.

    One restart on a sample per candidate makes scores a few per cent apart noise;
    neighbouring candidates often find the very same segments (equal scores).
    """
    best = float(np.min(scores))
    tied = np.flatnonzero(scores <= best * (1.0 + SCORE_TIE))
    return int(tied[np.argmin(np.abs(np.log(candidates[tied] / centre)))])


def _content_rng(data: EncodedData, pool: SeedingPool, n_clusters: int
                 ) -> np.random.Generator:
    """A generator seeded by the distinct rows, their weights and ``n_clusters``."""
    digest = hashlib.sha256(data.row_hashes()[pool.rows].tobytes())
    digest.update(np.asarray(pool.weight, dtype=np.float64).tobytes())
    digest.update(str(n_clusters).encode())
    return np.random.default_rng(int.from_bytes(digest.digest()[:8], "little"))


def _selection_rows(data: EncodedData, pool: SeedingPool, rng: np.random.Generator
                    ) -> EncodedData:
    """The distinct rows with their weights, or a weighted draw of SELECTION_ROWS."""
    if pool.n_distinct <= SELECTION_ROWS:
        positions, weight = np.arange(pool.n_distinct), pool.weight
    else:
        drawn = pool.draw(rng, SELECTION_ROWS)
        positions, counts = np.unique(drawn, return_counts=True)
        weight = counts.astype(np.float64)
    sample = data.take(pool.rows[positions])
    sample.sample_weight = np.asarray(weight, dtype=np.float64)
    return sample


def _ratio(within: float, total: float) -> float:
    between = total - within
    if total <= 0:
        return np.inf
    return within / between if between > 0 else np.inf


def _total_distortion(data: EncodedData, categorical_weights: np.ndarray
                      ) -> tuple[float, float]:
    """Numeric and categorical distortion of the rows around one overall prototype."""
    weight = data.sample_weight
    observed = (np.ones(data.numeric.shape, dtype=bool) if data.numeric_mask is None
                else data.numeric_mask)
    numeric_total = float(np.sum(_numeric_variance(data) * (weight @ observed)))
    modes = np.empty(data.categorical.shape[1], dtype=np.int64)
    for j in range(data.categorical.shape[1]):
        codes = data.categorical[:, j]
        present = codes >= 0
        modes[j] = int(np.argmax(np.bincount(codes[present], weights=weight[present])))
    mismatch = (data.categorical != modes) & (data.categorical >= 0)
    categorical_total = float(weight @ (mismatch @ categorical_weights))
    return numeric_total, categorical_total


def _within_distortion(prepared: PreparedData, prototypes: Prototypes, labels: np.ndarray,
                       categorical_weights: np.ndarray) -> tuple[float, float]:
    """Numeric and categorical distortion of the rows around their own prototype."""
    data = prepared.data
    weight = data.sample_weight
    squared = (data.numeric - prototypes.numeric[labels]) ** 2
    if data.numeric_mask is not None:
        squared *= data.numeric_mask
    codes = data.categorical
    mismatch = (codes != prototypes.categorical[labels]) & (codes >= 0)
    return (float(weight @ squared.sum(axis=1)),
            float(weight @ (mismatch @ categorical_weights)))
