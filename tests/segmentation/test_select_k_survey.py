"""Choosing k on survey scale data: the demo's kind of data, end to end from a questionnaire.

The respondents are simulated by ``survey-builder simulate`` from planted personas and
scored by ``survey-builder score``, as ``make demo`` does (at 2,000 rows instead of
5,000). On such data the latent-class BIC keeps falling a little with every extra
segment (skewed customer lifetime value, answers that depend on each other within a
persona), so its minimum over-splits; the rule takes the elbow. This module takes about
5 s: simulating and scoring a questionnaire is part of what it checks.
"""

from __future__ import annotations

import warnings

import pytest

from dash_personas.pipeline import select_features
from dash_personas.segmentation import select_k
from survey_builder import read_scores
from survey_builder.cli import cli as survey_cli
from survey_builder.codebook import build_codebook
from survey_builder.spec import load_survey

PLANTED = 5


def _survey_builder(args: list[str]) -> None:
    survey_cli.main(args=args, prog_name="survey-builder", standalone_mode=False)


@pytest.fixture(scope="module")
def survey_scores(tmp_path_factory):
    """Scale scores, CLV, journey stage and demographics of 2,000 simulated respondents."""
    folder = tmp_path_factory.mktemp("survey")
    spec = folder / "survey.yaml"
    _survey_builder(["init", "--template", "aspects", "--modules",
                     "demographics,behaviour,journey,clv,attention", "--languages", "en",
                     "--out", str(spec)])
    _survey_builder(["simulate", str(spec), "-n", "2000", "--personas", str(PLANTED),
                     "--seed", "3", "--out", str(folder / "responses.csv"), "--quiet"])
    scores_path = folder / "scores.csv"
    _survey_builder(["score", str(spec), str(folder / "responses.csv"), "--out",
                     str(scores_path), "--quiet"])
    scores = read_scores(scores_path).frame
    features = scores[select_features(scores, codebook=build_codebook(load_survey(spec))
                                      ).features]
    return features, scores_path


def test_planted_personas_are_not_over_split(survey_scores):
    features, _ = survey_scores
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the restarts' own agreement is reported elsewhere
        table = select_k(features, range(2, 9), n_init=2, n_bootstrap=0, random_state=0)
    # the lowest BIC alone (the previous rule) takes more segments than were planted
    assert table.lowest_bic_k > PLANTED
    assert table.best_by("bic") > PLANTED
    assert table.recommended_k == PLANTED
    steps = table["bic_step"]
    assert (steps.loc[:PLANTED] >= table.min_bic_step).all()
    assert (steps.loc[PLANTED + 1:table.lowest_bic_k] < table.min_bic_step).all()
    # the steps are shares of the improvement the lowest-BIC k makes over one segment
    assert steps.loc[:table.lowest_bic_k].sum() == pytest.approx(1.0)
    assert table.runner_up_k == table.lowest_bic_k
    assert table.margin == pytest.approx(table.loc[table.lowest_bic_k, "bic"]
                                         - table.loc[PLANTED, "bic"]) and table.margin < 0
    assert table.rule.startswith("the elbow of the latent-class BIC")
    assert f"runner-up k={table.lowest_bic_k}, the lowest BIC" in table.rule


def test_cli_names_the_elbow_and_the_lowest_bic_as_runner_up(survey_scores, tmp_path,
                                                             capsys):
    from dash_personas.cli import main

    _, scores_path = survey_scores
    with pytest.raises(SystemExit) as exit_info:
        main(["segment", str(scores_path), "--k", "auto", "--n-init", "2", "--seed", "0",
              "--out", str(tmp_path / "model.json")])
    assert exit_info.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    chosen = next(line for line in lines if line.startswith("Chosen k = "))
    runner_up = next(line for line in lines if line.startswith("Runner-up: "))
    assert chosen.startswith(f"Chosen k = {PLANTED} (elbow of the latent-class BIC")
    assert "tried k = 2, 3, 4, 5, 6, 7, 8" in chosen
    lowest = int(chosen.split("up to k = ")[1].split(" ")[0])
    assert lowest > PLANTED
    assert runner_up.startswith(f"Runner-up: k = {lowest}, the lowest BIC (lower by ")
