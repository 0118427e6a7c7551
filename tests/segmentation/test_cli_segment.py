"""The ``dash-personas segment`` command: happy paths and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from dash_personas.cli import cli, main
from dash_personas.segmentation import KPrototypes

SCRIPT = Path(sys.executable).with_name("dash-personas")


def planted_responses(n: int = 150, seed: int = 1) -> pd.DataFrame:
    """Three segments with equally distant numeric centres and preferred levels."""
    rng = np.random.default_rng(seed)
    segment = np.arange(n) % 3
    centres = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [4.0, 7.0, 0.0]])
    numeric = centres[segment] + rng.normal(size=(n, 3))
    frame = pd.DataFrame(numeric, columns=["num_0", "num_1", "num_2"])
    for j in range(3):
        preferred = np.array(["a", "b", "c"])[(segment + j) % 3]
        frame[f"cat_{j}"] = np.where(rng.random(n) < 0.7, preferred,
                                     np.array(["a", "b", "c", "d"])[rng.integers(0, 4, n)])
    return frame


@pytest.fixture
def responses(tmp_path):
    X = planted_responses()
    X.insert(0, "respondent_id", np.arange(5001, 5151))
    X.insert(1, "email", [f"person{i}@example.org" for i in range(150)])
    path = tmp_path / "responses.csv"
    X.to_csv(path, index=False)
    return path


def run(args, tmp_path):
    result = CliRunner().invoke(cli, ["segment", *map(str, args)], catch_exceptions=False)
    return result


def run_main(args, capsys):
    """The console-script entry point, which turns user errors into one line."""
    with pytest.raises(SystemExit) as exit_info:
        main(["segment", *map(str, args)])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_fixed_k(responses, tmp_path):
    out, labels = tmp_path / "model.json", tmp_path / "labels.csv"
    result = run([responses, "--k", "3", "--out", out, "--labels", labels, "--n-init", "2"],
                 tmp_path)
    assert result.exit_code == 0, result.output
    assert "Chosen k = 3 (given)" in result.stdout
    assert "Left out: respondent_id (identifier), email (identifier)" in result.stderr
    assert "num_0" in result.stdout and "cat_0" in result.stdout  # the profile table
    model = KPrototypes.load(out)
    assert model.n_clusters == 3
    assert list(model.feature_names_in_) == ["num_0", "num_1", "num_2", "cat_0", "cat_1",
                                             "cat_2"]
    written = pd.read_csv(labels)
    assert list(written.columns) == ["respondent_id", "segment"]
    np.testing.assert_array_equal(written["respondent_id"], np.arange(5001, 5151))
    assert set(written["segment"]) == {0, 1, 2}
    data = pd.read_csv(responses).drop(columns=["respondent_id", "email"])
    np.testing.assert_array_equal(model.predict(data), written["segment"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.csv", "model.json",
                                                          "responses.csv"]


def test_auto_k(responses, tmp_path):
    out = tmp_path / "model.json"
    result = run([responses, "--k", "auto", "--k-range", "2-4", "--out", out, "--n-init", "2"],
                 tmp_path)
    assert result.exit_code == 0, result.output
    assert "Chosen k = 3 (" in result.stdout
    for column in ("cost", "silhouette", "stability"):
        assert column in result.stdout
    assert KPrototypes.load(out).n_clusters == 3


def test_include_and_exclude(responses, tmp_path):
    out = tmp_path / "model.json"
    result = run([responses, "--k", "2", "--out", out, "--include", "num_0,cat_1,num_2",
                  "--n-init", "1"], tmp_path)
    assert result.exit_code == 0, result.output
    assert list(KPrototypes.load(out).feature_names_in_) == ["num_0", "cat_1", "num_2"]
    result = run([responses, "--k", "2", "--out", out, "--exclude", "num_1, cat_2",
                  "--n-init", "1"], tmp_path)
    assert result.exit_code == 0, result.output
    assert list(KPrototypes.load(out).feature_names_in_) == ["num_0", "num_2", "cat_0",
                                                             "cat_1"]


def test_categorical_option_and_quiet(tmp_path):
    frame = pd.DataFrame({"score": [1, 2, 1, 2, 9, 8, 9, 8] * 3,
                          "group": [1, 1, 1, 1, 2, 2, 2, 2] * 3})
    path = tmp_path / "codes.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "m.json"
    result = run([path, "--k", "2", "--out", out, "--categorical", "group", "--quiet"],
                 tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2"
    model = KPrototypes.load(out)
    assert model.categorical_features_ == ["group"]
    assert model.numeric_features_ == ["score"]


def test_labels_use_row_numbers_without_an_identifier(tmp_path):
    frame = pd.DataFrame({"x": [0.1, 0.2, 0.3, 5.1, 5.2, 5.3], "c": list("aaabbb")})
    path = tmp_path / "plain.csv"
    frame.to_csv(path, index=False)
    labels = tmp_path / "labels.csv"
    result = run([path, "--k", "2", "--out", tmp_path / "m.json", "--labels", labels],
                 tmp_path)
    assert result.exit_code == 0, result.output
    assert "Identifier" not in result.stderr
    written = pd.read_csv(labels)
    assert list(written.columns) == ["row", "segment"]
    assert list(written["row"]) == [1, 2, 3, 4, 5, 6]


def test_help_mentions_the_options():
    result = CliRunner().invoke(cli, ["segment", "--help"])
    assert result.exit_code == 0
    for option in ("--k", "--k-range", "--out", "--labels", "--include", "--exclude"):
        assert option in result.output


def _one_line_error(code, out, err, *fragments):
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize("option", ["--include", "--exclude"])
def test_unknown_column(responses, tmp_path, capsys, option):
    code, out, err = run_main([responses, "--k", "2", "--out", tmp_path / "m.json", option,
                               "num_0,nope"], capsys)
    _one_line_error(code, out, err, "'nope'")
    assert not (tmp_path / "m.json").exists()


def test_unknown_categorical_column(responses, tmp_path, capsys):
    code, out, err = run_main([responses, "--k", "2", "--out", tmp_path / "m.json",
                               "--categorical", "nope", "--quiet"], capsys)
    _one_line_error(code, out, err, "'nope'")


def test_missing_file(tmp_path, capsys):
    code, out, err = run_main([tmp_path / "absent.csv", "--k", "2", "--out",
                               tmp_path / "m.json"], capsys)
    _one_line_error(code, out, err, "absent.csv")


@pytest.mark.parametrize("content, fragment", [
    (b"a,b\n1,2\n3,4,5,6\n", "cannot parse CSV"),
    (b"", "empty"),
    (b"a,b\n", "no rows"),
    (b"name,x\n\xe9t\xe9,1\nb,2\nc,3\n", "decode"),
    (b"x,c\n1,a\ninf,b\n3,a\n4,b\n", "'x'"),
    (b"x,blank\n1,\n2,\n3,\n", "blank (empty)"),
])
def test_bad_files(tmp_path, capsys, content, fragment):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, out, err = run_main([path, "--k", "2", "--out", tmp_path / "m.json"], capsys)
    _one_line_error(code, out, err, fragment, "bad.csv")  # the file is always named
    assert not (tmp_path / "m.json").exists()


def test_other_encoding_with_the_option(tmp_path, capsys):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"name,x\n" + "été,1\nb,2\nété,8\nb,9\n".encode("latin-1"))
    code, _out, err = run_main([path, "--k", "2", "--out", tmp_path / "m.json",
                               "--encoding", "latin-1", "--quiet"], capsys)
    assert code == 0, err
    assert "été" in KPrototypes.load(tmp_path / "m.json").encoder_.levels_[0]


def test_too_many_segments(responses, tmp_path, capsys):
    code, out, err = run_main([responses, "--k", "500", "--out", tmp_path / "m.json", "--quiet"],
                              capsys)
    _one_line_error(code, out, err, "n_clusters=500")


@pytest.mark.parametrize("args", [["--k", "zero"], ["--k", "0"], ["--k", "auto", "--k-range",
                                                                   "4-2"]])
def test_bad_k_is_a_usage_error(responses, tmp_path, capsys, args):
    code, _out, err = run_main([responses, *args, "--out", tmp_path / "m.json"], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert "Error: " in err


@pytest.mark.parametrize("args, option", [
    (["--k", "2", "--n-init", "0"], "--n-init"),
    (["--k", "auto", "--n-init", "-3"], "--n-init"),
    (["--k", "2", "--seed", "-1"], "--seed"),
])
def test_bad_engine_options_are_usage_errors(responses, tmp_path, capsys, args, option):
    """The estimator would raise scikit-learn's InvalidParameterError; the CLI checks first."""
    code, _out, err = run_main([responses, *args, "--out", tmp_path / "m.json"], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert f"Invalid value for '{option}'" in err
    assert not (tmp_path / "m.json").exists()


def test_real_console_script(responses, tmp_path):
    """The installed entry point, in a subprocess: output, exit codes, no traceback.

    Both runs start at once (most of each is the interpreter importing scipy and
    scikit-learn), and the timeout only guards against a hang: under a load of 15-20
    on 2 cores one run took 15-30 s.
    """
    assert SCRIPT.exists()
    out, labels, refused = tmp_path / "model.json", tmp_path / "labels.csv", tmp_path / "no.json"
    runs = [subprocess.Popen([str(SCRIPT), "segment", str(responses), *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for args in (["--k", "3", "--out", str(out), "--labels", str(labels),
                          "--n-init", "1"],
                         ["--k", "3", "--out", str(refused), "--exclude", "nope"])]
    (done_out, done_err), (_, failed_err) = (run.communicate(timeout=600) for run in runs)
    assert runs[0].returncode == 0, done_err
    assert "Chosen k = 3" in done_out
    assert "respondent_id" in done_err
    assert KPrototypes.load(out).n_clusters == 3
    assert len(pd.read_csv(labels)) == 150

    assert runs[1].returncode == 2
    assert "Traceback" not in failed_err
    assert failed_err.strip().splitlines() == [failed_err.strip()]
    assert failed_err.startswith("Error: ") and "'nope'" in failed_err
    assert not refused.exists()
