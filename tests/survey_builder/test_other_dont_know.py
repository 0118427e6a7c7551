"""The "Other (specify)" option and "Don't know" on scales and NPS, end to end.

Spec errors with file, line and field; the codebook's text column; reading every format's
storage back (survey-core's ``other`` value and ``<q>-Comment`` text, ODK/REDCap text
fields, the ``dontknow`` code or its label); scoring ("Don't know" is missing for means,
alpha and NPS, counted per respondent; an "other" text without the option breaks the
spec); simulation; and the exports checked by their real tools: pyxform + ODK Validate,
JavaRosa's visibility of the text box, survey-core's linter and scripted respondents,
REDCap's dictionary rules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pyxform.validators import odk_validate
from pyxform.xls2xform import convert
from test_exports_redcap import choice_codes, dictionary_problems, read_dictionary
from test_exports_xlsform import sheet_rows
from test_readers import _label_of

from dash_personas.pipeline import select_features
from survey_builder.codebook import build_codebook
from survey_builder.errors import SurveyError
from survey_builder.exporters import html, markdown, redcap, surveyjs, xlsform
from survey_builder.exporters._common import ExportWarning
from survey_builder.layout import DONT_KNOW_CODE, DONT_KNOW_COLUMN, other_text_column
from survey_builder.readers import (
    read_responses,
    responses_from_text,
    to_redcap,
    write_responses,
)
from survey_builder.reliability import cronbach_alpha
from survey_builder.scoring import (
    count_dont_know,
    net_promoter_score,
    score_responses,
    spec_violations,
)
from survey_builder.simulate import simulate_responses
from survey_builder.spec import load_survey, survey_from_dict

ROOT = Path(__file__).resolve().parents[2]
ANSWER_JS = ROOT / "tests" / "js" / "answer-surveyjs.cjs"
LINT_JS = ROOT / "tests" / "js" / "lint-surveyjs.cjs"
RELEVANCE_JAVA = ROOT / "tests" / "java" / "XFormRelevance.java"

SPEC = textwrap.dedent("""\
    id: options_check
    version: "1"
    title: {en: Options check, es: Comprobación de opciones}
    languages: [en, es]
    anchor_sets:
      agree5:
        - {en: Strongly disagree, es: Muy en desacuerdo}
        - {en: Disagree, es: En desacuerdo}
        - {en: Neutral, es: Neutral}
        - {en: Agree, es: De acuerdo}
        - {en: Strongly agree, es: Muy de acuerdo}
    scales:
      - name: trust
        dimension: attitudes
        label: {en: Trust, es: Confianza}
        description: {en: Trust in brands, es: Confianza en las marcas}
        high_score: {en: Lead with reliability, es: Destacar la fiabilidad}
    sections:
      - name: habits
        title: {en: Habits, es: Hábitos}
        questions:
          - type: single_choice
            name: store_type
            label: {en: Where do you shop most, es: Dónde compra más}
            required: true
            choices:
              - {value: supermarket, label: {en: Supermarket, es: Supermercado}}
              - {value: online, label: {en: Online, es: En línea}}
              - {value: other, label: {en: Other, es: Otro}, other: true}
          - type: multiple_choice
            name: preferred_payment_method
            label: {en: How do you pay, es: Cómo paga}
            choices:
              - {value: card, label: {en: Card, es: Tarjeta}}
              - {value: cash, label: {en: Cash, es: Efectivo}}
              - {value: none, label: {en: None of these, es: Ninguna}, exclusive: true}
              - {value: other, label: {en: Something else, es: Otra cosa},
                 other: true}
      - name: views
        title: {en: Views, es: Opiniones}
        questions:
          - type: likert_grid
            name: trust_grid
            label: {en: How much do you agree, es: Cuánto está de acuerdo}
            anchors: agree5
            scale: trust
            dont_know: true
            items:
              - {name: trust_1, label: {en: Brands keep promises, es: Las marcas cumplen}}
              - {name: trust_2, label: {en: Ads tell the truth, es: Los anuncios no mienten}}
          - type: likert
            name: trust_3
            label: {en: I trust my bank, es: Confío en mi banco}
            anchors: agree5
            scale: trust
            dont_know: true
            dont_know_label: {en: Cannot say, es: No sabría decir}
          - type: nps
            name: recommend
            label: {en: Would you recommend us, es: Nos recomendaría}
            low_label: {en: Not at all likely, es: Nada probable}
            high_label: {en: Extremely likely, es: Muy probable}
            dont_know: true
            relevant: "${store_type} != 'online'"
    """)
PAYMENT_TEXT = "preferred_payment__specify"  # shortened to REDCap's 26 characters


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "survey.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def survey(spec_path: Path) -> Any:
    return load_survey(spec_path)


@pytest.fixture(scope="module")
def simulated(survey: Any) -> pd.DataFrame:
    return simulate_responses(survey, 1500, 3, seed=4)[0]


def quietly(exporter: Any, survey: Any, out: Path) -> list[Path]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExportWarning)
        return exporter.export(survey, out)


# ---------------------------------------------------------------------------- spec errors
def _error(tmp_path: Path, text: str) -> SurveyError:
    path = tmp_path / "survey.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    return info.value


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


SPEC_ERRORS = [  # (id, old, new, needle, field, fragment)
    ("dont-know-on-a-choice", "        required: true\n",
     "        required: true\n        dont_know: true\n", "dont_know: true",
     "sections[0].questions[0].dont_know", "only for likert, likert_grid and nps"),
    ("dont-know-wrong-type", "        dont_know: true\n        items:",
     "        dont_know: [yes]\n        items:", "dont_know: [yes]",
     "sections[1].questions[0].dont_know", "valid boolean"),
    ("dont-know-label-without-option", "        dont_know: true\n"
     "        dont_know_label:", "        dont_know_label:", "dont_know_label:",
     "sections[1].questions[1].dont_know_label", "add dont_know: true"),
    ("other-on-the-question", "        required: true\n",
     "        required: true\n        other: true\n", "  other: true",
     "sections[0].questions[0].other", "belongs to an option"),
    ("other-wrong-type", "{en: Other, es: Otro}, other: true}",
     "{en: Other, es: Otro}, other: maybe}", "other: maybe",
     "sections[0].questions[0].choices[2].other", "valid boolean"),
    ("two-other-options", "{en: Online, es: En línea}}",
     "{en: Online, es: En línea}, other: true}", "{value: other, label: {en: Other",
     "sections[0].questions[0].choices[2].other", "two \"other\" options"),
    ("other-and-exclusive", "{en: None of these, es: Ninguna}, exclusive: true}",
     "{en: None of these, es: Ninguna}, exclusive: true, other: true}", "value: none",
     "sections[0].questions[1].choices[2].other", "cannot be both exclusive"),
    ("other-not-last", "          - {value: online, label: {en: Online, es: En línea}}\n"
     "          - {value: other, label: {en: Other, es: Otro}, other: true}\n",
     "          - {value: other, label: {en: Other, es: Otro}, other: true}\n"
     "          - {value: online, label: {en: Online, es: En línea}}\n", "{value: other",
     "sections[0].questions[0].choices[1].other", "put the \"Other (specify)\" option last"),
    ("other-code-taken", "{value: online, label", "{value: other, label",
     "{value: other, label: {en: Other", "sections[0].questions[0].choices[2].value",
     "duplicate choice value 'other'"),
    ("other-coded-otherwise", "{value: other, label: {en: Other, es: Otro}",
     "{value: elsewhere, label: {en: Other, es: Otro}", "value: elsewhere",
     "sections[0].questions[0].choices[2].value",
     "code the \"Other (specify)\" option 'other', not 'elsewhere'"),
]


@pytest.mark.parametrize(("old", "new", "needle", "field", "fragment"),
                         [case[1:] for case in SPEC_ERRORS], ids=[c[0] for c in SPEC_ERRORS])
def test_spec_errors_name_file_line_and_field(tmp_path: Path, old: str, new: str, needle: str,
                                               field: str, fragment: str) -> None:
    assert SPEC.count(old) == 1
    text = SPEC.replace(old, new)
    error = _error(tmp_path, text)
    problem = next((p for p in getattr(error, "problems", ()) or (error,)
                    if p.field == field), error)
    assert problem.field == field, error
    assert fragment in problem.message
    assert problem.line == _line(text, needle)


def test_other_and_dont_know_only_where_they_mean_something(tmp_path: Path) -> None:
    ranking = SPEC.replace("type: multiple_choice", "type: ranking").replace(
        "          - {value: none, label: {en: None of these, es: Ninguna}, "
        "exclusive: true}\n", "")
    error = _error(tmp_path, ranking)
    assert error.field == "sections[0].questions[1].choices[2].other"
    assert "only a single_choice or multiple_choice option" in error.message


def test_the_text_column_cannot_be_an_option_column(tmp_path: Path) -> None:
    text = SPEC.replace("name: preferred_payment_method", "name: pay").replace(
        "{value: cash, label", "{value: specify, label")
    error = _error(tmp_path, text)
    assert error.field == "sections[0].questions[1].choices[3].other"
    assert error.line == _line(text, "{value: other, label: {en: Something") + 1
    assert "the text column 'pay__specify' of 'pay' is also the column of " \
           "sections[0].questions[1].choices[1]" in error.message


def test_two_shortened_text_columns_cannot_collide(tmp_path: Path) -> None:
    twin = textwrap.indent(textwrap.dedent("""\
        - type: single_choice
          name: preferred_payment_methods
          label: {en: Again, es: Otra vez}
          choices:
            - {value: card, label: {en: Card, es: Tarjeta}}
            - {value: other, label: {en: Else, es: Otro}, other: true}
        """), "      ")
    text = SPEC.replace("  - name: views\n", twin + "  - name: views\n")
    error = _error(tmp_path, text)
    assert error.field == "sections[0].questions[2].choices[1].other"
    assert "'preferred_payment__specify'" in error.message
    assert "sections[0].questions[1].choices[3]" in error.message


def test_validate_lists_the_options(spec_path: Path) -> None:
    from click.testing import CliRunner

    from survey_builder.cli import cli

    result = CliRunner().invoke(cli, ["validate", str(spec_path)])
    assert result.exit_code == 0, result.output
    assert ("  options    \"Other (specify)\" in store_type, preferred_payment_method; "
            "\"Don't know\" in trust_grid, trust_3, recommend") in result.output


def test_a_maxdiff_item_cannot_be_other() -> None:
    document = {"id": "md", "title": {"en": "M"}, "languages": ["en"], "sections": [
        {"name": "s", "title": {"en": "S"}, "questions": [
            {"type": "maxdiff", "name": "drivers", "label": {"en": "What matters"},
             "per_set": 2, "sets": 3,
             "items": [{"value": v, "label": {"en": v}, **({"other": True} if v == "c"
                                                          else {})} for v in "abc"]}]}]}
    with pytest.raises(SurveyError) as info:
        survey_from_dict(document, source="md.yaml")
    assert info.value.field == "sections[0].questions[0].items[2].other"
    assert "a maxdiff item cannot be \"Other (specify)\"" in info.value.message


# ---------------------------------------------------------------------------- codebook
def test_codebook_columns_levels_and_free_text(survey: Any) -> None:
    codebook = build_codebook(survey)
    columns = {c["name"]: c for c in codebook["columns"]}
    assert other_text_column("store_type") == "store_type__specify"
    assert other_text_column("preferred_payment_method") == PAYMENT_TEXT
    assert len(PAYMENT_TEXT) == 26
    names = [c["name"] for c in codebook["columns"]]
    assert names[names.index("store_type") + 1] == "store_type__specify"
    assert names[names.index("preferred_payment_method__other") + 1] == PAYMENT_TEXT
    text = columns["store_type__specify"]
    assert (text["type"], text["option"], text["question"]) == ("other_text", "other",
                                                                 "store_type")
    assert text["label"] == {"en": "Other: Please specify", "es": "Otro: Especifique"}
    # the other option stays an answer level of the question
    assert [lv["code"] for lv in columns["store_type"]["levels"]] == [
        "supermarket", "online", "other"]
    questions = {q["name"]: q for q in codebook["questions"]}
    assert questions["preferred_payment_method"]["other"] == "other"
    assert questions["trust_grid"]["dont_know"] == DONT_KNOW_CODE
    assert columns["trust_3"]["dont_know"] == {
        "code": DONT_KNOW_CODE, "label": {"en": "Cannot say", "es": "No sabría decir"}}
    assert columns["trust_1"]["dont_know"]["label"]["es"] == "No sé"
    assert "dont_know" not in columns["store_type"]


def test_select_features_leaves_the_other_text_out_as_free_text(survey: Any,
                                                                  simulated: pd.DataFrame
                                                                  ) -> None:
    frame = simulated[["respondent_id", "store_type", "store_type__specify"]]
    assert frame["store_type__specify"].nunique() <= 8  # few distinct texts: a category
    selection = select_features(frame, codebook=build_codebook(survey))
    assert selection.features == ["store_type"]
    assert selection.left_out["store_type__specify"] == "free text"


# ---------------------------------------------------------------------------- reading
HEADER = ("respondent_id,store_type,store_type__specify,preferred_payment_method__card,"
          "preferred_payment_method__cash,preferred_payment_method__none,"
          "preferred_payment_method__other,preferred_payment__specify,trust_1,trust_2,"
          "trust_3,recommend\n")


def test_canonical_reader_takes_the_code_or_the_label_of_dont_know(survey: Any) -> None:
    text = HEADER + ("a,other,Corner shop,1,0,0,1,Vouchers,4,dontknow,Cannot say,DONTKNOW\n"
                     "b,online,,0,1,0,0,,5, no sé ,2,\n")
    frame = responses_from_text(text, survey, name="answers.csv")
    assert frame["trust_2"].tolist() == [DONT_KNOW_CODE, DONT_KNOW_CODE]
    assert frame["trust_3"].tolist() == [DONT_KNOW_CODE, 2]
    assert frame.loc[0, "recommend"] == DONT_KNOW_CODE and pd.isna(frame.loc[1, "recommend"])
    assert frame["store_type__specify"].tolist()[0] == "Corner shop"
    assert frame.loc[0, PAYMENT_TEXT] == "Vouchers"


def test_readers_reject_a_bad_cell_with_file_row_and_column(survey: Any) -> None:
    with pytest.raises(SurveyError) as info:  # "Don't know" where the scale has none
        responses_from_text(HEADER.replace(",recommend", "") + "a,online,,1,0,0,0,,4,3,2\n"
                            "b,online,,1,0,0,0,,4,3,maybe\n", survey_from_dict(
                                _without_nps(survey)), name="answers.csv")
    assert (info.value.file, info.value.line, info.value.field) == ("answers.csv", 3, "trust_3")
    assert "'maybe' is not a valid answer" in info.value.message
    results = [{"store_type": "other", "store_type-Comment": "Corner shop"},
               {"store_type": "other", "store_type-Comment": ["a", "list"]}]
    with pytest.raises(SurveyError) as info:
        responses_from_text(json.dumps(results), survey, name="results.json")
    assert info.value.file == "results.json" and info.value.field == "store_type-Comment"
    assert "result 2" in info.value.message and "not a list" in info.value.message


def _without_nps(survey: Any) -> dict[str, Any]:
    from survey_builder.spec import survey_to_dict

    document = survey_to_dict(survey)
    document["sections"][1]["questions"] = document["sections"][1]["questions"][:2]
    document["sections"][1]["questions"][1].pop("dont_know")
    document["sections"][1]["questions"][1].pop("dont_know_label")
    return document


@pytest.mark.parametrize("fmt", ["canonical", "odk", "surveyjs", "redcap"])
def test_round_trip_through_every_format_keeps_texts_and_dont_knows(
        survey: Any, simulated: pd.DataFrame, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"responses.{fmt}"
    write_responses(simulated, survey, path, fmt)
    back = read_responses(path, survey)
    pd.testing.assert_frame_equal(back.astype(object).fillna(-1),
                                  simulated.astype(object).fillna(-1), check_dtype=False)
    assert (back["trust_1"] == DONT_KNOW_CODE).sum() > 0
    assert back["store_type__specify"].notna().sum() > 0
    pd.testing.assert_frame_equal(score_responses(survey, back).scores,
                                  score_responses(survey, simulated).scores)


def test_redcap_labels_export_maps_the_text_field_and_dont_know_back(
        survey: Any, simulated: pd.DataFrame, tmp_path: Path) -> None:
    """REDCap's "CSV (labels)": field labels as headers, "Don't know" as its label."""
    codebook = build_codebook(survey)
    columns, questions, options = _label_of(codebook)
    raw = to_redcap(simulated, survey)
    out = pd.DataFrame(index=raw.index)
    for name in raw.columns:
        values = raw[name]
        column = codebook.column(name)
        if "___" in name:
            question, code = name.split("___")
            header = f"{questions[question]['label']['en']} (choice={options[question, code]})"
            values = values.map({0: "Unchecked", 1: "Checked"})
        elif name == "respondent_id" or name.endswith("_complete"):
            header = "Record ID" if name == "respondent_id" else "Complete?"
        elif name in questions and questions[name]["type"] == "single_choice":
            header = questions[name]["label"]["en"]
            values = values.map(lambda v, q=name: options.get((q, v), v))
        else:
            header = columns[name]
            if column is not None and column.dont_know:
                label = column.dont_know["label"]["en"]
                values = values.mask(values.astype(object).eq(DONT_KNOW_CODE).fillna(False),
                                     label)
        out[header] = values
    assert "Other: Please specify" in out.columns and "Cannot say" in set(out["I trust my bank"])
    path = tmp_path / "labels.csv"
    out.to_csv(path, index=False)
    pd.testing.assert_frame_equal(read_responses(path, survey), simulated)


