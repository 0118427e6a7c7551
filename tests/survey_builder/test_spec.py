"""The declarative spec: every question type, navigation helpers, round trips, and errors
that name the file, line and field."""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from survey_builder.errors import SurveyError
from survey_builder.spec import (
    QUESTION_MODELS,
    QUESTION_TYPES,
    AttentionCheckQuestion,
    GridItem,
    LikertGridQuestion,
    LikertQuestion,
    NoteQuestion,
    Survey,
    dump_survey,
    load_survey,
    survey_from_dict,
    survey_to_dict,
)

SPEC = textwrap.dedent("""\
    id: demo
    version: 2
    title: {en: Demo survey, es: Encuesta demo}
    languages: [en, es]
    anchor_sets:
      agree5:
        - {en: Strongly disagree, es: Muy en desacuerdo}
        - {en: Disagree, es: En desacuerdo}
        - {en: Neutral, es: Neutral}
        - {en: Agree, es: De acuerdo}
        - {en: Strongly agree, es: Muy de acuerdo}
    scales:
      - name: openness
        dimension: traits
        label: {en: Openness, es: Apertura}
        description: {en: Curiosity, es: Curiosidad}
        high_score: {en: Likes novelty, es: Le gusta la novedad}
        points: 5
      - name: thrift
        dimension: attitudes
        label: {en: Thrift, es: Ahorro}
        description: {en: Saving money, es: Ahorrar dinero}
        high_score: {en: Show prices, es: Mostrar precios}
    sections:
      - name: first
        title: {en: First, es: Primera}
        randomize: true
        questions:
          - type: note
            name: intro
            label: {en: Welcome, es: Bienvenida}
          - type: likert_grid
            name: open_grid
            label: {en: "Agree?", es: "¿De acuerdo?"}
            anchors: agree5
            scale: openness
            randomize: true
            required: true
            items:
              - {name: open_1, label: {en: New food, es: Comida nueva}}
              - {name: open_2, label: {en: Routines, es: Rutinas}, reverse_keyed: true}
          - type: likert
            name: thrift_1
            label: {en: I save, es: Ahorro}
            anchors: agree5
            scale: thrift
          - type: likert
            name: thrift_2
            label: {en: I splurge, es: Derrocho}
            anchors: agree5
            scale: thrift
            reverse_keyed: true
          - type: single_choice
            name: freq
            label: {en: "How often?", es: "¿Con qué frecuencia?"}
            relevant: "${open_1} >= 3"
            choices:
              - {value: weekly, numeric: 52, label: {en: Weekly, es: Semanal}}
              - {value: monthly, numeric: 12, label: {en: Monthly, es: Mensual}}
      - name: second
        title: {en: Second, es: Segunda}
        questions:
          - type: multiple_choice
            name: channels
            label: {en: "Where?", es: "¿Dónde?"}
            max_selected: 2
            choices:
              - {value: web, label: {en: Web, es: Web}}
              - {value: store, label: {en: Store, es: Tienda}}
              - {value: app, label: {en: App, es: App}}
          - type: numeric
            name: spend
            label: {en: Spend, es: Gasto}
            min: 0
            max: 1000
            unit: {en: EUR, es: EUR}
            relevant: "selected(${channels}, 'web') and ${freq} = 'weekly'"
          - type: numeric
            name: years
            label: {en: Years, es: Años}
            integer: true
            min: 0
            max: 50
          - type: text
            name: comment
            label: {en: Comment, es: Comentario}
            multiline: true
          - type: ranking
            name: drivers
            label: {en: Rank, es: Ordene}
            choices:
              - {value: price, label: {en: Price, es: Precio}}
              - {value: quality, label: {en: Quality, es: Calidad}}
          - type: attention_check
            name: attn
            label: {en: Pick blue, es: Elija azul}
            answer: blue
            choices:
              - {value: red, label: {en: Red, es: Rojo}}
              - {value: blue, label: {en: Blue, es: Azul}}
          - type: single_choice
            name: stage
            label: {en: Stage, es: Etapa}
            choices:
              - {value: awareness, label: {en: Aware, es: Conoce}}
              - {value: purchase, label: {en: Bought, es: Compró}}
    clv:
      currency: EUR
      value: {question: spend}
      frequency: {question: freq}
      lifespan: {question: years}
    journey: {question: stage}
    """)


