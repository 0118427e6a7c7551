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


@pytest.fixture(scope="session")
def study_case(tmp_path_factory):
    """A SQLite tracking study of three simulated waves (``tests/_study.py``): its path."""
    from _study import build_study

    return build_study(tmp_path_factory.mktemp("study") / "study.db")


@pytest.fixture(scope="module")
def view_client(survey_case):
    """A test client of the survey case's dashboard, the dependency of its view callback
    (the persona sections) and the layout it serves."""
    from dash_personas import create_app

    app = create_app(survey_case.personas, survey_case.scores)
    client = app.server.test_client()
    dependency = next(d for d in client.get("/_dash-dependencies").get_json()
                      if "persona-sections.children" in d["output"])
    return client, dependency, client.get("/_dash-layout").get_json()
