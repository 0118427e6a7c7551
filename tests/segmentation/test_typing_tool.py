"""The typing tool: golden questions that reproduce the segments of a fitted model."""

import hashlib
import json
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from dash_personas.cli import cli
from dash_personas.commands.typing_tool import typing_report
from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, ModelFileError, TypingTool
from dash_personas.segmentation._persistence import _canonical
from dash_personas.segmentation._typing import confusion_table


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
    assert list(labels.columns) == ["respondent_id", "segment", "second_segment", "confidence",
                                    "probability", "segmentation_version", "segmentation_date"]
    np.testing.assert_array_equal(labels["segment"], tool.predict(X))
    expected = tool.membership(X)
    np.testing.assert_array_equal(labels["second_segment"], expected.second_segment)
    np.testing.assert_allclose(labels["confidence"], expected.confidence)
    np.testing.assert_allclose(labels["probability"], expected.probability)
    assert (labels["second_segment"] != labels["segment"]).all()


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


def _unchunked_build(model, X, max_questions, target_accuracy, holdout, seed):
    """The greedy search as first written: every feature's contributions held at once."""
    names = list(model.encoder_.feature_names_in_)
    encoded_order = model.numeric_features_ + model.categorical_features_
    parts = model.distance_.contributions(model.encoder_.transform(X), model.prototypes_,
                                          rescale=False)
    parts = parts[[encoded_order.index(name) for name in names]]
    reference = model.predict(X)
    order = np.random.default_rng(seed).permutation(len(X))
    n_holdout = max(1, round(holdout * len(X)))
    held_out, selection = order[:n_holdout], order[n_holdout:][:20_000]
    chosen, accuracies, partial = [], [], np.zeros(parts.shape[1:])
    for _ in range(min(max_questions, len(names))):
        scores = [np.mean(np.argmin(partial[selection] + parts[j][selection], axis=1)
                          == reference[selection]) if j not in chosen else -1.0
                  for j in range(len(names))]
        chosen.append(int(np.argmax(scores)))
        partial += parts[chosen[-1]]
        accuracies.append(np.mean(np.argmin(partial[held_out], axis=1) == reference[held_out]))
        if accuracies[-1] >= target_accuracy:
            break
    return [names[j] for j in chosen], accuracies, held_out


def test_chunked_build_chooses_what_the_unchunked_search_chose():
    X, _ = make_mixed_blobs(1200, n_numeric=5, n_categorical=5, n_clusters=4, separation=1.5,
                            missing_rate=0.05, random_state=8)
    model = KPrototypes(4, n_init=2, random_state=0).fit(X)
    for seed, holdout in ((0, 0.3), (3, 0.5)):
        tool = TypingTool.build(model, X, max_questions=6, target_accuracy=0.97,
                                holdout=holdout, random_state=seed)
        questions, accuracies, _ = _unchunked_build(model, X, 6, 0.97, holdout, seed)
        assert tool.questions == questions
        assert list(tool.curve["accuracy"]) == accuracies


def test_confusion_table_and_segment_accuracy_are_a_count_of_held_out_rows(fitted):
    X, model = fitted
    tool = TypingTool.build(model, X, max_questions=2, target_accuracy=1.0, random_state=1)
    _, _, held_out = _unchunked_build(model, X, 2, 1.0, 0.3, 1)
    full = model.predict(X.iloc[held_out])
    typed = tool.predict(X.iloc[held_out][tool.questions])
    k = model.n_clusters
    hand = np.zeros((k, k), dtype=int)
    for a, b in zip(full, typed):
        hand[a, b] += 1
    np.testing.assert_array_equal(tool.confusion.to_numpy(), hand)
    assert tool.confusion.index.name == "segment"
    assert tool.confusion.columns.name == "typing_tool_segment"
    assert np.trace(hand) / hand.sum() == pytest.approx(tool.accuracy)
    for segment in range(k):
        in_segment = full == segment
        assert tool.segment_accuracy[segment] == pytest.approx(
            np.mean(typed[in_segment] == segment))
    assert tool.segment_accuracy.min() < 1.0  # two questions are not enough for everyone


def test_confusion_table_counts_every_pair_and_empty_segments():
    table = confusion_table(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 4)
    np.testing.assert_array_equal(table.to_numpy(), [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 2, 0],
                                                     [0, 0, 0, 0]])
    tool = TypingTool(model=None, questions=["q"], accuracy=4 / 6, curve=pd.DataFrame(),
                      confusion=table)
    np.testing.assert_allclose(tool.segment_accuracy.to_numpy(), [0.5, 1.0, 2 / 3, np.nan])