def write(tmp_path, text, name="survey.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[occurrence - 1]


def load_error(tmp_path, text, name="survey.yaml") -> SurveyError:
    path = write(tmp_path, text, name)
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    assert info.value.file == str(path)
    return info.value


# --------------------------------------------------------------------------- valid spec
@pytest.fixture()
def survey(tmp_path) -> Survey:
    return load_survey(write(tmp_path, SPEC))


def test_every_question_type_loads(survey):
    types = {q.type for q in survey.iter_questions()}
    assert types == {"note", "likert_grid", "likert", "single_choice", "multiple_choice",
                     "numeric", "text", "ranking", "attention_check"}


def test_metadata_defaults_and_normalisation(survey):
    assert survey.version == "2"                      # numbers become strings
    assert survey.default_language == "en"            # first language
    grid = survey.get("open_grid")
    assert isinstance(grid, LikertGridQuestion)
    assert len(grid.anchors) == 5 and grid.anchors[3] == {"en": "Agree", "es": "De acuerdo"}
    assert [item.scale for item in grid.items] == ["openness", "openness"]  # inherited


def test_navigation_helpers(survey):
    assert [q.name for q in survey.iter_questions()][:3] == ["intro", "open_grid", "thrift_1"]
    assert survey.names()[:4] == ["intro", "open_grid", "open_1", "open_2"]
    assert [i.name for i in survey.iter_items()] == ["open_1", "open_2", "thrift_1", "thrift_2"]
    items = survey.scale_items("openness")
    assert [(i.name, i.reverse_keyed, i.points, i.required) for i in items] == [
        ("open_1", False, 5, True), ("open_2", True, 5, True)]
    assert [i.name for i in survey.scale_items(survey.scale("thrift"))] == [
        "thrift_1", "thrift_2"]
    assert survey.question_of("open_2").name == "open_grid"
    assert isinstance(survey.get("attn"), AttentionCheckQuestion)
    assert [q.name for q in survey.attention_checks()] == ["attn"]
    assert survey.text(survey.title, "es") == "Encuesta demo"
    assert survey.text(survey.title, "fr") == "Demo survey"   # default-language fallback
    with pytest.raises(KeyError):
        survey.get("nope")


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_dump_and_load_round_trip(survey, tmp_path, suffix):
    out = tmp_path / f"copy.{suffix}"
    dump_survey(survey, out)
    assert load_survey(out) == survey
    if suffix == "yaml":
        data = yaml.safe_load(out.read_text(encoding="utf-8"))
        grid = data["sections"][0]["questions"][1]
        assert grid["anchors"] == "agree5"               # written back as a reference
    else:
        assert json.loads(out.read_text(encoding="utf-8"))["id"] == "demo"
    assert not list(tmp_path.glob(".*.tmp"))             # atomic write left no temp file


def test_survey_from_dict_and_to_dict(survey):
    again = survey_from_dict(survey_to_dict(survey))
    assert again == survey


def test_json_spec_with_line_numbers(tmp_path, survey):
    text = json.dumps(survey_to_dict(survey), indent=2, ensure_ascii=False)
    bad = text.replace('"scale": "thrift"', '"scale": "thirft"', 1)
    err = load_error(tmp_path, bad, "survey.json")
    assert err.line == line_of(bad, '"thirft"')
    assert err.field == "sections[0].questions[2].scale"
    assert "unknown scale 'thirft'" in err.message and "did you mean 'thrift'" in err.message


# --------------------------------------------------------------------------- errors
def replace_once(old: str, new: str) -> str:
    assert SPEC.count(old) >= 1, old
    return SPEC.replace(old, new, 1)


ERROR_CASES = [
    # (id, old, new, line needle, field, message fragment)
    ("unknown-scale", "scale: thrift\n        reverse_keyed", "scale: thirft\n"
     "        reverse_keyed", "scale: thirft", "sections[0].questions[3].scale",
     "unknown scale 'thirft'"),
    ("unknown-type", "type: ranking", "type: rankng", "type: rankng",
     "sections[1].questions[4].type", "unknown question type 'rankng'"),
    ("duplicate-name", "name: years", "name: spend  # dup", "# dup",
     "sections[1].questions[2].name", "duplicate name 'spend'"),
    ("duplicate-grid-item", "{name: open_2,", "{name: open_1,", "{name: open_1, label: {en: Rou",
     "sections[0].questions[1].items[1].name", "duplicate name 'open_1'"),
    ("duplicate-choice", "{value: app,", "{value: web,", "{value: web, label: {en: App",
     "sections[1].questions[0].choices[2].value", "duplicate choice value 'web'"),
    ("later-reference", '"${open_1} >= 3"', '"${years} >= 3"', "${years} >= 3",
     "sections[0].questions[4].relevant", "comes later"),
    ("unknown-reference", '"${open_1} >= 3"', '"${opne_1} >= 3"', "${opne_1}",
     "sections[0].questions[4].relevant", "unknown question 'opne_1' (did you mean 'open_1'?)"),
    ("self-reference", '"${open_1} >= 3"', '"${freq} = \'weekly\'"', "relevant: \"${freq}",
     "sections[0].questions[4].relevant", "its own question 'freq'"),
    ("syntax", '"${open_1} >= 3"', '"${open_1} >= "', "relevant: \"${open_1} >= \"",
     "sections[0].questions[4].relevant", "invalid condition: column 13"),
    ("selected-on-single", "selected(${channels}, 'web')", "selected(${freq}, 'web')",
     "selected(${freq}", "sections[1].questions[1].relevant", "needs a multiple_choice"),
    ("selected-bad-option", "selected(${channels}, 'web')", "selected(${channels}, 'tv')",
     "'tv'", "sections[1].questions[1].relevant", "'tv' is not an option of 'channels'"),
    ("compare-bad-option", "${freq} = 'weekly'", "${freq} = 'daily'", "'daily'",
     "sections[1].questions[1].relevant", "'daily' is not an option of 'freq'"),
    ("order-a-code", "${freq} = 'weekly'", "${freq} > 'weekly'", "${freq} > 'weekly'",
     "sections[1].questions[1].relevant", "'>' compares numbers"),
    ("compare-multi", "${freq} = 'weekly'\"", "${channels} = 'web'\"", "${channels} = 'web'",
     "sections[1].questions[1].relevant", "use selected("),
    ("missing-language", "{en: Comment, es: Comentario}", "{en: Comment}", "{en: Comment}",
     "sections[1].questions[3].label", "missing 'es' text"),
    ("extra-language", "{en: Comment, es: Comentario}", "{en: Comment, es: C, fr: C}",
     "fr: C", "sections[1].questions[3].label.fr", "language 'fr' is not in"),
    ("bad-name", "name: comment", "name: Comment", "name: Comment",
     "sections[1].questions[3].name", "invalid name 'Comment'"),
    ("long-name", "name: comment", "name: a_very_long_question_name_indeed",
     "a_very_long", "sections[1].questions[3].name", "longer than 26"),
    ("double-underscore", "name: comment", "name: my__comment", "my__comment",
     "sections[1].questions[3].name", "invalid name"),
    ("reserved-name", "name: comment", "name: respondent_id", "name: respondent_id",
     "sections[1].questions[3].name", "reserved"),
    ("yaml-bool", "{value: red,", "{value: no,", "{value: no,",
     "sections[1].questions[5].choices[0].value", "put the value in quotes"),
    ("unknown-field", "multiline: true", "multilne: true", "multilne",
     "sections[1].questions[3].multilne", "unknown field 'multilne'"),
    ("missing-field", "        name: comment\n", "", "type: text",
     "sections[1].questions[3].name", "missing required field 'name'"),
    ("attention-answer", "answer: blue", "answer: green", "answer: green",
     "sections[1].questions[5].answer", "not one of the choices"),
    ("anchor-count", "anchors: agree5\n        scale: thrift\n",
     "anchors: agree5  # seven\n        points: 7\n        scale: thrift\n", "# seven",
     "sections[0].questions[2].anchors", "7-point item needs 7 anchor labels"),
    ("unknown-anchor-set", "anchors: agree5\n        scale: openness",
     "anchors: agree7\n        scale: openness", "anchors: agree7",
     "sections[0].questions[1].anchors", "unknown anchor set 'agree7'"),
    ("numeric-bounds", "min: 0\n        max: 1000", "min: 10\n        max: 5",
     "max: 5", "sections[1].questions[1].max", "must be greater than min"),
    ("integer-bounds", "max: 50", "max: 50.5", "max: 50.5", "sections[1].questions[2].max",
     "must be whole"),
    ("note-required", "name: intro\n", "name: intro\n        required: true\n",
     "required: true", "sections[0].questions[0].required", "cannot be required"),
    ("max-selected", "max_selected: 2", "max_selected: 4", "max_selected: 4",
     "sections[1].questions[0].max_selected", "exceeds the 3 choices"),
    ("scale-points", "    points: 5\n", "    points: 7\n", "points: 7", "scales[0].points",
     "declares 7 points"),
    ("clv-type", "value: {question: spend}", "value: {question: comment}",
     "value: {question: comment}", "clv.value.question", "must be numeric"),
    ("clv-unknown", "lifespan: {question: years}", "lifespan: {question: yeras}",
     "yeras", "clv.lifespan.question", "unknown question 'yeras'"),
    ("journey-type", "journey: {question: stage}", "journey: {question: channels}",
     "journey: {question: channels}", "journey.question", "must be a single_choice"),
    ("bad-language-code", "languages: [en, es]", "languages: [en, es, Spanish]",
     "languages:", "languages[2]", "invalid language code"),
    ("default-language", "languages: [en, es]", "languages: [en, es]\ndefault_language: fr",
     "default_language: fr", "default_language", "not in languages"),
]


@pytest.mark.parametrize(("old", "new", "needle", "field", "fragment"),
                         [case[1:] for case in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_errors_name_file_line_and_field(tmp_path, old, new, needle, field, fragment):
    text = replace_once(old, new)
    err = load_error(tmp_path, text)
    assert err.field == field
    assert fragment in err.message
    assert err.line == line_of(text, needle)
    assert str(err).startswith(f"{err.file}:{err.line} {field}: ")


def test_scale_with_no_items_is_reported_at_the_scale(tmp_path):
    text = SPEC.replace("  - name: thrift\n", "  - name: unused\n").replace(
        "scale: thrift", "scale: openness")
    err = load_error(tmp_path, text)
    assert err.field == "scales[1].name"
    assert "has no items" in err.message
    assert err.line == line_of(text, "name: unused")


def test_error_count_is_reported(tmp_path):
    text = SPEC.replace("scale: thrift", "scale: thirft")  # two wrong references
    err = load_error(tmp_path, text)
    assert "(and 2 more problems)" in err.message  # 2nd reference + scale without items


def test_malformed_yaml_has_line(tmp_path):
    text = SPEC.replace("    title: {en: First, es: Primera}", "    title: {en: First, es: [")
    err = load_error(tmp_path, text)
    assert err.message.startswith("malformed YAML")
    assert err.line is not None and err.line >= line_of(text, "es: [")


def test_duplicate_yaml_key(tmp_path):
    text = SPEC.replace("        name: years\n",
                        "        name: years\n        name: years2\n")
    err = load_error(tmp_path, text)
    assert "duplicate key" in err.message
    assert err.line == line_of(text, "name: years2")
    assert err.field == "sections[1].questions[2].name"


def test_malformed_json_has_line(tmp_path):
    err = load_error(tmp_path, '{\n  "id": "x",\n  "title": \n}\n', "survey.json")
    assert err.message.startswith("malformed JSON") and err.line == 4


@pytest.mark.parametrize(("content", "fragment"), [
    ("", "empty"),
    ("- just\n- a list\n", "must be a mapping"),
])
def test_not_a_spec(tmp_path, content, fragment):
    assert fragment in load_error(tmp_path, content).message


def test_wrong_encoding(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(SPEC.replace("Encuesta demo", "Encuesta ñandú").encode("latin-1"))
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    assert "UTF-8" in info.value.message
    assert info.value.line == line_of(SPEC, "Encuesta demo")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_survey(tmp_path / "nope.yaml")


def test_direct_model_validation_also_checks_cross_fields():
    data = yaml.safe_load(SPEC.replace("scale: thrift", "scale: thirft"))
    with pytest.raises(Exception, match="unknown scale 'thirft'"):
        Survey.model_validate(data)
    with pytest.raises(SurveyError) as info:
        survey_from_dict(data)
    assert info.value.line is None and info.value.field == "sections[0].questions[2].scale"


def test_notes_cannot_be_referenced(tmp_path):
    text = SPEC.replace('"${open_1} >= 3"', '"answered(${intro})"')
    assert "note 'intro'" in load_error(tmp_path, text).message


def test_note_model_has_no_answer(survey):
    assert isinstance(survey.get("intro"), NoteQuestion)


def test_yaml_numbers_follow_yaml_1_2_so_choice_codes_are_not_mangled():
    import yaml

    from survey_builder._source import SpecLoader

    data = yaml.load("a: 18_34\nb: 012\nc: 1:30\nd: 5\ne: -2.5\nf: 1e3\ng: 0x1F\n",
                     Loader=SpecLoader)
    assert data == {"a": "18_34", "b": 12, "c": "1:30", "d": 5, "e": -2.5, "f": 1000.0,
                    "g": 31}


def test_choice_codes_with_underscores_stay_strings(tmp_path):
    from survey_builder.spec import load_survey

    path = tmp_path / "s.yaml"
    path.write_text(
        "id: ages\nversion: '1'\ntitle: {en: Ages}\nlanguages: [en]\nsections:\n"
        "  - name: s1\n    title: {en: S}\n    questions:\n"
        "      - type: single_choice\n        name: age\n        label: {en: Age}\n"
        "        choices:\n          - {value: 18_34, label: {en: '18-34'}}\n"
        "          - {value: 35_54, label: {en: '35-54'}}\n", encoding="utf-8")
    survey = load_survey(path)
    question = next(iter(survey.iter_questions()))
    assert [c.value for c in question.choices] == ["18_34", "35_54"]


# ---------------------------------------------------------------- question-type dispatch
def test_traits_agree_with_the_fields_each_type_has():
    for type_name, model in QUESTION_MODELS.items():
        fields = model.model_fields
        assert fields["type"].annotation.__args__ == (type_name,)
        assert model.has_choices == ("choices" in fields), type_name
        # a grid's items are response columns of their own; a MaxDiff's are its options
        assert model.is_grid == ("items" in fields and type_name != "maxdiff"), type_name
        assert model.is_likert == ("anchors" in fields), type_name
        assert model.has_answer == (type_name != "note"), type_name
        assert not {"has_answer", "has_choices", "is_likert", "is_grid", "answer_kind"} & set(
            fields), "traits must not be parsed or dumped"
    assert list(QUESTION_MODELS) == list(QUESTION_TYPES)
    assert {m.answer_kind for m in QUESTION_MODELS.values()} == {
        "number", "code", "options", "text", "none"}
    assert GridItem.answer_kind == LikertQuestion.answer_kind == "number"


def test_every_per_type_operation_has_a_handler_for_each_type_it_receives():
    from survey_builder.exporters import html, markdown, redcap, surveyjs, xlsform

    models = list(QUESTION_MODELS.values())
    answerable = [m for m in models if m.has_answer]
    operations = {
        "xlsform rows": (xlsform._Builder.__dict__["question"], models),
        "REDCap rows": (redcap._Builder.__dict__["_fields"], models),
        "SurveyJS element": (surveyjs._Builder.__dict__["element"], models),
        "HTML inputs": (html._Page.__dict__["inputs"], answerable),
        "Markdown body": (markdown._Writer.__dict__["body"], answerable),
        "Markdown choice text": (markdown._Writer.__dict__["choice_text"],
                                 [m for m in models if m.has_choices]),
    }
    for name, (operation, handled) in operations.items():
        missing = [m.__name__ for m in handled if m not in operation.dispatcher.registry]
        assert not missing, f"{name} has no handler for {missing}"
