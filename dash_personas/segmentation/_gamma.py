"""Choose gamma, the weight of a categorical mismatch against numeric distance.

Two classic rules look only at the spread of the data: clustMixType's ``lambdaest``
(:func:`estimate_gamma`) and Huang's (:func:`huang_gamma`, kmodes' default). Neither
is right everywhere (on the penguins Huang's rule finds the species far better, on
data whose segments live mostly in the categorical answers ``lambdaest`` does), so
:func:`select_gamma` decides on evidence from the segments themselves: the
k-prototypes cost is, up to constants, the classification likelihood of a
probability model (Gaussian numerics around the segment means, categorical answers
on the segment's mode with a per-column probability), and the candidate whose
segments that model explains best wins.
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
#: Log-likelihoods (per unit of weight) within this many nats of the best count
#: as ties (see ``_tie_break``): a few thousandths per row is what one sampled
#: restart more or less changes.
SCORE_TIE = 0.005
#: A classic rule whose segments agree less than this (ARI) with the chosen ones is
#: named in the reason: the data hold a second structure that rule would find.
AGREEMENT_FLOOR = 0.8

RULE = ("classification likelihood: the gamma whose segments are most likely under the "
        "model the k-prototypes cost stands for (numerics Gaussian around the segment "
        "means with one variance, each categorical column on the segment's mode with "
        "its own probability; Celeux & Govaert), among {n} candidates from {low:.3g} to "
        "{high:.3g} that include lambdaest ({lambdaest:.3g}) and Huang's rule "
        "({huang:.3g})")


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
        The classification log-likelihood of each candidate's segments per unit
        of weight (higher is better; see :func:`select_gamma`); ``-inf`` for a
        candidate that is not eligible.
    numeric_ratio, categorical_ratio : ndarray
        Within-segment over between-segment distortion of the numeric and of the
        categorical features (0 when the segments reproduce that kind's values,
        ``inf`` when they explain none of it); their product is Modha & Spangler's
        criterion, which ``"auto"`` used before (it prefers segments that are
        good on both kinds at once, and so finds island x sex on the penguins).
    eligible : ndarray of bool
        Whether the candidate could be chosen: some distortion left inside the
        segments on both kinds of feature (both ratios positive). A ratio of 0
        means the segments only copy level combinations (or one numeric split),
        which the likelihood would reward without limit.
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
        Why this candidate was chosen: its log-likelihood, the runner-up and the
        margin (or the near-tie it broke), the classic rules' scores, and a classic rule
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
        """One row per candidate: gamma, which classic rule it is, its
        log-likelihood (the score), the distortion ratios, eligibility, agreement
        with the chosen segments and the choice."""
        classic = np.full(self.candidates.size, "", dtype=object)
        classic[np.isclose(self.candidates, self.huang, rtol=1e-12)] = "huang"
        classic[np.isclose(self.candidates, self.lambdaest, rtol=1e-12)] = "lambdaest"
        return pd.DataFrame({
            "gamma": self.candidates, "classic_rule": classic,
            "log_likelihood": self.scores, "numeric_ratio": self.numeric_ratio,
            "categorical_ratio": self.categorical_ratio,
            "eligible": self.eligible, "agreement": self.agreement,
            "numeric_share": self.numeric_share,
            "chosen": self.candidates == self.gamma,
        })


def select_gamma(data: EncodedData, encoder: Any, n_clusters: int,
                 pool: SeedingPool | None = None, rng: np.random.Generator | None = None
                 ) -> GammaSelection:
    """Choose gamma by the classification likelihood of each candidate's segments.

    The candidates are both classic values and a geometric grid around them (see
    :attr:`GammaSelection.candidates`). For each candidate gamma the data is
    segmented (on up to
    :data:`SELECTION_ROWS` rows drawn by weight, :data:`SELECTION_RESTARTS`
    k-prototypes++ restarts plus a warm start from the previous candidate), and the
    segments are scored by how likely they make the rows under the probability
    model whose classification likelihood the k-prototypes cost is: within a
    segment, the (encoded) numerics are Gaussian around the segment means with one
    variance ``s2`` (the k-means model), and categorical column ``j`` takes the
    segment's mode with probability ``1 - e_j`` and each of its other ``L_j - 1``
    levels with ``e_j / (L_j - 1)`` (Celeux & Govaert's latent class model
    ``[e_j]``; with one ``e`` for all columns its classification likelihood is the
    k-modes cost). With ``s2``
    and ``e_j`` at their maximum-likelihood values (the segments' mean squared
    numeric distance and column ``j``'s mismatch rate), the log-likelihood per
    unit of weight is, up to a constant,

    ``-n_num / 2 log(s2) + sum_j w_j [(1 - e_j) log(1 - e_j) + e_j log(e_j / (L_j - 1))]``

    (``n_num`` observed numeric values per row, ``w_j`` the column weights). Its
    maximiser over the candidates is the gamma the data support: a mismatch
    costs ``2 s2 log((1 - e_j)(L_j - 1) / e_j)`` in that model, so tight numeric
    segments make categorical mismatches cheap and pure categorical segments make
    them dear, which is the trade-off gamma stands for; unlike Modha & Spangler's
    product of within/between ratios (what ``"auto"`` used before, as in the
    kamila package's ``gmsClust``) it does not ask the segments to be good on both
    kinds at once. Candidates whose segments leave no distortion in one kind (they
    copy level combinations) are not eligible: the likelihood would reward them
    without limit.

    Near-ties (within :data:`SCORE_TIE` nats) go to the candidate nearest the
    geometric mean of the two classic values. The report names a classic rule whose
    segments agree with the chosen ones at an ARI below :data:`AGREEMENT_FLOOR`:
    the data then hold a second structure, which that rule gives.

    Measured on labelled data (``benchmarks/bench_gamma.py``, README "Choosing
    gamma"), and against Modha & Spangler, stability and agreement rules
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
    log_likelihood = np.empty(candidates.size)
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
        log_likelihood[i] = _log_likelihood(prepared, best.prototypes, best.labels, encoder)
    eligible = (numeric_ratio > 0) & (categorical_ratio > 0)
    scores = np.where(eligible, log_likelihood, -np.inf)
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
                              reason="no candidate was eligible (the segments of every "
                                     "one leave no distortion in one kind of feature: "
                                     "they copy its values), so lambdaest was used")
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
    """The pick in words: its log-likelihood, the runner-up and the margin, the
    classic rules' scores, and a classic rule whose segments differ from the chosen
    ones."""
    best = float(np.max(scores))
    tied = np.flatnonzero(scores >= best - SCORE_TIE)
    classic = {name: int(np.flatnonzero(np.isclose(candidates, value, rtol=1e-12,
                                                   atol=0.0))[0])
               for name, value in (("lambdaest", lambdaest), ("Huang's rule", huang))}
    scored = ", ".join(
        f"{name} ({candidates[at]:.3g}) scored "
        + (f"{scores[at]:.4f}" if np.isfinite(scores[at]) else "not eligible")
        for name, at in classic.items())
    if tied.size > 1:
        why = (f"{tied.size} candidates' log-likelihoods were within {SCORE_TIE:g} of the "
               f"best ({best:.4f} per row), a difference the sampled fits cannot resolve; "
               f"chose the one nearest the geometric mean of the classic rules "
               f"({centre:.3g}): gamma {candidates[chosen]:.3g} scored {scores[chosen]:.4f}")
    else:
        others = np.where(np.arange(scores.size) == chosen, -np.inf, scores)
        runner_up = int(np.argmax(others))
        why = (f"the only eligible candidate: gamma {candidates[chosen]:.3g} scored {best:.4f}"
               if not np.isfinite(others[runner_up]) else
               f"highest log-likelihood: gamma {candidates[chosen]:.3g} scored {best:.4f} "
               f"per row, the runner-up gamma {candidates[runner_up]:.3g} "
               f"{others[runner_up]:.4f} ({best - others[runner_up]:.3f} lower)")
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
    """The candidate nearest ``centre`` (in log) among those within SCORE_TIE of the
    best (highest) score.

    One restart on a sample per candidate makes scores a few thousandths apart
    noise; neighbouring candidates often find the very same segments (equal scores).
    """
    best = float(np.max(scores))
    tied = np.flatnonzero(scores >= best - SCORE_TIE)
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


def _log_likelihood(prepared: PreparedData, prototypes: Prototypes,
                                  labels: np.ndarray, encoder: Any) -> float:
    """Classification log-likelihood per unit of weight of segments, up to a constant.

    The model is the one the k-prototypes cost stands for (see
    :func:`select_gamma`): in each segment the encoded numerics are Gaussian around
    the prototype with one variance ``s2``, and categorical column ``j`` takes the
    prototype's level with probability ``1 - e_j`` and each other level with
    ``e_j / (L_j - 1)``. ``s2`` and ``e_j`` are at their maximum-likelihood values
    given the segments; missing values count for neither. Returns ``inf`` when the
    segments leave no numeric distortion at all.

    Parameters
    ----------
    prepared : PreparedData
        The rows (with their sample weights) as the distance sees them.
    prototypes : Prototypes
        The segment prototypes (means and modes) the rows were assigned to.
    labels : ndarray of int
        The segment of each row.
    encoder : MixedEncoder
        The fitted encoder (levels per column and categorical weights).

    Returns
    -------
    float
    """
    data = prepared.data
    weight = data.sample_weight
    squared = (data.numeric - prototypes.numeric[labels]) ** 2
    observed = (np.ones(data.numeric.shape, dtype=bool) if data.numeric_mask is None
                else data.numeric_mask)
    total = float(weight.sum())
    numeric_values = float(weight @ observed.sum(axis=1))
    spread = float(weight @ np.where(observed, squared, 0.0).sum(axis=1))
    numeric = 0.0
    if numeric_values > 0:
        if spread <= 0:
            return np.inf
        numeric = -0.5 * numeric_values * np.log(spread / numeric_values)
    codes = data.categorical
    present = codes >= 0
    answered = weight @ present
    mismatched = weight @ ((codes != prototypes.categorical[labels]) & present)
    rate = np.divide(mismatched, answered, out=np.zeros_like(mismatched),
                     where=answered > 0)
    others = np.maximum(np.asarray(encoder.n_levels, dtype=np.float64) - 1.0, 1.0)
    per_answer = (_xlogy(1.0 - rate, 1.0 - rate)
                  + _xlogy(rate, np.divide(rate, others)))
    categorical = float(np.sum(encoder.categorical_weights_ * answered * per_answer))
    return (numeric + categorical) / total


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x log y`` with ``0 log 0 = 0``."""
    return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)