def test_confusion_round_trips_and_old_files_still_load(fitted):
    X, model = fitted
    tool = TypingTool.build(model, X, max_questions=2, random_state=0)
    again = TypingTool.from_json(tool.to_json())
    pd.testing.assert_frame_equal(again.confusion, tool.confusion)
    document = json.loads(tool.to_json())
    del document["tool"]["confusion"]
    document["format_version"] = "1.0"
    document["sha256"] = hashlib.sha256(_canonical(document["tool"]).encode()).hexdigest()
    old = TypingTool.from_json(json.dumps(document))
    assert old.confusion is None and old.segment_accuracy is None
    assert old.questions == tool.questions


def test_cli_typing_tool_prints_the_confusion_table(fitted, tmp_path):
    X, model = fitted
    X.to_csv(tmp_path / "scores.csv", index=False)
    model.save(tmp_path / "model.json")
    result = CliRunner().invoke(cli, ["typing-tool", str(tmp_path / "model.json"),
                                      str(tmp_path / "scores.csv"), "--max-questions", "2",
                                      "--target-accuracy", "1", "--out",
                                      str(tmp_path / "typing.json")])
    assert result.exit_code == 0, result.output
    tool = TypingTool.load(tmp_path / "typing.json")
    lines = result.output.splitlines()
    header = lines.index(next(line for line in lines if line.startswith("segment ")))
    for segment, counts in tool.confusion.iterrows():
        cells = lines[header + 1 + segment].split()
        assert [int(c) for c in cells[1:-1]] == list(counts)
        assert cells[-1] == f"{tool.segment_accuracy[segment]:.1%}"


def test_build_memory_is_a_small_multiple_of_the_data():
    X, _ = make_mixed_blobs(60_000, n_numeric=10, n_categorical=10, n_clusters=8,
                            random_state=0)
    model = KPrototypes(8, n_init=1, max_iter=5, random_state=0).fit(X)
    data_bytes = X.memory_usage(deep=True).sum()
    tracemalloc.start()
    try:
        TypingTool.build(model, X, max_questions=3, target_accuracy=1.0, random_state=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # holding features x rows x k distances would be about 30x the data
    assert peak < 5 * data_bytes


def test_typing_tool_file_without_a_model_is_a_model_file_error(tmp_path):
    import hashlib

    from dash_personas.segmentation._persistence import _canonical

    body = {"questions": ["x"], "accuracy": 1.0, "curve": []}
    document = {"format": "dash-personas/typing-tool", "format_version": "1.1",
                "sha256": hashlib.sha256(_canonical(body).encode()).hexdigest(), "tool": body}
    path = tmp_path / "typing.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="incomplete typing-tool file"):
        TypingTool.load(path)


# ------------------------------------------------------------------ weights
def _two_populations(n=800, seed=0):
    """Segment s shows in "a" for population P and in "b" for population Q."""
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, 2, n)
    in_p = np.arange(n) < n // 2
    sign = 5.0 * (2 * segment - 1)
    X = pd.DataFrame({"a": np.where(in_p, sign, 0.0) + rng.normal(0, 0.5, n),
                      "b": np.where(in_p, 0.0, sign) + rng.normal(0, 0.5, n)})
    init = pd.DataFrame({"a": [-2.5, 2.5], "b": [-2.5, 2.5]})
    model = KPrototypes(2, init=init, scale=False).fit(X)
    assert (model.labels_ == segment).mean() > 0.99
    return X, model, in_p


def test_weights_steer_the_question_search_to_the_weighted_population():
    X, model, in_p = _two_populations()
    heavy_p = np.where(in_p, 10.0, 0.1)
    heavy_q = np.where(in_p, 0.1, 10.0)
    for weight, first in ((heavy_p, "a"), (heavy_q, "b")):
        tool = TypingTool.build(model, X, max_questions=1, random_state=0,
                                sample_weight=weight)
        assert tool.questions == [first]
        assert tool.accuracy > 0.9  # right for nearly all of the weighted population
    unweighted = TypingTool.build(model, X, max_questions=1, random_state=0)
    assert unweighted.accuracy < 0.85  # one question serves only half of the rows


def test_weighted_accuracy_and_confusion_are_weight_totals_of_held_out_rows():
    X, model, _ = _two_populations(seed=1)
    weight = np.random.default_rng(2).uniform(0.1, 3.0, len(X))
    tool = TypingTool.build(model, X, max_questions=1, random_state=3, sample_weight=weight)
    held_out = np.random.default_rng(3).permutation(len(X))[:round(0.3 * len(X))]
    full = model.predict(X.iloc[held_out])
    typed = tool.predict(X.iloc[held_out][tool.questions])
    w = weight[held_out]
    hand = np.zeros((2, 2))
    np.add.at(hand, (full, typed), w)
    np.testing.assert_allclose(tool.confusion.to_numpy(), hand)
    assert tool.accuracy == pytest.approx(np.sum(w * (full == typed)) / w.sum())
    for segment in range(2):
        rows = full == segment
        assert tool.segment_accuracy[segment] == pytest.approx(
            np.sum(w[rows] * (typed[rows] == segment)) / w[rows].sum())
    again = TypingTool.from_json(tool.to_json())
    pd.testing.assert_frame_equal(again.confusion, tool.confusion)
    assert again.confusion.to_numpy().dtype == np.float64


