"""A small, safe expression language for relevance conditions ("show this question if ...").

Nothing is ever passed to :func:`eval`: expressions are tokenised and parsed by a
recursive-descent parser into a tiny syntax tree, which can be evaluated against one
respondent's answers or translated to the dialects of the export targets.

Syntax
------
=====================  =====================================================
``${q}``               the answer to question (or grid item) ``q``
``3``, ``-1.5``        numbers
``'text'``, ``"x"``    strings (backslash escapes the quote and itself)
``= == != <> < <= > >=``  comparisons (``==`` is ``=``, ``<>`` is ``!=``)
``and``, ``or``, ``not``  boolean operators (case-insensitive), ``not`` binds tightest
``( ... )``            grouping
``selected(${q}, 'v')``  true if option ``v`` of multiple-choice ``q`` is ticked
``answered(${q})``     true if ``q`` has an answer
=====================  =====================================================

Example: ``${age_band} = '18_24' and (selected(${channels}, 'online') or ${trust_1} >= 4)``.

Semantics
---------
One set of rules, used by :func:`evaluate` (one respondent) and :func:`evaluate_columns`
(every respondent at once, vectorised), which give the same answers, and kept by every
export (each translation below is proved against the real engine in the test suite):

* **Unanswered** is one value, *empty*: a missing key, ``None``, NaN, pandas ``NA``, blank
  text, an empty list, tuple or set (:func:`is_missing`). The literal ``''`` is empty too.
* ``=`` is true when both sides are equal; empty equals only empty. So an unanswered
  ``${q}`` is not ``= 3`` and not ``= 'a'``, and ``${q} = ''`` means "unanswered".
* ``!=`` is exactly ``not =``: an unanswered ``${age_band} != 'u18'`` is **true** (shown).
* ``<``, ``<=``, ``>``, ``>=`` are false when either side is empty: an unanswered
  ``${spend} > 300`` and ``${spend} <= 300`` are both false, so ``not (${spend} > 300)``
  is **true**. (The spec's checks allow them on numbers only.)
* Otherwise both sides compare as numbers when both read as one (``float(text)``, so
  ``'3'`` equals ``3``), else as text (``str`` of each side).
* ``selected(${q}, 'v')`` is false when ``q`` is unanswered; ``answered(${q})`` is true
  when it has an answer (for a question stored as one column per option: any option cell
  is given); ``not`` simply negates.

These are the rules of the engines the exports run on, so the translations stay literal:
JavaRosa/ODK (XPath: an empty answer is ``''``, and ``number('')`` is NaN, which no ordering
holds for) and survey-core (an empty answer is ``undefined``; ``=`` against it is false,
ordering is false, ``!(...)`` negates), except that survey-core holds ``{a} <= {b}`` when
both are empty, so :func:`to_surveyjs` guards an ordering of two answers with ``notempty``.
REDCap's branching logic compares blanks loosely (``'' = 0`` can hold in its JavaScript),
so :func:`to_redcap` spells the rules out: every ordering and every comparison with a
number is guarded by ``[q] <> ''``, and a negation is pushed inwards with :func:`negate`,
which keeps them (``not ${q} > 3`` becomes ``not answered(${q}) or ${q} <= 3``).

Public API (stable, used by the exporters)
------------------------------------------
:func:`parse`, :func:`references`, :func:`evaluate`, :func:`evaluate_columns`,
:func:`to_string`, :func:`negate`, :func:`is_missing`, :func:`is_number_text`,
:func:`to_xlsform`, :func:`to_surveyjs`, :func:`to_redcap`,
:class:`ExpressionError` and the node classes :class:`Ref`, :class:`Const`,
:class:`Compare`, :class:`BoolOp`, :class:`Not`, :class:`Call`.
"""

from __future__ import annotations

import math
import operator
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "BoolOp",
    "Call",
    "Compare",
    "Const",
    "ExpressionError",
    "Node",
    "Not",
    "Ref",
    "evaluate",
    "evaluate_columns",
    "is_missing",
    "is_number_text",
    "negate",
    "parse",
    "references",
    "to_redcap",
    "to_string",
    "to_surveyjs",
    "to_xlsform",
    "walk",
]

COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=")
FUNCTIONS = {"selected": 2, "answered": 1}
_OP_ALIASES = {"==": "=", "<>": "!="}
_NEGATED_OP = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


class ExpressionError(ValueError):
    """A syntax error in an expression.

    Parameters
    ----------
    message : str
        What is wrong.
    position : int
        0-based character offset of the problem in ``expression``.
    expression : str
        The expression text.
    """

    def __init__(self, message: str, position: int, expression: str) -> None:
        self.message = message
        self.position = position
        self.expression = expression
        super().__init__(f"column {position + 1}: {message} in {expression!r}")


