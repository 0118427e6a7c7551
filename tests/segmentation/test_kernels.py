"""The chunk kernels: reducible statistics and packed categorical lookup tables."""

import numpy as np
import pytest

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation._encoding import MixedEncoder
from dash_personas.segmentation._kernels import (
    MAX_BLOCK_CODES,
    KPrototypesDistance,
    Prototypes,
    _plan_blocks,
)


def prepared(n=600, missing_rate=0.0, chunk_rows=None, seed=0):
    X, _ = make_mixed_blobs(n, n_numeric=3, n_categorical=5, n_levels=4,
                            missing_rate=missing_rate, random_state=seed)
    encoder = MixedEncoder()
    distance = KPrototypesDistance.from_encoder(encoder.fit(X), gamma=0.7)
    data = distance.prepare(encoder.transform(X))
    if chunk_rows is not None:
        data.chunk_rows = chunk_rows
    return data


def some_centers(data, k=3):
    return data.row_as_center(np.arange(k) * 7)


@pytest.mark.parametrize("missing_rate", [0.0, 0.1])
def test_statistics_of_chunks_add_up_to_the_statistics_of_the_whole(missing_rate):
    whole = prepared(missing_rate=missing_rate)
    chunked = prepared(missing_rate=missing_rate, chunk_rows=97)
    centers = some_centers(whole)
    n = whole.n
    one = whole.assign(centers, np.full(n, -1, np.int32), np.empty(n))
    many = chunked.assign(centers, np.full(n, -1, np.int32), np.empty(n))
    np.testing.assert_allclose(one.weight, many.weight)
    np.testing.assert_allclose(one.numeric_sum, many.numeric_sum)
    np.testing.assert_allclose(one.numeric_weight, many.numeric_weight)
    for a, b in zip(one.block_counts, many.block_counts):
        np.testing.assert_allclose(a, b)
    assert one.cost == pytest.approx(many.cost)
    assert one.n_changed == many.n_changed == n


def test_statistics_merge_across_workers():
    data = prepared()
    centers = some_centers(data)
    labels, _ = data.distance.nearest(data, centers)
    half = data.n // 2
    left = data.chunk_stats(0, half, labels[:half], 3, np.zeros(half), 0)
    right = data.chunk_stats(half, data.n, labels[half:], 3, np.zeros(data.n - half), 0)
    merged = left + right
    whole = data.stats_for_labels(labels, 3)
    np.testing.assert_allclose(merged.numeric_sum, whole.numeric_sum)
    np.testing.assert_allclose(merged.weight, np.bincount(labels, minlength=3))
    # the merged statistics give the same prototypes as the whole
    a = data.update_centers(merged, centers)
    b = data.update_centers(whole, centers)
    np.testing.assert_allclose(a.numeric, b.numeric)
    np.testing.assert_array_equal(a.categorical, b.categorical)


def test_updated_prototypes_are_means_and_modes():
    data = prepared()
    centers = some_centers(data)
    labels, _ = data.distance.nearest(data, centers)
    updated = data.update_centers(data.stats_for_labels(labels, 3), centers)
    codes = data.data.categorical
    for cluster in range(3):
        members = labels == cluster
        np.testing.assert_allclose(updated.numeric[cluster], data.numeric[members].mean(axis=0))
        for j in range(codes.shape[1]):
            counts = np.bincount(codes[members, j], minlength=4)
            assert counts[updated.categorical[cluster, j]] == counts.max()


def test_lookup_tables_match_direct_mismatch_counting():
    data = prepared(missing_rate=0.15)
    centers = some_centers(data, k=4)
    got = data.distance.to_prototypes(data, centers)
    codes = data.data.categorical
    mask = data.mask
    expected = np.empty_like(got)
    for c in range(4):
        num = ((data.numeric - centers.numeric[c]) ** 2 * mask).sum(axis=1)
        cat = ((codes != centers.categorical[c]) & (codes >= 0)).sum(axis=1)
        expected[:, c] = (num + 0.7 * cat) * data.row_scale
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def test_blocks_never_exceed_the_table_size_and_cover_every_column():
    radix = [3, 7, 12, 5, 40, 2, 2, 2, 9000, 4]
    blocks = _plan_blocks(radix)
    assert sorted(j for block in blocks for j in block) == list(range(len(radix)))
    for block in blocks:
        size = int(np.prod([radix[j] for j in block]))
        assert size <= MAX_BLOCK_CODES or len(block) == 1


def test_candidate_totals_equal_full_computation():
    data = prepared(chunk_rows=50)
    closest = data.distance.to_prototypes(data, data.row_as_center(np.array([0])))[:, 0]
    candidates = data.row_as_center(np.array([3, 100, 250]))
    totals = data.candidate_totals(candidates, closest)
    full = np.minimum(closest[:, None], data.distance.to_prototypes(data, candidates)).sum(axis=0)
    np.testing.assert_allclose(totals, full)
    assert isinstance(candidates, Prototypes)
