"""profile_segments: sizes, means, standardised differences, lifts, tests and drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from dash_personas.segmentation import KPrototypes, SegmentProfiles, profile_segments

TINY = pd.DataFrame({"x": [1.0, 2.0, 3.0, 10.0, 11.0, 12.0], "c": list("aabbbc")})
TINY_LABELS = [0, 0, 0, 1, 1, 1]


def row(table, **where):
    mask = np.ones(len(table), dtype=bool)
    for key, value in where.items():
        mask &= (table[key] == value).to_numpy()
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


def test_summary_sizes_and_shares():
    profiles = profile_segments(TINY.iloc[:5], [0, 0, 0, 1, 1])
    assert isinstance(profiles, SegmentProfiles)
    assert list(profiles.summary.index) == [0, 1]
    assert profiles.summary.index.name == "segment"
    assert list(profiles.summary["size"]) == [3, 2]
    np.testing.assert_allclose(profiles.summary["share"], [0.6, 0.4])


def test_numeric_profile_by_hand():
    numeric = profile_segments(TINY, TINY_LABELS).numeric
    overall_sd = np.sqrt(((5.5**2 + 4.5**2 + 3.5**2) * 2) / 6)  # population sd of x
    first = row(numeric, segment=0, feature="x")
    assert first["mean"] == pytest.approx(2.0)
    assert first["overall_mean"] == pytest.approx(6.5)
    assert first["std_diff"] == pytest.approx((2.0 - 6.5) / overall_sd)
    second = row(numeric, segment=1, feature="x")
    assert second["mean"] == pytest.approx(11.0)
    assert second["std_diff"] == pytest.approx((11.0 - 6.5) / overall_sd)


def test_categorical_shares_and_lift_by_hand():
    categorical = profile_segments(TINY, TINY_LABELS).categorical
    expected = {  # (segment, level): (share, overall share, lift)
        (0, "a"): (2 / 3, 2 / 6, 2.0), (0, "b"): (1 / 3, 3 / 6, 2 / 3), (0, "c"): (0, 1 / 6, 0),
        (1, "a"): (0, 2 / 6, 0), (1, "b"): (2 / 3, 3 / 6, 4 / 3), (1, "c"): (1 / 3, 1 / 6, 2.0),
    }
    assert len(categorical) == len(expected)
    for (segment, level), (share, overall, lift) in expected.items():
        got = row(categorical, segment=segment, feature="c", level=level)
        assert got["share"] == pytest.approx(share)
        assert got["overall_share"] == pytest.approx(overall)
        assert got["lift"] == pytest.approx(lift)


@pytest.fixture
def survey():
    rng = np.random.default_rng(0)
    n = 240
    labels = rng.integers(0, 3, n)
    frame = pd.DataFrame({
        "signal": rng.normal(size=n) + 3.0 * (labels == 0),
        "noise": rng.normal(size=n),
        "timestamp": 1.7e9 + rng.normal(size=n) * 5.0 + 2.0 * labels,
        "colour": np.where((labels == 1) & (rng.random(n) < 0.9), "red",
                           np.array(["red", "green", "blue"])[rng.integers(0, 3, n)]),
        "shape": np.array(["round", "square"])[rng.integers(0, 2, n)],
    })
    return frame, labels


def test_numeric_p_values_and_effects_match_scipy(survey):
    frame, labels = survey
    numeric = profile_segments(frame, labels).numeric
    for segment in range(3):
        inside = labels == segment
        for name in ["signal", "noise", "timestamp"]:
            values = frame[name].to_numpy()
            got = row(numeric, segment=segment, feature=name)
            expected = stats.ttest_ind(values[inside], values[~inside], equal_var=False)
            assert got["p_value"] == pytest.approx(expected.pvalue, rel=1e-6)
            assert got["mean"] == pytest.approx(values[inside].mean())
            assert got["std_diff"] == pytest.approx(
                (values[inside].mean() - values.mean()) / values.std(), rel=1e-6, abs=1e-6)
            point_biserial = stats.pointbiserialr(inside, values).statistic
            assert got["effect"] == pytest.approx(abs(point_biserial), rel=1e-6)


def test_categorical_p_values_and_effects_match_scipy(survey):
    """Each level's share is tested against the rest (pooled two-proportion z-test);
    the effect is the feature's Cramér's V, segment vs the rest."""
    frame, labels = survey
    categorical = profile_segments(frame, labels).categorical
    for segment in range(3):
        inside = labels == segment
        for name in ["colour", "shape"]:
            table = pd.crosstab(inside, frame[name]).to_numpy()
            cramer = stats.contingency.association(table, method="cramer", correction=False)
            got = categorical[(categorical["segment"] == segment)
                              & (categorical["feature"] == name)]
            np.testing.assert_allclose(got["effect"], cramer, rtol=1e-9)
            for level, p_value in zip(got["level"], got["p_value"]):
                has = (frame[name] == level).to_numpy()
                _z, expected = proportions_ztest([has[inside].sum(), has[~inside].sum()],
                                                 [inside.sum(), (~inside).sum()])
                assert p_value == pytest.approx(expected, rel=1e-9)


def test_planted_feature_drives_its_segment(survey):
    frame, labels = survey
    profiles = profile_segments(frame, labels)
    drivers = profiles.drivers
    assert list(drivers.columns) == ["segment", "rank", "feature", "kind", "effect", "p_value",
                                     "p_adjusted", "significant", "direction", "level",
                                     "description"]
    assert drivers[drivers["segment"] == 0].iloc[0]["significant"]
    top0 = profiles.top_drivers(0, n=1).iloc[0]
    assert top0["feature"] == "signal"
    assert top0["kind"] == "numeric"
    assert top0["direction"] == 1
    assert "higher than average" in top0["description"]
    top1 = profiles.top_drivers(1, n=1).iloc[0]
    assert top1["feature"] == "colour"
    assert top1["level"] == "red"
    assert "red is" in top1["description"]
    for segment in range(3):
        ranked = drivers[drivers["segment"] == segment]
        assert list(ranked["rank"]) == list(range(1, 6))
        assert ranked["effect"].is_monotonic_decreasing
        assert ranked["effect"].between(0, 1).all()
    assert len(profiles.top_drivers(2, n=3)) == 3


def test_missing_values_use_observed_values(survey):
    frame, labels = survey
    gappy = frame.copy()
    gappy.loc[::7, "signal"] = np.nan
    gappy.loc[::5, "colour"] = None
    profiles = profile_segments(gappy, labels)
    observed = gappy["signal"].notna().to_numpy()
    got = row(profiles.numeric, segment=0, feature="signal")
    values = gappy["signal"].to_numpy()
    assert got["mean"] == pytest.approx(values[observed & (labels == 0)].mean())
    assert got["overall_mean"] == pytest.approx(np.nanmean(values))
    shares = profiles.categorical[(profiles.categorical["segment"] == 1)
                                  & (profiles.categorical["feature"] == "colour")]
    assert shares["share"].sum() == pytest.approx(1.0)
    assert not shares["level"].isna().any()


def test_profiles_of_a_fitted_model(make_frame):
    X = make_frame(90, seed=3)
    model = KPrototypes(3, n_init=2, random_state=0).fit(X)
    profiles = profile_segments(X, model.labels_)
    assert set(profiles.numeric["feature"]) == {"age", "income", "visits"}
    assert set(profiles.categorical["feature"]) == {"region", "channel", "plan", "member"}
    assert profiles.summary["size"].sum() == 90
    table = profiles.table()
    assert list(table.columns) == ["0", "1", "2"]
    assert list(table.index[:2]) == ["size", "share"]
    assert "segments" in repr(profiles)


def test_exclude_labels_and_categorical_options():
    frame = TINY.assign(respondent=["r1", "r2", "r3", "r4", "r5", "r6"],
                        code=[1, 2, 1, 2, 2, 2])
    profiles = profile_segments(frame, np.array(["A", "A", "A", "B", "B", "B"]),
                                exclude=["respondent"], categorical=["c", "code"])
    assert list(profiles.summary.index) == ["A", "B"]
    assert "respondent" not in set(profiles.categorical["feature"])
    assert set(profiles.categorical["feature"]) == {"c", "code"}
    assert list(profiles.numeric["feature"].unique()) == ["x"]


def test_labels_must_match_the_rows():
    with pytest.raises(ValueError, match="one value per row"):
        profile_segments(TINY, [0, 1])
    with pytest.raises(ValueError, match="one value per row"):
        profile_segments(TINY, np.zeros((6, 2)))


def test_single_segment_has_neutral_statistics():
    profiles = profile_segments(TINY, np.zeros(6, dtype=int))
    assert (profiles.numeric["p_value"] == 1.0).all()
    assert (profiles.numeric["effect"] == 0.0).all()
    np.testing.assert_allclose(profiles.categorical["lift"], 1.0)


def test_object_array_kinds_match_kprototypes():
    """Numeric-looking columns of an object array are numeric, as in KPrototypes."""
    array = TINY.to_numpy(dtype=object)
    model = KPrototypes(2, n_init=1, random_state=0).fit(array)
    profiles = profile_segments(array, TINY_LABELS)
    assert model.numeric_features_ == ["0"]
    assert list(profiles.numeric["feature"].unique()) == model.numeric_features_
    assert list(profiles.categorical["feature"].unique()) == model.categorical_features_
    assert row(profiles.numeric, segment=0, feature="0")["mean"] == pytest.approx(2.0)
