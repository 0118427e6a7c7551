"""Issue 10's "Bad input", from the command line: one line on stderr, exit code 2.

Every ``dash-personas`` sub-command that reads a model, a typing tool, a personas file
or respondent data is given each kind of broken input; the one line names the file (and
the column, for a column's problem) and no traceback is printed.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from dash_personas import build_personas, make_mixed_blobs
from dash_personas.cli import main
from dash_personas.segmentation import KPrototypes, TypingTool


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A weighted segmentation's scores, model, typing tool and personas."""
    folder = tmp_path_factory.mktemp("issue10_cli")
    X, _ = make_mixed_blobs(n_samples=240, n_clusters=3, random_state=0)
    weight = np.random.default_rng(0).uniform(0.5, 2.0, len(X)).round(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = KPrototypes(3, n_init=2, random_state=0).fit(X, sample_weight=weight)
    scores = X.assign(weight=weight)
    scores.insert(0, "respondent_id", [f"r{i:04d}" for i in range(len(X))])
    paths = {name: folder / f"{name}.{ext}" for name, ext in
             (("scores", "csv"), ("model", "json"), ("typing", "json"), ("personas", "json"))}
    scores.to_csv(paths["scores"], index=False)
    model.save(paths["model"])
    TypingTool.build(model, X, max_questions=3, random_state=0).save(paths["typing"])
    paths["personas"].write_text(build_personas(model, X).to_json(), encoding="utf-8")
    paths["folder"] = folder
    return paths


def run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def assert_one_line_error(code, err, *needles):
    assert code == 2, err
    lines = err.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1 and "Traceback" not in err, err
    # besides the error, at most the notes a command prints before it fails
    assert all(line.startswith(("Error: ", "Note: ", "Left out: ")) for line in lines), err
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def _broken_json_files(folder, good_text: str, prefix: str) -> dict:
    document = json.loads(good_text)
    version_key = "format_version" if "format_version" in document else "version"
    future = {**document, version_key: "9.0" if version_key == "format_version" else 9}
    broken = {
        "not UTF-8": b'{"format": "caf\xe9"}',
        "truncated": good_text[: len(good_text) // 2].encode(),
        "another version": json.dumps(future).encode(),
        "a list": b"[1, 2, 3]",
        "NaN": good_text.replace('"cost": ', '"cost": NaN, "x": ', 1).encode(),
    }
    paths = {}
    for name, content in broken.items():
        path = folder / f"{prefix}_{name.replace(' ', '_')}.json"
        path.write_bytes(content)
        paths[name] = path
    directory = folder / f"{prefix}_folder.json"
    directory.mkdir(exist_ok=True)
    paths["a directory"] = directory
    paths["missing"] = folder / f"{prefix}_nowhere.json"
    return paths


def _model_commands(files, model):
    out = files["folder"] / "out"
    return {
        "typing-tool": ["typing-tool", model, files["scores"], "--out", f"{out}.json"],
        "assign": ["assign", model, files["scores"], "--out", f"{out}.csv"],
        "personas": ["personas", model, files["scores"], "--out", f"{out}.json"],
        "export sql": ["export", model, "--format", "sql", "--table", "t", "--out",
                       f"{out}.sql"],
        "track init": ["track", "init", files["folder"] / "study.db", "--model", model,
                       "--personas", files["personas"]],
    }


BROKEN = ["not UTF-8", "truncated", "another version", "a list", "NaN", "a directory",
          "missing", "a personas file"]


@pytest.mark.parametrize("command", ["typing-tool", "assign", "personas", "export sql",
                                     "track init"])
def test_a_broken_model_file_is_one_line_naming_it_in_every_command(files, capsys, command):
    broken = _broken_json_files(files["folder"], files["model"].read_text(encoding="utf-8"),
                                "model")
    broken["a personas file"] = files["personas"]
    assert set(broken) == set(BROKEN)
    for path in broken.values():
        code, _, err = run(_model_commands(files, path)[command], capsys)
        assert_one_line_error(code, err, f"Error: {path}: ")
    assert not (files["folder"] / "study.db").exists()


@pytest.mark.parametrize("command", ["assign", "export pptx", "track init"])
def test_a_broken_personas_file_is_one_line_naming_it(files, capsys, command):
    broken = _broken_json_files(files["folder"], files["personas"].read_text(encoding="utf-8"),
                                "personas")
    broken["a model file"] = files["model"]
    out = files["folder"] / "out"
    for name, path in broken.items():
        if name == "NaN":
            continue  # a personas file has no float the replacement finds reliably
        args = {"assign": ["assign", files["model"], files["scores"], "--personas", path,
                           "--out", f"{out}.csv"],
                "export pptx": ["export", path, "--format", "pptx", "--out", f"{out}.pptx"],
                "track init": ["track", "init", files["folder"] / "study2.db", "--model",
                               files["model"], "--personas", path]}[command]
        code, _, err = run(args, capsys)
        assert_one_line_error(code, err, f"Error: {path}: ")


def _broken_scores(files, name: str):
    scores = pd.read_csv(files["scores"])
    numeric = "num_0"
    if name == "text in a numeric column":
        scores[numeric] = scores[numeric].astype(object)
        scores.loc[4, numeric] = "lots"
    elif name == "infinite value":
        scores.loc[4, numeric] = np.inf
    elif name == "value too large":
        scores.loc[4, numeric] = 3e200
    elif name == "a row with no answer":
        scores.loc[4, [c for c in scores if c.startswith(("num_", "cat_"))]] = np.nan
    path = files["folder"] / f"scores_{name.replace(' ', '_')}.csv"
    scores.to_csv(path, index=False)
    return path


DATA_PROBLEMS = {
    "text in a numeric column": "column 'num_0' is treated as numeric but holds non-numeric "
                                "values",
    "infinite value": "column 'num_0' contains infinite values",
    "value too large": "column 'num_0' has a value too large to compare with the segments "
                       "(row 4: 3e+200",
    "a row with no answer": "row 4 has no observed values in the segmentation columns",
}


@pytest.mark.parametrize("command", ["typing-tool", "assign", "personas"])
@pytest.mark.parametrize("problem", DATA_PROBLEMS)
def test_bad_respondent_data_is_one_line_naming_the_column(files, capsys, command, problem):
    path = _broken_scores(files, problem)
    out = files["folder"] / "out"
    args = {"typing-tool": ["typing-tool", files["model"], path, "--out", f"{out}.json"],
            "assign": ["assign", files["model"], path, "--out", f"{out}.csv"],
            "personas": ["personas", files["model"], path, "--out", f"{out}.json"]}[command]
    needles = [DATA_PROBLEMS[problem]]
    if command != "personas":  # personas' overrides errors name their own file
        needles.append(f"Error: {path}: ")
    assert_one_line_error(*run(args, capsys)[::2], *needles)


@pytest.mark.parametrize("problem", ["infinite value", "value too large"])
def test_segment_names_the_file_and_the_column_of_bad_values(files, capsys, problem):
    path = _broken_scores(files, problem)
    code, _, err = run(["segment", path, "--k", "3", "--n-init", "1", "--out",
                        files["folder"] / "fitted.json"], capsys)
    message = {"infinite value": "column 'num_0' contains infinite values",
               "value too large": "column 'num_0' has values too large to compute with"}
    assert_one_line_error(code, err, f"Error: {path}: ", message[problem])
    assert not (files["folder"] / "fitted.json").exists()


WEIGHT_PROBLEMS = {
    "no such column": (None, "weight column 'nowhere': no such column"),
    "text": (["heavy"] + [1.0] * 239, "weight column 'weight': weights must be numbers, "
                                      "found 'heavy'"),
    "negative": ([-1.0] + [1.0] * 239, "weight column 'weight': 1 negative weight(s), "
                                       "first in data row 1"),
    "missing": ([np.nan] + [1.0] * 239, "weight column 'weight': 1 missing weight(s)"),
    "all zero": ([0.0] * 240, "weight column 'weight': every weight is zero"),
    "huge": ([1e300] * 240, "weight column 'weight': the sample weights total 2.4e+302, "
                            "outside the range"),
}


@pytest.mark.parametrize("command", ["segment", "segment --k auto", "personas"])
@pytest.mark.parametrize("problem", WEIGHT_PROBLEMS)
def test_a_bad_weight_column_is_one_line_naming_the_file_and_column(files, capsys, command,
                                                                    problem):
    values, message = WEIGHT_PROBLEMS[problem]
    scores = pd.read_csv(files["scores"])
    column = "nowhere" if values is None else "weight"
    if values is not None:
        scores["weight"] = pd.Series(values, dtype=object if problem == "text" else float)
    path = files["folder"] / f"weights_{problem.replace(' ', '_')}.csv"
    scores.to_csv(path, index=False)
    out = files["folder"] / "weighted.json"
    args = {"segment": ["segment", path, "--k", "3", "--n-init", "1"],
            "segment --k auto": ["segment", path, "--k", "auto", "--k-range", "2-3",
                                 "--n-init", "1"],
            "personas": ["personas", files["model"], path]}[command]
    code, _, err = run([*args, "--weight", column, "--out", out], capsys)
    assert_one_line_error(code, err, f"Error: {path} ", message)
    assert not out.exists()


@pytest.mark.parametrize("command", ["segment", "typing-tool", "assign"])
def test_an_unknown_encoding_is_one_line_not_a_lookup_error(files, capsys, command):
    out = files["folder"] / "encoded"
    args = {"segment": ["segment", files["scores"], "--k", "3", "--out", f"{out}.json"],
            "typing-tool": ["typing-tool", files["model"], files["scores"], "--out",
                            f"{out}.json"],
            "assign": ["assign", files["model"], files["scores"], "--out", f"{out}.csv"]}
    code, _, err = run([*args[command], "--encoding", "utf-9"], capsys)
    assert_one_line_error(code, err, f"Error: {files['scores']} --encoding: unknown encoding "
                                     "'utf-9'")
