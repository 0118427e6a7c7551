"""Bounded late passes: the same run as full passes, computing far fewer distances."""

from __future__ import annotations

import numpy as np
import pytest

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation._encoding import MixedEncoder
from dash_personas.segmentation._kernels import KPrototypesDistance
from dash_personas.segmentation._lloyd import lloyd, run_to_optimum


def overlapping(missing_rate: float, weighted: bool, n: int = 3_000, seed: int = 0,
                separation: float = 0.5, n_features: int = 5):
    """Overlapping segments (many late passes), optionally with gaps and sample weights."""
    X, _ = make_mixed_blobs(n, n_numeric=n_features, n_categorical=n_features, n_clusters=5,
                            separation=separation, concentration=0.3,
                            missing_rate=missing_rate, random_state=seed)
    weight = np.random.default_rng(seed).integers(1, 4, n).astype(float) if weighted else None
    encoder = MixedEncoder()
    encoded = encoder.fit_transform(X, sample_weight=weight)
    return KPrototypesDistance.from_encoder(encoder, gamma=0.8).prepare(encoded)


CASES = [(0.0, False), (0.1, False), (0.1, True)]


@pytest.mark.parametrize(("missing_rate", "weighted"), CASES)
def test_a_bounded_run_ends_where_full_passes_end(missing_rate, weighted):
    data = overlapping(missing_rate, weighted)
    for seed in range(3):
        start = data.row_as_center(np.random.default_rng(seed).choice(data.n, 5, replace=False))
        early = lloyd(data, start, 100, 1e-3, False, 0, 1)
        assert not early.at_optimum
        full = lloyd(data, start, 100, 0.0, False, 0, 1)
        bounded = run_to_optimum(data, early, 100, False, 0, 1)
        assert bounded.at_optimum and full.at_optimum
        np.testing.assert_array_equal(bounded.labels, full.labels)
        assert bounded.n_iter == full.n_iter
        # it ends with a full pass from exactly summed statistics: the same end, bit for bit
        assert bounded.cost == full.cost
        np.testing.assert_array_equal(bounded.prototypes.numeric, full.prototypes.numeric)
        np.testing.assert_array_equal(bounded.prototypes.categorical,
                                      full.prototypes.categorical)
        # the passes in between take their cost from the statistics
        np.testing.assert_allclose(bounded.cost_history, full.cost_history, rtol=1e-12)


def test_late_passes_compute_the_distances_of_few_rows(monkeypatch):
    data = overlapping(0.1, True, n=4_000, separation=1.0, n_features=6)
    start = data.row_as_center(np.arange(5))
    early = lloyd(data, start, 100, 1e-3, False, 0, 1)
    distance = data.distance
    computed, real_partial_rows = [], distance.partial_rows

    def counting_partial_rows(prepared, rows, *args):
        out = real_partial_rows(prepared, rows, *args)
        computed.append(out.shape[0])
        return out

    monkeypatch.setattr(distance, "partial_rows", counting_partial_rows)
    polished = run_to_optimum(data, early, 100, False, 0, 1)
    passes = polished.n_iter - early.n_iter
    assert passes >= 5
    # full passes: the first, the closing one (and refreshes); all the others are bounded
    full = sum(1 for rows in computed if rows == data.n)
    assert full == 2
    bounded = [rows for rows in computed if rows < data.n]
    assert len(bounded) == passes - 1  # the pass that found no row moving was closed by a full one
    assert max(bounded) <= 0.1 * data.n


@pytest.mark.parametrize("missing_rate", [0.0, 0.2])
def test_the_bounds_hold_when_prototypes_move(missing_rate):
    """sqrt(d) is a metric: a row's sqrt-distance changes by at most sqrt(scale) x drift."""
    data = overlapping(missing_rate, False, n=800)
    distance = data.distance
    rng = np.random.default_rng(1)
    old = data.row_as_center(rng.choice(data.n, 5, replace=False))
    new = data.row_as_center(rng.choice(data.n, 5, replace=False))
    new.numeric[:2] = old.numeric[:2] + 0.01 * rng.standard_normal(old.numeric[:2].shape)
    new.categorical[:2] = old.categorical[:2]
    drift = distance.prototype_drift(old, new)
    assert drift[:2].max() < drift[2:].min()
    before = np.sqrt(distance.to_prototypes(data, old))
    after = np.sqrt(distance.to_prototypes(data, new))
    scale = 1.0 if data.row_scale is None else np.sqrt(data.row_scale)[:, None]
    change = np.abs(after - before)
    assert (change <= scale * drift[None, :] * (1 + 1e-12) + 1e-12).all()
    assert (change > 0.5 * scale * drift[None, :]).any()  # and is not loose everywhere


@pytest.mark.parametrize(("missing_rate", "weighted"), CASES)
def test_the_cost_from_the_statistics_is_the_sum_over_rows(missing_rate, weighted):
    data = overlapping(missing_rate, weighted)
    rng = np.random.default_rng(2)
    centers = data.row_as_center(rng.choice(data.n, 5, replace=False))
    labels = rng.integers(0, 5, data.n).astype(np.int32)  # any labelling, not the nearest
    stats = data.stats_for_labels(labels, 5)
    squares = np.bincount(labels, data.update_weight * data.row_sq, minlength=5)
    tables = data.distance.block_tables(centers.categorical)
    own = data.distance.to_prototypes(data, centers)[np.arange(data.n), labels]
    weight = np.ones(data.n) if data.sample_weight is None else data.sample_weight
    assert data.stats_cost(stats, squares, centers, tables) == pytest.approx(
        float(own @ weight), rel=1e-12)


def test_statistics_of_rows_taken_out_and_put_back_are_running_totals():
    data = overlapping(0.1, True)
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 5, data.n).astype(np.int32)
    moved = np.sort(rng.choice(data.n, 200, replace=False))
    relabelled = labels.copy()
    relabelled[moved] = (labels[moved] + 1) % 5
    weight = data.update_weight[moved]
    running = (data.stats_for_labels(labels, 5)
               + data.stats_for_rows(moved, relabelled[moved], 5, weight)
               + data.stats_for_rows(moved, labels[moved], 5, -weight))
    exact = data.stats_for_labels(relabelled, 5)
    np.testing.assert_allclose(running.weight, exact.weight, rtol=1e-12)
    np.testing.assert_allclose(running.numeric_sum, exact.numeric_sum, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(running.numeric_weight, exact.numeric_weight, rtol=1e-12)
    for got, expected in zip(running.block_counts, exact.block_counts):
        np.testing.assert_allclose(got, expected, atol=1e-9)


@pytest.mark.parametrize(("n_numeric", "n_categorical", "k"), [(6, 0, 5), (0, 6, 5), (3, 3, 2)])
def test_bounded_runs_on_one_kind_of_feature_or_two_segments(n_numeric, n_categorical, k):
    X, _ = make_mixed_blobs(2_000, n_numeric=n_numeric, n_categorical=n_categorical,
                            n_clusters=5, separation=0.5, concentration=0.3,
                            missing_rate=0.1, random_state=0)
    encoder = MixedEncoder()
    data = KPrototypesDistance.from_encoder(encoder.fit(X), gamma=0.8).prepare(
        encoder.transform(X))
    start = data.row_as_center(np.arange(k))
    early = lloyd(data, start, 100, 1e-3, False, 0, 1)
    full = lloyd(data, start, 100, 0.0, False, 0, 1)
    bounded = run_to_optimum(data, early, 100, False, 0, 1)
    np.testing.assert_array_equal(bounded.labels, full.labels)
    assert (bounded.cost, bounded.n_iter) == (full.cost, full.n_iter)
