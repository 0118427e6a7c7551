"""Input handling: which columns are numeric or categorical, weights, scaling, gamma."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dash_personas.segmentation import KPrototypes, estimate_gamma
from dash_personas.segmentation._encoding import MISSING, UNSEEN, MixedEncoder

CATEGORICAL = ["region", "channel", "plan", "member"]
NUMERIC = ["age", "income", "visits"]


def fit(X, k=3, **params):
    params.setdefault("random_state", 0)
    params.setdefault("n_init", 2)
    return KPrototypes(k, **params).fit(X)


# ------------------------------------------------------------------- dtypes
def test_dtypes_decide_the_kind_of_each_column(mixed_frame):
    model = fit(mixed_frame)
    assert model.numeric_features_ == NUMERIC
    assert model.categorical_features_ == CATEGORICAL
    assert list(model.feature_names_in_) == list(mixed_frame.columns)
    assert model.n_features_in_ == 7


@pytest.mark.parametrize("dtype", ["object", "str", "string", "category", "bool"])
def test_each_non_numeric_dtype_is_categorical(dtype):
    rng = np.random.default_rng(1)
    values = rng.random(40) < 0.5
    if dtype == "bool":
        column = pd.Series(values)
    else:
        column = pd.Series(np.where(values, "yes", "no")).astype(dtype)
    X = pd.DataFrame({"x": rng.normal(size=40), "c": column})
    model = fit(X, k=2)
    assert model.categorical_features_ == ["c"]
    assert model.numeric_features_ == ["x"]
    expected = {True, False} if dtype == "bool" else {"yes", "no"}
    assert set(model.cluster_centers_["c"]) <= expected
    assert model.encoder_.levels_ == [sorted(expected)]


def test_numeric_dtypes_are_numeric():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({
        "f64": rng.normal(size=30), "f32": rng.normal(size=30).astype(np.float32),
        "i64": rng.integers(0, 5, 30), "i8": rng.integers(0, 5, 30).astype(np.int8),
        "nullable": pd.array(rng.integers(0, 5, 30), dtype="Int64"),
    })
    model = fit(X, k=2)
    assert model.numeric_features_ == list(X.columns)
    assert model.categorical_features_ == []
    assert model.cluster_centers_.dtypes.map(pd.api.types.is_float_dtype).all()


# ------------------------------------------------------- categorical= spec
def test_categorical_by_names_and_by_positions_agree(mixed_frame):
    by_name = fit(mixed_frame, categorical=["region", "channel", "plan", "member", "visits"])
    by_position = fit(mixed_frame, categorical=[3, 4, 5, -1, 2])
    for model in (by_name, by_position):
        assert model.categorical_features_ == ["visits", *CATEGORICAL]
        assert model.numeric_features_ == ["age", "income"]
    np.testing.assert_array_equal(by_name.labels_, by_position.labels_)


def test_categorical_list_overrides_dtype():
    X = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6, 7, 8], "b": [0, 1, 0, 1, 2, 2, 1, 0],
                      "c": list("xyxyxyxy")})
    model = fit(X, k=2, categorical=["b", "c"])
    assert model.numeric_features_ == ["a"]
    assert model.categorical_features_ == ["b", "c"]
    assert set(model.cluster_centers_["b"]) <= {0, 1, 2}


def test_numpy_array_with_positions_is_kmodes_compatible():
    rng = np.random.default_rng(3)
    n = 80
    group = rng.integers(0, 2, n)
    X = np.empty((n, 3), dtype=object)
    X[:, 0] = rng.normal(size=n) + 4 * group
    X[:, 1] = np.array(["a", "b"])[group]
    X[:, 2] = rng.integers(0, 3, n)  # integer codes, categorical only because listed
    as_param = fit(X, k=2, categorical=[1, 2])
    as_kwarg = KPrototypes(2, random_state=0, n_init=2).fit(X, categorical=[1, 2])
    for model in (as_param, as_kwarg):
        assert model.numeric_features_ == ["0"]
        assert model.categorical_features_ == ["1", "2"]
        assert not hasattr(model, "feature_names_in_")
        assert model.n_features_in_ == 3
    np.testing.assert_array_equal(as_param.labels_, as_kwarg.labels_)
    assert as_param.cost_ == as_kwarg.cost_
    # the kwarg does not change the estimator's parameter
    assert as_kwarg.get_params()["categorical"] == "auto"
    np.testing.assert_array_equal(as_param.predict(X), as_param.labels_)


def test_numeric_float_array_is_all_numeric_by_default():
    X = np.random.default_rng(0).normal(size=(30, 3))
    model = fit(X, k=2)
    assert model.numeric_features_ == ["0", "1", "2"]
    assert model.categorical_features_ == []


def test_categorical_none_means_all_numeric():
    X = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [0, 1, 0, 1, 1, 0]})
    model = fit(X, k=2, categorical=None)
    assert model.categorical_features_ == []


def test_unknown_column_in_categorical_is_named(mixed_frame):
    with pytest.raises(ValueError, match="'nope'"):
        fit(mixed_frame, categorical=["region", "nope"])
    with pytest.raises(ValueError, match="position 12"):
        fit(mixed_frame, categorical=[12])


def test_text_column_declared_numeric_is_named(mixed_frame):
    with pytest.raises(ValueError, match="'region'"):
        fit(mixed_frame, categorical=["plan"])


# -------------------------------------------------------- ordered categoricals
def _likert_frame():
    rng = np.random.default_rng(4)
    n = 90
    group = rng.integers(0, 3, n)
    answers = np.clip(group * 2 + rng.integers(0, 2, n), 0, 4)
    levels = ["never", "rarely", "sometimes", "often", "always"]
    return pd.DataFrame({
        "score": rng.normal(size=n) + 3 * group,
        "likert": pd.Categorical(np.array(levels)[answers], categories=levels, ordered=True),
        "colour": np.array(["red", "green", "blue"])[group],
    }), answers


def test_ordered_categorical_declared_numeric_uses_rank():
    X, answers = _likert_frame()
    model = fit(X, categorical=["colour"])
    assert model.numeric_features_ == ["score", "likert"]
    ranks = answers + 1.0
    # prototypes are in rank units (1..5): per-segment means of the ranks
    for segment in range(3):
        members = model.labels_ == segment
        assert model.cluster_centers_["likert"].iloc[segment] == pytest.approx(
            ranks[members].mean())
    assert model.encoder_.mean_[1] == pytest.approx(ranks.mean())
    assert model.encoder_.std_[1] == pytest.approx(ranks.std())


def test_ordered_categorical_is_categorical_by_default():
    X, _ = _likert_frame()
    model = fit(X)
    assert model.categorical_features_ == ["likert", "colour"]
    assert set(model.cluster_centers_["likert"]) <= set(X["likert"].cat.categories)


def test_ordered_ranks_follow_the_fitted_levels_in_new_data():
    X, _ = _likert_frame()
    model = fit(X, categorical=["colour"])
    expected = model.predict(X)
    levels = list(X["likert"].cat.categories)
    reordered = X.assign(likert=X["likert"].cat.reorder_categories(levels[::-1]))
    as_text = X.assign(likert=X["likert"].astype(str))
    subset = X.assign(likert=X["likert"].astype(str).astype("category"))
    for frame in (reordered, as_text, subset):
        np.testing.assert_array_equal(model.predict(frame), expected)


def test_unseen_ordered_level_is_missing_with_a_warning():
    X, _ = _likert_frame()
    model = fit(X, categorical=["colour"])
    odd = X.assign(likert=X["likert"].astype(str).where(X.index != 0, "sometimes?"))
    with pytest.warns(UserWarning, match="'sometimes\\?'.*'likert'"):
        encoded = model.encoder_.transform(odd)
    assert not encoded.numeric_mask[0, 1] and encoded.numeric_mask[1:, 1].all()


def test_unordered_categorical_cannot_be_numeric(mixed_frame):
    with pytest.raises(ValueError, match="'plan'"):
        fit(mixed_frame, categorical=["region", "channel", "member"])


# ------------------------------------------------------------------ scaling
def test_scale_standardises_numeric_columns(mixed_frame):
    encoder = MixedEncoder(scale=True)
    encoded = encoder.fit_transform(mixed_frame)
    np.testing.assert_allclose(encoded.numeric.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(encoded.numeric.std(axis=0), 1.0)
    raw = mixed_frame[NUMERIC].to_numpy(float)
    np.testing.assert_allclose(encoder.mean_, raw.mean(axis=0))
    np.testing.assert_allclose(encoder.std_, raw.std(axis=0))


def test_scale_off_keeps_original_units(mixed_frame):
    encoded = MixedEncoder(scale=False).fit_transform(mixed_frame)
    np.testing.assert_array_equal(encoded.numeric, mixed_frame[NUMERIC].to_numpy(float))


def fixed_prototypes(X, rows=(0, 20, 40), **params):
    """A model whose prototypes are the given rows (one pass, no update)."""
    init = X.iloc[list(rows)].reset_index(drop=True)
    return KPrototypes(len(rows), init=init, max_iter=1, **params).fit(X)


def test_scale_changes_the_distance(mixed_frame, reference_distances):
    models = {scale: fixed_prototypes(mixed_frame, scale=scale, gamma=1.0)
              for scale in (True, False)}
    for model in models.values():
        np.testing.assert_allclose(model.transform(mixed_frame),
                                   reference_distances(model, mixed_frame, mixed_frame),
                                   rtol=1e-9, atol=1e-9)
    # same prototypes: without scaling a numeric feature weighs std**2 times more
    scaled, unscaled = (models[s].distance_.contributions(
        models[s].encoder_.transform(mixed_frame), models[s].prototypes_) for s in (True, False))
    std = mixed_frame[NUMERIC].to_numpy(float).std(axis=0)
    for j in range(len(NUMERIC)):
        np.testing.assert_allclose(unscaled[j], scaled[j] * std[j] ** 2, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(unscaled[len(NUMERIC):], scaled[len(NUMERIC):])
    assert not np.allclose(models[True].transform(mixed_frame),
                           models[False].transform(mixed_frame))


def test_constant_numeric_column_does_not_divide_by_zero():
    X = pd.DataFrame({"a": [1.0, 2, 3, 10, 11, 12], "const": 5.0, "c": list("xxxyyy")})
    model = fit(X, k=2)
    assert np.isfinite(model.transform(X)).all()
    np.testing.assert_allclose(model.cluster_centers_["const"], 5.0)


# ------------------------------------------------------------------ levels
def test_levels_codes_missing_and_unseen():
    X = pd.DataFrame({"c": ["b", "a", None, "c", "a"], "n": [1.0, 2, 3, 4, 5]})
    encoder = MixedEncoder()
    encoded = encoder.fit_transform(X)
    assert encoder.levels_ == [["a", "b", "c"]]
    np.testing.assert_array_equal(encoded.categorical[:, 0], [1, 0, MISSING, 2, 0])
    with pytest.warns(UserWarning, match="'c'"):
        other = encoder.transform(pd.DataFrame({"c": ["z", "a"], "n": [1.0, 2.0]}))
    np.testing.assert_array_equal(other.categorical[:, 0], [UNSEEN, 0])


def test_category_levels_keep_declared_order_and_drop_unused():
    X = pd.DataFrame({"c": pd.Categorical(["lo", "hi", "lo", "hi"],
                                          categories=["lo", "unused", "hi"]),
                      "n": [1.0, 2, 3, 4]})
    encoder = MixedEncoder()
    encoded = encoder.fit_transform(X)
    assert encoder.levels_ == [["lo", "hi"]]
    np.testing.assert_array_equal(encoded.categorical[:, 0], [0, 1, 0, 1])


# ------------------------------------------------------------------ weights
def test_weights_dict_and_list_are_equivalent(mixed_frame, reference_distances):
    as_dict = {"age": 2.0, "region": 0.5, "member": 3.0}
    as_list = [2.0, 1.0, 1.0, 0.5, 1.0, 1.0, 3.0]
    a = fit(mixed_frame, weights=as_dict, gamma=1.5)
    b = fit(mixed_frame, weights=as_list, gamma=1.5)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.cost_ == pytest.approx(b.cost_)
    np.testing.assert_allclose(a.transform(mixed_frame),
                               reference_distances(a, mixed_frame, mixed_frame, as_dict),
                               rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("column", ["income", "region"])
def test_zero_weight_makes_a_feature_irrelevant(mixed_frame, column):
    scrambled = mixed_frame.copy()
    scrambled[column] = scrambled[column].sample(frac=1.0, random_state=3).to_numpy()
    a = fit(mixed_frame, weights={column: 0.0}, gamma=1.0)
    b = fit(scrambled, weights={column: 0.0}, gamma=1.0)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.cost_ == pytest.approx(b.cost_)
    np.testing.assert_allclose(a.transform(mixed_frame), b.transform(scrambled))


def test_zero_weight_feature_still_describes_the_segments(mixed_frame):
    model = fit(mixed_frame, weights={"income": 0.0})
    income = mixed_frame["income"].to_numpy()
    expected = [income[model.labels_ == s].mean() for s in range(3)]
    np.testing.assert_allclose(model.cluster_centers_["income"], expected)


def test_larger_weight_means_larger_contribution(mixed_frame, reference_distances):
    weights = {"age": 4.0, "plan": 2.0}
    model = fit(mixed_frame, weights=weights, gamma=0.7)
    np.testing.assert_allclose(model.transform(mixed_frame),
                               reference_distances(model, mixed_frame, mixed_frame, weights),
                               rtol=1e-9, atol=1e-9)
    # same prototypes: each feature's contribution grows by exactly its weight
    weighted = fixed_prototypes(mixed_frame, weights=weights, gamma=0.7)
    plain = fixed_prototypes(mixed_frame, gamma=0.7)
    parts = {name: m.distance_.contributions(m.encoder_.transform(mixed_frame),
                                             m.prototypes_, rescale=False)
             for name, m in (("weighted", weighted), ("plain", plain))}
    order = NUMERIC + CATEGORICAL
    for j, name in enumerate(order):
        factor = weights.get(name, 1.0)
        np.testing.assert_allclose(parts["weighted"][j], factor * parts["plain"][j],
                                   rtol=1e-9, atol=1e-12)
    for name in weights:
        assert parts["weighted"][order.index(name)].sum() > parts["plain"][
            order.index(name)].sum() > 0


@pytest.mark.parametrize("weights, message", [
    ({"nope": 1.0}, "'nope'"),
    ({"age": -1.0}, "'age'"),
    ({"age": float("nan")}, "'age'"),
    ([1.0, 2.0], "2 values for 7 columns"),
    (dict.fromkeys(["age", "income", "visits", "region", "channel", "plan", "member"], 0.0),
     "positive weight"),
])
def test_bad_weights(mixed_frame, weights, message):
    with pytest.raises(ValueError, match=message):
        fit(mixed_frame, weights=weights)


# -------------------------------------------------------------------- gamma
def _documented_gamma(X, numeric, categorical, weights=None):
    """mean_j w_j var(z_j) / mean_j w_j (1 - sum_l p_jl^2), on observed values."""
    weights = weights or {}
    num_spread = []
    for name in numeric:
        values = pd.to_numeric(X[name]).to_numpy(float, na_value=np.nan)
        z = (values - np.nanmean(values)) / np.nanstd(values)
        num_spread.append(weights.get(name, 1.0) * np.nanvar(z))
    cat_spread = []
    for name in categorical:
        shares = X[name].value_counts(normalize=True, dropna=True).to_numpy()
        cat_spread.append(weights.get(name, 1.0) * (1.0 - np.sum(shares**2)))
    return np.mean(num_spread) / np.mean(cat_spread)


def _documented_huang(X, numeric, weights=None):
    """0.5 x mean_j sqrt(w_j) sd(z_j): kmodes' rule on the standardised, weighted numerics."""
    weights = weights or {}
    spread = []
    for name in numeric:
        values = pd.to_numeric(X[name]).to_numpy(float, na_value=np.nan)
        z = (values - np.nanmean(values)) / np.nanstd(values)
        spread.append(np.sqrt(weights.get(name, 1.0)) * np.nanstd(z))
    return 0.5 * np.mean(spread)


