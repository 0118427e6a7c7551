"""The typing tool: golden questions that reproduce the segments of a fitted model."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from dash_personas.cli import cli
from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, ModelFileError, TypingTool


@pytest.fixture(scope="module")
def fitted():
    X, _ = make_mixed_blobs(1500, n_numeric=4, n_categorical=4, n_clusters=3, separation=3.0,
                            random_state=4)
    model = KPrototypes(3, n_init=3, random_state=0).fit(X)
    return X, model


def test_the_most_separating_feature_is_asked_first():
    rng = np.random.default_rng(0)
    segment = rng.integers(0, 3, 900)
    X = pd.DataFrame({
        "noise_a": rng.normal(size=900),
        "decisive": segment * 20.0 + rng.normal(size=900),
        "noise_b": rng.normal(size=900),
        "colour": rng.choice(["red", "blue"], 900),
    })
    # unscaled: the segments live in "decisive" alone, the rest is noise
    model = KPrototypes(3, n_init=3, scale=False, gamma=0.5, random_state=0).fit(X)
    tool = TypingTool.build(model, X, max_questions=3, target_accuracy=0.99, random_state=0)
    assert tool.questions[0] == "decisive"
    assert tool.curve["accuracy"].iloc[0] > 0.95


def test_accuracy_is_what_the_questions_achieve(fitted):
    X, model = fitted
    tool = TypingTool.build(model, X, max_questions=4, target_accuracy=1.0, random_state=0)
    assert 1 <= len(tool.questions) <= 4
    assert len(set(tool.questions)) == len(tool.questions)
    assert list(tool.curve["question"]) == tool.questions
    only_golden = X[tool.questions]
    agreement = np.mean(tool.predict(only_golden) == model.predict(X))
    # measured on held-out rows during the build, on every row here
    assert agreement == pytest.approx(tool.accuracy, abs=0.05)
    assert tool.accuracy > 0.8


def test_stops_at_the_target_accuracy(fitted):
    X, model = fitted
    tool = TypingTool.build(model, X, max_questions=8, target_accuracy=0.5, random_state=0)
    assert tool.accuracy >= 0.5
    assert len(tool.questions) == 1 or tool.curve["accuracy"].iloc[-2] < 0.5


def test_predict_needs_the_golden_columns_and_ignores_others(fitted):
    X, model = fitted
    tool = TypingTool.build(model, X, max_questions=2, target_accuracy=1.0, random_state=0)
    with pytest.raises(ValueError, match=repr(tool.questions[0])):
        tool.predict(X.drop(columns=[tool.questions[0]]))
    extra = X.assign(unrelated=1.0)
    np.testing.assert_array_equal(tool.predict(extra), tool.predict(X[tool.questions]))


def test_save_load_round_trip_and_tampering(fitted, tmp_path):
    X, model = fitted
    tool = TypingTool.build(model, X, max_questions=3, random_state=0)
    path = tmp_path / "typing.json"
    tool.save(path)
    again = TypingTool.load(path)
    assert again.questions == tool.questions
    assert again.accuracy == tool.accuracy
    np.testing.assert_array_equal(again.predict(X), tool.predict(X))
    document = json.loads(path.read_text())
    document["tool"]["questions"] = list(reversed(document["tool"]["questions"]))
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="checksum"):
        TypingTool.load(path)


def test_a_loaded_model_can_be_saved_again(fitted, tmp_path):
    _, model = fitted
    model.save(tmp_path / "a.json")
    loaded = KPrototypes.load(tmp_path / "a.json")
    loaded.save(tmp_path / "b.json")
    first = json.loads((tmp_path / "a.json").read_text())["model"]
    second = json.loads((tmp_path / "b.json").read_text())["model"]
    assert first["fitted"]["cluster_sizes"] == second["fitted"]["cluster_sizes"]
    assert first["centers"] == second["centers"]


def test_cli_typing_tool_then_assign(fitted, tmp_path):
    X, model = fitted
    data = X.copy()
    data.insert(0, "respondent_id", [f"r{i}" for i in range(len(X))])
    data.to_csv(tmp_path / "scores.csv", index=False)
    model.save(tmp_path / "model.json")
    runner = CliRunner()
    result = runner.invoke(cli, ["typing-tool", str(tmp_path / "model.json"),
                                 str(tmp_path / "scores.csv"), "--max-questions", "3",
                                 "--out", str(tmp_path / "typing.json")])
    assert result.exit_code == 0, result.output
    assert "golden questions" in result.output
    tool = TypingTool.load(tmp_path / "typing.json")
    data[["respondent_id", *tool.questions]].to_csv(tmp_path / "wave2.csv", index=False)
    result = runner.invoke(cli, ["assign", str(tmp_path / "typing.json"),
                                 str(tmp_path / "wave2.csv"), "--out",
                                 str(tmp_path / "labels.csv")])
    assert result.exit_code == 0, result.output
    labels = pd.read_csv(tmp_path / "labels.csv")
    assert list(labels.columns) == ["respondent_id", "segment"]
    np.testing.assert_array_equal(labels["segment"], tool.predict(X))


def test_cli_assign_with_a_model_reports_missing_columns(fitted, tmp_path):
    X, model = fitted
    model.save(tmp_path / "model.json")
    X.drop(columns=["num_0"]).to_csv(tmp_path / "wave2.csv", index=False)
    result = CliRunner().invoke(cli, ["assign", str(tmp_path / "model.json"),
                                      str(tmp_path / "wave2.csv"), "--out",
                                      str(tmp_path / "labels.csv")])
    assert result.exit_code != 0
    assert not (tmp_path / "labels.csv").exists()


def test_typing_tool_json_text_round_trip(tmp_path):
    X, _ = make_mixed_blobs(300, n_clusters=3, separation=4.0, random_state=0)
    model = KPrototypes(3, n_init=2, random_state=0).fit(X)
    tool = TypingTool.build(model, X, max_questions=3, random_state=0)
    again = TypingTool.from_json(tool.to_json())
    assert again.questions == tool.questions and again.accuracy == tool.accuracy
    np.testing.assert_array_equal(again.predict(X[tool.questions]), tool.predict(X[tool.questions]))
    path = tmp_path / "typing.json"
    path.write_bytes(b"\xff" + tool.to_json().encode())
    with pytest.raises(ModelFileError, match="not UTF-8 text at byte 0"):
        TypingTool.load(path)
