"""The distance object: every view of the k-prototypes distance agrees with a brute force.

``KPrototypesDistance`` is the only place the distance is computed. Its three views
(to prototypes, pairwise, per-feature contributions) are checked against a formula
written out row by row on hand-made encoded data with weights, missing values and an
unseen level, against each other, and through the estimator against the original
columns (``brute_force_distances`` in conftest reads only ``cluster_centers_``).
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import (
    EncodedData,
    KPrototypes,
    KPrototypesDistance,
    Prototypes,
    TypingTool,
    pairwise_kprototypes_distances,
)
from dash_personas.segmentation._encoding import MISSING, UNSEEN

NUMERIC_WEIGHTS = np.array([1.0, 3.0, 0.5])
CATEGORICAL_WEIGHTS = np.array([2.0, 1.0, 0.25, 1.0])
N_LEVELS = [3, 2, 5, 4]
GAMMA = 0.6


def hand_made(n: int = 40, seed: int = 0, unseen: bool = True) -> EncodedData:
    """Encoded rows built directly: gaps in every column, an unseen level, weights."""
    rng = np.random.default_rng(seed)
    observed = rng.random((n, 3)) > 0.2
    numeric = np.where(observed, rng.normal(size=(n, 3)) * np.sqrt(NUMERIC_WEIGHTS), 0.0)
    categorical = np.column_stack([rng.integers(0, n_lev, n) for n_lev in N_LEVELS])
    categorical[rng.random((n, 4)) < 0.2] = MISSING
    if unseen:
        categorical[::7, 2] = UNSEEN
    categorical[0] = MISSING  # a row with only numeric values observed
    observed[0] = True
    numeric[0] = rng.normal(size=3)
    seen = observed @ NUMERIC_WEIGHTS + (categorical != MISSING) @ CATEGORICAL_WEIGHTS
    total = NUMERIC_WEIGHTS.sum() + CATEGORICAL_WEIGHTS.sum()
    return EncodedData(numeric=numeric, numeric_mask=observed,
                       categorical=categorical.astype(np.int32), row_scale=total / seen)


def distance() -> KPrototypesDistance:
    return KPrototypesDistance(NUMERIC_WEIGHTS, CATEGORICAL_WEIGHTS, N_LEVELS, GAMMA)


def some_prototypes(k: int = 4, seed: int = 1) -> Prototypes:
    rng = np.random.default_rng(seed)
    return Prototypes(rng.normal(size=(k, 3)),
                      np.column_stack([rng.integers(0, n_lev, k) for n_lev in N_LEVELS]
                                      ).astype(np.int32))


def brute_force_pair(data: EncodedData, i: int, other: EncodedData | Prototypes, c: int,
                     to_prototype: bool) -> tuple[np.ndarray, float]:
    """Per-feature terms and the rescaling factor of one (row, prototype or row) pair."""
    terms = []
    seen = 0.0
    for j, weight in enumerate(NUMERIC_WEIGHTS):
        if isinstance(other, Prototypes):
            x_observed, value = True, other.numeric[c, j]
        else:
            x_observed, value = bool(other.numeric_mask[c, j]), other.numeric[c, j]
        if data.numeric_mask[i, j] and x_observed:
            seen += weight
            terms.append((data.numeric[i, j] - value) ** 2)
        else:
            terms.append(0.0)
    for j, weight in enumerate(CATEGORICAL_WEIGHTS):
        code = data.categorical[i, j]
        other_code = other.categorical[c, j]
        if code == MISSING or other_code == MISSING:
            terms.append(0.0)
            continue
        seen += weight
        # an unseen level never equals a prototype's level
        mismatch = code != other_code or (to_prototype and code == UNSEEN)
        terms.append(GAMMA * weight * mismatch)
    total = NUMERIC_WEIGHTS.sum() + CATEGORICAL_WEIGHTS.sum()
    return np.array(terms), (total / seen if seen else 0.0)


def test_to_prototypes_and_contributions_match_the_brute_force():
    data, prototypes = hand_made(), some_prototypes()
    dist = distance()
    got = dist.to_prototypes(data, prototypes)
    parts = dist.contributions(data, prototypes)
    raw_parts = dist.contributions(data, prototypes, rescale=False)
    assert got.shape == (40, 4) and parts.shape == (7, 40, 4)
    for i in range(data.n_samples):
        for c in range(prototypes.n_clusters):
            terms, factor = brute_force_pair(data, i, prototypes, c, to_prototype=True)
            np.testing.assert_allclose(raw_parts[:, i, c], terms, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(parts[:, i, c], terms * factor, rtol=1e-12, atol=1e-12)
            assert got[i, c] == pytest.approx(terms.sum() * factor, rel=1e-9, abs=1e-9)


def test_the_three_views_agree():
    data, prototypes = hand_made(seed=3), some_prototypes(k=5, seed=4)
    dist = distance()
    to_prototypes = dist.to_prototypes(data, prototypes)
    np.testing.assert_allclose(dist.contributions(data, prototypes).sum(axis=0), to_prototypes,
                               rtol=1e-9, atol=1e-9)
    labels, nearest = dist.nearest(data, prototypes)
    np.testing.assert_array_equal(labels, np.argmin(to_prototypes, axis=1))
    np.testing.assert_allclose(nearest, to_prototypes.min(axis=1), rtol=1e-12)
    # pairwise to complete rows = distance to prototypes made of those rows
    clean = hand_made(seed=5, unseen=False)
    complete = np.flatnonzero(clean.numeric_mask.all(axis=1)
                              & (clean.categorical != MISSING).all(axis=1))
    assert complete.size >= 3
    as_prototypes = Prototypes(clean.numeric[complete], clean.categorical[complete])
    pairwise = dist.pairwise(clean)
    expected = dist.to_prototypes(clean, as_prototypes)
    expected[complete, np.arange(complete.size)] = 0.0  # a row to itself
    np.testing.assert_allclose(pairwise[:, complete], expected, rtol=1e-9, atol=1e-9)


def test_pairwise_matches_the_brute_force_and_chunks_do_not_matter():
    data = hand_made(n=30, seed=6, unseen=False)
    dist = distance()
    whole = dist.pairwise(data)
    for chunk_rows in (1, 7, 30):
        np.testing.assert_allclose(dist.pairwise(data, chunk_rows=chunk_rows), whole,
                                   rtol=1e-12, atol=1e-12)
    for i in range(30):
        for j in range(30):
            terms, factor = brute_force_pair(data, i, data, j, to_prototype=False)
            expected = 0.0 if i == j else terms.sum() * factor
            assert whole[i, j] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(whole, whole.T, rtol=1e-12, atol=1e-12)


def test_distances_without_gaps_are_not_rescaled():
    data = hand_made()
    full = EncodedData(np.where(data.numeric_mask, data.numeric, 1.0), None,
                       np.where(data.categorical == MISSING, 0, data.categorical), None)
    dist, prototypes = distance(), some_prototypes()
    parts = dist.contributions(full, prototypes)
    np.testing.assert_array_equal(parts, dist.contributions(full, prototypes, rescale=False))
    np.testing.assert_allclose(parts.sum(axis=0), dist.to_prototypes(full, prototypes),
                               rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------ through the estimator
@pytest.fixture(scope="module")
def gappy_model():
    X, _ = make_mixed_blobs(150, n_numeric=3, n_categorical=3, n_clusters=3,
                            missing_rate=0.15, random_state=11)
    weights = {"num_0": 2.5, "cat_1": 0.5}
    model = KPrototypes(3, weights=weights, n_init=2, random_state=0).fit(X)
    return X, model, weights


def test_fitted_attributes_describe_the_model(gappy_model):
    X, model, weights = gappy_model
    encoder = model.encoder_
    assert list(encoder.feature_names_in_) == list(X.columns)
    assert model.distance_.gamma == model.gamma_
    np.testing.assert_array_equal(model.distance_.numeric_weights,
                                  [weights.get(c, 1.0) for c in encoder.numeric_features_])
    assert model.prototypes_.n_clusters == 3
    pd.testing.assert_frame_equal(
        encoder.decode_prototypes(model.prototypes_.numeric, model.prototypes_.categorical),
        model.cluster_centers_)
    np.testing.assert_array_equal(
        model.distance_.to_prototypes(encoder.transform(X), model.prototypes_),
        model.transform(X))


def test_predict_transform_and_score_follow_the_formula(gappy_model, reference_distances):
    X, model, weights = gappy_model
    expected = reference_distances(model, X, X, weights)
    np.testing.assert_allclose(model.transform(X), expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(model.predict(X), np.argmin(expected, axis=1))
    np.testing.assert_array_equal(model.labels_, np.argmin(expected, axis=1))
    assert model.score(X) == pytest.approx(-expected.min(axis=1).sum(), rel=1e-9)
    assert model.cost_ == pytest.approx(expected.min(axis=1).sum(), rel=1e-9)


def test_pairwise_function_follows_the_formula(gappy_model, reference_distances):
    X, model, weights = gappy_model
    rows = X.iloc[:25]
    got = pairwise_kprototypes_distances(model, rows)
    complete = np.flatnonzero(rows.notna().all(axis=1).to_numpy())
    # distances to complete rows = distances to prototypes made of those rows
    as_prototypes = types.SimpleNamespace(
        cluster_centers_=rows.iloc[complete].reset_index(drop=True),
        numeric_features_=model.numeric_features_,
        categorical_features_=model.categorical_features_, scale=True, gamma_=model.gamma_)
    expected = reference_distances(as_prototypes, X, rows, weights)
    expected[complete, np.arange(complete.size)] = 0.0
    np.testing.assert_allclose(got[:, complete], expected, rtol=1e-9, atol=1e-9)


def test_typing_tool_follows_the_formula(gappy_model):
    X, model, weights = gappy_model
    tool = TypingTool.build(model, X, max_questions=3, target_accuracy=1.1, random_state=2)
    reference = model.predict(X)
    held_out = np.random.default_rng(2).permutation(len(X))[:round(0.3 * len(X))]
    centres = model.cluster_centers_

    def assigned(questions):
        """Nearest prototype on the questions only, written out (rows x prototypes)."""
        distances = np.zeros((len(X), len(centres)))
        for name in questions:
            weight = weights.get(name, 1.0)
            if name in model.numeric_features_:
                values = X[name].to_numpy(float)
                sd = np.nanstd(values)
                diff = (values[:, None] - centres[name].to_numpy(float)[None, :]) / sd
                distances += np.nan_to_num(weight * diff**2)  # unanswered: no contribution
            else:
                values = X[name].to_numpy(object)
                answered = ~pd.isna(values)
                mismatch = values[:, None] != centres[name].to_numpy(object)[None, :]
                distances += model.gamma_ * weight * (mismatch & answered[:, None])
        return np.argmin(distances, axis=1)

    assert len(tool.questions) == 3
    for step in range(3):
        labels = assigned(tool.questions[: step + 1])
        accuracy = np.mean(labels[held_out] == reference[held_out])
        assert tool.curve["accuracy"].iloc[step] == pytest.approx(accuracy)
    answered = X[tool.questions].notna().any(axis=1).to_numpy()
    np.testing.assert_array_equal(tool.predict(X[answered]),
                                  assigned(tool.questions)[answered])
