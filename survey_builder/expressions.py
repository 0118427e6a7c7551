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

Semantics of missing answers (used by :func:`evaluate`): a comparison involving an
unanswered question is false (also ``!=``); ``selected`` on an unanswered question is
false; ``not`` simply negates. The XLSForm translation keeps ``not(...)``; the SurveyJS and
REDCap dialects have no general negation, so :func:`negate` pushes it inwards
(``not ${q} > 3`` becomes ``${q} <= 3``), which differs only when ``q`` is unanswered.

Public API (stable, used by the exporters)
------------------------------------------
:func:`parse`, :func:`references`, :func:`evaluate`, :func:`to_string`, :func:`negate`,
:func:`to_xlsform`, :func:`to_surveyjs`, :func:`to_redcap`, :class:`ExpressionError` and
the node classes :class:`Ref`, :class:`Const`, :class:`Compare`, :class:`BoolOp`,
:class:`Not`, :class:`Call`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Union

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
    "is_missing",
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
def is_missing(value: Any) -> bool:
    """True for ``None``, ``""`` (also blank), NaN and empty collections."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) == 0
    try:  # numpy/pandas scalars (NaN, NA, NaT) without importing them
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _compare(op: str, left: Any, right: Any) -> bool:
    if is_missing(left) or is_missing(right):
        return False
    lnum, rnum = _as_number(left), _as_number(right)
    if lnum is not None and rnum is not None:
        a: Any = lnum
        b: Any = rnum
    else:
        a, b = str(left), str(right)
    if op == "=":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _selected_codes(value: Any) -> set[str]:
    if is_missing(value):
        return set()
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, Mapping):
        return {str(k) for k, v in value.items() if not is_missing(v) and _as_number(v) != 0}
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
        "unanswered".

    Returns
    -------
    bool

    Examples
    --------
    >>> evaluate("${q1} >= 3 and selected(${ch}, 'web')", {"q1": 4, "ch": ["web", "shop"]})
    True
    """
    return _eval(parse(expr), answers)


# --------------------------------------------------------------------------- rendering
_PRECEDENCE = {"or": 1, "and": 2}


def negate(node: str | Node) -> Node:
    """Push a negation inwards (negation normal form of ``not node``).

    ``not (a and b)`` becomes ``not a or not b``; ``not x > 3`` becomes ``x <= 3``;
    negated calls stay :class:`Not` around a :class:`Call`.
    """
    node = parse(node)
    if isinstance(node, Compare):
        return Compare(_NEGATED_OP[node.op], node.left, node.right, node.pos)
    if isinstance(node, BoolOp):
        flipped = "or" if node.op == "and" else "and"
        return BoolOp(flipped, tuple(negate(op) for op in node.operands), node.pos)
    if isinstance(node, Not):
        return _nnf(node.operand)
    if isinstance(node, Call):
        return Not(node, node.pos)
    raise TypeError(f"cannot negate {node!r}")


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
    not_form = None

    def ref(self, name: str) -> str:
        return "{" + self.rename(name) + "}"

    def selected(self, name: str, value: str, negated: bool) -> str:
        return f"{self.ref(name)} {'notcontains' if negated else 'contains'} {self.const(value)}"

    def answered(self, name: str, negated: bool) -> str:
        return f"{self.ref(name)} {'empty' if negated else 'notempty'}"


class _REDCap(_Dialect):
    not_form = None
    ops: Mapping[str, str] = {**{op: op for op in COMPARISON_OPS}, "!=": "<>"}

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

    Negations are pushed inwards (SurveyJS has ``notcontains``/``empty`` but no general
    ``not``). Use ``rename`` to map a grid item to its matrix path, e.g.
    ``{"trust_1": "trust_grid.trust_1"}``.

    Examples
    --------
    >>> to_surveyjs("${q} >= 3 or not selected(${ch}, 'web')")
    "{q} >= 3 or {ch} notcontains 'web'"
    """
    return _SurveyJS(rename).render(_nnf(parse(expr)))


def to_redcap(expr: str | Node, rename: Renamer = None) -> str:
    """Translate to REDCap branching logic.

    Multiple-choice (checkbox) fields use ``[q(v)] = '1'``; ``!=`` becomes ``<>``;
    negations are pushed inwards because REDCap has no ``not`` operator.

    Examples
    --------
    >>> to_redcap("${q} != 3 and selected(${ch}, 'web')")
    "[q] <> 3 and [ch(web)] = '1'"
    """
    return _REDCap(rename).render(_nnf(parse(expr)))
