"""The relevance expression language: parsing, evaluation, translation, errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_builder import expressions as ex
from survey_builder.expressions import (
    BoolOp,
    Call,
    Compare,
    Const,
    ExpressionError,
    Not,
    Ref,
    evaluate,
    negate,
    parse,
    references,
    to_redcap,
    to_string,
    to_surveyjs,
    to_xlsform,
)


def strip_pos(node):
    """The tree without source positions, for structural comparison."""
    if isinstance(node, Ref):
        return ("ref", node.name)
    if isinstance(node, Const):
        return ("const", node.value)
    if isinstance(node, Compare):
        return ("cmp", node.op, strip_pos(node.left), strip_pos(node.right))
    if isinstance(node, BoolOp):
        return (node.op, tuple(strip_pos(o) for o in node.operands))
    if isinstance(node, Not):
        return ("not", strip_pos(node.operand))
    return ("call", node.func, tuple(strip_pos(a) for a in node.args))


# --------------------------------------------------------------------------- parsing
def test_parse_comparison_structure():
    tree = parse("${q1} >= 3")
    assert isinstance(tree, Compare)
    assert tree.op == ">="
    assert tree.left == Ref("q1", 0)
    assert isinstance(tree.right, Const) and tree.right.value == 3


def test_and_binds_tighter_than_or_and_not_tightest():
    tree = strip_pos(parse("${a} = 1 or ${b} = 2 and not ${c} = 3"))
    assert tree == ("or", (
        ("cmp", "=", ("ref", "a"), ("const", 1)),
        ("and", (("cmp", "=", ("ref", "b"), ("const", 2)),
                 ("not", ("cmp", "=", ("ref", "c"), ("const", 3))))),
    ))


def test_parentheses_override_precedence():
    tree = strip_pos(parse("(${a} = 1 or ${b} = 2) and ${c} = 3"))
    assert tree[0] == "and"
    assert tree[1][0][0] == "or"


@pytest.mark.parametrize(("text", "op"), [("==", "="), ("<>", "!="), ("=", "="), ("!=", "!="),
                                          ("<=", "<="), (">", ">")])
def test_operator_aliases(text, op):
    assert parse(f"${{x}} {text} 1").op == op


def test_keywords_are_case_insensitive_and_numbers_and_strings():
    tree = parse("${a} = -2.5 AND ${b} = \"it's\" Or ${c} = 'say \\'hi\\''")
    assert isinstance(tree, BoolOp) and tree.op == "or"
    left = tree.operands[0]
    assert left.operands[0].right.value == -2.5
    assert left.operands[1].right.value == "it's"
    assert tree.operands[1].right.value == "say 'hi'"


def test_functions():
    tree = parse("selected(${ch}, 'web') and answered(${age})")
    first, second = tree.operands
    assert isinstance(first, Call) and first.func == "selected"
    assert first.args[0].name == "ch" and first.args[1].value == "web"
    assert isinstance(second, Call) and second.func == "answered"


def test_references_unique_in_order():
    assert references("${b} = 1 or selected(${a}, 'x') or ${b} = 2 or ${c} > ${a}") == [
        "b", "a", "c"]


@pytest.mark.parametrize(("expr", "position", "fragment"), [
    ("", 0, "empty expression"),
    ("${a}", 0, "expected a condition"),
    ("${a} >", 6, "expected a value"),
    ("foo = 1", 0, "unknown name 'foo'"),
    ("${a} = 1 and", 12, "expected a value"),
    ("(${a} = 1", 9, "expected ')'"),
    ("${a} = 'abc", 7, "unterminated string"),
    ("${a} < 1 < 2", 9, "cannot be chained"),
    ("$a = 1", 0, "'$' must start a reference"),
    ("${ a b} = 1", 0, "malformed reference"),
    ("selected(${a})", 13, "option value"),
    ("${a} = 1 ${b}", 9, "unexpected"),
    ("${a} = 1 and 3", 13, "expected a condition"),
    ("${a} # 1", 5, "unexpected character"),
    ("answered(3)", 9, "reference"),
])
def test_syntax_errors_carry_position(expr, position, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(expr)
    assert info.value.position == position
    assert fragment in info.value.message
    assert f"column {position + 1}" in str(info.value)


# --------------------------------------------------------------------------- evaluation
@pytest.mark.parametrize(("expr", "answers", "expected"), [
    ("${q} >= 3", {"q": 4}, True),
    ("${q} >= 3", {"q": 2}, False),
    ("${q} >= 3", {"q": "3"}, True),          # numeric strings compare as numbers
    ("${q} = 10", {"q": "10.0"}, True),
    ("${q} > 9", {"q": "10"}, True),           # not lexicographic
    ("${q} = 'weekly'", {"q": "weekly"}, True),
    ("${q} != 'weekly'", {"q": "monthly"}, True),
    # unanswered is the empty value: equal only to empty, no ordering holds for it
    ("${q} >= 3", {}, False),
    ("${q} < 3", {}, False),
    ("not ${q} > 300", {}, True),
    ("${q} != 3", {"q": None}, True),
    ("${q} != 'u18'", {"q": float("nan")}, True),
    ("${q} = 3", {"q": ""}, False),
    ("${q} = ''", {"q": "  "}, True),
    ("${q} != ''", {"q": 0}, True),
    ("${a} = ${b}", {}, True),
    ("${a} != ${b}", {"a": 1}, True),
    ("${a} <= ${b}", {"b": 1}, False),
    ("not ${q} = 3", {}, True),
    ("${a} = 1 and ${b} = 2", {"a": 1, "b": 2}, True),
    ("${a} = 1 and ${b} = 2", {"a": 1, "b": 3}, False),
    ("${a} = 1 or ${b} = 2", {"a": 0, "b": 2}, True),
    ("${a} < ${b}", {"a": 1, "b": 2}, True),
    ("selected(${ch}, 'web')", {"ch": ["web", "store"]}, True),
    ("selected(${ch}, 'web')", {"ch": "store web"}, True),
    ("selected(${ch}, 'web')", {"ch": {"web": 1, "store": 0}}, True),
    ("selected(${ch}, 'store')", {"ch": {"web": 1, "store": 0}}, False),
    ("selected(${ch}, 'web')", {"ch": None}, False),
    ("selected(${ch}, '2')", {"ch": {2, 3}}, True),
    ("answered(${x})", {"x": 0}, True),
    ("answered(${x})", {"x": "  "}, False),
    ("answered(${x})", {"x": []}, False),
    ("not answered(${x})", {}, True),
])
def test_evaluate(expr, answers, expected):
    assert evaluate(expr, answers) is expected


def test_evaluate_accepts_parsed_tree():
    tree = parse("${a} > 1")
    assert evaluate(tree, {"a": 5}) and not evaluate(tree, {"a": 0})


def test_is_missing():
    assert ex.is_missing(None) and ex.is_missing(math.nan) and ex.is_missing(" ")
    assert not ex.is_missing(0) and not ex.is_missing("0")


# --------------------------------------------------------------------------- translation
CASES = [
    # expr, xlsform, surveyjs, redcap
    ("${q} >= 3", "${q} >= 3", "{q} >= 3", "[q] <> '' and [q] >= 3"),
    ("${q} == 'v'", "${q} = 'v'", "{q} = 'v'", "[q] = 'v'"),
    ("${q} <> 'v'", "${q} != 'v'", "{q} != 'v'", "[q] <> 'v'"),
    ("${q} <> 2", "${q} != 2", "{q} != 2", "[q] = '' or [q] <> 2"),
    ("${a} <= ${b}", "${a} <= ${b}", "({a} notempty and {b} notempty and {a} <= {b})",
     "[a] <> '' and [b] <> '' and [a] <= [b]"),
    ("${a} = ${b}", "${a} = ${b}", "{a} = {b}",
     "([a] = '' and [b] = '') or ([a] <> '' and [b] <> '' and [a] = [b])"),
    ("selected(${ch}, 'web')", "selected(${ch}, 'web')", "{ch} contains 'web'",
     "[ch(web)] = '1'"),
    ("not selected(${ch}, 'web')", "not(selected(${ch}, 'web'))", "{ch} notcontains 'web'",
     "[ch(web)] = '0'"),
    ("answered(${x})", "${x} != ''", "{x} notempty", "[x] <> ''"),
    ("not answered(${x})", "${x} = ''", "{x} empty", "[x] = ''"),
    ("not (${a} = 'x' and ${b} > 2)", "not(${a} = 'x' and ${b} > 2)",
     "!({a} = 'x' and {b} > 2)", "[a] <> 'x' or [b] = '' or [b] <= 2"),
    ("(${a} = 'x' or ${b} = 'y') and ${c} < 1.5", "(${a} = 'x' or ${b} = 'y') and ${c} < 1.5",
     "({a} = 'x' or {b} = 'y') and {c} < 1.5",
     "([a] = 'x' or [b] = 'y') and [c] <> '' and [c] < 1.5"),
    ("not not ${a} = 'v'", "not(not(${a} = 'v'))", "!(!({a} = 'v'))", "[a] = 'v'"),
]


@pytest.mark.parametrize(("expr", "xls", "sjs", "rc"), CASES)
def test_translators(expr, xls, sjs, rc):
    assert to_xlsform(expr) == xls
    assert to_surveyjs(expr) == sjs
    assert to_redcap(expr) == rc


def test_rename_mapping_and_callable():
    expr = "${trust_1} >= 4 and selected(${ch}, 'app')"
    assert to_surveyjs(expr, {"trust_1": "trust_grid.trust_1"}) == (
        "{trust_grid.trust_1} >= 4 and {ch} contains 'app'")
    assert to_redcap(expr, str.upper) == (
        "[TRUST_1] <> '' and [TRUST_1] >= 4 and [CH(app)] = '1'")
    assert to_xlsform(expr, {"ch": "channels"}) == (
        "${trust_1} >= 4 and selected(${channels}, 'app')")


def test_quotes_in_strings_survive_translation():
    assert to_xlsform("${a} = \"it's\"") == '${a} = "it\'s"'
    tricky = "${a} = 'x\"y' or ${b} = \"it's\" or ${c} = 'both \\' \"'"
    reparsed = parse(to_string(tricky))
    assert [op.right.value for op in reparsed.operands] == ["x\"y", "it's", "both ' \""]


def test_negate_is_negation_normal_form():
    tree = negate("${a} = 1 and (${b} < 2 or not ${c} >= 3)")
    assert to_string(tree) == (
        "${a} != 1 or (not answered(${b}) or ${b} >= 2) and ${c} >= 3")
    # only calls stay negated
    assert all(isinstance(n.operand, Call) for n in ex.walk(tree) if isinstance(n, Not))


# --------------------------------------------------------------------------- properties
NAMES = ["a", "b", "c"]
leaf = st.builds(
    lambda name, op, value: Compare(op, Ref(name), Const(value)),
    st.sampled_from(NAMES), st.sampled_from(ex.COMPARISON_OPS), st.integers(-3, 3),
) | st.builds(lambda name, v: Call("selected", (Ref(name), Const(v))),
              st.sampled_from(["m"]), st.sampled_from(["x", "y"])) | st.builds(
    lambda name: Call("answered", (Ref(name),)), st.sampled_from(NAMES))
trees = st.recursive(
    leaf,
    lambda children: st.builds(Not, children) | st.builds(
        lambda op, ops: BoolOp(op, tuple(ops)), st.sampled_from(["and", "or"]),
        st.lists(children, min_size=2, max_size=3)),
    max_leaves=8,
)
answers = st.fixed_dictionaries({
    "a": st.none() | st.integers(-3, 3), "b": st.none() | st.integers(-3, 3),
    "c": st.none() | st.integers(-3, 3), "m": st.sets(st.sampled_from(["x", "y"])),
})


@settings(max_examples=150, deadline=None)
@given(trees, answers)
def test_to_string_round_trips_and_nnf_is_equivalent(tree, values):
    text = to_string(tree)
    reparsed = parse(text)
    assert to_string(reparsed) == text
    expected = evaluate(tree, values)
    assert evaluate(reparsed, values) is expected
    # Pushing negations inwards keeps the result, unanswered references included.
    assert evaluate(negate(tree), values) is (not expected)
    assert set(references(negate(tree))) == set(references(tree))
