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
from ._restarts import adjusted_rand_index_from_table

__all__ = ["GammaSelection", "estimate_gamma", "huang_gamma", "resolve_gamma", "select_gamma"]

#: Huang's (1998) factor, as kmodes uses it: gamma = 0.5 x mean numeric SD.
HUANG_FACTOR = 0.5
#: Candidates tried by ``select_gamma``: a geometric grid of N_GRID values from the
#: smaller classic value divided by GRID_MARGIN to the larger one times GRID_MARGIN,
#: plus the two classic values themselves (so "auto" can land on either rule).
N_GRID = 5
GRID_MARGIN = 3.0
#: Rows the candidate fits use (drawn by weight); restarts per candidate.
SELECTION_ROWS = 2_000
SELECTION_RESTARTS = 1
SELECTION_MAX_ITER = 50
#: Scores within this share of the best count as ties (see ``_tie_break``).
SCORE_TIE = 0.02
#: A classic rule whose segments agree less than this (ARI) with the chosen ones is
#: named in the reason: the data hold a second structure that rule would find.
AGREEMENT_FLOOR = 0.8

RULE = ("Modha & Spangler (2003): the gamma whose segments minimise the product of the "
        "numeric and the categorical within/between distortion ratios (as in the kamila "
        "package's gmsClust), among {n} candidates from {low:.3g} to {high:.3g} that "
        "include lambdaest ({lambdaest:.3g}) and Huang's rule ({huang:.3g})")


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

    Every array has one entry per candidate, in increasing order of gamma.

    Attributes
    ----------
    gamma : float
        The chosen gamma (``gamma_`` of the model).
    candidates : ndarray
        The gammas tried: a geometric grid spanning the two classic rules, and
        the two classic values themselves.
    scores : ndarray
        The Modha-Spangler criterion of each candidate's segments
        (``numeric_ratio x categorical_ratio``, lower is better); ``inf`` for a
        candidate that is not eligible.
    numeric_ratio, categorical_ratio : ndarray
        Within-segment over between-segment distortion of the numeric and of the
        categorical features (0 when the segments reproduce that kind's values,
        ``inf`` when they explain none of it).
    eligible : ndarray of bool
        Whether the candidate could be chosen: both ratios finite and positive. A
        ratio of 0 means the segments only copy level combinations (or one
        numeric split), ``inf`` that they ignore one kind of feature entirely.
    agreement : ndarray
        Adjusted Rand index between each candidate's segments and the chosen
        candidate's, on the selection rows (weighted): low values show where a
        different gamma finds a different structure.
    numeric_share : ndarray
        Share of the candidate's within-segment distortion (squared numeric
        distances plus ``gamma x`` the weighted categorical mismatches, i.e. its
        k-prototypes cost on the selection rows) that the numeric features
        contribute.
    lambdaest, huang : float
        The two classic rules on the same data (named options ``gamma="lambdaest"``
        and ``gamma="huang"``).
    n_rows : int
        Rows the candidate fits used (a weighted draw when the data is larger).
    rule : str
        The rule in words.
    reason : str
        Why this candidate was chosen: its score, the runner-up and the margin
        (or the near-tie it broke), the classic rules' scores, and a classic rule
        whose segments differ from the chosen ones (agreement below
        ``AGREEMENT_FLOOR``), with the option that gives them; or why no search
        was needed.
    """

    gamma: float
    candidates: np.ndarray
    scores: np.ndarray
    numeric_ratio: np.ndarray
    categorical_ratio: np.ndarray
    eligible: np.ndarray
    agreement: np.ndarray
    numeric_share: np.ndarray
    lambdaest: float
    huang: float
    n_rows: int
    rule: str
    reason: str

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: gamma, which classic rule it is, the criterion
        values, eligibility and the choice."""
        classic = np.full(self.candidates.size, "", dtype=object)
        classic[np.isclose(self.candidates, self.huang, rtol=1e-12)] = "huang"
        classic[np.isclose(self.candidates, self.lambdaest, rtol=1e-12)] = "lambdaest"
        return pd.DataFrame({
            "gamma": self.candidates, "classic_rule": classic,
            "numeric_ratio": self.numeric_ratio,
            "categorical_ratio": self.categorical_ratio, "score": self.scores,
            "eligible": self.eligible, "agreement": self.agreement,
            "numeric_share": self.numeric_share,
            "chosen": self.candidates == self.gamma,
        })


