"""Bad input to ``dash-personas export`` for decks and sheets: one line, exit 2, no file."""

from __future__ import annotations

import json
import sys

import pytest

from dash_personas.cli import main


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code, capsys.readouterr()


def _refused(argv, capsys, *fragments):
    code, captured = _run(argv, capsys)
    assert code == 2, captured
    line = captured.err.strip()
    assert line.count("\n") == 0 and line.startswith("Error: "), line
    for fragment in fragments:
        assert fragment in line
    return line


def test_an_unknown_format_lists_the_formats(deck_case, tmp_path, capsys):
    _refused(["export", str(deck_case.personas_path), "--format", "docx", "--out",
              str(tmp_path / "d.docx")], capsys, "'docx'", "sql", "pptx", "pdf")
    assert not list(tmp_path.iterdir())


def test_a_personas_file_of_another_version_is_refused(deck_case, tmp_path, capsys):
    raw = json.loads(deck_case.personas_path.read_text())
    raw["version"] = 99
    other = tmp_path / "future.json"
    other.write_text(json.dumps(raw))
    for format_ in ("pptx", "pdf"):
        _refused(["export", str(other), "--format", format_, "--out",
                  str(tmp_path / f"out.{format_}")], capsys, "version 99",
                 "reads version 1")
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"format": "dash-personas-model", "version": 1}))
    _refused(["export", str(model), "--format", "pptx", "--out", str(tmp_path / "x.pptx")],
             capsys, "not a dash-personas personas file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.json", "model.json"]


def test_a_missing_browser_says_what_to_install(deck_case, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    for format_ in ("pptx", "pdf"):
        _refused(["export", str(deck_case.personas_path), "--format", format_, "--out",
                  str(tmp_path / f"out.{format_}")], capsys, "BROWSER_PATH",
                 "install Chromium")
    assert not list(tmp_path.iterdir())


def test_missing_kaleido_says_which_extra_to_install(deck_case, tmp_path, capsys,
                                                     monkeypatch):
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido raises ImportError
    _refused(["export", str(deck_case.personas_path), "--format", "pptx", "--out",
              str(tmp_path / "out.pptx")], capsys, 'pip install "dash-personas[export]"')
    assert not list(tmp_path.iterdir())


def test_an_unwritable_out_is_refused_before_any_work(deck_case, tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    _refused(["export", str(deck_case.personas_path), "--format", "pptx", "--out",
              str(a_file / "deck.pptx")], capsys, "is not a directory")
    _refused(["export", str(deck_case.personas_path), "--format", "pdf", "--out",
              str(tmp_path)], capsys, "is a directory")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_options_of_another_format_and_bad_paper_are_refused(deck_case, tmp_path, capsys):
    personas = str(deck_case.personas_path)
    _refused(["export", personas, "--format", "pdf", "--study", "s.db", "--out",
              str(tmp_path / "x.pdf")], capsys, "--study applies to --format pptx")
    _refused(["export", personas, "--format", "pdf", "--paper", "A5", "--out",
              str(tmp_path / "x.pdf")], capsys, "'A5'", "A4, Letter")
    _refused(["export", personas, "--format", "pptx", "--paper", "Letter", "--out",
              str(tmp_path / "x.pptx")], capsys, "--paper applies to --format pdf")
    _refused(["export", personas, "--format", "pptx", "--wave", "W2", "--out",
              str(tmp_path / "x.pptx")], capsys, "--wave needs --study")
    _refused(["export", personas, "--format", "pptx", "--typing-tool",
              str(tmp_path / "none.json"), "--out", str(tmp_path / "x.pptx")], capsys,
             "no such typing tool file")
    assert not list(tmp_path.iterdir())
