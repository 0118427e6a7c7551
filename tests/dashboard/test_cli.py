"""The ``personas``, ``serve`` and ``demo`` commands."""

from __future__ import annotations


import pytest

from dash_personas.cli import main
from dash_personas.personas import load_personas
from survey_builder.codebook import write_codebook


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code, capsys.readouterr()


def test_personas_command_builds_file_sheet_and_template(survey_case, tmp_path, capsys):
    model_path, scores_path = tmp_path / "model.json", tmp_path / "scores.csv"
    survey_case.model.save(model_path)
    survey_case.scores.to_csv(scores_path, index=False)
    codebook = tmp_path / "codebook.json"
    write_codebook(survey_case.codebook, codebook)
    out = tmp_path / "personas.json"
    try:
        main(["personas", str(model_path), str(scores_path), "--out", str(out), "--codebook",
              str(codebook), "--overrides-template", str(tmp_path / "o.yaml"), "--sheet",
              str(tmp_path / "sheet.html")])
    except SystemExit as exc:
        assert exc.code in (0, None)
    personas = load_personas(out)
    assert [p.name for p in personas] == [p.name for p in survey_case.personas]
    assert (tmp_path / "o.yaml").exists() and (tmp_path / "sheet.html").exists()


def test_personas_command_errors_are_one_line(tmp_path, capsys):
    code, captured = _run(["personas", str(tmp_path / "nope.json"), str(tmp_path / "s.csv"),
                           "--out", str(tmp_path / "p.json")], capsys)
    assert code == 2
    assert captured.err.strip().count("\n") == 0 and "no such model file" in captured.err


def test_serve_rejects_a_bad_personas_file(tmp_path, capsys):
    bad = tmp_path / "p.json"
    bad.write_text("{}")
    code, captured = _run(["serve", "--personas", str(bad)], capsys)
    assert code == 2 and "not a dash-personas personas file" in captured.err
