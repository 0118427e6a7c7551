"""Interface wording and question numbering shared by the HTML and Markdown exporters.

The spec carries every respondent-facing text; this module holds the few words the
documents add themselves ("Answer only if", "required", ...), in English and Spanish
with English as the fallback, plus a readable rendering of relevance conditions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import expressions as ex
from ..spec import (
    Survey,
)
from ._common import format_number

__all__ = ["describe_condition", "number_questions", "selection_instruction", "ui"]

_UI: dict[str, dict[str, str]] = {
    "en": {
        "q": "Q",
        "required": "required",
        "required_note": "Questions marked * must be answered.",
        "only_if": "Answer only if",
        "random_section": "Online, the questions of this section are shown in random order.",
        "random_rows": "Online, the statements are shown in random order.",
        "select_one": "Choose one answer.",
        "select_many": "Choose all that apply.",
        "select_range": "Choose between {min} and {max} answers.",
        "select_min": "Choose at least {min} answers.",
        "select_max": "Choose up to {max} answers.",
        "rank": "Number the options from 1 (first) to {n}.",
        "rank_label": "Rank",
        "number": "Enter a number",
        "whole_number": "Enter a whole number",
        "range": "from {min} to {max}",
        "at_least": "of at least {min}",
        "at_most": "of at most {max}",
        "your_answer": "Your answer",
        "max_chars": "At most {n} characters.",
        "languages": "Other languages",
        "and": "and",
        "or": "or",
        "not": "not",
        "selected": "“{option}” is chosen in {q}",
        "answered": "{q} is answered",
        "terminate": "TERMINATE if {condition}",
        "fieldwork": "Screening, quotas and redirects",
        "screening": "Screening",
        "quotas": "Quotas",
        "quota_note": "A complete counts in every cell whose condition holds; once a cell "
                      "has its target, the next respondent in it is over quota.",
        "quota_cell": "Cell",
        "quota_who": "Who counts",
        "quota_target": "Target (completes)",
        "quota_total": "Total",
        "redirects": "Panel redirects",
        "redirect_complete": "Complete: send to",
        "redirect_screenout": "Screen-out: send to",
        "redirect_overquota": "Over quota (the respondent's cell has reached its target): "
                              "send to",
        "redirect_id": "The panel's respondent id arrives in the link's {name} parameter "
                       "and replaces {placeholder} in these addresses.",
        "correct": "correct answer",
        "statement": "Statement",
        "code": "Code",
        "option": "Answer",
        "scale": "Scale",
        "reverse": "reverse-keyed",
        "scales": "Scales",
        "dimension": "Dimension",
        "items": "Items",
        "measures": "Measures",
        "high_score": "A high score means",
        "version": "version",
        "language": "language",
        "questions": "questions",
        "columns": "Response columns",
        "derived": "Derived measures",
        "clv": "Customer lifetime value = average purchase value × purchases per year × years "
               "as a customer ({currency})",
        "journey": "Customer-journey stage from {q}: {stages}",
        "type_likert": "rating",
        "type_likert_grid": "rating grid",
        "type_single_choice": "single choice",
        "type_multiple_choice": "multiple choice",
        "type_numeric": "number",
        "type_text": "text",
        "type_ranking": "ranking",
        "type_attention_check": "attention check",
        "type_note": "note",
        "type_nps": "net promoter score (0-10)",
        "type_maxdiff": "best-worst (MaxDiff)",
        "exclusive": "exclusive: no other option with it",
        "piped": "[answer to {q}]",
        "maxdiff_design": "Design (seed {seed}): each item shown {shown} times, each pair "
                          "together {pairs} times.",
    },
    "es": {
        "q": "P",
        "required": "obligatoria",
        "required_note": "Las preguntas marcadas con * son obligatorias.",
        "only_if": "Responda solo si",
        "random_section": "En línea, las preguntas de esta sección se muestran en orden "
                          "aleatorio.",
        "random_rows": "En línea, las afirmaciones se muestran en orden aleatorio.",
        "select_one": "Elija una respuesta.",
        "select_many": "Elija todas las que correspondan.",
        "select_range": "Elija entre {min} y {max} respuestas.",
        "select_min": "Elija al menos {min} respuestas.",
        "select_max": "Elija hasta {max} respuestas.",
        "rank": "Numere las opciones del 1 (primera) al {n}.",
        "rank_label": "Posición",
        "number": "Escriba un número",
        "whole_number": "Escriba un número entero",
        "range": "entre {min} y {max}",
        "at_least": "igual o mayor que {min}",
        "at_most": "igual o menor que {max}",
        "your_answer": "Su respuesta",
        "max_chars": "Como máximo {n} caracteres.",
        "languages": "Otros idiomas",
        "and": "y",
        "or": "o",
        "not": "no",
        "selected": "se ha elegido «{option}» en {q}",
        "answered": "se ha respondido {q}",
        "terminate": "TERMINAR si {condition}",
        "fieldwork": "Filtro, cuotas y redirecciones",
        "screening": "Filtro",
        "quotas": "Cuotas",
        "quota_note": "Una entrevista completa cuenta en cada celda cuya condición se "
                      "cumple; cuando una celda alcanza su objetivo, el siguiente "
                      "encuestado de esa celda queda fuera de cuota.",
        "quota_cell": "Celda",
        "quota_who": "Quién cuenta",
        "quota_target": "Objetivo (completas)",
        "quota_total": "Total",
        "redirects": "Redirecciones del panel",
        "redirect_complete": "Completa: enviar a",
        "redirect_screenout": "Filtrada: enviar a",
        "redirect_overquota": "Fuera de cuota (la celda ya alcanzó su objetivo): enviar a",
        "redirect_id": "El identificador del panel llega en el parámetro {name} del enlace "
                       "y sustituye a {placeholder} en estas direcciones.",
        "correct": "respuesta correcta",
        "statement": "Afirmación",
        "code": "Código",
        "option": "Respuesta",
        "scale": "Escala",
        "reverse": "inversa",
        "scales": "Escalas",
        "dimension": "Dimensión",
        "items": "Ítems",
        "measures": "Mide",
        "high_score": "Una puntuación alta significa",
        "version": "versión",
        "language": "idioma",
        "questions": "preguntas",
        "columns": "Columnas de respuesta",
        "derived": "Medidas derivadas",
        "clv": "Valor del cliente en el tiempo = gasto medio por compra × compras al año × "
               "años como cliente ({currency})",
        "journey": "Etapa del recorrido del cliente según {q}: {stages}",
        "type_likert": "valoración",
        "type_likert_grid": "tabla de valoración",
        "type_single_choice": "respuesta única",
        "type_multiple_choice": "respuesta múltiple",
        "type_numeric": "número",
        "type_text": "texto",
        "type_ranking": "ordenación",
        "type_attention_check": "control de atención",
        "type_note": "nota",
        "type_nps": "net promoter score (0-10)",
        "type_maxdiff": "mejor-peor (MaxDiff)",
        "exclusive": "excluyente: ninguna otra opción con ella",
        "piped": "[respuesta a {q}]",
        "maxdiff_design": "Diseño (semilla {seed}): cada elemento se muestra {shown} veces, "
                          "cada par junto {pairs} veces.",
    },
}


def ui(language: str, key: str, **values: Any) -> str:
    """The interface text ``key`` in ``language`` (English fallback), formatted."""
    table = _UI.get(language.split("-")[0].lower(), _UI["en"])
    text = table.get(key, _UI["en"][key])
    return text.format(**values) if values else text


def selection_instruction(language: str, question: Any) -> str:
    """How many options a multiple-choice question asks for, in words ("Select 1 to 3")."""
    low, high = question.min_selected, question.max_selected
    if low and high:
        return ui(language, "select_range", min=low, max=high)
    if low:
        return ui(language, "select_min", min=low)
    if high:
        return ui(language, "select_max", max=high)
    return ui(language, "select_many")


def piped_placeholders(text: str, language: str, numbers: dict[str, str]) -> str:
    """``text`` with each piped ``${name}`` shown as ``[answer to Q3]`` (paper and HTML
    versions cannot show the answer itself)."""
    from ..spec import pipe

    return pipe(text, lambda name: ui(language, "piped", q=f"{ui(language, 'q')}"
                                                          f"{numbers[name]}"), numbers)


def number_questions(survey: Survey) -> dict[str, str]:
    """Display numbers: ``"1"``, ``"2"`` ... per question (notes skipped); grid rows get
    ``"7.1"``, ``"7.2"`` ... under their grid's number."""
    numbers: dict[str, str] = {}
    n = 0
    for question in survey.iter_questions():
        if not question.has_answer:
            continue
        n += 1
        numbers[question.name] = str(n)
        if question.is_grid:
            for i, item in enumerate(question.items, start=1):
                numbers[item.name] = f"{n}.{i}"
    return numbers


