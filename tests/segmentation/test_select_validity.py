"""The validity indices behind select_k, against brute-force definitions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import silhouette_score

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes
from dash_personas.segmentation._validity import (
    PairwiseDistances,
    classification_bic,
    pairwise_indices,
    prediction_strength,
    segment_jaccard,
)


def _brute_force(square, labels):
    """clustMixType's definitions, pair by pair and pair of pairs by pair of pairs."""
    n = len(labels)
    pairs = list(itertools.combinations(range(n), 2))
    d = np.array([square[i, j] for i, j in pairs])
    same = np.array([labels[i] == labels[j] for i, j in pairs])
    n_t, n_w = len(pairs), int(same.sum())
    n_b = n_t - n_w
    s_plus = sum(int(dw < db) for dw in d[same] for db in d[~same])
    s_minus = sum(int(dw > db) for dw in d[same] for db in d[~same])
    ties = sum(int(a == b) for a, b in itertools.combinations(same, 2))
    ordered = np.sort(d)
    return {
        "cindex": (d[same].sum() - ordered[:n_w].sum())
        / (ordered[-n_w:].sum() - ordered[:n_w].sum()),
        "mcclain_rao": d[same].mean() / d[~same].mean(),
        "dunn": d[~same].min() / d[same].max(),
        "ptbiserial": (d[~same].mean() - d[same].mean()) * np.sqrt(n_w * n_b / n_t**2)
        / np.std(d, ddof=1),
        "gamma_index": (s_plus - s_minus) / (s_plus + s_minus),
        "g_plus": 2 * s_minus / (n_t * (n_t - 1)),
        "tau": (s_plus - s_minus) / np.sqrt((n_t * (n_t - 1) / 2 - ties) * n_t * (n_t - 1) / 2),
        "silhouette": silhouette_score(square, labels, metric="precomputed"),
    }


@pytest.mark.parametrize("discrete", [False, True])
def test_pairwise_indices_match_their_definitions(discrete):
    rng = np.random.default_rng(0)
    points = rng.normal(size=(24, 2)) + np.repeat([[0, 0], [3, 0], [0, 3]], 8, axis=0)
    if discrete:  # ties between distances, as categorical mismatches give
        points = np.round(points)
    square = ((points[:, None] - points[None]) ** 2).sum(-1)
    labels = np.repeat([0, 1, 2], 8)
    labels[[0, 9]] = labels[[9, 0]]  # not a perfect partition
    got = pairwise_indices(PairwiseDistances(square), labels)
    expected = _brute_force(square, labels)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-9), name


def test_pairwise_indices_prefer_the_planted_partition():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(60, 2)) + np.repeat([[0, 0], [6, 0], [0, 6]], 20, axis=0)
    square = ((points[:, None] - points[None]) ** 2).sum(-1)
    distances = PairwiseDistances(square)
    planted = pairwise_indices(distances, np.repeat([0, 1, 2], 20))
    shuffled = pairwise_indices(distances, rng.permutation(np.repeat([0, 1, 2], 20)))
    for name in ("silhouette", "dunn", "ptbiserial", "gamma_index", "tau"):
        assert planted[name] > shuffled[name], name
    for name in ("cindex", "mcclain_rao", "g_plus"):
        assert planted[name] < shuffled[name], name


def test_one_segment_gives_nan():
    square = np.ones((4, 4)) - np.eye(4)
    assert all(np.isnan(v) for v in pairwise_indices(PairwiseDistances(square),
                                                     np.zeros(4, int)).values())


def _encoded(X, weights=None):
    model = KPrototypes(2, n_init=1, random_state=0, weights=weights).fit(X)
    return model, model.encoder_.transform(X)