# --------------------------------------------------------------------------- nodes
@dataclass(frozen=True)
class Ref:
    """A reference ``${name}`` to an answer."""

    name: str
    pos: int = 0


@dataclass(frozen=True)
class Const:
    """A number or string literal."""

    value: float | int | str
    pos: int = 0


@dataclass(frozen=True)
class Compare:
    """``left op right`` with ``op`` one of :data:`COMPARISON_OPS`."""

    op: str
    left: Node
    right: Node
    pos: int = 0


@dataclass(frozen=True)
class BoolOp:
    """``and``/``or`` over two or more operands."""

    op: str
    operands: tuple[Node, ...]
    pos: int = 0


@dataclass(frozen=True)
class Not:
    """Logical negation."""

    operand: Node
    pos: int = 0


@dataclass(frozen=True)
class Call:
    """``selected(${q}, 'v')`` or ``answered(${q})``."""

    func: str
    args: tuple[Node, ...]
    pos: int = 0


Node = Union[Ref, Const, Compare, BoolOp, Not, Call]  # noqa: UP007 - runtime alias
_BOOLEAN_NODES = (Compare, BoolOp, Not, Call)


# --------------------------------------------------------------------------- tokenizer
@dataclass(frozen=True)
class _Token:
    kind: str  # REF NUMBER STRING NAME OP LPAREN RPAREN COMMA MINUS END
    text: str
    value: Any
    pos: int


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][A-Za-z0-9_]*)\s*\})
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<>|<=|>=|=|<|>)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<minus>-)
    """,
    re.VERBOSE,
)


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in (quote, "\\"):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise ExpressionError("unterminated string", start, text)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            value, end = _read_string(text, i)
            tokens.append(_Token("STRING", text[i:end], value, i))
            i = end
            continue
        if ch == "$" and not text.startswith("${", i):
            raise ExpressionError("'$' must start a reference like ${question}", i, text)
        match = _TOKEN_RE.match(text, i)
        if match is None:
            if text.startswith("${", i):
                raise ExpressionError("malformed reference, expected ${name}", i, text)
            raise ExpressionError(f"unexpected character {ch!r}", i, text)
        kind = match.lastgroup
        raw = match.group(0)
        if kind == "refname":  # pragma: no cover - lastgroup is the outer group
            kind = "ref"
        if kind == "ref":
            tokens.append(_Token("REF", raw, match.group("refname"), i))
        elif kind == "number":
            number = float(raw)
            tokens.append(_Token("NUMBER", raw, int(number) if number.is_integer()
                                 and "." not in raw and "e" not in raw.lower() else number, i))
        elif kind == "name":
            tokens.append(_Token("NAME", raw, raw.lower(), i))
        elif kind == "op":
            tokens.append(_Token("OP", raw, _OP_ALIASES.get(raw, raw), i))
        elif kind in ("lparen", "rparen", "comma", "minus"):
            tokens.append(_Token(kind.upper(), raw, raw, i))
        i = match.end()
    tokens.append(_Token("END", "", None, len(text)))
    return tokens


# --------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Token | None = None) -> ExpressionError:
        tok = tok or self.tok
        return ExpressionError(message, tok.pos, self.text)

    def describe(self, tok: _Token) -> str:
        return "end of expression" if tok.kind == "END" else repr(tok.text)

    def expect(self, kind: str, what: str) -> _Token:
        if self.tok.kind != kind:
            raise self.error(f"expected {what}, found {self.describe(self.tok)}")
        return self.advance()

    def is_keyword(self, word: str) -> bool:
        return self.tok.kind == "NAME" and self.tok.value == word

    def parse(self) -> Node:
        if self.tok.kind == "END":
            raise self.error("empty expression")
        node = self.parse_or()
        if self.tok.kind != "END":
            raise self.error(f"unexpected {self.describe(self.tok)}")
        self.require_boolean(node, 0)
        return node

    def require_boolean(self, node: Node, pos: int) -> None:
        if not isinstance(node, _BOOLEAN_NODES):
            what = "a reference" if isinstance(node, Ref) else "a value"
            raise ExpressionError(
                f"expected a condition (a comparison, selected() or answered()), found {what}",
                getattr(node, "pos", pos), self.text)

    def parse_bool_chain(self, word: str, sub: Callable[[], Node]) -> Node:
        first = sub()
        operands = [first]
        pos = first.pos
        while self.is_keyword(word):
            self.advance()
            operands.append(sub())
        if len(operands) == 1:
            return first
        for operand in operands:
            self.require_boolean(operand, pos)
        return BoolOp(word, tuple(operands), pos)

    def parse_or(self) -> Node:
        return self.parse_bool_chain("or", self.parse_and)

    def parse_and(self) -> Node:
        return self.parse_bool_chain("and", self.parse_not)

    def parse_not(self) -> Node:
        if self.is_keyword("not"):
            tok = self.advance()
            operand = self.parse_not()
            self.require_boolean(operand, tok.pos)
            return Not(operand, tok.pos)
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_primary()
        if self.tok.kind != "OP":
            return left
        op_tok = self.advance()
        right = self.parse_primary()
        for side in (left, right):
            if isinstance(side, _BOOLEAN_NODES):
                raise ExpressionError("cannot compare a condition; use parentheses and and/or",
                                      op_tok.pos, self.text)
        if self.tok.kind == "OP":
            raise self.error("comparisons cannot be chained; combine them with 'and'")
        return Compare(op_tok.value, left, right, op_tok.pos)

    def parse_primary(self) -> Node:
        tok = self.tok
        if tok.kind == "REF":
            self.advance()
            return Ref(tok.value, tok.pos)
        if tok.kind == "NUMBER":
            self.advance()
            return Const(tok.value, tok.pos)
        if tok.kind == "MINUS":
            self.advance()
            number = self.expect("NUMBER", "a number after '-'")
            return Const(-number.value, tok.pos)
        if tok.kind == "STRING":
            self.advance()
            return Const(tok.value, tok.pos)
        if tok.kind == "LPAREN":
            self.advance()
            inner = self.parse_or()
            self.expect("RPAREN", "')'")
            return inner
        if tok.kind == "NAME":
            if tok.value in ("and", "or", "not"):
                raise self.error(f"'{tok.text}' needs a condition before it")
            if tok.value not in FUNCTIONS:
                hint = f" (write ${{{tok.text}}} to refer to a question)" if tok.value not in (
                    "true", "false") else ""
                raise self.error(f"unknown name {tok.text!r}{hint}")
            return self.parse_call()
        raise self.error(f"expected a value, found {self.describe(tok)}")

    def parse_call(self) -> Node:
        name_tok = self.advance()
        func = name_tok.value
        self.expect("LPAREN", f"'(' after {func}")
        ref_tok = self.expect("REF", f"a reference ${{question}} as the first argument of {func}()")
        args: list[Node] = [Ref(ref_tok.value, ref_tok.pos)]
        if func == "selected":
            self.expect("COMMA", "',' and an option value")
            value_tok = self.tok
            if value_tok.kind not in ("STRING", "NUMBER"):
                raise self.error("selected() needs an option value like 'online' as its "
                                 "second argument")
            self.advance()
            args.append(Const(str(value_tok.value), value_tok.pos))
        self.expect("RPAREN", f"')' to close {func}()")
        return Call(func, tuple(args), name_tok.pos)


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Node:
    return _Parser(text).parse()


def parse(expr: str | Node) -> Node:
    """Parse an expression into a syntax tree.

    Parameters
    ----------
    expr : str or Node
        Expression text (a node is returned unchanged).

    Returns
    -------
    Node
        The root of the tree; always a condition (comparison, boolean operator or call).

    Raises
    ------
    ExpressionError
        With the 0-based ``position`` of the problem.

    Examples
    --------
    >>> parse("${q1} >= 3")
    Compare(op='>=', left=Ref(name='q1', pos=0), right=Const(value=3, pos=9), pos=6)
    """
    if not isinstance(expr, str):
        return expr
    return _parse_cached(expr)


def walk(node: Node) -> Iterator[Node]:
    """Yield ``node`` and all its descendants, depth first, left to right."""
    yield node
    if isinstance(node, Compare):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, BoolOp):
        for operand in node.operands:
            yield from walk(operand)
    elif isinstance(node, Not):
        yield from walk(node.operand)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)


def references(expr: str | Node) -> list[str]:
    """Names referenced by ``expr``, unique, in order of first appearance.

    >>> references("${a} = 1 or selected(${b}, 'x') or ${a} = 2")
    ['a', 'b']
    """
    seen: dict[str, None] = {}
    for node in walk(parse(expr)):
        if isinstance(node, Ref):
            seen.setdefault(node.name, None)
    return list(seen)


# --------------------------------------------------------------------------- evaluation
#: Comparison operators; each works on two Python values and element-wise on NumPy arrays.
_OPERATORS: Mapping[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


def is_missing(value: Any) -> bool:
    """True for ``None``, ``""`` (also blank), NaN, pandas ``NA`` and an empty list/tuple/set."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) == 0
    if value is getattr(sys.modules.get("pandas"), "NA", None):  # NA refuses bool(NA != NA)
        return True
    try:  # numpy/pandas scalars (NaN, NaT) without importing them
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _as_number(value: Any) -> float | None:
    """The number an answer or literal stands for, or None when it is not a number."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def is_number_text(value: Any) -> bool:
    """Whether an answer or literal reads as a number (``'3'``, ``'2.5'``, ``4``)."""
    return not is_missing(value) and _as_number(value) is not None


def _is_ticked(value: Any) -> bool:
    """Whether one option's cell of a multiple-choice answer means "selected"."""
    return not is_missing(value) and _as_number(value) != 0


