"""Fixtures for the persona, figure, component and browser tests.

Browser tests (marker ``browser``) use ``dash[testing]``'s ``dash_duo`` and the
Chromium set up in ``tests/conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class SurveyCase:
    """A small end-to-end case: questionnaire, scores, fitted model and personas."""

    codebook: dict[str, Any]
    scores: Any
    features: Any
    model: Any
    planted: Any
    personas: Any


@pytest.fixture(scope="session")
def survey_case() -> SurveyCase:
    from dash_personas.pipeline import run_pipeline
    from survey_builder.codebook import build_codebook
    from survey_builder.compose import compose_survey
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses
    from survey_builder.spec import survey_from_dict

    survey = survey_from_dict(compose_survey("aspects", ["demographics", "behaviour", "journey",
                                                         "clv"], languages=["en"]))
    codebook = build_codebook(survey)
    responses, planted = simulate_responses(survey, 1500, 4, 0)
    scores = score_responses(survey, responses).scores
    result = run_pipeline(scores, codebook=codebook, k=4, n_init=3, random_state=0)
    return SurveyCase(codebook, scores, result.data, result.model, planted, result.personas)


@pytest.fixture(scope="session")
def blobs_case():
    from dash_personas import KPrototypes, make_mixed_blobs

    X, _ = make_mixed_blobs(600, n_clusters=3, separation=3.0, random_state=1)
    model = KPrototypes(3, n_init=3, random_state=0).fit(X)
    return X, model


#: Three waves with known change for the tracking-view tests: a baseline, a share shift
#: while the panel moves 1 -> 2, and an emerging persona (survey_builder.simulate_waves).
STUDY_PLAN = {"personas": 3, "respondents": 600, "waves": [
    {"label": "W1", "shares": {1: 0.4, 2: 0.35, 3: 0.25}},
    {"label": "W2", "shares": {1: 0.2, 2: 0.55, 3: 0.25},
     "panel": {"share": 0.5, "moves": {1: {2: 0.4}}}},
    {"label": "W3", "panel": {"share": 0.5}, "emerge": {"persona": 4, "share": 0.2}},
]}


@pytest.fixture(scope="session")
def study_case(tmp_path_factory):
    """A SQLite tracking study of STUDY_PLAN's waves (segmented on W1) and its path.

    The first persona is named with an HTML snippet: it must be shown as text.
    """
    from pathlib import Path

    from dash_personas.pipeline import run_pipeline
    from dash_personas.tracking import Study
    from survey_builder.codebook import build_codebook
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import SimulationSettings
    from survey_builder.simulate_waves import simulate_waves
    from survey_builder.spec import load_survey

    survey = load_survey(Path(__file__).parents[1] / "survey_builder" / "data"
                         / "survey_small.yaml")
    waves = simulate_waves(survey, STUDY_PLAN, seed=3,
                           settings=SimulationSettings(profile_spread=1.6, within_sd=0.4))
    scores = {w.label: score_responses(survey, w.responses).scores for w in waves.waves}
    result = run_pipeline(scores["W1"], codebook=build_codebook(survey), k=3, n_init=3)
    people = result.personas
    people = people.model_copy(update={"personas": [
        people[0].model_copy(update={"name": "<img src=x onerror=alert(1)>"}),
        *people.personas[1:]]})
    path = tmp_path_factory.mktemp("study") / "study.db"
    with Study.create(path, model=result.model, personas=people) as study:
        for label, frame in scores.items():
            study.add_wave(frame, label=label)
    return path