def test_surveyjs_storage_is_mapped_to_the_canonical_columns(survey: Any) -> None:
    results = [{"store_type": "other", "store_type-Comment": "Corner shop",
                "preferred_payment_method": ["card", "other"],
                "preferred_payment_method-Comment": "Vouchers",
                "trust_grid": {"trust_1": "dontknow", "trust_2": 2}, "trust_3": "dontknow",
                "recommend": "dontknow", "unrelated-Comment": "ignored"}]
    frame = responses_from_text(json.dumps(results), survey)
    row = frame.iloc[0]
    assert (row["store_type"], row["store_type__specify"]) == ("other", "Corner shop")
    assert row["preferred_payment_method__other"] == 1
    assert row[PAYMENT_TEXT] == "Vouchers"
    assert [row["trust_1"], row["trust_2"], row["trust_3"], row["recommend"]] == [
        DONT_KNOW_CODE, 2, DONT_KNOW_CODE, DONT_KNOW_CODE]


# ---------------------------------------------------------------------------- scoring
def test_dont_know_is_missing_for_means_alpha_and_nps(survey: Any, simulated: pd.DataFrame
                                                      ) -> None:
    result = score_responses(survey, simulated)
    items = simulated[["trust_1", "trust_2", "trust_3"]]
    dont_know = (items == DONT_KNOW_CODE).to_numpy()
    assert dont_know.sum() > 50
    numbers = items.mask(items == DONT_KNOW_CODE).apply(pd.to_numeric).astype(float)
    enough = numbers.notna().sum(axis=1) >= 2
    expected = numbers.mean(axis=1).where(enough)
    np.testing.assert_allclose(result.scores["trust"], expected, equal_nan=True)
    alpha = result.reliability["scales"]["trust"]["alpha"]
    assert alpha == pytest.approx(cronbach_alpha(numbers.to_numpy()), abs=1e-12)
    recommend = simulated["recommend"]
    given = recommend[(recommend != DONT_KNOW_CODE) & recommend.notna()].astype(float)
    assert (recommend == DONT_KNOW_CODE).sum() > 0
    assert result.reliability["nps"]["recommend"] == pytest.approx(
        net_promoter_score(given.to_numpy()))
    assert result.scores["recommend_nps"][recommend == DONT_KNOW_CODE].isna().all()


