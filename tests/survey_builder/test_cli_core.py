"""``survey-builder init/validate/bank/build`` through click and as a real process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
import yaml
from click.testing import CliRunner

from survey_builder.bank import list_scales
from survey_builder.cli import cli, main
from survey_builder.codebook import build_codebook
from survey_builder.errors import SurveyError
from survey_builder.spec import load_survey


@pytest.fixture()
def runner():
    return CliRunner()


def run_main(capsys, *args):
    """Run the console entry point; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out, err


@pytest.fixture()
def spec(tmp_path, runner):
    path = tmp_path / "survey.yaml"
    result = runner.invoke(cli, ["init", "--modules", "demographics,behaviour,journey,clv",
                                 "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


# --------------------------------------------------------------------------- init
def test_init_writes_a_valid_spec(spec):
    survey = load_survey(spec)
    assert {s.dimension for s in survey.scales} == {
        "attitudes", "social_values", "personal_interests", "emotions", "conscious_needs",
        "traits"}
    assert survey.clv is not None and survey.journey is not None
    assert survey.languages == ["en", "es"]
    assert not survey.attention_checks()           # not among the requested modules


def test_init_to_stdout_with_options(runner):
    result = runner.invoke(cli, ["init", "--template", "b2b", "--modules", "firmographic",
                                 "--languages", "es", "--title", "Estudio B2B",
                                 "--id", "b2b_es", "--out", "-"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["id"] == "b2b_es" and data["languages"] == ["es"]
    assert data["title"] == {"es": "Estudio B2B"}
    assert [s["name"] for s in data["sections"]][-1] == "firmographic"


def test_init_refuses_to_overwrite(spec, capsys):
    before = spec.read_text(encoding="utf-8")
    code, _, err = run_main(capsys, "init", "--out", str(spec), "--languages", "en")
    assert code == 2 and "already exists" in err
    assert spec.read_text(encoding="utf-8") == before
    code, _, _ = run_main(capsys, "init", "--out", str(spec), "--languages", "en", "--force")
    assert code == 0 and load_survey(spec).languages == ["en"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--modules", "demographic"], "unknown module 'demographic'"),
    (["--template", "retail"], "unknown template 'retail'"),
    (["--languages", "en,fr"], "no 'fr' texts"),
])
def test_init_bad_options(tmp_path, capsys, args, fragment):
    out = tmp_path / "x.yaml"
    code, _, err = run_main(capsys, "init", *args, "--out", str(out))
    assert code == 2 and fragment in err and "Traceback" not in err
    assert not out.exists()


# --------------------------------------------------------------------------- validate
def test_validate_summary(spec, runner):
    result = runner.invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    survey = load_survey(spec)
    columns = len(build_codebook(survey)["columns"])
    assert f"sections   {len(survey.sections)}:" in result.output
    assert f"scales     {len(survey.scales)}" in result.output
    assert f"{columns} in the response file" in result.output
    assert "en (default), es" in result.output
    for scale in survey.scales:
        assert scale.name in result.output
    assert runner.invoke(cli, ["validate", "-q", str(spec)]).output == ""


def test_validate_error_is_one_line_with_location(spec, capsys):
    text = spec.read_text(encoding="utf-8")
    bad = text.replace("scale: tr_openness", "scale: tr_opennes", 1)
    spec.write_text(bad, encoding="utf-8")
    line = next(i + 1 for i, s in enumerate(bad.splitlines()) if "scale: tr_opennes" in s)
    code, out, err = run_main(capsys, "validate", str(spec))
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"Error: {spec}:{line} sections[")
    assert "unknown scale 'tr_opennes'" in err


def test_validate_lists_every_problem(spec, capsys):
    text = spec.read_text(encoding="utf-8")
    bad = text.replace("scale: tr_openness", "scale: tr_opennes", 1).replace(
        "scale: at_brand_trust", "scale: at_brand_trus", 1)
    spec.write_text(bad, encoding="utf-8")
    code, out, err = run_main(capsys, "validate", str(spec))
    assert code == 2 and out == ""
    errors = err.splitlines()
    assert all(re.match(rf"Error: {re.escape(str(spec))}:\d+ \S+: ", e) for e in errors), err
    assert not any("more problem" in e for e in errors)
    for wrong in ("tr_opennes", "at_brand_trus"):
        line = next(i + 1 for i, s in enumerate(bad.splitlines()) if f"scale: {wrong}" in s)
        assert any(e.startswith(f"Error: {spec}:{line} ") and f"unknown scale '{wrong}'" in e
                   for e in errors), err


def test_validate_counts_scale_items_apart_from_other_likert_items(tmp_path, runner):
    path = tmp_path / "aspects.yaml"
    assert runner.invoke(cli, ["init", "--template", "aspects", "--modules",
                               "demographics,behaviour,journey,clv", "--out",
                               str(path)]).exit_code == 0
    survey = load_survey(path)
    scaled = sum(len(survey.scale_items(scale)) for scale in survey.scales)
    assert scaled == 14 * 4
    result = runner.invoke(cli, ["validate", str(path)])
    assert "; 56 scale items + 1 Likert item outside any scale" in result.output


def test_validate_reads_stdin(spec, runner):
    result = runner.invoke(cli, ["validate", "-"], input=spec.read_text(encoding="utf-8"))
    assert result.exit_code == 0 and "-: valid" in result.output


def test_validate_missing_file(tmp_path, capsys):
    code, _, err = run_main(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in err


# --------------------------------------------------------------------------- bank
def test_bank_table_lists_scales_and_items(runner):
    result = runner.invoke(cli, ["bank", "--dimension", "traits"])
    assert result.exit_code == 0
    for scale in list_scales("traits"):
        assert scale.name in result.output
        for item in scale.items:
            line = next(x for x in result.output.splitlines() if item.name in x)
            assert ("(R)" in line) is item.reverse_keyed
            assert item.label["en"] in line
    assert "attitudes" not in result.output


def test_bank_spanish_yaml(runner):
    result = runner.invoke(cli, ["bank", "--language", "es", "--format", "yaml"])
    assert result.exit_code == 0
    data = yaml.safe_load(result.output)
    assert len(data["scales"]) == len(list_scales())
    first = list_scales()[0]
    assert data["scales"][0]["label"] == first.label["es"]


def test_bank_lists_layer_modules(runner):
    output = runner.invoke(cli, ["bank"]).output
    for module in ("demographics", "behaviour", "clv", "journey", "technographic",
                   "firmographic", "attention"):
        assert f"\n{module}" in output


def test_bank_bad_dimension(capsys):
    code, _, err = run_main(capsys, "bank", "--dimension", "moods")
    assert code == 2 and "unknown ASPECTS dimension 'moods'" in err


# --------------------------------------------------------------------------- build
def test_build_markdown_and_html(spec, tmp_path, runner):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(spec), "--format", "markdown,html",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    survey = load_survey(spec)
    expected = {f"{survey.id}.{lang}.{ext}" for lang in ("en", "es") for ext in ("md", "html")}
    assert {p.name for p in out.iterdir()} == expected | {"codebook.json"}
    assert sorted(result.stdout.split()) == sorted(str(out / name) for name in
                                                   expected | {"codebook.json"})
    codebook = json.loads((out / "codebook.json").read_text(encoding="utf-8"))
    assert codebook == build_codebook(survey)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.build-")]


def test_build_one_language(spec, tmp_path, runner):
    out = tmp_path / "es"
    result = runner.invoke(cli, ["build", str(spec), "-f", "markdown", "--languages", "es",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["aspects.es.md", "codebook.json"]


def test_build_unknown_format(spec, tmp_path, capsys):
    code, _, err = run_main(capsys, "build", str(spec), "--format", "pdf", "--out",
                            str(tmp_path / "o"))
    assert code == 2 and "unknown format 'pdf'" in err
    assert not (tmp_path / "o").exists()


def test_build_missing_exporter_module_is_a_clear_error(spec, tmp_path, capsys, monkeypatch):
    from survey_builder import exporters

    monkeypatch.setitem(exporters.EXPORTERS, "redcap",
                        "survey_builder.exporters.not_written_yet:export")
    out = tmp_path / "o"
    code, _, err = run_main(capsys, "build", str(spec), "--format", "markdown,redcap",
                            "--out", str(out))
    assert code == 2 and "redcap exporter is not available" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_build_is_all_or_nothing(spec, tmp_path, monkeypatch):
    """An exporter failing after others wrote files leaves the output directory as it was."""
    from survey_builder import exporters

    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old", encoding="utf-8")
    (out / "aspects.en.md").write_text("previous build", encoding="utf-8")

    def broken(survey, out_dir, *, languages=None):
        (out_dir / "half.xml").write_text("<partial", encoding="utf-8")
        raise SurveyError("exporter exploded")

    module = type(sys)("fake_exporter")
    module.export = broken
    monkeypatch.setitem(sys.modules, "fake_exporter", module)
    monkeypatch.setitem(exporters.EXPORTERS, "xlsform", "fake_exporter:export")
    result = CliRunner().invoke(cli, ["build", str(spec), "--format", "markdown,xlsform",
                                      "--out", str(out)])
    assert isinstance(result.exception, SurveyError)
    assert sorted(p.name for p in out.iterdir()) == ["aspects.en.md", "keep.txt"]
    assert (out / "aspects.en.md").read_text(encoding="utf-8") == "previous build"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_build_bad_spec_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n  title: [\n", encoding="utf-8")
    code, _, err = run_main(capsys, "build", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and err.startswith(f"Error: {bad}:2: malformed YAML")
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- help
@pytest.mark.parametrize("command", ["init", "validate", "bank", "build"])
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert f"survey-builder {command}" in result.output


def test_command_modules_do_not_import_heavy_libraries():
    code = textwrap.dedent("""
        import sys
        import survey_builder.commands.init, survey_builder.commands.validate
        import survey_builder.commands.bank, survey_builder.commands.build
        heavy = [m for m in ("pandas", "numpy", "pydantic", "yaml") if m in sys.modules]
        print(",".join(heavy))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


# --------------------------------------------------------------------------- real process
def test_real_process_bad_input_exits_2_without_traceback(tmp_path):
    spec = tmp_path / "survey.yaml"
    spec.write_text(textwrap.dedent("""\
        id: broken
        title: {en: Broken}
        languages: [en]
        sections:
          - name: s
            title: {en: S}
            questions:
              - type: likret
                name: q1
                label: {en: Q}
        """), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "from survey_builder.cli import main; main()", "validate",
         str(spec)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"Error: {spec}:8 sections[0].questions[0].type: unknown question type 'likret' "
        "(expected one of: likert, likert_grid, single_choice, multiple_choice, numeric, "
        "text, ranking, attention_check, note, nps, maxdiff)")
    assert result.stdout == ""


def test_build_warns_about_randomisation_in_one_short_line_per_format(tmp_path, capsys):
    spec = tmp_path / "aspects.yaml"
    code, _, _ = run_main(capsys, "init", "--template", "aspects", "--out", str(spec))
    assert code in (0, None)
    survey = load_survey(spec)
    sections = sum(s.randomize for s in survey.sections)
    grids = sum(q.is_grid and q.randomize for q in survey.iter_questions())
    assert sections > 3 and grids > 3
    code, _, err = run_main(capsys, "build", str(spec), "--format", "all", "--out",
                            str(tmp_path / "build"))
    assert code in (0, None)
    warnings = [line for line in err.splitlines() if line.startswith("warning")]
    assert [w.split(":")[0] for w in warnings] == ["warning (xlsform)", "warning (redcap)"]
    for warning in warnings:
        assert f"randomises {sections} sections and {grids} grids." in warning
        assert len(warning) < 300


def test_length_estimate_at_validate_and_build(tmp_path, capsys):
    from survey_builder.spec import QUESTION_TYPES, SECONDS_PER_ANSWER

    assert set(SECONDS_PER_ANSWER) == set(QUESTION_TYPES)  # every type has a time
    spec = tmp_path / "aspects.yaml"
    run_main(capsys, "init", "--template", "aspects", "--out", str(spec))
    survey = load_survey(spec)
    by_hand = 0.0
    for q in survey.iter_questions():
        answers = (len(q.items) if q.type == "likert_grid" else
                   len(q.choices) if q.type == "ranking" else 1)
        by_hand += SECONDS_PER_ANSWER[q.type] * answers
    assert survey.estimated_minutes() == pytest.approx(by_hand / 60)
    assert 5 < survey.estimated_minutes() < 30
    _, out, _ = run_main(capsys, "validate", str(spec))
    assert f"length     about {by_hand / 60:.0f} minutes" in out
    _, _, err = run_main(capsys, "build", str(spec), "--format", "markdown", "--out",
                         str(tmp_path / "b"))
    assert f"length: about {by_hand / 60:.0f} minutes" in err
