"""Fixtures for the plugin tests (Dash hooks plugin and Jupyter extension).

Browser tests (marker ``browser``) use ``dash_duo`` and the Chromium set up in
``tests/conftest.py``. The plugins must be installed (``make test`` installs
``plugins/dash-hooks`` and ``plugins/jupyter`` in editable mode): the hooks plugin is
found through its ``dash_hooks`` entry point, as in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
ENV_VARS = ("DASH_PERSONAS_PERSONAS", "DASH_PERSONAS_DATA", "DASH_PERSONAS_THEME",
            "DASH_PERSONAS_STUDY", "DASH_PERSONAS_PATH", "DASH_PERSONAS_COLOR_MODE")


@pytest.fixture(autouse=True)
def _no_plugin_environment(monkeypatch):
    """Tests start without the plugin's environment variables (they opt in themselves)."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@dataclass
class PersonasCase:
    """A small survey segmented into personas, saved as files like the CLI writes them."""

    personas: Any
    personas_file: Path
    scores: Any
    scores_file: Path


@pytest.fixture(scope="session")
def personas_case(tmp_path_factory) -> PersonasCase:
    from dash_personas.personas import save_personas
    from dash_personas.pipeline import run_pipeline
    from survey_builder.codebook import build_codebook
    from survey_builder.compose import compose_survey
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses
    from survey_builder.spec import survey_from_dict

    survey = survey_from_dict(compose_survey("aspects", ["demographics", "behaviour", "journey",
                                                         "clv"], languages=["en"]))
    codebook = build_codebook(survey)
    responses, _ = simulate_responses(survey, 800, 3, 0)
    scores = score_responses(survey, responses).scores
    personas = run_pipeline(scores, codebook=codebook, k=3, n_init=2, random_state=0).personas
    folder = tmp_path_factory.mktemp("personas")
    personas_file = folder / "personas.json"
    save_personas(personas, personas_file)
    scores_file = folder / "scores.csv"
    scores.to_csv(scores_file, index=False)
    return PersonasCase(personas, personas_file, scores, scores_file)


@pytest.fixture(scope="session")
def bad_personas_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "personas.json"
    path.write_text('{"format": "dash-personas-personas", "version": 1, "personas": [{"id": 1',
                    encoding="utf-8")
    return path
