"""NPS and MaxDiff questions through the whole chain: spec errors, codebook, every export
checked by its real tool, simulated respondents completing the forms, reading and scoring."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score

from survey_builder.codebook import build_codebook, maxdiff_columns
from survey_builder.errors import UserError
from survey_builder.exporters import html, markdown, redcap, surveyjs, xlsform
from survey_builder.exporters._common import ExportWarning
from survey_builder.readers import read_responses
from survey_builder.readers import surveyjs as surveyjs_reader
from survey_builder.scoring import net_promoter_score, score_responses, spec_violations
from survey_builder.simulate import simulate_with_truth
from survey_builder.spec import load_survey, survey_from_dict

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = ROOT / "tests" / "js" / "complete-surveyjs.cjs"
LINT = ROOT / "tests" / "js" / "lint-surveyjs.cjs"

SPEC = textwrap.dedent("""\
    id: drivers_study
    title: {en: What matters, es: Lo que importa}
    languages: [en, es]
    sections:
      - name: main
        title: {en: Your choices, es: Sus elecciones}
        questions:
          - type: nps
            name: recommend
            label: {en: "How likely are you to recommend us?",
                    es: "¿Qué probabilidad hay de que nos recomiende?"}
            low_label: {en: Not at all likely, es: Nada probable}
            high_label: {en: Extremely likely, es: Muy probable}
            required: true
          - type: maxdiff
            name: drivers
            label: {en: "Which matters most and least when you choose a brand?",
                    es: "¿Qué le importa más y menos al elegir una marca?"}
            per_set: 4
            sets: 9
            seed: 3
            required: true
            items:
              - {value: price, label: {en: Price, es: Precio}}
              - {value: quality, label: {en: Quality, es: Calidad}}
              - {value: brand, label: {en: Brand name, es: Marca}}
              - {value: eco, label: {en: Sustainability, es: Sostenibilidad}}
              - {value: service, label: {en: Service, es: Servicio}}
              - {value: design, label: {en: Design, es: Diseño}}
              - {value: delivery, label: {en: Fast delivery, es: Entrega rápida}}
              - {value: reviews, label: {en: Reviews, es: Opiniones}}
              - {value: warranty, label: {en: Warranty, es: Garantía}}
              - {value: local, label: {en: Made locally, es: Hecho localmente}}
              - {value: returns, label: {en: Free returns, es: Devolución gratis}}
              - {value: loyalty, label: {en: Loyalty points, es: Puntos de fidelidad}}
          - type: single_choice
            name: promoter_why
            relevant: "${recommend} >= 9"
            label: {en: "Why?", es: "¿Por qué?"}
            choices:
              - {value: staff, label: {en: Staff, es: Personal}}
              - {value: value, label: {en: Value, es: Precio}}
    """)


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "drivers.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def survey(spec_path: Path) -> Any:
    return load_survey(spec_path)


@pytest.fixture(scope="module")
def simulated(survey: Any) -> Any:
    return simulate_with_truth(survey, 500, 4, seed=7)


# ---------------------------------------------------------------------------- bad input
def _edited(change: str, old: str, new: str) -> str:
    assert old in SPEC, change
    return SPEC.replace(old, new)


@pytest.mark.parametrize(("old", "new", "line", "field", "message"), [
    ("per_set: 4", "per_set: 13", 19, "sections[0].questions[1].per_set",
     "per_set 13 exceeds the 12 items"),
    ("sets: 9", "sets: 0", 20, "sections[0].questions[1].sets",
     "greater than or equal to 1"),
    ("sets: 9", "sets: 2", 20, "sections[0].questions[1].sets",
     "2 set(s) of 4 show only 8 of the 12 items; use at least 3 sets"),
    ("per_set: 4", "per_set: 1", 19, "sections[0].questions[1].per_set",
     "greater than or equal to 2"),
    ("{value: loyalty,", "{value: price,", 35, "sections[0].questions[1].items[11].value",
     "duplicate item value 'price' in 'drivers'"),
    ("name: drivers", "name: what_matters_to_buyers_x", 16,
     "sections[0].questions[1].name",
     "'what_matters_to_buyers_x__w9' is longer than 26 characters"),
    ('relevant: "${recommend} >= 9"', 'relevant: "${drivers} = \'price\'"', 38,
     "sections[0].questions[2].relevant", "'drivers' is a maxdiff question"),
    ("high_label: {en: Extremely likely, es: Muy probable}",
     "high_label: {en: Extremely likely}", 13,
     "sections[0].questions[0].high_label", "missing 'es' text"),
])
def test_bad_new_keys_give_file_line_field_errors_and_exit_2(
        tmp_path: Path, old: str, new: str, line: int, field: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(_edited(field, old, new), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_survey(path)
    assert (caught.value.file, caught.value.line, caught.value.field) == (str(path), line,
                                                                            field)
    assert message in str(caught.value)
    result = subprocess.run(
        [sys.executable, "-c", "from survey_builder.cli import main; main()", "validate",
         str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: {path}:{line} {field}: ")
    assert len(result.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------------------- codebook
def test_codebook_describes_the_columns_and_the_design(survey: Any) -> None:
    book = build_codebook(survey)
    columns = {c["name"]: c for c in book["columns"]}
    assert columns["recommend"]["type"] == "nps"
    assert (columns["recommend"]["min"], columns["recommend"]["max"]) == (0, 10)
    best, worst = maxdiff_columns("drivers", 9)
    names = [c["name"] for c in book["columns"]]
    assert names[2:20] == [c for pair in zip(best, worst) for c in pair]
    entry = next(q for q in book["questions"] if q["name"] == "drivers")
    design = survey.get("drivers").design()
    assert entry["sets"] == [[survey.get("drivers").items[i].value for i in row]
                             for row in design.sets.tolist()]
    assert entry["design"]["appearances"] == {"min": 3, "max": 3, "equal": True}
    assert entry["design"]["pairs"]["even"]
    # each set's columns accept exactly that set's items
    for k, codes in enumerate(entry["sets"]):
        for column in (best[k], worst[k]):
            assert [level["code"] for level in columns[column]["levels"]] == codes
    assert survey.estimated_minutes() == pytest.approx((6 + 12 * 9 + 8) / 60)


# ---------------------------------------------------------------------------- exports
def _node(*args: Any) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: the SurveyJS export is checked with survey-core")
    return subprocess.run(["node", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_surveyjs_export_lints_clean_and_scripted_respondents_complete_it(
        tmp_path: Path, survey: Any, simulated: Any) -> None:
    path = surveyjs.export(survey, tmp_path)[0]
    lint = _node(LINT, path)
    assert lint.returncode == 0, lint.stderr
    assert json.loads(lint.stdout)["errorCount"] == 0
    cases = surveyjs_reader.to_surveyjs(simulated.responses.iloc[:60], survey)
    broken = dict(cases[0], drivers__w4=cases[0]["drivers__b4"])
    # a respondent who skips the required MaxDiff cannot complete either
    skipped = {k: v for k, v in cases[1].items() if not k.startswith("drivers__")}
    (tmp_path / "cases.json").write_text(json.dumps([*cases, broken, skipped]),
                                         encoding="utf-8")
    done = _node(COMPLETE, path, tmp_path / "cases.json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert all(r["completed"] for r in results[:60]), [r for r in results if r["errors"]][:2]
    assert results[60] == {"completed": False, "errors": [
        {"question": "drivers__w4", "text": "Pick a different item as the least important."}]}
    assert not results[61]["completed"]
    best, worst = maxdiff_columns("drivers", 9)
    assert {e["question"] for e in results[61]["errors"]} == {*best, *worst}


def test_surveyjs_results_read_back_unchanged(tmp_path: Path, survey: Any,
                                              simulated: Any) -> None:
    responses = simulated.responses.iloc[:50]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(surveyjs_reader.to_surveyjs(responses, survey)),
                    encoding="utf-8")
    read = read_responses(path, survey)
    pd.testing.assert_frame_equal(read.reset_index(drop=True),
                                  responses.reset_index(drop=True), check_dtype=False)


def test_xlsform_passes_odk_validate_with_a_best_not_worst_constraint(
        tmp_path: Path, survey: Any, simulated: Any) -> None:
    from pyxform.xls2xform import convert

    if shutil.which("java") is None:
        pytest.fail("Java is not on PATH: ODK Validate (shipped with pyxform) needs it")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExportWarning)  # nothing here is lost in XLSForm
        path = xlsform.export(survey, tmp_path)[0]
    found: list[str] = []
    xform = convert(xlsform=str(path), validate=True, warnings=found).xform
    assert found == []
    assert 'constraint=". !=  /data/main/drivers/drivers_s4/drivers__b4 "' in xform
    assert 'appearance="field-list"' in xform
    best, worst = maxdiff_columns("drivers", 9)
    for column in [*best, *worst]:
        assert f"<{column}/>" in xform
    assert "<recommend/>" in xform
    # simulate --format odk writes each MaxDiff field at the path the form gives it
    from survey_builder.readers.odk import to_odk

    headers = [h for h in to_odk(simulated.responses, build_codebook(survey)).columns
               if h.rsplit("/", 1)[-1] in {*best, *worst}]
    assert len(headers) == 18
    for header in headers:
        assert f'nodeset="/data/{header}"' in xform, header


def test_redcap_dictionary_has_the_codebook_fields_and_a_warning_per_set(
        tmp_path: Path, survey: Any) -> None:
    rows = redcap.build_dictionary(survey, "en")
    fields = [row["Variable / Field Name"] for row in rows]
    book = build_codebook(survey)
    assert [f for f in fields if f not in redcap.auxiliary_fields(survey)] == [
        c["name"] for c in book["columns"]]
    # the MaxDiff warnings, then the interview start time every dictionary records
    assert redcap.auxiliary_fields(survey) == [f"drivers__x{k}" for k in range(1, 10)] + [
        "started_at"]
    by_name = {row["Variable / Field Name"]: row for row in rows}
    assert by_name["drivers__x3"]["Field Type"] == "descriptive"
    assert by_name["drivers__x3"]["Branching Logic (Show field only if...)"] == (
        "[drivers__w3] <> '' and [drivers__w3] = [drivers__b3]")
    assert by_name["recommend"]["Choices, Calculations, OR Slider Labels"].startswith(
        "0, 0 - Not at all likely | 1, 1 | ")
    assert all(len(f) <= 26 for f in fields)


def test_text_exports_show_the_sets_and_escape_labels(survey: Any) -> None:
    page = html.render_html(survey, "es")
    assert page.count('<table class="maxdiff">') == 9
    assert "Más importante" in page and "Grupo 4 de 9" in page
    doc = markdown.render_markdown(survey, "en")
    assert "each item shown 3 times" in doc
    assert "| 1 | `drivers__b1` / `drivers__w1` |" in doc


# ---------------------------------------------------------------------------- scoring
def test_scores_recover_the_planted_utilities_and_personas(survey: Any,
                                                            simulated: Any) -> None:
    from dash_personas.segmentation import KPrototypes

    result = score_responses(survey, simulated.responses)
    scores = result.scores
    items = [c.value for c in survey.get("drivers").items]
    md_columns = [f"md_drivers__{item}" for item in items]
    assert [c for c in scores.columns if c.startswith("md_")] == md_columns
    estimated = scores[md_columns].to_numpy(dtype=float)
    planted = simulated.utilities["drivers"][items].to_numpy()
    rows = ~np.isnan(estimated).any(axis=1)
    assert rows.mean() > 0.9  # the rest skipped the question (3 % missing at random)
    rho = np.mean([spearmanr(p, e).statistic for p, e in zip(planted[rows], estimated[rows])])
    assert rho > 0.7  # measured 0.77-0.81 over seeds, see README
    # segments on the MaxDiff scores alone recover the planted personas (chance: ARI 0)
    labels = KPrototypes(4, random_state=0, n_init=4).fit(estimated[rows]).labels_
    assert adjusted_rand_score(simulated.personas.to_numpy()[rows], labels) > 0.6


def test_nps_groups_and_score(survey: Any, simulated: Any) -> None:
    result = score_responses(survey, simulated.responses)
    raw = simulated.responses["recommend"].astype(float)
    groups = result.scores["recommend_nps"]
    assert list(groups.cat.categories) == ["detractor", "passive", "promoter"]
    assert groups.cat.ordered
    assert ((raw >= 9) == (groups == "promoter")).all()
    assert ((raw <= 6) == (groups == "detractor")).all()
    expected = 100 * ((raw >= 9).mean() - (raw <= 6).mean())
    assert result.reliability["nps"]["recommend"] == pytest.approx(expected)
    by_persona = net_promoter_score(raw, simulated.personas)
    for persona, value in by_persona.items():
        mine = raw[simulated.personas == persona]
        assert value == pytest.approx(100 * ((mine >= 9).mean() - (mine <= 6).mean()))
    assert by_persona.max() - by_persona.min() > 10  # personas differ in engagement


def test_counts_method_and_best_equal_to_worst_is_flagged(survey: Any,
                                                         simulated: Any) -> None:
    responses = simulated.responses.iloc[:40].copy()
    counts = score_responses(survey, responses, maxdiff="counts").scores
    values = counts.filter(like="md_drivers__").to_numpy(dtype=float)
    assert np.nanmin(values) >= -1 and np.nanmax(values) <= 1
    responses.loc[responses.index[3], "drivers__w2"] = responses.loc[responses.index[3],
                                                                     "drivers__b2"]
    found = {v.kind: v for v in spec_violations(build_codebook(survey), responses)}
    assert found["best_is_worst"].rows.tolist() == [i == 3 for i in range(40)]
    assert score_responses(survey, responses).scores["breaks_spec"].iloc[3]
    with pytest.raises(UserError, match=r"row 4 .*best and worst"):
        score_responses(survey, responses, strict=True)


def test_yaml_dump_round_trips_the_new_types(survey: Any) -> None:
    from survey_builder.spec import survey_to_dict

    again = survey_from_dict(yaml.safe_load(yaml.safe_dump(survey_to_dict(survey))))
    assert again.get("drivers").set_items() == survey.get("drivers").set_items()
    assert again.get("recommend").high_label == survey.get("recommend").high_label


def test_cli_simulates_in_every_format_and_scores_with_the_chosen_method(
        tmp_path: Path, spec_path: Path) -> None:
    from click.testing import CliRunner

    from survey_builder.cli import cli
    from survey_builder.scores import read_scores

    runner = CliRunner()
    for fmt in ("odk", "redcap", "surveyjs"):  # each platform's export reads back
        out = tmp_path / f"responses.{fmt}"
        result = runner.invoke(cli, ["simulate", str(spec_path), "-n", "40", "--format", fmt,
                                      "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(cli, ["score", str(spec_path), str(out), "-o",
                                      str(tmp_path / f"scores_{fmt}.csv"), "--maxdiff",
                                      "counts", "-q"])
        assert result.exit_code == 0, result.output
    table = read_scores(tmp_path / "scores_odk.csv")
    kinds = {c.name: c.kind for c in table.codebook.scores.columns}
    assert kinds["recommend_nps"] == "nps" and kinds["md_drivers__eco"] == "maxdiff"
    values = table.frame.filter(like="md_drivers__").to_numpy(dtype=float)
    assert np.nanmin(values) >= -1 and np.nanmax(values) <= 1
    assert list(table.frame["recommend_nps"].cat.categories) == [
        "detractor", "passive", "promoter"]
    for fmt in ("redcap", "surveyjs"):
        other = read_scores(tmp_path / f"scores_{fmt}.csv").frame
        pd.testing.assert_frame_equal(other, table.frame)


# ---------------------------------------------------------------------------- "None of these"
EXCLUSIVE = _edited("exclusive", """      - type: single_choice
        name: promoter_why""", """      - type: multiple_choice
        name: channels
        label: {en: "Where do you buy?", es: "¿Dónde compra?"}
        max_selected: 2
        choices:
          - {value: store, label: {en: In store, es: En tienda}}
          - {value: web, label: {en: Online, es: En línea}}
          - {value: phone, label: {en: By phone, es: Por teléfono}}
          - {value: none, label: {en: None of these, es: Ninguno}, exclusive: true}
      - type: single_choice
        name: promoter_why""")


@pytest.fixture(scope="module")
def exclusive_survey() -> Any:
    return survey_from_dict(yaml.safe_load(EXCLUSIVE))


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("{value: phone, label: {en: By phone, es: Por teléfono}}",
     "{value: phone, label: {en: By phone, es: Por teléfono}, exclusive: true}",
     "sections[0].questions[2].choices[3].exclusive",
     "two exclusive options in 'channels' ('phone' and 'none')"),
    ("{value: staff, label: {en: Staff, es: Personal}}",
     "{value: staff, label: {en: Staff, es: Personal}, exclusive: true}",
     "sections[0].questions[3].choices[0].exclusive",
     "only a multiple_choice option can be exclusive ('promoter_why' is single_choice)"),
    ("{value: price, label: {en: Price, es: Precio}}",
     "{value: price, label: {en: Price, es: Precio}, exclusive: true}",
     "sections[0].questions[1].items[0].exclusive", "a MaxDiff item cannot be exclusive"),
])
def test_misplaced_exclusive_options_are_refused(tmp_path: Path, old: str, new: str,
                                                 field: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    assert old in EXCLUSIVE
    path.write_text(EXCLUSIVE.replace(old, new), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_survey(path)
    problems = {problem.field: str(problem) for problem in caught.value.problems}
    assert message in problems[field]


def test_exclusive_option_in_every_export_and_in_scoring(tmp_path: Path,
                                                         exclusive_survey: Any) -> None:
    from pyxform.xls2xform import convert

    survey = exclusive_survey
    document = surveyjs.build_surveyjs(survey)
    channels = next(e for e in document["pages"][0]["elements"] if e["name"] == "channels")
    assert [c.get("isExclusive", False) for c in channels["choices"]] == [
        False, False, False, True]
    path = surveyjs.export(survey, tmp_path)[0]
    assert _node(LINT, path).returncode == 0
    simulated = simulate_with_truth(survey, 300, 3, seed=2)
    ticks = simulated.responses.filter(like="channels__").astype(float)
    alone = ticks["channels__none"] == 1
    assert alone.sum() > 10 and (ticks[alone].sum(axis=1) == 1).all()
    cases = surveyjs_reader.to_surveyjs(simulated.responses.iloc[:30], survey)
    (tmp_path / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    results = json.loads(_node(COMPLETE, path, tmp_path / "cases.json").stdout)
    assert all(r["completed"] for r in results)
    # a respondent's clicks: ticking "None of these" unticks the others, and back
    clicks = _node("-e", f"""
        const core = require("survey-core");
        const model = new core.SurveyModel(require({json.dumps(str(path))}));
        const q = model.getQuestionByName("channels");
        const item = (v) => q.choices.find((c) => c.value === v);
        const seen = [];
        q.clickItemHandler(item("web"), true); seen.push([...q.value]);
        q.clickItemHandler(item("none"), true); seen.push([...q.value]);
        q.clickItemHandler(item("store"), true); seen.push([...q.value]);
        process.stdout.write(JSON.stringify(seen));""")
    assert json.loads(clicks.stdout) == [["web"], ["none"], ["store"]], clicks.stderr

    workbook = xlsform.export(survey, tmp_path)[0]
    found: list[str] = []
    xform = convert(xlsform=str(workbook), validate=True, warnings=found).xform
    assert found == []
    assert ("not(selected( . , 'none') and count-selected( . ) &gt; 1)" in xform
            or "not(selected(., 'none') and count-selected(.) &gt; 1)" in xform)
    rows = {r["Variable / Field Name"]: r for r in redcap.build_dictionary(survey, "en")}
    assert "@NONEOFTHEABOVE='none'" in rows["channels"]["Field Annotation"]
    assert "_(exclusive: no other option with it)_" in markdown.render_markdown(survey, "en")

    responses = simulated.responses.copy()
    row = int(np.flatnonzero(alone.to_numpy())[0])
    responses.loc[responses.index[row], "channels__web"] = 1
    found_rules = {v.kind: v for v in spec_violations(build_codebook(survey), responses)}
    assert np.flatnonzero(found_rules["exclusive_with_others"].rows).tolist() == [row]
    with pytest.raises(UserError, match="'none' is ticked with other options"):
        score_responses(survey, responses, strict=True)


# ---------------------------------------------------------------------------- piping
PIPED = _edited("piping", 'label: {en: "Why?", es: "¿Por qué?"}',
                'label: {en: "Why would you give us ${recommend}?", '
                'es: "¿Por qué nos daría ${recommend}?"}')


@pytest.mark.parametrize(("new", "message"), [
    ("${promoter_why}", "pipes 'promoter_why', which is not answered yet here"),
    ("${drivers}", "pipes 'drivers', a maxdiff question without one answer to show"),
    ("${recomend}", "pipes unknown question 'recomend' (did you mean 'recommend'?)"),
])
def test_piping_unknown_later_or_unshowable_questions_is_refused(
        tmp_path: Path, new: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(PIPED.replace("${recommend}?\"", f"{new}?\"", 1), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_survey(path)
    assert caught.value.field == "sections[0].questions[2].label.en"
    assert caught.value.line == 39
    assert message in str(caught.value)


def test_piped_answers_in_every_export(tmp_path: Path) -> None:
    from pyxform.xls2xform import convert

    survey = survey_from_dict(yaml.safe_load(PIPED))
    document = surveyjs.build_surveyjs(survey)
    why = next(e for e in document["pages"][0]["elements"] if e["name"] == "promoter_why")
    assert why["title"] == {"default": "Why would you give us {recommend}?",
                            "es": "¿Por qué nos daría {recommend}?"}
    path = surveyjs.export(survey, tmp_path)[0]
    assert _node(LINT, path).returncode == 0
    shown = _node("-e", f"""
        const core = require("survey-core");
        const model = new core.SurveyModel(require({json.dumps(str(path))}));
        model.data = {{recommend: 9}};
        process.stdout.write(model.getQuestionByName("promoter_why").locTitle.renderedHtml);""")
    assert shown.stdout == "Why would you give us 9?", shown.stderr
    workbook = xlsform.export(survey, tmp_path)[0]
    found: list[str] = []
    xform = convert(xlsform=str(workbook), validate=True, warnings=found).xform
    assert found == []
    assert '<output value=" /data/main/recommend "/>' in xform
    rows = {r["Variable / Field Name"]: r for r in redcap.build_dictionary(survey, "es")}
    assert rows["promoter_why"]["Field Label"] == "¿Por qué nos daría [recommend]?"
    assert r"Why would you give us \[answer to Q1\]?" in markdown.render_markdown(survey, "en")
    assert "¿Por qué nos daría [respuesta a P1]?" in html.render_html(survey, "es")


# ---------------------------------------------------------------------------- option order
SHUFFLED = EXCLUSIVE.replace("        max_selected: 2\n", "        max_selected: 2\n"
                             "        randomize: true\n").replace(
    "          - {value: value, label: {en: Value, es: Precio}}",
    "          - {value: value, label: {en: Value, es: Precio}}\n"
    "          - {value: dontknow, label: {en: Don't know, es: No sé}, anchor: true}").replace(
    "        name: promoter_why\n", "        name: promoter_why\n        randomize: true\n")


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("        randomize: true\n        relevant", "        relevant",
     "sections[0].questions[3].choices[2].anchor", "add randomize: true to the question"),
    ("{value: web, label: {en: Online, es: En línea}}",
     "{value: web, label: {en: Online, es: En línea}, anchor: true}",
     "sections[0].questions[2].choices[2]",
     "option 'phone' is shuffled but comes after an anchored one"),
    ("{value: price, label: {en: Price, es: Precio}}",
     "{value: price, label: {en: Price, es: Precio}, anchor: true}",
     "sections[0].questions[1].items[0].anchor", "a MaxDiff item cannot be anchored"),
])
def test_misplaced_anchors_are_refused(tmp_path: Path, old: str, new: str, field: str,
                                       message: str) -> None:
    assert old in SHUFFLED
    path = tmp_path / "bad.yaml"
    path.write_text(SHUFFLED.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_survey(path)
    problems = {problem.field: str(problem) for problem in caught.value.problems}
    assert message in problems[field], problems


def test_shuffled_options_keep_anchored_ones_last(tmp_path: Path) -> None:
    from pyxform.xls2xform import convert

    survey = survey_from_dict(yaml.safe_load(SHUFFLED))
    document = surveyjs.build_surveyjs(survey)
    elements = {e["name"]: e for e in document["pages"][0]["elements"]}
    assert elements["channels"]["choicesOrder"] == "random"
    assert elements["channels"]["showNoneItem"] is True
    assert [c["value"] for c in elements["channels"]["choices"]] == ["store", "web", "phone"]
    assert elements["promoter_why"]["showDontKnowItem"] is True
    assert elements["promoter_why"]["dontKnowText"] == {"default": "Don't know", "es": "No sé"}
    path = surveyjs.export(survey, tmp_path)[0]
    assert _node(LINT, path).returncode == 0
    # survey-core shuffles the choices and shows its built-in items after them
    order = _node("-e", f"""
        const core = require("survey-core");
        const json = require({json.dumps(str(path))});
        const orders = new Set();
        let last = new Set();
        for (let seed = 1; seed <= 30; seed++) {{
          const model = new core.SurveyModel(json);
          const q = model.getQuestionByName("channels");
          q.randomSeed = seed;
          const values = q.visibleChoices.map((c) => c.value);
          orders.add(values.slice(0, 3).join(" "));
          last.add(values[values.length - 1]);
        }}
        process.stdout.write(JSON.stringify([orders.size, [...last]]));""")
    assert json.loads(order.stdout) == [6, ["none"]], order.stderr
    # the built-in items store the spec's codes, so answers read back as they are
    simulated = simulate_with_truth(survey, 40, 2, seed=1)
    results = tmp_path / "results.json"
    results.write_text(json.dumps(surveyjs_reader.to_surveyjs(simulated.responses, survey)),
                       encoding="utf-8")
    pd.testing.assert_frame_equal(read_responses(results, survey), simulated.responses,
                                  check_dtype=False)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        workbook = xlsform.export(survey, tmp_path)[0]
    assert sorted(str(w.message) for w in caught if w.category is ExportWarning) == [
        "XLSForm: ODK shuffles every option of 'channels', the anchored 'none' too (it has "
        "no anchoring)",
        "XLSForm: ODK shuffles every option of 'promoter_why', the anchored 'dontknow' too "
        "(it has no anchoring)"]
    found: list[str] = []
    xform = convert(xlsform=str(workbook), validate=True, warnings=found).xform
    assert found == []
    assert xform.count('nodeset="randomize(instance(') == 2  # the two shuffled questions
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = {r["Variable / Field Name"]: r for r in redcap.build_dictionary(survey, "en")}
    assert len([w for w in caught if "REDCap cannot shuffle options" in str(w.message)]) == 2
    assert "Randomised options in the spec" in rows["channels"]["Field Annotation"]