def _compare(op: str, left: Any, right: Any) -> bool:
    left_missing, right_missing = is_missing(left), is_missing(right)
    if left_missing or right_missing:  # empty equals only empty; no ordering holds for it
        both = left_missing and right_missing
        return both if op == "=" else (not both if op == "!=" else False)
    lnum, rnum = _as_number(left), _as_number(right)
    if lnum is not None and rnum is not None:
        return bool(_OPERATORS[op](lnum, rnum))
    return bool(_OPERATORS[op](str(left), str(right)))


def _selected_codes(value: Any) -> set[str]:
    if is_missing(value):
        return set()
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, Mapping):
        return {str(k) for k, v in value.items() if _is_ticked(v)}
    if isinstance(value, Iterable):
        return {str(v) for v in value}
    return {str(value)}


def _value(node: Node, answers: Mapping[str, Any]) -> Any:
    if isinstance(node, Ref):
        return answers.get(node.name)
    if isinstance(node, Const):
        return node.value
    return _eval(node, answers)


def _eval(node: Node, answers: Mapping[str, Any]) -> bool:
    if isinstance(node, Compare):
        return _compare(node.op, _value(node.left, answers), _value(node.right, answers))
    if isinstance(node, BoolOp):
        results = (_eval(op, answers) for op in node.operands)
        return all(results) if node.op == "and" else any(results)
    if isinstance(node, Not):
        return not _eval(node.operand, answers)
    if isinstance(node, Call):
        target = answers.get(node.args[0].name)  # type: ignore[union-attr]
        if node.func == "answered":
            return not is_missing(target)
        return str(node.args[1].value) in _selected_codes(target)  # type: ignore[union-attr]
    raise TypeError(f"not a condition: {node!r}")


