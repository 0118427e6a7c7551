"""The vectorised evaluator gives, row by row, exactly what the scalar one gives."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_builder import expressions as ex
from survey_builder.expressions import BoolOp, Call, Compare, Const, Not, Ref, evaluate

OPTIONS = {"m": {"x": "m__x", "y": "m__y"}}


def row_answers(columns: dict, options: dict, i: int) -> dict:
    """Respondent ``i`` as :func:`evaluate` sees it: Python values, option cells as a mapping
    of the given cells (no mapping when none is given)."""
    answers = {name: list(values)[i] if isinstance(values, list) else values.tolist()[i]
               for name, values in columns.items()}
    for question, cells in options.items():
        given = {code: answers[column] for code, column in cells.items()
                 if column in answers and not ex.is_missing(answers[column])}
        answers[question] = given or None
    return answers


def scalar(expr, columns: dict, options: dict, n: int) -> list[bool]:
    return [evaluate(expr, row_answers(columns, options, i)) for i in range(n)]


# --------------------------------------------------------------------------- examples
def test_comparisons_follow_the_scalar_rules_by_hand() -> None:
    columns = {
        "q": np.array([4.0, 2.0, np.nan, 3.0]),
        "code": np.array(["3", "weekly", None, "  "], dtype=object),
    }
    run = ex.evaluate_columns
    assert run("${q} >= 3", columns).tolist() == [True, False, False, True]
    assert run("${q} != 3", columns).tolist() == [True, True, True, False]  # NaN: empty
    assert run("${code} = 3", columns).tolist() == [True, False, False, False]  # '3' is 3
    assert run("${code} != 'weekly'", columns).tolist() == [True, False, True, True]
    assert run("not ${code} = 'weekly'", columns).tolist() == [True, False, True, True]
    assert run("answered(${code})", columns).tolist() == [True, True, False, False]
    assert run("${nowhere} = 1 or ${q} < 3", columns).tolist() == [False, True, False, False]
    # an empty literal is the empty value: `!= ''` means answered
    assert run("${code} != ''", columns).tolist() == [True, True, False, False]
    assert run("${code} = ${nowhere}", columns).tolist() == [False, False, True, True]
    # a number against non-numeric text compares str(number): "3.0" sorts after "3-"
    assert run("${q} < '3-'", columns).tolist() == [False, True, False, False]
    assert evaluate("${q} < '3-'", {"q": 3.0}) is False


def test_option_columns_and_odk_strings() -> None:
    columns = {
        "m__x": np.array([1.0, 0.0, np.nan, 0.0]),
        "m__y": np.array([0.0, 1.0, np.nan, 0.0]),
        "odk": np.array(["x y", "y", None, ""], dtype=object),
    }
    run = ex.evaluate_columns
    assert run("selected(${m}, 'x')", columns, options=OPTIONS).tolist() == [
        True, False, False, False]
    assert run("answered(${m})", columns, options=OPTIONS).tolist() == [True, True, False, True]
    assert run("selected(${m}, 'zzz')", columns, options=OPTIONS).tolist() == [False] * 4
    assert run("selected(${odk}, 'y')", columns).tolist() == [True, True, False, False]
    assert run("not selected(${odk}, 'x')", columns).tolist() == [False, True, True, True]


def test_pandas_inputs_and_missing_markers() -> None:
    frame = pd.DataFrame({
        "n": pd.array([1, None, 5], dtype="Int64"),
        "s": pd.array(["a", None, "b"], dtype="str"),
        "o": pd.Series(["a", pd.NA, "c"], dtype=object),
    })
    run = ex.evaluate_columns
    assert run("${n} > 2", frame).tolist() == [False, False, True]
    assert run("answered(${s}) and answered(${o})", frame).tolist() == [True, False, True]
    assert run("${o} != 'a'", frame).tolist() == [False, True, True]
    assert ex.is_missing(pd.NA)


def test_row_count_and_shape_checks() -> None:
    assert ex.evaluate_columns("${a} = 1", {}, n_rows=3).tolist() == [False] * 3
    assert ex.evaluate_columns("not answered(${a})", {}).shape == (0,)
    with pytest.raises(ValueError, match="'b' has shape"):
        ex.evaluate_columns("${a} = 1 and ${b} = 1",
                            {"a": np.ones(3), "b": np.ones(2)})


# --------------------------------------------------------------------------- property
# numbers written as text, codes, blanks, and text that sorts between "3" and "3.0"
TEXT = ["3", " 3 ", "03", "1_0", "10", "x", "weekly", "", "  ", "nan", "-2", "2.5", "a b", "3-"]
CONSTANTS = st.sampled_from([*TEXT, 0, 1, 3, 10, -2, 2.5])
NAMES = ["f", "i", "o", "s", "absent"]

leaf = (
    st.builds(lambda op, name, value: Compare(op, Ref(name), Const(value)),
              st.sampled_from(ex.COMPARISON_OPS), st.sampled_from(NAMES), CONSTANTS)
    | st.builds(lambda op, a, b: Compare(op, Ref(a), Ref(b)),
                st.sampled_from(ex.COMPARISON_OPS), st.sampled_from(NAMES),
                st.sampled_from(NAMES))
    | st.builds(lambda name, code: Call("selected", (Ref(name), Const(code))),
                st.sampled_from(["m", "o", "s", "absent"]), st.sampled_from(["x", "y", "3"]))
    | st.builds(lambda name: Call("answered", (Ref(name),)),
                st.sampled_from([*NAMES, "m"]))
)
trees = st.recursive(
    leaf,
    lambda children: st.builds(Not, children) | st.builds(
        lambda op, ops: BoolOp(op, tuple(ops)), st.sampled_from(["and", "or"]),
        st.lists(children, min_size=2, max_size=3)),
    max_leaves=6,
)


@st.composite
def answer_sets(draw):
    """Columns of every kind the readers and the simulator produce, with missing cells."""
    n = draw(st.integers(1, 12))
    cells = st.lists
    numbers = draw(cells(st.sampled_from([1.0, 2.0, 3.0, 10.0, -2.0, 2.5, math.nan]),
                         min_size=n, max_size=n))
    integers = draw(cells(st.sampled_from([0, 1, 3, 10, None]), min_size=n, max_size=n))
    codes = draw(cells(st.sampled_from([*TEXT, None, "x y"]), min_size=n, max_size=n))
    strings = draw(cells(st.sampled_from([*TEXT, None]), min_size=n, max_size=n))
    ticks = draw(cells(st.sampled_from([0.0, 1.0, math.nan]), min_size=n, max_size=n))
    # option cells read from a text file: "0" is not ticked, any other text is
    tick_text = draw(cells(st.sampled_from(["1", "0", "yes", "", None]), min_size=n, max_size=n))
    return {
        "f": np.array(numbers, dtype=float),
        "i": pd.array(integers, dtype="Int64"),
        "o": np.array(codes, dtype=object),
        "s": pd.array(strings, dtype="str"),
        "m__x": np.array(ticks, dtype=float),
        "m__y": np.array(tick_text, dtype=object),
    }


@settings(max_examples=300, deadline=None)
@given(trees, answer_sets())
def test_vectorised_agrees_with_scalar_evaluation(tree, columns) -> None:
    n = len(columns["f"])
    vectorised = ex.evaluate_columns(tree, columns, options=OPTIONS)
    assert vectorised.dtype == bool and vectorised.shape == (n,)
    assert vectorised.tolist() == scalar(tree, columns, OPTIONS, n), ex.to_string(tree)
