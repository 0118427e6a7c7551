"""Survey weights through the pipeline and the ``segment`` / ``personas`` commands."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dash_personas.cli import main
from dash_personas.personas import load_personas
from dash_personas.pipeline import fit_segments, read_weights, run_pipeline
from dash_personas.segmentation import KPrototypes


def planted(n: int = 180, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    segment = np.arange(n) % 3
    frame = pd.DataFrame(np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 6.0]])[segment]
                         + rng.normal(size=(n, 2)), columns=["num_0", "num_1"])
    frame["cat_0"] = np.where(rng.random(n) < 0.8, np.array(list("abc"))[segment],
                              np.array(list("abcd"))[rng.integers(0, 4, n)])
    frame.insert(0, "respondent_id", np.arange(1000, 1000 + n))
    frame["w"] = rng.integers(1, 4, n).astype(float)
    return frame


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in argv])
    return exit_info.value.code, capsys.readouterr()


@pytest.mark.parametrize("values, message", [
    (None, "no such column"),
    (["x"] * 180, "weights must be numbers, found 'x'"),
    (np.r_[-1.0, np.ones(179)], "1 negative weight(s), first in data row 1"),
    (np.r_[np.ones(4), np.nan, np.ones(175)], "1 missing weight(s), first in data row 5"),
    (np.zeros(180), "every weight is zero"),
])
def test_bad_weight_columns_name_file_and_column(values, message):
    frame = planted()
    if values is None:
        frame = frame.drop(columns="w")
    else:
        frame["w"] = values
    with pytest.raises(ValueError) as error:
        read_weights(frame, "w", source="scores.csv")
    assert str(error.value).startswith("scores.csv weight column 'w': ")
    assert message in str(error.value)


def test_fit_segments_fits_with_the_weights():
    frame = planted()
    data = frame[["num_0", "num_1", "cat_0"]]
    weights = frame["w"].to_numpy()
    fitted = fit_segments(data, 3, n_init=2, random_state=0, sample_weight=weights,
                          weight_column="w").model
    direct = KPrototypes(3, n_init=2, random_state=0).fit(data, sample_weight=weights)
    pd.testing.assert_frame_equal(fitted.cluster_centers_, direct.cluster_centers_)
    assert fitted.weight_column_ == "w"
    unweighted = KPrototypes(3, n_init=2, random_state=0).fit(data)
    assert not np.allclose(fitted.cluster_centers_["num_0"], unweighted.cluster_centers_["num_0"])
    chosen = fit_segments(data, "auto", k_range=range(2, 4), n_init=2, n_bootstrap=0,
                          random_state=0, sample_weight=weights, weight_column="w").model
    assert chosen.weight_column_ == "w"


def test_run_pipeline_weights_by_column_never_a_feature():
    frame = planted()
    result = run_pipeline(frame, k=3, n_init=2, weight="w")
    assert "w" not in result.features.features
    assert result.model.weight_column_ == "w"
    personas = result.personas
    assert personas.statistics.weight == "w" and personas.statistics.weighted
    assert not any(f.name == "w" for f in personas.features)
    weights = frame["w"].to_numpy()
    labels = result.model.labels_
    for persona in personas:
        inside = labels == persona.segment
        assert persona.size == inside.sum()
        assert persona.share == pytest.approx(weights[inside].sum() / weights.sum())
        kish = weights[inside].sum() ** 2 / (weights[inside] ** 2).sum()
        assert persona.base == pytest.approx(kish) and persona.base < persona.size
        assert persona.weighted
    with pytest.raises(ValueError, match="cannot also be a segmentation feature"):
        run_pipeline(frame, k=3, include=["num_0", "w"], weight="w")


def test_integer_weights_give_the_personas_of_repeated_rows():
    frame = planted()
    data = frame[["num_0", "num_1", "cat_0"]]
    model = KPrototypes(3, n_init=2, random_state=0).fit(data)
    from dash_personas.personas import build_personas

    weighted = build_personas(model.labels_, data, sample_weight=frame["w"].to_numpy())
    repeat = np.repeat(np.arange(len(frame)), frame["w"].to_numpy().astype(int))
    repeated = build_personas(model.labels_[repeat], data.iloc[repeat].reset_index(drop=True))
    for a, b in zip(weighted, repeated):
        assert a.segment == b.segment and a.share == pytest.approx(b.share)
        assert [d.mean for d in a.profile] == pytest.approx([d.mean for d in b.profile])
        assert [c.share for c in a.categories] == pytest.approx([c.share for c in b.categories])


@pytest.fixture
def weighted_csv(tmp_path):
    path = tmp_path / "scores.csv"
    planted().to_csv(path, index=False)
    return path


def test_segment_and_personas_commands_with_a_weight_column(weighted_csv, tmp_path, capsys):
    model_path = tmp_path / "model.json"
    code, captured = _run(["segment", weighted_csv, "--k", "3", "--n-init", "2", "--weight", "w",
                           "--out", model_path], capsys)
    assert code in (0, None), captured.err
    document = json.loads(model_path.read_text(encoding="utf-8"))
    assert document["model"]["fitted"]["weight_column"] == "w"
    assert "w" not in document["model"]["encoder"]["feature_names_in"]
    assert "effective base" in captured.out and "Holm's method" in captured.out
    assert KPrototypes.load(model_path).weight_column_ == "w"

    out = tmp_path / "personas.json"
    code, captured = _run(["personas", model_path, weighted_csv, "--out", out], capsys)
    assert code in (0, None), captured.err
    personas = load_personas(out)
    assert personas.statistics.weight == "w"  # the model's column, by default
    assert all(p.weighted and p.base < p.size for p in personas)
    code, captured = _run(["personas", model_path, weighted_csv, "--out", out, "--min-base",
                           "1000", "--correction", "fdr_bh"], capsys)
    assert code in (0, None), captured.err
    personas = load_personas(out)
    assert all(p.small_base for p in personas)
    assert personas.statistics.correction == "fdr_bh"


def test_weight_errors_are_one_line_naming_file_and_column(weighted_csv, tmp_path, capsys):
    bad = planted()
    bad.loc[3, "w"] = -2.0
    bad_csv = tmp_path / "bad.csv"
    bad.to_csv(bad_csv, index=False)
    for source, column, message in [(weighted_csv, "weights", "no such column"),
                                    (bad_csv, "w", "negative weight"),
                                    (weighted_csv, "cat_0", "weights must be numbers")]:
        code, captured = _run(["segment", source, "--k", "3", "--weight", column, "--out",
                               tmp_path / "m.json"], capsys)
        assert code == 2
        assert captured.err.strip().count("\n") == 0
        assert f"{source} weight column '{column}'" in captured.err and message in captured.err
    model_path = tmp_path / "model.json"
    _run(["segment", weighted_csv, "--k", "3", "--n-init", "1", "--weight", "w", "--out",
          model_path], capsys)
    unweighted_csv = tmp_path / "no_weights.csv"
    planted().drop(columns="w").to_csv(unweighted_csv, index=False)
    code, captured = _run(["personas", model_path, unweighted_csv, "--out",
                           tmp_path / "p.json"], capsys)
    assert code == 2 and captured.err.strip().count("\n") == 0
    assert f"{unweighted_csv} weight column 'w': no such column" in captured.err


def test_sizes_recounted_on_new_data_keep_the_weights():
    from dash_personas.personas import refresh_sizes

    frame = planted()
    personas = run_pipeline(frame, k=3, n_init=2, weight="w").personas
    again = refresh_sizes(personas, frame)
    for before, after in zip(personas, again):
        assert after.size == before.size
        assert after.share == pytest.approx(before.share)  # weighted, as when built
    unweighted = refresh_sizes(personas, frame.drop(columns="w"))
    assert [p.share for p in unweighted] == pytest.approx(
        [p.size / len(frame) for p in personas])
