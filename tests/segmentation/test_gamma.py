"""gamma="auto": cross-validated classification-likelihood selection over a grid spanning
lambdaest and Huang's rule, with lambdaest kept unless another candidate is significantly
better."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from dash_personas import make_mixed_blobs
from dash_personas.segmentation import GammaSelection, KPrototypes, MixedEncoder
from dash_personas.segmentation import _gamma as gamma_module
from dash_personas.segmentation._kernels import KPrototypesDistance, Prototypes


def test_the_selection_reports_its_candidates_scores_and_rule(mixed_frame):
    model = KPrototypes(3, n_init=2, random_state=0).fit(mixed_frame)
    selection = model.gamma_selection_
    assert isinstance(selection, GammaSelection)
    assert model.gamma_ == selection.gamma
    candidates = selection.candidates
    assert candidates.size == gamma_module.N_GRID + 2
    assert np.all(np.diff(candidates) > 0)
    # the grid spans both classic rules and contains them
    assert candidates[0] < min(selection.lambdaest, selection.huang)
    assert candidates[-1] > max(selection.lambdaest, selection.huang)
    lambdaest = KPrototypes(3, gamma="lambdaest", n_init=1).fit(mixed_frame).gamma_
    huang = KPrototypes(3, gamma="huang", n_init=1).fit(mixed_frame).gamma_
    assert selection.lambdaest == pytest.approx(lambdaest)
    assert selection.huang == pytest.approx(huang)
    assert np.isclose(candidates, lambdaest, rtol=1e-12).sum() == 1
    assert np.isclose(candidates, huang, rtol=1e-12).sum() == 1
    assert selection.eligible.all() and np.isfinite(selection.scores).all()
    assert np.all((selection.numeric_share > 0) & (selection.numeric_share < 1))
    # a larger gamma leaves the categorical features a larger part of the cost
    assert selection.numeric_share[0] > selection.numeric_share[-1]
    # the pick is lambdaest, or the best held-out candidate with significant evidence
    chosen = int(np.flatnonzero(candidates == selection.gamma)[0])
    at_lambdaest = np.isclose(candidates, lambdaest, rtol=1e-12)
    assert selection.evidence[at_lambdaest][0] == 0.0
    assert at_lambdaest[chosen] or (
        selection.scores[chosen] == np.max(selection.scores)
        and selection.evidence[chosen] > gamma_module.EVIDENCE_Z)
    assert np.isfinite(selection.log_likelihood).all()
    # the in-sample likelihood flatters the segments: held out they are less likely
    assert np.all(selection.log_likelihood > selection.scores)
    frame = selection.to_frame()
    assert list(frame.columns) == ["gamma", "classic_rule", "held_out_log_likelihood",
                                   "in_sample_log_likelihood", "evidence_z", "numeric_ratio",
                                   "categorical_ratio", "eligible", "agreement",
                                   "numeric_share", "chosen"]
    assert frame["chosen"].sum() == 1
    assert sorted(frame["classic_rule"]) == ["", "", "", "", "", "huang", "lambdaest"]
    assert frame.loc[frame["classic_rule"] == "huang", "gamma"].item() == selection.huang
    assert "likelihood" in selection.rule and "lambdaest" in selection.rule
    assert "held-out" in selection.rule and "Vuong" in selection.rule
    assert f"{selection.gamma:.3g}" in selection.reason and "held-out" in selection.reason
    assert "lambdaest" in selection.reason and "Huang" in selection.reason
    assert selection.n_rows == len(mixed_frame.drop_duplicates())


def test_the_report_is_reproducible_and_agreement_is_one_at_the_pick(mixed_frame):
    first = KPrototypes(3, n_init=1, random_state=0).fit(mixed_frame).gamma_selection_
    second = KPrototypes(3, n_init=2, random_state=5).fit(mixed_frame).gamma_selection_
    pd.testing.assert_frame_equal(first.to_frame(), second.to_frame())
    assert first.reason == second.reason
    assert first.agreement[first.candidates == first.gamma][0] == pytest.approx(1.0)
    assert np.all(first.agreement <= 1.0 + 1e-12)


def test_the_reason_says_whether_the_evidence_beat_lambdaest():
    candidates = np.array([0.2, 0.5, 1.0, 1.5, 4.0])  # huang 0.5, lambdaest 1.5
    scores = np.array([-np.inf, -2.0, -0.9, -1.0, -1.2])
    evidence = np.array([0.0, -3.0, 2.5, 0.0, -1.0])
    agreement = np.array([0.3, 0.5, 1.0, 0.7, 0.95])
    reason = gamma_module._reason(2, 2, scores, evidence, agreement, candidates, 1.5, 0.5)
    assert reason.startswith("highest held-out log-likelihood: gamma 1 scored -0.9000 per "
                             "row, 0.1000 above lambdaest (1.5, -1.0000) at z = 2.50, a "
                             "significant gain (z > 1.96)")
    assert "Huang's rule (0.5) scored -2.0000" in reason
    assert "segments of Huang's rule differ from the chosen ones (ARI 0.50)" in reason
    assert "segments of lambdaest differ from the chosen ones (ARI 0.70)" in reason
    assert "gamma='lambdaest' gives" in reason
    # the same best candidate without enough evidence: lambdaest is kept, and says why
    evidence[2] = 1.2
    agreement = np.array([0.3, 0.5, 0.7, 1.0, 0.95])
    kept = gamma_module._reason(3, 2, scores, evidence, agreement, candidates, 1.5, 0.5)
    assert kept.startswith("kept lambdaest (1.5) for lack of evidence: the best held-out "
                           "candidate, gamma 1 scored -0.9000 per row")
    assert "z = 1.20, is not significantly better (needs z > 1.96)" in kept
    assert "segments of lambdaest" not in kept
    # lambdaest best outright: the runner-up is named
    scores[2] = -1.1
    best = gamma_module._reason(3, 3, scores, evidence, agreement, candidates, 1.5, 0.5)
    assert best.startswith("kept lambdaest (1.5): no candidate has a higher held-out "
                           "log-likelihood (lambdaest -1.0000 per row, the runner-up gamma "
                           "1 -1.1000)")
    scores[1] = -np.inf
    assert "Huang's rule (0.5) scored not eligible" in gamma_module._reason(
        3, 3, scores, evidence, agreement, candidates, 1.5, 0.5)


def test_paired_z_by_hand():
    difference = np.array([1.0, 2.0, 3.0, -1.0])
    weight = np.array([1.0, 1.0, 2.0, 1.0])  # weights count like repeated rows
    repeated = np.array([1.0, 2.0, 3.0, 3.0, -1.0])
    kish = weight.sum() ** 2 / np.sum(weight**2)
    expected = repeated.mean() / np.sqrt(repeated.var() / kish)
    assert gamma_module._paired_z(difference, weight) == pytest.approx(expected)
    # survey weights: the scale of the weights does not matter
    assert gamma_module._paired_z(difference, weight / 7) == pytest.approx(expected)
    assert gamma_module._paired_z(np.zeros(4), weight) == 0.0
    assert gamma_module._paired_z(np.full(4, 0.5), weight) == np.inf


def test_lambdaest_is_kept_unless_the_evidence_clears_the_threshold(mixed_frame,
                                                                    monkeypatch):
    free = KPrototypes(3, n_init=1, random_state=0)
    monkeypatch.setattr(gamma_module, "EVIDENCE_Z", -np.inf)  # any gain will do
    best = free.fit(mixed_frame).gamma_selection_
    assert best.gamma == best.candidates[np.argmax(best.scores)]
    monkeypatch.setattr(gamma_module, "EVIDENCE_Z", np.inf)  # no gain is enough
    kept = free.fit(mixed_frame).gamma_selection_
    assert kept.gamma == kept.lambdaest
    np.testing.assert_array_equal(kept.scores, best.scores)
    if best.gamma != best.lambdaest:
        assert kept.reason.startswith("kept lambdaest (")
        assert "for lack of evidence" in kept.reason and f"{best.gamma:.3g}" in kept.reason
    else:
        assert kept.reason.startswith("kept lambdaest (") and "no candidate" in kept.reason


def test_held_out_rows_are_scored_with_parameters_fitted_without_them():
    # two segments pure in "c" on every fitting fold: a held-out row off its
    # segment's level keeps a finite likelihood through the prior answers
    x = np.r_[np.zeros(20), np.full(20, 5.0)] + np.tile([0.0, 0.1], 20)
    c = np.where(x < 2.5, "a", "b")
    c[0] = "b"
    X = pd.DataFrame({"x": x, "c": c})
    encoder = MixedEncoder(scale=False)
    encoded = encoder.fit_transform(X)
    encoded.sample_weight = np.ones(len(X))
    distance = KPrototypesDistance.from_encoder(encoder, 1.0)
    start = Prototypes(np.array([[0.05], [5.05]]), np.array([[0], [1]], np.int32))
    labels = (x > 2.5).astype(np.int64)
    held_out = gamma_module._cross_validated_log_likelihood(
        encoded, encoder, [distance.prepare(encoded)], [start], [labels],
        np.random.default_rng(0))
    assert held_out.shape == (1, len(X)) and np.isfinite(held_out).all()
    # the odd row is the least likely one, and less likely than in sample
    assert int(np.argmin(held_out[0])) == 0
    variance, rates = gamma_module._model_parameters(encoded, start, labels, encoder, 0.0)
    in_sample = gamma_module._row_log_likelihood(encoded, start, labels, variance, rates,
                                                 encoder)
    assert held_out[0, 0] < in_sample[0]
    assert held_out[0].mean() < in_sample.mean()


def test_the_grid_contains_both_classic_values_once():
    grid = gamma_module._candidate_grid(1.8, 0.5)
    assert grid.size == gamma_module.N_GRID + 2
    assert grid[0] == pytest.approx(0.5 / gamma_module.GRID_MARGIN)
    assert grid[-1] == pytest.approx(1.8 * gamma_module.GRID_MARGIN)
    assert np.sqrt(1.8 * 0.5) == pytest.approx(grid[3])
    assert {0.5, 1.8} <= set(grid)
    same = gamma_module._candidate_grid(1.0, 1.0)  # the rules agree: the centre is theirs
    assert same.size == gamma_module.N_GRID and 1.0 in same


def test_distortion_ratios_by_hand():
    # two segments; numerics on one column, one categorical column
    X = pd.DataFrame({"x": [0.0, 2.0, 10.0, 12.0], "c": ["a", "b", "b", "b"]})
    encoder = MixedEncoder(scale=False)
    encoded = encoder.fit_transform(X)
    encoded.sample_weight = np.array([1.0, 1.0, 2.0, 1.0])
    distance = KPrototypesDistance.from_encoder(encoder, 1.0)
    prepared = distance.prepare(encoded)
    labels = np.array([0, 0, 1, 1])
    prototypes = Prototypes(np.array([[1.0], [32.0 / 3.0]]), np.array([[0], [1]], np.int32))
    within = gamma_module._within_distortion(prepared, prototypes, labels,
                                             encoder.categorical_weights_)
    total = gamma_module._total_distortion(encoded, encoder.categorical_weights_)
    weight = encoded.sample_weight
    mean = np.sum(weight * X["x"]) / weight.sum()
    assert total[0] == pytest.approx(np.sum(weight * (X["x"] - mean) ** 2))
    assert total[1] == pytest.approx(1.0)  # the weighted mode is "b": row 0 mismatches
    assert within[0] == pytest.approx(1 + 1 + 2 * (10 - 32 / 3) ** 2 + (12 - 32 / 3) ** 2)
    assert within[1] == pytest.approx(1.0)  # row 1 ("b") in the "a" segment
    assert gamma_module._ratio(*[within[0], total[0]]) == pytest.approx(
        within[0] / (total[0] - within[0]))
    assert gamma_module._ratio(1.0, 1.0) == np.inf  # segments explain nothing


def test_log_likelihood_by_hand():
    # the rows of test_distortion_ratios_by_hand: 5 units of weight, one numeric value
    # each, one categorical column with 2 levels of which 1 unit mismatches its mode
    X = pd.DataFrame({"x": [0.0, 2.0, 10.0, 12.0], "c": ["a", "b", "b", "b"]})
    encoder = MixedEncoder(scale=False)
    encoded = encoder.fit_transform(X)
    encoded.sample_weight = np.array([1.0, 1.0, 2.0, 1.0])
    prepared = KPrototypesDistance.from_encoder(encoder, 1.0).prepare(encoded)
    labels = np.array([0, 0, 1, 1])
    prototypes = Prototypes(np.array([[1.0], [32.0 / 3.0]]), np.array([[0], [1]], np.int32))
    spread = 1 + 1 + 2 * (10 - 32 / 3) ** 2 + (12 - 32 / 3) ** 2
    numeric = -0.5 * 5 * np.log(spread / 5) - 0.5 * 5  # sum of d_i / (2 s2) = n / 2
    categorical = 5 * (0.8 * np.log(0.8) + 0.2 * np.log(0.2 / 1))
    assert gamma_module._log_likelihood(prepared, prototypes, labels, encoder) == (
        pytest.approx((numeric + categorical) / 5))
    # a categorical weight scales that column's part
    encoder.categorical_weights_ = np.array([3.0])
    assert gamma_module._log_likelihood(prepared, prototypes, labels, encoder) == (
        pytest.approx((numeric + 3 * categorical) / 5))
    # a mismatch spreads over the L - 1 other levels of its column
    X["c"] = ["a", "b", "b", "c"]
    encoder = MixedEncoder(scale=False)
    encoded = encoder.fit_transform(X)
    encoded.sample_weight = np.array([1.0, 1.0, 2.0, 1.0])
    prepared = KPrototypesDistance.from_encoder(encoder, 1.0).prepare(encoded)
    categorical = 5 * (0.6 * np.log(0.6) + 0.4 * np.log(0.4 / 2))
    assert gamma_module._log_likelihood(prepared, prototypes, labels, encoder) == (
        pytest.approx((numeric + categorical) / 5))


@pytest.mark.parametrize("separation, concentration",
                         [(3.0, 0.35), (1.0, 0.8), (2.0, 0.0), (0.0, 0.6)])
def test_auto_finds_the_planted_segments_as_well_as_the_better_classic_rule(
        separation, concentration):
    """Numeric-led and categorical-led planted data, and segments only in the numerics
    or only in the categoricals: each classic rule fails on some (Modha & Spangler's
    criterion, "auto" before, failed on numeric-only segments: it wants segments
    good on both kinds)."""
    X, y = make_mixed_blobs(800, n_clusters=4, separation=separation,
                            concentration=concentration, random_state=2)
    models = {rule: KPrototypes(4, gamma=rule, n_init=4, random_state=0).fit(X)
              for rule in ("auto", "lambdaest", "huang")}
    ari = {rule: adjusted_rand_score(y, model.labels_) for rule, model in models.items()}
    assert ari["auto"] >= max(ari["lambdaest"], ari["huang"]) - 0.03, ari
    selection = models["auto"].gamma_selection_
    at_huang = np.isclose(selection.candidates, selection.huang, rtol=1e-12)
    if ari["huang"] < ari["lambdaest"] - 0.1:  # the categorical-led data
        # the report says that Huang's rule would find other segments
        assert selection.agreement[at_huang][0] < gamma_module.AGREEMENT_FLOOR
        assert "segments of Huang's rule differ" in selection.reason
        assert "gamma='huang'" in selection.reason
    else:
        assert selection.agreement[at_huang][0] >= gamma_module.AGREEMENT_FLOOR
        assert "segments of Huang's rule differ" not in selection.reason


def test_segments_that_only_copy_the_levels_are_not_eligible():
    # k = number of levels: a large gamma makes the segments the two levels exactly
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=200), "y": rng.normal(size=200),
                      "c": rng.choice(["a", "b"], 200)})
    model = KPrototypes(2, n_init=2, random_state=0).fit(X)
    selection = model.gamma_selection_
    assert selection.scores[-1] == -np.inf and not selection.eligible[-1]
    assert selection.categorical_ratio[-1] == 0.0
    assert np.isfinite(selection.scores).any()
    assert np.isfinite(selection.scores[selection.candidates == model.gamma_]).all()


def test_the_chosen_gamma_depends_on_the_data_only(mixed_frame):
    shuffled = mixed_frame.sample(frac=1.0, random_state=4).reset_index(drop=True)
    gammas = [KPrototypes(3, n_init=1, random_state=seed).fit(frame).gamma_
              for seed, frame in ((0, mixed_frame), (1, mixed_frame), (None, shuffled))]
    # (the row order changes the sums behind the grid in the last bit only)
    assert gammas == pytest.approx([gammas[0]] * 3, rel=1e-12)


def test_auto_does_not_change_the_restarts(mixed_frame):
    auto = KPrototypes(3, n_init=3, random_state=7).fit(mixed_frame)
    fixed = KPrototypes(3, gamma=auto.gamma_, n_init=3, random_state=7).fit(mixed_frame)
    np.testing.assert_array_equal(auto.labels_, fixed.labels_)
    assert auto.cost_ == fixed.cost_
    assert fixed.gamma_selection_ is None


def test_large_data_uses_a_weighted_draw_and_weights_mean_repeated_rows(monkeypatch):
    monkeypatch.setattr(gamma_module, "SELECTION_ROWS", 150)
    X, _ = make_mixed_blobs(400, n_clusters=3, random_state=1)
    weights = np.random.default_rng(0).integers(0, 3, len(X))
    repeated = X.loc[X.index.repeat(weights)].sample(frac=1.0, random_state=2)
    weighted = KPrototypes(3, n_init=2, random_state=0).fit(X, sample_weight=weights)
    rep = KPrototypes(3, n_init=2, random_state=0).fit(repeated)
    assert weighted.gamma_selection_.n_rows <= 150
    np.testing.assert_allclose(weighted.gamma_selection_.scores,
                               rep.gamma_selection_.scores, rtol=1e-9)
    assert weighted.gamma_ == pytest.approx(rep.gamma_, rel=1e-12)
    assert weighted.cost_ == pytest.approx(rep.cost_, rel=1e-9)


def test_one_kind_of_feature_or_one_segment_needs_no_search():
    numeric_only = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) ** 2})
    selection = KPrototypes(2, random_state=0).fit(numeric_only).gamma_selection_
    assert selection.gamma == 1.0 and selection.candidates.size == 0
    assert selection.eligible.size == selection.numeric_share.size == 0
    assert "one kind of feature" in selection.rule and "one kind" in selection.reason
    X, _ = make_mixed_blobs(100, random_state=0)
    one = KPrototypes(1, random_state=0).fit(X)
    assert one.gamma_ == pytest.approx(one.gamma_selection_.lambdaest)
    assert "one segment" in one.gamma_selection_.rule


def test_unknown_gamma_rule_is_rejected(mixed_frame):
    with pytest.raises(ValueError, match="gamma"):
        KPrototypes(3, gamma="kmodes").fit(mixed_frame)


def test_no_eligible_candidate_falls_back_to_lambdaest_and_says_so():
    # the numeric and the categorical column tell the same two groups exactly: every
    # gamma reproduces them, so every candidate copies both kinds of feature
    x = np.repeat([0.0, 1.0], 30)
    X = pd.DataFrame({"x": x, "c": np.where(x == 0, "a", "b")})
    model = KPrototypes(2, n_init=1, random_state=0).fit(X)
    selection = model.gamma_selection_
    assert not selection.eligible.any()
    assert model.gamma_ == pytest.approx(selection.lambdaest)
    assert selection.to_frame()["chosen"].sum() == 1
    assert "no candidate was eligible" in selection.reason
    assert np.all(selection.scores == -np.inf)
    np.testing.assert_allclose(selection.agreement, 1.0)
