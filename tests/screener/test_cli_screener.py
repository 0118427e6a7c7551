"""``dash-personas typing-tool ... --screener FORMATS --out DIR``: the folder, and bad input."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _screening import Screening

from dash_personas.cli import main
from dash_personas.screener import SCREENER_FORMATS
from dash_personas.screener._write import SCREENER_FILES
from dash_personas.segmentation import TypingTool
from survey_builder.codebook import build_codebook, write_codebook
from survey_builder.compose import compose_survey
from survey_builder.scores import write_scores
from survey_builder.spec import survey_from_dict


@pytest.fixture
def inputs(screening: Screening, tmp_path: Path) -> dict[str, Path]:
    model = tmp_path / "model.json"
    screening.tool.model.save(model)
    scores = tmp_path / "scores.csv"
    write_scores(screening.scores, screening.codebook, scores)
    return {"model": model, "scores": scores, "tmp": tmp_path}


@dataclass
class Run:
    exit_code: int
    output: str


@pytest.fixture
def run(capsys):
    """The console-script entry point; two questions at most unless told (the search is
    the slow part)."""

    def invoke(*args: str | Path) -> Run:
        extra = [] if "--max-questions" in args else ["--max-questions", "2"]
        with pytest.raises(SystemExit) as exit_info:
            main(["typing-tool", *map(str, args), *extra])
        captured = capsys.readouterr()
        return Run(exit_info.value.code or 0, captured.out + captured.err)

    return invoke


def test_screener_folder_holds_the_tool_report_and_every_format(inputs, run) -> None:
    out = inputs["tmp"] / "screener"
    result = run(inputs["model"], inputs["scores"], "--screener", "all", "--max-questions",
                 "3", "--target-accuracy", "1", "--out", out)
    assert result.exit_code == 0, result.output
    names = {path.name for path in out.iterdir()}
    assert names == {"typing.json", "typing_report.txt", "typing_confusion.csv",
                     *SCREENER_FILES.values()}
    tool = TypingTool.load(out / "typing.json")
    assert len(tool.questions) == 3
    report = (out / "typing_report.txt").read_text()
    assert report in result.output and "accuracy" in report
    confusion = (out / "typing_confusion.csv").read_text().splitlines()
    assert confusion[0].startswith("segment,typing_tool_segment_0")
    assert len(confusion) == 1 + tool.model.prototypes_.n_clusters
    document = json.loads((out / "screener.surveyjs.json").read_text())
    names = [value["name"] for value in document["calculatedValues"]]
    assert names[-2:] == ["segment", "persona"]
    assert "'Segment 0'" in document["calculatedValues"][-1]["expression"]
    assert not [p for p in inputs["tmp"].iterdir() if p.name.startswith(".screener")]


def test_a_typing_tool_file_is_compiled_as_it_is(inputs, run) -> None:
    out = inputs["tmp"] / "first"
    assert run(inputs["model"], inputs["scores"], "--screener", "surveyjs", "--out",
               out).exit_code == 0
    again = inputs["tmp"] / "again"
    result = run(out / "typing.json", inputs["scores"], "--screener", "redcap,excel",
                 "--out", again)
    assert result.exit_code == 0, result.output
    assert {p.name for p in again.iterdir()} >= {"screener_redcap.csv",
                                                 "scoring_workbook.xlsx"}
    first, second = TypingTool.load(out / "typing.json"), TypingTool.load(again / "typing.json")
    assert second.questions == first.questions and second.accuracy == first.accuracy


def test_workbook_alone(inputs, run) -> None:
    workbook = inputs["tmp"] / "tool.xlsx"
    result = run(inputs["model"], inputs["scores"], "--workbook", workbook, "--out",
                 inputs["tmp"] / "typing.json")
    assert result.exit_code == 0, result.output
    assert workbook.stat().st_size > 0 and (inputs["tmp"] / "typing.json").is_file()


def _refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    message = result.output.strip().splitlines()
    assert len(message) == 1 or message[-1].startswith("Error:"), result.output
    for word in words:
        assert word in result.output


def test_unknown_format_is_refused_before_anything_is_written(inputs, run) -> None:
    out = inputs["tmp"] / "screener"
    _refused(run(inputs["model"], inputs["scores"], "--screener", "pdf", "--out", out),
             "unknown screener format 'pdf'", ", ".join(SCREENER_FORMATS))
    assert not out.exists()


def test_questions_not_in_the_codebook_are_refused(screening, inputs, run) -> None:
    # the screening tool's golden questions include gender and the journey stage, which
    # a B2B questionnaire with firmographics does not ask (its ASPECTS scales it does:
    # a tool searched afresh may pick only those)
    assert {"gender", "journey_stage"} <= set(screening.tool.questions)
    tool = inputs["tmp"] / "typing.json"
    n = len(screening.tool.questions)
    curve = pd.DataFrame({"n_questions": np.arange(1, n + 1),
                          "question": screening.tool.questions,
                          "accuracy": np.linspace(0.5, 0.9, n)})
    dataclasses.replace(screening.tool, accuracy=0.9, curve=curve).save(tool)
    other = build_codebook(survey_from_dict(compose_survey("b2b", ["firmographic"])))
    codebook = write_codebook(other, inputs["tmp"] / "other.codebook.json")
    out = inputs["tmp"] / "screener"
    result = run(tool, inputs["scores"], "--screener", "all", "--codebook", codebook,
                 "--out", out)
    _refused(result, "is not in the codebook")
    assert not out.exists()


def test_tool_file_of_another_version_is_refused(inputs, run) -> None:
    out = inputs["tmp"] / "first"
    assert run(inputs["model"], inputs["scores"], "--out", out / "typing.json").exit_code == 0
    document = json.loads((out / "typing.json").read_text())
    document["format_version"] = "9.0"
    (out / "typing.json").write_text(json.dumps(document))
    target = inputs["tmp"] / "screener"
    _refused(run(out / "typing.json", inputs["scores"], "--screener", "all", "--out", target),
             "9.0")
    assert not target.exists()


def test_out_must_be_a_folder_with_a_screener(inputs, run) -> None:
    existing = inputs["tmp"] / "typing.json"
    existing.write_text("{}")
    _refused(run(inputs["model"], inputs["scores"], "--screener", "all", "--out", existing),
             "not a directory")
    assert existing.read_text() == "{}"
