"""The SurveyJS screener, answered by survey-core: its segment is ``TypingTool.predict``'s.

Node + survey-core answer the screener for every held-out respondent (with ~15 % of the
answers deleted) and the ``segment`` and ``persona`` the form computed must be what the
typing tool assigns from the same respondents' scores, on every row; the share is in
the assertion message (and the README). The screener also passes survey-core's linter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _screening import PERSONA_NAMES, Screening

from dash_personas.screener import surveyjs_document

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "js" / "screener-surveyjs.cjs"
LINT = ROOT / "tests" / "js" / "lint-surveyjs.cjs"


def _require_node() -> None:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "survey-core").is_dir():
        pytest.fail("node and node_modules/survey-core are needed: run `npm ci --no-audit "
                    "--no-fund` in the repository root (`make test` does it)")


def surveyjs_answers(screening: Screening, row: pd.Series) -> dict[str, Any]:
    """One respondent's answers as ``survey.data`` (grid rows inside their matrix)."""
    data: dict[str, Any] = {}
    for name in screening.rule.answer_fields:
        value = row[name]
        if pd.isna(value):
            continue
        grid = screening.rule.grid_of.get(name)
        if name not in screening.rule.choices:  # a numeric question
            data[name] = float(value)
        elif grid is None:
            data[name] = str(value)
        else:
            data.setdefault(grid, {})[name] = int(value)
    return data


def run_survey_core(document: dict[str, Any], cases: list[dict[str, Any]], tmp: Path
                    ) -> list[dict[str, Any]]:
    _require_node()
    form, cases_path = tmp / "screener.surveyjs.json", tmp / "cases.json"
    form.write_text(json.dumps(document), "utf-8")
    cases_path.write_text(json.dumps(cases), "utf-8")
    proc = subprocess.run(["node", str(HARNESS), str(form), str(cases_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def answered(screening: Screening, tmp_path_factory: pytest.TempPathFactory
             ) -> list[dict[str, Any]]:
    cases = [surveyjs_answers(screening, row) for _, row in screening.responses.iterrows()]
    return run_survey_core(surveyjs_document(screening.rule), cases,
                           tmp_path_factory.mktemp("sjs"))


def test_survey_core_assigns_every_respondent_as_predict_does(screening, answered) -> None:
    computed = [result["data"].get("segment") for result in answered]
    expected = screening.expected.tolist()
    agree = sum(c == e for c, e in zip(computed, expected, strict=True))
    assert len(expected) >= 200
    assert agree == len(expected), (
        f"survey-core agrees with predict on {agree}/{len(expected)} rows "
        f"({agree / len(expected):.1%}); first differences: "
        f"{[(i, c, e) for i, (c, e) in enumerate(zip(computed, expected)) if c != e][:5]}")


def test_the_answers_exercise_missing_values(screening) -> None:
    """Rows with a skipped choice and with a scale below its minimum answered items."""
    scores = screening.scores
    assert scores["gender"].isna().sum() >= 20
    assert scores["journey_stage"].isna().sum() >= 20
    items = screening.responses[screening.rule.answer_fields]
    assert (items.isna().sum(axis=1) > 0).mean() > 0.5
    assert scores["sv_environment"].isna().sum() >= 1 or scores["tr_openness"].isna().sum() >= 1
    assert len(set(screening.expected.tolist())) == 4


def test_persona_and_end_page_name_the_segment(screening, answered) -> None:
    for result, segment in zip(answered, screening.expected, strict=True):
        name = PERSONA_NAMES[segment]
        assert result["data"]["persona"] == name
        assert "Your profile" in result["completedHtml"]
        assert name.replace('"', "&quot;") in result["completedHtml"]


def test_distances_are_stored_in_the_result(screening, answered) -> None:
    """The distances in the form's data rank the prototypes as the engine's do."""
    model = screening.tool.model
    frame = screening.scores[list(model.feature_names_in_)].copy()
    for name in frame.columns.difference(screening.tool.questions):
        frame[name] = frame[name].mask(frame[name].notna())  # unasked: unobserved
    engine = model.transform(frame)
    form = [[r["data"][f"distance_{c}"] for c in range(4)] for r in answered]
    assert screening.scores["clv"].isna().sum() >= 20
    for mine, theirs in zip(form, engine, strict=True):
        assert sorted(range(4), key=mine.__getitem__) == sorted(range(4),
                                                                key=theirs.__getitem__)


def test_nothing_answered_gives_no_segment(screening, tmp_path: Path) -> None:
    result = run_survey_core(surveyjs_document(screening.rule), [{}], tmp_path)[0]
    assert result["data"].get("segment") in ("", None)
    assert result["data"].get("persona") in ("", None)


def test_screener_passes_the_survey_core_linter(screening, tmp_path: Path) -> None:
    _require_node()
    form = tmp_path / "screener.surveyjs.json"
    form.write_text(json.dumps(surveyjs_document(screening.rule)), "utf-8")
    proc = subprocess.run(["node", str(LINT), str(form)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
