"""``dash-personas track init / add-wave / report``: happy path and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _planted import planted_wave

from dash_personas.cli import main
from dash_personas.tracking import Study


def run_main(args, capsys):
    """The console-script entry point: exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(["track", *map(str, args)])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def ok(args, capsys) -> str:
    code, out, err = run_main(args, capsys)
    assert code in (0, None), err
    return out


@pytest.fixture
def waves(tmp_path):
    first, _ = planted_wave([0.4, 0.3, 0.3], 500, seed=41)
    second, _ = planted_wave([0.15, 0.55, 0.3], 500, seed=42, ids=np.arange(250, 750))
    paths = tmp_path / "w1.csv", tmp_path / "w2.csv"
    first.to_csv(paths[0], index=False)
    second.to_csv(paths[1], index=False)
    return paths


def test_init_add_wave_report(study_target, model_files, waves, tmp_path, capsys):
    model, personas = model_files
    out = ok(["init", study_target, "--model", model, "--personas", personas], capsys)
    assert "segmentation v1 with 3 personas" in out
    out = ok(["add-wave", study_target, waves[0], "--label", "2026-Q1", "--date",
              "2026-03-31"], capsys)
    assert "Wave 2026-Q1 added: 500 respondents under segmentation v1" in out
    ok(["add-wave", study_target, waves[1], "--label", "2026-Q2"], capsys)
    report_path = tmp_path / "out" / "report.json"
    out = ok(["report", study_target, "--json", report_path], capsys)
    document = json.loads(report_path.read_text())
    with Study.open(study_target) as study:
        assert document == json.loads(json.dumps(study.report().to_dict()))
        names = study.segmentations[0].personas
    assert "Wave 2026-Q1 (2026-03-31): n=500" in out
    assert all(name in out for name in names)
    assert "Migration 2026-Q1 -> 2026-Q2: 250 panel respondents" in out
    assert "size_shift" in out
    assert document["waves"][0]["drift"] is None
    assert document["waves"][1]["drift"]["against"] == "2026-Q1"
    assert set(document["waves"][1]["recommendation"]) == {"resegment", "reasons"}
    assert [h["persona"] for h in document["persona_history"]] == names
    assert "drift vs 2026-Q1 (PSI, most drifted first): " in out
    out = ok(["report", study_target, "--wave", "2026-Q1"], capsys)
    assert "2026-Q2" not in out and "No alerts." in out


def _study_rows(target):
    with Study.open(target) as study:
        return study.report().to_dict(), [w.label for w in study.waves]


@pytest.mark.parametrize("args, message", [
    (["add-wave", "{study}", "{renamed}", "--label", "2026-Q2"],
     "was 'num_0' renamed to 'score_0'"),
    (["add-wave", "{study}", "{wave}", "--label", "2026-Q1"],
     "already has a wave '2026-Q1'"),
    (["add-wave", "{study}", "{wave}", "--label", "2026-Q2", "--weight", "w"],
     "no weight column 'w'"),
    (["report", "{study}", "--wave", "1999"], "no wave '1999'"),
])
def test_bad_input_is_one_line_exit_2_and_the_study_is_unchanged(
        study_target, model_files, waves, tmp_path, capsys, args, message):
    model, personas = model_files
    ok(["init", study_target, "--model", model, "--personas", personas], capsys)
    ok(["add-wave", study_target, waves[0], "--label", "2026-Q1"], capsys)
    renamed = tmp_path / "renamed.csv"
    planted_wave([1, 1, 1], 50, seed=43)[0].rename(columns={"num_0": "score_0"}).to_csv(
        renamed, index=False)
    before = _study_rows(study_target)
    values = {"study": study_target, "wave": waves[1], "renamed": renamed}
    code, _, err = run_main([a.format(**values) for a in args], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("Error: ") and message in err
    assert _study_rows(study_target) == before


def test_not_a_study_and_unreachable_server(tmp_path, model_files, postgres_server, capsys):
    model, personas = model_files
    other = tmp_path / "data.csv"
    other.write_text("a,b\n1,2\n")
    for args, message in [
        (["report", other], "not a dash-personas study"),
        (["add-wave", tmp_path / "none.db", other, "--label", "x"], "no such study"),
        (["init", other, "--model", model, "--personas", personas], "already exists"),
        (["report", postgres_server.rsplit(":", 1)[0] + ":1/x", "--timeout", "2"],
         "cannot reach the study database"),
    ]:
        code, _, err = run_main(args, capsys)
        assert code == 2 and err.count("\n") == 1 and message in err, err
    assert other.read_text() == "a,b\n1,2\n"
