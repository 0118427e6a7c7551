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
