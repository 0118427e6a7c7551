"""The compiled rule's edge cases: an ordered category used as a rank, an option the model
never saw, ties, and golden questions a screener cannot ask.

Evaluated through the REDCap text (``_formulas.py``), the fastest of the four targets;
the engine tests prove the targets agree with each other on the main fixture.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _formulas import redcap_eval
from _screening import Screening

from dash_personas.screener import compile_screener, redcap_dictionary
from dash_personas.segmentation import KPrototypes, TypingTool
from survey_builder.errors import UserError

CHOICES = "Choices, Calculations, OR Slider Labels"


def redcap_segments(rule, responses: pd.DataFrame) -> list:
    rows = redcap_dictionary(rule)
    out = []
    for _, row in responses.iterrows():
        record = {n: ("" if pd.isna(row[n]) else str(row[n])) for n in rule.answer_fields}
        for field in rows:
            name = field["Variable / Field Name"]
            if field["Field Type"] == "calc":
                record[name] = redcap_eval(field[CHOICES], record)
            elif field["Field Annotation"].startswith("@CALCTEXT("):
                record[name] = redcap_eval(field["Field Annotation"][10:-1], record)
        out.append(record["segment"])
    return out


def test_ordered_rank_and_unseen_option(screening: Screening) -> None:
    """journey_stage as its 1-based rank (numeric); 'Woman' never seen when fitting."""
    scores = screening.scores.copy()
    levels = [lv.value for lv in screening.codebook.scores.column("journey_stage").levels]
    scores["journey_stage"] = pd.Categorical(scores["journey_stage"], categories=levels,
                                             ordered=True)
    questions = ["sv_environment", "gender", "journey_stage"]
    woman = screening.codebook.levels("gender")[0].value
    train = scores[scores["gender"] != woman].dropna(subset=["gender"])
    train = train.assign(gender=train["gender"].cat.remove_categories([woman]))
    model = KPrototypes(3, categorical=["gender"], random_state=0, n_init=2).fit(
        train[questions])
    assert "journey_stage" in model.encoder_.ordered_levels_
    tool = TypingTool(model, questions, float("nan"), pd.DataFrame())
    rule = compile_screener(tool, screening.codebook)
    answered = scores[questions].notna().any(axis=1).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unseen level's warning
        # the model itself: TypingTool.predict coerces numeric features with to_numeric,
        # which turns an ordered category's labels into NaN (the tool asks every feature)
        expected = model.predict(scores.loc[answered, questions]).tolist()
    computed = redcap_segments(rule, screening.responses[answered])
    assert (screening.responses.loc[answered, "gender"] == "female").sum() >= 20
    assert computed == expected


def test_ties_go_to_the_lowest_segment(screening: Screening) -> None:
    """Only a categorical question whose answer is no prototype's mode: every distance is
    gamma x weight, and predict and the form both say segment 0."""
    scores = screening.scores
    model = KPrototypes(2, categorical=["gender"], random_state=0, n_init=2).fit(
        scores[["sv_environment", "gender"]].dropna())
    tool = TypingTool(model, ["gender"], float("nan"), pd.DataFrame())
    rule = compile_screener(tool, screening.codebook)
    modes = set(model.cluster_centers_["gender"])
    other = next(lv for lv in screening.codebook.levels("gender") if lv.value not in modes)
    frame = pd.DataFrame({"gender": pd.Categorical([other.value],
                                                   categories=scores["gender"].cat.categories)})
    assert tool.predict(frame).tolist() == [0]
    responses = pd.DataFrame({"gender": [other.code]})
    assert redcap_segments(rule, responses) == [0]


def test_questions_a_screener_cannot_ask(screening: Screening) -> None:
    frame = screening.scores[["sv_environment"]].assign(
        n_answered=np.arange(len(screening.scores)) % 7)
    model = KPrototypes(2, random_state=0, n_init=1).fit(frame)
    tool = TypingTool(model, ["n_answered"], float("nan"), pd.DataFrame())
    with pytest.raises(UserError, match="'n_answered' is not in the codebook"):
        compile_screener(tool, screening.codebook)
    with pytest.raises(UserError, match="2 persona names for a model of 4 segments"):
        compile_screener(screening.tool, screening.codebook, persona_names=["a", "b"])