def evaluate(expr: str | Node, answers: Mapping[str, Any]) -> bool:
    """Evaluate a condition for one respondent.

    Parameters
    ----------
    expr : str or Node
        The condition.
    answers : mapping
        Question (or grid item) name to answer. Single values are numbers or choice codes;
        a multiple-choice answer is an iterable of selected codes, a space-separated string
        (ODK style) or a mapping ``code -> 0/1``. Missing keys, ``None``, ``""`` and NaN are
        "unanswered" (see the module's *Semantics of missing answers*).

    Returns
    -------
    bool

    See Also
    --------
    evaluate_columns : The same evaluation for many respondents at once.

    Examples
    --------
    >>> evaluate("${q1} >= 3 and selected(${ch}, 'web')", {"q1": 4, "ch": ["web", "shop"]})
    True
    """
    return _eval(parse(expr), answers)


# ------------------------------------------------------------------ evaluation over columns
OptionColumns = Mapping[str, Mapping[str, str]]


def evaluate_columns(expr: str | Node, columns: Mapping[str, Any] | pd.DataFrame, *,
                     options: OptionColumns | None = None,
                     n_rows: int | None = None) -> np.ndarray:
    """Evaluate a condition for every respondent at once, over columns of answers.

    Element ``i`` of the result is what :func:`evaluate` returns for respondent ``i``'s
    answers: the ``i``-th element of every column, and for every question in ``options`` the
    mapping ``{code: cell}`` of its non-missing option cells (unanswered when all of them are
    missing). The scalar rules (:func:`is_missing`, number parsing, text comparison) are the
    same functions, applied once per distinct value of a column rather than once per
    respondent.

    Parameters
    ----------
    expr : str or Node
        The condition.
    columns : mapping of str to array-like, or DataFrame
        One 1-D array (NumPy array, pandas Series or array) of answers per question or grid
        item, all of the same length. Elements are numbers, strings or missing markers
        (``None``, NaN, ``pandas.NA``, blank text). A reference to a name without a column is
        unanswered.
    options : mapping, optional
        ``{question: {code: column}}`` for questions stored as one column per option
        (multiple choice as 0/1 cells, ranking as ranks): ``selected()`` and ``answered()`` on
        them read these columns. A question that is not listed but has a column of its own is
        read ODK style (``selected`` looks for the code among its space-separated values).
    n_rows : int, optional
        Number of respondents (default: the length of the columns; needed when there are none).

    Returns
    -------
    ndarray of bool, shape (n_rows,)

    Raises
    ------
    ValueError
        A column read by the condition does not have ``n_rows`` elements.

    See Also
    --------
    evaluate : The same condition for one respondent.

    Examples
    --------
    >>> import numpy as np
    >>> evaluate_columns("${q} >= 3 and selected(${ch}, 'web')",
    ...                  {"q": np.array([4, 2, np.nan]), "ch__web": np.array([1, 1, 0])},
    ...                  options={"ch": {"web": "ch__web"}}).tolist()
    [True, False, False]
    """
    if n_rows is None:
        n_rows = _row_count(columns)
    return _ColumnEvaluator(columns, options or {}, n_rows).condition(parse(expr))


