"""Synthetic respondents: layout, determinism, data-quality features, planted structure."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey_builder import expressions as ex
from survey_builder.codebook import build_codebook, column_names
from survey_builder.errors import SurveyError
from survey_builder.scoring import score_responses
from survey_builder.simulate import (
    SimulationSettings,
    default_labels_path,
    relevance_mask,
    respondent_ids,
    simulate_responses,
)
from survey_builder.spec import load_survey

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def survey():
    return load_survey(DATA / "survey_small.yaml")


@pytest.fixture(scope="module")
def simulated(survey):
    return simulate_responses(survey, 3000, n_personas=4, seed=11)


def test_layout_matches_codebook(survey, simulated) -> None:
    responses, personas = simulated
    codebook = build_codebook(survey)
    assert list(responses.columns) == column_names(codebook)
    assert len(responses) == 3000
    assert responses["respondent_id"].is_unique
    assert responses["respondent_id"].iloc[0] == "r0001"
    assert personas.name == "persona"
    assert personas.index.equals(responses.index)
    assert set(personas.unique()) == {1, 2, 3, 4}
    for column in codebook["columns"]:
        series = responses[column["name"]]
        if column["value_type"] == "integer":
            assert str(series.dtype) == "Int64", column["name"]
        if column["levels"] and column["value_type"] == "string":
            codes = {level["code"] for level in column["levels"]}
            assert set(series.dropna().unique()) <= codes, column["name"]
        if column["min"] is not None:
            assert series.dropna().astype(float).min() >= column["min"], column["name"]
        if column["max"] is not None:
            assert series.dropna().astype(float).max() <= column["max"], column["name"]


def test_deterministic_for_a_seed(survey) -> None:
    a, pa = simulate_responses(survey, 300, 3, seed=5)
    b, pb = simulate_responses(survey, 300, 3, seed=5)
    c, _ = simulate_responses(survey, 300, 3, seed=6)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(pa, pb)
    assert not a.drop(columns="respondent_id").equals(c.drop(columns="respondent_id"))


def test_accepts_a_path_and_validates_arguments(survey) -> None:
    responses, _ = simulate_responses(DATA / "survey_small.yaml", 5, 2, seed=0)
    assert len(responses) == 5
    with pytest.raises(SurveyError, match="at least 1"):
        simulate_responses(survey, 0)
    with pytest.raises(SurveyError, match="personas"):
        simulate_responses(survey, 10, n_personas=0)


def test_required_answered_and_optional_sometimes_missing(simulated) -> None:
    responses, _ = simulated
    for name in ("age_band", "attn", "purchase_frequency", "avg_spend", "lifespan",
                 "journey_stage", "channels__store"):
        assert responses[name].notna().all(), name
    for name in ("gender", "trust_1", "open_3", "eco_2", "triggers__need", "drivers__price"):
        share = responses[name].isna().mean()
        assert 0.005 < share < 0.08, (name, share)


def test_relevance_skips_are_blank(simulated) -> None:
    responses, _ = simulated
    app = responses["channels__app"].astype(float).to_numpy()
    ease = responses["app_ease"]
    assert ease[app != 1].isna().all()
    assert ease[app == 1].notna().mean() > 0.9  # shown: answered unless missing at random
    stage, trust = responses["journey_stage"], responses["trust_1"].astype(float)
    shown = (stage != "awareness") & (trust >= 2)
    assert responses.loc[~shown.to_numpy(), "nps"].isna().all()
    assert responses.loc[shown.to_numpy(), "nps"].notna().mean() > 0.9


def test_choice_structures(simulated) -> None:
    responses, _ = simulated
    channels = responses[["channels__store", "channels__web", "channels__app"]].astype(float)
    assert (channels.sum(axis=1) >= 1).all()  # answered multiple choice: at least one tick
    triggers = responses[["triggers__need", "triggers__promo", "triggers__gift"]].astype(float)
    answered = triggers.notna().all(axis=1)
    assert triggers[answered].sum(axis=1).between(1, 2).all()  # max_selected: 2
    assert triggers[~answered].isna().all(axis=1).all()  # unanswered: every option blank
    ranks = responses[["drivers__price", "drivers__quality", "drivers__brand"]].dropna()
    assert (np.sort(ranks.astype(int).to_numpy(), axis=1) == [1, 2, 3]).all()
    nps = responses["nps"].dropna().astype(float)
    assert (nps == nps.round()).all()
    comments = responses["comment"].dropna()
    assert 0.1 < len(comments) / len(responses) < 0.3
    assert comments.str.len().max() <= 200


def test_quality_problems_are_planted(survey) -> None:
    responses, _ = simulate_responses(survey, 4000, 4, seed=3)
    scores = score_responses(survey, responses).scores
    assert 0.02 < scores["attention_failed"].mean() < 0.1
    assert 0.01 < scores["straightliner"].mean() < 0.05
    clean, _ = simulate_responses(survey, 4000, 4, seed=3, settings=SimulationSettings(
        straightliner_rate=0.0, attention_fail_rate=0.0))
    clean_scores = score_responses(survey, clean).scores
    assert not clean_scores["attention_failed"].any()
    assert clean_scores["straightliner"].mean() < 0.01  # few false positives


def test_reverse_keyed_items_are_flipped(simulated) -> None:
    responses, _ = simulated
    trust = responses[["trust_1", "trust_2", "trust_3"]].astype(float)
    corr = trust.corr()
    assert corr.loc["trust_1", "trust_2"] > 0.3
    assert corr.loc["trust_1", "trust_3"] < -0.3  # raw reverse-keyed item runs the other way


def test_personas_have_distinct_profiles_and_behaviour(survey, simulated) -> None:
    responses, personas = simulated
    scores = score_responses(survey, responses).scores
    means = scores.groupby(personas.to_numpy())[["brand_trust", "price_focus", "openness",
                                                  "eco"]].mean()
    gaps = [np.abs(means.iloc[i] - means.iloc[j]).max()
            for i in range(4) for j in range(i + 1, 4)]
    assert min(gaps) > 0.4
    clv = scores.groupby(personas.to_numpy())["clv"].median()
    assert clv.max() / clv.min() > 1.5  # behaviour differs between personas
    freq = pd.crosstab(personas, responses["purchase_frequency"], normalize="index")
    assert (freq.max() - freq.min()).max() > 0.15


def test_planted_personas_are_recoverable(survey) -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    responses, personas = simulate_responses(survey, 2000, 4, seed=0)
    scores = score_responses(survey, responses).scores
    features = scores[["brand_trust", "price_focus", "openness", "eco"]]
    complete = features.notna().all(axis=1).to_numpy()
    z = (features[complete] - features[complete].mean()) / features[complete].std()
    labels = KMeans(4, n_init=10, random_state=0).fit_predict(z.to_numpy())
    assert adjusted_rand_score(personas[complete], labels) > 0.6


def test_relevance_mask_matches_row_by_row_evaluation(simulated) -> None:
    responses, _ = simulated
    sample = responses.iloc[:400]
    expressions = [
        "selected(${channels}, 'app')",
        "${journey_stage} != 'awareness' and ${trust_1} >= 2",
        "not (${age_band} = '18_34') or ${gender} = 'woman'",
        "answered(${gender}) and ${avg_spend} > 40.5",
        "answered(${triggers})",
        "${nps} < 5 or ${eco_1} <> 3",
        "not selected(${triggers}, 'promo')",
    ]
    for expr in expressions:
        vectorised = relevance_mask(expr, sample)
        for i, (_, row) in enumerate(sample.iterrows()):
            answers = {k: (None if pd.isna(v) else v) for k, v in row.items()}
            answers["channels"] = {o: answers[f"channels__{o}"] for o in ("store", "web", "app")}
            answers["triggers"] = {o: answers[f"triggers__{o}"]
                                   for o in ("need", "promo", "gift")}
            if all(v is None for v in answers["triggers"].values()):
                answers["triggers"] = None
            assert vectorised[i] == ex.evaluate(expr, answers), (expr, i)


def test_helpers() -> None:
    assert default_labels_path("out/responses.csv") == Path("out/responses.planted.csv")
    assert default_labels_path("x.json").name == "x.planted.csv"
    ids = respondent_ids(12345)
    assert ids[0] == "r00001" and ids[-1] == "r12345" and len(set(ids)) == 12345


def test_hundred_thousand_respondents_are_fast(survey) -> None:
    start = time.perf_counter()
    responses, personas = simulate_responses(survey, 100_000, 4, seed=1)
    elapsed = time.perf_counter() - start
    assert len(responses) == 100_000 and len(personas) == 100_000
    assert elapsed < 15, f"{elapsed:.1f}s"  # ~1 s on a laptop; generous for shared CI
    assert not math.isnan(responses["avg_spend"].mean())
