"""Issue 10, re-checked from the user's side: the inputs a demanding analyst passes.

Every entry point that takes survey data or weights — ``KPrototypes.fit`` /
``predict`` / ``predict_proba`` / ``membership``, ``select_k``, ``profile_segments``,
``TypingTool.build`` and ``build_personas`` — either gives a sensible answer or a
``UserError`` (a ``ValueError``) naming the column, the weights or the file.
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data

from dash_personas import build_personas
from dash_personas.personas import load_personas
from dash_personas.segmentation import (
    KPrototypes,
    ModelFileError,
    TypingTool,
    profile_segments,
    select_k,
)
from survey_builder.errors import UserError


def _survey(n: int = 150, seed: int = 0) -> pd.DataFrame:
    """Three clear segments in two numeric and two categorical answers."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    return pd.DataFrame({
        "age": 30.0 + 15.0 * group + rng.normal(0.0, 2.0, n),
        "income": 10.0 * group + rng.normal(0.0, 1.0, n),
        "region": np.array(["north", "south", "east"], dtype=object)[group],
        "plan": np.array(["a", "b", "c"], dtype=object)[(group + rng.integers(0, 2, n)) % 3],
    })


def _fit(X: pd.DataFrame, **kwargs) -> KPrototypes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # restarts agreeing is not what these tests check
        return KPrototypes(3, n_init=2, random_state=0, **kwargs).fit(X)


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return _survey()


@pytest.fixture(scope="module")
def reference(survey) -> KPrototypes:
    return _fit(survey)


# ---------------------------------------------------------------- pandas dtypes
def _variant(survey: pd.DataFrame, name: str) -> pd.DataFrame:
    X = survey.copy()
    if name == "string[pyarrow]":
        X["region"] = X["region"].astype("string[pyarrow]")
    elif name == "python string":
        X["region"] = X["region"].astype("string")
    elif name == "category with unused levels":
        X["region"] = pd.Categorical(X["region"], categories=["west", "north", "south", "east"])
    elif name == "int column names":
        X.columns = [0, 1, 2, 3]
    return X


@pytest.mark.parametrize("name", ["string[pyarrow]", "python string",
                                  "category with unused levels", "int column names"])
def test_the_same_answers_in_another_dtype_give_the_same_segments(survey, reference, name):
    X = _variant(survey, name)
    model = _fit(X)
    np.testing.assert_array_equal(model.labels_, reference.labels_)
    assert model.cost_ == pytest.approx(reference.cost_)
    assert "west" not in model.encoder_.levels_[0]  # an unused category is no level
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(survey))
    np.testing.assert_array_equal(model.membership(X).second_segment,
                                  reference.membership_.second_segment)
    profiles = profile_segments(X, model.labels_)
    assert profiles.summary["size"].tolist() == np.bincount(reference.labels_).tolist()
    tool = TypingTool.build(model, X, max_questions=2, random_state=0)
    assert tool.accuracy == 1.0  # the segments are clear: two questions find them
    personas = build_personas(model, X)
    assert sorted(p.size for p in personas) == sorted(np.bincount(reference.labels_).tolist())