def test_scores_count_dont_knows_per_respondent(survey: Any, simulated: pd.DataFrame) -> None:
    result = score_responses(survey, simulated)
    columns = ["trust_1", "trust_2", "trust_3", "recommend"]
    expected = (simulated[columns] == DONT_KNOW_CODE).sum(axis=1).to_numpy()
    np.testing.assert_array_equal(result.scores[DONT_KNOW_COLUMN], expected)
    assert list(result.scores.columns).index(DONT_KNOW_COLUMN) == list(
        result.scores.columns).index("longest_run") + 1
    assert result.reliability["dont_know"] == {
        c: int((simulated[c] == DONT_KNOW_CODE).sum()) for c in columns}
    # a dont know is an answer: nothing "required" is missing
    assert result.reliability["spec_violations"] == {}
    plain = survey_from_dict(_without_nps(survey) | {"scales": [], "sections": [
        _without_nps(survey)["sections"][0]]})
    assert count_dont_know(build_codebook(plain), simulated) is None
    assert DONT_KNOW_COLUMN not in score_responses(plain, simulated[
        [c["name"] for c in build_codebook(plain)["columns"]]]).scores


def test_other_text_without_the_option_and_the_option_without_text_break_the_spec(
        survey: Any, simulated: pd.DataFrame) -> None:
    responses = simulated.copy()
    single = int(np.flatnonzero(responses["store_type"].eq("online").fillna(False))[0])
    multi = int(np.flatnonzero(
        responses["preferred_payment_method__other"].eq(0).fillna(False))[0])
    silent = int(np.flatnonzero(responses["store_type"].eq("other").fillna(False))[0])
    responses.loc[single, "store_type__specify"] = "typed anyway"
    responses.loc[multi, PAYMENT_TEXT] = "typed anyway"
    responses.loc[silent, "store_type__specify"] = pd.NA
    found = {(v.kind, v.question): np.flatnonzero(v.rows).tolist()
             for v in spec_violations(build_codebook(survey), responses)}
    assert found == {("other_without_option", "store_type"): [single],
                     ("other_without_option", "preferred_payment_method"): [multi],
                     ("other_text_missing", "store_type"): [silent]}
    result = score_responses(survey, responses)
    assert result.scores["breaks_spec"].sum() == len({single, multi, silent})
    assert result.reliability["spec_violations"]["other_without_option"] == {
        "store_type": 1, "preferred_payment_method": 1}
    with pytest.raises(SurveyError, match="an \"other\" text is given but 'other' is not"):
        score_responses(survey, responses, strict=True)


