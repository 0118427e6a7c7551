"""Scoring checked against hand-computed values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey_builder.codebook import build_codebook, column_names
from survey_builder.errors import SurveyError
from survey_builder.scoring import (
    clv,
    min_items_required,
    reverse_key,
    scale_scores,
    score_responses,
    straightline_flags,
)
from survey_builder.spec import load_survey

DATA = Path(__file__).parent / "data"
NAN = np.nan


@pytest.fixture(scope="module")
def survey():
    return load_survey(DATA / "survey_small.yaml")


def _frame(survey, rows: list[dict]) -> pd.DataFrame:
    """A canonical frame with every codebook column, blank unless given."""
    columns = column_names(build_codebook(survey))
    return pd.DataFrame([{c: row.get(c, None) for c in columns} for row in rows], columns=columns)


LIKERT_ALL = {c: 3 for c in ("trust_1", "trust_2", "trust_3", "price_1", "price_2", "price_3",
                             "eco_1", "eco_2", "eco_3", "eco_4")}
LIKERT_ALL.update({c: 4 for c in ("open_1", "open_2", "open_3", "open_4")})

ROWS = [
    {  # a: hand-computed below
        "respondent_id": "a", "age_band": "18_34", "gender": "woman",
        "trust_1": 4, "trust_2": 5, "trust_3": 2, "price_1": 2, "attn": "agree",
        "open_1": 7, "open_2": 6, "open_3": 1, "eco_1": 5, "eco_2": 4,
        "purchase_frequency": "monthly", "avg_spend": 40, "lifespan": "1_3y",
        "channels__store": 1, "channels__web": 0, "channels__app": 0,
        "journey_stage": "retention", "nps": 9, "comment": "fine",
    },
    {  # b: wrong attention answer, lifespan unknown
        "respondent_id": "b", "age_band": "55_plus", "trust_1": 1, "trust_2": 2, "trust_3": 5,
        "price_1": 5, "price_2": 4, "price_3": 1, "attn": "disagree", "open_1": 2, "open_2": 3,
        "open_3": 6, "open_4": 2, "eco_1": 1, "eco_2": 2, "eco_3": 5, "eco_4": 1,
        "purchase_frequency": "weekly", "avg_spend": 12.5, "lifespan": "dont_know",
        "journey_stage": "awareness",
    },
    {  # c: straight-liner in the middle of every scale, attention check skipped
        "respondent_id": "c", "age_band": "35_54", **LIKERT_ALL,
        "purchase_frequency": "yearly", "avg_spend": 100, "lifespan": "4_9y",
        "journey_stage": "advocacy",
    },
]


@pytest.fixture(scope="module")
def result(survey):
    return score_responses(survey, _frame(survey, ROWS))


def test_scale_scores_by_hand(result) -> None:
    s = result.scores.set_index("respondent_id")
    # a: trust 4, 5, 2 (reverse -> 6 - 2 = 4) -> 13 / 3
    assert s.loc["a", "brand_trust"] == pytest.approx(13 / 3)
    # a: price 2 answered of 3; default rule needs ceil(3 * 0.5) = 2 -> no score
    assert math.isnan(s.loc["a", "price_focus"])
    # a: 7-point openness 7, 6, 1 (reverse -> 8 - 1 = 7), open_4 missing -> 20 / 3
    assert s.loc["a", "openness"] == pytest.approx(20 / 3)
    # a: eco has min_answered: 3 in the spec; only 2 answered -> no score
    assert math.isnan(s.loc["a", "eco"])
    # b: trust 1, 2, 5 -> 1, 2, 1 -> 4/3; price 5, 4, 1 -> 5, 4, 5 -> 14/3
    assert s.loc["b", "brand_trust"] == pytest.approx(4 / 3)
    assert s.loc["b", "price_focus"] == pytest.approx(14 / 3)
    # b: openness 2, 3, 6 -> 2, 3, 2, 2 -> 9/4; eco 1, 2, 5 -> 1, 1 -> 5/4
    assert s.loc["b", "openness"] == pytest.approx(9 / 4)
    assert s.loc["b", "eco"] == pytest.approx(5 / 4)
    # c: the midpoint stays the midpoint after reverse-keying
    assert s.loc["c", ["brand_trust", "price_focus", "eco"]].tolist() == [3.0, 3.0, 3.0]
    assert s.loc["c", "openness"] == 4.0


def test_clv_journey_and_answers(result) -> None:
    s = result.scores.set_index("respondent_id")
    assert s.loc["a", "clv"] == pytest.approx(40 * 12 * 2)  # monthly = 12/yr, 1-3y = 2 years
    assert math.isnan(s.loc["b", "clv"])  # "dont_know" has no numeric value
    assert s.loc["c", "clv"] == pytest.approx(100 * 1 * 6)
    assert s.loc["a", "journey_stage"] == "Regular"
    assert s.loc["b", "journey_stage"] == "Aware"
    stage = result.scores["journey_stage"]
    assert stage.dtype == "category" and stage.cat.ordered
    assert list(stage.cat.categories) == ["Aware", "Considering", "Bought", "Regular", "Fan"]
    assert s.loc["a", "age_band"] == "18-34" and s.loc["a", "gender"] == "Woman"
    assert pd.isna(s.loc["b", "gender"])
    # the journey question is not repeated as an answer, nor the CLV lifespan; frequency
    # and spend are behaviour answers, as given
    assert "lifespan" not in s.columns and "attn" not in s.columns
    assert s.loc["a", "purchase_frequency"] == "Monthly"
    assert result.scores["purchase_frequency"].dtype == "category"
    assert s["avg_spend"].tolist() == [40, 12.5, 100]
    # multiple-choice ticks and ranks, one column per option
    assert s.loc["a", ["channels__store", "channels__web", "channels__app"]].tolist() == [1, 0, 0]
    assert {"triggers__promo", "drivers__price"} <= set(s.columns)


def test_flags_and_counts(result) -> None:
    s = result.scores.set_index("respondent_id")
    assert s["attention_failed"].tolist() == [False, True, False]
    assert s["straightliner"].tolist() == [False, False, True]
    # a: age, gender (2) + trust_1..3, price_1 (4) + attn (1) + open_1..3 (3) + eco_1..2 (2)
    #    + frequency, spend, lifespan (3) + channels (1) + journey, nps, comment (3) = 19
    assert s.loc["a", "n_answered"] == 19
    # c: age, 14 Likert items, frequency, spend, lifespan, journey = 19
    assert s.loc["c", "n_answered"] == 19


def test_column_order_and_types(result) -> None:
    assert list(result.scores.columns) == [
        "respondent_id", "brand_trust", "price_focus", "openness", "eco", "clv",
        "journey_stage", "age_band", "gender", "purchase_frequency", "avg_spend",
        "channels__store", "channels__web", "channels__app", "triggers__need",
        "triggers__promo", "triggers__gift", "drivers__price", "drivers__quality",
        "drivers__brand", "attention_failed", "straightliner", "breaks_spec",
        "n_answered", "straightlined_share", "longest_run"]
    assert result.scores["respondent_id"].is_unique
    assert result.scores["attention_failed"].dtype == bool


def test_codes_and_language(survey) -> None:
    frame = _frame(survey, ROWS)
    codes = score_responses(survey, frame, labels=False).scores.set_index("respondent_id")
    assert codes.loc["a", "journey_stage"] == "retention"
    assert codes.loc["a", "age_band"] == "18_34"
    spanish = score_responses(survey, frame, language="es").scores.set_index("respondent_id")
    assert spanish.loc["a", "gender"] == "Mujer"
    assert spanish.loc["a", "journey_stage"] == "Habitual"


def test_min_answered_rule(survey) -> None:
    frame = _frame(survey, ROWS)
    strict = score_responses(survey, frame, min_answered=1.0).scores.set_index("respondent_id")
    assert math.isnan(strict.loc["a", "openness"])  # 3 of 4 answered, all required
    assert strict.loc["b", "openness"] == pytest.approx(9 / 4)
    lenient = score_responses(survey, frame, min_answered=0.01).scores.set_index("respondent_id")
    assert lenient.loc["a", "price_focus"] == 2.0
    assert math.isnan(lenient.loc["a", "eco"])  # the spec's min_answered: 3 still applies


def test_reliability_report(survey) -> None:
    from survey_builder.simulate import simulate_responses

    responses, _ = simulate_responses(survey, 600, 3, seed=2)
    result = score_responses(survey, responses)
    report = json.loads(json.dumps(result.reliability, allow_nan=False))
    assert report["n_respondents"] == 600
    assert set(report["scales"]) == {"brand_trust", "price_focus", "openness", "eco"}
    trust = report["scales"]["brand_trust"]
    assert trust["label"] == "Brand trust" and trust["dimension"] == "attitudes"
    assert trust["k"] == 3 and trust["reverse_keyed"] == ["trust_3"]
    assert 0.5 < trust["alpha"] < 1
    assert [i["item"] for i in trust["items"]] == ["trust_1", "trust_2", "trust_3"]
    assert all(i["item_total_r"] > 0 for i in trust["items"])  # reverse-keyed item flipped
    assert report["flags"]["attention_failed"] == int(result.scores["attention_failed"].sum())
    table = result.table()
    assert "brand_trust" in table and "alpha=" in table and "600 respondents" in table
    excluded = score_responses(survey, responses, reliability_exclude_flagged=True)
    flagged = int((result.scores["attention_failed"] | result.scores["straightliner"]).sum())
    assert excluded.reliability["n_used_for_reliability"] == 600 - flagged
    pairwise = score_responses(survey, responses, missing="pairwise")
    assert pairwise.reliability["scales"]["eco"]["alpha"] != pytest.approx(
        report["scales"]["eco"]["alpha"], abs=1e-12)


def test_codebook_dict_gives_the_same_scores(survey, result) -> None:
    again = score_responses(build_codebook(survey), _frame(survey, ROWS))
    pd.testing.assert_frame_equal(again.scores, result.scores)


def test_bad_input(survey) -> None:
    frame = _frame(survey, ROWS)
    with pytest.raises(SurveyError, match="trust_2"):
        score_responses(survey, frame.drop(columns="trust_2"))
    dup = frame.copy()
    dup.loc[2, "respondent_id"] = "a"
    with pytest.raises(SurveyError, match="duplicate respondent id 'a'"):
        score_responses(survey, dup)
    for missing in (None, "  ", pd.NA):
        blank = frame.copy()
        blank.loc[1, "respondent_id"] = missing
        with pytest.raises(SurveyError, match="respondent 2 has no id"):
            score_responses(survey, blank)


# ---------------------------------------------------------------- the NumPy building blocks
def test_reverse_key() -> None:
    assert reverse_key(np.array([1, 2, 3, 4, 5, NAN]), 1, 5)[:5].tolist() == [5, 4, 3, 2, 1]
    assert reverse_key(np.array([1.0, 7.0]), 1, 7).tolist() == [7.0, 1.0]
    assert math.isnan(reverse_key(np.array([NAN]), 1, 5)[0])


@pytest.mark.parametrize(("k", "rule", "need"), [
    (4, 0.5, 2), (3, 0.5, 2), (5, 0.5, 3), (1, 0.5, 1), (4, 1.0, 4), (4, 0.01, 1),
    (4, 2, 2), (4, 9, 4), (0, 0.5, 0),
])
def test_min_items_required(k: int, rule: float, need: int) -> None:
    assert min_items_required(k, rule) == need


def test_min_items_required_rejects_nonsense() -> None:
    for bad in (0, -1, math.inf, math.nan):
        with pytest.raises(ValueError):
            min_items_required(4, bad)


def test_scale_scores_mean_of_answered() -> None:
    items = np.array([[1, 2, 3, 4], [5, NAN, NAN, NAN], [2, 4, NAN, NAN], [NAN] * 4])
    out = scale_scores(items, 0.5)
    assert out[0] == 2.5 and math.isnan(out[1]) and out[2] == 3.0 and math.isnan(out[3])
    assert scale_scores(items, min_items=1)[1] == 5.0
    assert scale_scores(np.empty((3, 0))).shape == (3,)


def test_clv_product() -> None:
    assert clv(np.array([40.0, 10.0]), np.array([12.0, NAN]), np.array([3.0, 2.0]))[0] == 1440.0
    assert math.isnan(clv(np.array([40.0]), np.array([NAN]), np.array([3.0]))[0])


def test_straightline_flags() -> None:
    grid = np.array([[3, 3, 3, 3, 3], [3, 3, 3, 3, 2], [4, 4, NAN, 4, 4], [2, 2, 2, NAN, NAN]])
    assert straightline_flags([grid], min_items=4).tolist() == [True, False, True, False]
    assert straightline_flags([grid], min_items=3).tolist() == [True, False, True, True]
    short = np.array([[1, 1], [1, 2], [1, 1], [3, 3]])
    assert straightline_flags([short, grid], min_items=4).tolist() == [True, False, True, False]