def test_classification_bic_is_the_latent_class_likelihood_at_the_partition():
    X, _ = make_mixed_blobs(80, n_numeric=2, n_categorical=2, n_clusters=2, random_state=2)
    model, encoded = _encoded(X)
    labels = model.labels_
    loglik = 0.0
    for c in range(2):
        rows = labels == c
        loglik += rows.sum() * np.log(rows.mean())
        for j in range(2):
            z = encoded.numeric[rows, j]
            loglik += norm.logpdf(z, z.mean(), z.std()).sum()
        for j in range(2):
            codes = encoded.categorical[rows, j]
            counts = np.bincount(codes)
            counts = counts[counts > 0]
            loglik += (counts * np.log(counts / counts.sum())).sum()
    levels = model.encoder_.n_levels
    n_params = 1 + 2 * 2 * 2 + 2 * sum(lev - 1 for lev in levels)
    got = classification_bic(encoded, labels, 2, model.encoder_.numeric_weights_,
                             model.encoder_.categorical_weights_, levels)
    assert got == pytest.approx(-2 * loglik + n_params * np.log(80), rel=1e-10)


def test_classification_bic_integer_weights_are_repeated_rows():
    X, _ = make_mixed_blobs(50, n_numeric=2, n_categorical=2, n_clusters=2, missing_rate=0.1,
                            random_state=3)
    weight = np.random.default_rng(0).integers(1, 4, size=50)
    model, _ = _encoded(X)
    weighted = model.encoder_.transform(X, sample_weight=weight)
    repeated_rows = np.repeat(np.arange(50), weight)
    repeated = model.encoder_.transform(X.iloc[repeated_rows])
    args = (model.encoder_.numeric_weights_, model.encoder_.categorical_weights_,
            model.encoder_.n_levels)
    assert classification_bic(weighted, model.labels_, 2, *args) == pytest.approx(
        classification_bic(repeated, model.labels_[repeated_rows], 2, *args), rel=1e-12)


def test_classification_bic_feature_weight_is_a_repeated_column():
    X, _ = make_mixed_blobs(60, n_numeric=2, n_categorical=1, n_clusters=2, random_state=4)
    doubled = X.assign(num_0_again=X["num_0"])
    model, encoded = _encoded(X, weights={"num_0": 2.0})
    labels = model.labels_
    plain, plain_encoded = _encoded(doubled)
    enc = model.encoder_
    got = classification_bic(encoded, labels, 2, enc.numeric_weights_,
                             enc.categorical_weights_, enc.n_levels)
    enc2 = plain.encoder_
    expected = classification_bic(plain_encoded, labels, 2, enc2.numeric_weights_,
                                  enc2.categorical_weights_, enc2.n_levels)
    # a weight of 2 scales that feature by sqrt(2): a constant Jacobian term in log L
    jacobian = 2 * 60 * np.log(np.sqrt(2.0)) * 2
    assert got == pytest.approx(expected + jacobian, rel=1e-9)


def test_segment_jaccard():
    reference = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    other = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    # segment 0 best matches other's 1 ({0,1,2} of {0,1,2,3}); segment 1 other's 0
    np.testing.assert_allclose(segment_jaccard(reference, other, 2), [3 / 4, 4 / 5])
    weight = np.array([1, 1, 1, 3, 1, 1, 1, 1.0])
    np.testing.assert_allclose(segment_jaccard(reference, other, 2, weight),
                               [3 / 6, 4 / 7])
    assert np.isnan(segment_jaccard(np.array([0, 0]), np.array([0, 1]), 2)[1])


def test_prediction_strength():
    test = np.array([0, 0, 0, 0, 1, 1, 1])
    predicted = np.array([0, 0, 0, 1, 2, 2, 2])
    # test segment 0: 3 of its 6 pairs kept together; segment 1: all 3
    assert prediction_strength(test, predicted) == pytest.approx(3 / 6)
    assert prediction_strength(test, test) == 1.0
    # integer weights = repeated rows
    weight = np.array([2, 1, 1, 1, 1, 1, 1.0])
    repeated = np.r_[0, test]
    assert prediction_strength(test, predicted, weight) == pytest.approx(
        prediction_strength(repeated, np.r_[0, predicted]))
