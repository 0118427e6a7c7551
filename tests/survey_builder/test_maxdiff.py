"""MaxDiff: the design, the choice model, counts and the empirical-Bayes utilities."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import spearmanr

from survey_builder.maxdiff import (
    MaxDiffDesign,
    _log_posterior_terms,
    _Scatter,
    maxdiff_counts,
    maxdiff_design,
    maxdiff_utilities,
    simulate_best_worst,
)


# ---------------------------------------------------------------------------- design
@pytest.mark.parametrize(("items", "per_set", "sets"), [
    (12, 4, 9), (10, 4, 5), (16, 4, 12), (20, 5, 16), (6, 5, 3), (11, 3, 7), (8, 2, 9),
    (5, 5, 2),
])
def test_design_shows_every_item_equally_often_when_it_can_else_within_one(
        items: int, per_set: int, sets: int) -> None:
    design = maxdiff_design(items, per_set, sets, seed=3)
    assert design.sets.shape == (sets, per_set)
    assert all(len(set(row)) == per_set for row in design.sets.tolist())
    shown = design.appearances()
    assert shown.sum() == sets * per_set
    stats = design.statistics()
    assert shown.max() - shown.min() <= 1
    assert stats["appearances"]["equal"] == ((sets * per_set) % items == 0)
    assert stats["equal_possible"] == ((sets * per_set) % items == 0)


@pytest.mark.parametrize(("items", "per_set", "sets"), [(7, 3, 7), (9, 3, 12), (13, 4, 13)])
def test_design_finds_the_balanced_incomplete_block_designs_that_exist(
        items: int, per_set: int, sets: int) -> None:
    # the Fano plane, the affine plane of order 3, the projective plane of order 3: every
    # pair of items shown together exactly once
    stats = maxdiff_design(items, per_set, sets).statistics()
    assert stats["pairs"] == {"min": 1, "max": 1, "mean": 1.0, "sd": 0.0, "even": True}


def test_design_pairs_are_more_even_than_a_random_design_with_equal_showings() -> None:
    rng = np.random.default_rng(0)
    random_sd = []
    for _ in range(20):  # random designs: 3 shuffled passes of 12 items cut into sets of 4
        rows = np.concatenate([rng.permutation(12) for _ in range(3)]).reshape(9, 4)
        if all(len(set(r)) == 4 for r in rows.tolist()):
            random_sd.append(MaxDiffDesign(rows, 12).statistics()["pairs"]["sd"])
    stats = maxdiff_design(12, 4, 9).statistics()
    assert stats["pairs"]["even"]  # 0 or 1 time together, the best 9 sets of 4 allow
    assert stats["pairs"]["sd"] < min(random_sd)


def test_design_is_seeded() -> None:
    a, b = maxdiff_design(12, 4, 9, seed=1), maxdiff_design(12, 4, 9, seed=1)
    assert np.array_equal(a.sets, b.sets)
    assert not np.array_equal(a.sets, maxdiff_design(12, 4, 9, seed=2).sets)
    # no item always comes first in its sets
    first = maxdiff_design(12, 4, 12, seed=1).sets[:, 0]
    assert len(set(first.tolist())) > 4


@pytest.mark.parametrize(("items", "per_set", "sets"), [(1, 2, 1), (5, 6, 2), (5, 1, 2),
                                                         (5, 3, 0)])
def test_impossible_designs_are_refused(items: int, per_set: int, sets: int) -> None:
    with pytest.raises(ValueError, match="no MaxDiff design"):
        maxdiff_design(items, per_set, sets)


# ---------------------------------------------------------------------------- counts
def test_counts_are_best_minus_worst_over_times_shown() -> None:
    design = MaxDiffDesign(np.array([[0, 1, 2], [0, 1, 3], [1, 2, 3]]), 5)
    best = np.array([[0, 0, 1], [1, -1, 3]])
    worst = np.array([[2, 1, 3], [0, -1, 2]])
    counts = maxdiff_counts(design, best, worst)
    # respondent 1: item 0 best twice of 2; item 1 best once, worst once of 3; item 2
    # worst once of 2; item 3 worst once of 2; item 4 never shown
    assert counts[0, :4].tolist() == [1.0, 0.0, -0.5, -0.5]
    # respondent 2 skipped set 2: item 0 shown once (worst), item 1 twice (best once),
    # item 2 twice (worst once), item 3 once (best)
    assert counts[1, :4].tolist() == [-1.0, 0.5, -0.5, 1.0]
    assert np.isnan(counts[:, 4]).all()


def test_counts_ignore_picks_outside_the_set_and_best_equal_to_worst() -> None:
    design = MaxDiffDesign(np.array([[0, 1, 2], [0, 1, 3]]), 4)
    counts = maxdiff_counts(design, np.array([[3, 0]]), np.array([[1, 0]]))
    assert np.isnan(counts).all()  # set 1: 3 is not in it; set 2: best = worst


# ---------------------------------------------------------------------------- choice model
def _sequential_probability(u: np.ndarray, best: int, worst: int) -> float:
    p_best = np.exp(u[best]) / np.exp(u).sum()
    rest = [k for k in range(len(u)) if k != best]
    return float(p_best * np.exp(-u[worst]) / np.exp(-u[rest]).sum())


def test_simulated_picks_follow_the_sequential_best_worst_logit() -> None:
    design = MaxDiffDesign(np.array([[0, 1, 2]]), 3)
    u = np.array([1.0, 0.0, -0.5])
    n = 40_000
    best, worst = simulate_best_worst(design, np.tile(u, (n, 1)), np.random.default_rng(5))
    assert (best != worst).all()
    for b, w in itertools.permutations(range(3), 2):
        expected = _sequential_probability(u, b, w)
        observed = float(np.mean((best[:, 0] == b) & (worst[:, 0] == w)))
        assert abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / n)


def test_log_likelihood_gradient_and_hessian_match_finite_differences() -> None:
    rng = np.random.default_rng(2)
    design = maxdiff_design(6, 3, 6, seed=0)
    n, k, m = 3, 6, 3
    u = rng.standard_normal((n, k))
    best, worst = simulate_best_worst(design, u, rng)
    positions = (design.sets[None] == best[:, :, None]).argmax(2)
    worst_positions = (design.sets[None] == worst[:, :, None]).argmax(2)
    b_onehot = positions[:, :, None] == np.arange(m)
    w_onehot = worst_positions[:, :, None] == np.arange(m)
    answered = np.ones(best.shape, dtype=bool)
    answered[0, 2] = False
    scatter = _Scatter.of(design.sets.ravel(), k)
    pairs = _Scatter.of((design.sets[:, :, None] * k + design.sets[:, None, :]).ravel(), k * k)

    def terms(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _log_posterior_terms(values[:, design.sets], b_onehot, w_onehot, answered,
                                    scatter, pairs)

    loglik, gradient, hessian = terms(u)
    # the log-likelihood itself, from the closed form
    expected = [sum(np.log(_sequential_probability(u[r, design.sets[s]], positions[r, s],
                                                   worst_positions[r, s]))
                    for s in range(design.n_sets) if answered[r, s]) for r in range(n)]
    assert np.allclose(loglik, expected)
    step = 1e-6
    for j in range(k):
        shift = np.zeros(k)
        shift[j] = step
        up, down = terms(u + shift), terms(u - shift)
        assert np.allclose((up[0] - down[0]) / (2 * step), gradient[:, j], atol=1e-6)
        assert np.allclose((up[1] - down[1]) / (2 * step), hessian[:, :, j], atol=1e-5)


# ---------------------------------------------------------------------------- estimation
def _planted(n: int, seed: int) -> tuple[MaxDiffDesign, np.ndarray, np.ndarray, np.ndarray,
                                         np.ndarray]:
    """Four personas with their own item utilities (spread 1.5) plus individual noise
    (0.5), 12 items in 9 sets of 4: the settings of ``survey-builder simulate``."""
    rng = np.random.default_rng(seed)
    design = maxdiff_design(12, 4, 9, seed=seed)
    personas = rng.integers(0, 4, n)
    utilities = (1.5 * rng.standard_normal((4, 12)))[personas] + 0.5 * rng.standard_normal(
        (n, 12))
    best, worst = simulate_best_worst(design, utilities, rng)
    return design, utilities, personas, best, worst


def _mean_spearman(truth: np.ndarray, estimate: np.ndarray) -> float:
    return float(np.mean([spearmanr(t, e).statistic for t, e in zip(truth, estimate)]))


def test_empirical_bayes_utilities_recover_the_planted_order() -> None:
    design, utilities, _, best, worst = _planted(500, seed=11)
    fit = maxdiff_utilities(design, best, worst)
    assert fit.iterations <= 20
    assert np.allclose(fit.utilities.mean(axis=1), 0)
    rho = _mean_spearman(utilities, fit.utilities)
    # measured 0.77-0.81 over seeds (README); counts give 0.76-0.80 on the same answers
    assert rho > 0.7
    assert rho > _mean_spearman(utilities, maxdiff_counts(design, best, worst)) - 0.01
    # the population mean is the planted mean order
    assert spearmanr(fit.mean, utilities.mean(axis=0)).statistic > 0.9


def test_shrinkage_pulls_a_thin_respondent_to_the_population_mean() -> None:
    design, _, _, best, worst = _planted(300, seed=4)
    few_best, few_worst = best.copy(), worst.copy()
    few_best[0, 2:] = few_worst[0, 2:] = -1  # respondent 1 answered 2 of 9 sets
    fit = maxdiff_utilities(design, few_best, few_worst, max_iter=10)
    full = maxdiff_utilities(design, best, worst, max_iter=10)
    gap = np.abs(fit.utilities[0] - fit.mean).sum()
    assert gap < np.abs(full.utilities[0] - full.mean).sum()
    # a respondent with no answer has no estimate
    none_best, none_worst = best.copy(), worst.copy()
    none_best[1], none_worst[1] = -1, -1
    assert np.isnan(maxdiff_utilities(design, none_best, none_worst,
                                      max_iter=2).utilities[1]).all()
