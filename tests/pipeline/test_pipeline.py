"""The library pipeline: one rule set for the features, scores -> segments -> personas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dash_personas import KPrototypes, make_mixed_blobs
from dash_personas.pipeline import (
    Segmentation,
    fit_segments,
    make_personas,
    profile,
    run_pipeline,
    select_features,
)
from survey_builder.errors import UserError


def _frame(n: int = 60) -> pd.DataFrame:
    return pd.DataFrame({
        "respondent_id": [f"r{i:03d}" for i in range(n)],
        "score": [i % 7 + 0.5 for i in range(n)],
        "segment_hint": ["a", "b", "c"] * (n // 3),
        "comment": [f"I think {i}" for i in range(n)],
        "constant": [1] * n,
        "nothing": [None] * n,
        "when": list(pd.date_range("2024-01-01", periods=3)) * (n // 3),
        "straightliner": [False, True] * (n // 2),
        "flag": [True, False] * (n // 2),
    })


def test_every_left_out_column_has_its_reason():
    chosen = select_features(_frame())
    assert chosen.features == ["score", "segment_hint", "flag"]
    assert chosen.left_out == {"respondent_id": "identifier", "comment": "free text",
                               "constant": "constant", "nothing": "empty", "when": "date/time",
                               "straightliner": "data-quality flag"}
    assert list(chosen.ids) == [f"r{i:03d}" for i in range(60)]
    assert chosen.describe().startswith("respondent_id (identifier), comment (free text)")


def test_quality_flags_are_left_out_unless_included():
    frame = pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(6)],
        "trust": [1.0, 2.0, 3.0, 4.0, 5.0, 1.5],
        "attention_failed": [False, True, False, False, False, False],
        "straightliner": [False, True] * 3,
        "n_answered": [10, 9, 10, 8, 10, 10],
    })
    chosen = select_features(frame)
    assert chosen.features == ["trust"]
    assert chosen.left_out == {"respondent_id": "identifier",
                               "attention_failed": "data-quality flag",
                               "straightliner": "data-quality flag",
                               "n_answered": "data-quality flag"}
    included = select_features(frame, include=["trust", "n_answered"])
    assert included.features == ["trust", "n_answered"]
    assert included.automatic == {}
    assert included.left_out["attention_failed"] == "not included"
    excluded = select_features(frame, include=["trust", "n_answered"], exclude=["n_answered"])
    assert excluded.features == ["trust"] and excluded.left_out["n_answered"] == "excluded"


def test_integer_ids_and_row_numbers():
    frame = pd.DataFrame({"customer_id": [7, 3, 9, 1], "x": [1.0, 2.0, 1.0, 2.0],
                          "count": [5, 1, 8, 2]})
    chosen = select_features(frame)
    # unique integers named like an id are ids; unique measurements are not
    assert chosen.features == ["x", "count"]
    assert list(chosen.ids) == [7, 3, 9, 1]
    no_ids = select_features(frame[["x", "count"]])
    assert list(no_ids.ids) == [1, 2, 3, 4] and no_ids.ids.name == "row"


def test_codebook_id_column_is_an_identifier_even_when_not_unique():
    frame = pd.DataFrame({"respondent_id": ["a", "a", "b", "c"], "x": [1.0, 2.0, 3.0, 4.0]})
    assert select_features(frame).features == ["respondent_id", "x"]
    chosen = select_features(frame, codebook={"id_column": "respondent_id"})
    assert chosen.features == ["x"] and chosen.left_out == {"respondent_id": "identifier"}
    assert list(chosen.ids) == ["a", "a", "b", "c"]


def test_unsupported_values_are_left_out():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "lists": [[1], [2], [1], [2]],
                          "complex": np.array([1 + 1j, 2j, 1 + 1j, 2j])})
    chosen = select_features(frame)
    assert chosen.features == ["x"]
    assert chosen.left_out == {"lists": "unsupported type", "complex": "unsupported type"}


def test_user_mistakes_are_clear_errors():
    frame = _frame()
    with pytest.raises(UserError, match="no column named 'nope'") as info:
        select_features(frame, include=["nope"], source="scores.csv")
    assert info.value.file == "scores.csv" and info.value.field == "nope"
    with pytest.raises(UserError, match="'nothing' is entirely empty"):
        select_features(frame, include=["score", "nothing"])
    with pytest.raises(UserError, match="no usable columns to segment on"):
        select_features(frame[["respondent_id", "comment", "constant"]])
    empty = select_features(frame[["respondent_id", "constant"]], allow_empty=True)
    assert empty.features == [] and empty.left_out == {"respondent_id": "identifier",
                                                       "constant": "constant"}


def test_fit_segments_given_k_is_the_plain_estimator():
    X, _ = make_mixed_blobs(300, n_clusters=3, random_state=0)
    segmentation = fit_segments(X, 3, n_init=2, random_state=0)
    direct = KPrototypes(3, n_init=2, random_state=0).fit(X)
    np.testing.assert_array_equal(segmentation.model.labels_, direct.labels_)
    assert segmentation.selection is None and segmentation.rule == "given"


def test_fit_segments_auto_keeps_the_evidence():
    X, _ = make_mixed_blobs(300, n_clusters=3, separation=4.0, random_state=0)
    calls = []
    segmentation = fit_segments(X, "auto", k_range=range(2, 5), n_init=2, n_bootstrap=3,
                                random_state=0, progress=lambda done, total: calls.append(done))
    selection = segmentation.selection
    assert list(selection.index) == [2, 3, 4]
    assert segmentation.model is selection.recommended_model
    assert segmentation.model.n_clusters == selection.recommended_k
    assert calls == [1, 2, 3]
    with pytest.raises(UserError, match="too few rows"):
        fit_segments(X.iloc[:2], "auto", k_range=range(2, 5))


def test_profile_and_personas_describe_the_fitted_segments():
    X, _ = make_mixed_blobs(400, n_clusters=3, separation=4.0, random_state=2)
    segmentation = fit_segments(X, 3, n_init=2, random_state=0)
    profiles = profile(segmentation, X)
    sizes = np.bincount(segmentation.model.labels_)
    assert sorted(profiles.summary["size"].tolist()) == sorted(sizes.tolist())
    personas = make_personas(segmentation, X)
    assert sorted(p.size for p in personas) == sorted(sizes.tolist())
    # a bare model works too
    assert len(make_personas(segmentation.model, X)) == 3


def test_run_pipeline_end_to_end_leaves_out_ids_and_flags():
    X, truth = make_mixed_blobs(300, n_clusters=3, separation=4.0, random_state=1)
    scores = X.assign(respondent_id=[f"r{i}" for i in range(len(X))],
                      attention_failed=np.arange(len(X)) % 9 == 0)
    result = run_pipeline(scores, k=3, n_init=2, random_state=0)
    assert result.features.features == [str(c) for c in X.columns]
    assert result.features.left_out == {"respondent_id": "identifier",
                                        "attention_failed": "data-quality flag"}
    assert list(result.model.feature_names_in_) == [str(c) for c in X.columns]
    assert isinstance(result.segmentation, Segmentation) and result.selection is None
    assert sum(p.size for p in result.personas) == len(X)
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth, result.model.labels_) > 0.9
