"""Segment profiles of Dask data: the in-memory numbers, from partition statistics."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from dash_personas import KPrototypes, profile_segments
from survey_builder.errors import UserError


def assert_same_profiles(lazy, memory) -> None:
    pd.testing.assert_frame_equal(lazy.summary, memory.summary)
    for name in ("numeric", "categorical", "drivers"):
        pd.testing.assert_frame_equal(getattr(lazy, name).reset_index(drop=True),
                                      getattr(memory, name).reset_index(drop=True),
                                      check_exact=False, rtol=1e-9, atol=1e-12)


def test_profiles_of_a_dask_fit_match_in_memory(scheduler, mixed_frame):
    X = mixed_frame(900, missing=0.05, seed=11).assign(
        region=lambda f: np.where(f["num_0"] > 0, "north", "south"), visits=np.arange(900) % 7)
    features = [c for c in X.columns if c not in ("region", "visits")]
    memory_model = KPrototypes(3, n_init=1, random_state=0, gamma=1.0).fit(X[features])
    frame = dd.from_pandas(X, npartitions=4)
    model = KPrototypes(3, n_init=1, random_state=0, gamma=1.0).fit(frame[features])
    memory = profile_segments(X, memory_model.labels_)
    # labels_ of the Dask fit and predict() both line up with the partitions
    assert_same_profiles(profile_segments(frame, model.labels_), memory)
    assert_same_profiles(profile_segments(frame, model.predict(frame[features])), memory)
    excluded = profile_segments(frame, model.labels_, exclude=["visits"])
    assert "visits" not in set(excluded.numeric["feature"])


def test_misaligned_labels_are_a_user_error(mixed_frame):
    X = mixed_frame(300)
    frame = dd.from_pandas(X, npartitions=3)
    with dask.config.set(scheduler="threads"):
        with pytest.raises(UserError, match="partitions"):
            profile_segments(frame, np.zeros(300, dtype=int))
        other = dd.from_pandas(pd.Series(np.zeros(300, dtype=int)), npartitions=2)
        with pytest.raises(UserError, match="partitions"):
            profile_segments(frame, other)


def test_weighted_profiles_match_in_memory(scheduler, mixed_frame, weights_for):
    X = mixed_frame(800, missing=0.05, seed=3).assign(
        region=lambda f: np.where(f["num_1"] > 0, "north", "south"))
    weights = weights_for(X, seed=5)
    labels = KPrototypes(3, n_init=1, random_state=0, gamma=1.0).fit(
        X.drop(columns="region")).labels_
    frame = dd.from_pandas(X.assign(w=weights), npartitions=4)
    lazy_labels = dd.from_pandas(pd.Series(labels, index=X.index), npartitions=4)
    memory = profile_segments(X, labels, sample_weight=weights.to_numpy())
    lazy = profile_segments(frame.drop(columns="w"), lazy_labels, sample_weight=frame["w"])
    assert lazy.weighted and memory.weighted
    assert_same_profiles(lazy, memory)
    # the weights changed the numbers (the test cannot pass on unweighted sums)
    unweighted = profile_segments(X, labels)
    assert not np.allclose(unweighted.numeric["mean"], memory.numeric["mean"])


def test_weights_must_be_a_dask_series_with_the_partitions(mixed_frame):
    X = mixed_frame(300)
    frame = dd.from_pandas(X, npartitions=3)
    labels = dd.from_pandas(pd.Series(np.zeros(300, dtype=int)), npartitions=3)
    with dask.config.set(scheduler="threads"):
        with pytest.raises(UserError, match="Dask Series"):
            profile_segments(frame, labels, sample_weight=np.ones(300))
        negative = dd.from_pandas(pd.Series(-np.ones(300)), npartitions=3)
        with pytest.raises(UserError, match="non-negative"):
            profile_segments(frame, labels, sample_weight=negative)
