"""Soft membership: margin, confidence and probabilities of each row's segment."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, membership_from_distances
from dash_personas.segmentation._membership import membership_probabilities


@pytest.fixture(scope="module")
def fitted():
    X, _ = make_mixed_blobs(800, n_numeric=3, n_categorical=3, n_clusters=4, separation=1.2,
                            missing_rate=0.05, random_state=3)
    model = KPrototypes(4, n_init=2, random_state=0).fit(X)
    return X, model


def _brute_probabilities(model, X):
    distances = model.transform(X)
    n_features = len(model.numeric_features_) + len(model.categorical_features_)
    temperature = 2 * (model.cost_ / len(X)) / n_features  # every feature weight is 1
    weights = np.exp(-(distances - distances.min(axis=1, keepdims=True)) / temperature)
    return weights / weights.sum(axis=1, keepdims=True)


def test_probabilities_sum_to_one_and_peak_at_predict(fitted):
    X, model = fitted
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(proba.argmax(axis=1), model.predict(X))
    np.testing.assert_allclose(proba, _brute_probabilities(model, X), rtol=1e-10, atol=1e-15)
    assert 0.2 < proba.max(axis=1).min() and proba.max(axis=1).mean() < 1.0


def test_membership_matches_a_recomputation_from_transform(fitted):
    X, model = fitted
    membership = model.membership(X)
    distances = model.transform(X)
    ranked = np.argsort(distances, axis=1, kind="stable")
    d1 = distances[np.arange(len(X)), ranked[:, 0]]
    d2 = distances[np.arange(len(X)), ranked[:, 1]]
    np.testing.assert_array_equal(membership.segment, model.predict(X))
    np.testing.assert_array_equal(membership.second_segment, ranked[:, 1])
    np.testing.assert_allclose(membership.distance, d1)
    np.testing.assert_allclose(membership.second_distance, d2)
    np.testing.assert_allclose(membership.margin, d2 - d1)
    np.testing.assert_allclose(membership.confidence, (d2 - d1) / d2)
    np.testing.assert_allclose(membership.probability, _brute_probabilities(model, X).max(axis=1))
    table = membership.to_frame()
    assert list(table.columns) == ["segment", "second_segment", "distance", "second_distance",
                                   "margin", "confidence", "probability"]


def test_membership_after_fit_is_that_of_the_training_rows(fitted):
    X, model = fitted
    again = model.membership(X)
    np.testing.assert_array_equal(model.membership_.segment, model.labels_)
    np.testing.assert_array_equal(model.membership_.second_segment, again.second_segment)
    np.testing.assert_allclose(model.membership_.probability, again.probability)


def test_a_loaded_model_gives_the_same_probabilities(fitted, tmp_path):
    X, model = fitted
    model.save(tmp_path / "model.json")
    loaded = KPrototypes.load(tmp_path / "model.json")
    assert loaded.membership_temperature_ == pytest.approx(model.membership_temperature_)
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))


def test_probability_and_confidence_grow_with_the_margin():
    X, _ = make_mixed_blobs(600, n_clusters=2, separation=1.0, random_state=5)
    model = KPrototypes(2, n_init=2, random_state=0).fit(X)
    membership = model.membership(X)
    by_margin = np.argsort(membership.margin)
    assert np.all(np.diff(membership.probability[by_margin]) >= -1e-12)
    assert membership.probability.min() >= 0.5
    # the relative margin grows with the margin among rows at one runner-up distance
    d2 = 10.0
    d1 = np.array([9.0, 5.0, 1.0, 0.0])
    confidence = membership_from_distances(np.column_stack([d1, np.full(4, d2)])).confidence
    assert np.all(np.diff(confidence) > 0)
    np.testing.assert_allclose(confidence, (d2 - d1) / d2)


def test_edge_cases_single_segment_zero_temperature_and_ties():
    one = membership_from_distances(np.array([[0.0], [2.0]]), temperature=1.0)
    np.testing.assert_array_equal(one.second_segment, [-1, -1])
    np.testing.assert_array_equal(one.confidence, [1.0, 1.0])
    np.testing.assert_array_equal(one.probability, [1.0, 1.0])
    hard = membership_probabilities(np.array([[1.0, 3.0, 1.0], [0.0, 0.0, 0.0], [4.0, 2.0, 9.0]]),
                                    temperature=0.0)
    np.testing.assert_array_equal(hard, [[0.5, 0.0, 0.5], [1 / 3, 1 / 3, 1 / 3], [0, 1, 0]])
    tied = membership_from_distances(np.array([[0.0, 0.0], [2.0, 2.0]]))
    np.testing.assert_array_equal(tied.confidence, [0.0, 0.0])


def test_mean_probability_matches_the_share_assigned_to_the_planted_segment():
    # calibration: the average top probability estimates how often the segment is right
    for separation in (0.8, 1.2):
        X, truth = make_mixed_blobs(3000, n_numeric=4, n_categorical=4, n_clusters=4,
                                    separation=separation, random_state=1)
        model = KPrototypes(4, n_init=3, random_state=0).fit(X.iloc[:1500])
        test = X.iloc[1500:]
        counts = pd.crosstab(model.predict(test), truth[1500:]).to_numpy()
        rows, columns = linear_sum_assignment(-counts)
        accuracy = counts[rows, columns].sum() / len(test)
        mean_top = model.predict_proba(test).max(axis=1).mean()
        assert mean_top == pytest.approx(accuracy, abs=0.03), (separation, accuracy)