def test_gamma_lambdaest_matches_the_documented_formula(mixed_frame):
    model = fit(mixed_frame, gamma="lambdaest")
    expected = _documented_gamma(mixed_frame, NUMERIC, CATEGORICAL)
    assert model.gamma_ == pytest.approx(expected, rel=1e-12)


def test_gamma_lambdaest_with_weights_and_missing_values(make_frame):
    X = make_frame(80, seed=5, missing_rate=0.15)
    weights = {"age": 3.0, "plan": 2.0, "channel": 0.5}
    model = fit(X, weights=weights, gamma="lambdaest")
    expected = _documented_gamma(X, NUMERIC, CATEGORICAL, weights)
    assert model.gamma_ == pytest.approx(expected, rel=1e-12)
    assert model.gamma_selection_ is None


def test_gamma_huang_matches_kmodes_rule(mixed_frame, make_frame):
    assert fit(mixed_frame, gamma="huang").gamma_ == pytest.approx(0.5, rel=1e-12)
    X = make_frame(80, seed=5, missing_rate=0.15)
    weights = {"age": 3.0, "income": 0.5}
    model = fit(X, weights=weights, gamma="huang")
    assert model.gamma_ == pytest.approx(_documented_huang(X, NUMERIC, weights), rel=1e-12)
    unscaled = fit(mixed_frame, gamma="huang", scale=False)
    raw_sd = [np.std(pd.to_numeric(mixed_frame[name]).to_numpy(float)) for name in NUMERIC]
    assert unscaled.gamma_ == pytest.approx(0.5 * np.mean(raw_sd), rel=1e-12)