def select_gamma(data: EncodedData, encoder: Any, n_clusters: int,
                 pool: SeedingPool | None = None, rng: np.random.Generator | None = None
                 ) -> GammaSelection:
    """Choose gamma by the Modha-Spangler criterion over a grid spanning the classic rules.

    The candidates are both classic values and a geometric grid around them (see
    :attr:`GammaSelection.candidates`). For each candidate gamma the data is
    segmented (on up to
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

    Near-ties (within :data:`SCORE_TIE`) go to the candidate nearest the geometric
    mean of the two classic values. The report names a classic rule whose segments
    agree with the chosen ones at an ARI below :data:`AGREEMENT_FLOOR`: the data then
    hold a second structure, which that rule gives.

    Measured on labelled data (``benchmarks/bench_gamma.py``, README "Choosing
    gamma"), this beats the better of ``lambdaest`` and Huang's rule on average
    adjusted Rand index and is within 0.03 of it on every set but the penguins
    (where island and sex give a second clear split that the criterion prefers);
    a rule that looks only at the spread of the data cannot tell which kind of
    feature carries the segments, the segments can. Stability of the candidates'
    segments (split-half, restarts, bootstrap) did worse on the same data
    (``benchmarks/bench_gamma_rules.py``).

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
        one_kind = p_num == 0 or p_cat == 0
        reason = ("only one kind of feature: gamma does not change the segments" if one_kind
                  else "one segment: gamma does not change it; used lambdaest")
        empty = np.zeros(0)
        return GammaSelection(1.0 if one_kind else lambdaest, empty, empty, empty, empty,
                              np.zeros(0, dtype=bool), empty, empty, lambdaest, huang,
                              data.n_samples, reason, reason)
    pool = SeedingPool.from_data(data) if pool is None else pool
    rng = _content_rng(data, pool, n_clusters) if rng is None else rng
    sample = _selection_rows(data, pool, rng)
    candidates = _candidate_grid(lambdaest, huang)
    numeric_ratio = np.empty(candidates.size)
    categorical_ratio = np.empty(candidates.size)
    numeric_share = np.empty(candidates.size)
    sample_pool = SeedingPool(np.arange(sample.n_samples), sample.sample_weight)
    totals = _total_distortion(sample, encoder.categorical_weights_)
    labels = []
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
        labels.append(best.labels)
        within = _within_distortion(prepared, best.prototypes, best.labels,
                                    encoder.categorical_weights_)
        numeric_ratio[i], categorical_ratio[i] = (
            _ratio(within[0], totals[0]), _ratio(within[1], totals[1]))
        spent = within[0] + gamma * within[1]
        numeric_share[i] = within[0] / spent if spent > 0 else np.nan
    eligible = (np.isfinite(numeric_ratio) & np.isfinite(categorical_ratio)
                & (numeric_ratio > 0) & (categorical_ratio > 0))
    scores = np.where(eligible, numeric_ratio * categorical_ratio, np.inf)
    rule = RULE.format(n=candidates.size, low=candidates[0], high=candidates[-1],
                       lambdaest=lambdaest, huang=huang)
    report = dict(candidates=candidates, scores=scores, numeric_ratio=numeric_ratio,
                  categorical_ratio=categorical_ratio, eligible=eligible,
                  numeric_share=numeric_share, lambdaest=lambdaest, huang=huang,
                  n_rows=sample.n_samples, rule=rule)
    if not eligible.any():
        at_lambdaest = int(np.argmin(np.abs(np.log(candidates / lambdaest))))
        return GammaSelection(gamma=float(candidates[at_lambdaest]), **report,
                              agreement=_agreement(labels, at_lambdaest, n_clusters,
                                                   sample.sample_weight),
                              reason="no candidate was eligible (every one either copies "
                                     "level combinations or ignores one kind of "
                                     "feature), so lambdaest was used")
    centre = float(np.sqrt(lambdaest * huang))
    chosen = _tie_break(scores, candidates, centre)
    agreement = _agreement(labels, chosen, n_clusters, sample.sample_weight)
    return GammaSelection(gamma=float(candidates[chosen]), **report, agreement=agreement,
                          reason=_reason(chosen, scores, agreement, candidates, lambdaest,
                                         huang, centre))


def _candidate_grid(lambdaest: float, huang: float) -> np.ndarray:
    """Both classic values and :data:`N_GRID` geometric steps from ``min / GRID_MARGIN``
    to ``max x GRID_MARGIN`` of them (the middle one is their geometric mean), in
    increasing order; values equal to 12 digits count once."""
    low, high = min(lambdaest, huang) / GRID_MARGIN, max(lambdaest, huang) * GRID_MARGIN
    values = np.sort(np.r_[np.geomspace(low, high, N_GRID), lambdaest, huang])
    distinct = np.r_[True, ~np.isclose(values[1:], values[:-1], rtol=1e-12, atol=0.0)]
    return values[distinct]


def _agreement(labels: list[np.ndarray], chosen: int, n_clusters: int,
               weight: np.ndarray) -> np.ndarray:
    """Weighted adjusted Rand index of every candidate's segments with the chosen ones."""
    def ari(first: np.ndarray, second: np.ndarray) -> float:
        table = np.bincount(first.astype(np.int64) * n_clusters + second, weights=weight,
                            minlength=n_clusters * n_clusters)
        return adjusted_rand_index_from_table(table.reshape(n_clusters, n_clusters))
    return np.array([ari(labels[chosen], other) for other in labels])


