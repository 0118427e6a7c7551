"""Weighted profiles, effective bases, corrected significance and small-base flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.weightstats import ttest_ind

from dash_personas import stats as shared
from dash_personas.segmentation import profile_segments
from dash_personas.tracking import _stats as tracking_stats


@pytest.fixture
def survey():
    rng = np.random.default_rng(1)
    n = 300
    labels = rng.integers(0, 3, n)
    frame = pd.DataFrame({
        "signal": rng.normal(size=n) + 1.5 * (labels == 0),
        "noise": rng.normal(size=n),
        "colour": np.where((labels == 1) & (rng.random(n) < 0.6), "red",
                           np.array(["red", "green", "blue"])[rng.integers(0, 3, n)]),
        "shape": np.array(["round", "square"])[rng.integers(0, 2, n)],
    })
    frame.loc[::11, "signal"] = np.nan
    frame.loc[::13, "colour"] = None
    weights = rng.integers(1, 5, n).astype(float)
    return frame, labels, weights


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("segment", "feature", "level") if c in table.columns]
    return table.sort_values(keys, key=lambda s: s.astype(str)).reset_index(drop=True)


def test_unit_weights_give_the_unweighted_profiles(survey):
    frame, labels, _ = survey
    plain = profile_segments(frame, labels)
    ones = profile_segments(frame, labels, sample_weight=np.ones(len(frame)))
    pd.testing.assert_frame_equal(plain.numeric, ones.numeric)
    pd.testing.assert_frame_equal(plain.categorical, ones.categorical)
    pd.testing.assert_frame_equal(plain.summary, ones.summary)
    np.testing.assert_array_equal(plain.summary["effective_base"], plain.summary["size"])
    assert not plain.weighted and ones.weighted


def test_integer_weights_match_repeated_rows(survey):
    frame, labels, weights = survey
    weighted = profile_segments(frame, labels, sample_weight=weights)
    repeat = np.repeat(np.arange(len(frame)), weights.astype(int))
    repeated = profile_segments(frame.iloc[repeat].reset_index(drop=True), labels[repeat])
    same_numeric = ["mean", "overall_mean", "std_diff", "effect"]
    np.testing.assert_allclose(_sorted(weighted.numeric)[same_numeric],
                               _sorted(repeated.numeric)[same_numeric], rtol=1e-9, atol=1e-12)
    same_categorical = ["share", "overall_share", "lift", "effect"]
    np.testing.assert_allclose(_sorted(weighted.categorical)[same_categorical],
                               _sorted(repeated.categorical)[same_categorical], rtol=1e-9)
    np.testing.assert_allclose(weighted.summary["share"], repeated.summary["share"])
    np.testing.assert_allclose(weighted.summary["weight"], repeated.summary["size"])
    # survey weights are not frequencies: the effective base is Kish's, not the row count
    inside = labels == 0
    kish = weights[inside].sum() ** 2 / (weights[inside] ** 2).sum()
    assert weighted.summary.loc[0, "effective_base"] == pytest.approx(kish)
    assert weighted.summary.loc[0, "size"] == inside.sum()


def test_weighted_welch_matches_statsmodels_on_effective_bases(survey):
    frame, labels, weights = survey
    numeric = profile_segments(frame, labels, sample_weight=weights).numeric
    values = frame["signal"].to_numpy()
    observed = ~np.isnan(values)
    for segment in range(3):
        inside = (labels == segment) & observed
        rest = (labels != segment) & observed

        def kish_scaled(mask):  # weights summing to the group's effective base
            w = weights[mask]
            return w * w.sum() / (w**2).sum()

        _t, expected, _dof = ttest_ind(values[inside], values[rest], usevar="unequal",
                                       weights=(kish_scaled(inside), kish_scaled(rest)))
        got = numeric[(numeric["segment"] == segment) & (numeric["feature"] == "signal")].iloc[0]
        assert got["p_value"] == pytest.approx(expected, rel=1e-9)
        w = weights[inside]
        mean = np.average(values[inside], weights=w)
        assert got["mean"] == pytest.approx(mean)
        assert got["base"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
        kish = got["base"]
        variance = np.average((values[inside] - mean) ** 2, weights=w) * kish / (kish - 1)
        assert got["std"] == pytest.approx(np.sqrt(variance))


def test_weighted_level_test_matches_statsmodels_on_effective_bases(survey):
    frame, labels, weights = survey
    categorical = profile_segments(frame, labels, sample_weight=weights).categorical
    colour = frame["colour"].to_numpy(dtype=object)
    answered = pd.notna(colour)
    for segment in range(3):
        groups = [(labels == segment) & answered, (labels != segment) & answered]
        bases = [weights[g].sum() ** 2 / (weights[g] ** 2).sum() for g in groups]
        for level in ["red", "green", "blue"]:
            shares = [weights[g & (colour == level)].sum() / weights[g].sum() for g in groups]
            _z, expected = proportions_ztest([s * b for s, b in zip(shares, bases)], bases)
            got = categorical[(categorical["segment"] == segment)
                              & (categorical["feature"] == "colour")
                              & (categorical["level"] == level)].iloc[0]
            assert got["p_value"] == pytest.approx(expected, rel=1e-9)
            assert got["share"] == pytest.approx(shares[0])
            assert got["base"] == pytest.approx(bases[0])


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_corrections_match_statsmodels(method):
    p = np.random.default_rng(3).random(40) ** 3
    expected = multipletests(p, method=method)[1]
    np.testing.assert_allclose(shared.adjust_p_values(p, method), expected, rtol=1e-12)
    with_gaps = np.insert(p, [0, 7, 40], np.nan)
    adjusted = shared.adjust_p_values(with_gaps, method)
    assert np.isnan(adjusted[[0, 8, 42]]).all()  # untestable stays untested
    np.testing.assert_allclose(adjusted[~np.isnan(adjusted)], expected, rtol=1e-12)


def test_one_family_across_every_test(survey):
    frame, labels, weights = survey
    for method in ["holm", "fdr_bh"]:
        profiles = profile_segments(frame, labels, sample_weight=weights, correction=method)
        raw = np.concatenate([profiles.numeric["p_value"], profiles.categorical["p_value"]])
        adjusted = np.concatenate([profiles.numeric["p_adjusted"],
                                   profiles.categorical["p_adjusted"]])
        assert profiles.n_tests == raw.size == 3 * 2 + 3 * (3 + 2)
        np.testing.assert_allclose(adjusted, multipletests(raw, method=method)[1], rtol=1e-12)
        np.testing.assert_array_equal(profiles.numeric["significant"],
                                      profiles.numeric["p_adjusted"] < 0.05)
        name = "Holm" if method == "holm" else "Benjamini–Hochberg"
        assert f"{name}'s method across 21 tests" in profiles.legend
    holm = profile_segments(frame, labels, sample_weight=weights)
    planted = holm.numeric[(holm.numeric["segment"] == 0) & (holm.numeric["feature"] == "signal")]
    assert planted["significant"].all()
    assert not holm.numeric[holm.numeric["feature"] == "noise"]["significant"].any()


def test_tracking_uses_the_shared_statistics():
    assert tracking_stats.holm is shared.holm
    assert tracking_stats.effective_base is shared.effective_base
    assert tracking_stats.two_proportion_test is shared.two_proportion_test


def test_small_base_flags_follow_the_threshold(survey):
    frame, labels, weights = survey
    labels = labels.copy()
    labels[:12] = 9  # a tiny segment
    profiles = profile_segments(frame, labels, sample_weight=weights)
    assert list(profiles.summary["small_base"]) == [False, False, False, True]
    tiny = profiles.numeric[profiles.numeric["segment"] == 9]
    assert tiny["small_base"].all()
    assert not profiles.numeric[profiles.numeric["segment"] == 0]["small_base"].any()
    assert "12 (small base)" in profiles.table().loc["size", "9"]
    relaxed = profile_segments(frame, labels, sample_weight=weights, min_base=5)
    assert not relaxed.summary["small_base"].any()
    assert "effective base" in profiles.table().index


def test_significance_marks_in_the_table(survey):
    frame, labels, _ = survey
    table = profile_segments(frame, labels).table()
    assert table.loc["signal", "0"].endswith("*")
    assert not table.loc["noise", "0"].endswith("*")


@pytest.mark.parametrize("weights, message", [
    ([1.0, 2.0], "2 values for 300 rows"),
    (np.full(300, -1.0), "non-negative"),
    (np.full(300, np.nan), "finite"),
    (np.zeros(300), "all zero"),
])
def test_bad_weights_are_user_errors(survey, weights, message):
    frame, labels, _ = survey
    with pytest.raises(ValueError, match=message):
        profile_segments(frame, labels, sample_weight=weights)


def test_bad_correction_and_thresholds(survey):
    frame, labels, _ = survey
    with pytest.raises(ValueError, match="unknown multiple-comparison correction 'bonf'"):
        profile_segments(frame, labels, correction="bonf")
    with pytest.raises(ValueError, match="alpha"):
        profile_segments(frame, labels, alpha=1.5)
    with pytest.raises(ValueError, match="min_base"):
        profile_segments(frame, labels, min_base=-1)
