"""Answers that break the questionnaire's rules: flagged per row, counted, refused by --strict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey_builder.cli import main
from survey_builder.codebook import build_codebook
from survey_builder.errors import SurveyError
from survey_builder.readers import write_responses
from survey_builder.scoring import score_responses, spec_violations
from survey_builder.simulate import simulate_responses
from survey_builder.spec import load_survey

DATA = Path(__file__).parent / "data"
SPEC = DATA / "survey_small.yaml"


@pytest.fixture(scope="module")
def survey():
    return load_survey(SPEC)


@pytest.fixture(scope="module")
def broken(survey) -> tuple[pd.DataFrame, dict[str, tuple[str, int]]]:
    """Simulated answers (which keep every rule) with one broken rule planted per row."""
    responses, _ = simulate_responses(survey, 300, 3, seed=5)
    responses = responses.copy()
    hidden_app = int(np.flatnonzero((responses["channels__app"] == 0).to_numpy())[0])
    awareness = int(np.flatnonzero((responses["journey_stage"] == "awareness").to_numpy())[0])
    planted = {"hidden_answered/app_ease": hidden_app, "hidden_answered/nps": awareness,
               "too_many_ticks/triggers": 10, "duplicate_rank/drivers": 11,
               "required_missing/age_band": 12}
    responses.loc[hidden_app, "app_ease"] = 3
    responses.loc[awareness, "nps"] = 7
    responses.loc[10, ["triggers__need", "triggers__promo", "triggers__gift"]] = 1
    responses.loc[11, ["drivers__price", "drivers__quality", "drivers__brand"]] = [1, 1, 2]
    responses.loc[12, "age_band"] = pd.NA
    return responses, planted


def test_simulated_answers_break_no_rule(survey) -> None:
    responses, _ = simulate_responses(survey, 2000, 4, seed=1)
    assert spec_violations(build_codebook(survey), responses) == []


def test_each_planted_break_is_found_on_its_row_only(survey, broken) -> None:
    responses, planted = broken
    found = spec_violations(build_codebook(survey), responses)
    assert {f"{v.kind}/{v.question}": np.flatnonzero(v.rows).tolist() for v in found} == {
        key: [row] for key, row in planted.items()}


def test_scores_flag_the_rows_and_the_report_counts_them(survey, broken) -> None:
    responses, planted = broken
    result = score_responses(survey, responses)
    assert np.flatnonzero(result.scores["breaks_spec"].to_numpy()).tolist() == sorted(
        planted.values())
    assert result.reliability["flags"]["breaks_spec"] == len(planted)
    assert result.reliability["spec_violations"] == {
        "hidden_answered": {"app_ease": 1, "nps": 1}, "too_many_ticks": {"triggers": 1},
        "duplicate_rank": {"drivers": 1}, "required_missing": {"age_band": 1}}


def test_strict_refuses_the_first_row_with_its_question(survey, broken) -> None:
    responses, planted = broken
    first_row = min(planted.values())
    first = next(key for key, row in planted.items() if row == first_row)
    with pytest.raises(SurveyError) as info:
        score_responses(survey, responses, strict=True)
    assert info.value.field == first.split("/")[1]
    assert info.value.message.startswith(f"row {first_row + 1} (respondent ")
    assert "and 4 more" in info.value.message


def test_cli_strict_is_one_line_exit_2_nothing_written(survey, broken, tmp_path, capsys
                                                        ) -> None:
    responses, planted = broken
    first = min(planted, key=planted.get).split("/")[1]
    data = tmp_path / "responses.csv"
    write_responses(responses, survey, data, "canonical")
    out = tmp_path / "scores.csv"
    with pytest.raises(SystemExit) as done:
        main(["score", str(SPEC), str(data), "--out", str(out), "--strict", "-q"])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"Error: {data} {first}: row {min(planted.values()) + 1} "), err
    assert not out.exists()
    with pytest.raises(SystemExit) as done:
        main(["score", str(SPEC), str(data), "--out", str(out), "-q"])
    assert done.value.code in (0, None)
    assert pd.read_csv(out)["breaks_spec"].sum() == 5
