"""XLSForm export: converted by pyxform with ODK Validate on — no errors and no warnings."""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from _export_specs import full_spec_dict, full_survey, single_language_survey
from openpyxl import load_workbook
from pyxform.validators import odk_validate
from pyxform.xls2xform import convert

from survey_builder import expressions as ex
from survey_builder.codebook import build_codebook
from survey_builder.errors import SurveyError
from survey_builder.exporters import get_exporter, xlsform
from survey_builder.exporters._common import ExportWarning
from survey_builder.spec import LikertGridQuestion, NoteQuestion, survey_from_dict

EN, ES = "English (en)", "Español (es)"
XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(scope="module", autouse=True)
def _java_available() -> None:
    if shutil.which("java") is None:
        pytest.fail("Java is not on PATH: ODK Validate (shipped with pyxform) needs it")
    assert odk_validate.install_exists(), "pyxform's ODK_Validate.jar is missing"


@pytest.fixture
def validate_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every run of ODK Validate (the real one is still called)."""
    import pyxform.survey

    calls: list[str] = []
    real = odk_validate.check_xform

    def spy(path: str) -> list[str]:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(pyxform.survey.odk_validate, "check_xform", spy)
    return calls


def export_quietly(survey: Any, out: Path, **kwargs: Any) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExportWarning)
        paths = xlsform.export(survey, out, **kwargs)
    assert len(paths) == 1
    return paths[0]


def odk_convert(path: Path) -> tuple[str, list[str]]:
    """pyxform conversion with ODK Validate on; returns the XForm and all warnings."""
    found: list[str] = []
    result = convert(xlsform=str(path), validate=True, warnings=found)
    return result.xform, found


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    workbook = load_workbook(path, read_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:]]


def instance_fields(xform: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Leaf field names of the primary instance (meta excluded) and each node's attributes."""
    root = ET.fromstring(xform)
    instance = next(root.iter(f"{XF}instance"))
    data = next(iter(instance))
    leaves: list[str] = []
    attributes: dict[str, dict[str, str]] = {}

    def walk(node: ET.Element) -> None:
        for child in node:
            name = child.tag.removeprefix(XF)
            attributes[name] = dict(child.attrib)
            if name == "meta":
                continue
            if len(child):
                walk(child)
            else:
                leaves.append(name)

    walk(data)
    return leaves, attributes


# ---------------------------------------------------------------------------- validation
def test_full_spec_passes_odk_validate_without_warnings(tmp_path: Path,
                                                        validate_calls: list[str]) -> None:
    path = export_quietly(full_survey(), tmp_path)
    assert path == tmp_path / "export_check.xlsx"
    xform, found = odk_convert(path)
    assert validate_calls, "ODK Validate was not run"
    assert found == []
    assert "<h:title>Shopping habits and views</h:title>" in xform


@pytest.mark.parametrize(("template", "modules"), [
    ("aspects", ["demographics", "behaviour", "journey", "clv", "attention"]),
    ("b2b", None),
])
def test_bank_templates_pass_odk_validate(tmp_path: Path, template: str,
                                         modules: list[str] | None,
                                         validate_calls: list[str]) -> None:
    from survey_builder.compose import compose_survey

    survey = survey_from_dict(compose_survey(template, modules, ["en", "es"]), source=template)
    xform, found = odk_convert(export_quietly(survey, tmp_path))
    assert validate_calls
    assert found == []
    fields, _ = instance_fields(xform)
    for item in survey.iter_items():
        assert item.name in fields


@pytest.mark.parametrize("case", ["spanish_only_export", "one_language_spec"])
def test_single_language_forms_pass_odk_validate(tmp_path: Path, case: str) -> None:
    if case == "spanish_only_export":
        path = export_quietly(full_survey(), tmp_path, languages=["es"])
    else:
        path = export_quietly(single_language_survey(), tmp_path)
    header = list(sheet_rows(path, "survey")[0])
    assert f"label::{ES}" in header and f"label::{EN}" not in header
    assert sheet_rows(path, "settings")[0]["default_language"] == ES
    _, found = odk_convert(path)
    assert found == []


def test_odk_validate_really_runs_and_catches_what_pyxform_does_not(tmp_path: Path) -> None:
    """A relevance using a function JavaRosa lacks passes pyxform but not ODK Validate."""
    data = full_spec_dict()
    survey = survey_from_dict(data)
    path = export_quietly(survey, tmp_path)
    workbook = load_workbook(path)
    sheet = workbook["survey"]
    header = [cell.value for cell in sheet[1]]
    relevant = header.index("relevant") + 1
    name_col = header.index("name") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, name_col).value == "buy_freq":
            sheet.cell(row, relevant).value = "no_such_function(${age_band})"
    broken = tmp_path / "broken.xlsx"
    workbook.save(broken)
    convert(xlsform=str(broken), validate=False, warnings=[])  # pyxform alone accepts it
    with pytest.raises(odk_validate.ODKValidateError, match="no_such_function"):
        convert(xlsform=str(broken), validate=True, warnings=[])


