"""A Dask fit is the in-memory fit: same labels, cost, prototypes and passes."""

from __future__ import annotations

import subprocess
import sys
import warnings

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from dash_personas import KPrototypes
from survey_builder.errors import UserError


def assert_same_fit(dask_model: KPrototypes, memory_model: KPrototypes) -> None:
    labels = np.asarray(dask_model.labels_.compute())
    np.testing.assert_array_equal(labels, memory_model.labels_)
    assert dask_model.cost_ == pytest.approx(memory_model.cost_, rel=1e-10)
    assert dask_model.n_iter_ == memory_model.n_iter_
    np.testing.assert_allclose(dask_model.cost_history_, memory_model.cost_history_, rtol=1e-10)
    np.testing.assert_allclose(dask_model.prototypes_.numeric, memory_model.prototypes_.numeric,
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(dask_model.prototypes_.categorical,
                                  memory_model.prototypes_.categorical)
    np.testing.assert_array_equal(dask_model.cluster_sizes_, memory_model.cluster_sizes_)
    assert dask_model.gamma_ == pytest.approx(memory_model.gamma_, rel=1e-12)
    assert dask_model.encoder_.levels_ == memory_model.encoder_.levels_
    np.testing.assert_allclose(dask_model.encoder_.mean_, memory_model.encoder_.mean_,
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dask_model.encoder_.std_, memory_model.encoder_.std_, rtol=1e-10)
    pd.testing.assert_frame_equal(dask_model.cluster_centers_, memory_model.cluster_centers_,
                                  rtol=1e-9)


def test_fit_from_given_prototypes_matches_in_memory(scheduler, mixed_frame):
    X = mixed_frame(1200, missing=0.05)
    init = X.iloc[[3, 300, 600, 900]].fillna({"num_0": 0.0, "num_1": 0.0, "num_2": 0.0,
                                               "num_3": 0.0, "cat_0": "a", "cat_1": "a",
                                               "cat_2": "a", "cat_3": "a"})
    params = dict(init=init, n_init=1, gamma=1.2)
    memory = KPrototypes(4, **params).fit(X)
    fitted = KPrototypes(4, **params).fit(dd.from_pandas(X, npartitions=4))
    assert isinstance(fitted.labels_, da.Array)
    assert memory.n_iter_ > 2  # the passes, not only the seeding, are compared
    assert_same_fit(fitted, memory)


def test_seeded_restarts_with_weights_match_in_memory(scheduler, mixed_frame, weights_for):
    # more rows than the seeding sample (2,500 for k=4): seeding fetches sampled rows
    X = mixed_frame(3000, missing=0.03, seed=2)
    weight = weights_for(X)
    params = dict(n_init=3, random_state=7, gamma=1.5)
    memory = KPrototypes(4, **params).fit(X, sample_weight=weight)
    frame = dd.from_pandas(X.assign(w=weight), npartitions=5)
    fitted = KPrototypes(4, **params).fit(frame.drop(columns="w"), sample_weight=frame["w"])
    assert_same_fit(fitted, memory)
    np.testing.assert_allclose(fitted.restarts_.costs, memory.restarts_.costs, rtol=1e-10)
    np.testing.assert_allclose(fitted.restarts_.top_ari, memory.restarts_.top_ari)
    np.testing.assert_array_equal(fitted.restarts_.top_labels.compute(),
                                  memory.restarts_.top_labels)
    # weighted segment sizes, as in memory (not the row counts)
    np.testing.assert_allclose(fitted.cluster_weights_, memory.cluster_weights_, rtol=1e-12)
    assert not np.allclose(fitted.cluster_weights_, fitted.cluster_sizes_)


def test_small_data_tol_and_cached_or_not_give_the_in_memory_fit(mixed_frame):
    X = mixed_frame(800, seed=3)
    params = dict(n_init=2, random_state=0, tol=1e-3)  # gamma="auto": all rows are the sample
    memory = KPrototypes(3, **params).fit(X)
    for cache in (True, False):
        with dask.config.set(scheduler="threads", **{"dash_personas.cache": cache}):
            assert_same_fit(KPrototypes(3, **params).fit(dd.from_pandas(X, npartitions=3)),
                            memory)


def test_empty_clusters_are_reseeded_as_in_memory(mixed_frame):
    X = mixed_frame(600, seed=4)
    init = X.iloc[[0, 0, 0, 10]]  # three identical prototypes: two clusters start empty
    memory = KPrototypes(4, init=init, n_init=1, gamma=1.0).fit(X)
    with dask.config.set(scheduler="threads"):
        fitted = KPrototypes(4, init=init, n_init=1, gamma=1.0).fit(
            dd.from_pandas(X, npartitions=3))
    assert (memory.cluster_sizes_ > 0).all()
    assert_same_fit(fitted, memory)


def test_inference_is_lazy_and_matches_in_memory(scheduler, mixed_frame):
    X = mixed_frame(900, missing=0.05, seed=5)
    model = KPrototypes(4, n_init=2, random_state=1).fit(X)
    frame = dd.from_pandas(X, npartitions=3)
    labels = model.predict(frame)
    assert isinstance(labels, dd.Series) and labels.name == "segment"
    # the fitted model is one task of the graph: sent to each worker once
    keys = [key for key in labels.__dask_graph__() if "kprototypes-model" in str(key)]
    assert len(keys) == 1
    computed = labels.compute()
    pd.testing.assert_index_equal(computed.index, X.index)
    np.testing.assert_array_equal(computed.to_numpy(), model.predict(X))
    np.testing.assert_allclose(model.transform(frame).compute(), model.transform(X),
                               rtol=1e-10)
    assert model.score(frame) == pytest.approx(model.score(X), rel=1e-10)


def test_dask_array_with_categorical_positions(mixed_frame):
    X = mixed_frame(700, seed=6)
    array = X.to_numpy(dtype=object)
    memory = KPrototypes(4, categorical=[4, 5, 6, 7], n_init=1, random_state=0,
                         gamma=1.0).fit(array)
    with dask.config.set(scheduler="threads"):
        lazy = da.from_array(array, chunks=(250, 8))
        fitted = KPrototypes(4, categorical=[4, 5, 6, 7], n_init=1, random_state=0,
                             gamma=1.0).fit(lazy)
        assert_same_fit(fitted, memory)
        with pytest.raises(UserError, match="needs categorical="):
            KPrototypes(4).fit(lazy)


def test_importing_the_package_does_not_import_dask():
    code = ("import sys, dash_personas, dash_personas.segmentation; "
            "print([m for m in ('dask', 'distributed') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_unseen_levels_at_predict_count_as_mismatches(mixed_frame):
    X = mixed_frame(600, seed=8)
    model = KPrototypes(4, n_init=1, random_state=0).fit(X)
    new = X.head(50).copy()
    new.loc[new.index[:5], "cat_0"] = "never seen"
    with dask.config.set(scheduler="sync"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labels = model.predict(dd.from_pandas(new, npartitions=2)).compute()
        score = model.score(dd.from_pandas(new, npartitions=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(labels.to_numpy(), model.predict(new))
        assert score == pytest.approx(model.score(new))
    assert any("never seen during fit" in str(w.message) for w in caught)


def test_zero_weight_features_still_get_segment_means(mixed_frame):
    X = mixed_frame(500, missing=0.05, seed=13)
    params = dict(n_init=1, random_state=0, gamma=1.0, weights={"num_0": 0.0})
    memory = KPrototypes(3, **params).fit(X)
    with dask.config.set(scheduler="threads"):
        fitted = KPrototypes(3, **params).fit(dd.from_pandas(X, npartitions=2))
    assert memory.cluster_centers_["num_0"].nunique() == 3  # a real per-segment mean
    assert_same_fit(fitted, memory)
