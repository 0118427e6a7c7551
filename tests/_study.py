"""A small tracking study with known change, for the dashboard and plugin tests.

Imported as a plain module from tests/ (like ``_browser``).
"""

from __future__ import annotations

from pathlib import Path

#: Shown as text wherever a persona name appears: the first persona is named with it.
EVIL = "<img src=x onerror=alert(1)>"
#: Three waves with known change: a baseline, a share shift while the panel moves 1 -> 2,
#: and an emerging persona (survey_builder.simulate_waves).
STUDY_PLAN = {"personas": 3, "respondents": 600, "waves": [
    {"label": "W1", "shares": {1: 0.4, 2: 0.35, 3: 0.25}},
    {"label": "W2", "shares": {1: 0.2, 2: 0.55, 3: 0.25},
     "panel": {"share": 0.5, "moves": {1: {2: 0.4}}}},
    {"label": "W3", "panel": {"share": 0.5}, "emerge": {"persona": 4, "share": 0.2}},
]}


def build_study(path: Path) -> Path:
    """Simulate STUDY_PLAN, segment W1 (k = 3), store every wave in a SQLite study at path."""
    from dash_personas.pipeline import run_pipeline
    from dash_personas.tracking import Study
    from survey_builder.codebook import build_codebook
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import SimulationSettings
    from survey_builder.simulate_waves import simulate_waves
    from survey_builder.spec import load_survey

    survey = load_survey(Path(__file__).parent / "survey_builder" / "data"
                         / "survey_small.yaml")
    waves = simulate_waves(survey, STUDY_PLAN, seed=3,
                           settings=SimulationSettings(profile_spread=1.6, within_sd=0.4))
    scores = {w.label: score_responses(survey, w.responses).scores for w in waves.waves}
    result = run_pipeline(scores["W1"], codebook=build_codebook(survey), k=3, n_init=3)
    people = result.personas
    people = people.model_copy(update={"personas": [
        people[0].model_copy(update={"name": EVIL}), *people.personas[1:]]})
    with Study.create(path, model=result.model, personas=people) as study:
        for label, frame in scores.items():
            study.add_wave(frame, label=label)
    return path
