"""A typing tool compiled into a questionnaire: the golden questions and the rule.

:func:`compile_screener` turns a :class:`~dash_personas.segmentation.TypingTool` and the
codebook of the scores it was built on into a :class:`ScreenerRule`:

* the questions to ask, as a survey-builder spec (the codebook's wording, codes and
  translations; a scale score is asked as its items);
* the calculations, in order, as :mod:`._expr` trees: per scale the answered items'
  count and reverse-keyed sum; per numeric feature its value scaled as the model scales
  it (``(x - mean) / std * sqrt(weight)``, an ordered category as its 1-based rank); the
  k-prototypes distance to every prototype (squared differences plus ``gamma * weight``
  per categorical mismatch); the nearest prototype as ``segment`` and its persona's name
  as ``persona``.

The rule mirrors :func:`~dash_personas.segmentation.model_to_sql` (one definition of the
assignment, two compilations): an unanswered question contributes nothing, an answer
whose option the model never saw mismatches every prototype, the engine's rescaling by
observed weight multiplies all ``k`` distances alike and is left out, ties go to the
lowest segment like ``numpy.argmin``, and a respondent who answered nothing gets an
empty segment (``predict`` refuses such a row). A scale score is the mean of the
answered items after reverse-keying, empty with fewer than the scale's minimum answered
items, as :func:`survey_builder.scoring.score_scales` computes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from survey_builder.codebook import Codebook, text_in
from survey_builder.errors import UserError
from survey_builder.layout import CLV_COLUMN
from survey_builder.scoring import min_items_required

from . import _expr as ex

__all__ = ["PERSONA_FIELD", "SEGMENT_FIELD", "ScreenerRule", "compile_screener"]

#: Names of the computed fields in every form's data.
SEGMENT_FIELD = "segment"
PERSONA_FIELD = "persona"
#: Prefix of the screener's intermediate fields (counts, sums, scaled values).
PREFIX = "dp_"
#: The word after the survey's title in the screener's title.
_SCREENER = {"en": "Screener", "es": "Cuestionario filtro"}
#: Default share of a scale's items that must be answered (``survey-builder score``'s).
DEFAULT_MIN_ANSWERED = 0.5


@dataclass(frozen=True)
class ScaleInput:
    """A scale score the screener computes from its items."""

    feature: str
    items: list[str]
    reverse_keyed: dict[str, tuple[float, float]]  # item -> (lowest, highest point)
    min_items: int


@dataclass(frozen=True)
class ClvTermInput:
    """One factor of customer lifetime value: a number, or a choice mapped to one."""

    question: str
    factor: float
    numbers: dict[str, float] | None  # option code -> number (None: a numeric answer)


@dataclass(frozen=True)
class ClvInput:
    """Customer lifetime value: value x frequency x lifespan, as the scoring computes it."""

    feature: str
    terms: list[ClvTermInput]


@dataclass(frozen=True)
class CategoricalInput:
    """A single-choice answer: the option code of every model level."""

    feature: str
    question: str
    code_of_level: dict[Any, str]  # model level -> option code (levels without one: absent)
    codes: list[str]  # the question's option codes, in order


@dataclass
class ScreenerRule:
    """The golden questions and the assignment rule, ready for any form.

    Attributes
    ----------
    spec : dict
        A survey-builder spec document (``survey_from_dict`` reads it) holding the
        questions to ask, in the typing tool's order.
    calculations : list of (str, Expr)
        Named calculated fields in evaluation order; the last two are
        :data:`SEGMENT_FIELD` and :data:`PERSONA_FIELD`.
    answer_fields : list of str
        The answer columns the rule reads (scale items, single-choice questions), in
        question order: what a respondent's row must hold.
    choices : dict of str to list of str
        The allowed codes of every answer field.
    persona_names : list of str
        Name of each segment's persona, by segment number.
    distance_fields : list of str
        The distance to each prototype, by segment number.
    grid_of : dict of str to str
        The grid holding each answer field that is a grid row.
    labels : dict of str to dict
        Each answer field's wording, by language.
    """

    spec: dict[str, Any]
    calculations: list[tuple[str, ex.Expr]]
    answer_fields: list[str]
    choices: dict[str, list[str]]
    persona_names: list[str]
    distance_fields: list[str]
    grid_of: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


def compile_screener(tool: Any, codebook: Codebook, *, persona_names: Sequence[str] | None = None,
                     title: Mapping[str, str] | None = None,
                     min_answered: float = DEFAULT_MIN_ANSWERED) -> ScreenerRule:
    """The screener of a typing tool: golden questions plus the compiled assignment rule.

    Parameters
    ----------
    tool : TypingTool
        The golden questions and the model they reproduce.
    codebook : Codebook
        The codebook of the scores the model was fitted on (``scores.codebook.json``,
        or the survey's): wording, codes, translations, scale items.
    persona_names : sequence of str, optional
        Name of each segment (default ``"Segment 0"``, ``"Segment 1"``, ...).
    title : mapping of language to text, optional
        The screener's title (default: the survey's title followed by "screener").
    min_answered : float, default=0.5
        Minimum answered items of a scale without its own ``min_answered`` (a fraction
        or a count, as ``survey-builder score --min-answered``).

    Returns
    -------
    ScreenerRule

    Raises
    ------
    UserError
        A golden question is not in the codebook, or is not a scale score or a
        single-choice answer (the two kinds a screener can ask).
    """
    model = tool.model
    encoder, distance, prototypes = model.encoder_, model.distance_, model.prototypes_
    k = prototypes.n_clusters
    names = list(persona_names) if persona_names is not None else [
        f"Segment {c}" for c in range(k)]
    if len(names) != k:
        raise UserError(f"{len(names)} persona names for a model of {k} segments")
    asked = list(tool.questions)
    inputs = {name: _input_of(name, codebook, encoder, min_answered) for name in asked}

    calculations: list[tuple[str, ex.Expr]] = []
    observed: list[ex.Expr] = []
    terms: list[list[ex.Expr]] = [[] for _ in range(k)]
    scale = np.sqrt(encoder.numeric_weights_)
    for j, name in enumerate(encoder.numeric_features_):
        if name not in inputs or encoder.numeric_weights_[j] == 0:
            continue  # contributes nothing to any distance
        position = asked.index(name) + 1
        is_answered, value = _numeric_value(inputs[name], encoder.ordered_levels_.get(name),
                                            position, calculations)
        scaled = f"{PREFIX}z{position}"
        calculations.append((scaled, ex.If(is_answered, ex.Op("*", ex.Op("/", ex.Op(
            "-", value, ex.Param(f"mean {name}", encoder.mean_[j])),
            ex.Param(f"sd {name}", encoder.std_[j])),
            ex.Param(f"sqrt(weight) {name}", scale[j])), ex.Num(0.0))))
        observed.append(ex.If(is_answered, ex.Num(1.0), ex.Num(0.0)))
        for c in range(k):
            diff = ex.Op("-", ex.Calc(scaled),
                         ex.Param(f"prototype {c} {name}", prototypes.numeric[c, j]))
            terms[c].append(ex.If(is_answered, ex.Op("*", diff, diff), ex.Num(0.0)))
    for j, name in enumerate(encoder.categorical_features_):
        if name not in inputs or distance.categorical_weights[j] == 0:
            continue
        answer = inputs[name]
        if not isinstance(answer, CategoricalInput):
            raise UserError(f"golden question {name!r} is a category in the model but a "
                            "scale score in the codebook: the codebook describes other data")
        penalty = ex.Param(f"gamma x weight {name}",
                           distance.gamma * distance.categorical_weights[j])
        is_answered = ex.Answered(answer.question)
        observed.append(ex.If(is_answered, ex.Num(1.0), ex.Num(0.0)))
        for c in range(k):
            mode = encoder.levels_[j][int(prototypes.categorical[c, j])]
            code = answer.code_of_level.get(mode)
            mismatch = penalty if code is None else ex.If(
                ex.AnswerIs(answer.question, code), ex.Num(0.0), penalty)
            terms[c].append(ex.If(is_answered, mismatch, ex.Num(0.0)))

    answered_count = f"{PREFIX}answered"
    calculations.append((answered_count, ex.total(observed)))
    distance_fields = [f"distance_{c}" for c in range(k)]
    calculations += [(distance_fields[c], ex.total(terms[c])) for c in range(k)]
    calculations.append((SEGMENT_FIELD, ex.If(
        ex.Compare("=", ex.Calc(answered_count), ex.Num(0.0)), ex.Empty(),
        _nearest(distance_fields))))
    persona: ex.Expr = ex.Empty()
    for c in reversed(range(k)):
        persona = ex.If(ex.Compare("=", ex.Calc(SEGMENT_FIELD), ex.Num(c)), ex.Str(names[c]),
                        persona)
    # tested on the count, never on an empty segment: REDCap's JavaScript holds '' == 0
    calculations.append((PERSONA_FIELD, ex.If(
        ex.Compare("=", ex.Calc(answered_count), ex.Num(0.0)), ex.Empty(), persona)))

    spec, answer_fields, choices, grid_of, labels = _spec(asked, inputs, codebook, title)
    taken = set(answer_fields) | set(grid_of.values())
    clash = next((n for n, _ in calculations if n in taken), None)
    if clash is not None:
        raise UserError(f"the questionnaire has a question named {clash!r}, the name of the "
                        "screener's computed field; rename it in the spec")
    return ScreenerRule(spec, calculations, answer_fields, choices, names, distance_fields,
                        grid_of, labels)


def _nearest(distance_fields: list[str]) -> ex.Expr:
    """The lowest-numbered field holding the smallest distance (``numpy.argmin``)."""
    k = len(distance_fields)
    result: ex.Expr = ex.Num(k - 1)
    for c in reversed(range(k - 1)):
        condition = ex.And(tuple(ex.Compare("<=", ex.Calc(distance_fields[c]),
                                            ex.Calc(distance_fields[other]))
                                 for other in range(c + 1, k)))
        result = ex.If(condition, ex.Num(c), result)
    return result


def _numeric_value(answer: ScaleInput | CategoricalInput | ClvInput, ordered: list[Any] | None,
                   position: int, calculations: list[tuple[str, ex.Expr]]
                   ) -> tuple[ex.Expr, ex.Expr]:
    """(answered condition, value) of a numeric feature, adding its helper fields."""
    if isinstance(answer, CategoricalInput):
        if ordered is None:  # pragma: no cover - a categorical answer is never plain numeric
            raise UserError(f"golden question {answer.feature!r} is numeric in the model but "
                            "a single choice in the codebook")
        ranked = [(answer.code_of_level[level], rank) for rank, level in
                  enumerate(ordered, start=1) if level in answer.code_of_level]
        value: ex.Expr = ex.Num(0.0)
        for code, rank in reversed(ranked):
            value = ex.If(ex.AnswerIs(answer.question, code), ex.Num(rank), value)
        rank_field = f"{PREFIX}rank{position}"
        calculations.append((rank_field, value))
        # an option outside the model's order is unobserved, like a NaN rank
        return ex.Compare(">=", ex.Calc(rank_field), ex.Num(1.0)), ex.Calc(rank_field)
    if isinstance(answer, ClvInput):
        return _clv_value(answer, position, calculations)
    count, summed = f"{PREFIX}n{position}", f"{PREFIX}sum{position}"
    calculations.append((count, ex.total([ex.If(ex.Answered(item), ex.Num(1.0), ex.Num(0.0))
                                          for item in answer.items])))
    parts = []
    for item in answer.items:
        value = ex.Answer(item)
        if item in answer.reverse_keyed:
            low, high = answer.reverse_keyed[item]
            value = ex.Op("-", ex.Num(low + high), value)
        parts.append(ex.If(ex.Answered(item), value, ex.Num(0.0)))
    calculations.append((summed, ex.total(parts)))
    is_answered = ex.Compare(">=", ex.Calc(count), ex.Num(answer.min_items))
    return is_answered, ex.Op("/", ex.Calc(summed), ex.Calc(count))


def _clv_value(answer: ClvInput, position: int, calculations: list[tuple[str, ex.Expr]]
               ) -> tuple[ex.Expr, ex.Expr]:
    """(all three terms known, their product): ``score_clv``'s order of operations."""
    known: list[ex.Expr] = []
    factors: list[ex.Expr] = []
    for index, term in enumerate(answer.terms):
        if term.numbers is None:
            known.append(ex.Answered(term.question))
            number: ex.Expr = ex.Answer(term.question)
        else:
            mapped = f"{PREFIX}clv{position}_{index}"
            found = f"{PREFIX}clv{position}_{index}_known"
            value: ex.Expr = ex.Num(0.0)
            for code, amount in reversed(list(term.numbers.items())):
                value = ex.If(ex.AnswerIs(term.question, code), ex.Num(amount), value)
            calculations.append((mapped, value))
            calculations.append((found, ex.total([
                ex.If(ex.AnswerIs(term.question, code), ex.Num(1.0), ex.Num(0.0))
                for code in term.numbers])))
            known.append(ex.Compare(">=", ex.Calc(found), ex.Num(1.0)))
            number = ex.Calc(mapped)
        factors.append(ex.Op("*", number, ex.Num(term.factor)))
    product = ex.Op("*", ex.Op("*", factors[0], factors[1]), factors[2])
    return ex.And(tuple(known)), product


