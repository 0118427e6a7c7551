"""REDCap data dictionary export: parsed back and checked against REDCap's upload rules."""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from _export_specs import full_spec_dict, full_survey, single_language_survey

from survey_builder import expressions as ex
from survey_builder.codebook import build_codebook
from survey_builder.errors import SurveyError
from survey_builder.exporters import get_exporter, redcap
from survey_builder.exporters._common import ExportWarning
from survey_builder.spec import NoteQuestion, Survey, survey_from_dict

# Written out independently of the exporter: the header of a dictionary REDCap downloads.
REDCAP_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min",
    "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)",
    "Matrix Group Name", "Matrix Ranking?", "Field Annotation",
]
FIELD_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse",
               "calc", "file", "slider", "descriptive", "sql"}
CHOICE_TYPES = {"radio", "checkbox", "dropdown"}
VALIDATIONS = {"", "integer", "number", "date_ymd", "date_mdy", "date_dmy", "datetime_ymd",
               "datetime_seconds_ymd", "email", "phone", "time", "zipcode", "alpha_only"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICES_RE = re.compile(r"^[A-Za-z0-9_]+, [^|]+( \| [A-Za-z0-9_]+, [^|]+)*$")
REF_RE = re.compile(r"\[([a-z][a-z0-9_]*)(?:\(([A-Za-z0-9_]+)\))?\]")


def read_dictionary(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, values, strict=True)) for values in reader]
    return header, rows


def choice_codes(cell: str) -> list[str]:
    return [part.split(",", 1)[0].strip() for part in cell.split("|")]


def dictionary_problems(header: list[str], rows: list[dict[str, str]]) -> list[str]:
    """Structural rules REDCap enforces on a data dictionary upload (empty = valid)."""
    problems: list[str] = []
    if header != REDCAP_HEADER:
        problems.append(f"header differs: {header}")
    seen: dict[str, dict[str, str]] = {}
    forms: list[str] = []
    last_group = None
    closed_groups: set[str] = set()
    group_shape: dict[str, tuple[str, str]] = {}
    for index, row in enumerate(rows):
        name = row["Variable / Field Name"]
        where = f"row {index + 2} ({name})"
        if not NAME_RE.match(name) or len(name) > 100:
            problems.append(f"{where}: invalid field name")
        if name in seen:
            problems.append(f"{where}: duplicate field name")
        if not NAME_RE.match(row["Form Name"]):
            problems.append(f"{where}: invalid form name {row['Form Name']!r}")
        if row["Form Name"] not in forms:
            if forms and row["Form Name"] != forms[-1] and row["Form Name"] in forms:
                problems.append(f"{where}: form {row['Form Name']!r} is not contiguous")
            forms.append(row["Form Name"])
        kind = row["Field Type"]
        if kind not in FIELD_TYPES:
            problems.append(f"{where}: unknown field type {kind!r}")
        if not row["Field Label"].strip() and kind != "descriptive":
            problems.append(f"{where}: empty label")
        choices = row["Choices, Calculations, OR Slider Labels"]
        if kind in CHOICE_TYPES:
            if not CHOICES_RE.match(choices):
                problems.append(f"{where}: malformed choices {choices!r}")
            codes = choice_codes(choices)
            if len(codes) != len(set(codes)):
                problems.append(f"{where}: duplicate choice codes")
        elif kind == "calc":
            if not choices.strip():
                problems.append(f"{where}: calc field without a calculation")
        elif choices:
            problems.append(f"{where}: choices on a {kind} field")
        validation = row["Text Validation Type OR Show Slider Number"]
        if validation not in VALIDATIONS or (validation and kind != "text"):
            problems.append(f"{where}: bad validation {validation!r} for {kind}")
        low, high = row["Text Validation Min"], row["Text Validation Max"]
        if (low or high) and validation not in ("integer", "number"):
            problems.append(f"{where}: min/max without a numeric validation")
        for bound in (low, high):
            if bound:
                try:
                    number = float(bound)
                except ValueError:
                    problems.append(f"{where}: non-numeric bound {bound!r}")
                    continue
                if validation == "integer" and not number.is_integer():
                    problems.append(f"{where}: fractional bound on an integer field")
        if low and high and float(low) >= float(high):
            problems.append(f"{where}: min >= max")
        for flag in ("Identifier?", "Required Field?", "Matrix Ranking?"):
            if row[flag] not in ("", "y"):
                problems.append(f"{where}: {flag} must be 'y' or empty")
        if row["Custom Alignment"] not in ("", "RV", "RH", "LV", "LH"):
            problems.append(f"{where}: bad alignment")
        if kind == "descriptive" and row["Required Field?"]:
            problems.append(f"{where}: a descriptive field cannot be required")
        # Matrix groups: contiguous, radio/checkbox, identical choices and type.
        group = row["Matrix Group Name"]
        if group:
            if not NAME_RE.match(group):
                problems.append(f"{where}: invalid matrix group name")
            if kind not in ("radio", "checkbox"):
                problems.append(f"{where}: {kind} field in matrix {group}")
            if group in closed_groups:
                problems.append(f"{where}: matrix {group} is not contiguous")
            shape = (kind, choices)
            if group_shape.setdefault(group, shape) != shape:
                problems.append(f"{where}: matrix {group} rows differ in type or choices")
        elif row["Matrix Ranking?"]:
            problems.append(f"{where}: Matrix Ranking? outside a matrix")
        if last_group and group != last_group:
            closed_groups.add(last_group)
        last_group = group or None
        # Branching logic and calculations refer to fields defined earlier.
        for column in ("Branching Logic (Show field only if...)",
                       "Choices, Calculations, OR Slider Labels"):
            text = row[column]
            if column.startswith("Choices") and kind != "calc":
                continue
            if text.count("[") != text.count("]") or text.count("(") != text.count(")"):
                problems.append(f"{where}: unbalanced {column}")
            for ref, code in REF_RE.findall(text):
                target = seen.get(ref)
                if target is None:
                    problems.append(f"{where}: {column} refers to {ref!r}, not an earlier "
                                    "field")
                elif code and (target["Field Type"] != "checkbox" or code not in choice_codes(
                        target["Choices, Calculations, OR Slider Labels"])):
                    problems.append(f"{where}: [{ref}({code})] is not a checkbox option")
            if "${" in text or " not " in f" {text} " or "!=" in text:
                problems.append(f"{where}: untranslated expression {text!r}")
        seen[name] = row
    if rows:
        first = rows[0]
        if (first["Field Type"] != "text" or first["Branching Logic (Show field only if...)"]
                or first["Matrix Group Name"]):
            problems.append("the first field (record id) must be a plain text field")
    return problems


