"""Personas of Dask data: the in-memory personas, built from partition statistics."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pytest

from dash_personas import KPrototypes, build_personas
from dash_personas.pipeline import select_features
from survey_builder.errors import UserError


@pytest.fixture(scope="module")
def surveyed():
    """Scored simulated respondents (demographics, journey, CLV) and a model on them."""
    from survey_builder.codebook import build_codebook
    from survey_builder.compose import compose_survey
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses
    from survey_builder.spec import survey_from_dict

    survey = survey_from_dict(compose_survey(
        "aspects", ["demographics", "journey", "clv"], languages=["en"]))
    codebook = build_codebook(survey)
    responses, _ = simulate_responses(survey, 1500, 3, 7)
    scores = score_responses(survey, responses).scores
    scores["weight"] = np.random.default_rng(2).integers(1, 4, len(scores)).astype(float)
    features = select_features(scores, exclude=["weight"]).features
    model = KPrototypes(3, n_init=2, random_state=0).fit(scores[features])
    np.testing.assert_array_equal(model.labels_, model.predict(scores[features]))
    return scores, codebook, model


def _rounded(value):
    if isinstance(value, float):
        return round(value, 8)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


@pytest.mark.parametrize("weight", [None, "weight"])
def test_personas_of_dask_data_are_the_in_memory_personas(surveyed, scheduler, weight):
    scores, codebook, model = surveyed
    memory = build_personas(model, scores, codebook, sample_weight=weight)
    lazy = build_personas(model, dd.from_pandas(scores, npartitions=4), codebook,
                          sample_weight=weight)
    assert _rounded(lazy.model_dump()) == _rounded(memory.model_dump())
    # the typical person (answers given together) and the weights took part
    assert any(p.demographics for p in lazy)
    assert all(p.weighted == (weight is not None) for p in lazy)
    assert lazy.n_respondents == len(scores)


def test_dask_personas_need_the_model_and_one_frame(surveyed):
    scores, codebook, model = surveyed
    frame = dd.from_pandas(scores, npartitions=2)
    with dask.config.set(scheduler="threads"):
        with pytest.raises(UserError, match="fitted model"):
            build_personas(np.zeros(len(scores), dtype=int), frame, codebook)
        with pytest.raises(UserError, match="one Dask DataFrame"):
            build_personas(model, frame, codebook, scores=scores)
        with pytest.raises(UserError, match="lacks column"):
            build_personas(model, frame.drop(columns=[model.feature_names_in_[0]]), codebook)
        with pytest.raises(UserError, match="no weight column"):
            build_personas(model, frame, codebook, sample_weight="w8")
