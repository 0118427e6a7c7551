"""The ``personas``, ``serve`` and ``demo`` commands."""

from __future__ import annotations

import json

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


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """survey.yaml -> responses -> scores.csv (+ its codebook) -> model.json, by the CLIs."""
    from survey_builder.cli import main as survey_builder

    folder = tmp_path_factory.mktemp("pipeline")
    steps = [
        ["init", "--template", "aspects", "--modules", "demographics,behaviour,journey,clv",
         "--languages", "en", "--out", str(folder / "survey.yaml")],
        ["simulate", str(folder / "survey.yaml"), "-n", "800", "--personas", "3", "--seed", "0",
         "--out", str(folder / "responses.csv"), "--quiet"],
        ["score", str(folder / "survey.yaml"), str(folder / "responses.csv"),
         "--out", str(folder / "scores.csv"), "--quiet"],
    ]
    for argv in steps:
        with pytest.raises(SystemExit) as done:
            survey_builder(argv)
        assert done.value.code in (0, None), argv
    with pytest.raises(SystemExit) as done:
        main(["segment", str(folder / "scores.csv"), "--k", "3", "--out",
              str(folder / "model.json")])
    assert done.value.code in (0, None)
    return folder


def _personas(folder, capsys, *extra):
    out = folder / "personas.json"
    code, captured = _run(["personas", str(folder / "model.json"), str(folder / "scores.csv"),
                           "--out", str(out), *extra], capsys)
    assert code in (0, None), captured.err
    return json.loads(out.read_text(encoding="utf-8")), captured.err


def test_personas_find_the_scores_codebook_without_a_flag(scored, capsys):
    from survey_builder import load_codebook

    found, err = _personas(scored, capsys)
    assert err == ""  # nothing is missing, nothing to say
    sidecar = scored / "scores.codebook.json"
    hidden = sidecar.rename(scored / "elsewhere.json")
    try:
        flagged, err = _personas(scored, capsys, "--codebook", str(scored / "survey.yaml"))
        assert err == ""
        bare, err = _personas(scored, capsys)
    finally:
        hidden.rename(sidecar)
    assert found == flagged  # names, labels, level order, "Who they are", guidelines
    assert err.count("\n") == 1 and err == (
        "Note: scores.csv has no codebook (scores.codebook.json): showing column names; "
        "pass --codebook survey.yaml\n")

    codebook = load_codebook(scored / "survey.yaml")
    features = {f["name"]: f for f in found["features"]}
    assert features["cn_convenience"]["label"] == codebook.label("cn_convenience")
    assert features["customer_tenure"]["role"] == "behaviour"
    order = [level.label for level in codebook.levels("customer_tenure")]
    assert order[0] == "Less than a year" and order[-1] == "More than 10 years"
    assert list(features["customer_tenure"]["levels"].values()) == order
    for persona in found["personas"]:
        shown = [c["level"] for c in persona["categories"] if c["feature"] == "customer_tenure"]
        assert shown == [level for level in order if level in shown]
        assert persona["demographics"]  # "Who they are"
        assert persona["guidelines"]["do"]
    bare_features = {f["name"]: f for f in bare["features"]}
    assert bare_features["cn_convenience"]["label"] == "Cn convenience"  # column names
    assert not any(p["demographics"] for p in bare["personas"])


def test_serve_counts_sizes_on_the_scores_file_read_with_its_codebook(scored, capsys,
                                                                      monkeypatch):
    import dash_personas.commands.serve as serve

    _personas(scored, capsys)
    half = scored / "half.csv"
    lines = (scored / "scores.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    half.write_text("".join(lines[:401]), encoding="utf-8")
    (scored / "half.codebook.json").write_bytes((scored / "scores.codebook.json").read_bytes())
    served = []
    monkeypatch.setattr(serve, "run_dashboard", lambda app, *args, **kw: served.append(app))
    code, captured = _run(["serve", "--personas", str(scored / "personas.json"),
                           "--data", str(half)], capsys)
    assert code in (0, None), captured.err
    header = served[0].layout.children[0].children[1].children
    assert header.startswith("3 personas from 400 respondents")