def export_quietly(survey: Survey, out: Path, **kwargs: Any) -> list[Path]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExportWarning)
        return redcap.export(survey, out, **kwargs)


# ---------------------------------------------------------------------------- validity
@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("redcap")
    paths = export_quietly(full_survey(), out)
    return {"paths": paths, "en": read_dictionary(paths[0]), "es": read_dictionary(paths[1])}


def test_one_valid_dictionary_per_language(full: dict[str, Any]) -> None:
    assert [p.name for p in full["paths"]] == ["export_check.redcap.en.csv",
                                               "export_check.redcap.es.csv"]
    for lang in ("en", "es"):
        header, rows = full[lang]
        assert header == REDCAP_HEADER
        assert dictionary_problems(header, rows) == []
    en_rows, es_rows = full["en"][1], full["es"][1]
    assert [r["Variable / Field Name"] for r in en_rows] == [
        r["Variable / Field Name"] for r in es_rows]
    for en, es in zip(en_rows, es_rows, strict=True):  # only the texts differ
        for column in ("Field Type", "Branching Logic (Show field only if...)",
                       "Matrix Group Name", "Text Validation Min", "Required Field?"):
            assert en[column] == es[column]
    by_name = {r["Variable / Field Name"]: r for r in es_rows}
    assert by_name["age_band"]["Field Label"] == "Su edad"
    assert by_name["respondent_id"]["Field Label"] == "ID del encuestado"