def _reason(chosen: int, scores: np.ndarray, agreement: np.ndarray,
            candidates: np.ndarray, lambdaest: float, huang: float, centre: float) -> str:
    """The pick in words: its score, the runner-up and the margin, the classic rules'
    scores, and a classic rule whose segments differ from the chosen ones."""
    best = float(np.min(scores))
    tied = np.flatnonzero(scores <= best * (1.0 + SCORE_TIE))
    classic = {name: int(np.flatnonzero(np.isclose(candidates, value, rtol=1e-12,
                                                   atol=0.0))[0])
               for name, value in (("lambdaest", lambdaest), ("Huang's rule", huang))}
    scored = ", ".join(
        f"{name} ({candidates[at]:.3g}) scored "
        + (f"{scores[at]:.4g}" if np.isfinite(scores[at]) else "not eligible")
        for name, at in classic.items())
    if tied.size > 1:
        why = (f"{tied.size} candidates scored within {SCORE_TIE:.0%} of the best "
               f"({best:.4g}), a difference the sampled fits cannot resolve; chose the one "
               f"nearest the geometric mean of the classic rules ({centre:.3g}): gamma "
               f"{candidates[chosen]:.3g} scored {scores[chosen]:.4g}")
    else:
        others = np.where(np.arange(scores.size) == chosen, np.inf, scores)
        runner_up = int(np.argmin(others))
        why = (f"the only eligible candidate: gamma {candidates[chosen]:.3g} scored {best:.4g}"
               if not np.isfinite(others[runner_up]) else
               f"lowest score: gamma {candidates[chosen]:.3g} scored {best:.4g}, the "
               f"runner-up gamma {candidates[runner_up]:.3g} {others[runner_up]:.4g} "
               f"({others[runner_up] / best - 1.0:.1%} worse)")
    options = {"lambdaest": "lambdaest", "Huang's rule": "huang"}
    differing = [f"the segments of {name} differ from the chosen ones (ARI "
                 f"{agreement[at]:.2f}): the data hold another structure, which "
                 f"gamma={options[name]!r} gives"
                 for name, at in classic.items() if agreement[at] < AGREEMENT_FLOOR]
    return "; ".join([why, scored, *differing])


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
