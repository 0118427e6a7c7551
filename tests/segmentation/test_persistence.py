"""save/load: versioned, checksummed JSON (no pickle), atomic writes, clear errors."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dash_personas.segmentation import KPrototypes, ModelFileError
from dash_personas.segmentation import _persistence as persistence


@pytest.fixture
def fitted(make_frame):
    X = make_frame(80, seed=2, missing_rate=0.1)
    model = KPrototypes(3, n_init=2, random_state=0, weights={"age": 2.0, "visits": 0.0},
                        gamma=1.5).fit(X)
    return model, X


def assert_same_model(a, b, X):
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-12)
    pd.testing.assert_frame_equal(a.cluster_centers_, b.cluster_centers_)
    assert a.gamma_ == b.gamma_
    assert a.cost_ == b.cost_
    assert a.n_iter_ == b.n_iter_
    assert a.cost_history_ == b.cost_history_
    assert a.numeric_features_ == b.numeric_features_
    assert a.categorical_features_ == b.categorical_features_
    assert a.n_features_in_ == b.n_features_in_
    np.testing.assert_array_equal(a.cluster_sizes_, b.cluster_sizes_)
    np.testing.assert_array_equal(a.cluster_weights_, b.cluster_weights_)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-12)
    assert a.score(X) == pytest.approx(b.score(X))


def test_weighted_model_keeps_its_segment_weights(make_frame, tmp_path):
    X = make_frame(60, seed=2)
    weights = np.random.default_rng(0).uniform(0.2, 3.0, len(X))
    model = KPrototypes(3, n_init=2, random_state=0).fit(X, sample_weight=weights)
    model.save(tmp_path / "weighted.json")
    loaded = KPrototypes.load(tmp_path / "weighted.json")
    assert loaded.cluster_weights_.sum() == pytest.approx(weights.sum())
    assert_same_model(model, loaded, X)


def test_round_trip(fitted, tmp_path):
    model, X = fitted
    path = tmp_path / "model.json"
    model.save(path)
    loaded = KPrototypes.load(path)
    assert isinstance(loaded, KPrototypes)
    assert_same_model(model, loaded, X)
    np.testing.assert_array_equal(model.feature_names_in_, loaded.feature_names_in_)
    assert loaded.get_params() == model.get_params()
    # the zero-weight feature still describes the segments after loading
    np.testing.assert_allclose(loaded.cluster_centers_["visits"],
                               model.cluster_centers_["visits"])


def test_round_trip_of_every_level_type(tmp_path):
    rng = np.random.default_rng(1)
    n = 50
    X = pd.DataFrame({
        "x": rng.normal(size=n),
        "flag": rng.random(n) < 0.5,
        "code": rng.integers(1, 4, n),
        "word": np.array(["ä", "b c", "\"quoted\""], dtype=object)[rng.integers(0, 3, n)],
        "likert": pd.Categorical(np.array(["lo", "mid", "hi"])[rng.integers(0, 3, n)],
                                 categories=["lo", "mid", "hi"], ordered=True),
        "colour": pd.Categorical(np.array(["red", "blue"])[rng.integers(0, 2, n)]),
    })
    model = KPrototypes(3, categorical=["flag", "code", "word", "colour"], n_init=1,
                        random_state=0).fit(X)
    assert model.numeric_features_ == ["x", "likert"]
    model.save(tmp_path / "m.json")
    loaded = KPrototypes.load(tmp_path / "m.json")
    assert_same_model(model, loaded, X)
    with pytest.warns(UserWarning, match="'word'"):
        loaded.predict(X.assign(word="never seen"))


def test_round_trip_of_an_array_model(tmp_path):
    X = np.random.default_rng(0).normal(size=(40, 3))
    model = KPrototypes(2, n_init=1, random_state=0).fit(X)
    model.save(tmp_path / "m.json")
    loaded = KPrototypes.load(str(tmp_path / "m.json"))
    assert_same_model(model, loaded, X)
    assert not hasattr(loaded, "feature_names_in_")


def test_file_is_json_not_pickle(fitted, tmp_path, monkeypatch):
    model, _ = fitted

    def no_pickle(*args, **kwargs):
        raise AssertionError("pickle must not be used")

    monkeypatch.setattr(pickle, "dumps", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    monkeypatch.setattr(pickle, "dump", no_pickle)
    monkeypatch.setattr(pickle, "load", no_pickle)
    path = tmp_path / "model.json"
    model.save(path)
    KPrototypes.load(path)
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["format"] == "dash-personas/kprototypes"
    assert document["format_version"].split(".")[0] == "1"
    assert len(document["sha256"]) == 64
    assert set(document["model"]) >= {"params", "encoder", "centers", "fitted"}
    assert "NaN" not in text


def _edit(path, change):
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def test_tampered_number_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = tmp_path / "model.json"
    model.save(path)

    def nudge(document):
        document["model"]["centers"]["numeric"][0][0] += 0.5

    _edit(path, nudge)
    with pytest.raises(ModelFileError, match="checksum"):
        KPrototypes.load(path)


def test_tampered_text_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = tmp_path / "model.json"
    model.save(path)
    text = path.read_text(encoding="utf-8")
    cost = json.dumps(model.cost_)
    assert cost in text
    path.write_text(text.replace(cost, json.dumps(model.cost_ / 2), 1), encoding="utf-8")
    with pytest.raises(ModelFileError, match="checksum"):
        KPrototypes.load(path)


def test_reformatted_file_still_loads(fitted, tmp_path):
    model, X = fitted
    path = tmp_path / "model.json"
    model.save(path)
    _edit(path, lambda document: None)  # same content, other whitespace
    assert_same_model(model, KPrototypes.load(path), X)


def test_other_major_version_is_refused(fitted, tmp_path):
    model, _ = fitted
    path = tmp_path / "model.json"
    model.save(path)
    _edit(path, lambda document: document.update(format_version="2.0"))
    with pytest.raises(ModelFileError, match=r"version 2\.0 is not supported"):
        KPrototypes.load(path)


def test_other_minor_version_loads(fitted, tmp_path):
    model, X = fitted
    path = tmp_path / "model.json"
    model.save(path)
    _edit(path, lambda document: document.update(format_version="1.7"))
    assert_same_model(model, KPrototypes.load(path), X)


@pytest.mark.parametrize("content, message", [
    ('{"hello": "world"}', "not a dash-personas"),
    ("[1, 2, 3]", "not a dash-personas"),
    ("{not json", "not a valid model file"),
    ("", "not a valid model file"),
])
def test_not_a_model_file(tmp_path, content, message):
    path = tmp_path / "other.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelFileError, match=message):
        KPrototypes.load(path)


def test_incomplete_model_with_a_valid_checksum(fitted, tmp_path):
    model, _ = fitted
    document = persistence.model_to_dict(model)
    del document["model"]["fitted"]["gamma"]
    document["sha256"] = persistence.hashlib.sha256(
        persistence._canonical(document["model"]).encode("utf-8")).hexdigest()
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelFileError, match="incomplete"):
        KPrototypes.load(path)


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)


def test_save_is_atomic(fitted, tmp_path, monkeypatch):
    model, _ = fitted
    path = tmp_path / "model.json"
    model.save(path)
    before = path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # fail while the temporary file is being written: the old file stays intact
    import survey_builder.atomic as atomic

    monkeypatch.setattr(atomic.os, "fsync", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_save_creates_the_folder(fitted, tmp_path):
    model, X = fitted
    path = tmp_path / "deep" / "er" / "model.json"
    model.save(path)
    assert_same_model(model, KPrototypes.load(path), X)


def test_unfitted_model_cannot_be_saved(tmp_path):
    with pytest.raises(ValueError, match="fit"):
        KPrototypes(2).save(tmp_path / "model.json")
    assert not (tmp_path / "model.json").exists()


def test_random_state_object_and_explicit_init_are_saved(make_frame, tmp_path):
    X = make_frame(40, seed=1)
    init = X.dropna().iloc[:2].reset_index(drop=True)
    model = KPrototypes(2, init=init, random_state=np.random.RandomState(0)).fit(X)
    model.save(tmp_path / "m.json")
    loaded = KPrototypes.load(tmp_path / "m.json")
    assert loaded.random_state is None
    assert isinstance(loaded.init, str)
    assert_same_model(model, loaded, X)


def test_a_file_written_before_the_engine_refactor_still_loads(make_frame, tmp_path):
    """``data/model_v1_0.json`` came from the version before issue #9 (format 1.0)."""
    data = Path(__file__).parent / "data"
    expected = json.loads((data / "model_v1_0_expected.json").read_text(encoding="utf-8"))
    X = make_frame(40, seed=8, missing_rate=0.1)
    model = KPrototypes.load(data / "model_v1_0.json")
    np.testing.assert_array_equal(model.predict(X), expected["labels"])
    np.testing.assert_allclose(model.transform(X), expected["transform"], rtol=1e-12)
    centres = pd.DataFrame(expected["cluster_centers"]).rename_axis("segment")
    # "income" has weight 0: its segment means live only in the file's zero_weight_means
    np.testing.assert_allclose(model.cluster_centers_["income"], centres["income"])
    for name in model.categorical_features_:
        assert model.cluster_centers_[name].tolist() == centres[name].tolist()
    np.testing.assert_array_equal(
        model.distance_.to_prototypes(model.encoder_.transform(X), model.prototypes_),
        model.transform(X))
    # saving it again writes the same model body
    model.save(tmp_path / "again.json")
    before = json.loads((data / "model_v1_0.json").read_text(encoding="utf-8"))
    after = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert after["model"] == before["model"]
    assert after["sha256"] == before["sha256"]


def test_json_text_round_trip_without_a_file(fitted):
    model, X = fitted
    text = model.to_json()
    assert_same_model(model, KPrototypes.from_json(text), X)
    with pytest.raises(ModelFileError, match=r"^stored: not a valid model file"):
        KPrototypes.from_json(text[:-20], source="stored")


def test_a_model_file_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(b'{"format": "\xff\xfe"}')
    with pytest.raises(ModelFileError, match="not UTF-8 text at byte 12"):
        KPrototypes.load(path)