def test_header_line_is_byte_exact(full: dict[str, Any]) -> None:
    first_line = full["paths"][0].read_text(encoding="utf-8").splitlines()[0]
    assert first_line == (
        'Variable / Field Name,Form Name,Section Header,Field Type,Field Label,'
        '"Choices, Calculations, OR Slider Labels",Field Note,'
        'Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,'
        'Identifier?,Branching Logic (Show field only if...),Required Field?,'
        'Custom Alignment,Question Number (surveys only),Matrix Group Name,Matrix Ranking?,'
        'Field Annotation')
    assert list(redcap.HEADER) == REDCAP_HEADER


@pytest.mark.parametrize(("template", "modules"), [
    ("aspects", ["demographics", "behaviour", "journey", "clv", "attention"]),
    ("b2b", None),
])
def test_bank_templates_are_valid_dictionaries(tmp_path: Path, template: str,
                                               modules: list[str] | None) -> None:
    from survey_builder.compose import compose_survey

    survey = survey_from_dict(compose_survey(template, modules, ["en", "es"]), source=template)
    for path in export_quietly(survey, tmp_path):
        header, rows = read_dictionary(path)
        assert dictionary_problems(header, rows) == []
        groups = {r["Matrix Group Name"] for r in rows if r["Matrix Group Name"]}
        assert {q.name for q in survey.iter_questions() if q.type == "likert_grid"} <= groups


def test_checker_catches_broken_dictionaries(full: dict[str, Any]) -> None:
    """The rules above are real: each tampering is reported."""
    header, rows = full["en"]
    tampering = {
        "bad name": ("trust_1", "Variable / Field Name", "Trust-1"),
        "bad choices": ("age_band", "Choices, Calculations, OR Slider Labels", "1 Young | 2"),
        "later ref": ("novel_2", "Branching Logic (Show field only if...)", "[lifespan] > 2"),
        "matrix choices": ("trust_3", "Choices, Calculations, OR Slider Labels", "1, A | 2, B"),
        "checkbox ref": ("brand_name", "Branching Logic (Show field only if...)",
                         "[channels(nope)] = '1'"),
        "type": ("household", "Field Type", "number"),
        "record id": ("respondent_id", "Field Type", "notes"),
        "untranslated": ("lifespan", "Branching Logic (Show field only if...)",
                         "${buy_freq} != 'weekly'"),
    }
    for label, (name, column, value) in tampering.items():
        broken = [dict(r) for r in rows]
        next(r for r in broken if r["Variable / Field Name"] == name)[column] = value
        assert dictionary_problems(header, broken), label
    assert dictionary_problems(["Variable / Field Name", *header[1:-1]], rows)
    duplicated = [*rows, dict(rows[3])]
    assert any("duplicate" in p for p in dictionary_problems(header, duplicated))


