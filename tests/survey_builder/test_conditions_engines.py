"""One semantics of an unanswered reference, proved across the engines.

The same answer sets go through the spec's own evaluator (:func:`expressions.evaluate`,
which ``simulate`` and scoring use), survey-core (the SurveyJS export) and JavaRosa (the
form engine of ODK Collect, inside the ODK_Validate.jar shipped with pyxform, driven by
``tests/java/XFormRelevance.java``), and every question's visibility must agree for every
respondent. The conditions lean on references that are often unanswered: ``!=`` on a
skipped choice, ``not (x > 300)`` on a skipped number, comparisons of two answers.

JavaRosa takes ~3 s here (a JVM compiling the harness, then one form filled 200 times); it
is the one engine-level proof of the XLSForm semantics, so it stays in the suite.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
from _export_specs import full_spec_dict
from pyxform.validators import odk_validate
from pyxform.xls2xform import convert

from survey_builder import expressions as ex
from survey_builder.exporters import surveyjs, xlsform
from survey_builder.exporters._common import ExportWarning
from survey_builder.spec import (
    LikertGridQuestion,
    LikertQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    NumericQuestion,
    RankingQuestion,
    Survey,
    TextQuestion,
    survey_from_dict,
)

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_JS = ROOT / "tests" / "js" / "visibility-surveyjs.cjs"
RELEVANCE_JAVA = ROOT / "tests" / "java" / "XFormRelevance.java"
N_RESPONDENTS = 200
ANSWER_RATE = 0.6  # a shown question is answered with this chance: many empty references

#: Conditions on references that are often empty (appended to the full export spec).
EMPTY_REFERENCE_CONDITIONS = {
    "not_weekly": "${buy_freq} != 'weekly'",
    "not_big_spender": "not (${avg_spend} > 300)",
    "small_spender": "${avg_spend} <= 300",
    "two_people": "${household} = 2",
    "not_two_people": "${household} != 2",
    "same_years": "${household} = ${lifespan}",
    "not_fewer_years": "not (${household} <= ${lifespan})",
    "not_acme": "${brand_name} != 'acme'",
    "nested": "not (${novel_2} >= 3 and not answered(${why_rank})) "
              "or selected(${channels}, 'phone')",
}


def engine_survey() -> Survey:
    data = full_spec_dict()
    data["sections"].append({
        "name": "follow_up",
        "title": {"en": "A few more", "es": "Unas más"},
        "questions": [{"type": "text", "name": name, "relevant": condition,
                       "label": {"en": f"Follow-up {name}", "es": f"Seguimiento {name}"}}
                      for name, condition in EMPTY_REFERENCE_CONDITIONS.items()],
    })
    return survey_from_dict(data, source="engines.yaml")


def answer(question: Any, rng: random.Random) -> Any:
    """A random answer of the right type (numbers near the thresholds the conditions use)."""
    if isinstance(question, LikertQuestion):
        return rng.randint(1, question.points)
    if isinstance(question, MultipleChoiceQuestion):
        return [c.value for c in question.choices if rng.random() < 0.4] or [
            question.choices[0].value]
    if isinstance(question, RankingQuestion):
        order = [c.value for c in question.choices]
        rng.shuffle(order)
        return order
    if isinstance(question, NumericQuestion):
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 1000
        return rng.choice([v for v in (0, 1, 2, 3, 300, 301, 450) if low <= v <= high])
    if isinstance(question, TextQuestion):
        return rng.choice(["acme", "some text"])
    return rng.choice(question.choices).value


def respondents(survey: Survey, n: int, seed: int) -> list[dict[str, Any]]:
    """Answer sets a real form could produce: a hidden question is never answered (by the
    spec's evaluator; an engine that disagrees shows up as a disagreement)."""
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        answers: dict[str, Any] = {}
        for q in survey.iter_questions():
            if isinstance(q, NoteQuestion) or (q.relevant and not ex.evaluate(q.relevant,
                                                                               answers)):
                continue
            if isinstance(q, LikertGridQuestion):
                for item in q.items:
                    if rng.random() < ANSWER_RATE:
                        answers[item.name] = rng.randint(1, q.points)
            elif rng.random() < ANSWER_RATE:
                answers[q.name] = answer(q, rng)
        cases.append(answers)
    return cases


def surveyjs_data(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for q in survey.iter_questions():
        if isinstance(q, LikertGridQuestion):
            rows = {i.name: answers[i.name] for i in q.items if i.name in answers}
            if rows:
                data[q.name] = rows
        elif q.name in answers:
            data[q.name] = answers[q.name]
    return data


def odk_line(answers: dict[str, Any]) -> str:
    cells = []
    for name, value in answers.items():
        text = " ".join(value) if isinstance(value, list) else str(value)
        cells.append(f"{name}={text}")
    return "\t".join(cells)


def surveyjs_visibility(survey: Survey, cases: list[dict[str, Any]], tmp: Path
                        ) -> list[dict[str, bool]]:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "survey-core").is_dir():
        pytest.fail("node and node_modules/survey-core are needed: run `npm ci --no-audit "
                    "--no-fund` in the repository root (`make test` does it)")
    form = surveyjs.export(survey, tmp)[0]
    cases_path = tmp / "cases.json"
    cases_path.write_text(json.dumps([surveyjs_data(survey, c) for c in cases]), "utf-8")
    proc = subprocess.run(["node", str(VISIBILITY_JS), str(form), str(cases_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def javarosa_visibility(survey: Survey, cases: list[dict[str, Any]], tmp: Path
                        ) -> list[dict[str, bool]]:
    if shutil.which("java") is None or not odk_validate.install_exists():
        pytest.fail("Java (JDK 11+) and pyxform's ODK_Validate.jar are needed: install "
                    "openjdk-17-jdk-headless and the [dev] extra")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExportWarning)
        workbook = xlsform.export(survey, tmp)[0]
    form = tmp / "form.xml"
    form.write_text(convert(xlsform=str(workbook), validate=False).xform, "utf-8")
    cases_path = tmp / "cases.tsv"
    cases_path.write_text("".join(odk_line(c) + "\n" for c in cases), "utf-8")
    proc = subprocess.run(["java", "-cp", odk_validate.ODK_VALIDATE_PATH, str(RELEVANCE_JAVA),
                           str(form), str(cases_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(cases), proc.stdout[-2000:]
    names = [q.name for q in survey.iter_questions()]
    return [{name: name in set(line.split()) for name in names} for line in lines]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    survey = engine_survey()
    cases = respondents(survey, N_RESPONDENTS, seed=15)
    tmp = tmp_path_factory.mktemp("engines")
    spec = [{q.name: (ex.evaluate(q.relevant, c) if q.relevant else True)
             for q in survey.iter_questions()} for c in cases]
    return {"survey": survey, "cases": cases, "spec": spec,
            "survey-core": surveyjs_visibility(survey, cases, tmp / "sjs"),
            "JavaRosa": javarosa_visibility(survey, cases, tmp / "odk")}


@pytest.mark.parametrize("engine", ["survey-core", "JavaRosa"])
def test_every_question_is_shown_alike_by_the_engine_and_the_spec(engines, engine) -> None:
    survey = engines["survey"]
    names = [q.name for q in survey.iter_questions()]
    disagreements = [(i, name, survey.get(name).relevant, engines["cases"][i])
                     for i, (spec, seen) in enumerate(zip(engines["spec"], engines[engine],
                                                          strict=True))
                     for name in names if seen[name] is not spec[name]]
    checked = len(names) * len(engines["cases"])
    agreement = 1 - len(disagreements) / checked
    assert not disagreements, (f"{engine} agrees on {agreement:.2%} of {checked} question x "
                               f"respondent cells; first: {disagreements[:3]}")


def test_the_answer_sets_exercise_empty_references(engines) -> None:
    """Each follow-up condition is met and unmet, and meets unanswered references."""
    for name, condition in EMPTY_REFERENCE_CONDITIONS.items():
        seen = {spec[name] for spec in engines["spec"]}
        assert seen == {True, False}, name
        refs = ex.references(condition)
        assert sum(not all(r in case for r in refs) for case in engines["cases"]) >= 20, name