@pytest.mark.parametrize("weight, message", [
    (np.ones(5), "5 values for 800 rows"),
    (np.r_[np.ones(799), -1.0], "non-negative"),
])
def test_bad_typing_tool_weights(weight, message):
    X, model, _ = _two_populations()
    with pytest.raises(ValueError, match=message):
        TypingTool.build(model, X, sample_weight=weight)


def test_ranked_answers_are_used_as_ranks_when_typing():
    """An ordered categorical used as numeric reaches the model as its rank, not NaN."""
    rng = np.random.default_rng(4)
    n = 600
    group = rng.integers(0, 3, n)
    levels = ["never", "rarely", "sometimes", "often", "always"]
    answers = np.clip(group * 2 + rng.integers(0, 2, n), 0, 4)
    X = pd.DataFrame({
        "score": rng.normal(size=n) + 3 * group,
        "likert": pd.Categorical(np.array(levels)[answers], categories=levels, ordered=True),
        "colour": np.array(["red", "green", "blue"])[group]})
    model = KPrototypes(n_clusters=3, categorical=["colour"], random_state=0).fit(X)
    assert "likert" in model.numeric_features_
    tool = TypingTool.build(model, X, max_questions=1, random_state=0)
    assert tool.questions == ["likert"]
    typed = tool.predict(X[["likert"]])
    # the held-out accuracy the tool reports is what it does on the answers
    assert (typed == model.labels_).mean() == pytest.approx(tool.accuracy, abs=0.05)
    assert (typed == model.labels_).mean() > 0.9
    assert (tool.predict(X[["likert"]].astype(str)) == typed).all()


def test_a_tool_built_from_two_rows_warns_and_reports_its_base_of_one(fitted):
    X, model = fitted
    with pytest.warns(UserWarning, match=r"accuracy is measured on 1 held-out respondent, "
                                         r"under the small base of 30.*holdout=, now 0.3"):
        tool = TypingTool.build(model, X.head(2), max_questions=2, random_state=0)
    assert tool.held_out_base == 1
    report = typing_report(tool)
    assert f"of {tool.accuracy:.1%} of 1 held-out respondent." in report
    assert "Under the small base of 30" in report
    again = TypingTool.from_json(tool.to_json())
    assert again.held_out_base == 1 and typing_report(again) == report


def test_a_large_enough_holdout_builds_without_a_warning_and_names_its_base(fitted):
    X, model = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tool = TypingTool.build(model, X.head(100), max_questions=2, random_state=0)
    assert tool.held_out_base == 30 == tool.confusion.to_numpy().sum()
    report = typing_report(tool)
    assert "of 30 held-out respondents." in report and "small base" not in report
    with pytest.warns(UserWarning, match="measured on 29 held-out respondents"):
        TypingTool.build(model, X.head(96), max_questions=2, random_state=0)  # 28.8 -> 29


def test_a_weighted_holdout_is_judged_on_its_effective_base(fitted):
    X, model = fitted
    skewed = 10.0 ** np.random.default_rng(0).uniform(0, 12, len(X))  # a few rows dominate
    with pytest.warns(UserWarning, match=r"measured on held-out respondents \(effective base "
                                         r"\d+\.\d\), under the small base of 30"):
        tool = TypingTool.build(model, X, max_questions=2, random_state=0,
                                sample_weight=skewed)
    assert 1 <= tool.held_out_base < 30
    assert f"(effective base {tool.held_out_base:,.1f})." in typing_report(tool)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        even = TypingTool.build(model, X, max_questions=2, random_state=0,
                                sample_weight=np.full(len(X), 2.5))
    assert even.held_out_base == pytest.approx(450)  # equal weights: the rows held out


def test_a_tool_file_from_before_the_base_was_recorded_reads_it_off_its_counts(fitted):
    X, model = fitted
    tool = TypingTool.build(model, X, max_questions=2, random_state=0)
    document = json.loads(tool.to_json())
    del document["tool"]["held_out_base"]
    document["format_version"] = "1.2"
    document["sha256"] = hashlib.sha256(_canonical(document["tool"]).encode()).hexdigest()
    assert TypingTool.from_json(json.dumps(document)).held_out_base == 450