def _clv_input(codebook: Codebook) -> ClvInput:
    definition = codebook.derivations.clv
    terms = []
    for key in ("value", "frequency", "lifespan"):
        term = definition.terms[key]
        numbers = None
        if term.kind == "choice":
            numbers = {str(code): float(number) for code, number in (term.map or {}).items()
                       if number is not None}
        terms.append(ClvTermInput(term.column, float(term.factor or 1.0), numbers))
    return ClvInput(CLV_COLUMN, terms)


def _input_of(name: str, codebook: Codebook, encoder: Any, min_answered: float
              ) -> ScaleInput | CategoricalInput | ClvInput:
    """What the screener asks for golden question ``name``."""
    if name == CLV_COLUMN and codebook.derivations.clv is not None:
        if name not in encoder.numeric_features_:
            raise UserError(f"golden question {name!r} is customer lifetime value in the "
                            "codebook but a category in the model")
        return _clv_input(codebook)
    scale = codebook.scale(name)
    if scale is not None:
        if name not in encoder.numeric_features_ or name in encoder.ordered_levels_:
            raise UserError(f"golden question {name!r} is a scale score in the codebook but "
                            "a category in the model: the codebook describes other data")
        reverse = {}
        for item in scale.items:
            column = codebook.column(item)
            if column is None:
                raise UserError(f"the codebook has no column for item {item!r} of scale "
                                f"{name!r}", field=name)
            if item in scale.reverse_keyed:
                reverse[item] = (float(column.min or 1),
                                 float(column.max or scale.points or 5))
        need = (min(int(scale.min_answered), len(scale.items)) if scale.min_answered
                else min_items_required(len(scale.items), min_answered))
        return ScaleInput(name, list(scale.items), reverse, need)
    source = codebook.source_column(name)
    if source is None:
        raise UserError(f"golden question {name!r} is not in the codebook: the typing tool "
                        "comes from other data than this codebook describes (pass the "
                        "codebook of the scores it was built on with --codebook)", field=name)
    if source.type != "single_choice" or not source.levels:
        raise UserError(f"golden question {name!r} ({source.type}) cannot be asked by a "
                        "screener yet: only scale scores and single-choice answers can",
                        field=name)
    levels = codebook.levels(name)
    code_of_value = {level.value: level.code for level in levels}
    model_levels = (encoder.ordered_levels_.get(name) if name in encoder.numeric_features_
                    else encoder.levels_[encoder.categorical_features_.index(name)])
    code_of_level = {level: code_of_value[str(level)] for level in model_levels
                     if str(level) in code_of_value}
    return CategoricalInput(name, source.name, code_of_level,
                            [str(level.code) for level in source.levels])


