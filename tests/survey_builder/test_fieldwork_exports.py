"""Screening, redirects, quotas and interview times in the exports, run by the real engines:
survey-core drives respondents page by page; pyxform + ODK Validate convert the XLSForm and
JavaRosa walks it; the REDCap dictionary is checked field by field."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pyxform.validators import odk_validate
from pyxform.xls2xform import convert

from survey_builder.exporters import redcap, surveyjs, xlsform
from survey_builder.exporters._common import ExportWarning
from survey_builder.readers import responses_from_text
from survey_builder.spec import load_survey

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(__file__).parent / "data" / "survey_fieldwork.yaml"
DRIVE = ROOT / "tests" / "js" / "fieldwork-surveyjs.cjs"
LINT = ROOT / "tests" / "js" / "lint-surveyjs.cjs"
RELEVANCE_JAVA = ROOT / "tests" / "java" / "XFormRelevance.java"
GRIDS = {"trust_grid": {"trust_1": 4, "trust_2": 4, "trust_3": 2},
         "price_grid": {"price_1": 3, "price_2": 5, "price_3": 2}}


@pytest.fixture(scope="module")
def survey():
    return load_survey(SPEC)


@pytest.fixture(scope="module")
def surveyjs_form(survey, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "survey-core").is_dir():
        pytest.fail("node and node_modules/survey-core are needed: run `npm ci --no-audit "
                    "--no-fund` in the repository root (`make test` does it)")
    return surveyjs.export(survey, tmp_path_factory.mktemp("sjs"))[0]


def drive(form: Path, cases: list[dict[str, Any]], tmp: Path) -> list[dict[str, Any]]:
    path = tmp / "cases.json"
    path.write_text(json.dumps(cases), "utf-8")
    proc = subprocess.run(["node", str(DRIVE), str(form), str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_surveyjs_export_passes_the_linter_with_the_host_variables(survey, surveyjs_form):
    variables = surveyjs.host_variables(survey)
    assert variables == ["rid", "completes_young_women", "completes_young_men",
                         "completes_older"]
    proc = subprocess.run(["node", str(LINT), f"--known-variables={','.join(variables)}",
                           str(surveyjs_form)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["errorCount"] == report["warningCount"] == 0
    # without them the linter does flag the host's variables: the declaration is needed
    bare = subprocess.run(["node", str(LINT), str(surveyjs_form)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert bare.returncode == 1 and "completes_young_women" in bare.stderr


def test_survey_core_redirects_screen_outs_completes_and_full_cells(surveyjs_form,
                                                                    tmp_path: Path):
    woman = {"age_band": "18_34", "gender": "woman", "buys": "yes", **GRIDS, "attn": "agree"}
    cases = [
        {"answers": {"age_band": "u18", "gender": "man", "buys": "yes"},
         "variables": {"rid": "PX-001"}},
        {"answers": {**woman, "buys": "no"}, "variables": {"rid": "PX-002"}},
        {"answers": woman, "variables": {"rid": "PX-003", "completes_young_women": 12}},
        {"answers": woman, "variables": {"rid": "PX-004", "completes_young_women": 40}},
        {"answers": {**woman, "gender": "man"},  # another cell, not full
         "variables": {"rid": "PX-005", "completes_young_women": 40}},
    ]
    runs = drive(surveyjs_form, cases, tmp_path)
    base = "https://panel.example.com/end?status="
    assert [r["url"] for r in runs] == [
        f"{base}screenout&rid=PX-001", f"{base}screenout&rid=PX-002",
        f"{base}complete&rid=PX-003", f"{base}overquota&rid=PX-004",
        f"{base}complete&rid=PX-005"]
    assert all(r["state"] == "completed" for r in runs)
    # a screen-out ends on the screener page: nothing after it was shown or stored
    assert runs[0]["pagesSeen"] == runs[1]["pagesSeen"] == ["screener"]
    assert "trust_grid" not in runs[0]["data"] and "attn" not in runs[1]["data"]
    assert runs[2]["pagesSeen"] == ["screener", "views"]
    assert "do not qualify" in runs[0]["html"] and "enough answers" in runs[3]["html"]
    assert "do not qualify" not in runs[2]["html"]


def test_survey_core_records_the_interview_times_read_back_by_the_reader(
        survey, surveyjs_form, tmp_path: Path):
    answers = {"age_band": "35_plus", "gender": "man", "buys": "yes", **GRIDS,
               "attn": "agree"}
    (run,) = drive(surveyjs_form, [{"answers": answers, "variables": {"rid": "A1"}}],
                   tmp_path)
    data = run["data"]
    assert isinstance(data["started_at"], int) and data["ended_at"] >= data["started_at"]
    frame = responses_from_text(json.dumps([data]), survey, input_format="surveyjs")
    assert frame["started_at"].dt.tz is not None
    assert frame.loc[0, "age_band"] == "35_plus"
    lag = (frame.loc[0, "ended_at"] - frame.loc[0, "started_at"]).total_seconds()
    assert 0 <= lag < 60  # the script answers in well under a minute


def _xform(survey, tmp: Path) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = xlsform.export(survey, tmp)[0]
    lines = [str(w.message) for w in caught if issubclass(w.category, ExportWarning)]
    assert len(lines) == 1 and "\n" not in lines[0], lines  # one line for the format
    assert "panel redirects" in lines[0] and "quota counts" in lines[0]
    result = convert(xlsform=str(path), validate=True)
    assert result.warnings == []
    return result.xform


def test_xlsform_passes_odk_validate_and_javarosa_skips_the_rest_after_a_screen_out(
        survey, tmp_path: Path):
    if shutil.which("java") is None or not odk_validate.install_exists():
        pytest.fail("Java (JDK 11+) and pyxform's ODK_Validate.jar are needed: install "
                    "openjdk-17-jdk-headless and the [dev] extra")
    form = tmp_path / "form.xml"
    form.write_text(_xform(survey, tmp_path), "utf-8")
    cases = tmp_path / "cases.tsv"
    cases.write_text("age_band=u18\ngender=man\tage_band=18_34\tbuys=no\n"
                     "age_band=18_34\tgender=man\tbuys=yes\n", "utf-8")
    proc = subprocess.run(["java", "-cp", odk_validate.ODK_VALIDATE_PATH, str(RELEVANCE_JAVA),
                           str(form), str(cases)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    under_18, non_buyer, qualified = (set(line.split()) for line in proc.stdout.splitlines())
    assert "age_band_screenout" in under_18 and "gender" not in under_18
    assert "views" not in under_18 and "trust_1" not in under_18
    assert "buys_screenout" in non_buyer and "views" not in non_buyer
    assert {"gender", "buys", "views", "trust_1", "attn", "comment"} <= qualified
    assert not {"age_band_screenout", "buys_screenout"} & qualified


def test_xlsform_records_start_and_end_and_the_odk_reader_keeps_them(survey):
    sheets, auxiliary = xlsform.build_workbook(survey)
    assert sheets["survey"][:2] == [{"type": "start", "name": "start"},
                                    {"type": "end", "name": "end"}]
    assert auxiliary[-4:] == ["age_band_screenout", "buys_screenout", "start", "end"]
    fields = ["start", "end", "screener/age_band", "screener/age_band_screenout",
              "screener/gender", "screener/buys", "screener/buys_screenout",
              "views/trust_grid/trust_grid_hdr", "views/trust_grid/trust_1",
              "views/trust_grid/trust_2", "views/trust_grid/trust_3",
              "views/price_grid/price_grid_hdr", "views/price_grid/price_1",
              "views/price_grid/price_2", "views/price_grid/price_3", "views/attn",
              "views/attn_passed", "views/comment", "meta/instanceID"]
    row = ["2026-05-04T10:00:00.000+02:00", "2026-05-04T10:09:30.000+02:00", "u18",
           *[""] * (len(fields) - 4), "uuid:1"]
    text = ",".join(fields) + "\n" + ",".join(row) + "\n"  # a screen-out, as ODK sends it
    frame = responses_from_text(text, survey, input_format="odk")
    assert frame.loc[0, "age_band"] == "u18" and pd.isna(frame.loc[0, "gender"])
    assert str(frame.loc[0, "started_at"]) == "2026-05-04 08:00:00+00:00"
    assert (frame.loc[0, "ended_at"] - frame.loc[0, "started_at"]).total_seconds() == 570


def test_redcap_dictionary_skips_after_a_screen_out_and_stamps_the_start(survey,
                                                                        tmp_path: Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        redcap.export(survey, tmp_path)
    lines = [str(w.message) for w in caught if issubclass(w.category, ExportWarning)]
    assert len(lines) == 1 and "stop actions" in lines[0] and "\n" not in lines[0]
    rows = {r["Variable / Field Name"]: r for r in redcap.build_dictionary(survey)}
    order = list(rows)
    assert order[:2] == ["respondent_id", "started_at"]
    assert rows["started_at"]["Field Annotation"] == "@NOW @HIDDEN-SURVEY @READONLY"
    assert "[age_band] = 'u18'" in rows["age_band"]["Field Annotation"]
    logic = "Branching Logic (Show field only if...)"
    assert rows["age_band"][logic] == ""
    assert rows["gender"][logic] == "[age_band] <> 'u18'"
    assert rows["trust_1"][logic] == "([age_band] <> 'u18') and ([buys] <> 'no')"
