"""The codebook describes exactly the canonical response columns."""

from __future__ import annotations

import json
import pickle
from collections.abc import Mapping

import pytest

from survey_builder.codebook import (
    CODEBOOK_FORMAT,
    CODEBOOK_VERSION,
    Codebook,
    build_codebook,
    column_names,
    load_codebook,
    option_column,
    write_codebook,
)
from survey_builder.compose import compose_survey
from survey_builder.errors import SurveyError, UserError
from survey_builder.spec import ID_COLUMN, survey_from_dict


def t(en, es=None):
    return {"en": en, "es": es or f"{en} (es)"}


AGREE = [t(x) for x in ("SD", "D", "N", "A", "SA")]


@pytest.fixture()
def survey():
    return survey_from_dict({
        "id": "cb", "title": t("Codebook"), "languages": ["en", "es"],
        "scales": [{"name": "trust", "dimension": "attitudes", "label": t("Trust"),
                    "description": t("d"), "high_score": t("h"), "min_answered": 2}],
        "sections": [
            {"name": "one", "title": t("One"), "questions": [
                {"type": "note", "name": "hello", "label": t("Hi")},
                {"type": "likert_grid", "name": "trust_grid", "label": t("Agree?"),
                 "anchors": AGREE, "scale": "trust", "required": True,
                 "items": [{"name": "trust_1", "label": t("a")},
                           {"name": "trust_2", "label": t("b"), "reverse_keyed": True}]},
                {"type": "likert", "name": "trust_3", "label": t("c"), "anchors": AGREE,
                 "scale": "trust"},
                {"type": "single_choice", "name": "freq", "label": t("Freq"),
                 "relevant": "${trust_1} >= 2",
                 "choices": [{"value": "weekly", "label": t("W"), "numeric": 52},
                             {"value": "monthly", "label": t("M"), "numeric": 12},
                             {"value": "dont_know", "label": t("DK")}]},
                {"type": "multiple_choice", "name": "channels", "label": t("Where"),
                 "choices": [{"value": "web", "label": t("Web")},
                             {"value": "store", "label": t("Store")}]},
                {"type": "ranking", "name": "drivers", "label": t("Rank"),
                 "choices": [{"value": "price", "label": t("P")},
                             {"value": "quality", "label": t("Q")},
                             {"value": "brand", "label": t("B")}]},
                {"type": "numeric", "name": "spend", "label": t("Spend"), "min": 0,
                 "max": 500, "unit": t("EUR")},
                {"type": "numeric", "name": "years", "label": t("Years"), "integer": True,
                 "min": 0, "max": 40},
                {"type": "text", "name": "comment", "label": t("Say"), "max_length": 200},
                {"type": "attention_check", "name": "attn", "label": t("Pick b"),
                 "answer": "b", "choices": [{"value": "a", "label": t("A")},
                                            {"value": "b", "label": t("B")}]},
                {"type": "single_choice", "name": "stage", "label": t("Stage"),
                 "choices": [{"value": "aware", "label": t("Aware")},
                             {"value": "loyal", "label": t("Loyal")}]},
            ]},
        ],
        "clv": {"currency": "USD", "value": {"question": "spend"},
                "frequency": {"question": "freq"},
                "lifespan": {"question": "years", "factor": 0.5}},
        "journey": {"question": "stage", "stages": ["aware", "loyal"]},
    })


def by_name(codebook):
    return {c["name"]: c for c in codebook["columns"]}


def test_column_order_and_naming(survey):
    codebook = build_codebook(survey)
    assert column_names(codebook) == [
        ID_COLUMN, "trust_1", "trust_2", "trust_3", "freq", "channels__web",
        "channels__store", "drivers__price", "drivers__quality", "drivers__brand", "spend",
        "years", "comment", "attn", "stage"]
    assert option_column("channels", "web") == "channels__web"
    assert codebook["format"] == CODEBOOK_FORMAT
    assert codebook["version"] == CODEBOOK_VERSION == "1.2"
    assert codebook["id_column"] == ID_COLUMN and codebook["missing"] == ""


def test_every_column_has_the_same_keys(survey):
    columns = build_codebook(survey)["columns"]
    keys = set(columns[0])
    assert {"name", "question", "type", "value_type", "levels", "min", "max", "required",
            "scale", "reverse_keyed", "label"} <= keys
    assert all(set(c) == keys for c in columns)


def test_likert_and_grid_columns(survey):
    cols = by_name(build_codebook(survey))
    grid_row = cols["trust_2"]
    assert grid_row["question"] == "trust_grid" and grid_row["item"] == "trust_2"
    assert grid_row["type"] == "likert" and grid_row["value_type"] == "integer"
    assert (grid_row["min"], grid_row["max"]) == (1, 5)
    assert grid_row["reverse_keyed"] is True and cols["trust_1"]["reverse_keyed"] is False
    assert grid_row["required"] is True and cols["trust_3"]["required"] is False
    assert [lvl["code"] for lvl in grid_row["levels"]] == [1, 2, 3, 4, 5]
    assert grid_row["levels"][4]["label"] == {"en": "SA", "es": "SA (es)"}
    assert cols["trust_3"]["question"] == "trust_3" and cols["trust_3"]["item"] is None
    assert "hello" not in cols and "trust_grid" not in cols