# ---------------------------------------------------------------------------- structure
@pytest.fixture(scope="module")
def full_export(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("xlsform")
    path = export_quietly(full_survey(), out)
    xform, found = odk_convert(path)
    assert found == []
    return {"path": path, "xform": xform,
            "survey": sheet_rows(path, "survey"), "choices": sheet_rows(path, "choices"),
            "settings": sheet_rows(path, "settings")[0]}


def rows_by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in rows if row.get("name")}


def test_sheets_languages_and_settings(full_export: dict[str, Any]) -> None:
    workbook = load_workbook(full_export["path"], read_only=True)
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    header = list(full_export["survey"][0])
    for column in ("type", "name", f"label::{EN}", f"label::{ES}", f"hint::{EN}",
                   f"hint::{ES}", "required", "relevant", "appearance", "constraint",
                   f"constraint_message::{EN}", f"constraint_message::{ES}", "calculation"):
        assert column in header
    assert "label" not in header  # every text column is per language
    settings = full_export["settings"]
    assert settings["form_id"] == "export_check"
    assert settings["version"] == "3"
    assert settings["default_language"] == EN
    assert settings["form_title"] == "Shopping habits and views"
    rows = rows_by_name(full_export["survey"])
    assert rows["age_band"][f"label::{ES}"] == "Su edad"


def test_question_type_mapping(full_export: dict[str, Any]) -> None:
    rows = rows_by_name(full_export["survey"])
    choices = full_export["choices"]

    def options(list_name: str) -> list[tuple[str, str]]:
        return [(str(c["name"]), c[f"label::{EN}"]) for c in choices
                if c["list_name"] == list_name]

    novel = rows["novel_1"]
    assert novel["type"].startswith("select_one ") and novel["appearance"] == "likert"
    assert novel["required"] == "yes"
    assert options(novel["type"].split()[1])[0] == ("1", "Not at all like me")
    assert len(options(novel["type"].split()[1])) == 7
    assert rows["novel_2"]["type"] == novel["type"]  # identical anchors share one list
    assert rows["novel_1"][f"hint::{ES}"] == "Piense en el último año"

    grid = rows["trust_grid"]
    assert grid["type"] == "begin_group" and grid["appearance"] == "field-list"
    header = rows["trust_grid_hdr"]
    assert header["appearance"] == "label" and header["type"] == rows["trust_1"]["type"]
    assert header[f"hint::{ES}"] == "Una respuesta por fila" and not header.get(f"label::{EN}")
    for name in ("trust_1", "trust_2", "trust_3", "trust_4"):
        assert rows[name]["appearance"] == "list-nolabel"
        assert rows[name]["required"] == "yes"
    assert [str(c[0]) for c in options(header["type"].split()[1])] == ["1", "2", "3", "4", "5"]

    assert rows["channels"]["type"].startswith("select_multiple ")
    assert rows["channels"]["constraint"] == (
        "count-selected(.) >= 1 and count-selected(.) <= 3")
    assert "3" in rows["channels"][f"constraint_message::{ES}"]
    assert rows["age_band"]["type"].startswith("select_one ")
    assert options(rows["age_band"]["type"].split()[1])[0] == ("18_34", "18 to 34")
    assert rows["avg_spend"]["type"] == "decimal"
    assert rows["avg_spend"]["constraint"] == ". >= 0 and . <= 5000.5"
    assert rows["avg_spend"][f"hint::{EN}"] == "(euros)"
    assert rows["lifespan"]["type"] == "integer"
    assert rows["lifespan"]["constraint"] == ". >= 0 and . <= 60"
    assert rows["household"]["constraint"] == ". >= 1"
    assert rows["priorities"]["type"].startswith("rank ")
    assert rows["why_rank"]["type"] == "text" and rows["why_rank"]["appearance"] == "multiline"
    assert rows["why_rank"]["constraint"] == "string-length(.) <= 400"
    assert rows["views_intro"]["type"] == "note"
    attn = rows["attn_1"]
    assert attn["type"].startswith("select_one ") and attn["required"] == "yes"
    passed = rows["attn_1_passed"]
    assert passed["type"] == "calculate"
    assert passed["calculation"] == "if(${attn_1} = 'agree', 1, 0)"


def test_relevance_is_translated(full_export: dict[str, Any]) -> None:
    survey = full_survey()
    rows = rows_by_name(full_export["survey"])
    checked = 0
    for question in survey.iter_questions():
        if question.relevant:
            assert rows[question.name]["relevant"] == ex.to_xlsform(question.relevant)
            checked += 1
        else:
            assert not rows[question.name].get("relevant")
    assert checked >= 5


