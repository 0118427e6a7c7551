"""Cross-field rules of a spec, checked after each model has parsed.

:func:`find_problems` runs small check functions in document order and returns every
``(location, message)`` found; :class:`~survey_builder.spec.Survey` raises them together.
Per-question rules dispatch on the question class (:func:`check_question`, one handler
registered per type).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import singledispatch
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .. import expressions as ex
from .._source import format_loc
from ..layout import ID_COLUMN, OTHER_CODE, other_text_column
from ._fields import LANG_RE
from ._fieldwork import check_fieldwork
from ._maxdiff import maxdiff_problems
from ._piping import piped_names
from .models import (
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
    _QuestionBase,
    anchored,
)

if TYPE_CHECKING:  # pragma: no cover
    from .models import ChoiceQuestion, GridItem, Item, Question, Survey

__all__ = ["Loc", "check_condition", "check_question", "find_problems"]

#: A location path in the document, e.g. ``("sections", 1, "questions", 3, "scale")``.
Loc = tuple[Any, ...]
_TEXT_FIELDS = frozenset({"title", "description", "label", "hint", "unit", "high_score",
                          "low_label", "high_label", "best_label", "worst_label",
                          "dont_know_label"})


@dataclass
class _Context:
    """What the checks share: the survey, the problems so far, and names seen so far."""

    survey: Survey
    problems: list[tuple[Loc, str]] = field(default_factory=list)
    scale_names: set[str] = field(default_factory=set)
    position: dict[str, int] = field(default_factory=dict)  # name -> question position
    kind: dict[str, Any] = field(default_factory=dict)  # name -> question or grid item

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append((loc, message))


def find_problems(survey: Survey) -> list[tuple[Loc, str]]:
    """Every cross-field problem of ``survey``, as ``(location, message)`` in document order.

    Parameters
    ----------
    survey : Survey
        A survey whose fields have parsed (grid items already inherit the grid's scale).

    Returns
    -------
    list of (tuple, str)
    """
    ctx = _Context(survey)
    check_languages(ctx)
    check_texts(ctx, survey, ())
    check_scales_defined(ctx)
    check_names_and_questions(ctx)
    check_response_columns(ctx)
    check_scale_membership(ctx)
    check_clv(ctx)
    check_journey(ctx)
    check_fieldwork(ctx)
    return ctx.problems


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


# --------------------------------------------------------------------------- languages, texts
def check_languages(ctx: _Context) -> None:
    """Language codes valid and unique; the default language among them."""
    s = ctx.survey
    seen: set[str] = set()
    for i, lang in enumerate(s.languages):
        if not LANG_RE.match(lang):
            ctx.add(("languages", i), f"invalid language code {lang!r} (use e.g. en, es, "
                                      "pt-BR)")
        if lang in seen:
            ctx.add(("languages", i), f"language {lang!r} is listed twice")
        seen.add(lang)
    if s.default_language not in s.languages:
        ctx.add(("default_language",),
                f"default language {s.default_language!r} is not in languages")


def check_text(ctx: _Context, loc: Loc, text: Mapping[str, str]) -> None:
    """A text has every survey language, and no other."""
    languages = ctx.survey.languages
    for lang in languages:
        if not (text.get(lang) or "").strip():
            ctx.add(loc, f"missing {lang!r} text (every language needs every label)")
    for lang in text:
        if lang not in languages:
            ctx.add((*loc, lang), f"language {lang!r} is not in the survey's languages "
                                  f"{languages}")


def check_texts(ctx: _Context, model: BaseModel, loc: Loc) -> None:
    """:func:`check_text` on every text of ``model`` and of the models inside it."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None:
            continue
        if name in _TEXT_FIELDS and isinstance(value, dict):
            check_text(ctx, (*loc, name), value)
        elif name == "anchors" and isinstance(value, list):
            for i, text in enumerate(value):
                check_text(ctx, (*loc, name, i), text)
        elif name == "anchor_sets":
            for set_name, texts in value.items():
                for i, text in enumerate(texts):
                    check_text(ctx, (*loc, name, set_name, i), text)
        elif isinstance(value, BaseModel):
            check_texts(ctx, value, (*loc, name))
        elif isinstance(value, list):
            for i, element in enumerate(value):
                if isinstance(element, BaseModel):
                    check_texts(ctx, element, (*loc, name, i))


# --------------------------------------------------------------------------- scales
def check_scales_defined(ctx: _Context) -> None:
    """Scale names unique; remembers them for :func:`check_scale_ref`."""
    for i, scale in enumerate(ctx.survey.scales):
        if scale.name in ctx.scale_names:
            ctx.add(("scales", i, "name"), f"duplicate scale name {scale.name!r}")
        ctx.scale_names.add(scale.name)


def check_scale_ref(ctx: _Context, loc: Loc, scale: str | None) -> None:
    """A referenced scale exists (with a "did you mean" hint)."""
    if scale is not None and scale not in ctx.scale_names:
        close = [n for n in ctx.scale_names if _similar(n, scale)]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        ctx.add(loc, f"unknown scale {scale!r}{hint}")


def check_scale_membership(ctx: _Context) -> None:
    """Every scale has items, of one point format matching its ``points``, enough for its
    ``min_answered``."""
    items_by_scale: dict[str, list[Item]] = {}
    for item in ctx.survey.iter_items():
        if item.scale is not None:
            items_by_scale.setdefault(item.scale, []).append(item)
    for i, scale in enumerate(ctx.survey.scales):
        items = items_by_scale.get(scale.name, [])
        if not items:
            ctx.add(("scales", i, "name"), f"scale {scale.name!r} has no items")
            continue
        points = {item.points for item in items}
        if len(points) > 1:
            ctx.add(("scales", i, "points"), f"items of scale {scale.name!r} mix "
                                             f"{sorted(points)}-point formats")
        elif scale.points is not None and points != {scale.points}:
            ctx.add(("scales", i, "points"), f"scale {scale.name!r} declares "
                                             f"{scale.points} points but its items have "
                                             f"{points.pop()}")
        if scale.min_answered is not None and scale.min_answered > len(items):
            ctx.add(("scales", i, "min_answered"), f"min_answered {scale.min_answered} "
                                                   f"exceeds the {len(items)} items")


# --------------------------------------------------------------------------- names, questions
def _claim(ctx: _Context, seen: dict[str, Loc], name: str, loc: Loc, position: int,
           kind: Any) -> None:
    if name == ID_COLUMN:
        ctx.add(loc, f"{ID_COLUMN!r} is reserved for the respondent id column")
    if name in seen:
        ctx.add(loc, f"duplicate name {name!r} (first used at {format_loc(seen[name])})")
        return
    seen[name] = loc
    ctx.position[name] = position
    ctx.kind[name] = kind


def check_names_and_questions(ctx: _Context) -> None:
    """Section and question names unique, then per question in order: its condition (which
    may only use earlier questions), its name, and its type's rules."""
    seen: dict[str, Loc] = {}
    section_names: set[str] = set()
    for s, section in enumerate(ctx.survey.sections):
        if section.name in section_names:
            ctx.add(("sections", s, "name"), f"duplicate section name {section.name!r}")
        section_names.add(section.name)
    for position, (loc, _section, question) in enumerate(ctx.survey.iter_question_locs()):
        if question.relevant:
            check_relevance(ctx, (*loc, "relevant"), question.relevant, question)
        check_piping(ctx, question, question, loc)
        _claim(ctx, seen, question.name, (*loc, "name"), position, question)
        if question.is_grid:
            for i, item in enumerate(question.items):
                _claim(ctx, seen, item.name, (*loc, "items", i, "name"), position, item)
        check_question(question, ctx, loc)


@singledispatch
def check_question(question: _QuestionBase, ctx: _Context, loc: Loc) -> None:
    """The rules of one question's type (types without rules, such as text, pass).

    Parameters
    ----------
    question : Question
    ctx : _Context
        Where problems are added.
    loc : tuple
        The question's location path.
    """


def _check_likert(ctx: _Context, loc: Loc, q: LikertQuestion | LikertGridQuestion) -> None:
    if len(q.anchors) != q.points:
        ctx.add((*loc, "anchors"), f"{q.points}-point item needs {q.points} anchor "
                                   f"labels, found {len(q.anchors)}")
    check_scale_ref(ctx, (*loc, "scale"), q.scale)
    _check_dont_know(ctx, loc, q)


def _check_dont_know(ctx: _Context, loc: Loc,
                     q: LikertQuestion | LikertGridQuestion | NpsQuestion) -> None:
    """A "Don't know" text needs the option."""
    if q.dont_know_label is not None and not q.dont_know:
        ctx.add((*loc, "dont_know_label"), "dont_know_label is the text of the \"Don't "
                                           "know\" option; add dont_know: true (or drop it)")


@check_question.register
def _(q: LikertQuestion, ctx: _Context, loc: Loc) -> None:
    _check_likert(ctx, loc, q)
    if q.reverse_keyed and q.scale is None:
        ctx.add((*loc, "reverse_keyed"), "reverse_keyed needs a scale")


@check_question.register
def _(q: LikertGridQuestion, ctx: _Context, loc: Loc) -> None:
    _check_likert(ctx, loc, q)
    for i, item in enumerate(q.items):
        if item.scale != q.scale:
            check_scale_ref(ctx, (*loc, "items", i, "scale"), item.scale)
        if item.reverse_keyed and item.scale is None:
            ctx.add((*loc, "items", i, "reverse_keyed"), "reverse_keyed needs a scale")


def _check_choices(ctx: _Context, loc: Loc, q: ChoiceQuestion) -> set[str]:
    """Choice values unique, at most one exclusive option and only in a multiple choice,
    at most one "other" option and only in a single or multiple choice; returns the values."""
    values: set[str] = set()
    exclusive: int | None = None
    _check_other(ctx, loc, q)
    for i, choice in enumerate(q.choices):
        if choice.value in values:
            ctx.add((*loc, "choices", i, "value"),
                    f"duplicate choice value {choice.value!r} in {q.name!r}")
        values.add(choice.value)
        _check_anchor(ctx, loc, q, i)
        if not choice.exclusive:
            continue
        if q.type != "multiple_choice":
            ctx.add((*loc, "choices", i, "exclusive"),
                    f"only a multiple_choice option can be exclusive ({q.name!r} is {q.type})")
        elif exclusive is not None:
            ctx.add((*loc, "choices", i, "exclusive"),
                    f"two exclusive options in {q.name!r} ({q.choices[exclusive].value!r} and "
                    f"{choice.value!r}); keep one \"None of these\"")
        else:
            exclusive = i
    return values


def _check_other(ctx: _Context, loc: Loc, q: ChoiceQuestion) -> None:
    """An "Other (specify)" option: only in a single or multiple choice, one per question,
    not exclusive, coded ``other`` (survey-core's fixed value of its "Other" item, so the
    answer, conditions and quotas read the same in every export), and last (where
    survey-core shows it)."""
    others = [i for i, c in enumerate(q.choices) if c.other]
    for i in others:
        where = (*loc, "choices", i, "other")
        choice = q.choices[i]
        if q.type not in ("single_choice", "multiple_choice"):
            ctx.add(where, f"only a single_choice or multiple_choice option can be "
                           f"\"Other (specify)\" ({q.name!r} is {q.type})")
        elif i != others[0]:
            ctx.add(where, f"two \"other\" options in {q.name!r} "
                           f"({q.choices[others[0]].value!r} and {choice.value!r}); keep one")
        elif choice.exclusive:
            ctx.add(where, f"option {choice.value!r} cannot be both exclusive "
                           "(\"None of these\") and \"Other (specify)\"")
        elif choice.value != OTHER_CODE:
            ctx.add((*loc, "choices", i, "value"),
                    f"code the \"Other (specify)\" option {OTHER_CODE!r}, not "
                    f"{choice.value!r} (survey-core's fixed value for it, kept the same in "
                    "every export)")
        elif i != len(q.choices) - 1:
            ctx.add(where, "put the \"Other (specify)\" option last (survey-core always "
                           "shows it after every other option; the exports keep one order)")


def check_response_columns(ctx: _Context) -> None:
    """No two response columns share a name: an "Other (specify)" text column
    (:func:`~survey_builder.layout.other_text_column`, shortened to 26 characters) must not
    collide with another question's text column or an option column."""
    from ..codebook import option_column  # the codebook's rule; it imports the spec

    seen: dict[str, Loc] = {}
    for loc, _section, question in ctx.survey.iter_question_locs():
        if question.type == "multiple_choice":
            for i, choice in enumerate(question.choices):
                seen.setdefault(option_column(question.name, choice.value),
                                (*loc, "choices", i))
    for loc, _section, question in ctx.survey.iter_question_locs():
        index = next((i for i, c in enumerate(getattr(question, "choices", None) or [])
                      if c.other), None)
        if index is None:
            continue
        column = other_text_column(question.name)
        if column in seen:
            ctx.add((*loc, "choices", index, "other"),
                    f"the text column {column!r} of {question.name!r} is also the column of "
                    f"{format_loc(seen[column])}; rename one of the questions (or the option)")
        else:
            seen[column] = (*loc, "choices", index)


def _check_anchor(ctx: _Context, loc: Loc, q: ChoiceQuestion, i: int) -> None:
    """An anchored option needs shuffled options, and comes after all of them."""
    choice = q.choices[i]
    shuffled = getattr(q, "randomize", False)
    if choice.anchor and not shuffled:
        ctx.add((*loc, "choices", i, "anchor"),
                "anchor keeps an option in place when the options are shuffled; add "
                "randomize: true to the question (or drop anchor)")
    elif shuffled and not anchored(choice) and any(anchored(c) for c in q.choices[:i]):
        ctx.add((*loc, "choices", i),
                f"option {choice.value!r} is shuffled but comes after an anchored one; put "
                "the anchored options (anchor, exclusive) last")


@check_question.register(SingleChoiceQuestion)
@check_question.register(RankingQuestion)
def _(q: SingleChoiceQuestion | RankingQuestion, ctx: _Context, loc: Loc) -> None:
    _check_choices(ctx, loc, q)


@check_question.register
def _(q: AttentionCheckQuestion, ctx: _Context, loc: Loc) -> None:
    values = _check_choices(ctx, loc, q)
    if q.answer not in values:
        ctx.add((*loc, "answer"), f"answer {q.answer!r} is not one of the choices "
                                  f"{sorted(values)}")


@check_question.register
def _(q: MultipleChoiceQuestion, ctx: _Context, loc: Loc) -> None:
    _check_choices(ctx, loc, q)
    n = len(q.choices)
    if q.max_selected is not None and q.max_selected > n:
        ctx.add((*loc, "max_selected"), f"max_selected {q.max_selected} exceeds the {n} "
                                        "choices")
    if (q.min_selected is not None and q.max_selected is not None
            and q.min_selected > q.max_selected):
        ctx.add((*loc, "min_selected"), "min_selected is greater than max_selected")


@check_question.register
def _(q: NumericQuestion, ctx: _Context, loc: Loc) -> None:
    if q.min is not None and q.max is not None and q.min >= q.max:
        ctx.add((*loc, "max"), f"max ({q.max:g}) must be greater than min ({q.min:g})")
    if q.integer:
        for bound in ("min", "max"):
            value = getattr(q, bound)
            if value is not None and not float(value).is_integer():
                ctx.add((*loc, bound), f"{bound} of an integer question must be whole")


@check_question.register
def _(q: MaxDiffQuestion, ctx: _Context, loc: Loc) -> None:
    for where, message in maxdiff_problems(q):
        ctx.add((*loc, *where), message)
    for i, item in enumerate(q.items):
        if item.other:
            ctx.add((*loc, "items", i, "other"), "a maxdiff item cannot be \"Other "
                                                 "(specify)\" (there is no text box to fill)")


@check_question.register
def _(q: NpsQuestion, ctx: _Context, loc: Loc) -> None:
    _check_dont_know(ctx, loc, q)


@check_question.register
def _(q: NoteQuestion, ctx: _Context, loc: Loc) -> None:
    if q.required:
        ctx.add((*loc, "required"), "a note has no answer and cannot be required")


def check_piping(ctx: _Context, question: Question, model: BaseModel, loc: Loc) -> None:
    """Every ``${name}`` piped into a text of ``question`` (its label, hint, options, rows)
    names an earlier question with one answer to show."""
    for field_name in type(model).model_fields:
        value = getattr(model, field_name)
        if field_name in _TEXT_FIELDS and isinstance(value, dict):
            for lang, text in value.items():
                for name in piped_names(text):
                    problem = _piping_problem(ctx, question, name)
                    if problem:
                        ctx.add((*loc, field_name, lang), problem)
        elif isinstance(value, list):
            for i, element in enumerate(value):
                if isinstance(element, BaseModel):
                    check_piping(ctx, question, element, (*loc, field_name, i))


def _piping_problem(ctx: _Context, question: Question, name: str) -> str | None:
    kind = ctx.kind.get(name)
    if kind is None:
        if name == question.name or name in ctx.survey.names():
            return (f"pipes {name!r}, which is not answered yet here; pipe only earlier "
                    "questions")
        close = [n for n in ctx.position if _similar(n, name)]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"pipes unknown question {name!r}{hint}"
    if kind.answer_kind not in ("number", "code", "text"):
        what = getattr(kind, "type", "grid")
        return f"pipes {name!r}, a {what} question without one answer to show"
    return None


# --------------------------------------------------------------------------- conditions
def check_relevance(ctx: _Context, loc: Loc, text: str, question: Question) -> None:
    """A condition parses, refers only to earlier answered questions, and uses
    ``selected()`` and comparisons as their question types allow."""
    try:
        tree = ex.parse(text)
    except ex.ExpressionError as exc:
        ctx.add(loc, f"invalid condition: {exc}")
        return
    for node in ex.walk(tree):
        if isinstance(node, ex.Ref):
            _check_reference(ctx, loc, node.name, question)
    for node in ex.walk(tree):
        if isinstance(node, ex.Call) and node.func == "selected":
            _check_selected_call(ctx, loc, node)
        elif isinstance(node, ex.Compare):
            _check_comparison(ctx, loc, node)


def check_condition(ctx: _Context, loc: Loc, text: str, *, allow_self: Question | None,
                    everything: bool = False) -> None:
    """A fieldwork condition (``terminate_if``, a quota cell) parses, refers to answered
    questions — up to ``allow_self`` included, or any question with ``everything`` — and
    uses ``selected()`` and comparisons as their types allow. Runs after every name is
    known."""
    try:
        tree = ex.parse(text)
    except ex.ExpressionError as exc:
        ctx.add(loc, f"invalid condition: {exc}")
        return
    last = None if everything or allow_self is None else ctx.position.get(allow_self.name)
    for node in ex.walk(tree):
        if not isinstance(node, ex.Ref):
            continue
        if node.name not in ctx.position:
            close = [n for n in ctx.position if _similar(n, node.name)]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            ctx.add(loc, f"condition refers to unknown question {node.name!r}{hint}")
        elif last is not None and ctx.position[node.name] > last:
            ctx.add(loc, f"condition refers to {node.name!r}, which comes later; it may "
                         "only use this question and earlier ones")
        elif not ctx.kind[node.name].has_answer:
            ctx.add(loc, f"condition refers to note {node.name!r}, which has no answer")
        elif ctx.kind[node.name].is_grid:
            ctx.add(loc, f"{node.name!r} is a grid; refer to one of its items instead")
    for node in ex.walk(tree):
        if isinstance(node, ex.Call) and node.func == "selected":
            _check_selected_call(ctx, loc, node)
        elif isinstance(node, ex.Compare):
            _check_comparison(ctx, loc, node)


def _check_reference(ctx: _Context, loc: Loc, name: str, question: Question) -> None:
    if name == question.name or (question.is_grid
                                 and any(i.name == name for i in question.items)):
        ctx.add(loc, f"condition refers to its own question {name!r}")
    elif name not in ctx.position:
        if name in ctx.survey.names():
            ctx.add(loc, f"condition refers to {name!r}, which comes later; conditions "
                         "may only use earlier questions")
        else:
            close = [n for n in ctx.position if _similar(n, name)]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            ctx.add(loc, f"condition refers to unknown question {name!r}{hint}")
    else:
        kind = ctx.kind[name]
        if not kind.has_answer:
            ctx.add(loc, f"condition refers to note {name!r}, which has no answer")
        elif kind.is_grid:
            ctx.add(loc, f"{name!r} is a grid; refer to one of its items instead")
        elif getattr(kind, "type", None) == "maxdiff":
            ctx.add(loc, f"{name!r} is a maxdiff question, which a condition cannot use")


def _check_selected_call(ctx: _Context, loc: Loc, node: ex.Call) -> None:
    name = node.args[0].name  # type: ignore[union-attr]
    value = str(node.args[1].value)  # type: ignore[union-attr]
    kind = ctx.kind.get(name)
    if kind is None:
        return
    if getattr(kind, "type", None) != "multiple_choice":
        ctx.add(loc, f"selected() needs a multiple_choice question; {name!r} is "
                     f"{getattr(kind, 'type', 'a grid item')} (compare with = instead)")
    elif value not in {c.value for c in kind.choices}:
        ctx.add(loc, f"{value!r} is not an option of {name!r}")


_ORDERINGS = ("<", "<=", ">", ">=")


def _orders_as_number(kind: Question | GridItem) -> bool:
    """Whether ``<``/``>`` on this answer compare numbers in every engine (ODK orders
    only numbers; survey-core would compare text)."""
    if kind.answer_kind == "number":
        return True
    if kind.answer_kind == "code":
        return all(ex.is_number_text(c.value) for c in kind.choices)  # type: ignore[union-attr]
    return False


def _check_comparison(ctx: _Context, loc: Loc, node: ex.Compare) -> None:
    for ref, other in ((node.left, node.right), (node.right, node.left)):
        if not isinstance(ref, ex.Ref) or ref.name not in ctx.kind:
            continue
        kind: Question | GridItem = ctx.kind[ref.name]
        if kind.answer_kind == "options":
            ctx.add(loc, f"{ref.name!r} is {kind.type}: use selected(${{{ref.name}}}, "  # type: ignore[union-attr]
                         "'value') instead of a comparison")
        elif node.op in _ORDERINGS and not _orders_as_number(kind):
            ctx.add(loc, f"{ref.name!r} is {kind.type}: {node.op!r} compares numbers "  # type: ignore[union-attr]
                         "(the export engines order text differently); use = or !=")
        elif kind.answer_kind == "code" and isinstance(other, ex.Const):
            values = {c.value for c in kind.choices}  # type: ignore[union-attr]
            if str(other.value) not in values:
                ctx.add(loc, f"{other.value!r} is not an option of {ref.name!r} "
                             f"(options: {', '.join(sorted(values))})")
        elif kind.answer_kind == "number" and isinstance(other, ex.Const) and isinstance(
                other.value, str):
            ctx.add(loc, f"{ref.name!r} is a number; compare it with a number, not "
                         f"{other.value!r}")


# --------------------------------------------------------------------------- derivations
def check_clv(ctx: _Context) -> None:
    """Each CLV term names a numeric question or a single choice with numeric options."""
    clv = ctx.survey.clv
    if clv is None:
        return
    for term in ("value", "frequency", "lifespan"):
        question = getattr(clv, term).question
        loc = ("clv", term, "question")
        kind = ctx.kind.get(question)
        if kind is None:
            ctx.add(loc, f"unknown question {question!r}")
        elif getattr(kind, "type", None) == "single_choice":
            if all(c.numeric is None for c in kind.choices):
                ctx.add(loc, f"{question!r} has no choice with a 'numeric' value to turn the "
                             "answer into a number")
        elif getattr(kind, "type", None) != "numeric":
            ctx.add(loc, f"{question!r} must be numeric or single_choice with numeric "
                         "choices")


def check_journey(ctx: _Context) -> None:
    """The journey question is a single choice, and its stages are its options."""
    journey = ctx.survey.journey
    if journey is None:
        return
    kind = ctx.kind.get(journey.question)
    if kind is None:
        ctx.add(("journey", "question"), f"unknown question {journey.question!r}")
    elif getattr(kind, "type", None) != "single_choice":
        ctx.add(("journey", "question"),
                f"{journey.question!r} must be a single_choice question")
    elif journey.stages is not None:
        values = {c.value for c in kind.choices}
        for i, stage in enumerate(journey.stages):
            if stage not in values:
                ctx.add(("journey", "stages", i),
                        f"{stage!r} is not an option of {journey.question!r}")
