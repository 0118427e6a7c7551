"""Small evaluators of the two formula languages no engine here can run: REDCap and Excel.

REDCap itself cannot run here and LibreOffice is not installed, so the screener's REDCap
calculations and the workbook's formulas are parsed and evaluated by this independent
reader of their text (it never sees the expression trees they were written from). It
covers the subset the screener writes, with each language's semantics where they bite:

* REDCap turns a calculation into JavaScript: ``if(c, a, b)`` is a ternary (only one
  branch is evaluated), ``=``/``<>`` compare loosely like JavaScript's ``==`` (a blank
  equals ``0``!), a field is its text, read as a number in arithmetic;
* Excel: ``IF`` evaluates one branch, ``AND`` all, a blank cell is ``""`` next to text
  (``&``, ``=""``) and ``0`` in arithmetic, ``=`` between a number and text is FALSE.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)
  | (?P<dq>"(?:[^"]|"")*")
  | (?P<sq>'[^']*')
  | (?P<field>\[[a-z][a-z0-9_]*\])
  | (?P<cell>(?:[A-Za-z]+!)?\$?[A-Z]{1,3}\$?\d+(?![A-Za-z0-9_(]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><>|<=|>=|[-+*/=<>(),&])
)""", re.VERBOSE)


def tokens(text: str) -> list[tuple[str, str]]:
    out, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SyntaxError(f"cannot read {text[position:position + 20]!r} in {text!r}")
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


class _Parser:
    """Precedence climbing: comparison < & < + - < * /; and/or as REDCap words."""

    levels: tuple[tuple[str, ...], ...] = (
        ("or",), ("and",), ("=", "<>", "<=", ">=", "<", ">"), ("&",), ("+", "-"), ("*", "/"))

    def __init__(self, text: str, leaf: Callable[[str, str], Any]) -> None:
        self.tokens, self.i, self.leaf, self.text = tokens(text), 0, leaf, text

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.i]
        if expected is not None and token[1] != expected:
            raise SyntaxError(f"expected {expected!r}, got {token[1]!r} in {self.text!r}")
        self.i += 1
        return token

    def parse(self) -> Any:
        tree = self.binary(0)
        if self.i != len(self.tokens):
            raise SyntaxError(f"trailing {self.peek()!r} in {self.text!r}")
        return tree

    def binary(self, level: int) -> Any:
        if level == len(self.levels):
            return self.unary()
        left = self.binary(level + 1)
        while (self.peek() or "").lower() in self.levels[level]:
            op = self.take()[1].lower()
            left = ("op", op, left, self.binary(level + 1))
        return left

    def unary(self) -> Any:
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary())
        if self.peek() == "(":
            self.take()
            inner = self.binary(0)
            self.take(")")
            return inner
        kind, value = self.take()
        if kind == "name" and self.peek() == "(":
            self.take()
            args = []
            while self.peek() != ")":
                args.append(self.binary(0))
                if self.peek() == ",":
                    self.take()
            self.take(")")
            return ("call", value.lower(), args)
        return ("leaf", self.leaf(kind, value))


# --------------------------------------------------------------------------- REDCap
def _js_number(value: Any) -> float:
    if value == "" or value is None:
        return 0.0 if value == "" else float("nan")
    return float(value)


def _js_loose_equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    try:
        return _js_number(a) == _js_number(b)
    except ValueError:
        return False


def redcap_eval(text: str, fields: dict[str, Any]) -> Any:
    """Value of a REDCap calculation given the record's ``fields`` (blank = ``""``)."""

    def leaf(kind: str, value: str) -> Any:
        if kind == "number":
            return float(value)
        if kind in ("sq", "dq"):
            return value[1:-1]
        if kind == "field":
            return ("field", value[1:-1])
        raise SyntaxError(f"REDCap has no {kind} {value!r}")

    return _redcap(_Parser(text, leaf).parse(), fields)


def _redcap(node: Any, fields: dict[str, Any]) -> Any:
    kind = node[0]
    if kind == "leaf":
        value = node[1]
        if isinstance(value, tuple):
            if value[1] not in fields:
                raise KeyError(f"[{value[1]}] is not a field of the record")
            return fields[value[1]]
        return value
    if kind == "neg":
        return -_js_number(_redcap(node[1], fields))
    if kind == "call":
        name, args = node[1], node[2]
        if name != "if" or len(args) != 3:
            raise SyntaxError(f"unsupported REDCap function {name}")
        return _redcap(args[1] if _redcap(args[0], fields) else args[2], fields)
    op, left, right = node[1], _redcap(node[2], fields), _redcap(node[3], fields)
    if op == "and":
        return bool(left) and bool(right)
    if op == "or":
        return bool(left) or bool(right)
    if op == "=":
        return _js_loose_equal(left, right)
    if op == "<>":
        return not _js_loose_equal(left, right)
    a, b = _js_number(left), _js_number(right)
    return {"<=": a <= b, ">=": a >= b, "<": a < b, ">": a > b, "+": a + b, "-": a - b,
            "*": a * b, "/": a / b if b else float("nan")}[op]


# --------------------------------------------------------------------------- Excel
def _excel_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def _excel_number(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    return float(value)


def _excel_equal(a: Any, b: Any) -> bool:
    if a is None:
        a = "" if isinstance(b, str) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else 0.0
    if isinstance(a, str) != isinstance(b, str):
        return False
    return a == b if isinstance(a, str) else float(a) == float(b)


def excel_eval(formula: str, cell: Callable[[str], Any]) -> Any:
    """Value of an Excel formula (``=...``); ``cell("B2")`` / ``cell("Model!$B$3")``."""
    if not formula.startswith("="):
        raise SyntaxError(f"not a formula: {formula!r}")

    def leaf(kind: str, value: str) -> Any:
        if kind == "number":
            return float(value)
        if kind == "dq":
            return value[1:-1].replace('""', '"')
        if kind == "cell":
            return ("cell", value.replace("$", ""))
        raise SyntaxError(f"Excel has no {kind} {value!r}")

    return _excel(_Parser(formula[1:], leaf).parse(), cell)


def _excel(node: Any, cell: Callable[[str], Any]) -> Any:
    kind = node[0]
    if kind == "leaf":
        value = node[1]
        return cell(value[1]) if isinstance(value, tuple) else value
    if kind == "neg":
        return -_excel_number(_excel(node[1], cell))
    if kind == "call":
        name, args = node[1], node[2]
        if name == "if" and len(args) == 3:
            return _excel(args[1] if _excel(args[0], cell) else args[2], cell)
        if name == "and":
            return all([bool(_excel(a, cell)) for a in args])
        raise SyntaxError(f"unsupported Excel function {name}")
    op, left, right = node[1], _excel(node[2], cell), _excel(node[3], cell)
    if op == "&":
        return _excel_text(left) + _excel_text(right)
    if op == "=":
        return _excel_equal(left, right)
    if op == "<>":
        return not _excel_equal(left, right)
    a, b = _excel_number(left), _excel_number(right)
    if op == "/" and b == 0:
        raise ZeroDivisionError("#DIV/0!")
    return {"<=": a <= b, ">=": a >= b, "<": a < b, ">": a > b, "+": a + b, "-": a - b,
            "*": a * b, "/": a / b if b else 0.0}[op]