def _spec(asked: list[str], inputs: Mapping[str, ScaleInput | CategoricalInput | ClvInput],
          codebook: Codebook, title: Mapping[str, str] | None
          ) -> tuple[dict[str, Any], list[str], dict[str, list[str]], dict[str, str],
                     dict[str, dict[str, str]]]:
    """The survey-builder spec of the golden questions, in the tool's order."""
    info = codebook.survey
    languages = list(info.languages) or [codebook.default_language]
    questions: list[dict[str, Any]] = []
    answer_fields: list[str] = []
    choices: dict[str, list[str]] = {}
    grid_of: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    for name in asked:
        answer = inputs[name]
        if isinstance(answer, ClvInput):
            for term in answer.terms:
                if term.question in answer_fields:
                    continue
                column = codebook.column(term.question)
                question = codebook.question(term.question)
                label = _texts(question.label if question else column.label, languages)
                labels[term.question] = label
                answer_fields.append(term.question)
                if column.levels:
                    questions.append({
                        "type": "single_choice", "name": term.question, "label": label,
                        "choices": [{"value": str(level.code),
                                     "label": _texts(level.label, languages)}
                                    for level in column.levels]})
                    choices[term.question] = [str(level.code) for level in column.levels]
                else:
                    numeric = {"type": "numeric", "name": term.question, "label": label,
                               "integer": bool(column.integer)}
                    numeric.update({key: getattr(column, key) for key in ("min", "max")
                                    if getattr(column, key) is not None})
                    unit = getattr(column, "unit", None)
                    if unit:
                        numeric["unit"] = _texts(unit, languages)
                    questions.append(numeric)
            continue
        if isinstance(answer, CategoricalInput):
            question = codebook.question(answer.question)
            source = codebook.column(answer.question)
            questions.append({
                "type": "single_choice", "name": answer.question,
                "label": _texts(question.label if question else source.label, languages),
                "choices": [{"value": str(level.code), "label": _texts(level.label, languages)}
                            for level in source.levels]})
            answer_fields.append(answer.question)
            choices[answer.question] = list(answer.codes)
            labels[answer.question] = _texts(source.label, languages)
            continue
        grids: dict[str, dict[str, Any]] = {}
        for item in answer.items:
            column = codebook.column(item)
            anchors = [_texts(level.label, languages) for level in column.levels or []]
            answer_fields.append(item)
            choices[item] = [str(level.code) for level in column.levels or []]
            labels[item] = _texts(column.label, languages)
            parent = codebook.question(column.question or "")
            if parent is not None and parent.type == "likert_grid":
                grid = grids.get(parent.name)
                if grid is None:
                    grid = {"type": "likert_grid", "name": parent.name,
                            "label": _texts(parent.label, languages),
                            "points": len(anchors), "anchors": anchors, "items": []}
                    grids[parent.name] = grid
                    questions.append(grid)
                grid["items"].append({"name": item, "label": _texts(column.label, languages)})
                grid_of[item] = parent.name
            else:
                questions.append({"type": "likert", "name": item,
                                  "label": _texts(column.label, languages),
                                  "points": len(anchors), "anchors": anchors})
    survey_title = {lang: text_in(info.title, lang) for lang in languages}
    spec = {
        "id": "screener", "version": str(info.version or "1"),
        "title": dict(title) if title else {
            lang: " - ".join(filter(None, [survey_title[lang], _SCREENER.get(lang, "Screener")]))
            for lang in languages},
        "languages": languages, "default_language": codebook.default_language,
        "sections": [{"name": "screener_questions",
                      "title": {lang: survey_title[lang] or "Screener" for lang in languages},
                      "questions": questions}],
    }
    return spec, answer_fields, choices, grid_of, labels


def _texts(text: Mapping[str, str] | str | None, languages: list[str]) -> dict[str, str]:
    return {lang: text_in(text, lang) for lang in languages}
