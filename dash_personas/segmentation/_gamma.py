"""Choose gamma, the weight of a categorical mismatch against numeric distance.

Two classic rules look only at the spread of the data: clustMixType's ``lambdaest``
(:func:`estimate_gamma`) and Huang's (:func:`huang_gamma`, kmodes' default). Neither
is right everywhere (on the penguins Huang's rule finds the species far better, on
data whose segments live mostly in the categorical answers ``lambdaest`` does), so
:func:`select_gamma` decides on evidence from the segments themselves: the
k-prototypes cost is, up to constants, the classification likelihood of a
probability model (Gaussian numerics around the segment means, categorical answers
on the segment's mode with a per-column probability). Each candidate's segments are
scored by that likelihood on rows they were not fitted on (cross-validation), and a
candidate replaces ``lambdaest`` (clustMixType's default, the anchor) only when its
held-out gain is significant (a paired test of the per-row differences, after
Vuong 1989).
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
#: Folds of the cross-validated likelihood: each candidate's prototypes and model
#: parameters are recomputed from its segments on the other folds and the held-out
#: fold is scored with them.
CV_FOLDS = 10
#: A candidate replaces lambdaest only when its held-out log-likelihood per row is
#: higher by more than this many standard errors (paired over the rows; 1.96 is the
#: two-sided 5 % level of Vuong's test).
EVIDENCE_Z = 1.96
#: Per-row log-likelihood differences up to this many nats are rounding, not evidence.
ROUNDING = 1e-9
#: Prior answers (spread evenly over a column's levels, each weighing as much as the
#: average row) added to each column's mismatch count when its rate is estimated on
#: the fitting folds, so that a held-out answer off a segment's mode never has
#: probability 0.
RATE_PRIOR = 0.5
#: A classic rule whose segments agree less than this (ARI) with the chosen ones is
#: named in the reason: the data hold a second structure that rule would find.
AGREEMENT_FLOOR = 0.8
_TINY = np.finfo(np.float64).tiny

RULE = ("cross-validated classification likelihood with lambdaest as the anchor: the "
        "segments of {n} candidates from {low:.3g} to {high:.3g} (lambdaest {lambdaest:.3g}, "
        "Huang's rule {huang:.3g} and a grid spanning them) are scored by how likely they "
        "make held-out rows ({folds} folds) under the model the k-prototypes cost stands "
        "for (numerics Gaussian around the segment means with one variance, each "
        "categorical column on the segment's mode with its own probability; Celeux & "
        "Govaert); the best replaces lambdaest only when its gain per row is more than "
        "{z:g} standard errors (Vuong's paired test)")


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
        The criterion: the cross-validated (held-out) classification
        log-likelihood of each candidate's segments per unit of weight (higher is
        better; see :func:`select_gamma`); ``-inf`` for a candidate that is not
        eligible.
    log_likelihood : ndarray
        The same log-likelihood on the rows the segments were fitted on (in
        sample), for comparison: it rewards segments that fit their own rows.
    evidence : ndarray
        Each candidate's held-out gain over lambdaest in standard errors (the
        paired z of Vuong's test over the rows; 0 for lambdaest itself). A
        candidate replaces lambdaest only above :data:`EVIDENCE_Z`.
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
        Why this candidate was chosen: the best held-out candidate, its gain over
        lambdaest and whether that gain is significant (if not, lambdaest was kept
        for lack of evidence), Huang's rule's score, and a classic rule whose
        segments differ from the chosen ones (agreement below
        ``AGREEMENT_FLOOR``), with the option that gives them; or why no search
        was needed.
    """

    gamma: float
    candidates: np.ndarray
    scores: np.ndarray
    log_likelihood: np.ndarray
    evidence: np.ndarray
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
        """One row per candidate: gamma, which classic rule it is, its held-out
        log-likelihood (the score), the in-sample one, the evidence against
        lambdaest, the distortion ratios, eligibility, agreement with the chosen
        segments and the choice."""
        classic = np.full(self.candidates.size, "", dtype=object)
        classic[np.isclose(self.candidates, self.huang, rtol=1e-12)] = "huang"
        classic[np.isclose(self.candidates, self.lambdaest, rtol=1e-12)] = "lambdaest"
        return pd.DataFrame({
            "gamma": self.candidates, "classic_rule": classic,
            "held_out_log_likelihood": self.scores,
            "in_sample_log_likelihood": self.log_likelihood,
            "evidence_z": self.evidence, "numeric_ratio": self.numeric_ratio,
            "categorical_ratio": self.categorical_ratio,
            "eligible": self.eligible, "agreement": self.agreement,
            "numeric_share": self.numeric_share,
            "chosen": self.candidates == self.gamma,
        })


