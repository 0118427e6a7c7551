"""A segmentation with a typing tool and held-out respondents, for every screener test.

(``conftest.py`` makes :func:`screening` a fixture of every test here.)

The survey is the item bank's ASPECTS template with demographics and the journey
question (two languages), simulated and scored as ``survey-builder`` does; the model
has 4 segments. The typing tool asks two scale scores (one reverse-keyed item each),
a single-choice answer, the journey stage and customer lifetime value (a number times two
choices mapped to numbers, one with a "don't know"), so every kind of input the screener
computes is exercised. The held-out respondents are simulated with another seed and
have answers deleted at random (about 15 % of the cells, some whole questions), then
scored: the forms get the raw answers, ``TypingTool.predict`` the scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dash_personas.screener import ScreenerRule, compile_screener
from dash_personas.segmentation import KPrototypes, TypingTool
from survey_builder.codebook import Codebook, build_codebook
from survey_builder.compose import compose_survey
from survey_builder.scores import describe_scores
from survey_builder.scoring import score_responses
from survey_builder.simulate import simulate_responses
from survey_builder.spec import Survey, survey_from_dict

QUESTIONS = ["sv_environment", "gender", "journey_stage", "clv", "tr_openness"]
N_HELD_OUT = 240
PERSONA_NAMES = ["Green Gabi", "Open Olli", "Careful \"Cleo\"", "Steady Sam"]


@dataclass
class Screening:
    survey: Survey
    codebook: Codebook
    tool: TypingTool
    rule: ScreenerRule
    responses: pd.DataFrame  # held-out raw answers (canonical layout)
    scores: pd.DataFrame  # their scores, as read_scores gives them
    expected: np.ndarray  # TypingTool.predict on the scores


def _scores(survey: Survey, responses: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    frame = score_responses(survey, responses).scores
    book = describe_scores(frame, codebook)
    for column in book.scores.columns:
        if column.levels is not None:
            frame[column.name] = pd.Categorical(frame[column.name],
                                                categories=[lv.value for lv in column.levels])
    return frame


def _delete_answers(responses: pd.DataFrame, columns: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = responses.copy()
    for column in columns:
        out.loc[rng.random(len(out)) < 0.15, column] = pd.NA
    return out


@pytest.fixture(scope="session")
def screening() -> Screening:
    survey = survey_from_dict(compose_survey("aspects", ["demographics", "journey", "clv"]))
    codebook = build_codebook(survey)
    responses, _ = simulate_responses(survey, 1200, n_personas=4, seed=3)
    train = _scores(survey, responses, codebook)
    book = describe_scores(score_responses(survey, responses).scores, codebook)
    kinds = ("scale", "answer", "journey", "clv")
    features = [c.name for c in book.scores.columns if c.kind in kinds]
    model = KPrototypes(n_clusters=4, random_state=0, n_init=3).fit(train[features])
    tool = TypingTool(model, QUESTIONS, float("nan"), pd.DataFrame())
    rule = compile_screener(tool, book, persona_names=PERSONA_NAMES)

    held, _ = simulate_responses(survey, N_HELD_OUT, n_personas=4, seed=11)
    held = _delete_answers(held, rule.answer_fields, seed=5)
    scores = _scores(survey, held, codebook)
    answered = scores[QUESTIONS].notna().any(axis=1).to_numpy()
    held, scores = held[answered].reset_index(drop=True), scores[answered].reset_index(drop=True)
    return Screening(survey, book, tool, rule, held, scores, tool.predict(scores))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
