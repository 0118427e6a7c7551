"""The codebook: every column of the canonical response file, plus scales and derivations.

Canonical flat response layout
------------------------------
This is the one layout every response file is converted to before scoring; ``simulate``
writes it directly and the importers (ODK/Kobo CSV, SurveyJS JSON, REDCap CSV) convert to it.
It is a CSV (UTF-8, comma separated, header row) with **one row per respondent** and
these columns, in this order:

1. ``respondent_id`` (:data:`~survey_builder.layout.ID_COLUMN`) — a unique, non-empty string.
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
   ``nps``             ``<name>``                   integer 0..10
   "Other (specify)"   ``<name>__specify``          the text typed in the "other" box (after
   option of a single  (:func:`~survey_builder.     the question's own column(s); the option
   or multiple choice  layout.other_text_column`)   itself is an ordinary code)
   ``maxdiff``         ``<name>__b<k>`` and         the ``value`` of the item picked as best
                       ``<name>__w<k>`` per set     / worst in set ``k`` (1-based); empty
                       ``k``                        if the set was not answered
   ``note``            none                         —
   ==================  ===========================  =========================================

An **empty cell** means "no answer" (skipped, not shown because of a relevance condition,
or missing). No other missing-value codes are used, except that a Likert item or NPS
question with ``dont_know: true`` holds ``dontknow``
(:data:`~survey_builder.layout.DONT_KNOW_CODE`) for a "Don't know" answer: answered, but
never a number (scoring counts it as missing). Names never contain ``__`` so the
``question__option`` columns cannot collide with question names.

The codebook (``codebook.json``)
--------------------------------
:func:`build_codebook` returns a :class:`Codebook`, a typed, read-only mapping over
this JSON document (``Codebook.to_dict()`` gives a plain copy)::

    {
      "format": "survey-builder-codebook", "version": "1.2",
      "survey": {"id", "version", "title", "languages", "default_language"},
      "id_column": "respondent_id", "missing": "", "option_separator": "__",
      "columns": [ {column}, ... ],          # exactly the CSV header, in order
      "questions": [ {question}, ... ],      # per question: name, type, columns, choices
      "scales": [ {scale}, ... ],
      "attention_checks": [ {"question", "column", "answer"} ],
      "derivations": {"clv": {...} | null, "journey": {...} | null},
      "notes": [ "name", ... ],             # questions without an answer (notes)
      "scores": {scores layout} | null,      # only in a scores file's codebook
      "screening": [ {"question", "condition"} ]  # only with screening questions
    }

Version history: ``1`` (an integer) is the first layout; ``"1.1"`` adds the optional
``scores`` section and the ``notes`` list (ODK and Kobo exports carry a note as an empty
column, which the readers then recognise); ``"1.2"`` adds the ``other_text`` columns of
"Other (specify)" options and the ``other`` / ``dont_know`` keys. Every ``1.x`` file is
read.

Each column entry has: ``name``, ``question`` (the question it belongs to — the grid
for grid rows), ``item`` (the grid-row/item name or ``null``), ``option`` (for
``question__option`` columns), ``type`` (``id``, ``likert``, ``single_choice``,
``attention_check``, ``multiple_choice_option``, ``ranking_option``, ``numeric``,
``nps``, ``maxdiff_best``, ``maxdiff_worst``, ``text``, ``other_text``), ``value_type`` (``string``,
``integer``, ``number``), ``label`` (per language), ``section``, ``levels``
(``[{"code", "label": {lang: text}}]`` or ``null``),
``min``/``max`` (valid range or ``null``), ``integer`` (bool), ``required``,
``relevant`` (condition text or ``null``), ``scale``, ``reverse_keyed``.

A ``multiple_choice`` entry with a "None of these" option has ``exclusive``: its code. A
single or multiple choice with an "Other (specify)" option has ``other``: its code; the
option's text column has type ``other_text`` (free text), ``option`` that code and the
question's ``relevant``. A Likert, grid or NPS question offering "Don't know" has
``dont_know``: ``"dontknow"``, and each of its columns ``dont_know``: ``{"code", "label"}``. A
``maxdiff`` question entry also has ``items`` (``[{"code", "label"}]``), ``per_set``,
``sets`` (the item codes of each set, in display order), ``seed``, ``design`` (the
design's balance, :meth:`survey_builder.maxdiff.MaxDiffDesign.statistics`) and
``best_label`` / ``worst_label`` (the headings the exports show, per language); its columns
have type ``maxdiff_best`` / ``maxdiff_worst`` and the set's items as ``levels``.

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

The scores layout
-----------------
The codebook written beside a scores file (:mod:`survey_builder.scores`) also says what
each column of *that* file is: ``{"values": "labels"|"codes", "language", "columns":
[...]}``, one entry per column in file order with ``name`` and ``kind``:

============  =================================================================
``kind``      entry
============  =================================================================
``id``        the respondent id (read as text)
``scale``     ``scale`` (its name), ``label``, ``dimension``, ``high_score``,
              ``reverse_keyed`` (the reverse-keyed items), ``min``/``max``
``clv``       ``currency``
``journey``   ``source`` (the journey question's column) and ``levels`` in stage order
``answer``    ``source`` (the single-choice column) and ``levels`` in option order
``behaviour`` a behaviour answer as given (``survey_builder.scoring.behaviour_columns``):
              ``source``, ``label``; ``levels`` when it is a single choice
``quality``   a data-quality column (:data:`~survey_builder.layout.QUALITY_COLUMNS`)
``nps``       ``source`` (the NPS question's column), ``label``, and ``levels``
              ``detractor``, ``passive``, ``promoter`` (0-6, 7-8, 9-10)
``maxdiff``   ``question``, ``item`` (its code) and ``label``: the item's score
``other``     a column the codebook does not describe
============  =================================================================

``levels`` are ``[{"code", "value", "label": {lang: text}}]``: ``value`` is the text
written in the scores file for that option (its label, or its code with ``--codes``).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ._source import Locator, format_loc, load_document
from .atomic import write_text_atomic
from .errors import UserError
from .layout import ANSWER_SUFFIX, DONT_KNOW_CODE, ID_COLUMN, JOURNEY_COLUMN, other_text_column
from .spec import (
    AttentionCheckQuestion,
    LikertGridQuestion,
    LikertQuestion,
    MaxDiffQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    NpsQuestion,
    NumericQuestion,
    RankingQuestion,
    SingleChoiceQuestion,
    Survey,
    TextQuestion,
    dont_know_texts,
    other_choice,
    screenout_conditions,
    specify_prompts,
    survey_from_dict,
    text_for,
)

__all__ = [
    "CODEBOOK_FORMAT",
    "CODEBOOK_VERSION",
    "OPTION_SEPARATOR",
    "REDCAP_NAME_MAX",
    "AttentionCheckEntry",
    "Codebook",
    "CodebookColumn",
    "CodebookLevel",
    "CodebookQuestion",
    "CodebookScale",
    "Derivations",
    "Level",
    "ScoresColumn",
    "ScoresLayout",
    "ScoresLevel",
    "as_codebook",
    "build_codebook",
    "codebook_to_text",
    "column_names",
    "load_codebook",
    "maxdiff_columns",
    "option_column",
    "option_columns",
    "redcap_rank_fields",
    "text_in",
    "write_codebook",
]

CODEBOOK_FORMAT = "survey-builder-codebook"
#: Version written ("major.minor"); every file of the same major version is read.
CODEBOOK_VERSION = "1.2"
#: Separator between question name and option value in per-option columns.
OPTION_SEPARATOR = "__"


def option_column(question: str, value: str) -> str:
    """Name of the per-option column, e.g. ``option_column("channels", "online")``
    -> ``"channels__online"``."""
    return f"{question}{OPTION_SEPARATOR}{value}"


#: REDCap's field-name limit, which the spec's names respect (a ranking's per-option
#: fields are shortened to fit, see :func:`redcap_rank_fields`).
REDCAP_NAME_MAX = 26


def redcap_rank_fields(question: str, options: Sequence[str]) -> list[str]:
    """The REDCap field of each option of a ranking question, within REDCap's 26 characters.

    ``<question>__<option>`` (the canonical column) when every one fits, else
    ``<question>__<n>`` for the n-th option (1-based), the question name shortened if needed.

    Examples
    --------
    >>> redcap_rank_fields("drivers", ["price", "quality"])
    ['drivers__price', 'drivers__quality']
    >>> redcap_rank_fields("choice_drivers", ["price", "sustainability"])
    ['choice_drivers__1', 'choice_drivers__2']
    """
    fields = [option_column(question, value) for value in options]
    if all(len(name) <= REDCAP_NAME_MAX for name in fields):
        return fields
    suffixes = [f"{OPTION_SEPARATOR}{i}" for i in range(1, len(options) + 1)]
    width = REDCAP_NAME_MAX - max(len(s) for s in suffixes)
    return [question[:width] + suffix for suffix in suffixes]


def option_columns(codebook: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``{question: {option code: column}}`` of the multiple-choice and ranking questions.

    Parameters
    ----------
    codebook : mapping
        A codebook (:func:`survey_builder.codebook.build_codebook`).

    Returns
    -------
    dict
        The ``options`` argument of :func:`survey_builder.expressions.evaluate_columns`.
    """
    options: dict[str, dict[str, str]] = {}
    for column in codebook["columns"]:
        if column["type"] in _OPTION_COLUMN_TYPES:
            options.setdefault(column["question"], {})[str(column["option"])] = column["name"]
    return options