def select_gamma(data: EncodedData, encoder: Any, n_clusters: int,
                 pool: SeedingPool | None = None, rng: np.random.Generator | None = None
                 ) -> GammaSelection:
    """Choose gamma by the cross-validated classification likelihood of each
    candidate's segments, keeping lambdaest unless another candidate is
    significantly better.

    The candidates are both classic values and a geometric grid around them (see
    :attr:`GammaSelection.candidates`). For each candidate gamma the data is
    segmented (on up to :data:`SELECTION_ROWS` rows drawn by weight,
    :data:`SELECTION_RESTARTS` k-prototypes++ restarts plus a warm start from the
    previous candidate), and the segments are scored by how likely they make the
    rows under the probability model whose classification likelihood the
    k-prototypes cost is: within a segment, the (encoded) numerics are Gaussian
    around the segment means with one variance ``s2`` (the k-means model), and
    categorical column ``j`` takes the segment's mode with probability ``1 - e_j``
    and each of its other ``L_j - 1`` levels with ``e_j / (L_j - 1)`` (Celeux &
    Govaert's latent class model ``[e_j]``; with one ``e`` for all columns its
    classification likelihood is the k-modes cost). A row's log-likelihood is

    ``-n_i / 2 log(s2) - d_i / (2 s2) + sum_j w_j [log(1 - e_j) if it matches the
    mode, else log(e_j / (L_j - 1))]``

    (``n_i`` its observed numerics, ``d_i`` their squared distance to the
    prototype, ``w_j`` the column weights; missing values count for neither). A
    mismatch costs ``2 s2 log((1 - e_j)(L_j - 1) / e_j)`` in that model, so tight
    numeric segments make categorical mismatches cheap and pure categorical
    segments make them dear, which is the trade-off gamma stands for.

    In sample, that likelihood rewards segments that fit their own rows (on small
    data a gamma can win by a few rows, and segments that nearly copy a column with
    few levels drive its ``e_j`` towards 0). So it is cross-validated: the rows are
    split into :data:`CV_FOLDS` folds; on every fold's complement each candidate's
    prototypes (its segments' means and modes there), ``s2`` and ``e_j`` are
    recomputed (``e_j`` with :data:`RATE_PRIOR` prior answers), and the held-out
    rows are assigned to the nearest of those prototypes at that gamma and scored. The candidate
    with the highest held-out log-likelihood per row replaces ``lambdaest`` (the
    anchor: clustMixType's default) only when its gain is significant: the mean
    per-row difference over its standard error (Vuong's 1989 test for non-nested
    models, which have the same number of parameters here; the effective number of
    rows is Kish's for weighted rows) exceeds :data:`EVIDENCE_Z`. Otherwise
    lambdaest is kept for lack of evidence. Candidates whose segments leave no
    distortion in one kind (they copy level combinations) are not eligible.

    The report names a classic rule whose segments agree with the chosen ones at an
    ARI below :data:`AGREEMENT_FLOOR`: the data then hold a second structure, which
    that rule gives.

    Measured on labelled data (``benchmarks/bench_gamma.py``, README "Choosing
    gamma"), and against the in-sample likelihood, Modha & Spangler, stability
    and agreement rules (``benchmarks/bench_gamma_rules.py``).

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
        Randomness of the row draw, the candidate fits and the folds. By default
        it is seeded from the content of the data, so the chosen gamma depends on
        the data and ``n_clusters`` only (not on the row order, the model's
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
                              empty, empty, np.zeros(0, dtype=bool), empty, empty,
                              lambdaest, huang, data.n_samples, reason, reason)
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
    labels, laid_out, fitted = [], [], []
    warm: Prototypes | None = None
    for i, gamma in enumerate(candidates):
        distance = KPrototypesDistance.from_encoder(encoder, float(gamma))
        prepared = distance.prepare(sample)
        starts = [init_kprototypes_pp(prepared, n_clusters, rng, sample_pool)
                  for _ in range(SELECTION_RESTARTS)]
        if warm is not None:
            starts.append(warm)
        runs = [lloyd(prepared, start, SELECTION_MAX_ITER, 0.0, False, 0, 1)
                for start in starts]
        best = min(runs, key=lambda run: run.cost)
        warm = best.prototypes
        labels.append(best.labels)
        laid_out.append(prepared)
        fitted.append(best.prototypes)
        within = _within_distortion(prepared, best.prototypes, best.labels,
                                    encoder.categorical_weights_)
        numeric_ratio[i], categorical_ratio[i] = (
            _ratio(within[0], totals[0]), _ratio(within[1], totals[1]))
        spent = within[0] + gamma * within[1]
        numeric_share[i] = within[0] / spent if spent > 0 else np.nan
        log_likelihood[i] = _log_likelihood(prepared, best.prototypes, best.labels, encoder)
    eligible = (numeric_ratio > 0) & (categorical_ratio > 0)
    rule = RULE.format(n=candidates.size, low=candidates[0], high=candidates[-1],
                       lambdaest=lambdaest, huang=huang, folds=CV_FOLDS, z=EVIDENCE_Z)
    anchor = _index_of(candidates, lambdaest)
    report = dict(candidates=candidates, log_likelihood=log_likelihood,
                  numeric_ratio=numeric_ratio, categorical_ratio=categorical_ratio,
                  eligible=eligible, numeric_share=numeric_share, lambdaest=lambdaest,
                  huang=huang, n_rows=sample.n_samples, rule=rule)
    if not eligible.any():
        empty_scores = np.full(candidates.size, -np.inf)
        return GammaSelection(gamma=float(candidates[anchor]), **report, scores=empty_scores,
                              evidence=np.zeros(candidates.size),
                              agreement=_agreement(labels, anchor, n_clusters,
                                                   sample.sample_weight),
                              reason="no candidate was eligible (the segments of every "
                                     "one leave no distortion in one kind of feature: "
                                     "they copy its values), so lambdaest was used")
    held_out = _cross_validated_log_likelihood(sample, encoder, laid_out, fitted, labels,
                                               rng)
    weight = sample.sample_weight
    scores = np.where(eligible, held_out @ weight / weight.sum(), -np.inf)
    evidence = np.array([_paired_z(rows - held_out[anchor], weight) for rows in held_out])
    best = int(np.argmax(scores))
    significant = evidence[best] > EVIDENCE_Z or not eligible[anchor]
    chosen = best if significant else anchor
    agreement = _agreement(labels, chosen, n_clusters, weight)
    return GammaSelection(gamma=float(candidates[chosen]), **report, scores=scores,
                          evidence=evidence, agreement=agreement,
                          reason=_reason(chosen, best, scores, evidence, agreement,
                                         candidates, lambdaest, huang))


def _candidate_grid(lambdaest: float, huang: float) -> np.ndarray:
    """Both classic values and :data:`N_GRID` geometric steps from ``min / GRID_MARGIN``
    to ``max x GRID_MARGIN`` of them (the middle one is their geometric mean), in
    increasing order; values equal to 12 digits count once."""
    low, high = min(lambdaest, huang) / GRID_MARGIN, max(lambdaest, huang) * GRID_MARGIN
    values = np.sort(np.r_[np.geomspace(low, high, N_GRID), lambdaest, huang])
    distinct = np.r_[True, ~np.isclose(values[1:], values[:-1], rtol=1e-12, atol=0.0)]
    return values[distinct]


def _index_of(candidates: np.ndarray, value: float) -> int:
    """Position of a classic value in the candidate grid."""
    return int(np.flatnonzero(np.isclose(candidates, value, rtol=1e-12, atol=0.0))[0])


def _agreement(labels: list[np.ndarray], chosen: int, n_clusters: int,
               weight: np.ndarray) -> np.ndarray:
    """Weighted adjusted Rand index of every candidate's segments with the chosen ones."""
    def ari(first: np.ndarray, second: np.ndarray) -> float:
        table = np.bincount(first.astype(np.int64) * n_clusters + second, weights=weight,
                            minlength=n_clusters * n_clusters)
        return adjusted_rand_index_from_table(table.reshape(n_clusters, n_clusters))
    return np.array([ari(labels[chosen], other) for other in labels])


