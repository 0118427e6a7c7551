"""Behaviour from the questionnaire through the command line: score -> personas --answers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dash_personas.cli import main
from dash_personas.personas import behaviour_answers, with_answers


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """survey.yaml -> responses.csv -> scores.csv (+ codebook) -> model.json, by the CLIs."""
    from survey_builder.cli import main as survey_builder

    folder = tmp_path_factory.mktemp("answers")
    for argv in (
        ["init", "--template", "aspects", "--modules", "demographics,behaviour,journey,clv",
         "--languages", "en", "--out", str(folder / "survey.yaml")],
        ["simulate", str(folder / "survey.yaml"), "-n", "400", "--personas", "3", "--seed", "4",
         "--out", str(folder / "responses.csv"), "--quiet"],
        ["score", str(folder / "survey.yaml"), str(folder / "responses.csv"),
         "--out", str(folder / "scores.csv"), "--quiet"],
    ):
        with pytest.raises(SystemExit) as done:
            survey_builder(argv)
        assert done.value.code in (0, None), argv
    with pytest.raises(SystemExit) as done:
        main(["segment", str(folder / "scores.csv"), "--k", "3", "--out",
              str(folder / "model.json")])
    assert done.value.code in (0, None)
    return folder


def _personas(folder, capsys, *extra):
    out = folder / "personas.json"
    with pytest.raises(SystemExit) as done:
        main(["personas", str(folder / "model.json"), str(folder / "scores.csv"),
              "--out", str(out), *extra])
    captured = capsys.readouterr()
    return done.value.code, captured, (json.loads(out.read_text()) if out.exists() else None)


def test_scores_carry_the_behaviour_no_answers_needed(scored, capsys):
    """spec -> simulate -> score -> segment -> personas, without --answers (~5 s under load)."""
    code, captured, personas = _personas(scored, capsys)
    assert code in (0, None), captured.err
    responses = pd.read_csv(scored / "responses.csv")
    for persona in personas["personas"]:
        b = persona["behaviour"]
        assert b["frequency"] and b["spend"] is not None and b["channel_shares"]
        assert persona["day_in_life"]
    spend = sum(p["behaviour"]["spend"] * p["size"] for p in personas["personas"])
    assert spend / len(responses) == pytest.approx(responses["avg_purchase_value"].mean())
    assert any(p["triggers"] or p["goals"] for p in personas["personas"])
    # described, not segmented on: the model kept its features
    model = json.loads((scored / "model.json").read_text())
    assert not any(name.startswith(("channels__", "purchase_", "choice_", "avg_"))
                   for name in json.dumps(model).split('"'))


def test_answers_fill_the_behaviour_of_older_scores(scored, capsys, tmp_path):
    """Scores without the behaviour columns: --answers adds them (two runs, ~5 s each)."""
    from survey_builder import load_codebook, read_scores
    from survey_builder.scores import write_scores
    from survey_builder.scoring import behaviour_columns

    codebook = load_codebook(scored / "survey.yaml")
    old = read_scores(scored / "scores.csv").frame.drop(columns=behaviour_columns(codebook))
    write_scores(old, codebook, tmp_path / "old.csv")
    _, _, new = _personas(scored, capsys)

    def personas_of(*extra):
        out = tmp_path / "personas.json"
        with pytest.raises(SystemExit) as done:
            main(["personas", str(scored / "model.json"), str(tmp_path / "old.csv"),
                  "--out", str(out), *extra])
        assert done.value.code in (0, None), capsys.readouterr().err
        return json.loads(out.read_text())["personas"]

    plain = personas_of()
    assert not any(p["behaviour"]["frequency"] or p["triggers"] for p in plain)
    full = personas_of("--answers", str(scored / "responses.csv"))
    assert [p["size"] for p in full] == [p["size"] for p in plain]
    assert [p["behaviour"] for p in full] == [p["behaviour"] for p in new["personas"]]


def test_answers_errors_are_one_line(scored, capsys, tmp_path):
    other = tmp_path / "other.csv"
    answers = pd.read_csv(scored / "responses.csv")
    answers["respondent_id"] = "x" + answers["respondent_id"].astype(str)
    answers.to_csv(other, index=False)
    code, captured, _ = _personas(scored, capsys, "--answers", str(other))
    assert code == 2 and captured.err.count("\n") == 1
    assert "none of its respondents is in the scores" in captured.err


def test_with_answers_aligns_by_id_whatever_the_order():
    scores = pd.DataFrame({"respondent_id": ["a", "b", "c"], "clv": [1.0, 2.0, 3.0]})
    answers = pd.DataFrame({"respondent_id": ["c", "a"], "channels__app": [1, 0]})
    joined = with_answers(scores, answers, "respondent_id")
    assert joined["channels__app"].tolist()[::2] == [0, 1]
    assert joined["channels__app"].isna().tolist() == [False, True, False]
    with pytest.raises(ValueError, match="appears twice"):
        with_answers(scores, pd.concat([answers, answers]), "respondent_id")


def test_behaviour_answers_are_the_questions_that_measure_behaviour(scored):
    from survey_builder import load_codebook

    codebook = load_codebook(scored / "survey.yaml")
    responses = pd.read_csv(scored / "responses.csv")
    picked = list(behaviour_answers(responses, codebook).columns)
    assert picked[0] == "respondent_id"
    assert {"purchase_frequency", "avg_purchase_value", "channels__store",
            "purchase_triggers__promotion", "choice_drivers__price"} <= set(picked)
    assert not {"expected_lifespan", "buy_more_reason", "age_band"} & set(picked)