_OPTION_COLUMN_TYPES = frozenset({"multiple_choice_option", "ranking_option"})


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


@functools.singledispatch
def _question_columns(question: Any, common: dict[str, Any], languages: list[str]
                      ) -> list[dict[str, Any]]:
    """The codebook columns of one question (one handler per question type)."""
    raise TypeError(f"unsupported question type {question.type!r}")  # pragma: no cover


@_question_columns.register(NoteQuestion)
def _(question: NoteQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    return []


@_question_columns.register(LikertQuestion)
def _(question: LikertQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    return [_column(question.name, **common, type="likert", value_type="integer",
                    label=dict(question.label), levels=_likert_levels(question.anchors),
                    min=1, max=question.points, integer=True, scale=question.scale,
                    reverse_keyed=question.reverse_keyed,
                    **_dont_know(question, languages))]


@_question_columns.register(LikertGridQuestion)
def _(question: LikertGridQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    return [_column(item.name, **common, item=item.name, type="likert",
                    value_type="integer", label=dict(item.label),
                    levels=_likert_levels(question.anchors), min=1, max=question.points,
                    integer=True, scale=item.scale, reverse_keyed=item.reverse_keyed,
                    **_dont_know(question, languages))
            for item in question.items]


@_question_columns.register(SingleChoiceQuestion)
@_question_columns.register(AttentionCheckQuestion)
def _(question: SingleChoiceQuestion | AttentionCheckQuestion, common: dict[str, Any],
      languages: list[str]) -> list[dict[str, Any]]:
    return [_column(question.name, **common, type=question.type,
                    label=dict(question.label), levels=_levels(question.choices)),
            *_other_text(question, common, languages)]


@_question_columns.register(MultipleChoiceQuestion)
def _(question: MultipleChoiceQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    binary = _binary_levels(languages)
    return [*(_column(option_column(question.name, c.value), **common, option=c.value,
                      type="multiple_choice_option", value_type="integer",
                      label=dict(c.label), levels=binary, min=0, max=1, integer=True)
              for c in question.choices),
            *_other_text(question, common, languages)]


def _other_text(question: SingleChoiceQuestion | MultipleChoiceQuestion,
                common: dict[str, Any], languages: list[str]) -> list[dict[str, Any]]:
    """The free-text column of the question's "Other (specify)" option (none without one):
    type ``other_text``, ``option`` the other option's code, shown only when it is chosen."""
    choice = other_choice(question)
    if choice is None:
        return []
    prompt = specify_prompts(languages)
    label = {lang: f"{text_for(choice.label, lang)}: {prompt[lang]}" for lang in languages}
    return [_column(other_text_column(question.name), **common, option=choice.value,
                    type="other_text", label=label)]


def _dont_know(question: LikertQuestion | LikertGridQuestion | NpsQuestion,
               languages: list[str]) -> dict[str, Any]:
    """``{"dont_know": {"code", "label"}}`` for a column offering "Don't know", else ``{}``."""
    if not question.dont_know:
        return {}
    return {"dont_know": {"code": DONT_KNOW_CODE,
                          "label": dont_know_texts(question, languages)}}


@_question_columns.register(RankingQuestion)
def _(question: RankingQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    n = len(question.choices)
    return [_column(option_column(question.name, c.value), **common, option=c.value,
                    type="ranking_option", value_type="integer", label=dict(c.label),
                    min=1, max=n, integer=True)
            for c in question.choices]


@_question_columns.register(NumericQuestion)
def _(question: NumericQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    return [_column(question.name, **common, type="numeric",
                    value_type="integer" if question.integer else "number",
                    label=dict(question.label), min=question.min, max=question.max,
                    integer=question.integer,
                    unit=dict(question.unit) if question.unit else None)]


@_question_columns.register(TextQuestion)
def _(question: TextQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    return [_column(question.name, **common, type="text", label=dict(question.label),
                    max_length=question.max_length)]


@_question_columns.register(NpsQuestion)
def _(question: NpsQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    return [_column(question.name, **common, type="nps", value_type="integer",
                    label=dict(question.label), min=0, max=10, integer=True,
                    **_dont_know(question, languages))]


@_question_columns.register(MaxDiffQuestion)
def _(question: MaxDiffQuestion, common: dict[str, Any], languages: list[str]
      ) -> list[dict[str, Any]]:
    from .spec._maxdiff import BEST_PREFIX, WORST_PREFIX

    columns = []
    for k, items in enumerate(question.set_items(), start=1):
        for prefix, kind in ((BEST_PREFIX, "maxdiff_best"), (WORST_PREFIX, "maxdiff_worst")):
            columns.append(_column(option_column(question.name, f"{prefix}{k}"), **common,
                                   option=f"{prefix}{k}", type=kind,
                                   label=dict(question.label), levels=_levels(items)))
    return columns


def maxdiff_columns(question: str, n_sets: int) -> tuple[list[str], list[str]]:
    """The best and the worst column of each set of a MaxDiff question, in set order.

    Examples
    --------
    >>> maxdiff_columns("drivers", 2)
    (['drivers__b1', 'drivers__b2'], ['drivers__w1', 'drivers__w2'])
    """
    from .spec._maxdiff import BEST_PREFIX, WORST_PREFIX

    return ([option_column(question, f"{BEST_PREFIX}{k}") for k in range(1, n_sets + 1)],
            [option_column(question, f"{WORST_PREFIX}{k}") for k in range(1, n_sets + 1)])


def _question_entry(question: Any, columns: list[dict[str, Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": question.name, "type": question.type, "label": dict(question.label),
        "columns": [c["name"] for c in columns], "required": question.required,
        "relevant": question.relevant,
    }
    if question.has_choices:
        entry["choices"] = [{"code": c.value, "label": dict(c.label), "numeric": c.numeric}
                            for c in question.choices]
    if question.type == "attention_check":
        entry["answer"] = question.answer
    other = other_choice(question)
    if other is not None:
        entry["other"] = other.value
    if getattr(question, "dont_know", False):
        entry["dont_know"] = DONT_KNOW_CODE
    if question.is_likert:
        entry["points"] = question.points
    if question.is_grid:
        entry["items"] = [item.name for item in question.items]
        entry["randomize"] = question.randomize
    if question.type == "multiple_choice":
        entry["min_selected"] = question.min_selected
        entry["max_selected"] = question.max_selected
        exclusive = [c.value for c in question.choices if c.exclusive]
        if exclusive:
            entry["exclusive"] = exclusive[0]
    if question.type == "maxdiff":
        design = question.design()
        entry["items"] = [{"code": c.value, "label": dict(c.label)} for c in question.items]
        entry["per_set"] = question.per_set
        entry["sets"] = [[question.items[i].value for i in row]
                         for row in design.sets.tolist()]
        entry["seed"] = question.seed
        entry["design"] = design.statistics()
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
            if question.answer_kind == "code":
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


def build_codebook(survey: Survey) -> Codebook:
    """Describe every column of the canonical response file for ``survey``.

    Parameters
    ----------
    survey : Survey

    Returns
    -------
    Codebook
        A read-only mapping over the JSON document described in the module docstring.
    """
    columns = [_column(ID_COLUMN, type="id", value_type="string", required=True,
                       label={lang: "Respondent id" for lang in survey.languages})]
    questions, notes = [], []
    for section in survey.sections:
        for question in section.questions:
            common = {"question": question.name, "section": section.name,
                      "required": question.required, "relevant": question.relevant}
            cols = _question_columns(question, common, survey.languages)
            columns.extend(cols)
            if cols:
                questions.append(_question_entry(question, cols))
                if question.type == "maxdiff":
                    questions[-1].update(_maxdiff_headings(survey, question))
            elif not question.has_answer:
                notes.append(question.name)
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
    return Codebook({
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
        "notes": notes,
        "scores": None,
        **_screening(survey),
    })


def _maxdiff_headings(survey: Survey, question: Any) -> dict[str, Any]:
    """``best_label`` and ``worst_label`` per language: the headings every export shows over
    a MaxDiff set (label exports name their columns by them)."""
    from .exporters._maxdiff import best_worst_labels

    best, worst = best_worst_labels(survey, question, list(survey.languages))
    return {"best_label": best, "worst_label": worst}


def _screening(survey: Survey) -> dict[str, Any]:
    """``{"screening": [{"question", "condition"}]}`` for a survey with screening questions
    (the rules of :func:`survey_builder.spec.screenout_conditions`), else nothing."""
    rules = screenout_conditions(survey)
    return {"screening": [{"question": name, "condition": rule} for name, rule in rules]
            } if rules else {}



# --------------------------------------------------------------------------- typed entries
Text = dict[str, str]


class _Entry(BaseModel):
    """A codebook entry: validated, immutable; unknown keys are kept (newer minor versions)."""

    model_config = ConfigDict(extra="allow", frozen=True)


class CodebookLevel(_Entry):
    """One answer option of a column: its ``code`` and ``label`` per language."""

    code: str | int
    label: Text = {}


class CodebookColumn(_Entry):
    """One column of the canonical response file (see the module docstring)."""

    name: str
    type: str | None = None
    question: str | None = None
    item: str | None = None
    option: str | int | None = None
    value_type: str = "string"
    label: Text | None = None
    section: str | None = None
    levels: list[CodebookLevel] | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    required: bool = False
    relevant: str | None = None
    scale: str | None = None
    reverse_keyed: bool = False
    dont_know: dict[str, Any] | None = None


class CodebookQuestion(_Entry):
    """One question: its ``name``, ``type``, ``label`` and the ``columns`` it fills."""

    name: str
    type: str
    label: Text = {}
    columns: list[str] = []
    choices: list[dict[str, Any]] | None = None


class CodebookScale(_Entry):
    """One psychometric scale: items, reverse-keyed items and texts per language."""

    name: str
    dimension: str | None = None
    layer: str | None = None
    label: Text = {}
    description: Text = {}
    high_score: Text = {}
    points: int | None = None
    min_answered: int | None = None
    items: list[str] = []
    reverse_keyed: list[str] = []


class AttentionCheckEntry(_Entry):
    """An attention check: the column and the expected answer code."""

    question: str
    column: str
    answer: str | int


class ClvTerm(_Entry):
    """One factor of customer lifetime value (see the module docstring)."""

    question: str
    column: str
    kind: Literal["numeric", "choice"]
    factor: float = 1.0
    unit: str | None = None
    map: dict[str, float | None] | None = None


class ClvDerivation(_Entry):
    """How ``clv`` is computed: ``value * frequency * lifespan`` in ``currency``."""

    formula: str = "value * frequency * lifespan"
    currency: str | None = None
    terms: dict[str, ClvTerm]


class JourneyDerivation(_Entry):
    """The customer-journey question and its stage codes in order."""

    question: str
    column: str
    stages: list[str | int]


class Derivations(_Entry):
    """Derived scores: ``clv`` and ``journey`` (each ``None`` when not defined)."""

    clv: ClvDerivation | None = None
    journey: JourneyDerivation | None = None


class ScoresLevel(_Entry):
    """An option as written in a scores file: ``code``, the written ``value``, ``label``."""

    code: str | int
    value: str
    label: Text = {}


class ScoresColumn(_Entry):
    """What one column of a scores file is (see "The scores layout" above)."""

    name: str
    kind: Literal["id", "scale", "clv", "journey", "answer", "behaviour", "quality", "nps",
                  "maxdiff", "other"]
    source: str | None = None
    scale: str | None = None
    label: Text | None = None
    dimension: str | None = None
    high_score: Text | None = None
    reverse_keyed: list[str] = []
    min: float | None = None
    max: float | None = None
    currency: str | None = None
    levels: list[ScoresLevel] | None = None


class ScoresLayout(_Entry):
    """The columns of one scores file, in file order."""

    values: Literal["labels", "codes"] = "labels"
    language: str | None = None
    columns: list[ScoresColumn]

    def column(self, name: str) -> ScoresColumn | None:
        """The entry of column ``name`` (``None`` when the file has no such column)."""
        return next((c for c in self.columns if c.name == name), None)


class SurveyInfo(_Entry):
    """Which survey the codebook describes."""

    id: str | None = None
    version: str | int | float | None = None
    title: Text = {}
    languages: list[str] = []
    default_language: str | None = None


class _Document(_Entry):
    format: Literal["survey-builder-codebook"]
    version: str | int
    survey: SurveyInfo = SurveyInfo()
    id_column: str = ID_COLUMN
    columns: list[CodebookColumn]
    questions: list[CodebookQuestion] = []
    scales: list[CodebookScale] = []
    attention_checks: list[AttentionCheckEntry] = []
    derivations: Derivations = Derivations()
    notes: list[str] = []
    scores: ScoresLayout | None = None


@dataclass(frozen=True)
class Level:
    """An answer option in one language: ``code``, readable ``label`` and the ``value``
    that stands for it in the data (the label or the code, as the scores file has it)."""

    code: str
    label: str
    value: str


def text_in(text: Mapping[str, str] | str | None, language: str | None) -> str:
    """Pick ``language`` from a ``{lang: text}`` mapping (else its first text, else "").

    :func:`survey_builder.spec.text_for` with plain strings passed through, so texts
    written in one language also work.
    """
    if isinstance(text, str):
        return text
    return str(text_for(text, language or ""))


# --------------------------------------------------------------------------- the codebook
def _major(version: Any) -> str:
    return str(version).split(".")[0]


class Codebook(Mapping[str, Any]):
    """A validated codebook: typed accessors over a read-only JSON document.

    It is a :class:`~collections.abc.Mapping` over the document (``codebook["columns"]``
    is the JSON list), so code written for codebook dicts keeps working; do not mutate
    what it returns — :meth:`to_dict` gives a copy to edit.

    Parameters
    ----------
    document : mapping
        A codebook document (``build_codebook``, a ``codebook.json`` or a scores file's
        codebook), version ``1`` or ``1.x``.
    source : str, optional
        File name for error messages.

    Raises
    ------
    UserError
        Not a codebook, another major version, or an entry of the wrong shape (with the
        file, line and field when ``source`` is given).

    Examples
    --------
    >>> from survey_builder.compose import compose_survey
    >>> from survey_builder.spec import survey_from_dict
    >>> codebook = build_codebook(survey_from_dict(compose_survey("aspects", ["demographics"])))
    >>> [level.label for level in codebook.levels("age_band")][:2]
    ['18 to 24', '25 to 34']
    """

    def __init__(self, document: Mapping[str, Any], *, source: str | None = None,
                 _locator: Locator | None = None) -> None:
        if isinstance(document, Codebook):
            document = document._document
        self._document, self._model = _validated(document, source, _locator or Locator(None))
        self._columns = {c.name: c for c in self._model.columns}
        self._scales = {s.name: s for s in self._model.scales}
        self._questions = {q.name: q for q in self._model.questions}

    # ---- Mapping over the JSON document
    def __getitem__(self, key: str) -> Any:
        return self._document[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._document)

    def __len__(self) -> int:
        return len(self._document)

    def __repr__(self) -> str:
        survey = self.survey
        scores = f", scores of {len(self.scores.columns)} columns" if self.scores else ""
        return (f"Codebook(survey={survey.id!r}, version={survey.version!r}, "
                f"{len(self._columns)} columns{scores})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Codebook, (self._document,))

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the JSON document (a plain, mutable dict)."""
        return copy.deepcopy(self._document)

    # ---- typed accessors
    @property
    def survey(self) -> SurveyInfo:
        """Survey id, version, title, languages and default language."""
        return self._model.survey

    @property
    def default_language(self) -> str:
        """The survey's default language (``"en"`` when the codebook does not say)."""
        info = self._model.survey
        return info.default_language or next(iter(info.languages), "en")

    @property
    def id_column(self) -> str:
        """Name of the respondent id column."""
        return self._model.id_column

    @property
    def columns(self) -> list[CodebookColumn]:
        """Every column of the canonical response file, in file order."""
        return list(self._model.columns)

    @property
    def questions(self) -> list[CodebookQuestion]:
        """Every question that has columns, in questionnaire order."""
        return list(self._model.questions)

    @property
    def scales(self) -> list[CodebookScale]:
        """The psychometric scales."""
        return list(self._model.scales)

    @property
    def attention_checks(self) -> list[AttentionCheckEntry]:
        """The attention checks."""
        return list(self._model.attention_checks)

    @property
    def derivations(self) -> Derivations:
        """How ``clv`` and ``journey_stage`` are derived."""
        return self._model.derivations

    @property
    def scores(self) -> ScoresLayout | None:
        """What each column of the scores file is (``None`` for a survey's codebook)."""
        return self._model.scores

    def column(self, name: str) -> CodebookColumn | None:
        """The response-file column ``name`` (``None`` when there is none)."""
        return self._columns.get(name)

    def question(self, name: str) -> CodebookQuestion | None:
        """The question ``name`` (``None`` when there is none)."""
        return self._questions.get(name)

    def scale(self, name: str) -> CodebookScale | None:
        """The scale ``name`` (``None`` when there is none)."""
        return self._scales.get(name)

    def source_column(self, name: str) -> CodebookColumn | None:
        """The response column a column of the scores file (or response file) comes from.

        ``journey_stage`` comes from the journey question, ``<name>_answer`` from the
        single-choice question ``<name>``; scale scores and ``clv`` have none.
        """
        entry = self.scores.column(name) if self.scores else None
        if entry is not None and entry.source:
            return self._columns.get(entry.source)
        if name in self._scales:
            return None
        journey = self._model.derivations.journey
        if name == JOURNEY_COLUMN and journey is not None:
            return self._columns.get(journey.column)
        if name in self._columns:
            return self._columns[name]
        base = name.removesuffix(ANSWER_SUFFIX)
        column = self._columns.get(base)
        return column if base != name and column and column.type == "single_choice" else None

    def label(self, column: str, language: str | None = None) -> str | None:
        """The readable label of a response or scores column (``None`` if unknown).

        Scales give their label; per-option columns ``"<question> — <option>"``; answers
        and the journey stage their question's label.
        """
        language = language or self.default_language
        scale = self._scales.get(column)
        if scale is not None:
            return text_in(scale.label, language) or None
        source = self.source_column(column)
        if source is None:
            return None
        label = text_in(source.label, language)
        question = self._questions.get(source.question or "")
        if source.option is not None and question is not None:
            label = f"{text_in(question.label, language)} — {label}"
        return label or None

    def levels(self, column: str, language: str | None = None) -> list[Level]:
        """The answer options of a column, in questionnaire order.

        For the journey stage the order is the stage order. ``value`` is what the data
        holds for each option: what the scores file was written with when this codebook
        describes one, else the option code. Empty for columns without options.
        """
        language = language or self.default_language
        entry = self.scores.column(column) if self.scores else None
        if entry is not None and entry.levels is not None:
            return [Level(str(lv.code), text_in(lv.label, language) or lv.value, lv.value)
                    for lv in entry.levels]
        source = self.source_column(column)
        if source is None or not source.levels:
            return []
        levels = [Level(str(lv.code), text_in(lv.label, language) or str(lv.code),
                        str(lv.code)) for lv in source.levels]
        journey = self._model.derivations.journey
        if journey is not None and source.name == journey.column:
            by_code = {lv.code: lv for lv in levels}
            levels = [by_code[str(s)] for s in journey.stages if str(s) in by_code]
        return levels

    def clv_currency(self) -> str | None:
        """The currency of ``clv`` (``None`` when the survey defines no CLV)."""
        clv = self._model.derivations.clv
        return clv.currency if clv is not None else None


def _validated(document: Any, source: str | None, locator: Locator
               ) -> tuple[dict[str, Any], _Document]:
    """The document as a plain dict and its typed model, after format and version checks."""
    if not isinstance(document, Mapping) or document.get("format") != CODEBOOK_FORMAT:
        raise UserError(f"not a survey-builder codebook (format should be "
                        f"{CODEBOOK_FORMAT!r})", source, locator.line(["format"]), "format")
    version = document.get("version")
    if isinstance(version, bool) or _major(version) != _major(CODEBOOK_VERSION):
        raise UserError(f"unsupported codebook version {version!r} (this survey-builder "
                        f"reads version {_major(CODEBOOK_VERSION)}.x)", source,
                        locator.line(["version"]), "version")
    if not isinstance(document.get("columns"), list):
        raise UserError("codebook has no 'columns' list", source, None, "columns")
    try:
        model = _Document.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = list(error["loc"])
        raise UserError(f"not a valid codebook: {error['msg'][:1].lower()}"
                        f"{error['msg'][1:]}", source, locator.line(loc),
                        format_loc(loc)) from None
    return copy.deepcopy(dict(document)), model  # not shared with the caller's dict


# --------------------------------------------------------------------------- files
def as_codebook(source: Survey | Mapping[str, Any]) -> Codebook:
    """The :class:`Codebook` of a survey spec, or of a codebook (validated, not rebuilt).

    The one rule every consumer that takes "a spec or a codebook" applies (readers,
    scoring, simulation): a :class:`~survey_builder.spec.Survey` is turned into its
    codebook, a codebook is used as it is.

    Parameters
    ----------
    source : Survey, Codebook or mapping

    Returns
    -------
    Codebook
    """
    if isinstance(source, Codebook):
        return source
    if isinstance(source, Mapping):
        return Codebook(source)
    return build_codebook(source)


def column_names(codebook: Mapping[str, Any]) -> list[str]:
    """The CSV header of the canonical response file, in order."""
    return [column["name"] for column in codebook["columns"]]


def codebook_to_text(codebook: Mapping[str, Any]) -> str:
    """Pretty JSON text of a codebook."""
    document = codebook.to_dict() if isinstance(codebook, Codebook) else codebook
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_codebook(codebook: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``codebook`` as JSON atomically; returns the path."""
    write_text_atomic(path, codebook_to_text(codebook))
    return Path(path)


def load_codebook(path: str | Path) -> Codebook:
    """The codebook of a survey spec (YAML/JSON), a ``codebook.json`` or a scores codebook.

    One rule tells them apart, whatever the file is called: a mapping whose ``format``
    is ``survey-builder-codebook`` is a codebook; a mapping without ``format`` is a
    survey spec, turned into its codebook with :func:`build_codebook`.

    Parameters
    ----------
    path : path or "-"
        ``.json`` files are parsed as JSON, others as YAML; ``"-"`` reads a spec or
        codebook from standard input.

    Returns
    -------
    Codebook

    Raises
    ------
    UserError
        No such file, malformed YAML/JSON, another format, an invalid spec or codebook,
        with file, line and field.

    Examples
    --------
    >>> codebook = load_codebook("survey.yaml")          # doctest: +SKIP
    >>> codebook = load_codebook("build/codebook.json")  # doctest: +SKIP
    """
    source = "<stdin>" if str(path) == "-" else str(path)
    try:
        data, locator = load_document(path)
    except FileNotFoundError:
        raise UserError("no such file", source) from None
    except IsADirectoryError:
        raise UserError("is a directory, not a spec or codebook file", source) from None
    if isinstance(data, Mapping) and "format" in data:
        if data["format"] != CODEBOOK_FORMAT:
            raise UserError(f"not a survey spec or survey-builder codebook (format "
                            f"{data['format']!r}, expected {CODEBOOK_FORMAT!r})", source,
                            locator.line(["format"]), "format")
        return Codebook(data, source=source, _locator=locator)
    return build_codebook(survey_from_dict(data, source=source, locator=locator))