def test_gamma_rules_are_one_without_both_kinds():
    numeric_only = pd.DataFrame({"a": [1.0, 2, 3, 9, 10, 11]})
    categorical_only = pd.DataFrame({"c": list("aabbcc")})
    for rule in ("auto", "lambdaest", "huang"):
        assert fit(numeric_only, k=2, gamma=rule).gamma_ == 1.0
        assert fit(categorical_only, k=2, gamma=rule).gamma_ == 1.0


def test_explicit_gamma_is_used(mixed_frame, reference_distances):
    for gamma in (0.0, 0.25, 3.0):
        model = fit(mixed_frame, gamma=gamma)
        assert model.gamma_ == gamma
        np.testing.assert_allclose(model.transform(mixed_frame),
                                   reference_distances(model, mixed_frame, mixed_frame),
                                   rtol=1e-9, atol=1e-9)


def test_estimate_gamma_function_is_exposed(mixed_frame):
    encoder = MixedEncoder()
    encoded = encoder.fit_transform(mixed_frame)
    gamma = estimate_gamma(encoded, encoder.n_levels, encoder.categorical_weights_)
    assert gamma == pytest.approx(_documented_gamma(mixed_frame, NUMERIC, CATEGORICAL))


def test_predict_accepts_the_same_values_in_other_dtypes(mixed_frame):
    model = fit(mixed_frame)
    other = mixed_frame.assign(
        region=mixed_frame["region"].astype("category"),
        channel=mixed_frame["channel"].astype(object),
        plan=mixed_frame["plan"].astype(str),
        member=mixed_frame["member"].astype(object),
        visits=mixed_frame["visits"].astype(float),
    )
    np.testing.assert_array_equal(model.predict(other), model.labels_)
    other["plan"] = pd.Categorical(other["plan"], categories=["pro", "plus", "basic", "extra"])
    other["age"] = other["age"].astype(str)  # numeric text is still a number
    np.testing.assert_array_equal(model.predict(other), model.labels_)
