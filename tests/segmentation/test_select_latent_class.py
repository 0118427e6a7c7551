"""The latent-class model select_k scores each k by: its likelihood terms and classification EM."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import adjusted_rand_score

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes
from dash_personas.segmentation._latent_class import LatentClassModel


def _model(X, sample_weight=None, rows=None):
    """The model's terms on ``X`` (or on ``X.iloc[rows]`` with the encoding of ``X``)."""
    encoder = KPrototypes(2, n_init=1, random_state=0).fit(X).encoder_
    encoded = encoder.transform(X if rows is None else X.iloc[rows],
                                sample_weight=sample_weight)
    return LatentClassModel(encoded, encoder.numeric_weights_, encoder.categorical_weights_,
                            encoder.n_levels), encoded


def test_log_joint_is_the_segment_share_gaussians_and_multinomials():
    X, _ = make_mixed_blobs(90, n_numeric=2, n_categorical=2, n_clusters=3, random_state=5)
    model, encoded = _model(X)
    labels = np.arange(90) % 3
    joint = model.log_joint(model.partition_parameters(labels, 3))
    for c in range(3):
        rows = labels == c
        expected = np.full(90, np.log(rows.mean()))
        for j in range(2):
            z = encoded.numeric[rows, j]
            expected += norm.logpdf(encoded.numeric[:, j], z.mean(), z.std())
        for j in range(2):
            codes = encoded.categorical[:, j]
            share = np.bincount(codes[rows], minlength=codes.max() + 1) / rows.sum()
            with np.errstate(divide="ignore"):
                expected += np.maximum(np.log(share[codes]), -700.0)
        np.testing.assert_allclose(joint[:, c], expected, rtol=1e-10)
    # the partition's BIC is its rows' log_joint under their own segments, penalised
    own = joint[np.arange(90), labels].sum()
    assert model.classification_bic(labels, 3) == pytest.approx(
        -2 * own + model.n_parameters(3) * np.log(90), rel=1e-12)


def test_classification_em_climbs_to_a_fixed_point():
    X, truth = make_mixed_blobs(400, n_numeric=4, n_categorical=4, n_clusters=3,
                                separation=3.0, random_state=1)
    model, _ = _model(X)
    rng = np.random.default_rng(0)
    # a poor start: the planted partition with 40 % of the rows relabelled at random
    labels = np.where(rng.random(400) < 0.4, rng.integers(0, 3, 400), truth)
    start_ari = adjusted_rand_score(truth, labels)
    bics = [model.classification_bic(labels, 3)]
    for _ in range(10):
        labels = model.classification_em(labels, 3, max_iter=1)
        bics.append(model.classification_bic(labels, 3))
    assert np.all(np.diff(bics) <= 1e-9 * abs(bics[0]))  # each pass can only help
    assert bics[-1] < bics[0]
    settled = model.classification_em(labels, 3)
    assert np.array_equal(model.classification_em(settled, 3, max_iter=1), settled)
    assert start_ari < 0.7 < 0.95 < adjusted_rand_score(truth, settled)


def test_classification_em_weights_are_repeated_rows():
    X, _ = make_mixed_blobs(120, n_numeric=3, n_categorical=3, n_clusters=3, separation=1.0,
                            missing_rate=0.05, random_state=2)
    weight = np.random.default_rng(1).integers(1, 4, size=120)
    weighted, _ = _model(X, weight)
    repeated_rows = np.repeat(np.arange(120), weight)
    repeated, _ = _model(X, rows=repeated_rows)
    start = np.arange(120) % 3
    moved = weighted.classification_em(start, 3)
    assert np.array_equal(repeated.classification_em(start[repeated_rows], 3),
                          moved[repeated_rows])
    assert weighted.classification_bic(moved, 3) == pytest.approx(
        repeated.classification_bic(moved[repeated_rows], 3), rel=1e-12)


def test_an_emptied_segment_pays_for_its_parameters():
    X, truth = make_mixed_blobs(200, n_numeric=2, n_categorical=2, n_clusters=2,
                                separation=4.0, random_state=3)
    model, _ = _model(X)
    labels = np.unique(truth, return_inverse=True)[1]
    two = model.classification_bic(labels, 2)
    three_with_one_empty = model.classification_bic(labels, 3)
    assert three_with_one_empty - two == pytest.approx(
        (model.n_parameters(3) - model.n_parameters(2)) * np.log(200), rel=1e-9)