def test_choice_columns(survey):
    cols = by_name(build_codebook(survey))
    freq = cols["freq"]
    assert freq["type"] == "single_choice" and freq["value_type"] == "string"
    assert [lvl["code"] for lvl in freq["levels"]] == ["weekly", "monthly", "dont_know"]
    assert freq["relevant"] == "${trust_1} >= 2"
    web = cols["channels__web"]
    assert web["type"] == "multiple_choice_option" and web["option"] == "web"
    assert (web["min"], web["max"]) == (0, 1)
    assert [lvl["code"] for lvl in web["levels"]] == [0, 1]
    assert set(web["levels"][1]["label"]) == {"en", "es"}
    assert web["label"] == {"en": "Web", "es": "Web (es)"}
    rank = cols["drivers__quality"]
    assert rank["type"] == "ranking_option" and (rank["min"], rank["max"]) == (1, 3)
    assert cols["attn"]["type"] == "attention_check"


def test_numeric_and_text_columns(survey):
    cols = by_name(build_codebook(survey))
    assert cols["spend"]["value_type"] == "number" and cols["spend"]["max"] == 500
    assert cols["spend"]["unit"] == {"en": "EUR", "es": "EUR (es)"}
    assert cols["years"]["value_type"] == "integer" and cols["years"]["integer"] is True
    assert cols["comment"]["type"] == "text" and cols["comment"]["max_length"] == 200


def test_questions_scales_and_checks(survey):
    codebook = build_codebook(survey)
    questions = {q["name"]: q for q in codebook["questions"]}
    assert "hello" not in questions                    # notes have no columns
    assert questions["trust_grid"]["columns"] == ["trust_1", "trust_2"]
    assert questions["channels"]["columns"] == ["channels__web", "channels__store"]
    assert questions["freq"]["choices"][0] == {"code": "weekly", "label": t("W"),
                                               "numeric": 52.0}
    (scale,) = codebook["scales"]
    assert scale["items"] == ["trust_1", "trust_2", "trust_3"]
    assert scale["reverse_keyed"] == ["trust_2"]
    assert scale["points"] == 5 and scale["min_answered"] == 2
    assert scale["dimension"] == "attitudes"
    assert codebook["attention_checks"] == [{"question": "attn", "column": "attn",
                                             "answer": "b"}]


def test_derivations(survey):
    derivations = build_codebook(survey)["derivations"]
    clv = derivations["clv"]
    assert clv["currency"] == "USD" and clv["formula"] == "value * frequency * lifespan"
    assert clv["terms"]["frequency"]["kind"] == "choice"
    assert clv["terms"]["frequency"]["map"] == {"weekly": 52.0, "monthly": 12.0}
    assert clv["terms"]["value"] == {"question": "spend", "column": "spend",
                                     "kind": "numeric", "factor": 1.0,
                                     "unit": "USD per purchase", "map": None}
    assert clv["terms"]["lifespan"]["factor"] == 0.5
    assert derivations["journey"] == {"question": "stage", "column": "stage",
                                      "stages": ["aware", "loyal"],
                                      "order": {"aware": 1, "loyal": 2}}


def test_full_bank_survey_codebook_matches_spec():
    survey = survey_from_dict(compose_survey())
    codebook = build_codebook(survey)
    names = column_names(codebook)
    assert len(names) == len(set(names))
    expected = 1
    for question in survey.iter_questions():
        expected += {"note": 0, "likert_grid": len(getattr(question, "items", [])),
                     "multiple_choice": len(getattr(question, "choices", [])),
                     "ranking": len(getattr(question, "choices", []))}.get(question.type, 1)
    assert len(names) == expected
    assert {s["name"] for s in codebook["scales"]} == {s.name for s in survey.scales}
    json.dumps(codebook.to_dict())  # serialisable


def test_write_and_load(tmp_path, survey):
    codebook = build_codebook(survey)
    path = write_codebook(codebook, tmp_path / "codebook.json")
    assert load_codebook(path) == codebook
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(("content", "fragment"), [
    ("{not json", "malformed JSON"),
    ('{"format": "other", "version": 1, "columns": []}',
     "not a survey spec or survey-builder codebook"),
    ('{"format": "survey-builder-codebook", "version": 99, "columns": []}',
     "unsupported codebook version"),
    ('{"format": "survey-builder-codebook", "version": 1}', "no 'columns'"),
])
def test_load_errors(tmp_path, content, fragment):
    path = tmp_path / "codebook.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SurveyError, match=fragment):
        load_codebook(path)


