"""Inputs found by fuzzing: dates, odd level types, overflow, text arrays, id columns."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from dash_personas.segmentation import KPrototypes, ModelFileError, TypingTool
from dash_personas.segmentation._levels import level_from_json, level_to_json
from survey_builder.errors import UserError


def _frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    return pd.DataFrame({
        "age": 30.0 + 15.0 * group + rng.normal(0.0, 2.0, n),
        "region": np.array(["north", "south", "east"], dtype=object)[group],
    })


def _with_dates(n: int = 120) -> pd.DataFrame:
    X = _frame(n)
    X["signup"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n) % 7, unit="D")
    X.loc[5, "signup"] = pd.NaT
    return X


@pytest.mark.parametrize("categorical", ["auto", ["region"]])
def test_a_datetime_column_is_an_error_that_says_how_to_convert_it(categorical):
    X = _with_dates()
    with pytest.raises(UserError, match=r"column 'signup' holds dates.*days since the earliest"):
        KPrototypes(3, categorical=categorical, random_state=0).fit(X)


def test_a_timedelta_column_and_a_datetime_array_are_errors_naming_the_column():
    X = _frame()
    X["wait"] = pd.to_timedelta(np.arange(len(X)), unit="h")
    with pytest.raises(UserError, match=r"column 'wait' holds dates or times.*total_seconds"):
        KPrototypes(3, random_state=0).fit(X)
    dates = np.array(["2024-01-01", "2024-02-01"] * 30, dtype="datetime64[D]").reshape(-1, 2)
    with pytest.raises(UserError, match=r"column '0' holds dates"):
        KPrototypes(2, random_state=0).fit(dates)


def test_an_object_column_of_timestamps_used_as_numeric_names_the_dates():
    X = _frame()
    X["signup"] = pd.Series(list(pd.date_range("2024-01-01", periods=len(X))), dtype=object)
    with pytest.raises(UserError, match=r"column 'signup' holds dates"):
        KPrototypes(3, categorical=["region"], random_state=0).fit(X)


def test_the_suggested_conversion_keeps_nat_missing_and_fits():
    X = _with_dates()
    X["signup"] = (X["signup"] - X["signup"].min()).dt.days
    model = KPrototypes(3, random_state=0).fit(X)
    assert model.numeric_features_ == ["age", "signup"]
    # NaT became a missing value, not -9.2e18: the numeric range stays the data's
    assert model.encoder_.mean_[1] == pytest.approx(np.nanmean(X["signup"]))
    assert model.cluster_centers_["signup"].between(0, 6).all()


def test_timestamp_levels_fit_save_and_load_back_equal(tmp_path):
    X = _with_dates()
    model = KPrototypes(3, categorical=["region", "signup"], random_state=0).fit(X)
    levels = model.encoder_.levels_[1]
    assert all(isinstance(v, pd.Timestamp) for v in levels) and len(levels) == 7
    assert (model.encoder_.transform(X).categorical[5, 1]) == -1  # NaT is missing
    model.save(tmp_path / "m.json")
    loaded = KPrototypes.load(tmp_path / "m.json")
    assert loaded.encoder_.levels_ == model.encoder_.levels_
    np.testing.assert_array_equal(loaded.predict(X), model.labels_)
    assert loaded.cluster_centers_.equals(model.cluster_centers_)


def test_interval_levels_of_an_ordered_cut_are_saved(tmp_path):
    X = _frame()
    X["band"] = pd.cut(X["age"], bins=[0, 35, 50, 100])
    # not listed as categorical, the ordered cut is used as numeric ranks
    ranked = KPrototypes(3, categorical=["region"], random_state=0).fit(X)
    assert "band" in ranked.encoder_.ordered_levels_
    as_levels = KPrototypes(3, random_state=0).fit(X)
    assert isinstance(as_levels.encoder_.levels_[1][0], pd.Interval)
    for model in (ranked, as_levels):
        model.save(tmp_path / "m.json")
        loaded = KPrototypes.load(tmp_path / "m.json")
        assert loaded.encoder_.ordered_levels_ == model.encoder_.ordered_levels_
        assert loaded.encoder_.levels_ == model.encoder_.levels_
        np.testing.assert_array_equal(loaded.predict(X), model.labels_)


@pytest.mark.parametrize("value", [
    "text", 3, -2**70, 2.5, True, float("inf"), float("-inf"),
    pd.Timestamp("2024-03-01 12:30:00.000001"), pd.Timestamp("2024-03-01", tz="Europe/Berlin"),
    pd.Timestamp("2024-03-01", tz="UTC"), np.datetime64("2024-03-01T10:00:00.000000001"),
    dt.datetime(2024, 3, 1, 8, 0), dt.date(2024, 3, 1), dt.time(8, 30), pd.Timedelta("1D 2h"),
    dt.timedelta(days=1, seconds=5), pd.Period("2024-03", freq="M"),
    pd.Interval(0.0, 1.5, closed="left"), decimal.Decimal("1.10"), complex(1, -2), b"\x00\xff",
    ("a", 1, pd.Timestamp("2024-01-01")), frozenset({"x", 2}), np.int16(4), np.str_("s"),
])
def test_every_level_type_round_trips_through_json_text(value):
    stored = json.loads(json.dumps(level_to_json(value), allow_nan=False))
    restored = level_from_json(stored)
    expected = pd.Timestamp(value) if isinstance(value, np.datetime64) else value
    assert restored == expected
    assert type(restored) is type(expected.item() if isinstance(expected, np.generic)
                                  else expected)
    if isinstance(value, pd.Timestamp):
        assert str(restored.tzinfo) == str(value.tzinfo)


def test_a_level_without_a_json_form_is_a_user_error_naming_the_column(tmp_path):
    class Token:
        def __init__(self, name: str) -> None:
            self.name = name

        def __repr__(self) -> str:
            return f"Token({self.name})"

    X = _frame()
    tokens = [Token("a"), Token("b")]
    X["token"] = pd.Series([tokens[i % 2] for i in range(len(X))], dtype=object)
    model = KPrototypes(3, random_state=0).fit(X)
    with pytest.raises(UserError, match=r"column 'token': a level of type Token"):
        model.save(tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("scale", [True, False])
def test_values_whose_spread_overflows_name_the_column(weighted, scale):
    X = _frame()
    X["income"] = np.linspace(1.0, 2.0, len(X)) * 1e200
    weight = np.ones(len(X)) if weighted else None
    with pytest.raises(UserError, match=r"column 'income' has values too large.*2e\+200"):
        KPrototypes(3, scale=scale, random_state=0).fit(X, sample_weight=weight)


def test_large_but_representable_values_still_fit():
    X = _frame()
    X["income"] = X["age"] * 1e100
    model = KPrototypes(3, random_state=0).fit(X)
    assert np.isfinite(model.cluster_centers_["income"]).all()
    assert np.isfinite(model.cost_)


def test_an_all_text_array_warns_that_every_column_is_categorical():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.choice(["a", "b"], 60), rng.choice(["1.5", "2.5"], 60)])
    with pytest.warns(UserWarning, match=r"every column of the array is used as categorical"
                                         r".*'0', '1'"):
        model = KPrototypes(2, random_state=0).fit(X)
    assert model.numeric_features_ == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KPrototypes(2, categorical=[0, 1], random_state=0).fit(X)  # said so: no warning
        KPrototypes(2, random_state=0).fit(_frame())  # a frame with real dtypes


@pytest.mark.parametrize("values", [
    np.round(np.random.default_rng(1).normal(3.0, 1.0, 120), 1),  # floats read as object
    np.random.default_rng(2).integers(1, 6, 120),                  # whole numbers
])
def test_an_object_column_of_numbers_warns_naming_it_and_the_remedy(values):
    X = _frame().assign(score=pd.Series(list(values), dtype=object))
    with pytest.warns(UserWarning, match=r"column\(s\) 'score' hold only numbers but have "
                                         r"dtype object, so they are used as categorical.*"
                                         r"pd\.to_numeric.*categorical=\[\.\.\.\]"):
        model = KPrototypes(3, n_init=1, random_state=0).fit(X)
    assert "score" in model.categorical_features_  # the dtype decides, as documented
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        converted = X.assign(score=pd.to_numeric(X["score"]))  # the remedy it names
        assert "score" in KPrototypes(3, n_init=1, random_state=0).fit(
            converted).numeric_features_
        KPrototypes(3, n_init=1, random_state=0, categorical=["region", "score"]).fit(X)
        KPrototypes(3, n_init=1, random_state=0).fit(X.astype({"score": "category"}))


def test_an_object_column_of_text_or_flags_is_categorical_without_that_warning():
    X = _frame()
    X["answer"] = pd.Series([1.5, "n/a", 2.5] * 40, dtype=object)  # numbers and text
    X["member"] = pd.Series([True, False, False] * 40, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = KPrototypes(3, n_init=1, random_state=0).fit(X)
    assert {"answer", "member"} <= set(model.categorical_features_)


@pytest.mark.parametrize("n, id_like", [(30, True), (19, False), (2_000, True)])
def test_a_probable_id_column_warns_naming_it(n, id_like):
    X = _frame(n)
    ids = [f"r{i}" for i in range(n)]
    if n >= 1_000:  # mostly, not fully, unique on large data
        ids = [f"g{i // 10}" if i % 10 < 4 else f"r{i}" for i in range(n)]  # 70 % unique
    X["respondent"] = ids
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        KPrototypes(3, random_state=0).fit(X)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    found = [m for m in messages if "'respondent'" in m and "identifiers" in m]
    assert bool(found) is id_like
    if id_like:
        assert f"({len(set(ids)):,} levels)" in found[0]


@pytest.mark.parametrize("ids, id_like", [
    (np.arange(1, 121), True),                          # row numbers
    (1000 + 7 * np.arange(120)[::-1], True),            # decreasing ids with gaps
    (np.random.default_rng(0).permutation(120) + 1, True),  # shuffled 1..n
    (np.random.default_rng(0).integers(0, 10**6, 120), False),  # whole numbers, unordered
    (np.arange(120) + 0.5, False),                      # not whole numbers
])
def test_a_probable_numeric_id_column_warns_naming_it(ids, id_like):
    X = _frame()
    X["respondent_id"] = ids
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        KPrototypes(3, n_init=1, random_state=0).fit(X)
    found = [str(w.message) for w in caught
             if "'respondent_id'" in str(w.message) and "identifiers" in str(w.message)]
    assert bool(found) is id_like
    if id_like:
        assert found[0].startswith("numeric column(s) 'respondent_id' look like identifiers")


def test_a_numeric_column_with_repeats_or_few_rows_is_not_called_an_id():
    X = _frame()
    X["visits"] = np.arange(120) // 2  # monotone but repeated
    X["age_years"] = np.round(X["age"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KPrototypes(3, n_init=1, random_state=0).fit(X)
        KPrototypes(3, n_init=1, random_state=0).fit(_frame(19).assign(n=np.arange(19)))


@pytest.mark.parametrize("method", ["predict", "transform", "predict_proba", "membership"])
def test_huge_values_at_predict_are_an_error_naming_the_column(method):
    X = _frame()
    model = KPrototypes(3, n_init=1, random_state=0).fit(X)
    new = X.head(4).copy()
    new.loc[new.index[2], "age"] = -3e200
    with pytest.raises(UserError, match=r"column 'age' has a value too large to compare with "
                                        r"the segments \(row 2: -3e\+200"):
        getattr(model, method)(new)
    new.loc[new.index[2], "age"] = 1e100  # far off but representable: assigned
    assert np.isfinite(model.transform(new)).all()


def test_a_categorical_with_few_levels_is_not_called_an_id():
    X = _frame(3_000)
    X["code"] = [f"c{i % 1_400}" for i in range(len(X))]  # 47 % unique: not flagged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KPrototypes(3, random_state=0).fit(X)


@pytest.mark.parametrize("load", [KPrototypes.load, TypingTool.load])
def test_every_unreadable_model_file_is_a_model_file_error_with_the_path(load, tmp_path):
    for path, problem in ((tmp_path / "missing.json", "no such"), (tmp_path, "cannot read")):
        with pytest.raises(ModelFileError, match=problem) as caught:
            load(path)
        assert caught.value.file == str(path)
        assert str(path) in str(caught.value)
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b"\xe9t\xe9")
    with pytest.raises(ModelFileError, match=r"latin1.json: not a .* \(not UTF-8"):
        load(bad)


def test_a_model_file_with_a_malformed_body_is_a_model_file_error(tmp_path):
    from dash_personas.segmentation import _persistence as persistence

    model = KPrototypes(3, random_state=0).fit(_frame())
    document = persistence.model_to_dict(model)
    document["model"]["encoder"]["ordered_levels"] = ["not", "a", "mapping"]
    document["sha256"] = persistence.hashlib.sha256(
        persistence._canonical(document["model"]).encode("utf-8")).hexdigest()
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"m.json: incomplete model file"):
        KPrototypes.load(path)


def test_a_complex_column_is_an_error_naming_it_at_fit_and_at_predict():
    """numpy would drop the imaginary part with only a ComplexWarning."""
    X = _frame(60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning on the way to the error
        with pytest.raises(UserError, match=r"column 'wave' holds complex numbers"):
            KPrototypes(3, n_init=1, random_state=0).fit(X.assign(wave=X["age"] + 1j))
    model = KPrototypes(3, n_init=1, random_state=0).fit(X.assign(wave=X["age"]))
    with pytest.raises(UserError, match=r"column 'wave' holds complex numbers"):
        model.predict(X.assign(wave=X["age"] * 1j))