def _row_count(columns: Mapping[str, Any] | pd.DataFrame) -> int:
    shape = getattr(columns, "shape", None)
    if shape is not None:  # a DataFrame: its length is its number of rows
        return int(shape[0])
    for values in columns.values():
        return len(values)
    return 0


class _Cells:
    """One column of answers seen through the scalar rules.

    ``missing`` and ``numeric`` (a number per :func:`_as_number`, never missing) are boolean
    arrays, ``number`` holds the numbers (NaN elsewhere). Text and other per-value rules are
    computed once per distinct value (:meth:`per_value`).
    """

    def __init__(self, values: Any, n: int, name: str) -> None:
        import numpy as np
        import pandas as pd

        if not isinstance(values, (np.ndarray, pd.Series, pd.Index,
                                   pd.api.extensions.ExtensionArray)):
            values = np.asarray(values, dtype=object)
        if values.ndim != 1 or len(values) != n:
            raise ValueError(f"column {name!r} has shape {values.shape}, expected ({n},)")
        self.values = values
        self._distinct: tuple[np.ndarray, list[Any]] | None = None
        if values.dtype.kind in "biuf":  # numbers (NumPy or pandas nullable), booleans
            self.missing = np.asarray(pd.isna(values), dtype=bool)
            self.number = (values.astype(float) if isinstance(values, np.ndarray)
                           else values.to_numpy(dtype=float, na_value=np.nan))
            self.numeric = ~self.missing
        else:  # text, codes or mixed objects: apply the scalar rules to each distinct value
            self.missing = self.per_value(is_missing, fill=True)
            numbers = self.per_value(_as_number, fill=None, dtype=object)
            self.numeric = ~self.missing & np.not_equal(numbers, None)
            self.number = np.where(self.numeric, numbers, np.nan).astype(float)

    @classmethod
    def constant(cls, value: Any, n: int) -> _Cells:
        """A literal (or an absent column, ``value=None``) repeated ``n`` times."""
        import numpy as np

        return cls(np.full(n, value, dtype=object), n, repr(value))

    def distinct(self) -> tuple[np.ndarray, list[Any]]:
        """Codes into the distinct values (``-1`` for NA) and those values as Python objects."""
        import pandas as pd

        if self._distinct is None:
            # numerically equal values of different types (1, 1.0, True) share one entry;
            # a column holds one type
            codes, uniques = pd.factorize(self.values, use_na_sentinel=True)
            self._distinct = (codes, uniques.tolist())
        return self._distinct

    def per_value(self, rule: Callable[[Any], Any], fill: Any, dtype: Any = bool) -> np.ndarray:
        """``rule(value)`` for every cell, computed once per distinct value; ``fill`` for NA."""
        import numpy as np

        codes, uniques = self.distinct()
        out = np.full(len(codes), fill, dtype=dtype)
        if uniques:
            per_unique = np.empty(len(uniques), dtype=dtype)
            per_unique[:] = [rule(value) for value in uniques]
            present = codes >= 0
            out[present] = per_unique[codes[present]]
        return out

    def text(self, rows: np.ndarray) -> np.ndarray:
        """``str(value)`` of the (non-missing) cells selected by the boolean mask ``rows``."""
        import numpy as np

        codes, uniques = self.distinct()
        texts = np.array([str(value) for value in uniques], dtype=object)
        return texts[codes[rows]]

    def ticked(self) -> np.ndarray:
        """:func:`_is_ticked` for every cell (an option cell that means "selected")."""
        return ~self.missing & ~(self.numeric & (self.number == 0))


