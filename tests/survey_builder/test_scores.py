"""Scores files carry their codebook: write_scores / read_scores and the layout names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from survey_builder import (
    ID_COLUMN,
    QUALITY_COLUMNS,
    Codebook,
    UserError,
    read_scores,
    sidecar_path,
    write_scores,
)
from survey_builder.codebook import build_codebook, load_codebook
from survey_builder.scoring import score_responses
from survey_builder.simulate import simulate_responses
from survey_builder.spec import load_survey

DATA = Path(__file__).parent / "data"
SPEC = DATA / "survey_small.yaml"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def case():
    survey = load_survey(SPEC)
    codebook = build_codebook(survey)
    responses, _ = simulate_responses(survey, 200, 3, 0)
    return codebook, responses


@pytest.fixture(scope="module")
def scores(case):
    codebook, responses = case
    return score_responses(codebook, responses).scores


def test_sidecar_path_replaces_the_last_suffix():
    assert sidecar_path("out/scores.csv") == Path("out/scores.codebook.json")
    assert sidecar_path("scores") == Path("scores.codebook.json")
    assert sidecar_path("a.scores.csv").name == "a.scores.codebook.json"


def test_round_trip_gives_the_scored_frame_back(case, scores, tmp_path):
    codebook, _ = case
    path = tmp_path / "scores.csv"
    sidecar = write_scores(scores, codebook, path)
    assert sidecar == tmp_path / "scores.codebook.json" and sidecar.is_file()
    table = read_scores(path)
    assert table.note is None and table.path == path
    assert isinstance(table.codebook, Codebook)
    assert table.codebook.columns == codebook.columns  # the survey's codebook, plus scores
    frame = table.frame
    assert list(frame.columns) == list(scores.columns)
    for name in ("age_band", "journey_stage"):  # categories in questionnaire order
        assert frame[name].cat.categories.tolist() == scores[name].cat.categories.tolist()
        assert not frame[name].cat.ordered
        assert frame[name].astype(object).equals(scores[name].astype(object))
    numeric = [c for c in scores.columns if pd.api.types.is_float_dtype(scores[c])]
    pd.testing.assert_frame_equal(frame[numeric], scores[numeric], rtol=1e-9)
    assert frame[ID_COLUMN].astype(object).tolist() == scores[ID_COLUMN].astype(object).tolist()
    assert frame["attention_failed"].tolist() == scores["attention_failed"].tolist()


def test_scores_layout_says_what_each_column_is(case, scores, tmp_path):
    codebook, _ = case
    write_scores(scores, codebook, tmp_path / "scores.csv")
    layout = load_codebook(tmp_path / "scores.codebook.json").scores
    kinds = {c.name: c.kind for c in layout.columns}
    assert [c.name for c in layout.columns] == list(scores.columns)
    assert kinds[ID_COLUMN] == "id" and kinds["clv"] == "clv"
    assert kinds["journey_stage"] == "journey" and kinds["age_band"] == "answer"
    assert {n for n, k in kinds.items() if k == "quality"} == set(QUALITY_COLUMNS) & set(
        scores.columns)  # the timing columns come only with interview times
    scale = layout.column("brand_trust")
    assert scale.kind == "scale" and scale.dimension and scale.reverse_keyed == ["trust_3"]
    assert (scale.min, scale.max) == (1, 5)
    assert layout.column("clv").currency == codebook.clv_currency()
    journey = layout.column("journey_stage")
    stages = [str(s) for s in codebook.derivations.journey.stages]
    assert [lv.code for lv in journey.levels] == stages
    assert [lv.value for lv in journey.levels] == scores["journey_stage"].cat.categories.tolist()
    assert layout.values == "labels"


def test_codes_are_described_as_written(case, tmp_path):
    codebook, responses = case
    scores = score_responses(codebook, responses, labels=False).scores
    write_scores(scores, codebook, tmp_path / "scores.csv")
    table = read_scores(tmp_path / "scores.csv")
    age = table.codebook.scores.column("age_band")
    assert [lv.value for lv in age.levels] == [lv.code for lv in age.levels]
    assert table.codebook.scores.values == "codes"
    assert table.frame["age_band"].cat.categories.tolist() == [lv.code for lv in age.levels]
    labels = [lv.label for lv in table.codebook.levels("age_band", "es")]
    assert labels == [text["es"] for text in (lv.label for lv in age.levels)]


def test_without_sidecar_the_file_still_reads_and_says_what_is_missing(scores, tmp_path):
    path = tmp_path / "scores.csv"
    scores.to_csv(path, index=False)
    table = read_scores(path)
    assert table.codebook is None
    assert table.note == "scores.csv has no codebook (scores.codebook.json)"
    assert table.frame.shape == scores.shape
    assert not isinstance(table.frame["age_band"].dtype, pd.CategoricalDtype)


def test_corrupt_sidecar_is_a_clear_error_naming_it(case, scores, tmp_path):
    codebook, _ = case
    path = tmp_path / "scores.csv"
    write_scores(scores, codebook, path)
    sidecar = sidecar_path(path)
    sidecar.write_text('{"format": "survey-builder-codebook",\n "version": "1.1", ',
                       encoding="utf-8")
    with pytest.raises(UserError, match="malformed JSON") as info:
        read_scores(path)
    assert info.value.file == str(sidecar)
    document = codebook.to_dict()
    document["scales"][0]["items"] = "trust_1"  # wrong shape
    sidecar.write_text(json.dumps(document, indent=1), encoding="utf-8")
    with pytest.raises(UserError, match="not a valid codebook") as info:
        read_scores(path)
    assert info.value.file == str(sidecar) and info.value.field == "scales[0].items"
    assert info.value.line is not None and info.value.line > 1


def test_a_sidecar_that_does_not_describe_the_file_is_an_error(case, scores, tmp_path):
    codebook, _ = case
    path = tmp_path / "scores.csv"
    write_scores(scores, codebook, path)
    edited = pd.read_csv(path)
    edited.loc[3, "age_band"] = "Teenager"
    edited.to_csv(path, index=False)
    with pytest.raises(UserError, match=r"scores.codebook.json does not describe this file.*"
                                        r"'Teenager'") as info:
        read_scores(path)
    assert info.value.field == "age_band" and info.value.line == 5


def test_write_is_atomic_both_files_or_neither(case, scores, tmp_path, monkeypatch):
    codebook, _ = case
    path = tmp_path / "scores.csv"
    write_scores(scores, codebook, path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    changed = scores.iloc[:10]
    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        write_scores(changed, codebook, path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp files


def test_stdout_gets_the_csv_and_no_sidecar(case, scores, tmp_path, monkeypatch, capsys):
    codebook, _ = case
    monkeypatch.chdir(tmp_path)
    assert write_scores(scores.iloc[:3], codebook, "-") is None
    assert capsys.readouterr().out.startswith(f"{ID_COLUMN},")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("content", "fragment"), [
    ("", "the file is empty"),
    ("a,b\n", "the file has a header but no rows"),
    ('a,b\n1,"2\n', "cannot parse CSV"),
])
def test_unreadable_csv_is_one_line(tmp_path, content, fragment):
    path = tmp_path / "scores.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=fragment) as info:
        read_scores(path)
    assert info.value.file == str(path) and "\n" not in str(info.value)


def test_wrong_encoding_and_missing_file(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_bytes("name\nJosé\n".encode("latin-1"))
    with pytest.raises(UserError, match="cannot decode the file as utf-8; pass --encoding"):
        read_scores(path)
    assert read_scores(path, encoding="latin-1").frame["name"].tolist() == ["José"]
    with pytest.raises(UserError, match="no such file"):
        read_scores(tmp_path / "absent.csv")


def test_engine_results_do_not_depend_on_reading_answers_as_categoricals(case, scores,
                                                                        tmp_path):
    from dash_personas import KPrototypes

    codebook, _ = case
    path = tmp_path / "scores.csv"
    write_scores(scores, codebook, path)
    features = [c for c in scores.columns if c != ID_COLUMN and c not in QUALITY_COLUMNS]
    categorical = read_scores(path).frame[features]
    plain = pd.read_csv(path)[features]
    assert isinstance(categorical["age_band"].dtype, pd.CategoricalDtype)
    for seed in (0, 1):
        a = KPrototypes(3, n_init=2, random_state=seed).fit(categorical)
        b = KPrototypes(3, n_init=2, random_state=seed).fit(plain)
        assert (a.labels_ == b.labels_).all() and a.cost_ == pytest.approx(b.cost_)


def test_layout_names_import_without_pandas_or_pydantic():
    code = ("import sys, survey_builder as sb; sb.ID_COLUMN, sb.QUALITY_COLUMNS, sb.sidecar_path;"
            "heavy = [m for m in ('pandas', 'numpy', 'pydantic') if m in sys.modules];"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_plain_text_columns_are_described_by_what_they_hold(case, scores):
    from survey_builder.scores import describe_scores

    codebook, _ = case
    plain = scores.astype({"age_band": object, "gender": object, "journey_stage": object})
    plain["gender"] = plain["gender"].where(plain["gender"].isna(), "somebody")
    layout = describe_scores(plain, codebook).scores
    age = layout.column("age_band")
    assert age.kind == "answer"
    assert [lv.value for lv in age.levels] == scores["age_band"].cat.categories.tolist()
    gender = layout.column("gender")  # neither labels nor codes: no options claimed
    assert gender.kind == "other" and gender.levels is None and gender.source == "gender"


def test_a_sidecar_with_two_options_written_alike_is_refused(case, scores, tmp_path):
    codebook, _ = case
    path = tmp_path / "scores.csv"
    sidecar = write_scores(scores, codebook, path)
    document = json.loads(sidecar.read_text(encoding="utf-8"))
    entry = next(c for c in document["scores"]["columns"] if c["name"] == "age_band")
    entry["levels"][1]["value"] = entry["levels"][0]["value"]
    sidecar.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(UserError, match="two options are written the same way") as info:
        read_scores(path)
    assert info.value.file == str(sidecar) and info.value.field == "age_band"
