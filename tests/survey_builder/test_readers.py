"""Response readers: format detection, mapping to the canonical layout, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey_builder.codebook import build_codebook, column_names
from survey_builder.errors import SurveyError
from survey_builder.readers import (
    decode_bytes,
    detect_format,
    read_responses,
    responses_from_text,
    to_odk,
    to_redcap,
    to_surveyjs,
)
from survey_builder.simulate import simulate_responses
from survey_builder.spec import load_survey

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def survey():
    return load_survey(DATA / "survey_small.yaml")


@pytest.fixture(scope="module")
def responses(survey):
    return simulate_responses(survey, 40, 3, seed=4)[0]


@pytest.fixture
def canonical_csv(responses) -> str:
    return responses.to_csv(index=False)


def _replace_cell(text: str, row: int, column: str, value: str) -> str:
    frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    return frame.to_csv(index=False)


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize(("text", "expected"), [
    ('[{"q": 1}]', "surveyjs"),
    ('  {"results": []}', "surveyjs"),
    ("record_id,q1\n1,2\n", "redcap"),
    ("respondent_id,channels___web\n", "redcap"),
    ("start,end,grp/q1,_uuid\n", "odk"),
    ("KEY,SubmissionDate,q1\n", "odk"),
    ("q1;_id;_uuid\n", "odk"),
    ("respondent_id,q1,q2\n", "canonical"),
])
def test_detect_format(text: str, expected: str) -> None:
    assert detect_format(text) == expected


def test_detect_by_json_suffix() -> None:
    assert detect_format("", "results.json") == "surveyjs"


# ---------------------------------------------------------------- canonical
def test_canonical_round_trip(survey, responses, canonical_csv) -> None:
    back = responses_from_text(canonical_csv, survey)
    pd.testing.assert_frame_equal(back, responses)
    assert list(back.columns) == column_names(build_codebook(survey))


def test_missing_and_unknown_columns_are_named(survey, responses) -> None:
    text = responses.drop(columns=["trust_2", "eco_4"]).to_csv(index=False)
    with pytest.raises(SurveyError, match=r"2 codebook column\(s\) missing .*trust_2, eco_4"):
        responses_from_text(text, survey, name="r.csv")
    text = responses.assign(mystery=1, other_col=2).to_csv(index=False)
    with pytest.raises(SurveyError, match=r"not in the codebook: mystery, other_col") as info:
        responses_from_text(text, survey, name="r.csv")
    assert info.value.file == "r.csv"
    back = responses_from_text(text, survey, allow_extra_columns=True)
    pd.testing.assert_frame_equal(back, responses)


def test_out_of_range_names_file_line_and_column(survey, canonical_csv) -> None:
    text = _replace_cell(canonical_csv, 6, "trust_1", "9")
    with pytest.raises(SurveyError) as info:
        responses_from_text(text, survey, name="responses.csv")
    err = info.value
    assert (err.file, err.line, err.field) == ("responses.csv", 8, "trust_1")
    assert "value '9' is out of range 1..5 (row 7)" in err.message
    assert str(err).startswith("responses.csv:8 trust_1: ")


@pytest.mark.parametrize(("column", "value", "message"), [
    ("open_1", "8", "out of range 1..7"),
    ("nps", "11", "out of range 0..10"),
    ("nps", "7.5", "not a whole number"),
    ("avg_spend", "-3", "out of range 0..5000"),
    ("avg_spend", "lots", "'lots' is not a number"),
    ("age_band", "teen", "'teen' is not one of the options (18_34, 35_54, 55_plus)"),
    ("channels__web", "2", "must be 0 or 1"),
    ("drivers__price", "4", "out of range 1..3"),
    ("trust_2", "maybe", "'maybe' is not a valid answer"),
])
def test_invalid_values(survey, canonical_csv, column, value, message) -> None:
    text = _replace_cell(canonical_csv, 0, column, value)
    with pytest.raises(SurveyError, match=re.escape(message)) as info:
        responses_from_text(text, survey, name="x.csv")
    assert info.value.line == 2 and info.value.field == column


def test_first_problem_reported_with_count_of_others(survey, canonical_csv) -> None:
    text = _replace_cell(canonical_csv, 9, "trust_1", "0")
    text = _replace_cell(text, 3, "eco_2", "6")
    text = _replace_cell(text, 20, "eco_2", "6")
    with pytest.raises(SurveyError, match=r"row 4; 2 more invalid value\(s\)") as info:
        responses_from_text(text, survey, name="x.csv")
    assert info.value.field == "eco_2" and info.value.line == 5


def test_line_numbers_follow_multiline_cells(survey, responses) -> None:
    frame = responses.copy()
    frame.loc[0, "comment"] = "line one\nline two\nline three"
    frame["trust_1"] = frame["trust_1"].astype(object)
    frame.loc[1, "trust_1"] = 17
    with pytest.raises(SurveyError) as info:
        responses_from_text(frame.to_csv(index=False), survey, name="x.csv")
    assert info.value.line == 5  # header, row 1 over three lines, then row 2


def test_duplicate_and_missing_ids(survey, canonical_csv) -> None:
    text = _replace_cell(canonical_csv, 5, "respondent_id", "r0001")
    with pytest.raises(SurveyError, match="duplicate respondent id 'r0001' \\(row 6\\)"):
        responses_from_text(text, survey)
    text = _replace_cell(canonical_csv, 2, "respondent_id", "")
    with pytest.raises(SurveyError, match="missing respondent id"):
        responses_from_text(text, survey)


def test_labels_are_accepted_for_codes(survey, responses) -> None:
    frame = responses.astype(object).copy()
    frame.loc[0, "trust_1"] = "Strongly agree"
    frame.loc[0, "gender"] = "Mujer"
    frame.loc[0, "journey_stage"] = "fan"
    frame.loc[0, "channels__web"] = "TRUE"
    back = responses_from_text(frame.to_csv(index=False), survey)
    assert back.loc[0, "trust_1"] == 5
    assert back.loc[0, "gender"] == "woman"
    assert back.loc[0, "journey_stage"] == "advocacy"
    assert back.loc[0, "channels__web"] == 1


def test_structural_csv_problems(survey) -> None:
    with pytest.raises(SurveyError, match="empty"):
        responses_from_text("", survey, input_format="canonical")
    with pytest.raises(SurveyError, match="duplicate column 'q'"):
        responses_from_text("respondent_id,q,q\n1,2,3\n", survey, input_format="canonical")
    with pytest.raises(SurveyError, match="unknown input format"):
        responses_from_text("x", survey, input_format="spss")


# ---------------------------------------------------------------- encodings
def test_encoding_errors_are_clear(tmp_path, survey, responses) -> None:
    frame = responses.copy()
    frame.loc[3, "comment"] = "café crème"
    path = tmp_path / "latin.csv"
    path.write_bytes(frame.to_csv(index=False).encode("latin-1"))
    with pytest.raises(SurveyError, match=r"cannot decode the file as utf-8.*--encoding") as info:
        read_responses(path, survey)
    assert info.value.line == 5 and info.value.file == str(path)
    back = read_responses(path, survey, encoding="latin-1")
    assert back.loc[3, "comment"] == "café crème"
    with pytest.raises(SurveyError, match="unknown encoding 'klingon'"):
        read_responses(path, survey, encoding="klingon")


def test_utf8_bom_is_accepted(tmp_path, survey, responses) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + responses.to_csv(index=False).encode("utf-8"))
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)
    assert decode_bytes(b"\xef\xbb\xbfa") == "a"


# ---------------------------------------------------------------- ODK / Kobo
def test_odk_export_round_trip(survey, responses) -> None:
    export = to_odk(responses, survey)
    assert "views/trust_grid/trust_1" in export.columns
    assert "buying/channels" in export.columns and "buying/channels/app" in export.columns
    text = export.to_csv(index=False)
    assert detect_format(text) == "odk"
    pd.testing.assert_frame_equal(responses_from_text(text, survey), responses)


def test_odk_space_separated_only_and_central_separator(survey, responses) -> None:
    export = to_odk(responses, survey)
    export = export.drop(columns=[c for c in export.columns
                                  if re.match(r"buying/(channels|triggers)/", c)])
    export.columns = [c.replace("/", "-") if not c.startswith(("meta", "_")) else c
                      for c in export.columns]
    export = export.drop(columns=["_uuid", "_id", "_index", "meta/instanceID"])
    export["KEY"] = "uuid:" + responses["respondent_id"]  # ODK Central's id column
    back = responses_from_text(export.to_csv(index=False), survey, input_format="odk")
    assert back["respondent_id"].iloc[0] == "uuid:r0001"
    pd.testing.assert_frame_equal(back.drop(columns="respondent_id"),
                                  responses.drop(columns="respondent_id"))


def test_odk_semicolon_export_and_metadata(survey, responses) -> None:
    export = to_odk(responses, survey).assign(today="2024-01-01", deviceid="abc",
                                             **{"formhub/uuid": "x", "__version__": "v1"})
    text = export.to_csv(index=False, sep=";")
    assert detect_format(text) == "odk"
    pd.testing.assert_frame_equal(responses_from_text(text, survey), responses)


def test_odk_id_fallbacks(survey, responses) -> None:
    export = to_odk(responses, survey).drop(columns=["_uuid"])
    back = responses_from_text(export.to_csv(index=False), survey)
    assert back["respondent_id"].iloc[0] == "uuid:r0001"  # meta/instanceID
    export = export.drop(columns=["meta/instanceID", "_id"])
    back = responses_from_text(export.to_csv(index=False), survey, input_format="odk")
    assert back["respondent_id"].iloc[0] == "row0001"


def test_odk_problems(survey, responses) -> None:
    export = to_odk(responses, survey).astype(object)
    bad = export.drop(columns=[c for c in export.columns if c.startswith("buying/channels/")])
    bad.loc[2, "buying/channels"] = "store Online"
    with pytest.raises(SurveyError, match="'Online' is not an option of 'channels'") as info:
        responses_from_text(bad.to_csv(index=False), survey, name="kobo.csv")
    assert info.value.field == "buying/channels" and info.value.line == 4
    bad = export.copy()
    bad.loc[0, "views/open_grid/open_2"] = 12
    with pytest.raises(SurveyError, match=r"out of range 1\.\.7") as info:
        responses_from_text(bad.to_csv(index=False), survey, name="kobo.csv")
    assert info.value.field == "views/open_grid/open_2"  # the column name in the user's file
    with pytest.raises(SurveyError, match=r"missing from the file: nps"):
        responses_from_text(export.drop(columns=["buying/nps"]).to_csv(index=False), survey)
    with pytest.raises(SurveyError, match=r"not in the codebook: views/extra_question"):
        responses_from_text(export.assign(**{"views/extra_question": 1}).to_csv(index=False),
                            survey)


# ---------------------------------------------------------------- SurveyJS
def test_surveyjs_round_trip(survey, responses) -> None:
    results = to_surveyjs(responses, survey)
    first = results[0]
    assert isinstance(first["trust_grid"], dict) and isinstance(first["channels"], list)
    assert "app_ease" not in results[np.flatnonzero(responses["app_ease"].isna())[0]]
    for text in (json.dumps(results), json.dumps({"results": results}),
                 "\n".join(json.dumps(r) for r in results)):
        pd.testing.assert_frame_equal(responses_from_text(text, survey), responses)


def test_surveyjs_without_ids_and_with_comments(survey, responses) -> None:
    results = to_surveyjs(responses, survey)
    for r in results:
        del r["respondent_id"]
        r["comment-Comment"] = "other text"
    back = responses_from_text(json.dumps(results), survey)
    assert back["respondent_id"].iloc[0] == "result0001"
    pd.testing.assert_frame_equal(back.drop(columns="respondent_id"),
                                  responses.drop(columns="respondent_id"))


def test_surveyjs_problems(survey, responses) -> None:
    results = to_surveyjs(responses, survey)
    with pytest.raises(SurveyError, match="malformed JSON") as info:
        responses_from_text('[{"a": 1},\n{"b": }]', survey, name="r.json")
    assert info.value.line == 2
    bad = json.loads(json.dumps(results))
    bad[3]["trust_grid"] = 4
    with pytest.raises(SurveyError, match=r"should be an object .*result 4"):
        responses_from_text(json.dumps(bad), survey)
    bad = json.loads(json.dumps(results))
    bad[1]["trust_grid"]["trust_1"] = 6
    with pytest.raises(SurveyError, match=r"out of range 1..5 \(result 2 \(id 'r0002'\)\)") as info:
        responses_from_text(json.dumps(bad), survey, name="r.json")
    assert info.value.field == "trust_grid.trust_1"
    bad = json.loads(json.dumps(results))
    bad[0]["favourite_colour"] = "blue"
    with pytest.raises(SurveyError, match="not in the codebook: favourite_colour"):
        responses_from_text(json.dumps(bad), survey)
    bad = json.loads(json.dumps(results))
    bad[0]["channels"] = "store"
    with pytest.raises(SurveyError, match="should be a list"):
        responses_from_text(json.dumps(bad), survey)
    with pytest.raises(SurveyError, match="not an object"):
        responses_from_text("[1, 2]", survey)


# ---------------------------------------------------------------- REDCap
def test_redcap_round_trip(survey, responses) -> None:
    export = to_redcap(responses, survey)
    assert export.columns[0] == "respondent_id" and "channels___web" in export.columns
    text = export.to_csv(index=False)
    assert detect_format(text) == "redcap"
    pd.testing.assert_frame_equal(responses_from_text(text, survey), responses)


def test_redcap_labels_export(survey, responses) -> None:
    export = to_redcap(responses, survey).astype(object)
    for column in [c for c in export.columns if "___" in c]:
        export[column] = export[column].map({0: "Unchecked", 1: "Checked"})
    export["gender"] = export["gender"].map({"woman": "Woman", "man": "Man", "other": "Other"})
    export["redcap_event_name"] = "baseline_arm_1"
    back = responses_from_text(export.to_csv(index=False), survey)
    pd.testing.assert_frame_equal(back, responses)


def test_redcap_unticked_checkboxes_are_unanswered(survey, responses) -> None:
    export = to_redcap(responses, survey)
    assert (export[["triggers___need", "triggers___promo", "triggers___gift"]].notna()).all().all()
    back = responses_from_text(export.to_csv(index=False), survey)
    skipped = responses["triggers__need"].isna()
    assert back.loc[skipped, "triggers__need"].isna().all()


def test_redcap_problems(survey, responses) -> None:
    export = to_redcap(responses, survey)
    with pytest.raises(SurveyError, match=r"missing from the file: channels__web .*___"):
        responses_from_text(export.drop(columns=["channels___web"]).to_csv(index=False),
                            survey)
    with pytest.raises(SurveyError, match="channels___fax"):
        responses_from_text(export.assign(channels___fax=0).to_csv(index=False), survey)


# ---------------------------------------------------------------- exports from the tools' docs
EXPORTS = DATA / "exports"
#: The three respondents of every fixture in data/exports, as the codebook defines them
#: (written by hand from the fixtures; see data/exports/README.md).
_ANSWERS = {
    "age_band": ("str", ["18_34", "35_54", "55_plus"]),
    "channels__store": ("Int64", [1, 0, None]),
    "channels__web": ("Int64", [0, 1, None]),
    "channels__app": ("Int64", [1, 0, None]),
    "spend": ("float64", [25.5, 120.0, np.nan]),
    "trust_1": ("Int64", [4, 2, 3]),
    "trust_2": ("Int64", [5, 1, None]),
    "attn": ("str", ["agree", "disagree", "agree"]),
    "app_ease": ("Int64", [3, None, None]),
    "drivers__price": ("Int64", [2, 1, None]),
    "drivers__quality": ("Int64", [1, 3, None]),
    "drivers__brand": ("Int64", [3, 2, None]),
    "comment": ("str", ['Fast delivery, "great" app', None, "Ninguno — gracias"]),
}
_UUIDS = ["6f1c2a9e-3b4d-4e8f-9a0b-1c2d3e4f5a6b", "0d2e7b41-8c5a-4f60-b1e2-93a4c5d6e7f8",
          "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"]


@pytest.fixture(scope="module")
def export_survey():
    return load_survey(EXPORTS / "survey_exports.yaml")


def _expected(ids: list[str]) -> pd.DataFrame:
    columns = {"respondent_id": pd.array(ids, dtype="str")}
    for name, (dtype, values) in _ANSWERS.items():
        columns[name] = pd.array(values, dtype=dtype)
    return pd.DataFrame(columns)


@pytest.mark.parametrize(("name", "fmt", "ids"), [
    ("odk_central.csv", "odk", [f"uuid:{u}" for u in _UUIDS]),  # meta-instanceID
    ("odk_central_split.csv", "odk", [f"uuid:{u}" for u in _UUIDS]),
    ("odk_central_no_groups.csv", "odk", [f"uuid:{u}" for u in _UUIDS]),
    ("kobo_xml_values.csv", "odk", _UUIDS),  # _uuid wins over meta/rootUuid and _id
    ("kobo_default.csv", "odk", _UUIDS),
    ("surveyjs_results.json", "surveyjs", ["result0001", "result0002", "result0003"]),
    ("redcap_raw.csv", "redcap", ["1", "2", "3"]),
    ("redcap_longitudinal.csv", "redcap", ["1", "2", "3"]),
    ("redcap_api_labels.csv", "redcap", ["1", "2", "3"]),
])
def test_documented_exports_read_to_the_canonical_answers(export_survey, name, fmt, ids) -> None:
    path = EXPORTS / name
    assert detect_format(path.read_text(encoding="utf-8"), name) == fmt
    frame = read_responses(path, export_survey)
    assert ("ended_at" in frame) == (name == "redcap_raw.csv")  # the one with a timestamp
    if "ended_at" in frame:  # REDCap <form>_timestamp: the completion time, when completed
        ended = frame.pop("ended_at")
        assert ended.isna().tolist() == [False, False, True]
        assert str(ended[0]) == "2026-03-02 09:15:27+00:00"
    assert list(frame.columns) == column_names(build_codebook(export_survey))
    pd.testing.assert_frame_equal(frame, _expected(ids))


def test_unanswered_select_multiple_is_missing_though_option_columns_say_0(export_survey) -> None:
    # ODK Central (splitSelectMultiples) and Kobo ("single and separate columns") write 0 in
    # every option column of a question that was skipped; only the joined column is blank.
    for name in ("odk_central_split.csv", "odk_central_no_groups.csv", "kobo_xml_values.csv",
                 "kobo_default.csv"):
        frame = read_responses(EXPORTS / name, export_survey)
        assert frame.loc[2, ["channels__store", "channels__web", "channels__app"]].isna().all()
        assert frame.loc[1, "channels__web"] == 1


def test_note_columns_of_odk_exports_are_dropped_only_for_notes(export_survey) -> None:
    text = (EXPORTS / "odk_central.csv").read_text(encoding="utf-8")
    assert "about-intro" in text.splitlines()[0]
    renamed = text.replace("about-intro", "about-welcome", 1)
    with pytest.raises(SurveyError, match="not in the codebook: about-welcome"):
        responses_from_text(renamed, export_survey, name="central.csv")


def test_readers_sit_below_scoring_and_simulate() -> None:
    # spec -> codebook -> readers -> scoring/simulate: reading and writing responses must not
    # load the modules that use them.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from survey_builder.readers import read_responses, write_responses\n"
        "from survey_builder.spec import load_survey\n"
        f"survey = load_survey({str(EXPORTS / 'survey_exports.yaml')!r})\n"
        f"frame = read_responses({str(EXPORTS / 'odk_central.csv')!r}, survey)\n"
        "write_responses(frame, survey, '-', 'surveyjs')\n"
        "print(sorted(m for m in sys.modules if m.startswith('survey_builder.')), "
        "file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    loaded = done.stderr
    assert "survey_builder.readers.surveyjs" in loaded
    assert "survey_builder.scoring" not in loaded
    assert "survey_builder.simulate" not in loaded


def test_kobo_separate_columns_only_read_option_by_option(export_survey) -> None:
    # Kobo's "Export Select Many questions as: separate columns": no joined column, so a
    # skipped question cannot be told from one answered with nothing ticked.
    text = (EXPORTS / "kobo_xml_values.csv").read_text(encoding="utf-8")
    frame = pd.read_csv(pd.io.common.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    separate = frame.drop(columns=["about/channels"]).to_csv(sep=";", index=False)
    read = responses_from_text(separate, export_survey, name="kobo.csv")
    channels = read[["channels__store", "channels__web", "channels__app"]]
    assert channels.to_numpy().tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 0]]


def test_note_columns_are_known_from_a_codebook_that_lists_notes(export_survey) -> None:
    codebook = {k: v for k, v in build_codebook(export_survey).items() if k != "notes"}
    path = EXPORTS / "odk_central.csv"
    with pytest.raises(SurveyError, match="not in the codebook: about-intro"):
        read_responses(path, codebook)  # without the list a note is an unknown column
    frame = read_responses(path, {**codebook, "notes": ["intro"]})
    pd.testing.assert_frame_equal(frame, _expected([f"uuid:{u}" for u in _UUIDS]))


def test_build_codebook_lists_the_notes_so_a_built_codebook_reads_odk_exports(export_survey
                                                                              ) -> None:
    codebook = build_codebook(export_survey)
    assert codebook["notes"] == ["intro"]
    path = EXPORTS / "odk_central.csv"
    frame = read_responses(path, codebook)  # what `survey-builder score` passes
    pd.testing.assert_frame_equal(frame, _expected([f"uuid:{u}" for u in _UUIDS]))


def test_canonical_file_with_a_last_column_ending_in_complete_stays_canonical(tmp_path) -> None:
    text = (DATA / "survey_small.yaml").read_text(encoding="utf-8")
    assert "name: comment" in text
    survey = survey_from_text(text.replace("name: comment", "name: visit_complete"), tmp_path)
    responses = simulate_responses(survey, 30, 2, seed=1)[0]
    assert responses.columns[-1] == "visit_complete"
    path = tmp_path / "responses.csv"
    responses.to_csv(path, index=False)
    assert detect_format(path.read_text(encoding="utf-8")) == "redcap"  # by name alone
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)


def survey_from_text(text: str, tmp_path: Path):
    spec = tmp_path / "survey.yaml"
    spec.write_text(text, encoding="utf-8")
    return load_survey(spec)


def test_odk_central_zip_export_is_read_from_its_form_csv(survey, responses, tmp_path) -> None:
    import zipfile

    path = tmp_path / "smoke_survey.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("smoke_survey.csv", to_odk(responses, survey).to_csv(index=False))
        archive.writestr("smoke_survey-household.csv", "PARENT_KEY,KEY,member\nx,y,z\n")
        archive.writestr("media/photo.jpg", b"\xff\xd8\xff")
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(SurveyError, match="holds no CSV table") as info:
        read_responses(empty, survey)
    assert info.value.file == str(empty)


def test_kobo_xlsx_export_is_read_from_its_first_sheet(survey, responses, tmp_path) -> None:
    from openpyxl import Workbook

    frame = to_odk(responses, survey)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Smoke survey"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        # Excel stores numbers as floats (Kobo's XLSX export too)
        sheet.append([None if pd.isna(v) else float(v) if isinstance(v, (int, np.integer))
                      else v for v in row])
    path = tmp_path / "kobo.xlsx"
    workbook.save(path)
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)
    bad = tmp_path / "old.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    with pytest.raises(SurveyError, match=r"Excel 97-2003 workbook \(\.xls\); export"):
        read_responses(bad, survey)


def _label_of(codebook, language="en"):
    """Column name -> its label, and (question, code) -> option label, in ``language``."""
    columns = {c["name"]: (c.get("label") or {}).get(language) for c in codebook["columns"]}
    questions = {q["name"]: q for q in codebook["questions"]}
    options = {(q["name"], str(c["code"])): c["label"][language]
               for q in codebook["questions"] for c in q.get("choices") or []}
    return columns, questions, options


def test_redcap_csv_labels_export_is_read(survey, responses, tmp_path) -> None:
    """Headers are field labels ("Where ... ? (choice=App)"), answers their labels,
    checkboxes Checked/Unchecked: mapped back through the codebook."""
    codebook = build_codebook(survey)
    columns, questions, options = _label_of(codebook)
    raw = to_redcap(responses, survey)
    out = pd.DataFrame(index=raw.index)
    for name in raw.columns:
        values = raw[name]
        if "___" in name:
            question, code = name.split("___")
            header = f"{questions[question]['label']['en']} (choice={options[question, code]})"
            values = values.map({0: "Unchecked", 1: "Checked"})
        elif name == "respondent_id":
            header = "Record ID"
        elif name.endswith("_complete"):
            header, values = "Complete?", values.map({2: "Complete"})
        elif name in questions and questions[name]["type"] in ("single_choice",
                                                               "attention_check"):
            header = questions[name]["label"]["en"]
            values = values.map(lambda v, q=name: options.get((q, v), v))
        elif columns.get(name):
            header = columns[name]
        else:
            header = name  # helper fields keep their names
        out[header] = values
    assert "respondent_id" not in out.columns and "age_band" not in out.columns
    path = tmp_path / "labels.csv"
    out.to_csv(path, index=False)
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)


def test_kobo_labels_export_is_read(survey, responses, tmp_path) -> None:
    """Kobo's "Labels" export: question labels as headers (groups included), option labels
    in the answers, selections as labels joined by spaces."""
    codebook = build_codebook(survey)
    columns, questions, options = _label_of(codebook)
    odk = to_odk(responses, survey)
    out = pd.DataFrame(index=odk.index)
    for name in odk.columns:
        values = odk[name]
        last = name.split("/")[-1]
        parent = name.split("/")[-2] if "/" in name else None
        if parent in questions and questions[parent]["type"] == "multiple_choice":
            header = f"{questions[parent]['label']['en']}/{options[parent, last]}"
        elif last in questions and questions[last]["type"] in ("multiple_choice", "ranking"):
            header = f"Group/{questions[last]['label']['en']}"
            values = values.map(lambda v, q=last: " ".join(
                options[q, code] for code in v.split()) if isinstance(v, str) else v)
        elif last in questions and questions[last].get("choices"):
            header = questions[last]["label"]["en"]
            values = values.map(lambda v, q=last: options.get((q, v), v))
        elif last in columns and columns[last] and last != "respondent_id":
            header = columns[last]
        else:
            header = name
        out[header] = values
    path = tmp_path / "kobo_labels.csv"
    out.to_csv(path, index=False)
    assert detect_format(path.read_text(encoding="utf-8")) == "odk"
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)
