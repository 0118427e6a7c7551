"""The Excel scoring workbook: paste answers, read the segment (formulas, not values).

Three sheets:

* ``Answers`` — one row per respondent, the screener's answer fields (their codes) as
  columns with data validation of the allowed codes, then formula columns: the
  screener's calculated fields (counts, sums, scaled values, the distance to every
  prototype), ``segment`` and ``persona``, the same rule as the forms
  (:mod:`._compile`), written as ``IF``/``AND`` formulas;
* ``Model`` — every number of the rule (means, standard deviations, weights, prototypes,
  ``gamma`` × weight), which the formulas reference;
* ``Questions`` — each answer field's wording and its codes with their labels.

Only ``IF``, ``AND``, comparisons, ``&`` and arithmetic are used, so any spreadsheet
(Excel, LibreOffice, Google Sheets) computes it. An answer is read as text for a choice
(``A2&""="code"``: a code pasted as a number still matches) and as a number for a rating.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from openpyxl.utils import get_column_letter

from . import _expr as ex
from ._compile import PREFIX, ScreenerRule

__all__ = ["scoring_workbook"]

DEFAULT_ROWS = 1000
ANSWERS, MODEL, QUESTIONS = "Answers", "Model", "Questions"


def _excel_text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


class _Excel(ex._Renderer):
    """Formulas of one row: answers and calculations as cells of that row."""

    if_form = "IF({}, {}, {})"
    empty = '""'

    def __init__(self, columns: Mapping[str, str], params: Mapping[str, str], row: int) -> None:
        super().__init__(lambda name: name)
        self.columns, self.params, self.row = columns, params, row

    def ref(self, name: str) -> str:
        return f"{self.columns[name]}{self.row}"

    def answered(self, name: str) -> str:
        return f'{self.ref(name)}<>""'

    def text(self, value: str) -> str:
        return _excel_text(value)

    def __call__(self, node: ex.Expr) -> str:
        if isinstance(node, ex.Param):
            return self.params[node.name]
        if isinstance(node, ex.AnswerIs):
            return f'{self.ref(node.name)}&""={self.text(node.code)}'
        if isinstance(node, ex.And):
            return "AND(" + ", ".join(self(o) for o in node.operands) + ")"
        return super().__call__(node)


def _params(rule: ScreenerRule) -> dict[str, float]:
    """Every :class:`~._expr.Param` of the rule, in first-use order."""
    found: dict[str, float] = {}

    def visit(node: Any) -> None:
        if isinstance(node, ex.Param):
            found.setdefault(node.name, node.value)
        elif isinstance(node, (ex.Op, ex.Compare)):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, ex.And):
            for operand in node.operands:
                visit(operand)
        elif isinstance(node, ex.If):
            visit(node.condition)
            visit(node.then)
            visit(node.otherwise)

    for _, expr in rule.calculations:
        visit(expr)
    return found


def scoring_workbook(rule: ScreenerRule, *, rows: int = DEFAULT_ROWS,
                     language: str | None = None) -> bytes:
    """The scoring workbook of a screener as ``.xlsx`` bytes.

    Parameters
    ----------
    rule : ScreenerRule
    rows : int, default=1000
        Respondent rows prepared with formulas (paste up to this many).
    language : str, optional
        Language of the question texts on the ``Questions`` sheet (default: the
        screener's default language).

    Returns
    -------
    bytes
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    language = language or rule.spec["default_language"]
    workbook = Workbook()
    answers = workbook.active
    answers.title = ANSWERS
    model_sheet = workbook.create_sheet(MODEL)
    questions = workbook.create_sheet(QUESTIONS)
    bold = Font(bold=True)

    params = _params(rule)
    model_sheet.append(["parameter", "value"])
    cells = {}
    for index, (name, value) in enumerate(params.items(), start=2):
        model_sheet.append([name, float(value)])
        cells[name] = f"{MODEL}!$B${index}"
    model_sheet.column_dimensions["A"].width = 40
    model_sheet.column_dimensions["B"].width = 24

    names = rule.answer_fields + [name for name, _ in rule.calculations]
    columns = {name: get_column_letter(i) for i, name in enumerate(names, start=1)}
    answers.append(names)
    computed = PatternFill("solid", fgColor="EEEEEE")
    for cell in answers[1]:
        cell.font = bold
    for row in range(2, rows + 2):
        render = _Excel(columns, cells, row)
        for name, expr in rule.calculations:
            cell = answers[f"{columns[name]}{row}"]
            cell.value = "=" + render(expr)
            cell.fill = computed
    for name in rule.answer_fields:
        codes = rule.choices.get(name) or []
        listed = ",".join(codes)
        if codes and len(listed) <= 255 and not any("," in c or '"' in c for c in codes):
            validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True,
                                        showErrorMessage=True, error="Paste one of: " + listed)
            answers.add_data_validation(validation)
            validation.add(f"{columns[name]}2:{columns[name]}{rows + 1}")
    answers.freeze_panes = "A2"
    for name, letter in columns.items():
        answers.column_dimensions[letter].width = max(10, min(len(name) + 2, 30))
    for name, _ in rule.calculations:
        if name.startswith(PREFIX):  # helpers: counts, sums, scaled values
            answers.column_dimensions[columns[name]].hidden = True

    questions.append(["field", "question", "code", "answer"])
    for cell in questions[1]:
        cell.font = bold
    for name in rule.answer_fields:
        label = rule.labels.get(name, {}).get(language, "")
        codes = rule.choices.get(name) or [""]
        option_labels = _option_labels(rule, name, language)
        for i, code in enumerate(codes):
            questions.append([name if i == 0 else None, label if i == 0 else None, code,
                              option_labels.get(code, "")])
    questions.column_dimensions["B"].width = 60
    questions.column_dimensions["D"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _option_labels(rule: ScreenerRule, field: str, language: str) -> dict[str, str]:
    """Code -> label of an answer field's options, from the screener's spec."""
    for section in rule.spec["sections"]:
        for question in section["questions"]:
            if question["type"] == "single_choice" and question["name"] == field:
                return {c["value"]: c["label"].get(language, "") for c in question["choices"]}
            if question["type"] in ("likert", "likert_grid") and (
                    question["name"] == field
                    or any(item["name"] == field for item in question.get("items", []))):
                return {str(i): anchor.get(language, "")
                        for i, anchor in enumerate(question["anchors"], start=1)}
    return {}