_SYMBOLS = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def describe_condition(expr: str, survey: Survey, language: str, numbers: dict[str, str],
                       quote: Callable[[str], str] = lambda text: text) -> str:
    """A readable version of a relevance condition, with question numbers and option
    labels, e.g. ``Q3 = “About once a week” and Q4 ≥ 3``.

    ``quote`` escapes the option labels for the output format (they are user text).
    """
    prefix = ui(language, "q")

    def qname(name: str) -> str:
        return f"{prefix}{numbers.get(name, name)}"

    def option_label(name: str, value: Any) -> str:
        try:
            question = survey.get(name)
        except KeyError:
            return str(value)
        if question.has_choices:
            for choice in question.choices:
                if choice.value == str(value):
                    return survey.text(choice.label, language)
        return str(value)

    def render(node: ex.Node, parent: int = 0) -> str:
        if isinstance(node, ex.Compare):
            left, right = node.left, node.right
            if isinstance(left, ex.Ref) and isinstance(right, ex.Const) and isinstance(
                    right.value, str):
                value = f"“{quote(option_label(left.name, right.value))}”"
            else:
                value = render_value(right)
            return f"{render_value(left)} {_SYMBOLS[node.op]} {value}"
        if isinstance(node, ex.BoolOp):
            level = 1 if node.op == "or" else 2
            text = f" {ui(language, node.op)} ".join(render(op, level) for op in node.operands)
            return f"({text})" if level < parent else text
        if isinstance(node, ex.Not):
            return f"{ui(language, 'not')} ({render(node.operand)})"
        if isinstance(node, ex.Call):
            name = node.args[0].name  # type: ignore[union-attr]
            if node.func == "selected":
                option = quote(option_label(name, node.args[1].value))  # type: ignore[union-attr]
                return ui(language, "selected", option=option, q=qname(name))
            return ui(language, "answered", q=qname(name))
        return render_value(node)

    def render_value(node: ex.Node) -> str:
        if isinstance(node, ex.Ref):
            return qname(node.name)
        if isinstance(node, ex.Const):
            if isinstance(node.value, str):
                return f"“{quote(node.value)}”"
            return format_number(node.value)
        return render(node)

    return render(ex.parse(expr))