# ---------------------------------------------------------------------------- simulate
def test_simulate_types_texts_for_the_other_option_and_plants_dont_knows(
        survey: Any, simulated: pd.DataFrame) -> None:
    chose = simulated["store_type"] == "other"
    assert 0 < chose.mean() < 0.9
    assert simulated["store_type__specify"].notna().eq(chose).all()
    ticked = simulated["preferred_payment_method__other"] == 1
    assert simulated[PAYMENT_TEXT].notna().eq(ticked.fillna(False)).all()
    assert simulated.loc[chose, "store_type__specify"].str.len().gt(3).all()
    share = (simulated[["trust_1", "trust_2", "trust_3"]] == DONT_KNOW_CODE).to_numpy().mean()
    assert 0.02 < share < 0.07  # the default rate is 4 %
    again = simulate_responses(survey, 1500, 3, seed=4)[0]
    pd.testing.assert_frame_equal(again, simulated)


# ---------------------------------------------------------------------------- exports
@pytest.fixture(scope="module")
def xlsform_path(survey: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return quietly(xlsform, survey, tmp_path_factory.mktemp("xlsform"))[0]


def test_xlsform_passes_odk_validate_with_the_text_field_and_dont_know(
        xlsform_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.fail("Java is not on PATH: ODK Validate (shipped with pyxform) needs it")
    found: list[str] = []
    convert(xlsform=str(xlsform_path), validate=True, warnings=found)
    assert found == []
    rows = {row["name"]: row for row in sheet_rows(xlsform_path, "survey")}
    assert rows["store_type__specify"]["type"] == "text"
    assert rows["store_type__specify"]["relevant"] == "selected(${store_type}, 'other')"
    assert rows["store_type__specify"]["required"] == "yes"
    assert rows[PAYMENT_TEXT]["relevant"] == (
        "selected(${preferred_payment_method}, 'other')")
    assert rows["trust_3"].get("appearance") is None  # Don't know stands apart
    choices = sheet_rows(xlsform_path, "choices")
    trust_3_list = rows["trust_3"]["type"].split()[1]
    codes = [c["name"] for c in choices if c["list_name"] == trust_3_list]
    assert codes == ["1", "2", "3", "4", "5", DONT_KNOW_CODE]
    nps_list = rows["recommend"]["type"].split()[1]
    assert [c["name"] for c in choices if c["list_name"] == nps_list][-2:] == [
        "10", DONT_KNOW_CODE]


def test_javarosa_shows_the_text_box_only_with_the_option(xlsform_path: Path,
                                                          tmp_path: Path) -> None:
    if shutil.which("java") is None or not odk_validate.install_exists():
        pytest.fail("Java (JDK 11+) and pyxform's ODK_Validate.jar are needed")
    form = tmp_path / "form.xml"
    form.write_text(convert(xlsform=str(xlsform_path), validate=False).xform, "utf-8")
    cases = ["store_type=other\tpreferred_payment_method=card other"
             "\ttrust_3=dontknow",
             "store_type=online\tpreferred_payment_method=card",
             "store_type=supermarket"]
    (tmp_path / "cases.tsv").write_text("\n".join(cases) + "\n", "utf-8")
    proc = subprocess.run(["java", "-cp", odk_validate.ODK_VALIDATE_PATH, str(RELEVANCE_JAVA),
                           str(form), str(tmp_path / "cases.tsv")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    reached = [set(line.split()) for line in proc.stdout.splitlines()]
    assert [("store_type__specify" in r, PAYMENT_TEXT in r, "recommend" in r)
            for r in reached] == [(True, True, True), (False, False, False),
                                  (False, False, True)]


@pytest.fixture(scope="module")
def surveyjs_path(survey: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "survey-core").is_dir():
        pytest.fail("node and node_modules/survey-core are needed: run `npm ci --no-audit "
                    "--no-fund` in the repository root")
    return surveyjs.export(survey, tmp_path_factory.mktemp("surveyjs"))[0]


def test_surveyjs_uses_survey_cores_own_items_and_passes_its_linter(
        surveyjs_path: Path) -> None:
    proc = subprocess.run(["node", str(LINT_JS), str(surveyjs_path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["errorCount"] == 0 and report["warningCount"] == 0 and not report[
        "jsonErrors"]
    document = json.loads(surveyjs_path.read_text("utf-8"))
    elements = {e["name"]: e for page in document["pages"] for e in page["elements"]}
    store = elements["store_type"]
    assert store["showOtherItem"] is True and store["otherText"]["es"] == "Otro"
    assert "other" not in [c["value"] for c in store["choices"]]
    assert elements["trust_3"]["type"] == "radiogroup"
    assert elements["trust_3"]["showDontKnowItem"] is True
    assert elements["trust_3"]["dontKnowText"] == {"default": "Cannot say",
                                                   "es": "No sabría decir"}
    assert elements["trust_grid"]["columns"][-1]["value"] == DONT_KNOW_CODE
    assert [c["value"] for c in elements["recommend"]["choices"]] == list(range(11))


def test_survey_core_respondents_choose_other_with_text_and_dont_know(
        survey: Any, surveyjs_path: Path, tmp_path: Path) -> None:
    cases = [
        {"answers": {"store_type": "other", "preferred_payment_method": ["card", "other"],
                     "trust_grid": {"trust_1": 4, "trust_2": "dontknow"},
                     "trust_3": "dontknow", "recommend": "dontknow"},
         "other": {"store_type": "Corner shop", "preferred_payment_method": "Vouchers"}},
        {"answers": {"store_type": "other", "trust_3": 2, "recommend": 9}},  # no text
        {"answers": {"store_type": "online", "preferred_payment_method": ["none"],
                     "trust_3": 5}},
    ]
    (tmp_path / "cases.json").write_text(json.dumps(cases), "utf-8")
    proc = subprocess.run(["node", str(ANSWER_JS), str(surveyjs_path),
                           str(tmp_path / "cases.json")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert [r["completed"] for r in results] == [True, False, True]
    assert [e["question"] for e in results[1]["errors"]] == ["store_type"]
    data = results[0]["data"]
    assert data["store_type-Comment"] == "Corner shop"  # where survey-core keeps the text
    assert data["preferred_payment_method"] == ["card", "other"]
    frame = responses_from_text(json.dumps([r["data"] for r in results]), survey)
    assert frame.loc[0, "store_type__specify"] == "Corner shop"
    assert frame.loc[0, PAYMENT_TEXT] == "Vouchers"
    assert frame.loc[0, "preferred_payment_method__other"] == 1
    scores = score_responses(survey, frame).scores
    assert scores[DONT_KNOW_COLUMN].tolist() == [3, 0, 0]
    assert not scores["breaks_spec"].iloc[[0, 2]].any()


def test_redcap_dictionary_is_valid_with_the_text_field_and_dont_know(
        survey: Any, tmp_path: Path) -> None:
    paths = quietly(redcap, survey, tmp_path)
    for path in paths:
        header, rows = read_dictionary(path)
        assert dictionary_problems(header, rows) == []
    fields = {row["Variable / Field Name"]: row for row in read_dictionary(paths[0])[1]}
    text = fields["store_type__specify"]
    assert (text["Field Type"], text["Required Field?"]) == ("text", "y")
    assert text["Branching Logic (Show field only if...)"] == "[store_type] = 'other'"
    assert fields[PAYMENT_TEXT]["Branching Logic (Show field only if...)"] == (
        "[preferred_payment_method(other)] = '1'")
    choices = "Choices, Calculations, OR Slider Labels"
    assert choice_codes(fields["trust_1"][choices])[-1] == DONT_KNOW_CODE
    assert fields["trust_3"][choices].endswith("dontknow, Cannot say")
    assert choice_codes(fields["recommend"][choices])[-2:] == ["10", DONT_KNOW_CODE]
    assert all(len(name) <= 26 for name in fields)


def test_paper_versions_show_the_text_line_and_dont_know(survey: Any, tmp_path: Path) -> None:
    page = html.export(survey, tmp_path)[0].read_text("utf-8")
    assert '<label for="store_type__specify">Other: Please specify</label>' in page
    assert 'name="trust_1" value="dontknow"' in page and "Cannot say" in page
    assert 'name="recommend" value="dontknow"' in page
    text = markdown.export(survey, tmp_path)[1].read_text("utf-8")  # Spanish
    assert "Otro: Especifique ________ (`store_type__specify`)" in text
    assert "`dontknow` = No sabría decir" in text
