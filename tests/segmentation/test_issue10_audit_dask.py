"""Issue 10 on Dask: personas of Dask data carry the NPS the in-memory personas carry."""

from __future__ import annotations

import itertools
import sys
import warnings
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pytest
import yaml

from dash_personas import KPrototypes, build_personas
from dash_personas.personas._nps import combine_nps_tables
from survey_builder.codebook import build_codebook
from survey_builder.scores import read_scores, write_scores
from survey_builder.scoring import nps_table, score_responses
from survey_builder.simulate import simulate_with_truth
from survey_builder.spec import survey_from_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "survey_builder"))
from test_nps_maxdiff_survey import SPEC  # a questionnaire with an NPS question


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """400 scored respondents with an NPS question, weights, and a model on their MaxDiff."""
    survey = survey_from_dict(yaml.safe_load(SPEC))
    planted = simulate_with_truth(survey, 400, 3, seed=5)
    path = tmp_path_factory.mktemp("nps_dask") / "scores.csv"
    write_scores(score_responses(survey, planted.responses).scores, build_codebook(survey), path)
    table = read_scores(path)
    scores = table.frame.assign(weight=np.random.default_rng(4).uniform(0.3, 3.0,
                                                                       len(table.frame)))
    features = [c for c in scores.columns if c.startswith("md_")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = KPrototypes(3, n_init=2, random_state=0).fit(scores[features])
    return scores, table.codebook, model


@pytest.mark.parametrize("weight", [None, "weight"])
def test_dask_personas_carry_the_in_memory_nps(scored, weight):
    scores, codebook, model = scored
    memory = build_personas(model, scores, codebook, sample_weight=weight)
    with dask.config.set(scheduler="threads"):
        lazy = build_personas(model, dd.from_pandas(scores, npartitions=3), codebook,
                              sample_weight=weight)
    assert [p.segment for p in lazy] == [p.segment for p in memory]
    for mine, theirs in zip(lazy, memory):
        assert len(theirs.nps) == 1 and theirs.nps[0].feature == "recommend_nps"
        assert len(mine.nps) == 1
        got, expected = mine.nps[0].model_dump(), theirs.nps[0].model_dump()
        assert got.keys() == expected.keys()
        for key, value in expected.items():
            assert got[key] == (pytest.approx(value) if isinstance(value, float) else value)
        assert (mine.nps[0].unweighted is None) == (weight is None)


def test_nps_tables_of_parts_combine_to_the_table_of_all_rows():
    rng = np.random.default_rng(0)
    answers = rng.integers(0, 11, 300).astype(float)
    answers[rng.random(300) < 0.1] = np.nan
    segments = rng.integers(0, 4, 300)
    weights = rng.uniform(0.2, 4.0, 300)
    cuts = [0, 1, 90, 90, 300]  # an empty part and a one-row part among them
    parts = [nps_table(answers[a:b], segments[a:b], weights[a:b])
             for a, b in itertools.pairwise(cuts)]
    whole = nps_table(answers, segments, weights)
    combined = combine_nps_tables(parts)
    assert list(combined.columns) == list(whole.columns)
    np.testing.assert_allclose(combined.to_numpy(float), whole.to_numpy(float))
