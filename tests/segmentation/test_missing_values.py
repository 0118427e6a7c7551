"""Missing values in numeric and categorical columns, at fit and at predict time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes

NUMERIC = ["age", "income", "visits"]
CATEGORICAL = ["region", "channel", "plan", "member"]


def fit(X, k=3, **params):
    params.setdefault("random_state", 0)
    params.setdefault("n_init", 2)
    return KPrototypes(k, **params).fit(X)


@pytest.fixture
def gappy(make_frame):
    return make_frame(70, seed=4, missing_rate=0.2)


def test_the_fixture_has_gaps_of_every_kind(gappy):
    assert gappy.isna().any().all()
    assert not gappy.isna().all(axis=1).any()


@pytest.mark.parametrize("init", ["k-prototypes++", "huang", "cao"])
def test_fit_with_gaps_matches_brute_force(gappy, reference_distances, init):
    model = fit(gappy, init=init)
    distances = model.transform(gappy)
    np.testing.assert_allclose(distances, reference_distances(model, gappy, gappy),
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(model.labels_, distances.argmin(axis=1))
    assert model.cost_ == pytest.approx(distances.min(axis=1).sum(), rel=1e-10)
    np.testing.assert_array_equal(model.predict(gappy), model.labels_)
    assert not model.cluster_centers_.isna().any().any()


def test_weights_and_gaps_rescale_by_feature_weight(gappy, reference_distances):
    weights = {"age": 3.0, "region": 0.5, "member": 2.0, "visits": 0.0}
    model = fit(gappy, weights=weights, gamma=1.3)
    np.testing.assert_allclose(model.transform(gappy),
                               reference_distances(model, gappy, gappy, weights),
                               rtol=1e-9, atol=1e-9)


def test_rescaling_to_the_full_feature_count():
    """One numeric and one categorical feature: a row missing one counts the other twice."""
    X = pd.DataFrame({"x": [0.0, 0.0, 10.0, 10.0, np.nan],
                      "c": ["a", "a", "b", "b", "b"]})
    model = KPrototypes(2, init=pd.DataFrame({"x": [0.0, 10.0], "c": ["a", "b"]}),
                        scale=False, gamma=7.0).fit(X)
    distances = model.transform(X)
    # the last row only has c="b": 0 to the "b" prototype, 2 x gamma to the "a" one
    np.testing.assert_allclose(distances[4], [14.0, 0.0])
    gap = pd.DataFrame({"x": [4.0], "c": [None]})
    np.testing.assert_allclose(model.transform(gap), [[2 * 16.0, 2 * 36.0]])
    np.testing.assert_array_equal(model.predict(gap), [0])


def test_prototypes_come_from_observed_values(gappy):
    """Means and modes over observed values, each row weighted by total/observed."""
    model = fit(gappy, tol=0.0)  # converged: prototypes are those of the final labels
    observed = gappy.notna().to_numpy()
    row_scale = observed.shape[1] / observed.sum(axis=1)
    for segment in range(3):
        members = model.labels_ == segment
        for name in NUMERIC:
            values = gappy[name].to_numpy(float, na_value=np.nan)
            use = members & ~np.isnan(values)
            expected = np.average(values[use], weights=row_scale[use])
            assert model.cluster_centers_[name].iloc[segment] == pytest.approx(expected)
        for name in CATEGORICAL:
            use = members & gappy[name].notna().to_numpy()
            counts = pd.Series(row_scale[use]).groupby(
                gappy[name].to_numpy(dtype=object)[use]).sum()
            mode = model.cluster_centers_[name].iloc[segment]
            assert counts[mode] == pytest.approx(counts.max())


def test_predict_accepts_rows_with_gaps(make_frame, reference_distances):
    train = make_frame(60, seed=1)
    model = fit(train)
    new = make_frame(30, seed=8, missing_rate=0.3)
    assert new.isna().any().any()
    expected = reference_distances(model, train, new)
    np.testing.assert_allclose(model.transform(new), expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(model.predict(new), expected.argmin(axis=1))


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_missing_markers(missing):
    rng = np.random.default_rng(0)
    n = 40
    X = pd.DataFrame({
        "num": pd.array(rng.integers(0, 10, n), dtype="Int64"),
        "obj": pd.Series(np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, n)],
                         dtype=object),
        "string": pd.array(np.array(["x", "y"])[rng.integers(0, 2, n)], dtype="string"),
        "cat": pd.Categorical(np.array(["p", "q"])[rng.integers(0, 2, n)]),
        "flag": pd.array(rng.random(n) < 0.5, dtype="boolean"),
    })
    for j, name in enumerate(X.columns):
        X.loc[[j, j + 5], name] = missing
    model = fit(X, k=2)
    assert model.numeric_features_ == ["num"]
    assert model.categorical_features_ == ["obj", "string", "cat", "flag"]
    assert np.isfinite(model.transform(X)).all()
    np.testing.assert_array_equal(model.predict(X), model.labels_)


def test_all_missing_row_is_named(gappy):
    X = gappy.copy()
    X.iloc[7] = None
    with pytest.raises(ValueError, match=r"row 7 .*no observed values"):
        KPrototypes(3).fit(X)
    model = fit(gappy)
    with pytest.raises(ValueError, match="row 1 "):
        model.predict(X.iloc[6:9])


def test_row_with_only_zero_weight_features_observed_is_refused(gappy):
    X = gappy.copy()
    X.loc[X.index[3], :] = None
    X.loc[X.index[3], "age"] = 40.0
    with pytest.raises(ValueError, match="row 3"):
        KPrototypes(3, weights={"age": 0.0}).fit(X)


@pytest.mark.parametrize("column", ["income", "region", "plan", "member"])
def test_all_missing_column_is_named(gappy, column):
    X = gappy.copy()
    X[column] = None if column != "plan" else pd.Categorical([None] * len(X),
                                                              categories=["basic"])
    if column == "income":
        X[column] = np.nan
    with pytest.raises(ValueError, match=f"'{column}'.*entirely missing"):
        KPrototypes(3).fit(X)


def test_missing_values_in_array_input():
    X = np.array([[1.0, 0.0], [1.2, np.nan], [np.nan, 0.0], [8.0, 1.0], [8.1, 1.0],
                  [7.9, np.nan]])
    model = KPrototypes(2, random_state=0, n_init=2).fit(X, categorical=[1])
    np.testing.assert_array_equal(model.labels_[:3], [model.labels_[0]] * 3)
    np.testing.assert_array_equal(model.labels_[3:], [model.labels_[3]] * 3)
    assert model.labels_[0] != model.labels_[3]


def test_planted_segments_survive_gaps():
    X, y = make_mixed_blobs(400, n_clusters=3, separation=4.0, missing_rate=0.15,
                            random_state=2)
    model = KPrototypes(3, random_state=0, n_init=3).fit(X)
    assert adjusted_rand_score(y, model.labels_) > 0.9


def test_gamma_and_seeding_use_observed_values_only(gappy):
    filled = gappy.copy()
    model = fit(gappy)
    assert np.isfinite(model.gamma_) and model.gamma_ > 0
    # gaps are not treated as a level of their own
    assert not any(pd.isna(v) for levels in model.encoder_.levels_ for v in levels)
    assert filled.equals(gappy)  # fitting does not fill the caller's frame


def test_make_mixed_blobs_gaps_and_dtypes():
    X, y = make_mixed_blobs(300, n_numeric=2, n_categorical=3, n_clusters=4, missing_rate=0.8,
                            categorical_dtype="object", random_state=0)
    assert X.shape == (300, 5) and y.shape == (300,)
    assert set(np.unique(y)) == {0, 1, 2, 3}
    assert 0.7 < X.isna().to_numpy().mean() < 0.85
    assert not X.isna().all(axis=1).any()
    assert pd.api.types.is_string_dtype(X["cat_0"].dtype)  # object (pandas 3: str)
    again, y_again = make_mixed_blobs(300, n_numeric=2, n_categorical=3, n_clusters=4,
                                      missing_rate=0.8, categorical_dtype="object",
                                      random_state=0)
    pd.testing.assert_frame_equal(X, again)
    np.testing.assert_array_equal(y, y_again)
    clean, _ = make_mixed_blobs(50, random_state=1)
    assert isinstance(clean["cat_0"].dtype, pd.CategoricalDtype)
    assert not clean.isna().any().any()
