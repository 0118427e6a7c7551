"""Each section of the scores file on its own, on tiny hand-written codebooks and frames."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey_builder import codebook as codebook_module
from survey_builder.codebook import build_codebook, column_names
from survey_builder.scoring import (
    ScaleScores,
    StraightlineRule,
    count_answered,
    flag_attention,
    flag_straightliners,
    score_answers,
    score_clv,
    score_journey,
    score_reliability,
    score_responses,
    score_scales,
    straightlining,
)
from survey_builder.spec import load_survey

NAN = np.nan
DATA = Path(__file__).parent / "data"


def levels(*codes: str, es: bool = True) -> list[dict]:
    return [{"code": c, "label": {"en": c.title(), **({"es": c.upper()} if es else {})}}
            for c in codes]


# --------------------------------------------------------------------------- scales
SCALES_BOOK = {
    "columns": [
        {"name": "a", "type": "likert", "min": 1, "max": 5},
        {"name": "b", "type": "likert", "min": 1, "max": 5},
        {"name": "c", "type": "likert", "min": 1, "max": 5},
        {"name": "d", "type": "likert", "min": 1},  # no max: the scale's points (7) count
    ],
    "scales": [
        {"name": "s1", "items": ["a", "b", "c"], "reverse_keyed": ["b"]},
        {"name": "s2", "items": ["d", "a"], "reverse_keyed": ["d"], "points": 7,
         "min_answered": 2},
    ],
}
SCALES_FRAME = pd.DataFrame({"a": [4, 1, NAN], "b": [2, NAN, 5], "c": [5, NAN, 3],
                             "d": [7, NAN, 1]})


def test_score_scales_by_hand() -> None:
    result = score_scales(SCALES_BOOK, SCALES_FRAME)
    s1, s2 = result.scores["s1"], result.scores["s2"]
    # row 1: 4, 6 - 2 = 4, 5 -> 13/3; row 2: one of three answered, two needed; row 3:
    # 6 - 5 = 1 and 3 -> 2
    assert s1[0] == pytest.approx(13 / 3) and math.isnan(s1[1]) and s1[2] == 2.0
    # s2 needs both items; d is flipped on 1..7: 8 - 7 = 1 and a = 4 -> 2.5
    assert s2[0] == 2.5 and math.isnan(s2[1]) and math.isnan(s2[2])
    assert result.min_items == {"s1": 2, "s2": 2}
    assert result.items["s1"]["b"].tolist()[::2] == [4.0, 1.0]  # the reverse-keyed items
    assert list(result.items["s2"].columns) == ["d", "a"]


def test_score_scales_min_answered_default_and_scale_rule() -> None:
    strict = score_scales(SCALES_BOOK, SCALES_FRAME, min_answered=1.0)
    assert math.isnan(strict.scores["s1"][2])  # 2 of 3 answered, all needed now
    assert strict.min_items == {"s1": 3, "s2": 2}  # s2 keeps its own rule
    lenient = score_scales(SCALES_BOOK, SCALES_FRAME, min_answered=0.01)
    assert lenient.scores["s1"][1] == 1.0


# --------------------------------------------------------------------------- derivations
CLV_BOOK = {
    "columns": [],
    "derivations": {"clv": {"terms": {
        "value": {"column": "spend", "kind": "number"},
        "frequency": {"column": "freq", "kind": "choice",
                      "map": {"weekly": 52, "monthly": 12, "dk": None}},
        "lifespan": {"column": "months", "kind": "number", "factor": 1 / 12},
    }}},
}


def test_score_clv_by_hand() -> None:
    frame = pd.DataFrame({
        "spend": [10.0, 5.0, NAN, 2.5],
        "freq": pd.array(["weekly", "dk", "weekly", "monthly"], dtype="str"),
        "months": [24, 12, 12, 12],
    })
    values = score_clv(CLV_BOOK, frame)
    assert values[0] == pytest.approx(10 * 52 * 2)
    assert math.isnan(values[1])  # "don't know" has no number
    assert math.isnan(values[2])  # spend unanswered
    assert values[3] == pytest.approx(2.5 * 12 * 1)
    assert score_clv({"columns": []}, frame) is None


JOURNEY_BOOK = {
    "columns": [{"name": "stage", "type": "single_choice",
                 "levels": levels("buy", "aware", "loyal")}],
    "derivations": {"journey": {"column": "stage", "stages": ["aware", "buy", "loyal"]}},
}


def test_score_journey_labels_codes_and_stage_order() -> None:
    frame = pd.DataFrame({"stage": pd.array(["buy", None, "loyal"], dtype="str")})
    stage = score_journey(JOURNEY_BOOK, frame, language="en")
    assert stage.cat.ordered and list(stage.cat.categories) == ["Aware", "Buy", "Loyal"]
    assert stage.tolist()[::2] == ["Buy", "Loyal"] and pd.isna(stage.iloc[1])
    spanish = score_journey(JOURNEY_BOOK, frame, language="es")
    assert list(spanish.cat.categories) == ["AWARE", "BUY", "LOYAL"]
    codes = score_journey(JOURNEY_BOOK, frame, language="en", labels=False)
    assert list(codes.cat.categories) == ["aware", "buy", "loyal"] and codes.iloc[0] == "buy"
    assert score_journey({"columns": []}, frame, language="en") is None


def test_score_answers_skips_derived_inputs_and_renames_taken_names() -> None:
    book = {
        "columns": [
            {"name": "gender", "type": "single_choice", "levels": levels("w", "m", es=False)},
            {"name": "freq", "type": "single_choice", "levels": levels("weekly", "monthly")},
            {"name": "stage", "type": "single_choice", "levels": levels("aware", "buy")},
            {"name": "brand", "type": "single_choice", "levels": levels("x", "y")},
            {"name": "same", "type": "single_choice",
             "levels": [{"code": "1", "label": {"en": "Yes"}},
                        {"code": "2", "label": {"en": "Yes"}}]},
            {"name": "trust", "type": "likert", "min": 1, "max": 5},
        ],
        "derivations": {**CLV_BOOK["derivations"], **JOURNEY_BOOK["derivations"]},
    }
    frame = pd.DataFrame({"gender": ["m", None], "freq": ["weekly", "monthly"],
                          "stage": ["buy", "aware"], "brand": ["y", "x"], "same": ["2", "1"],
                          "trust": [3, 4]})
    answers = score_answers(book, frame, language="es", taken={"brand"})
    assert list(answers) == ["gender", "brand_answer", "same"]
    gender = answers["gender"]
    # no Spanish label: the first language's; categories in questionnaire order, unordered
    assert list(gender.cat.categories) == ["W", "M"] and not gender.cat.ordered
    assert gender.iloc[0] == "M" and pd.isna(gender.iloc[1])
    assert answers["brand_answer"].tolist() == ["Y", "X"]
    assert answers["same"].tolist() == ["2", "1"]  # labels not unique: codes
    codes = score_answers(book, frame, language="en", labels=False)
    assert codes["brand"].tolist() == ["y", "x"]


# --------------------------------------------------------------------------- data quality
def test_flag_attention() -> None:
    book = {"attention_checks": [{"column": "attn", "answer": "agree"},
                                 {"column": "attn2", "answer": 3}]}
    frame = pd.DataFrame({
        "attn": pd.array(["agree", "disagree", None, ""], dtype="str"),
        "attn2": pd.array([3, 3, 3, 4], dtype="Int64"),
    })
    # row 3 skipped the first check (not a failure); row 4 left it blank but failed the second
    assert flag_attention(book, frame).tolist() == [False, True, False, True]
    assert flag_attention({}, frame).tolist() == [False] * 4


STRAIGHT_BOOK = {"columns": [
    *({"name": f"g{i}", "type": "likert", "min": 1, "max": 5, "question": "g", "item": i}
      for i in (1, 2, 3)),
    {"name": "l1", "type": "likert", "min": 1, "max": 7, "question": "l1"},
    *({"name": f"h{i}", "type": "likert", "min": 1, "max": 5, "question": "h", "item": i}
      for i in (1, 2, 3, 4)),
    {"name": "note", "type": "single_choice"},
]}


def test_straightlining_per_grid_and_across_grids() -> None:
    frame = pd.DataFrame({
        "g1": [3, 2, 2, 5, 1], "g2": [3, 2, 2, 4, 1], "g3": [3, 2, NAN, 5, 1],
        "l1": [3, 1, 2, 7, 1],
        "h1": [3, 4, 2, 1, 2], "h2": [3, 5, 2, 2, 2], "h3": [3, 1, 2, 1, 2],
        "h4": [1, 2, NAN, 2, 2], "note": ["x"] * 5,
    })
    lining = straightlining(STRAIGHT_BOOK, frame, StraightlineRule(min_grids=1, min_run=6))
    # 1: g only (h ends with a 1); 2: g only; 3: g has 2 answers (does not count), h's 3
    # answered items are equal; 4: neither; 5: both (each its own answer)
    assert lining.grids.to_dict("list") == {"g": [True, True, False, False, True],
                                            "h": [False, False, True, False, True]}
    assert lining.share.tolist() == [0.5, 0.5, 1.0, 0.0, 1.0]
    # runs over g1 g2 g3 l1 h1..h4 in order: 1: seven 3s; 3: a gap after g2 ends a run
    assert lining.longest_run.tolist() == [7, 3, 4, 1, 4]
    assert lining.flag.tolist() == [True, True, True, False, True]
    # by default two straight-lined grids are needed (and a run of 15): only 5
    assert flag_straightliners(STRAIGHT_BOOK, frame).tolist() == [False] * 4 + [True]
    # only h (4 items) counts now: 1 by its run of 7, 5 by its straight-lined h
    stricter = StraightlineRule(min_items=4, min_share=0.75, min_grids=1, min_run=7)
    assert flag_straightliners(STRAIGHT_BOOK, frame, rule=stricter).tolist() == [
        True, False, False, False, True]
    assert flag_straightliners({"columns": []}, frame).tolist() == [False] * 5
    with pytest.raises(ValueError, match="min_share"):
        StraightlineRule(min_share=0)


def test_count_answered_by_question_type() -> None:
    book = {"questions": [
        {"name": "g", "type": "likert_grid", "columns": ["g1", "g2", "g3"]},
        {"name": "m", "type": "multiple_choice", "columns": ["m__x", "m__y"]},
        {"name": "t", "type": "text", "columns": ["t"]},
        {"name": "intro", "type": "note", "columns": []},
    ]}
    frame = pd.DataFrame({
        "g1": [1, NAN], "g2": [2, NAN], "g3": [NAN, 4],
        "m__x": [0, NAN], "m__y": [1, NAN], "t": pd.array(["", "fine"], dtype="str"),
    })
    # 1: two grid rows + the multiple choice once, blank text unanswered; 2: one row + text
    assert count_answered(book, frame).tolist() == [3, 2]


# --------------------------------------------------------------------------- reliability
def test_score_reliability_by_hand() -> None:
    book = {"scales": [{"name": "s", "label": {"en": "Scale", "es": "Escala"},
                        "dimension": "traits", "reverse_keyed": ["b"]}]}
    items = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 4, 4]})
    scales = ScaleScores({"s": np.array([1.5, 2.0, NAN, 4.0])}, {"s": items}, {"s": 2})
    entry = score_reliability(book, scales, language="es")["s"]
    # var a = 5/3, var b = 4/3, cov = 4/3: alpha = 2 * (1 - 3 / (17/3)) = 16/17
    assert entry["alpha"] == pytest.approx(16 / 17)
    assert (entry["label"], entry["dimension"], entry["layer"]) == ("Escala", "traits", None)
    assert (entry["n"], entry["k"], entry["missing"]) == (4, 2, "listwise")
    assert [item["item"] for item in entry["items"]] == ["a", "b"]
    assert entry["reverse_keyed"] == ["b"] and entry["min_items_for_score"] == 2
    assert entry["respondents_scored"] == 3  # everyone scored counts, whatever `keep` is
    kept = score_reliability(book, scales, keep=np.array([True, True, True, False]),
                             language="en")["s"]
    assert kept["n"] == 3 and kept["label"] == "Scale" and kept["respondents_scored"] == 3
    # a, b = (1, 2), (2, 2), (3, 4): var 1, 4/3, cov 1 -> 2 * (1 - 7/3 / (13/3)) = 12/13
    assert kept["alpha"] == pytest.approx(12 / 13)


# --------------------------------------------------------------------------- composition
def test_score_responses_builds_the_codebook_once(monkeypatch) -> None:
    survey = load_survey(DATA / "survey_small.yaml")
    codebook = build_codebook(survey)
    frame = pd.DataFrame({c: [None] for c in column_names(codebook)}).assign(
        respondent_id=["r1"])
    calls = []

    def counting(source):
        calls.append(source)
        return codebook

    monkeypatch.setattr(codebook_module, "build_codebook", counting)
    from_survey = score_responses(survey, frame)
    assert len(calls) == 1
    from_codebook = score_responses(codebook, frame)
    assert len(calls) == 1  # an already built codebook is used as it is
    pd.testing.assert_frame_equal(from_survey.scores, from_codebook.scores)
    assert from_survey.reliability == from_codebook.reliability