# ---------------------------------------------------------------------------- mapping
@pytest.fixture(scope="module")
def fields(full: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {r["Variable / Field Name"]: r for r in full["en"][1]}


def test_record_id_and_sections(full: dict[str, Any], fields: dict[str, dict[str, str]]
                                ) -> None:
    rows = full["en"][1]
    assert rows[0]["Variable / Field Name"] == "respondent_id"
    assert {r["Form Name"] for r in rows} == {"export_check"}
    assert fields["views_intro"]["Section Header"] == "Your views"
    assert fields["age_band"]["Section Header"] == "Your shopping"


def test_field_mapping(fields: dict[str, dict[str, str]]) -> None:
    choices = "Choices, Calculations, OR Slider Labels"
    for item in ("trust_1", "trust_2", "trust_3", "trust_4"):
        row = fields[item]
        assert (row["Field Type"], row["Matrix Group Name"], row["Required Field?"]) == (
            "radio", "trust_grid", "y")
        assert row[choices] == ("1, Strongly disagree | 2, Disagree | 3, Neither agree nor "
                                "disagree | 4, Agree | 5, Strongly agree")
    assert fields["trust_1"]["Section Header"].startswith("How much do you agree?")
    assert fields["trust_2"]["Section Header"] == ""
    assert fields["novel_1"]["Field Type"] == "radio"
    assert fields["novel_1"][choices].startswith("1, Not at all like me | 2, ")
    assert fields["novel_1"]["Field Note"] == "Think of the last year"
    assert fields["age_band"][choices] == "18_34, 18 to 34 | 35_54, 35 to 54 | 55_plus, 55 or older"
    assert fields["channels"]["Field Type"] == "checkbox"
    assert "@MAXCHECKED=3" in fields["channels"]["Field Annotation"]
    assert "at least 1" in fields["channels"]["Field Annotation"]
    spend = fields["avg_spend"]
    assert (spend["Text Validation Type OR Show Slider Number"], spend["Text Validation Min"],
            spend["Text Validation Max"], spend["Field Note"]) == ("number", "0", "5000.5",
                                                                    "(euros)")
    life = fields["lifespan"]
    assert (life["Text Validation Type OR Show Slider Number"], life["Text Validation Min"],
            life["Text Validation Max"], life["Required Field?"]) == ("integer", "0", "60", "y")
    assert fields["household"]["Text Validation Max"] == ""
    for option, label in (("price", "Price"), ("quality", "Quality"), ("service", "Service")):
        row = fields[f"priorities__{option}"]
        assert (row["Field Type"], row["Field Label"], row["Matrix Group Name"],
                row["Matrix Ranking?"], row[choices]) == (
            "radio", label, "priorities", "y", "1, 1 | 2, 2 | 3, 3")
    assert fields["why_rank"]["Field Type"] == "notes"
    assert fields["why_rank"]["Field Annotation"] == "@CHARLIMIT=400"
    assert fields["brand_name"]["Field Type"] == "text"
    assert fields["views_intro"]["Field Type"] == "descriptive"
    assert "agree" in fields["attn_1"]["Field Annotation"]
    passed = fields["attn_1_passed"]
    assert (passed["Field Type"], passed[choices], passed["Field Annotation"]) == (
        "calc", "if([attn_1] = 'agree', 1, 0)", "@HIDDEN")


def test_branching_logic(fields: dict[str, dict[str, str]]) -> None:
    logic = "Branching Logic (Show field only if...)"
    survey = full_survey()
    assert fields["novel_2"][logic] == ex.to_redcap(survey.get("novel_2").relevant)
    assert fields["buy_freq"][logic] == (
        "[trust_1] <> '' and [trust_1] >= 3 and [age_band] <> '55_plus'")
    assert fields["lifespan"][logic] == "[channels(online)] = '1' or [buy_freq] = 'weekly'"
    # answered() of a checkbox = any option ticked; of a ranking = its first option ranked
    assert fields["avg_spend"][logic] == (
        "[channels(online)] = '1' or [channels(store)] = '1' or [channels(phone)] = '1' or "
        "[channels(market)] = '1'")
    assert fields["why_rank"][logic] == (
        "[priorities__price] <> '' and ([novel_1] = '' or [novel_1] >= 3) and "
        "[attn_1] <> 'disagree'")
    assert fields["brand_name"][logic] == "[channels(market)] = '0'"


def test_randomisation_is_annotated_and_warned(tmp_path: Path) -> None:
    with pytest.warns(ExportWarning, match=r"REDCap.*section 'views'.*grid 'trust_grid'"):
        paths = redcap.export(full_survey(), tmp_path, languages=["en"])
    rows = {r["Variable / Field Name"]: r for r in read_dictionary(paths[0])[1]}
    assert "section 'views' in random order" in rows["views_intro"]["Field Annotation"]
    assert "matrix 'trust_grid' in random order" in rows["trust_1"]["Field Annotation"]
    assert "random" not in rows["age_band"]["Field Annotation"]


def test_grid_opening_a_section_keeps_the_section_title(tmp_path: Path) -> None:
    data = full_spec_dict()
    del data["sections"][0]["questions"][0]  # the note: the grid now opens the section
    rows = read_dictionary(export_quietly(survey_from_dict(data), tmp_path)[0])[1]
    trust_1 = next(r for r in rows if r["Variable / Field Name"] == "trust_1")
    assert trust_1["Section Header"].startswith("<b>Your views</b><br>How much do you agree?")
    assert dictionary_problems(REDCAP_HEADER, rows) == []


# ---------------------------------------------------------------------------- round trip
def test_fields_match_codebook_columns(full: dict[str, Any]) -> None:
    survey = full_survey()
    rows = full["en"][1]
    by_name = {r["Variable / Field Name"]: r for r in rows}
    expected: list[str] = []
    for column in build_codebook(survey)["columns"]:
        if column["type"] == "multiple_choice_option":
            checkbox = by_name[column["question"]]
            assert checkbox["Field Type"] == "checkbox"
            assert column["option"] in choice_codes(
                checkbox["Choices, Calculations, OR Slider Labels"])
            name = column["question"]
        else:
            name = column["name"]
        if name not in expected:
            expected.append(name)
    auxiliary = redcap.auxiliary_fields(survey)
    assert auxiliary == ["attn_1_passed", "started_at"]
    notes = {q.name for q in survey.iter_questions() if isinstance(q, NoteQuestion)}
    data_fields = [r["Variable / Field Name"] for r in rows
                   if r["Variable / Field Name"] not in notes | set(auxiliary)]
    assert data_fields == expected


def test_single_language_spec_and_language_choice(tmp_path: Path) -> None:
    paths = export_quietly(single_language_survey(), tmp_path / "a")
    assert [p.name for p in paths] == ["export_check.redcap.es.csv"]
    assert dictionary_problems(*read_dictionary(paths[0])) == []
    paths = export_quietly(full_survey(), tmp_path / "b", languages=["es"])
    assert [p.name for p in paths] == ["export_check.redcap.es.csv"]
    with pytest.raises(SurveyError, match="'de' is not one of the survey's languages"):
        redcap.export(full_survey(), tmp_path / "c", languages=["de"])
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("name", ["record", "redcap_event_name", "export_check_complete"])
def test_reserved_field_names_are_refused(tmp_path: Path, name: str) -> None:
    data = full_spec_dict()
    data["sections"][1]["questions"].append(
        {"type": "text", "name": name, "label": {"en": "x", "es": "x"}})
    with pytest.raises(SurveyError, match="REDCap reserves"):
        redcap.export(survey_from_dict(data), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_pipe_in_a_label_cannot_break_the_choices(tmp_path: Path) -> None:
    data = full_spec_dict()
    data["sections"][1]["questions"][0]["choices"][0]["label"]["en"] = "18 | 34\nyears"
    rows = read_dictionary(export_quietly(survey_from_dict(data), tmp_path)[0])[1]
    assert dictionary_problems(REDCAP_HEADER, rows) == []
    age = next(r for r in rows if r["Variable / Field Name"] == "age_band")
    assert age["Choices, Calculations, OR Slider Labels"].startswith("18_34, 18 / 34 years | ")


def test_registry(tmp_path: Path) -> None:
    assert get_exporter("redcap") is redcap.export
    export_quietly(full_survey(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "export_check.redcap.en.csv", "export_check.redcap.es.csv"]


def test_ranking_fields_fit_redcap_names_and_read_back(tmp_path: Path) -> None:
    """choice_drivers__sustainability (30 characters) becomes choice_drivers__5, and the
    REDCap reader maps it back to the canonical column."""
    import pandas as pd

    from survey_builder.compose import compose_survey
    from survey_builder.readers import read_responses, to_redcap
    from survey_builder.simulate import simulate_responses

    survey = survey_from_dict(compose_survey("aspects", ["behaviour"], ["en"]), source="a")
    ranking = next(q for q in survey.iter_questions() if q.type == "ranking")
    assert any(len(f"{ranking.name}__{c.value}") > 26 for c in ranking.choices)
    _, rows = read_dictionary(export_quietly(survey, tmp_path)[0])
    names = [r["Variable / Field Name"] for r in rows]
    assert max(map(len, names)) <= 26 and len(set(names)) == len(names)
    assert [n for n in names if n.startswith(f"{ranking.name}__")] == [
        f"{ranking.name}__{i}" for i in range(1, len(ranking.choices) + 1)]
    responses = simulate_responses(survey, 50, 2, seed=3)[0]
    path = tmp_path / "export.csv"
    to_redcap(responses, survey).to_csv(path, index=False)
    assert f"{ranking.name}__1" in path.read_text(encoding="utf-8").splitlines()[0]
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)