class _ColumnEvaluator:
    """Evaluates one syntax tree over columns, reading each column once."""

    def __init__(self, columns: Mapping[str, Any] | pd.DataFrame, options: OptionColumns,
                 n: int) -> None:
        self.columns = columns
        self.options = options
        self.n = n
        self._cells: dict[str, _Cells] = {}

    def cells(self, name: str) -> _Cells | None:
        if name not in self.columns:
            return None
        if name not in self._cells:
            self._cells[name] = _Cells(self.columns[name], self.n, name)
        return self._cells[name]

    def none(self) -> np.ndarray:
        import numpy as np

        return np.zeros(self.n, dtype=bool)

    def condition(self, node: Node) -> np.ndarray:
        import numpy as np

        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, BoolOp):
            results = [self.condition(operand) for operand in node.operands]
            return (np.logical_and.reduce(results) if node.op == "and"
                    else np.logical_or.reduce(results))
        if isinstance(node, Not):
            return ~self.condition(node.operand)
        if isinstance(node, Call):
            name = node.args[0].name  # type: ignore[union-attr]
            if node.func == "answered":
                return self.answered(name)
            return self.selected(name, str(node.args[1].value))  # type: ignore[union-attr]
        raise TypeError(f"not a condition: {node!r}")

    def operand(self, node: Node) -> _Cells:
        if isinstance(node, Const):
            return _Cells.constant(node.value, self.n)
        if isinstance(node, Ref):
            return self.cells(node.name) or _Cells.constant(None, self.n)
        raise TypeError(f"not a value: {node!r}")

    def compare(self, node: Compare) -> np.ndarray:
        import numpy as np

        left, right = self.operand(node.left), self.operand(node.right)
        op = _OPERATORS[node.op]
        result = self.none()
        numeric = left.numeric & right.numeric
        with np.errstate(invalid="ignore"):
            result[numeric] = op(left.number[numeric], right.number[numeric])
        textual = ~numeric & ~left.missing & ~right.missing
        if textual.any():
            result[textual] = np.asarray(op(left.text(textual), right.text(textual)), dtype=bool)
        if node.op in ("=", "!="):  # empty equals only empty (orderings stay false)
            empty = left.missing | right.missing
            both = left.missing & right.missing
            result[empty] = both[empty] if node.op == "=" else ~both[empty]
        return result

    def answered(self, name: str) -> np.ndarray:
        import numpy as np

        if name in self.options:
            given = [~cells.missing for column in self.options[name].values()
                     if (cells := self.cells(column)) is not None]
            return np.logical_or.reduce(given) if given else self.none()
        cells = self.cells(name)
        return ~cells.missing if cells is not None else self.none()

    def selected(self, name: str, code: str) -> np.ndarray:
        if name in self.options:
            column = self.options[name].get(code)
            cells = self.cells(column) if column is not None else None
            return cells.ticked() if cells is not None else self.none()
        cells = self.cells(name)
        if cells is None:
            return self.none()
        return cells.per_value(lambda value: code in _selected_codes(value), fill=False)


# --------------------------------------------------------------------------- rendering
_PRECEDENCE = {"or": 1, "and": 2}


def negate(node: str | Node) -> Node:
    """Push a negation inwards (negation normal form of ``not node``), keeping the rules of
    an unanswered reference.

    ``not (a and b)`` becomes ``not a or not b`` and ``not x = 3`` becomes ``x != 3``. An
    ordering is false when a side is empty, so its negation also holds for an unanswered
    side: ``not x > 3`` becomes ``not answered(x) or x <= 3``. Negated calls stay
    :class:`Not` around a :class:`Call`.

    >>> to_string(negate("${x} > 3 and selected(${ch}, 'web')"))
    "not answered(${x}) or ${x} <= 3 or not selected(${ch}, 'web')"
    """
    node = parse(node)
    if isinstance(node, Compare):
        flipped = Compare(_NEGATED_OP[node.op], node.left, node.right, node.pos)
        if node.op in ("=", "!="):
            return flipped
        unanswered = tuple(Not(_answered(side), side.pos) for side in (node.left, node.right)
                           if isinstance(side, Ref))
        return BoolOp("or", (*unanswered, flipped), node.pos) if unanswered else flipped
    if isinstance(node, BoolOp):
        flipped_op = "or" if node.op == "and" else "and"
        return _flatten(BoolOp(flipped_op, tuple(negate(op) for op in node.operands), node.pos))
    if isinstance(node, Not):
        return _nnf(node.operand)
    if isinstance(node, Call):
        return Not(node, node.pos)
    raise TypeError(f"cannot negate {node!r}")


def _answered(ref: Ref) -> Call:
    return Call("answered", (ref,), ref.pos)


def _flatten(node: BoolOp) -> BoolOp:
    """Merge operands that are the same operator into their parent (``a or (b or c)``)."""
    operands: list[Node] = []
    for operand in node.operands:
        if isinstance(operand, BoolOp) and operand.op == node.op:
            operands.extend(operand.operands)
        else:
            operands.append(operand)
    return BoolOp(node.op, tuple(operands), node.pos)


