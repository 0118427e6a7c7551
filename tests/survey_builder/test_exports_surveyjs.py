"""SurveyJS export: checked by survey-core's own linter (node), with every rule an error."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _export_specs import full_spec_dict, full_survey, single_language_survey

from survey_builder import expressions as ex
from survey_builder.codebook import build_codebook
from survey_builder.exporters import get_exporter, surveyjs
from survey_builder.spec import (
    LikertGridQuestion,
    LikertQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    RankingQuestion,
    Survey,
    TextQuestion,
    survey_from_dict,
)

ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT / "tests" / "js" / "lint-surveyjs.cjs"
VISIBILITY = ROOT / "tests" / "js" / "visibility-surveyjs.cjs"


@pytest.fixture(scope="module", autouse=True)
def _node_and_survey_core() -> None:
    """Fail (not skip): `make test` runs `npm ci`, so a missing install is a real problem."""
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: the SurveyJS export is checked with survey-core's "
                    "linter, which runs on Node.js")
    if not (ROOT / "node_modules" / "survey-core" / "package.json").is_file():
        pytest.fail("node_modules/survey-core is missing: run `npm ci --no-audit --no-fund` "
                    "in the repository root (`make test` does it)")


def run_node(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def lint(*paths: Path) -> tuple[int, list[dict[str, Any]], str]:
    """Run the linter; returns exit code, one report per file, and the readable report."""
    proc = run_node(LINT, *paths)
    reports = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, reports, proc.stderr


def assert_clean(*paths: Path) -> list[dict[str, Any]]:
    code, reports, text = lint(*paths)
    assert code == 0, text
    assert len(reports) == len(paths)
    for report in reports:
        assert report["errorCount"] == 0 and report["warningCount"] == 0, text
        assert report["findings"] == [] and report["jsonErrors"] == []
    return reports


# ---------------------------------------------------------------------------- linter
def test_full_spec_passes_the_linter(tmp_path: Path) -> None:
    path = surveyjs.export(full_survey(), tmp_path)[0]
    assert path == tmp_path / "export_check.surveyjs.json"
    (report,) = assert_clean(path)
    assert report["pageCount"] == 2
    assert report["questionCount"] == 14  # every spec question is a SurveyJS question


@pytest.mark.parametrize(("template", "modules"), [
    ("aspects", ["demographics", "behaviour", "journey", "clv", "attention"]),
    ("b2b", None),
])
def test_bank_templates_pass_the_linter(tmp_path: Path, template: str,
                                        modules: list[str] | None) -> None:
    from survey_builder.compose import compose_survey

    survey = survey_from_dict(compose_survey(template, modules, ["en", "es"]), source=template)
    (report,) = assert_clean(surveyjs.export(survey, tmp_path)[0])
    assert report["pageCount"] == len(survey.sections)


def test_single_language_variants_pass_the_linter(tmp_path: Path) -> None:
    es_only = surveyjs.export(full_survey(), tmp_path / "a", languages=["es"])[0]
    one_language = surveyjs.export(single_language_survey(), tmp_path / "b")[0]
    es_first = full_spec_dict()
    es_first["default_language"] = "es"
    spanish_default = surveyjs.export(survey_from_dict(es_first), tmp_path / "c")[0]
    assert_clean(es_only, one_language, spanish_default)


def test_linter_is_real_and_catches_broken_json(tmp_path: Path) -> None:
    document = surveyjs.build_surveyjs(full_survey())
    elements = document["pages"][1]["elements"]
    elements[0]["type"] = "radiogroupp"  # unknown type
    elements[1]["colour"] = "red"  # unknown property
    elements[4]["inputType"] = "numbr"  # invalid value
    elements[2]["choices"].append(dict(elements[2]["choices"][0]))  # duplicate choice
    elements[3]["visibleIf"] = "{no_such_question} = 1"  # unknown reference
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    code, (report,), text = lint(broken)
    assert code == 1
    rules = {f["ruleId"] for f in report["findings"] if f["severity"] == "error"}
    assert {"element/unknown-type", "property/unknown", "property/invalid-value",
            "choices/duplicate", "reference/unknown"} <= rules, text
    assert "numbr" in text and "colour" in text


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, text = lint(tmp_path / "nope.json")
    assert code == 2 and "cannot read JSON" in text


# ---------------------------------------------------------------------------- structure
@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return surveyjs.build_surveyjs(full_survey())


def elements_by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for page in document["pages"] for e in page["elements"]}


def test_pages_order_and_localisation(document: dict[str, Any]) -> None:
    assert document["title"] == {"default": "Shopping habits and views",
                                 "es": "Hábitos de compra y opiniones"}
    assert "locale" not in document  # English is SurveyJS's default locale
    views, habits = document["pages"]
    assert (views["name"], habits["name"]) == ("views", "habits")
    assert views["title"] == {"default": "Your views", "es": "Sus opiniones"}
    assert views["questionsOrder"] == "random"
    assert "questionsOrder" not in habits


def test_question_type_mapping(document: dict[str, Any]) -> None:
    survey = full_survey()
    el = elements_by_name(document)
    assert {name: e["type"] for name, e in el.items()} == {
        "views_intro": "html", "trust_grid": "matrix", "novel_1": "rating",
        "novel_2": "rating", "attn_1": "radiogroup", "age_band": "radiogroup",
        "buy_freq": "radiogroup", "channels": "checkbox", "avg_spend": "text",
        "lifespan": "text", "household": "text", "priorities": "ranking",
        "why_rank": "comment", "brand_name": "text",
    }
    grid = el["trust_grid"]
    assert [c["value"] for c in grid["columns"]] == [1, 2, 3, 4, 5]
    assert grid["columns"][0]["text"] == {"default": "Strongly disagree",
                                          "es": "Muy en desacuerdo"}
    assert [r["value"] for r in grid["rows"]] == ["trust_1", "trust_2", "trust_3", "trust_4"]
    assert grid["isRequired"] is True and grid["isAllRowRequired"] is True
    assert grid["rowsOrder"] == "random"
    assert grid["description"]["es"] == "Una respuesta por fila"
    assert [v["value"] for v in el["novel_1"]["rateValues"]] == list(range(1, 8))
    assert el["novel_1"]["isRequired"] is True and "isRequired" not in el["novel_2"]
    assert el["attn_1"]["correctAnswer"] == "agree"
    assert [c["value"] for c in el["age_band"]["choices"]] == ["18_34", "35_54", "55_plus"]
    assert el["channels"]["minSelectedChoices"] == 1
    assert el["channels"]["maxSelectedChoices"] == 3
    assert el["avg_spend"]["inputType"] == "number"
    assert (el["avg_spend"]["min"], el["avg_spend"]["max"]) == (0, 5000.5)
    assert "step" not in el["avg_spend"]
    assert el["avg_spend"]["description"] == {"default": "(euros)", "es": "(euros)"}
    assert (el["lifespan"]["min"], el["lifespan"]["max"], el["lifespan"]["step"]) == (0, 60, 1)
    assert el["household"]["min"] == 1 and "max" not in el["household"]
    assert el["why_rank"]["maxLength"] == 400 and el["brand_name"]["maxLength"] == 60
    assert [c["value"] for c in el["priorities"]["choices"]] == ["price", "quality", "service"]
    assert el["views_intro"]["html"]["default"].startswith("<p>There are no right")
    assert "&lt;b&gt;" in el["views_intro"]["html"]["default"]  # text is escaped, not HTML
    for question in survey.iter_questions():
        if question.relevant:
            paths = {i.name: f"trust_grid.{i.name}" for i in survey.get("trust_grid").items}
            assert el[question.name]["visibleIf"] == ex.to_surveyjs(question.relevant, paths)
        else:
            assert "visibleIf" not in el[question.name]
    assert el["buy_freq"]["visibleIf"] == "{trust_grid.trust_1} >= 3 and {age_band} != '55_plus'"


def test_spanish_default_sets_the_locale() -> None:
    data = full_spec_dict()
    data["default_language"] = "es"
    document = surveyjs.build_surveyjs(survey_from_dict(data))
    assert document["locale"] == "es"
    # SurveyJS keeps its own default locale (en) under "default".
    assert document["title"] == {"default": "Shopping habits and views",
                                 "es": "Hábitos de compra y opiniones"}
    single = surveyjs.build_surveyjs(full_survey(), ["es"])
    assert single["locale"] == "es" and single["title"] == "Hábitos de compra y opiniones"


def test_names_match_codebook(document: dict[str, Any]) -> None:
    """Every codebook column is reachable in SurveyJS result data by the same name."""
    survey = full_survey()
    el = elements_by_name(document)
    rows = {r["value"] for e in el.values() if e["type"] == "matrix" for r in e["rows"]}
    for column in build_codebook(survey)["columns"][1:]:
        if column["item"] is not None and column["item"] != column["question"]:
            assert column["item"] in rows
            assert el[column["question"]]["type"] == "matrix"
        elif column["option"] is not None:
            values = [c["value"] for c in el[column["question"]]["choices"]]
            assert column["option"] in values
        else:
            assert column["name"] in el


# ---------------------------------------------------------------------------- behaviour
def _random_answers(survey: Survey, rng: random.Random) -> tuple[dict[str, Any],
                                                                  dict[str, Any]]:
    """Answers as (expression-evaluator answers, SurveyJS ``survey.data``).

    Every question is answered except some multiple-choice and ranking questions, which
    the spec only references through ``selected()``/``answered()`` (defined for missing
    answers in both dialects alike).
    """
    answers: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for q in survey.iter_questions():
        if isinstance(q, LikertGridQuestion):
            data[q.name] = {}
            for item in q.items:
                answers[item.name] = data[q.name][item.name] = rng.randint(1, q.points)
        elif isinstance(q, LikertQuestion):
            answers[q.name] = data[q.name] = rng.randint(1, q.points)
        elif isinstance(q, (MultipleChoiceQuestion, RankingQuestion)) and rng.random() < 0.25:
            continue  # unanswered (only referenced through selected()/answered())
        elif isinstance(q, MultipleChoiceQuestion):
            picked = [c.value for c in q.choices if rng.random() < 0.5] or [q.choices[0].value]
            answers[q.name] = data[q.name] = picked
        elif isinstance(q, RankingQuestion):
            order = [c.value for c in q.choices]
            rng.shuffle(order)
            answers[q.name] = data[q.name] = order
        elif isinstance(q, NumericQuestion):
            answers[q.name] = data[q.name] = rng.randint(int(q.min or 0), int(q.min or 0) + 9)
        elif isinstance(q, TextQuestion):
            answers[q.name] = data[q.name] = "some text"
        elif hasattr(q, "choices"):
            answers[q.name] = data[q.name] = rng.choice(q.choices).value
    return answers, data


def test_visible_if_behaves_like_the_spec_conditions(tmp_path: Path) -> None:
    """survey-core evaluates every visibleIf as expressions.evaluate does the spec's."""
    survey = full_survey()
    path = surveyjs.export(survey, tmp_path)[0]
    rng = random.Random(7)
    cases = [_random_answers(survey, rng) for _ in range(60)]
    cases_path = tmp_path / "cases.json"
    cases_path.write_text(json.dumps([data for _, data in cases]), encoding="utf-8")
    proc = run_node(VISIBILITY, path, cases_path)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    conditional = [q for q in survey.iter_questions() if q.relevant]
    outcomes: dict[str, set[bool]] = {q.name: set() for q in conditional}
    for (answers, _), visible in zip(cases, results, strict=True):
        for question in conditional:
            expected = ex.evaluate(question.relevant, answers)
            assert visible[question.name] is expected, (question.name, question.relevant,
                                                        answers)
            outcomes[question.name].add(expected)
    # The random answers drive every condition both ways.
    assert all(seen == {True, False} for seen in outcomes.values()), outcomes


def test_registry_and_output_file(tmp_path: Path) -> None:
    assert get_exporter("surveyjs") is surveyjs.export
    path = surveyjs.export(full_survey(), tmp_path)[0]
    assert json.loads(path.read_text(encoding="utf-8")) == surveyjs.build_surveyjs(
        full_survey())
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
