"""Choosing k: the evidence table, the recommendation rule and the pairwise distance."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import (
    KPrototypes,
    KSelection,
    pairwise_kprototypes_distances,
    select_k,
)

COLUMNS = ["cost", "silhouette", "mcclain_rao", "dunn", "stability", "smallest_share",
           "eligible"]


@pytest.fixture(scope="module")
def planted3():
    return make_mixed_blobs(300, n_clusters=3, separation=4.0, random_state=3)


@pytest.fixture(scope="module")
def selection(planted3):
    X, _ = planted3
    calls = []
    table = select_k(X, range(2, 6), n_init=3, n_bootstrap=3, random_state=0,
                     progress=lambda done, total: calls.append((done, total)))
    return table, calls


def test_table_layout(selection):
    table, _ = selection
    assert isinstance(table, KSelection)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == COLUMNS
    assert list(table.index) == [2, 3, 4, 5]
    assert table.index.name == "k"
    assert table["eligible"].dtype == bool
    assert (table["cost"].diff().dropna() < 0).all()  # more segments, lower cost
    assert table["silhouette"].between(-1, 1).all()
    assert table["stability"].between(0, 1).all()
    assert table["smallest_share"].between(0, 1).all()
    assert (table["mcclain_rao"] > 0).all()
    assert (table["dunn"] >= 0).all()


def test_recommends_the_planted_k(selection):
    table, _ = selection
    assert table.recommended_k in table.index
    assert table.recommended_k == 3
    assert "silhouette" in table.rule and "stability" in table.rule
    assert table.loc[3, "stability"] == pytest.approx(1.0)


def test_models_are_kept_for_every_k(selection, planted3):
    table, _ = selection
    X, _ = planted3
    assert sorted(table.models) == [2, 3, 4, 5]
    for k, model in table.models.items():
        assert isinstance(model, KPrototypes)
        assert model.n_clusters == k
        assert model.cost_ == table.loc[k, "cost"]
        shares = np.bincount(model.labels_, minlength=k) / len(X)
        assert table.loc[k, "smallest_share"] == pytest.approx(shares.min())
    assert table.recommended_model is table.models[table.recommended_k]
    # gamma is estimated once and shared, so the costs compare across k
    assert len({model.gamma_ for model in table.models.values()}) == 1


def test_metadata_survives_slicing(selection):
    table, _ = selection
    part = table[["cost", "silhouette"]]
    assert part.recommended_k == table.recommended_k
    assert part.rule == table.rule


def test_progress_is_reported_after_each_k(selection):
    _, calls = selection
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_silhouette_uses_the_kprototypes_distance(planted3, reference_distances):
    X, _ = planted3
    X = X.iloc[:60]
    table = select_k(X, [2, 3], n_init=2, n_bootstrap=0, sample_size=1000, random_state=1)
    model = table.models[2]
    # distances between rows = distances to prototypes made of single rows
    rows = types.SimpleNamespace(
        cluster_centers_=X.reset_index(drop=True), numeric_features_=model.numeric_features_,
        categorical_features_=model.categorical_features_, scale=True, gamma_=model.gamma_)
    pairwise = reference_distances(rows, X, X)
    np.fill_diagonal(pairwise, 0.0)
    for k, model in table.models.items():
        expected = silhouette_score(pairwise, model.labels_, metric="precomputed")
        assert table.loc[k, "silhouette"] == pytest.approx(expected, rel=1e-9)


def _brute_force_pairwise(model, X, weights=None):
    """Pairwise distances compared on features observed in both rows, rescaled."""
    encoder = model.encoder_
    names = encoder.feature_names_in_
    w = dict.fromkeys(names, 1.0)
    w.update(weights or {})
    num = {c: (pd.to_numeric(X[c]).to_numpy(float, na_value=np.nan) - m) / s
           for c, m, s in zip(encoder.numeric_features_, encoder.mean_, encoder.std_)}
    n = len(X)
    out = np.zeros((n, n))
    total = sum(w.values())
    for i in range(n):
        for j in range(n):
            d = seen = 0.0
            for c, values in num.items():
                if np.isnan(values[i]) or np.isnan(values[j]):
                    continue
                seen += w[c]
                d += w[c] * (values[i] - values[j]) ** 2
            for c in encoder.categorical_features_:
                a, b = X[c].iloc[i], X[c].iloc[j]
                if pd.isna(a) or pd.isna(b):
                    continue
                seen += w[c]
                d += model.gamma_ * w[c] * (a != b)
            out[i, j] = d * total / seen if seen else 0.0
    np.fill_diagonal(out, 0.0)
    return out


@pytest.mark.parametrize("weights", [None, {"num_0": 3.0, "cat_1": 0.5, "num_2": 0.0}])
@pytest.mark.parametrize("missing_rate", [0.0, 0.2])
def test_pairwise_distances_match_brute_force(weights, missing_rate):
    X, _ = make_mixed_blobs(30, n_numeric=3, n_categorical=2, n_clusters=2,
                            missing_rate=missing_rate, random_state=5)
    model = KPrototypes(2, weights=weights, n_init=1, random_state=0).fit(X)
    dist = pairwise_kprototypes_distances(model, X)
    np.testing.assert_allclose(dist, _brute_force_pairwise(model, X, weights),
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(dist, dist.T)


def test_silhouette_with_weights_and_gaps():
    X, _ = make_mixed_blobs(60, n_numeric=3, n_categorical=2, n_clusters=3, separation=4.0,
                            missing_rate=0.2, random_state=6)
    weights = {"num_0": 4.0, "num_1": 0.5, "cat_0": 2.0}
    table = select_k(X, [3], n_init=2, n_bootstrap=0, random_state=0, weights=weights)
    model = table.models[3]
    expected = silhouette_score(_brute_force_pairwise(model, X, weights), model.labels_,
                                metric="precomputed")
    assert table.loc[3, "silhouette"] == pytest.approx(expected, rel=1e-9)


def test_planted_four_segments_are_found():
    X, _ = make_mixed_blobs(400, n_clusters=4, separation=4.0, random_state=4)
    table = select_k(X, range(2, 7), n_init=3, n_bootstrap=3, random_state=0)
    assert table.recommended_k == 4


def test_same_seed_same_table(planted3):
    X, _ = planted3
    X = X.iloc[:150]
    a = select_k(X, [2, 3, 4], n_init=2, n_bootstrap=2, random_state=42)
    b = select_k(X, [2, 3, 4], n_init=2, n_bootstrap=2, random_state=42)
    pd.testing.assert_frame_equal(a, b)
    assert a.recommended_k == b.recommended_k
    for k in (2, 3, 4):
        np.testing.assert_array_equal(a.models[k].labels_, b.models[k].labels_)


def test_no_bootstrap_gives_nan_stability_and_says_so(planted3):
    X, _ = planted3
    table = select_k(X.iloc[:120], [2, 3], n_init=2, n_bootstrap=0, random_state=0)
    assert table["stability"].isna().all()
    assert table.recommended_k in (2, 3)
    assert "n_bootstrap=0" in table.rule


def test_sampled_indices_for_large_n(planted3):
    X, _ = planted3
    table = select_k(X, [3], n_init=2, n_bootstrap=0, sample_size=50, random_state=0)
    assert np.isfinite(table.loc[3, "silhouette"])
    assert table.recommended_k == 3


def test_array_input_with_auto_categorical_is_stable():
    """Bootstrap refits must use the same numeric/categorical split as the main fit."""
    X, _ = make_mixed_blobs(240, n_clusters=3, separation=4.0, categorical_dtype="object",
                            random_state=3)
    table = select_k(X.to_numpy(dtype=object), [3], n_init=2, n_bootstrap=2, random_state=0)
    assert table.models[3].numeric_features_ == ["0", "1", "2", "3"]
    assert table.loc[3, "stability"] > 0.95


def test_missing_values_and_params_pass_through():
    X, _ = make_mixed_blobs(200, n_clusters=3, separation=4.0, missing_rate=0.1,
                            random_state=8)
    table = select_k(X, [2, 3], n_init=2, n_bootstrap=2, random_state=0,
                     weights={"num_0": 2.0}, scale=False)
    assert table.models[3].scale is False
    assert table.models[3].weights == {"num_0": 2.0}
    assert np.isfinite(table["silhouette"]).all()


def test_verbose_prints_one_line_per_k(planted3, capsys):
    X, _ = planted3
    select_k(X.iloc[:100], [2, 3], n_init=1, n_bootstrap=0, random_state=0, verbose=True)
    err = capsys.readouterr().err
    assert err.count("k=") == 2


def test_fallback_when_no_k_qualifies(planted3):
    X, _ = planted3
    table = select_k(X.iloc[:120], [2, 3], n_init=1, n_bootstrap=2, random_state=0,
                     min_stability=1.01)
    assert not table["eligible"].any()
    assert "most stable" in table.rule
    assert table.recommended_k == int(table["stability"].idxmax())


@pytest.mark.parametrize("ks", [[], [1, 2], [0]])
def test_bad_candidates(planted3, ks):
    X, _ = planted3
    with pytest.raises(ValueError, match=">= 2"):
        select_k(X, ks)
