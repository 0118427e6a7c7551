"""The screener's arithmetic: a small expression tree rendered in each form's language.

The assignment rule is built once as a tree (:mod:`._compile`) and written out by one
renderer per target: SurveyJS expressions (survey-core), ODK XPath (XLSForm
``calculation``), REDCap calculations and Excel formulas (:mod:`._workbook` renders its
own leaves as cell references). Every renderer writes numbers with full float64
precision (``repr``), negative ones in brackets, and every operation bracketed, so no
target's precedence rules matter.

An unanswered question is the empty value in every target; the tree never does
arithmetic on it: :class:`Answer` only appears under an ``If`` whose condition is that
the question is answered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from survey_builder.errors import UserError

__all__ = [
    "And",
    "Answer",
    "AnswerIs",
    "Answered",
    "Calc",
    "Compare",
    "Empty",
    "Expr",
    "If",
    "Num",
    "Op",
    "Param",
    "Str",
    "render",
]


@dataclass(frozen=True)
class Num:
    """A number."""

    value: float


@dataclass(frozen=True)
class Param:
    """A number of the model (a mean, a prototype...), named for a workbook's model sheet."""

    name: str
    value: float


@dataclass(frozen=True)
class Str:
    """A text constant (a persona name)."""

    value: str


@dataclass(frozen=True)
class Empty:
    """The empty value (no segment for a respondent who answered nothing)."""


@dataclass(frozen=True)
class Answer:
    """The numeric answer to question (column) ``name``."""

    name: str


@dataclass(frozen=True)
class Answered:
    """True when question ``name`` has an answer."""

    name: str


@dataclass(frozen=True)
class AnswerIs:
    """True when question ``name`` was answered with option ``code``."""

    name: str
    code: str


@dataclass(frozen=True)
class Calc:
    """The value of an earlier calculated field."""

    name: str


@dataclass(frozen=True)
class Op:
    """``left <op> right`` for ``op`` in ``+ - * /``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Compare:
    """``left <op> right`` for ``op`` in ``= <= >=``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class And:
    """Every condition holds."""

    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class If:
    """``then`` when ``condition`` holds, else ``otherwise``."""

    condition: Expr
    then: Expr
    otherwise: Expr


Expr = Union[Num, Param, Str, Empty, Answer, Answered, AnswerIs, Calc, Op, Compare, And, If]  # noqa: UP007


def total(terms: Sequence[Expr]) -> Expr:
    """The sum of ``terms`` (``0`` for none), as a left-leaning chain of ``+``."""
    if not terms:
        return Num(0.0)
    result = terms[0]
    for term in terms[1:]:
        result = Op("+", result, term)
    return result


def _number(value: float) -> str:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"the screener cannot hold the non-finite number {value}")
    text = str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return f"({text})" if value < 0 else text


def _quote(text: str) -> str:
    """A string literal in the quote the text does not hold (REDCap, XPath); a text
    holding both (REDCap, which has no escapes) gets a typographic apostrophe."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "\u2019") + "'"


class _Renderer:
    """One target's spelling of the tree; subclasses give the leaves and keywords."""

    if_form = "if({}, {}, {})"
    and_word = "and"
    ops: Mapping[str, str] = {"+": "+", "-": "-", "*": "*", "/": "/"}
    compare_ops: Mapping[str, str] = {"=": "=", "<=": "<=", ">=": ">="}
    empty = "''"

    def __init__(self, path: Callable[[str], str]) -> None:
        self.path = path

    def ref(self, name: str) -> str:
        raise NotImplementedError

    def answered(self, name: str) -> str:
        raise NotImplementedError

    def text(self, value: str) -> str:
        return _quote(value)

    def __call__(self, node: Expr) -> str:
        if isinstance(node, (Num, Param)):
            return _number(node.value)
        if isinstance(node, Str):
            return self.text(node.value)
        if isinstance(node, Empty):
            return self.empty
        if isinstance(node, (Answer, Calc)):
            return self.ref(node.name)
        if isinstance(node, Answered):
            return self.answered(node.name)
        if isinstance(node, AnswerIs):
            return f"{self.ref(node.name)} = {self.text(node.code)}"
        if isinstance(node, Op):
            return f"({self(node.left)} {self.ops[node.op]} {self(node.right)})"
        if isinstance(node, Compare):
            return f"{self(node.left)} {self.compare_ops[node.op]} {self(node.right)}"
        if isinstance(node, And):
            return "(" + f" {self.and_word} ".join(self(o) for o in node.operands) + ")"
        if isinstance(node, If):
            return self.if_form.format(self(node.condition), self(node.then),
                                       self(node.otherwise))
        raise TypeError(f"cannot render {node!r}")  # pragma: no cover


class _SurveyJS(_Renderer):
    if_form = "iif({}, {}, {})"

    def text(self, value: str) -> str:
        # survey-core reads \' and \" inside a literal but keeps a backslash as it is
        if "\\" in value:
            raise UserError(f"{value!r} holds a backslash, which a SurveyJS expression "
                            "cannot spell; rename it")
        return "'" + value.replace("'", "\\'").replace('"', '\\"') + "'"

    def ref(self, name: str) -> str:
        return "{" + self.path(name) + "}"

    def answered(self, name: str) -> str:
        return f"{self.ref(name)} notempty"


class _XPath(_Renderer):
    ops: Mapping[str, str] = {"+": "+", "-": "-", "*": "*", "/": "div"}

    def text(self, value: str) -> str:
        if "'" in value and '"' in value:  # XPath 1.0 has no escapes: join the pieces
            pieces = value.split("'")
            return "concat(" + ", \"'\", ".join(f"'{p}'" for p in pieces) + ")"
        return _quote(value)

    def ref(self, name: str) -> str:
        return "${" + self.path(name) + "}"

    def answered(self, name: str) -> str:
        return f"{self.ref(name)} != ''"


class _REDCap(_Renderer):
    def ref(self, name: str) -> str:
        return "[" + self.path(name) + "]"

    def answered(self, name: str) -> str:
        return f"{self.ref(name)} <> ''"


_RENDERERS = {"surveyjs": _SurveyJS, "xpath": _XPath, "redcap": _REDCap}


def render(node: Expr, target: str, path: Mapping[str, str] | None = None) -> str:
    """``node`` written in ``target``'s expression language.

    Parameters
    ----------
    node : Expr
    target : {"surveyjs", "xpath", "redcap"}
    path : mapping, optional
        How a question is addressed when it is not by its name (SurveyJS grid rows:
        ``{"item": "grid.item"}``).

    Returns
    -------
    str
    """
    paths = dict(path or {})
    return _RENDERERS[target](lambda name: paths.get(name, name))(node)
