"""Bad Dask input: a clear error or the right model, never a hang or a wrong model."""

from __future__ import annotations

import os
import uuid

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from dask import delayed

from dash_personas import KPrototypes
from survey_builder.errors import UserError


def frame_of(parts: list[pd.DataFrame]) -> dd.DataFrame:
    return dd.from_delayed([delayed(p) for p in parts], meta=parts[0].iloc[:0],
                           verify_meta=False)


def test_inconsistent_dtypes_across_partitions_name_column_and_partition(mixed_frame):
    X = mixed_frame(400)
    second = X.iloc[200:].astype({"num_1": str})  # one file read the column as text
    with dask.config.set(scheduler="threads"), pytest.raises(UserError) as caught:
        KPrototypes(3, n_init=1).fit(frame_of([X.iloc[:200], second]))
    assert "'num_1'" in str(caught.value) and "partition 1" in str(caught.value)


def test_numbers_in_a_text_column_of_one_partition_are_refused(mixed_frame):
    X = mixed_frame(400)
    second = X.iloc[200:].assign(cat_2=np.arange(200))
    with dask.config.set(scheduler="threads"), pytest.raises(UserError, match="'cat_2'"):
        KPrototypes(3, n_init=1).fit(frame_of([X.iloc[:200], second]))


def test_an_empty_partition_changes_nothing(mixed_frame):
    X = mixed_frame(600, missing=0.05)
    memory = KPrototypes(3, n_init=2, random_state=3, gamma=1.0).fit(X)
    parts = [X.iloc[:300], X.iloc[:0], X.iloc[300:]]
    with dask.config.set(scheduler="threads"):
        fitted = KPrototypes(3, n_init=2, random_state=3, gamma=1.0).fit(frame_of(parts))
        labels = fitted.predict(frame_of(parts)).compute()
    np.testing.assert_array_equal(fitted.labels_.compute(), memory.labels_)
    assert fitted.cost_ == pytest.approx(memory.cost_, rel=1e-10)
    np.testing.assert_array_equal(labels.to_numpy(), memory.labels_)


def test_unknown_categories_are_learnt_from_the_partitions(mixed_frame):
    X = mixed_frame(600).astype({"cat_0": "category", "cat_1": "category"})
    lazy = dd.from_pandas(X, npartitions=3)
    lazy["cat_0"] = lazy["cat_0"].cat.as_unknown()
    assert not lazy["cat_0"].cat.known
    memory = KPrototypes(3, n_init=1, random_state=0, gamma=1.0).fit(X)
    with dask.config.set(scheduler="threads"):
        fitted = KPrototypes(3, n_init=1, random_state=0, gamma=1.0).fit(lazy)
    assert fitted.encoder_.levels_ == memory.encoder_.levels_
    np.testing.assert_array_equal(fitted.labels_.compute(), memory.labels_)


def test_no_rows_and_bad_weights_are_user_errors(mixed_frame):
    X = mixed_frame(300)
    with dask.config.set(scheduler="threads"):
        with pytest.raises(UserError, match="empty data"):
            KPrototypes(3).fit(frame_of([X.iloc[:0], X.iloc[:0]]))
        lazy = dd.from_pandas(X.assign(w=-1.0), npartitions=2)
        with pytest.raises(UserError, match="non-negative"):
            KPrototypes(3).fit(lazy.drop(columns="w"), sample_weight=lazy["w"])
        with pytest.raises(UserError, match="Dask Series"):
            KPrototypes(3).fit(lazy.drop(columns="w"), sample_weight=np.ones(300))
        with pytest.raises(UserError, match="needs all rows in memory"):
            KPrototypes(3, init="cao").fit(lazy.drop(columns="w"))


