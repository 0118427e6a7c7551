"""Fixtures for the deck, print-sheet and export-menu tests: eight simulated personas.

One of them has a very long name and long texts (what the slides must fit), one a name
written to break HTML (what every renderer must show as text).
"""

from __future__ import annotations

import pytest
from _deck_case import EVIL, LONG_NAME, DeckCase


@pytest.fixture(scope="session")
def deck_case(tmp_path_factory) -> DeckCase:
    from dash_personas.personas import save_personas
    from dash_personas.pipeline import run_pipeline
    from dash_personas.segmentation import TypingTool
    from survey_builder.codebook import build_codebook
    from survey_builder.compose import compose_survey
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses
    from survey_builder.spec import survey_from_dict

    survey = survey_from_dict(compose_survey("aspects", ["demographics", "behaviour", "journey",
                                                         "clv"], languages=["en"]))
    responses, _ = simulate_responses(survey, 1200, 8, 0)
    scores = score_responses(survey, responses).scores
    result = run_pipeline(scores, codebook=build_codebook(survey), k=8, n_init=2,
                          random_state=0)
    people = result.personas
    long_one = people[1].model_copy(update={
        "name": LONG_NAME, "tagline": "A tagline that goes on " * 12,
        "quote": "I never buy anything before I have compared it everywhere. " * 8,
        "goals": [f"Goal number {i} that is rather long and detailed for a slide" for i in
                  range(12)]})
    people = people.model_copy(update={"personas": [
        people[0].model_copy(update={"name": EVIL}), long_one, *people.personas[2:]]})
    folder = tmp_path_factory.mktemp("deck")
    save_personas(people, folder / "personas.json")
    tool = TypingTool.build(result.model, result.data, max_questions=4, target_accuracy=0.99,
                            random_state=0)
    tool.save(folder / "tool.json")
    return DeckCase(people, folder / "personas.json", tool, folder / "tool.json")