def test_randomisation_is_recorded_not_dropped(tmp_path: Path) -> None:
    with pytest.warns(ExportWarning, match=r"section 'views'.*grid 'trust_grid'"):
        path = xlsform.export(full_survey(), tmp_path)[0]
    rows = rows_by_name(sheet_rows(path, "survey"))
    assert rows["views"][xlsform.RANDOMIZE_COLUMN] == "true"
    assert rows["trust_grid"][xlsform.RANDOMIZE_COLUMN] == "true"
    assert not rows["habits"].get(xlsform.RANDOMIZE_COLUMN)
    settings = sheet_rows(path, "settings")[0]
    assert settings["namespaces"] == 'dash="urn:dash-personas:survey-builder"'
    xform, found = odk_convert(path)
    assert found == []
    _, attributes = instance_fields(xform)
    randomize = "{urn:dash-personas:survey-builder}randomize"
    assert attributes["views"][randomize] == "true"
    assert attributes["trust_grid"][randomize] == "true"
    assert randomize not in attributes["habits"]


def test_no_randomisation_means_no_warning_and_no_namespace(tmp_path: Path) -> None:
    data = full_spec_dict()
    data["sections"][0]["randomize"] = False
    data["sections"][0]["questions"][1]["randomize"] = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExportWarning)
        path = xlsform.export(survey_from_dict(data), tmp_path)[0]
    assert "namespaces" not in sheet_rows(path, "settings")[0]
    assert xlsform.RANDOMIZE_COLUMN not in sheet_rows(path, "survey")[0]


# ---------------------------------------------------------------------------- round trip
def test_fields_match_codebook_columns(full_export: dict[str, Any]) -> None:
    survey = full_survey()
    codebook = build_codebook(survey)
    fields, _ = instance_fields(full_export["xform"])
    assert len(fields) == len(set(fields))
    expected: list[str] = []
    for column in codebook["columns"][1:]:  # respondent_id is not a form field
        name = column["question"] if column["option"] is not None else column["name"]
        if name not in expected:
            expected.append(name)
    auxiliary = xlsform.auxiliary_fields(survey)
    assert auxiliary == ["trust_grid_hdr", "attn_1_passed", "start", "end"]
    notes = [q.name for q in survey.iter_questions() if isinstance(q, NoteQuestion)]
    assert [f for f in fields if f not in auxiliary and f not in notes] == expected


def test_generated_names_avoid_spec_names(tmp_path: Path) -> None:
    """A section named like a question and a question named like a generated field."""
    data = full_spec_dict()
    data["sections"][1]["name"] = "age_band"  # same as a question in it
    data["sections"][1]["questions"].append({
        "type": "text", "name": "trust_grid_hdr", "label": {"en": "x", "es": "x"}})
    survey = survey_from_dict(data)
    xform, found = odk_convert(export_quietly(survey, tmp_path))
    assert found == []
    fields, attributes = instance_fields(xform)
    assert "age_band_section" in attributes and "age_band" in fields
    assert "trust_grid_hdr_2" in fields and "trust_grid_hdr" in fields
    assert "trust_grid_hdr_2" in xlsform.auxiliary_fields(survey)


# ---------------------------------------------------------------------------- plumbing
def test_registry_unknown_language_and_atomic_output(tmp_path: Path) -> None:
    assert get_exporter("xlsform") is xlsform.export
    with pytest.raises(SurveyError, match="'fr' is not one of the survey's languages"):
        xlsform.export(full_survey(), tmp_path, languages=["fr"])
    assert list(tmp_path.iterdir()) == []
    export_quietly(full_survey(), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["export_check.xlsx"]  # no temp files


def test_exporter_modules_do_not_import_pandas() -> None:
    code = ("import sys; import survey_builder.exporters.xlsform, "
            "survey_builder.exporters.surveyjs, survey_builder.exporters.redcap; "
            "print(sorted(m for m in ('pandas', 'numpy', 'openpyxl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_grid_rows_are_inside_their_group(full_export: dict[str, Any]) -> None:
    survey = full_survey()
    root = ET.fromstring(full_export["xform"])
    data = next(iter(next(root.iter(f"{XF}instance"))))
    for question in survey.iter_questions():
        if isinstance(question, LikertGridQuestion):
            group = next(data.iter(f"{XF}{question.name}"))
            assert [c.tag.removeprefix(XF) for c in group] == [
                f"{question.name}_hdr", *(item.name for item in question.items)]


def test_text_starting_with_equals_is_not_a_formula(tmp_path: Path) -> None:
    data = full_spec_dict()
    data["sections"][1]["questions"][0]["label"]["en"] = "=SUM(A1) is not a formula"
    path = export_quietly(survey_from_dict(data), tmp_path)
    rows = rows_by_name(sheet_rows(path, "survey"))
    assert rows["age_band"][f"label::{EN}"] == "=SUM(A1) is not a formula"
    sheet = load_workbook(path)["survey"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=SUM(A1) is not a formula"]
    assert [c.data_type for c in cells] == ["s"]
    xform, found = odk_convert(path)
    assert found == [] and "=SUM(A1) is not a formula" in xform
