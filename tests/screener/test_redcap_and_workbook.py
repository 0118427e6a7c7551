"""The REDCap screener and the Excel scoring workbook, evaluated from their text.

REDCap cannot run here and LibreOffice is not installed: the data dictionary passes the
project's REDCap upload rules (``tests/survey_builder/test_exports_redcap.py``), and its
calculations, and the workbook's formulas, are evaluated by the small independent
readers of ``_formulas.py`` for every held-out respondent: the segment must be
``TypingTool.predict``'s on every row.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _formulas import excel_eval, redcap_eval
from _screening import PERSONA_NAMES, Screening
from openpyxl import load_workbook

from dash_personas.screener import redcap_dictionary, scoring_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "survey_builder"))
from test_exports_redcap import REDCAP_HEADER, dictionary_problems

CHOICES = "Choices, Calculations, OR Slider Labels"


def _redcap_record(screening: Screening, rows: list[dict[str, str]], row: pd.Series
                   ) -> dict[str, Any]:
    """Evaluate every calculated field of the dictionary in order for one record."""
    record: dict[str, Any] = {name: ("" if pd.isna(row[name]) else str(row[name]))
                              for name in screening.rule.answer_fields}
    for field in rows:
        name = field["Variable / Field Name"]
        if field["Field Type"] == "calc":
            record[name] = redcap_eval(field[CHOICES], record)
        elif field["Field Annotation"].startswith("@CALCTEXT("):
            record[name] = redcap_eval(field["Field Annotation"][len("@CALCTEXT("):-1], record)
    return record


def test_redcap_dictionary_passes_the_project_rules(screening: Screening) -> None:
    rows = redcap_dictionary(screening.rule)
    assert dictionary_problems(REDCAP_HEADER, rows) == []
    kinds = {r["Variable / Field Name"]: r["Field Type"] for r in rows}
    assert kinds["distance_0"] == "calc" and kinds["segment"] == "text"
    assert rows[-1]["Field Annotation"].startswith("@CALCTEXT(if(")


def test_redcap_calculations_assign_as_predict_does(screening: Screening) -> None:
    rows = redcap_dictionary(screening.rule)
    records = [_redcap_record(screening, rows, row)
               for _, row in screening.responses.iterrows()]
    computed = [record["segment"] for record in records]
    expected = screening.expected.tolist()
    agree = sum(c == e for c, e in zip(computed, expected, strict=True))
    assert agree == len(expected), f"REDCap calculations agree on {agree}/{len(expected)}"
    assert [r["persona"] for r in records] == [PERSONA_NAMES[e] for e in expected]
    empty = _redcap_record(screening, rows, pd.Series(
        {name: None for name in screening.rule.answer_fields}))
    assert empty["segment"] == "" and empty["persona"] == ""


@pytest.fixture(scope="module")
def workbook(screening: Screening) -> Any:
    return load_workbook(io.BytesIO(scoring_workbook(screening.rule,
                                                     rows=len(screening.responses))))


def _evaluate_sheet(book: Any, answers: pd.DataFrame, fields: list[str]) -> list[dict]:
    """Paste ``answers`` into the Answers sheet and compute every formula row."""
    sheet, model = book["Answers"], book["Model"]
    header = [c.value for c in sheet[1]]
    letter = {name: sheet.cell(1, i + 1).column_letter for i, name in enumerate(header)}
    results = []
    for offset, (_, row) in enumerate(answers.iterrows()):
        r = offset + 2
        values: dict[str, Any] = {}
        for name in fields:  # pasted as numbers where the code is one, as Excel would
            value = row[name]
            values[f"{letter[name]}{r}"] = None if pd.isna(value) else (
                int(value) if str(value).isdigit() else str(value))

        def cell(ref: str, values: dict[str, Any] = values) -> Any:
            if "!" in ref:
                sheet_name, address = ref.split("!")
                assert sheet_name == "Model"
                return model[address].value
            return values.get(ref)

        out = {}
        for name in header[len(fields):]:
            ref = f"{letter[name]}{r}"
            values[ref] = excel_eval(sheet[ref].value, cell)
            out[name] = values[ref]
        results.append(out)
    return results


def test_workbook_formulas_assign_as_predict_does(screening: Screening, workbook) -> None:
    results = _evaluate_sheet(workbook, screening.responses, screening.rule.answer_fields)
    computed = [r["segment"] for r in results]
    expected = screening.expected.tolist()
    agree = sum(c == e for c, e in zip(computed, expected, strict=True))
    assert agree == len(expected), f"workbook formulas agree on {agree}/{len(expected)}"
    assert [r["persona"] for r in results] == [PERSONA_NAMES[e] for e in expected]


def test_workbook_layout(screening: Screening, workbook) -> None:
    sheet = workbook["Answers"]
    header = [c.value for c in sheet[1]]
    assert header[:len(screening.rule.answer_fields)] == screening.rule.answer_fields
    assert header[-2:] == ["segment", "persona"]
    assert all(isinstance(c.value, str) and c.value.startswith("=") for c in sheet[2]
               [len(screening.rule.answer_fields):])
    validations = {str(v.sqref).split(":")[0]: v.formula1
                   for v in sheet.data_validations.dataValidation}
    assert validations["A2"] == '"1,2,3,4,5"'
    gender = sheet.cell(1, header.index("gender") + 1).column_letter
    assert validations[f"{gender}2"] == '"female,male,non_binary,other,prefer_not"'
    params = {row[0].value: row[1].value for row in workbook["Model"].iter_rows(min_row=2)}
    model = screening.tool.model
    j = model.encoder_.numeric_features_.index("sv_environment")
    assert params["mean sv_environment"] == pytest.approx(model.encoder_.mean_[j], abs=0)
    questions = [row[0].value for row in workbook["Questions"].iter_rows(min_row=2)]
    assert "gender" in questions