def _spell_out_empty(node: Node, covered: frozenset[str] = frozenset()) -> Node:
    """Make the rules of an empty answer explicit, for a dialect that compares blanks
    loosely: every ordering, every comparison with a number and every comparison of two
    answers is guarded with ``answered()``. ``node`` is in negation normal form;
    ``covered`` names references whose emptiness an ``or`` sibling already accepts
    (``not answered(x) or x <= 3`` needs no second guard)."""
    if isinstance(node, BoolOp):
        if node.op == "or":
            covered = covered | {op.operand.args[0].name for op in node.operands  # type: ignore[union-attr]
                                 if isinstance(op, Not) and isinstance(op.operand, Call)
                                 and op.operand.func == "answered"}
        else:
            covered = frozenset()
        return _flatten(BoolOp(node.op, tuple(_spell_out_empty(op, covered)
                                              for op in node.operands), node.pos))
    if not isinstance(node, Compare):
        return node
    refs = [side for side in (node.left, node.right) if isinstance(side, Ref)]
    consts = [side for side in (node.left, node.right) if isinstance(side, Const)]
    if not refs or (node.op in ("=", "!=") and consts and isinstance(consts[0].value, str)):
        return node  # text against text: a blank is unequal to any non-blank literal
    given = tuple(_answered(ref) for ref in refs)
    if node.op not in ("=", "!="):
        if len(refs) == 1 and refs[0].name in covered:
            return node
        return BoolOp("and", (*given, node), node.pos)
    equal = Compare("=", node.left, node.right, node.pos)
    if len(refs) == 1:
        guarded = BoolOp("and", (*given, equal), node.pos)
    else:
        both_empty = BoolOp("and", tuple(Not(call, call.pos) for call in given), node.pos)
        guarded = BoolOp("or", (both_empty, BoolOp("and", (*given, equal), node.pos)),
                         node.pos)
    return guarded if node.op == "=" else negate(guarded)


def _nnf(node: Node) -> Node:
    if isinstance(node, Not):
        return negate(node.operand)
    if isinstance(node, BoolOp):
        return BoolOp(node.op, tuple(_nnf(op) for op in node.operands), node.pos)
    return node


def _quote(value: str, prefer: str = "'") -> str:
    other = '"' if prefer == "'" else "'"
    if prefer not in value:
        return f"{prefer}{value}{prefer}"
    if other not in value:
        return f"{other}{value}{other}"
    return prefer + value.replace("\\", "\\\\").replace(prefer, "\\" + prefer) + prefer


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


Renamer = Union[Callable[[str], str], Mapping[str, str], None]  # noqa: UP007


def _renamer(rename: Renamer) -> Callable[[str], str]:
    if rename is None:
        return lambda name: name
    if isinstance(rename, Mapping):
        mapping = rename
        return lambda name: mapping.get(name, name)
    return rename


class _Dialect:
    """Renders a tree; subclasses override the leaf forms."""

    not_form: str | None = "not {}"  # None: the tree must be in negation normal form
    ops: Mapping[str, str] = {op: op for op in COMPARISON_OPS}

    def __init__(self, rename: Renamer = None) -> None:
        self.rename = _renamer(rename)

    def ref(self, name: str) -> str:
        return "${" + self.rename(name) + "}"

    def const(self, value: float | int | str) -> str:
        return _quote(value) if isinstance(value, str) else _number(value)

    def selected(self, name: str, value: str, negated: bool) -> str:
        text = f"selected({self.ref(name)}, {self.const(value)})"
        return f"not {text}" if negated else text

    def answered(self, name: str, negated: bool) -> str:
        text = f"answered({self.ref(name)})"
        return f"not {text}" if negated else text

    def render(self, node: Node, parent: int = 0) -> str:
        if isinstance(node, Ref):
            return self.ref(node.name)
        if isinstance(node, Const):
            return self.const(node.value)
        if isinstance(node, Compare):
            return f"{self.render(node.left)} {self.ops[node.op]} {self.render(node.right)}"
        if isinstance(node, BoolOp):
            level = _PRECEDENCE[node.op]
            text = f" {node.op} ".join(self.render(op, level) for op in node.operands)
            return f"({text})" if level < parent else text
        if isinstance(node, Call):
            return self.call(node, negated=False)
        if isinstance(node, Not):
            if isinstance(node.operand, Call):
                return self.call(node.operand, negated=True)
            if self.not_form is None:
                return self.render(negate(node.operand), parent)
            inner = self.render(node.operand, 3)
            return self.not_form.format(inner)
        raise TypeError(f"cannot render {node!r}")

    def call(self, node: Call, negated: bool) -> str:
        name = node.args[0].name  # type: ignore[union-attr]
        if node.func == "selected":
            return self.selected(name, str(node.args[1].value), negated)  # type: ignore[union-attr]
        return self.answered(name, negated)