def _paired_z(difference: np.ndarray, weight: np.ndarray) -> float:
    """Weighted mean of per-row differences over its standard error (Vuong's
    statistic), with Kish's effective number of rows; 0 when they are all 0 (or
    below :data:`ROUNDING`)."""
    # rounding: two candidates with the same segments differ by ~1e-15 nats a row
    difference = np.where(np.abs(difference) > ROUNDING, difference, 0.0)
    total = float(weight.sum())
    mean = float(weight @ difference) / total
    variance = float(weight @ (difference - mean) ** 2) / total
    if variance <= 0:
        return 0.0 if mean == 0 else float(np.sign(mean) * np.inf)
    effective_rows = total**2 / float(weight @ weight)
    return mean / np.sqrt(variance / effective_rows)


def _reason(chosen: int, best: int, scores: np.ndarray, evidence: np.ndarray,
            agreement: np.ndarray, candidates: np.ndarray, lambdaest: float,
            huang: float) -> str:
    """The pick in words: the best held-out candidate and its evidence against
    lambdaest (and whether lambdaest was kept for lack of it), Huang's rule's score,
    and a classic rule whose segments differ from the chosen ones."""
    anchor, at_huang = _index_of(candidates, lambdaest), _index_of(candidates, huang)

    def score(at: int) -> str:
        return f"{scores[at]:.4f}" if np.isfinite(scores[at]) else "not eligible"

    if not np.isfinite(scores[anchor]):
        why = (f"lambdaest ({lambdaest:.3g}) is not eligible; highest held-out "
               f"log-likelihood: gamma {candidates[chosen]:.3g} scored {score(chosen)} per row")
    elif best == anchor:
        others = np.where(np.arange(scores.size) == anchor, -np.inf, scores)
        runner_up = int(np.argmax(others))
        why = (f"kept lambdaest ({lambdaest:.3g}): no candidate has a higher held-out "
               f"log-likelihood (lambdaest {score(anchor)} per row"
               + (f", the runner-up gamma {candidates[runner_up]:.3g} {score(runner_up)}"
                  if np.isfinite(others[runner_up]) else "") + ")")
    else:
        gain = (f"gamma {candidates[best]:.3g} scored {score(best)} per row, "
                f"{scores[best] - scores[anchor]:.4f} above lambdaest ({lambdaest:.3g}, "
                f"{score(anchor)}) at z = {evidence[best]:.2f}")
        why = (f"highest held-out log-likelihood: {gain}, a significant gain "
               f"(z > {EVIDENCE_Z:g})" if chosen == best else
               f"kept lambdaest ({lambdaest:.3g}) for lack of evidence: the best held-out "
               f"candidate, {gain}, is not significantly better (needs z > {EVIDENCE_Z:g})")
    scored = f"Huang's rule ({huang:.3g}) scored {score(at_huang)}"
    options = {"lambdaest": ("lambdaest", anchor), "Huang's rule": ("huang", at_huang)}
    differing = [f"the segments of {name} differ from the chosen ones (ARI "
                 f"{agreement[at]:.2f}): the data hold another structure, which "
                 f"gamma={option!r} gives"
                 for name, (option, at) in options.items() if agreement[at] < AGREEMENT_FLOOR]
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
    """In-sample classification log-likelihood per unit of weight of segments.

    The model is the one the k-prototypes cost stands for (see
    :func:`select_gamma`), with ``s2`` and ``e_j`` at their maximum-likelihood
    values given the segments. Returns ``inf`` when the segments leave no numeric
    distortion at all.

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
    variance, rates = _model_parameters(data, prototypes, labels, encoder, prior=0.0)
    if variance == 0:
        return np.inf
    rows = _row_log_likelihood(data, prototypes, labels, variance, rates, encoder)
    return float(data.sample_weight @ rows) / float(data.sample_weight.sum())


def _cross_validated_log_likelihood(sample: EncodedData, encoder: Any,
                                    prepared: list[PreparedData],
                                    prototypes: list[Prototypes], labels: list[np.ndarray],
                                    rng: np.random.Generator) -> np.ndarray:
    """Held-out log-likelihood of every row under every candidate's segments.

    The rows are split into :data:`CV_FOLDS` folds; for each fold and candidate
    the segments' prototypes (means and modes), ``s2`` and ``e_j`` (with
    :data:`RATE_PRIOR`) are recomputed from the candidate's segments on the other
    folds (:func:`_leave_fold_out`), and the fold's rows are assigned to the
    nearest of those prototypes at the candidate's gamma and scored: no held-out
    row weighs on the parameters it is scored with.

    Parameters
    ----------
    sample : EncodedData
        The selection rows (with their weights).
    encoder : MixedEncoder
        The fitted encoder.
    prepared : list of PreparedData
        ``sample`` laid out for each candidate's distance.
    prototypes, labels : list
        Each candidate's prototypes and segments on ``sample``.
    rng : numpy Generator
        Draws the folds.

    Returns
    -------
    ndarray of shape (n_candidates, n_rows)
    """
    n_folds = min(CV_FOLDS, sample.n_samples)
    fold = rng.permutation(sample.n_samples) % n_folds
    rows = np.arange(sample.n_samples)
    parts = [sample.take(fold == part) for part in range(n_folds)]
    held_out = np.zeros((len(prepared), sample.n_samples))
    for i, (laid_out, start, segments) in enumerate(zip(prepared, prototypes, labels)):
        refits = _leave_fold_out(sample, start, segments, fold, n_folds, encoder)
        # one pass over the rows against every fold's prototypes; each row keeps its own fold's
        stacked = Prototypes(np.concatenate([refit.numeric for refit, _, _ in refits]),
                             np.concatenate([refit.categorical for refit, _, _ in refits]))
        distance = laid_out.distance.to_prototypes(laid_out, stacked)
        own = distance.reshape(sample.n_samples, n_folds, start.n_clusters)[rows, fold]
        assigned = np.argmin(own, axis=1)
        for part, (refit, variance, rates) in enumerate(refits):
            held_out[i, fold == part] = _row_log_likelihood(
                parts[part], refit, assigned[fold == part],
                variance if not variance < _TINY else _TINY, rates, encoder)
    return held_out


def _leave_fold_out(data: EncodedData, prototypes: Prototypes, labels: np.ndarray,
                    fold: np.ndarray, n_folds: int, encoder: Any
                    ) -> list[tuple[Prototypes, float, np.ndarray]]:
    """For every fold, the segments' means and modes, ``s2`` and the mismatch rates
    ``e_j`` (with :data:`RATE_PRIOR`) on the rows outside it.

    Sums per fold and segment (weighted values, squares, counts and level counts)
    are taken once; the rows outside a fold are the total minus the fold. A
    segment with no row outside the fold keeps its prototype.
    """
    k = prototypes.n_clusters
    weight = data.sample_weight
    observed = (np.ones(data.numeric.shape, dtype=bool) if data.numeric_mask is None
                else data.numeric_mask)
    group = fold * k + labels

    def outside(columns: np.ndarray) -> np.ndarray:
        """Weighted sums of ``columns`` per fold and segment over the rows outside
        each fold: shape (n_folds, k, n_columns)."""
        sums = np.stack([np.bincount(group, weights=weight * column,
                                     minlength=n_folds * k) for column in columns.T],
                        axis=-1).reshape(n_folds, k, columns.shape[1])
        return sums.sum(axis=0, keepdims=True) - sums

    values = np.where(observed, data.numeric, 0.0)
    count = outside(observed.astype(np.float64))
    total = outside(values)
    squares = outside(values**2)
    means = np.where(count > 0, total / np.where(count > 0, count, 1.0), prototypes.numeric)
    spread = (squares - 2 * means * total + count * means**2).sum(axis=(1, 2))
    numeric_values = count.sum(axis=(1, 2))
    variance = np.divide(spread, numeric_values, out=np.full(n_folds, np.nan),
                         where=numeric_values > 0)
    modes = np.repeat(prototypes.categorical[None], n_folds, axis=0)
    mismatched = np.zeros((n_folds, data.categorical.shape[1]))
    answered = np.zeros_like(mismatched)
    for j, n_levels in enumerate(encoder.n_levels):
        codes = data.categorical[:, j]
        present = codes >= 0
        levels = np.bincount(group[present] * n_levels + codes[present],
                             weights=weight[present], minlength=n_folds * k * n_levels
                             ).reshape(n_folds, k, n_levels)
        levels = levels.sum(axis=0, keepdims=True) - levels
        # a segment keeps its mode unless another level is strictly more frequent (so
        # that ties do not depend on how the levels are numbered)
        kept = np.take_along_axis(levels, modes[:, :, j, None].astype(np.int64), axis=2)[..., 0]
        better = levels.max(axis=2) > kept
        modes[:, :, j] = np.where(better, levels.argmax(axis=2), modes[:, :, j])
        answered[:, j] = levels.sum(axis=(1, 2))
        at_mode = np.take_along_axis(levels, modes[:, :, j, None].astype(np.int64), axis=2)
        mismatched[:, j] = answered[:, j] - at_mode.sum(axis=(1, 2))
    n_levels = np.asarray(encoder.n_levels, dtype=np.float64)
    prior = RATE_PRIOR * float(weight.mean())  # in answers of the average row's weight
    rates = (mismatched + prior * (n_levels - 1) / n_levels) / (answered + prior)
    return [(Prototypes(means[part], modes[part].astype(np.int32)), float(variance[part]),
             rates[part]) for part in range(n_folds)]


def _model_parameters(data: EncodedData, prototypes: Prototypes, labels: np.ndarray,
                      encoder: Any, prior: float) -> tuple[float, np.ndarray]:
    """The model's numeric variance ``s2`` and per-column mismatch rates ``e_j``
    given segments: maximum likelihood, plus ``prior`` answers per column spread
    evenly over its levels (so a share ``(L_j - 1) / L_j`` of them mismatch)."""
    weight = data.sample_weight
    squared, observed = _numeric_residuals(data, prototypes, labels)
    numeric_values = float(weight @ observed.sum(axis=1))
    variance = (float(weight @ squared.sum(axis=1)) / numeric_values if numeric_values
                else np.nan)  # no numeric value observed: no numeric part
    present = data.categorical >= 0
    mismatched = weight @ ((data.categorical != prototypes.categorical[labels]) & present)
    levels = np.asarray(encoder.n_levels, dtype=np.float64)
    prior = prior * float(weight.mean())  # in answers of the average row's weight
    answered = weight @ present + prior
    rates = np.divide(mismatched + prior * (levels - 1) / levels, answered,
                      out=np.zeros_like(levels), where=answered > 0)
    return variance, rates


def _row_log_likelihood(data: EncodedData, prototypes: Prototypes, labels: np.ndarray,
                        variance: float, rates: np.ndarray, encoder: Any) -> np.ndarray:
    """Each row's log-likelihood in its segment under the model of
    :func:`select_gamma` (without the constant ``-n_i / 2 log(2 pi)``)."""
    squared, observed = _numeric_residuals(data, prototypes, labels)
    numeric = np.zeros(data.n_samples)
    if variance > 0:  # (False for nan: no numeric value observed)
        numeric = (-0.5 * observed.sum(axis=1) * np.log(variance)
                   - squared.sum(axis=1) / (2.0 * variance))
    present = data.categorical >= 0
    match = (data.categorical == prototypes.categorical[labels]) & present
    others = np.maximum(np.asarray(encoder.n_levels, dtype=np.float64) - 1.0, 1.0)
    # a rate of 0 (or 1) only meets rows that match (or mismatch), where it is not used
    log_match = np.log1p(-np.minimum(rates, np.nextafter(1.0, 0.0)))
    log_mismatch = np.log(np.maximum(rates, _TINY) / others)
    categorical = np.where(match, log_match, np.where(present, log_mismatch, 0.0))
    return numeric + categorical @ encoder.categorical_weights_


def _numeric_residuals(data: EncodedData, prototypes: Prototypes, labels: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Squared numeric distances of every value to its prototype (0 where missing)
    and the mask of observed values."""
    observed = (np.ones(data.numeric.shape, dtype=bool) if data.numeric_mask is None
                else data.numeric_mask)
    squared = np.where(observed, (data.numeric - prototypes.numeric[labels]) ** 2, 0.0)
    return squared, observed
