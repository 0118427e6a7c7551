"""Round trips: spec -> simulate -> (export shape) -> read -> score, for every format.

The export shapes written by :mod:`survey_builder.readers` are also checked against the
questionnaires the exporters build (XLSForm field paths, SurveyJS element names, REDCap
dictionary fields), so the importers read what the fielded questionnaires produce.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from survey_builder.cli import main
from survey_builder.codebook import build_codebook, load_codebook, write_codebook
from survey_builder.readers import (
    OUTPUT_FORMATS,
    detect_format,
    read_responses,
    to_odk,
    to_redcap,
    to_surveyjs,
    write_responses,
)
from survey_builder.scoring import score_responses
from survey_builder.simulate import SimulationSettings, simulate_responses, simulate_with_truth
from survey_builder.spec import load_survey

DATA = Path(__file__).parent / "data"
SUFFIX = {"canonical": ".csv", "odk": ".csv", "surveyjs": ".json", "redcap": ".csv"}


@pytest.fixture(scope="module")
def small():
    return load_survey(DATA / "survey_small.yaml")


@pytest.fixture(scope="module")
def aspects(tmp_path_factory):
    """The built-in ASPECTS template, made through ``survey-builder init``."""
    path = tmp_path_factory.mktemp("aspects") / "aspects.yaml"
    with pytest.raises(SystemExit) as done:
        main(["init", "--template", "aspects", "--out", str(path)])
    assert done.value.code == 0
    return load_survey(path)


def _round_trip(survey, responses, tmp_path: Path, fmt: str) -> pd.DataFrame:
    path = tmp_path / f"responses.{fmt}{SUFFIX[fmt]}"
    write_responses(responses, survey, path, fmt)
    assert detect_format(path.read_text(encoding="utf-8"), str(path)) == fmt
    return read_responses(path, survey)


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
def test_small_survey_every_format(small, tmp_path, fmt) -> None:
    responses, _ = simulate_responses(small, 500, 3, seed=21)
    back = _round_trip(small, responses, tmp_path, fmt)
    pd.testing.assert_frame_equal(back, responses)
    pd.testing.assert_frame_equal(score_responses(small, back).scores,
                                  score_responses(small, responses).scores)


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
def test_aspects_template_every_format(aspects, tmp_path, fmt) -> None:
    responses, _ = simulate_responses(aspects, 400, 4, seed=8)
    back = _round_trip(aspects, responses, tmp_path, fmt)
    expected = score_responses(aspects, responses)
    got = score_responses(aspects, back)
    pd.testing.assert_frame_equal(got.scores, expected.scores)
    assert got.reliability == expected.reliability


def test_aspects_scores_and_personas(aspects) -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    responses, personas = simulate_responses(aspects, 2000, 4, seed=0)
    result = score_responses(aspects, responses)
    scales = [s.name for s in aspects.scales]
    assert len(scales) >= 12
    for name in scales:
        alpha = result.reliability["scales"][name]["alpha"]
        assert 0.5 < alpha < 0.99, (name, alpha)
    features = result.scores[scales].dropna()
    z = (features - features.mean()) / features.std()
    labels = KMeans(4, n_init=10, random_state=0).fit_predict(z.to_numpy())
    assert adjusted_rand_score(personas[features.index], labels) > 0.6
    assert result.scores["clv"].notna().mean() > 0.8
    assert result.scores["journey_stage"].notna().all()


def test_codebook_json_scores_like_the_spec(small, tmp_path) -> None:
    path = write_codebook(build_codebook(small), tmp_path / "codebook.json")
    codebook = load_codebook(path)
    responses, _ = simulate_responses(small, 300, 3, seed=2)
    from_codebook = read_responses(_write(responses, small, tmp_path, "odk"), codebook)
    pd.testing.assert_frame_equal(score_responses(codebook, from_codebook).scores,
                                  score_responses(small, responses).scores)


def _write(responses, survey, tmp_path: Path, fmt: str) -> Path:
    path = tmp_path / f"export{SUFFIX[fmt]}"
    write_responses(responses, survey, path, fmt)
    return path


# ---------------------------------------------------------------- against the exporters
def _xlsform_paths(survey) -> dict[str, str]:
    """Kobo CSV column per XLSForm field: group path + name (select_multiple: + options)."""
    from survey_builder.exporters.xlsform import build_workbook

    sheets, _ = build_workbook(survey)
    choices: dict[str, list[str]] = {}
    for row in sheets["choices"]:
        choices.setdefault(row["list_name"], []).append(str(row["name"]))
    stack: list[str] = []
    paths: dict[str, str] = {}
    for row in sheets["survey"]:
        kind = str(row.get("type", ""))
        if kind == "begin_group":
            stack.append(row["name"])
        elif kind == "end_group":
            stack.pop()
        elif kind != "note":
            path = "/".join([*stack, row["name"]])
            paths[path] = kind
            if kind.startswith("select_multiple "):
                for option in choices[kind.split()[1]]:
                    paths[f"{path}/{option}"] = "option"
    return paths


@pytest.mark.parametrize("name", ["small", "aspects"])
def test_odk_shape_matches_the_xlsform(name, request) -> None:
    survey = request.getfixturevalue(name)
    responses = simulate_with_truth(survey, 50, 2, seed=1, settings=SimulationSettings(
        interview_times=True)).responses
    export = to_odk(responses, survey)
    fields = {c for c in export.columns if not c.startswith(("_", "meta/"))}
    assert fields == set(_xlsform_paths(survey))


@pytest.mark.parametrize("name", ["small", "aspects"])
def test_surveyjs_shape_matches_the_survey_json(name, request) -> None:
    from survey_builder.exporters.surveyjs import build_surveyjs

    survey = request.getfixturevalue(name)
    elements = {e["name"]: e for page in build_surveyjs(survey)["pages"]
                for e in page["elements"]}
    responses, _ = simulate_responses(survey, 200, 2, seed=1)
    for result in to_surveyjs(responses, survey):
        for key, value in result.items():
            if key == "respondent_id":
                continue
            element = elements[key]
            if element["type"] == "matrix":
                assert set(value) <= {row["value"] for row in element["rows"]}
                assert set(value.values()) <= {c["value"] for c in element["columns"]}
            elif element["type"] in ("checkbox", "ranking"):
                assert set(value) <= {c["value"] for c in element["choices"]}
            elif element["type"] == "radiogroup":
                assert value in {c["value"] for c in element["choices"]}
            elif element["type"] == "rating":
                assert value in {r["value"] for r in element["rateValues"]}
    json.dumps(to_surveyjs(responses, survey))


@pytest.mark.parametrize("name", ["small", "aspects"])
def test_redcap_shape_matches_the_dictionary(name, request) -> None:
    from survey_builder.exporters.redcap import build_dictionary

    survey = request.getfixturevalue(name)
    rows = build_dictionary(survey)
    expected = []
    for row in rows:
        field, kind = row["Variable / Field Name"], row["Field Type"]
        if kind == "descriptive":
            continue
        if kind == "checkbox":
            codes = [c.split(",")[0].strip()
                     for c in row["Choices, Calculations, OR Slider Labels"].split("|")]
            expected += [f"{field}___{code}" for code in codes]
        else:
            expected.append(field)
    expected.append(f"{survey.id}_complete")
    expected.insert(1, f"{survey.id}_timestamp")  # REDCap's completion time, after the id
    responses = simulate_with_truth(survey, 30, 2, seed=1, settings=SimulationSettings(
        interview_times=True)).responses
    assert list(to_redcap(responses, survey).columns) == expected
