"""Property-based tests (hypothesis) of the invariants of k-prototypes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from dash_personas.segmentation import KPrototypes

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mixed_tables(draw, missing: bool = False):
    """A small random mixed table (continuous numerics, few-level categoricals)."""
    n = draw(st.integers(8, 60))
    p_num = draw(st.integers(0, 3))
    p_cat = draw(st.integers(0 if p_num else 1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rate = draw(st.sampled_from([0.05, 0.2, 0.4])) if missing else 0.0
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    columns = {}
    for j in range(p_num):
        columns[f"n{j}"] = rng.normal(size=n) * rng.uniform(0.1, 10.0) + 3.0 * group * (j % 2)
    for j in range(p_cat):
        n_levels = int(rng.integers(2, 5))
        codes = np.where(rng.random(n) < 0.6, group % n_levels, rng.integers(0, n_levels, n))
        columns[f"c{j}"] = np.array(list("abcd"), dtype=object)[codes]
    frame = pd.DataFrame(columns)
    if rate:
        holes = rng.random(frame.shape) < rate
        holes[holes.all(axis=1), rng.integers(0, frame.shape[1])] = False
        holes[:, holes.all(axis=0)] = False
        frame = frame.mask(holes)
        if frame.isna().all(axis=1).any():  # one column: keep a value in every row
            frame = frame.fillna({frame.columns[0]: frame.iloc[:, 0].dropna().iloc[0]})
    k = draw(st.integers(2, 4))
    distinct = len(frame.astype(str).drop_duplicates())
    assume(distinct >= k)
    return frame, k


def _fit(frame, k, **params):
    params.setdefault("n_init", 1)
    params.setdefault("random_state", 0)
    return KPrototypes(k, **params).fit(frame)


@SETTINGS
@given(mixed_tables(missing=True), st.sampled_from(["k-prototypes++", "huang", "cao"]),
       st.booleans())
def test_cost_never_increases(table, init, weighted):
    frame, k = table
    sample_weight = np.random.default_rng(0).integers(1, 4, len(frame)) if weighted else None
    model = KPrototypes(k, init=init, n_init=1, tol=0.0, random_state=1).fit(
        frame, sample_weight=sample_weight)
    history = np.asarray(model.cost_history_)
    assert np.all(np.diff(history) <= 1e-9 * np.abs(history[:-1]) + 1e-12)
    assert model.cost_ == history[-1]


@SETTINGS
@given(mixed_tables(missing=True))
def test_predict_on_training_data_returns_labels(table):
    frame, k = table
    model = _fit(frame, k, n_init=2)
    np.testing.assert_array_equal(model.predict(frame), model.labels_)
    distances = model.transform(frame)
    assert model.cost_ == pytest.approx(distances.min(axis=1).sum(), rel=1e-9, abs=1e-12)


@SETTINGS
@given(mixed_tables(), st.integers(0, 2**32 - 1))
def test_relabelling_invariance(table, seed):
    """Permuting the rows, from the same prototypes, gives the same partition."""
    frame, k = table
    rows = frame.astype(str).drop_duplicates().index[:k]
    init = frame.loc[rows].reset_index(drop=True)
    order = np.random.default_rng(seed).permutation(len(frame))
    shuffled = frame.iloc[order].reset_index(drop=True)
    a = KPrototypes(k, init=init).fit(frame)
    b = KPrototypes(k, init=init).fit(shuffled)
    assert adjusted_rand_score(a.labels_[order], b.labels_) == pytest.approx(1.0)
    assert a.cost_ == pytest.approx(b.cost_, rel=1e-9, abs=1e-12)


@SETTINGS
@given(mixed_tables(missing=True), st.integers(0, 1000))
def test_same_seed_same_result(table, seed):
    frame, k = table
    a = _fit(frame, k, n_init=3, random_state=seed)
    b = _fit(frame, k, n_init=3, random_state=seed)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    pd.testing.assert_frame_equal(a.cluster_centers_, b.cluster_centers_)
    assert a.cost_ == b.cost_


@SETTINGS
@given(mixed_tables(missing=True), st.sampled_from(["k-prototypes++", "huang", "cao"]))
def test_missing_values_never_crash(table, init):
    frame, k = table
    model = _fit(frame, k, init=init)
    assert model.labels_.shape == (len(frame),)
    assert set(np.unique(model.labels_)) <= set(range(k))
    assert np.isfinite(model.cost_)
    assert np.isfinite(model.transform(frame)).all()
    assert not model.cluster_centers_.isna().any().any()
    # predicting single rows with gaps works too
    np.testing.assert_array_equal(model.predict(frame.iloc[:3]), model.labels_[:3])


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mixed_tables(missing=True), st.floats(0.0, 5.0))
def test_transform_matches_brute_force(reference_distances, table, gamma):
    frame, k = table
    model = _fit(frame, k, gamma=gamma)
    np.testing.assert_allclose(model.transform(frame),
                               reference_distances(model, frame, frame),
                               rtol=1e-8, atol=1e-8)
