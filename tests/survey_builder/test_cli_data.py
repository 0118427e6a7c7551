"""``survey-builder simulate`` and ``score`` from the command line, and start-up cost."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from survey_builder.cli import main

DATA = Path(__file__).parent / "data"
SPEC = str(DATA / "survey_small.yaml")
ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return int(done.value.code or 0)


@pytest.fixture
def simulated(tmp_path) -> Path:
    out = tmp_path / "responses.csv"
    assert run(["simulate", SPEC, "-n", "300", "--personas", "3", "--seed", "1",
                "--out", str(out), "--quiet"]) == 0
    return out


def test_grid_straightliners_are_planted_and_flagged(tmp_path) -> None:
    out = tmp_path / "responses.csv"
    assert run(["simulate", SPEC, "-n", "400", "--seed", "2", "--grid-straightliners", "0.3",
                "--out", str(out), "-q"]) == 0
    planted = pd.read_csv(tmp_path / "responses.planted.csv")
    assert 0.2 < planted["straightliner"].mean() < 0.45
    scores_path = tmp_path / "scores.csv"
    assert run(["score", SPEC, str(out), "--out", str(scores_path), "-q"]) == 0
    scores = pd.read_csv(scores_path)
    flagged = scores["straightliner"].astype(bool).to_numpy()
    truth = planted["straightliner"].astype(bool).to_numpy()
    assert not (flagged & ~truth).any() and flagged[truth].mean() > 0.3
    assert {"straightlined_share", "longest_run"} <= set(scores.columns)


def test_simulate_writes_responses_and_planted_labels(tmp_path, capsys) -> None:
    out = tmp_path / "responses.csv"
    assert run(["simulate", SPEC, "-n", "200", "--personas", "3", "--seed", "0",
                "--out", str(out)]) == 0
    responses = pd.read_csv(out)
    planted = pd.read_csv(tmp_path / "responses.planted.csv")
    assert len(responses) == 200
    assert list(planted.columns) == ["respondent_id", "persona", "straightliner"]
    assert planted["respondent_id"].tolist() == responses["respondent_id"].tolist()
    assert set(planted["persona"]) == {1, 2, 3}
    err = capsys.readouterr().err
    assert "simulated 200 respondents from 3 personas" in err and "responses.planted.csv" in err
    labels = tmp_path / "truth.csv"
    assert run(["simulate", SPEC, "-n", "200", "--personas", "3", "--seed", "0",
                "--out", str(tmp_path / "again.csv"), "--labels-out", str(labels), "-q"]) == 0
    assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()  # deterministic
    assert labels.exists() and not (tmp_path / "again.planted.csv").exists()


def test_simulate_to_stdout(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["simulate", SPEC, "-n", "5", "--out", "-", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("respondent_id,age_band,") and len(out.strip().splitlines()) == 6
    assert list(tmp_path.iterdir()) == []  # no planted file without --labels-out


@pytest.mark.parametrize("fmt", ["odk", "surveyjs", "redcap"])
def test_simulate_in_export_shapes_and_score_them(tmp_path, fmt) -> None:
    suffix = ".json" if fmt == "surveyjs" else ".csv"
    export = tmp_path / f"export{suffix}"
    canonical = tmp_path / "canonical.csv"
    for path, shape in ((export, fmt), (canonical, "canonical")):
        assert run(["simulate", SPEC, "-n", "150", "--seed", "3", "--format", shape,
                    "--out", str(path), "-q"]) == 0
    for path in (export, canonical):
        assert run(["score", SPEC, str(path), "--out", str(path.with_suffix(".scores.csv")),
                    "-q"]) == 0
    assert export.with_suffix(".scores.csv").read_bytes() == \
        canonical.with_suffix(".scores.csv").read_bytes()


def test_score_outputs(simulated, tmp_path, capsys) -> None:
    scores_path = tmp_path / "scores.csv"
    report_path = tmp_path / "reliability.json"
    assert run(["score", SPEC, str(simulated), "--out", str(scores_path),
                "--report", str(report_path)]) == 0
    scores = pd.read_csv(scores_path)
    assert len(scores) == 300 and scores["respondent_id"].is_unique
    assert scores["respondent_id"].map(type).eq(str).all()
    assert {"brand_trust", "openness", "clv", "journey_stage", "attention_failed",
            "straightliner", "n_answered"} <= set(scores.columns)
    report = json.loads(report_path.read_text())
    assert set(report["scales"]) == {"brand_trust", "price_focus", "openness", "eco"}
    err = capsys.readouterr().err
    assert "alpha=" in err and "r(it-rest)" in err  # the table goes to stderr
    table = tmp_path / "table.txt"
    assert run(["score", SPEC, str(simulated), "--out", "-", "--report-table", str(table),
                "--codes"]) == 0
    captured = capsys.readouterr()
    assert "alpha=" in table.read_text() and "alpha=" not in captured.err
    coded = pd.read_csv(io.StringIO(captured.out))
    assert set(coded["journey_stage"]) <= {"awareness", "consideration", "purchase",
                                            "retention", "advocacy"}


def test_score_writes_its_codebook_beside_the_scores(simulated, tmp_path, capsys) -> None:
    from survey_builder import load_codebook, read_scores

    out = tmp_path / "scores.csv"
    assert run(["score", SPEC, str(simulated), "--out", str(out), "-q", "--language", "es"]) == 0
    sidecar = tmp_path / "scores.codebook.json"
    codebook = load_codebook(sidecar)
    assert codebook.columns == load_codebook(SPEC).columns
    layout = codebook.scores
    assert [c.name for c in layout.columns] == list(pd.read_csv(out).columns)
    assert layout.language == "es" and layout.values == "labels"
    table = read_scores(out)
    age = [lv.value for lv in table.codebook.levels("age_band")]
    assert table.frame["age_band"].cat.categories.tolist() == age
    assert set(table.frame["age_band"].dropna()) <= set(age)
    # the scores' codebook is a codebook: it can score again, with the same result
    again = tmp_path / "again.csv"
    assert run(["score", str(sidecar), str(simulated), "--out", str(again), "-q",
                "--language", "es"]) == 0
    assert again.read_bytes() == out.read_bytes()
    assert (tmp_path / "again.codebook.json").read_bytes() == sidecar.read_bytes()
    assert run(["score", SPEC, str(simulated), "--out", "-", "-q"]) == 0
    assert capsys.readouterr().out.startswith("respondent_id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "again.codebook.json", "again.csv", "responses.csv", "responses.planted.csv",
        "scores.codebook.json", "scores.csv"]  # standard output: no codebook file


def test_scores_feed_the_segmentation_reader(simulated, tmp_path) -> None:
    from dash_personas.pipeline import identifier_columns
    from survey_builder import read_scores

    out = tmp_path / "scores.csv"
    assert run(["score", SPEC, str(simulated), "--out", str(out), "-q"]) == 0
    assert identifier_columns(read_scores(out).frame) == ["respondent_id"]


def test_score_reads_stdin(simulated, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(simulated.read_bytes())))
    assert run(["score", SPEC, "-", "--out", str(tmp_path / "s.csv"), "-q"]) == 0
    assert len(pd.read_csv(tmp_path / "s.csv")) == 300


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("Error: ")
    return err


def test_bad_responses_exit_2_and_write_nothing(simulated, tmp_path, capsys) -> None:
    frame = pd.read_csv(simulated, dtype=str, keep_default_na=False)
    frame.loc[4, "eco_3"] = "8"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    out, report = tmp_path / "scores.csv", tmp_path / "rel.json"
    assert run(["score", SPEC, str(bad), "--out", str(out), "--report", str(report)]) == 2
    err = _one_line_error(capsys)
    assert f"{bad}:6 eco_3: value '8' is out of range 1..5 (row 5)" in err
    assert not out.exists() and not report.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.csv", "responses.csv", "responses.planted.csv"]  # no temporary files left


def test_unknown_columns_and_encoding_errors(simulated, tmp_path, capsys) -> None:
    frame = pd.read_csv(simulated, dtype=str, keep_default_na=False)
    extra = tmp_path / "extra.csv"
    frame.assign(q99="1").drop(columns="trust_2").to_csv(extra, index=False)
    assert run(["score", SPEC, str(extra), "--out", str(tmp_path / "x.csv")]) == 2
    assert "missing from the file: trust_2" in _one_line_error(capsys)
    frame.loc[0, "comment"] = "señal"
    latin = tmp_path / "latin.csv"
    latin.write_bytes(frame.to_csv(index=False).encode("latin-1"))
    assert run(["score", SPEC, str(latin), "--out", str(tmp_path / "x.csv")]) == 2
    assert "cannot decode the file as utf-8" in _one_line_error(capsys)
    assert run(["score", SPEC, str(latin), "--encoding", "latin-1",
                "--out", str(tmp_path / "x.csv"), "-q"]) == 0
    assert not (tmp_path / "missing.csv").exists()
    assert run(["score", SPEC, str(tmp_path / "missing.csv")]) == 2
    assert "No such file" in _one_line_error(capsys)


def test_simulate_bad_spec(tmp_path, capsys) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("id: x\ntitle: {en: X}\nlanguages: [en]\nsections: [\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    assert run(["simulate", str(spec), "-n", "5", "--out", str(out)]) == 2
    assert "malformed YAML" in _one_line_error(capsys)
    assert not out.exists()


@pytest.mark.parametrize("command", ["simulate", "score"])
def test_help_has_an_example(command, capsys) -> None:
    assert run([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"survey-builder {command} survey.yaml" in out


def test_help_does_not_import_pandas_or_numpy() -> None:
    code = (
        "import sys\n"
        "from survey_builder.cli import main\n"
        "for argv in (['--help'], ['simulate', '--help'], ['score', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code in (0, None), exc.code\n"
        "heavy = [m for m in ('pandas', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('clean')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("clean")
