"""The codebook: every column of the canonical response file, plus scales and derivations.

Canonical flat response layout
------------------------------
This is the one layout every response file is converted to before scoring; ``simulate``
writes it directly and the importers (ODK/Kobo CSV, SurveyJS JSON, REDCap CSV) convert to it.
It is a CSV (UTF-8, comma separated, header row) with **one row per respondent** and
these columns, in this order:

1. ``respondent_id`` (:data:`~survey_builder.spec.ID_COLUMN`) — a unique, non-empty string.
2. Then, following the questionnaire order (sections, then questions):

   ==================  ===========================  =========================================
   question type       column(s)                    cell value
   ==================  ===========================  =========================================
   ``likert``          ``<name>``                   integer code 1..points as answered
                                                    (raw, *not* reverse-keyed)
   ``likert_grid``     one ``<item>`` per row       as ``likert``; the grid itself has no
                                                    column
   ``single_choice``   ``<name>``                   the chosen option's ``value`` code
   ``attention_check`` ``<name>``                   the chosen option's ``value`` code
   ``multiple_choice`` ``<name>__<value>`` per      ``1`` ticked, ``0`` not ticked; all
                       option (double underscore)   empty if the question was not answered
   ``ranking``         ``<name>__<value>`` per      the option's rank, 1 = first; empty if
                       option                       not ranked
   ``numeric``         ``<name>``                   the number (``.`` decimal separator)
   ``text``            ``<name>``                   the text
   ``note``            none                         —
   ==================  ===========================  =========================================

An **empty cell** means "no answer" (skipped, not shown because of a relevance condition,
or missing). No other missing-value codes are used. Names never contain ``__`` so the
``question__option`` columns cannot collide with question names.

The codebook (``codebook.json``)
--------------------------------
:func:`build_codebook` returns a JSON-serialisable dict::

    {
      "format": "survey-builder-codebook", "version": 1,
      "survey": {"id", "version", "title", "languages", "default_language"},
      "id_column": "respondent_id", "missing": "", "option_separator": "__",
      "columns": [ {column}, ... ],          # exactly the CSV header, in order
      "questions": [ {question}, ... ],      # per question: name, type, columns, choices
      "scales": [ {scale}, ... ],
      "attention_checks": [ {"question", "column", "answer"} ],
      "derivations": {"clv": {...} | null, "journey": {...} | null}
    }

Each column entry has: ``name``, ``question`` (the question it belongs to — the grid
for grid rows), ``item`` (the grid-row/item name or ``null``), ``option`` (for
``question__option`` columns), ``type`` (``id``, ``likert``, ``single_choice``,
``attention_check``, ``multiple_choice_option``, ``ranking_option``, ``numeric``,
``text``), ``value_type`` (``string``, ``integer``, ``number``), ``label`` (per
language), ``section``, ``levels`` (``[{"code", "label": {lang: text}}]`` or ``null``),
``min``/``max`` (valid range or ``null``), ``integer`` (bool), ``required``,
``relevant`` (condition text or ``null``), ``scale``, ``reverse_keyed``.

Scale entries: ``name``, ``dimension``, ``layer``, ``label``, ``description``,
``high_score``, ``points``, ``min_answered``, ``items`` (column names),
``reverse_keyed`` (the reverse-keyed subset). Reverse-keying a response ``x`` on a
``points``-point item is ``points + 1 - x``.

Derivations: ``clv`` gives ``formula`` (``value * frequency * lifespan``), ``currency``
and the three ``terms``, each ``{"question", "column", "kind": "numeric"|"choice",
"factor", "unit", "map": {code: number} | null}``: the number of a term is the numeric
answer (kind ``numeric``) or ``map[code]`` (kind ``choice``; codes missing from the map
mean "unknown"), times ``factor``. Units: value in ``currency`` per purchase,
frequency in purchases per year, lifespan in years. ``journey`` gives ``question``,
``column``, ``stages`` (codes in order) and ``order`` (``{code: 1..n}``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .atomic import write_text_atomic
from .errors import SurveyError
from .spec import (
    ID_COLUMN,
    AttentionCheckQuestion,
    LikertGridQuestion,
    LikertQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    NumericQuestion,
    RankingQuestion,
    SingleChoiceQuestion,
    Survey,
    TextQuestion,
)

__all__ = [
    "CODEBOOK_FORMAT",
    "CODEBOOK_VERSION",
    "OPTION_SEPARATOR",
    "build_codebook",
    "column_names",
    "load_codebook",
    "option_column",
    "write_codebook",
]

CODEBOOK_FORMAT = "survey-builder-codebook"
CODEBOOK_VERSION = 1
#: Separator between question name and option value in per-option columns.
OPTION_SEPARATOR = "__"


def option_column(question: str, value: str) -> str:
    """Name of the per-option column, e.g. ``option_column("channels", "online")``
    -> ``"channels__online"``."""
    return f"{question}{OPTION_SEPARATOR}{value}"


def _column(name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": name, "question": None, "item": None, "option": None, "type": None,
        "value_type": "string", "label": None, "section": None, "levels": None,
        "min": None, "max": None, "integer": False, "required": False, "relevant": None,
        "scale": None, "reverse_keyed": False, "unit": None, "max_length": None,
    }
    base.update(fields)
    return base


def _levels(choices: list[Any]) -> list[dict[str, Any]]:
    return [{"code": c.value, "label": dict(c.label)} for c in choices]


def _likert_levels(anchors: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [{"code": i + 1, "label": dict(text)} for i, text in enumerate(anchors)]


_BINARY_LABELS = {"en": ("not selected", "selected"), "es": ("no seleccionado", "seleccionado")}


def _binary_levels(languages: list[str]) -> list[dict[str, Any]]:
    labels = {lang: _BINARY_LABELS.get(lang.split("-")[0], _BINARY_LABELS["en"])
              for lang in languages}
    return [{"code": code, "label": {lang: pair[code] for lang, pair in labels.items()}}
            for code in (0, 1)]


def _question_columns(question: Any, section: str, languages: list[str]
                      ) -> list[dict[str, Any]]:
    common = {"question": question.name, "section": section, "required": question.required,
              "relevant": question.relevant}
    if isinstance(question, NoteQuestion):
        return []
    if isinstance(question, LikertQuestion):
        return [_column(question.name, **common, type="likert", value_type="integer",
                        label=dict(question.label), levels=_likert_levels(question.anchors),
                        min=1, max=question.points, integer=True, scale=question.scale,
                        reverse_keyed=question.reverse_keyed)]
    if isinstance(question, LikertGridQuestion):
        return [_column(item.name, **common, item=item.name, type="likert",
                        value_type="integer", label=dict(item.label),
                        levels=_likert_levels(question.anchors), min=1, max=question.points,
                        integer=True, scale=item.scale, reverse_keyed=item.reverse_keyed)
                for item in question.items]
    if isinstance(question, (SingleChoiceQuestion, AttentionCheckQuestion)):
        return [_column(question.name, **common, type=question.type,
                        label=dict(question.label), levels=_levels(question.choices))]
    if isinstance(question, MultipleChoiceQuestion):
        binary = _binary_levels(languages)
        return [_column(option_column(question.name, c.value), **common, option=c.value,
                        type="multiple_choice_option", value_type="integer",
                        label=dict(c.label), levels=binary, min=0, max=1, integer=True)
                for c in question.choices]
    if isinstance(question, RankingQuestion):
        n = len(question.choices)
        return [_column(option_column(question.name, c.value), **common, option=c.value,
                        type="ranking_option", value_type="integer", label=dict(c.label),
                        min=1, max=n, integer=True)
                for c in question.choices]
    if isinstance(question, NumericQuestion):
        return [_column(question.name, **common, type="numeric",
                        value_type="integer" if question.integer else "number",
                        label=dict(question.label), min=question.min, max=question.max,
                        integer=question.integer,
                        unit=dict(question.unit) if question.unit else None)]
    if isinstance(question, TextQuestion):
        return [_column(question.name, **common, type="text", label=dict(question.label),
                        max_length=question.max_length)]
    raise TypeError(f"unsupported question type {question.type!r}")  # pragma: no cover


def _question_entry(question: Any, columns: list[dict[str, Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": question.name, "type": question.type, "label": dict(question.label),
        "columns": [c["name"] for c in columns], "required": question.required,
        "relevant": question.relevant,
    }
    if hasattr(question, "choices"):
        entry["choices"] = [{"code": c.value, "label": dict(c.label), "numeric": c.numeric}
                            for c in question.choices]
    if isinstance(question, AttentionCheckQuestion):
        entry["answer"] = question.answer
    if isinstance(question, (LikertQuestion, LikertGridQuestion)):
        entry["points"] = question.points
    if isinstance(question, LikertGridQuestion):
        entry["items"] = [item.name for item in question.items]
        entry["randomize"] = question.randomize
    if isinstance(question, MultipleChoiceQuestion):
        entry["min_selected"] = question.min_selected
        entry["max_selected"] = question.max_selected
    return entry


_TERM_UNITS = {"value": "currency per purchase", "frequency": "purchases per year",
               "lifespan": "years"}


def _derivations(survey: Survey) -> dict[str, Any]:
    out: dict[str, Any] = {"clv": None, "journey": None}
    if survey.clv is not None:
        terms = {}
        for term in ("value", "frequency", "lifespan"):
            spec = getattr(survey.clv, term)
            question = survey.get(spec.question)
            if isinstance(question, SingleChoiceQuestion):
                kind = "choice"
                mapping = {c.value: c.numeric for c in question.choices if c.numeric is not None}
            else:
                kind, mapping = "numeric", None
            unit = _TERM_UNITS[term]
            if term == "value":
                unit = f"{survey.clv.currency} per purchase"
            terms[term] = {"question": spec.question, "column": spec.question, "kind": kind,
                           "factor": spec.factor, "unit": unit, "map": mapping}
        out["clv"] = {"formula": "value * frequency * lifespan",
                      "currency": survey.clv.currency, "terms": terms}
    if survey.journey is not None:
        question = survey.get(survey.journey.question)
        stages = survey.journey.stages or [c.value for c in question.choices]  # type: ignore
        out["journey"] = {"question": question.name, "column": question.name,
                          "stages": list(stages),
                          "order": {code: i + 1 for i, code in enumerate(stages)}}
    return out


def build_codebook(survey: Survey) -> dict[str, Any]:
    """Describe every column of the canonical response file for ``survey``.

    Parameters
    ----------
    survey : Survey

    Returns
    -------
    dict
        JSON-serialisable codebook; see the module docstring for the layout.
    """
    columns = [_column(ID_COLUMN, type="id", value_type="string", required=True,
                       label={lang: "Respondent id" for lang in survey.languages})]
    questions = []
    for section in survey.sections:
        for question in section.questions:
            cols = _question_columns(question, section.name, survey.languages)
            columns.extend(cols)
            if cols:
                questions.append(_question_entry(question, cols))
    scales = []
    for scale in survey.scales:
        items = survey.scale_items(scale)
        points = scale.points or (items[0].points if items else None)
        scales.append({
            "name": scale.name, "dimension": scale.dimension, "layer": scale.layer,
            "label": dict(scale.label), "description": dict(scale.description),
            "high_score": dict(scale.high_score), "points": points,
            "min_answered": scale.min_answered,
            "items": [item.name for item in items],
            "reverse_keyed": [item.name for item in items if item.reverse_keyed],
        })
    return {
        "format": CODEBOOK_FORMAT,
        "version": CODEBOOK_VERSION,
        "survey": {"id": survey.id, "version": survey.version, "title": dict(survey.title),
                   "languages": list(survey.languages),
                   "default_language": survey.default_language},
        "id_column": ID_COLUMN,
        "missing": "",
        "option_separator": OPTION_SEPARATOR,
        "columns": columns,
        "questions": questions,
        "scales": scales,
        "attention_checks": [{"question": q.name, "column": q.name, "answer": q.answer}
                             for q in survey.attention_checks()],
        "derivations": _derivations(survey),
    }


def column_names(codebook: dict[str, Any]) -> list[str]:
    """The CSV header of the canonical response file, in order."""
    return [column["name"] for column in codebook["columns"]]


def codebook_to_text(codebook: dict[str, Any]) -> str:
    """Pretty JSON text of a codebook."""
    return json.dumps(codebook, ensure_ascii=False, indent=2) + "\n"


def write_codebook(codebook: dict[str, Any], path: str | Path) -> Path:
    """Write ``codebook`` as JSON atomically; returns the path."""
    write_text_atomic(path, codebook_to_text(codebook))
    return Path(path)


def load_codebook(path: str | Path) -> dict[str, Any]:
    """Read a ``codebook.json`` and check its format and version.

    Raises
    ------
    SurveyError
        Not JSON, not a codebook, or an unsupported version.
    """
    source = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SurveyError(f"malformed JSON: {exc.msg}", source, exc.lineno) from None
    if not isinstance(data, dict) or data.get("format") != CODEBOOK_FORMAT:
        raise SurveyError(f"not a survey-builder codebook (format should be "
                          f"{CODEBOOK_FORMAT!r})", source, None, "format")
    if data.get("version") != CODEBOOK_VERSION:
        raise SurveyError(f"unsupported codebook version {data.get('version')!r} (this "
                          f"survey-builder reads version {CODEBOOK_VERSION})", source, None,
                          "version")
    if not isinstance(data.get("columns"), list):
        raise SurveyError("codebook has no 'columns' list", source, None, "columns")
    return data