# ---------------------------------------------------------------- the typed Codebook
def test_codebook_is_a_read_only_mapping_over_its_json(survey):
    codebook = build_codebook(survey)
    assert isinstance(codebook, Codebook) and isinstance(codebook, Mapping)
    assert codebook["columns"][0]["name"] == ID_COLUMN  # dict-style reads keep working
    assert codebook.get("scales")[0]["name"] == "trust" and codebook.get("absent") is None
    with pytest.raises(TypeError):
        codebook["scales"] = []
    copy = codebook.to_dict()
    copy["columns"].clear()
    assert len(codebook["columns"]) == 15  # the copy is deep
    assert Codebook(copy | {"columns": codebook["columns"]}) == codebook
    assert pickle.loads(pickle.dumps(codebook)) == codebook


def test_typed_accessors(survey):
    codebook = build_codebook(survey)
    assert codebook.id_column == ID_COLUMN and codebook.default_language == "en"
    assert [c.name for c in codebook.columns] == column_names(codebook)
    assert codebook.column("trust_2").reverse_keyed and codebook.column("nope") is None
    assert codebook.scale("trust").reverse_keyed == ["trust_2"]
    assert codebook.question("channels").columns == ["channels__web", "channels__store"]
    assert codebook.derivations.clv.terms["lifespan"].factor == 0.5
    assert codebook.clv_currency() == "USD" and codebook.scores is None
    assert codebook.attention_checks[0].answer == "b"


def test_levels_and_labels_in_questionnaire_order(survey):
    codebook = build_codebook(survey)
    assert [(lv.code, lv.label, lv.value) for lv in codebook.levels("freq")] == [
        ("weekly", "W", "weekly"), ("monthly", "M", "monthly"), ("dont_know", "DK", "dont_know")]
    assert [lv.label for lv in codebook.levels("freq", "es")] == ["W (es)", "M (es)", "DK (es)"]
    assert codebook.label("trust", "es") == "Trust (es)"  # a scale score
    assert codebook.label("channels__web") == "Where — Web"
    assert codebook.label("journey_stage") == "Stage"  # the scores column of the journey
    assert codebook.label("freq_answer") == "Freq"  # an answer renamed in the scores file
    assert codebook.label("clv") is None and codebook.levels("spend") == []


def test_journey_levels_follow_the_stage_order(survey):
    document = build_codebook(survey).to_dict()
    document["derivations"]["journey"]["stages"] = ["loyal", "aware"]
    codebook = Codebook(document)
    assert [lv.code for lv in codebook.levels("journey_stage")] == ["loyal", "aware"]
    assert [lv.code for lv in codebook.levels("stage")] == ["loyal", "aware"]


def test_version_1_codebooks_still_load(tmp_path, survey):
    document = build_codebook(survey).to_dict()
    document["version"] = 1  # as written before the scores section existed
    del document["scores"]
    for column in document["columns"]:
        del column["unit"], column["max_length"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    codebook = load_codebook(path)
    assert codebook["version"] == 1 and codebook.scores is None
    assert [lv.code for lv in codebook.levels("freq")] == ["weekly", "monthly", "dont_know"]


# ---------------------------------------------------------------- one loader
def test_one_loader_for_specs_and_codebooks(tmp_path, survey):
    from survey_builder.spec import dump_survey

    expected = build_codebook(survey)
    yaml_spec, json_spec = tmp_path / "survey.yaml", tmp_path / "survey.json"
    dump_survey(survey, yaml_spec)
    dump_survey(survey, json_spec)
    book = write_codebook(expected, tmp_path / "named_anything.yaml")  # content decides
    for path in (yaml_spec, json_spec, book):
        assert load_codebook(path) == expected


def test_loader_errors_carry_file_line_and_field(tmp_path, survey):
    with pytest.raises(UserError, match="no such file") as info:
        load_codebook(tmp_path / "absent.yaml")
    assert info.value.file == str(tmp_path / "absent.yaml")
    other = tmp_path / "personas.json"
    other.write_text('{\n  "format": "dash-personas-personas",\n  "version": 1\n}',
                     encoding="utf-8")
    with pytest.raises(UserError, match="not a survey spec or survey-builder codebook") as info:
        load_codebook(other)
    assert (info.value.line, info.value.field) == (2, "format")
    bad_spec = tmp_path / "bad.yaml"
    bad_spec.write_text("id: x\ntitle: {en: X}\nlanguages: [en]\nsections: 3\n",
                        encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_codebook(bad_spec)
    assert info.value.file == str(bad_spec) and info.value.line == 4
    document = build_codebook(survey).to_dict()
    document["version"] = "2.0"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(UserError, match=r"unsupported codebook version '2.0'.*reads version 1"):
        load_codebook(newer)


def test_codebook_does_not_share_the_dict_it_was_made_from(survey):
    document = build_codebook(survey).to_dict()
    codebook = Codebook(document)
    document["columns"][1]["name"] = "renamed"
    assert codebook["columns"][1]["name"] == codebook.columns[1].name == "trust_1"