def test_nullable_integers_and_booleans_keep_pd_na_missing(survey):
    X = survey.copy()
    age = X["age"].round().astype("Int64")
    age[::10] = pd.NA
    X["age"] = age
    X["member"] = pd.array([True, False, None] * (len(X) // 3), dtype="boolean")
    model = _fit(X)
    assert model.numeric_features_ == ["age", "income"]
    assert model.categorical_features_ == ["region", "plan", "member"]
    # pd.NA is a missing value, never a number: the mean is that of the answered rows
    assert model.encoder_.mean_[0] == pytest.approx(age.astype(float).mean())
    assert model.encoder_.levels_[2] == [False, True]
    encoded = model.encoder_.transform(X)
    assert (encoded.categorical[2::3, 2] == -1).all()
    assert encoded.numeric_mask[::10, 0].sum() == 0
    assert np.isfinite(model.predict_proba(X)).all()
    assert profile_segments(X, model.labels_).numeric.query("feature == 'age'")["base"].sum() \
        == pytest.approx(age.notna().sum())


def test_bool_and_mixed_object_columns_are_categorical(survey):
    X = survey.assign(member=np.arange(len(survey)) % 2 == 0,
                      code=pd.Series([1, "x", 2.5] * (len(survey) // 3), dtype=object))
    model = _fit(X)
    assert model.categorical_features_ == ["region", "plan", "member", "code"]
    assert model.encoder_.levels_[3] == [1, 2.5, "x"]  # numbers before text, never compared
    assert set(model.cluster_centers_["code"]) <= {1, 2.5, "x"}


@pytest.mark.parametrize("column, values", [
    ("empty", np.nan),
    ("empty", pd.Series([None] * 150, dtype=object)),
    ("empty", pd.array([None] * 150, dtype="Int64")),
    ("empty", pd.Categorical([np.nan] * 150, categories=["x"])),
])
def test_an_all_missing_column_is_an_error_naming_it_everywhere(survey, column, values):
    X = survey.assign(**{column: values})
    match = f"column '{column}' is entirely missing"
    with pytest.raises(UserError, match=match):
        KPrototypes(3, random_state=0).fit(X)
    with pytest.raises(UserError, match=match):
        select_k(X, k=[2, 3], random_state=0)


def test_duplicated_names_a_single_row_and_inf_are_errors(survey, reference):
    twice = survey.set_axis(["age", "age", "region", "plan"], axis=1)
    with pytest.raises(UserError, match="column names must be unique"):
        KPrototypes(3).fit(twice)
    with pytest.raises(UserError, match="n_samples=1 should be >= n_clusters=3"):
        KPrototypes(3).fit(survey.head(1))
    assert KPrototypes(1, n_init=1).fit(survey.head(1)).labels_.tolist() == [0]
    infinite = survey.assign(age=survey["age"].where(survey.index != 3, np.inf))
    for call in (lambda: KPrototypes(3).fit(infinite), lambda: reference.predict(infinite),
                 lambda: reference.predict_proba(infinite),
                 lambda: select_k(infinite, k=[2, 3])):
        with pytest.raises(UserError, match="column 'age' contains infinite values"):
            call()


@pytest.mark.parametrize("cell", [[1, 2], {"a": 1}])
def test_unhashable_cells_are_a_user_error_naming_the_column(survey, cell):
    X = survey.assign(tags=[cell] * len(survey))
    with pytest.raises(UserError, match=r"column 'tags': argument must be a string or a "
                                        r"number, not (list|dict); convert") as caught:
        KPrototypes(3).fit(X)
    assert isinstance(caught.value, TypeError)  # what scikit-learn's check_dtype_object wants


# ---------------------------------------------------------------------- weights
def _typing_weighted(X, w, model):
    return TypingTool.build(model, X, max_questions=2, random_state=0, sample_weight=w)


ENTRY_POINTS = {
    "fit": lambda X, w, model: KPrototypes(3, n_init=1, random_state=0).fit(
        X, sample_weight=w),
    "select_k": lambda X, w, model: select_k(X, k=[2, 3], sample_weight=w, random_state=0,
                                              n_bootstrap=2),
    "profile_segments": lambda X, w, model: profile_segments(X, model.labels_,
                                                              sample_weight=w),
    "TypingTool.build": _typing_weighted,
    "build_personas": lambda X, w, model: build_personas(model, X, sample_weight=w),
}
N = 150
BAD_WEIGHTS = {
    "negative": (np.r_[-1.0, np.ones(N - 1)], r"non-negative: 0 NaN, 0 infinite and 1 "
                                               r"negative values \(the first at row 0: -1.0\)"),
    "NaN": (np.r_[np.ones(N - 1), np.nan], r"1 NaN, 0 infinite .* row 149: nan"),
    "infinite": (np.r_[np.inf, np.ones(N - 1)], r"0 NaN, 1 infinite"),
    "wrong length": (np.ones(N - 1), r"sample_weight has 149 values for 150 rows"),
    "two columns": (np.ones((N // 2, 2)), r"one value per row \(shape \(150,\)\), got shape "
                                          r"\(75, 2\)"),
    "text": (np.array(["1"] * (N - 1) + ["heavy"], dtype=object),
             r"sample_weight must be numbers, found 'heavy'"),
    "all zero": (np.zeros(N), r"all zero|0 rows \(with positive weight\)"),
    "huge": (np.full(N, 1e300), r"the sample weights total 1.5e\+302, outside the range .* "
                                r"divide the weights by their mean"),
    "tiny": (np.full(N, 1e-200), r"the sample weights total 1.5e-198, outside the range"),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("problem", BAD_WEIGHTS)
def test_bad_weights_are_one_clear_error_at_every_entry_point(survey, reference, entry,
                                                              problem):
    weights, message = BAD_WEIGHTS[problem]
    with pytest.raises(UserError, match=message):
        ENTRY_POINTS[entry](survey, weights, reference)


def test_weights_rescaled_by_any_factor_in_range_give_the_same_answers(survey, reference):
    """No overflow or underflow inside the accepted range: only the weight units change."""
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(survey))
    base = KPrototypes(3, n_init=2, random_state=0).fit(survey, sample_weight=w)
    base_profiles = profile_segments(survey, base.labels_, sample_weight=w)
    for factor in (1e-95, 1e90):
        scaled = KPrototypes(3, n_init=2, random_state=0).fit(survey, sample_weight=w * factor)
        np.testing.assert_array_equal(scaled.labels_, base.labels_)
        assert scaled.cost_ == pytest.approx(base.cost_ * factor)
        np.testing.assert_allclose(scaled.predict_proba(survey), base.predict_proba(survey))
        profiles = profile_segments(survey, base.labels_, sample_weight=w * factor)
        np.testing.assert_allclose(profiles.summary["effective_base"],
                                   base_profiles.summary["effective_base"])
        np.testing.assert_allclose(profiles.numeric["p_value"],
                                   base_profiles.numeric["p_value"])
        personas = build_personas(reference, survey, sample_weight=w * factor)
        assert all(np.isfinite(p.base) and p.base > 10 for p in personas)


def test_fewer_positive_weights_than_segments_is_an_error(survey):
    w = np.r_[1.0, 1.0, np.zeros(len(survey) - 2)]
    with pytest.raises(UserError, match=r"only 2 of the 150 rows have a positive "
                                        r"sample_weight, fewer than n_clusters=3"):
        KPrototypes(3).fit(survey, sample_weight=w)
    with pytest.raises(UserError, match=r"too little data .* 2 rows \(with positive weight\)"):
        select_k(survey, k=[2, 3], sample_weight=w)


def test_weighted_typing_accuracy_is_a_share_never_above_one(survey, reference):
    w = np.random.default_rng(3).uniform(0.1, 7.3, len(survey))
    tool = TypingTool.build(reference, survey, max_questions=4, random_state=0,
                            sample_weight=w)
    assert tool.accuracy == 1.0  # every held-out row typed right: exactly one, not 1 + ulp
    assert (tool.curve["accuracy"] <= 1.0).all()


@pytest.mark.parametrize("seed, n_init, k", [(0, 1, 2), (3, 3, 3), (5, 10, 5)])
def test_sample_weight_equivalence_holds_whatever_the_seed(seed, n_init, k):
    """scikit-learn's check (integer weights = repeated rows), beyond the one default run."""
    check_sample_weight_equivalence_on_dense_data(
        "KPrototypes", KPrototypes(n_clusters=k, n_init=n_init, random_state=seed))


# ------------------------------------------------------------- labels and k
def test_profiles_refuse_missing_labels_naming_the_row(survey, reference):
    labels = reference.labels_.astype(float)
    labels[7] = np.nan
    with pytest.raises(UserError, match=r"labels are missing for 1 row\(s\) \(the first is "
                                        r"row 7\)"):
        profile_segments(survey, labels)
    with pytest.raises(UserError, match=r"one value per row \(150\), got shape \(149,\)"):
        profile_segments(survey, reference.labels_[1:])


@pytest.mark.parametrize("k", [[2.5, 3], ["3"], [2, 3.0]])
def test_select_k_refuses_k_that_are_not_whole_numbers(survey, k):
    with pytest.raises(UserError, match="whole numbers of segments"):
        select_k(survey, k=k)


# ----------------------------------------------------------------- model files
def _bad_files(tmp_path, good: str, other_kinds: dict[str, str]) -> dict:
    """Every way a file of ``good``'s kind can be wrong, with the words its error needs."""
    document = json.loads(good)
    version_key = "format_version" if "format_version" in document else "version"
    future = {**document, version_key: "9.0" if version_key == "format_version" else 9}
    body_key = next(key for key in ("model", "tool", "personas") if key in document)
    tampered = {**document, body_key: {"changed": True}}
    files = {
        "not UTF-8": (b'{"format": "caf\xe9"}', r"not UTF-8 text at byte 15"),
        "UTF-16": (good.encode("utf-16"), r"not UTF-8 text at byte 0"),
        "truncated": (good[: len(good) // 2].encode(), r"JSON .* line \d+"),
        "empty": (b"", r"JSON .* line 1"),
        "a list": (b"[1, 2]", r"not a dash-personas"),
        "another JSON": (b'{"hello": "world"}', r"not a dash-personas"),
        "another version": (json.dumps(future).encode(), r"version '?9(\.0)?'? is not supported"),
        "tampered": (json.dumps(tampered).encode(), r"do not match their checksum|invalid "
                                                    r"personas file"),
        **{name: (text.encode(), r"not a dash-personas") for name, text in other_kinds.items()},
    }
    paths = {}
    for name, (content, message) in files.items():
        path = tmp_path / f"{name.replace(' ', '_')}.json"
        path.write_bytes(content)
        paths[name] = (path, message)
    directory = tmp_path / "folder.json"
    directory.mkdir()
    paths["a directory"] = (directory, r"cannot read the .* file \(Is a directory\)")
    paths["missing"] = (tmp_path / "nowhere.json", r"no such .* file")
    return paths


@pytest.mark.parametrize("kind", ["model", "typing tool", "personas"])
def test_every_model_file_problem_is_one_error_with_the_path(tmp_path, reference, survey,
                                                              kind):
    texts = {"model": reference.to_json(),
             "typing tool": TypingTool.build(reference, survey, max_questions=2,
                                             random_state=0).to_json(),
             "personas": build_personas(reference, survey).to_json()}
    load = {"model": KPrototypes.load, "typing tool": TypingTool.load,
            "personas": load_personas}[kind]
    expected = UserError if kind == "personas" else ModelFileError
    good = texts.pop(kind)
    for name, (path, message) in _bad_files(tmp_path, good, texts).items():
        with pytest.raises(expected, match=message) as caught:
            load(path)
        assert caught.value.file == str(path), name
        assert str(caught.value).startswith(f"{path}: "), name
        assert "\n" not in str(caught.value), name
    if kind != "personas":  # NaN is no JSON value: refused, not a bare ValueError later
        path = tmp_path / "nan.json"
        path.write_text(good.replace('"gamma": ', '"gamma": NaN, "x": ', 1), encoding="utf-8")
        with pytest.raises(ModelFileError, match=r"nan.json: not a valid .* file \(NaN is not "
                                                 r"a JSON value\)"):
            load(path)


def test_a_model_file_without_read_permission_is_a_model_file_error(tmp_path, reference):
    path = tmp_path / "model.json"
    reference.save(path)
    path.chmod(0o000)
    as_root = os.geteuid() == 0
    if as_root:
        os.seteuid(65534)  # root reads every file: act as nobody to meet permission denied
    try:
        with pytest.raises(ModelFileError) as caught:
            KPrototypes.load(path)
    finally:
        if as_root:
            os.seteuid(0)
    assert caught.value.file == str(path)
    assert str(caught.value) == f"{path}: cannot read the model file (Permission denied)"