class _Canonical(_Dialect):
    def render(self, node: Node, parent: int = 0) -> str:
        if isinstance(node, Not) and not isinstance(node.operand, Call):
            return f"not ({self.render(node.operand)})"
        return super().render(node, parent)


class _XLSForm(_Dialect):
    not_form = "not({})"

    def render(self, node: Node, parent: int = 0) -> str:
        if isinstance(node, Not) and not isinstance(node.operand, Call):
            return f"not({self.render(node.operand, 0)})"
        return super().render(node, parent)

    def selected(self, name: str, value: str, negated: bool) -> str:
        text = f"selected({self.ref(name)}, {self.const(value)})"
        return f"not({text})" if negated else text

    def answered(self, name: str, negated: bool) -> str:
        return f"{self.ref(name)} {'=' if negated else '!='} ''"


class _SurveyJS(_Dialect):
    def render(self, node: Node, parent: int = 0) -> str:
        if isinstance(node, Not) and not isinstance(node.operand, Call):
            return f"!({self.render(node.operand, 0)})"
        if (isinstance(node, Compare) and node.op not in ("=", "!=")
                and isinstance(node.left, Ref) and isinstance(node.right, Ref)):
            # survey-core holds {a} <= {b} when both are empty (it tests equality first)
            return (f"({self.answered(node.left.name, False)} and "
                    f"{self.answered(node.right.name, False)} and {super().render(node)})")
        return super().render(node, parent)

    def ref(self, name: str) -> str:
        return "{" + self.rename(name) + "}"

    def selected(self, name: str, value: str, negated: bool) -> str:
        return f"{self.ref(name)} {'notcontains' if negated else 'contains'} {self.const(value)}"

    def answered(self, name: str, negated: bool) -> str:
        return f"{self.ref(name)} {'empty' if negated else 'notempty'}"


class _REDCap(_Dialect):
    not_form = None
    ops: Mapping[str, str] = {**{op: op for op in COMPARISON_OPS}, "!=": "<>"}

    def render(self, node: Node, parent: int = 0) -> str:
        if isinstance(node, BoolOp) and parent:  # nested: brackets, not precedence rules
            return f"({self.render(node, 0)})"
        return super().render(node, parent)

    def ref(self, name: str) -> str:
        return "[" + self.rename(name) + "]"

    def selected(self, name: str, value: str, negated: bool) -> str:
        return f"[{self.rename(name)}({value})] = '{0 if negated else 1}'"

    def answered(self, name: str, negated: bool) -> str:
        return f"{self.ref(name)} {'=' if negated else '<>'} ''"


def to_string(expr: str | Node) -> str:
    """Render in this module's own syntax (canonical spacing, ``=`` and ``!=``).

    ``parse(to_string(parse(x)))`` equals ``parse(x)`` up to node positions.
    """
    return _Canonical().render(parse(expr))


def to_xlsform(expr: str | Node, rename: Renamer = None) -> str:
    """Translate to an XLSForm ``relevant`` expression (ODK XPath).

    Parameters
    ----------
    expr : str or Node
        The condition.
    rename : callable or mapping, optional
        Maps question names to the names used in the target (default: unchanged).

    Examples
    --------
    >>> to_xlsform("${q} >= 3 and not selected(${ch}, 'web')")
    "${q} >= 3 and not(selected(${ch}, 'web'))"
    """
    return _XLSForm(rename).render(parse(expr))


def to_surveyjs(expr: str | Node, rename: Renamer = None) -> str:
    """Translate to a SurveyJS ``visibleIf`` expression.

    survey-core treats an unanswered question as this module does (see *Semantics*), so the
    translation is literal: ``not (...)`` becomes ``!(...)``, a negated call
    ``notcontains``/``empty``. Use ``rename`` to map a grid item to its matrix path, e.g.
    ``{"trust_1": "trust_grid.trust_1"}``.

    Examples
    --------
    >>> to_surveyjs("not (${q} >= 3) or not selected(${ch}, 'web')")
    "!({q} >= 3) or {ch} notcontains 'web'"
    """
    return _SurveyJS(rename).render(parse(expr))


def to_redcap(expr: str | Node, rename: Renamer = None) -> str:
    """Translate to REDCap branching logic.

    Multiple-choice (checkbox) fields use ``[q(v)] = '1'``; ``!=`` becomes ``<>``;
    negations are pushed inwards (:func:`negate`) because REDCap has no ``not`` operator,
    and comparisons that REDCap would make with a blank loosely are guarded with
    ``[q] <> ''`` so an unanswered question behaves as the *Semantics* say.

    Examples
    --------
    >>> to_redcap("${q} != 3 and selected(${ch}, 'web')")
    "([q] = '' or [q] <> 3) and [ch(web)] = '1'"
    """
    return _REDCap(rename).render(_spell_out_empty(_nnf(parse(expr))))