def _dies_once(part: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Kill the worker process running this the first time it runs after ``flag`` is armed."""
    if os.path.exists(flag):
        try:
            os.rename(flag, flag + ".fired")  # exactly one worker wins the rename
        except OSError:
            return part
        os._exit(1)
    return part


def test_a_worker_dying_mid_fit_is_retried_and_gives_the_same_model(cluster, client,
                                                                    mixed_frame, tmp_path):
    """Slow (tens of seconds on a loaded machine) for a reason: a real worker process is
    killed and its nanny starts a new one, which imports the stack before it takes tasks."""
    X = mixed_frame(1500, seed=9)
    flag = str(tmp_path / f"armed-{uuid.uuid4().hex}")
    lazy = dd.from_pandas(X, npartitions=4).map_partitions(_dies_once, flag, meta=X.iloc[:0])
    params = dict(n_init=2, random_state=5, gamma=1.0)
    memory = KPrototypes(4, **params).fit(X)
    seen = []
    model = KPrototypes(4, verbose=True, **params)

    import dash_personas.segmentation._dask as backend

    original = backend._persist

    def arm_after_first_pass(*collections):
        seen.append(1)
        if len(seen) == 2:  # the second Lloyd pass re-reads the partitions: a worker dies
            open(flag, "w").close()
        return original(*collections)

    backend._persist = arm_after_first_pass
    try:
        with dask.config.set({"dash_personas.cache": False}):
            model.fit(lazy)
    finally:
        backend._persist = original
    assert os.path.exists(flag + ".fired")  # a worker really died
    np.testing.assert_array_equal(model.labels_.compute(), memory.labels_)
    assert model.cost_ == pytest.approx(memory.cost_, rel=1e-10)


#: Bad weights whose first bad value is in the first row, so that the in-memory message
#: and the Dask one (which adds the partition) name the same row.
BAD_WEIGHTS = {
    "text": np.array(["heavy"] + ["1"] * 299, dtype=object),
    "negative": np.r_[-1.0, np.ones(299)],
    "NaN": np.r_[np.nan, np.ones(299)],
    "infinite": np.r_[np.inf, np.ones(299)],
    "all zero": np.zeros(300),
    "huge total": np.full(300, 1e300),
    "tiny total": np.full(300, 1e-200),
}


def _message(fit) -> str:
    with pytest.raises(UserError) as caught:
        fit()
    return str(caught.value)


@pytest.mark.parametrize("problem", BAD_WEIGHTS)
def test_bad_weights_read_as_in_memory_at_fit_and_profile(mixed_frame, problem):
    """One rule for weights: the Dask fit and profile say what the in-memory ones say."""
    from dash_personas import profile_segments

    X = mixed_frame(300)
    weights = BAD_WEIGHTS[problem]
    labels = np.arange(300) % 3
    in_memory = _message(lambda: KPrototypes(3).fit(X, sample_weight=weights))
    assert in_memory == _message(lambda: profile_segments(X, labels, sample_weight=weights))
    lazy = dd.from_pandas(X.assign(w=weights), npartitions=2, sort=False)
    lazy_labels = dd.from_pandas(pd.Series(labels), npartitions=2, sort=False)
    with dask.config.set(scheduler="threads"):
        fitted = _message(lambda: KPrototypes(3).fit(lazy.drop(columns="w"),
                                                     sample_weight=lazy["w"]))
        profiled = _message(lambda: profile_segments(lazy.drop(columns="w"), lazy_labels,
                                                     sample_weight=lazy["w"]))
    assert fitted.replace(" of partition 0", "") == in_memory
    assert profiled == fitted


def test_a_bad_weight_names_its_partition_and_row_there(mixed_frame):
    X = mixed_frame(300)
    lazy = dd.from_pandas(X.assign(w=np.r_[np.ones(160), -2.0, np.ones(139)]),
                          npartitions=2, sort=False)
    assert lazy.npartitions == 2 and len(lazy.partitions[0]) == 150
    with dask.config.set(scheduler="threads"), pytest.raises(
            UserError, match=r"the first at row 10 of partition 1: -2.0\)"):
        KPrototypes(3).fit(lazy.drop(columns="w"), sample_weight=lazy["w"])


def test_an_object_column_of_numbers_warns_as_in_memory(mixed_frame):
    X = mixed_frame(300).assign(score=pd.Series([1.0, 2.5, 4.0] * 100, dtype=object))
    message = r"column\(s\) 'score' hold only numbers but have dtype object"
    with pytest.warns(UserWarning, match=message):
        KPrototypes(3, n_init=1).fit(X)
    # Dask turns object columns into strings unless told not to; then it is the same column
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "threads"}):
        lazy = dd.from_pandas(X, npartitions=2)
        assert lazy["score"].dtype == object
        with pytest.warns(UserWarning, match=message):
            KPrototypes(3, n_init=1).fit(lazy)
