"""The declarative questionnaire spec: pydantic models, loading, validation and dumping.

A spec is a YAML or JSON document::

    id: brand_study
    version: "1"
    title: {en: Brand study, es: Estudio de marca}
    languages: [en, es]            # default_language: first one unless given
    anchor_sets:                   # reusable Likert anchors, referenced by name
      agree5:
        - {en: Strongly disagree, es: Muy en desacuerdo}
        - ...                      # one label per point
    scales:
      - name: brand_trust
        dimension: attitudes       # an ASPECTS dimension, or `layer:` for other layers
        label: {en: Brand trust, es: Confianza en la marca}
        description: {en: ..., es: ...}   # the construct measured
        high_score: {en: ..., es: ...}   # what a high score means for communication
        points: 5
    sections:
      - name: attitudes
        title: {en: Your views, es: Sus opiniones}
        randomize: true            # shuffle question order in this section
        questions:
          - type: likert_grid
            name: trust_grid
            label: {en: How much do you agree?, es: ¿Cuánto está de acuerdo?}
            anchors: agree5
            scale: brand_trust     # default scale of the items
            items:
              - {name: trust_1, label: {en: ..., es: ...}}
              - {name: trust_2, label: {en: ..., es: ...}, reverse_keyed: true}
          - type: single_choice
            name: buy_freq
            relevant: "${trust_1} >= 3"
            label: {...}
            choices:
              - {value: weekly, label: {...}, numeric: 52}
    clv: {currency: EUR, value: {question: avg_spend}, frequency: {question: buy_freq},
          lifespan: {question: lifespan}}
    journey: {question: journey_stage}

Question types (the ``type`` field): ``likert``, ``likert_grid``, ``single_choice``,
``multiple_choice``, ``numeric``, ``text``, ``ranking``, ``attention_check``, ``note``.

Names (questions, grid items, sections, scales) are lowercase identifiers safe for
XLSForm and REDCap: a letter, then letters, digits or single underscores, at most 26
characters, no ``__`` (reserved for the ``question__option`` response columns, see
:mod:`survey_builder.codebook`). Choice values follow the same rule but may start with a
digit. Error locations use 0-based indices: ``sections[1].questions[3].scale`` is the
fourth question of the second section.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from . import expressions as ex
from ._source import Locator, format_loc, load_document
from .atomic import write_text_atomic
from .errors import SurveyError
from .layout import ID_COLUMN

__all__ = [
    "ASPECTS_DIMENSIONS",
    "ID_COLUMN",
    "QUESTION_TYPES",
    "AttentionCheckQuestion",
    "Choice",
    "ClvSpec",
    "ClvTerm",
    "GridItem",
    "Item",
    "JourneySpec",
    "LikertGridQuestion",
    "LikertQuestion",
    "MultipleChoiceQuestion",
    "NoteQuestion",
    "NumericQuestion",
    "Question",
    "RankingQuestion",
    "Scale",
    "Section",
    "SingleChoiceQuestion",
    "Survey",
    "TextQuestion",
    "dump_survey",
    "load_survey",
    "survey_from_dict",
    "survey_to_dict",
    "survey_to_text",
    "text_for",
]

#: The six ASPECTS dimensions, in model order.
ASPECTS_DIMENSIONS: tuple[str, ...] = (
    "attitudes",
    "social_values",
    "personal_interests",
    "emotions",
    "conscious_needs",
    "traits",
)
NAME_MAX_LENGTH = 26
_NAME_RE = re.compile(r"^[a-z](?:[a-z0-9]|_(?!_))*$")
_VALUE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|_(?!_))*$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_YAML_BOOL_HINT = " (YAML reads yes/no/on/off/true/false as booleans: put the value in quotes)"


def _check_name(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > NAME_MAX_LENGTH:
            raise ValueError(f"name {value!r} is longer than {NAME_MAX_LENGTH} characters "
                             "(REDCap/XLSForm-safe names are short)")
        if not _NAME_RE.match(value) or value.endswith("_"):
            raise ValueError(f"invalid name {value!r}: use lowercase letters, digits and "
                             "single underscores, starting with a letter")
    return value


def _check_value(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"choice value is the boolean {value}{_YAML_BOOL_HINT}")
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str):
        if len(value) > 32:
            raise ValueError(f"choice value {value!r} is longer than 32 characters")
        if not _VALUE_RE.match(value) or value.endswith("_"):
            raise ValueError(f"invalid choice value {value!r}: use lowercase letters, digits "
                             "and single underscores")
    return value


def _check_text(value: Any) -> Any:
    if isinstance(value, Mapping):
        for key, text in value.items():
            if isinstance(key, bool):
                raise ValueError(f"language key is the boolean {key}{_YAML_BOOL_HINT}")
            if not isinstance(text, str):
                raise ValueError(f"text for language {key!r} must be a string")
    elif isinstance(value, str):
        raise ValueError("give the text per language, e.g. {en: 'Your age', es: 'Su edad'}")
    return value


Name = Annotated[str, BeforeValidator(_check_name)]
ChoiceValue = Annotated[str, BeforeValidator(_check_value)]
#: Text per language code, e.g. ``{"en": "Age", "es": "Edad"}``.
Text = Annotated[dict[str, str], BeforeValidator(_check_text)]
Points = Literal[5, 7]


def text_for(text: Mapping[str, str] | None, language: str, fallback: str | None = None) -> str:
    """Pick ``text[language]``, else ``text[fallback]``, else any value, else ``""``."""
    if not text:
        return ""
    if language in text:
        return text[language]
    if fallback and fallback in text:
        return text[fallback]
    return next(iter(text.values()))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Choice(_Model):
    """An answer option.

    Attributes
    ----------
    value : str
        Stable code stored in the response file (``weekly``, ``18_24``, ``1``).
    label : dict
        Label per language.
    numeric : float, optional
        Numeric meaning of the option, used by derivations (e.g. purchases per year for a
        frequency band, years for a lifespan band, the band midpoint for a spend band).
    """

    value: ChoiceValue
    label: Text
    numeric: float | None = None


class _QuestionBase(_Model):
    type: str
    name: Name
    label: Text
    hint: Text | None = None
    required: bool = False
    relevant: str | None = Field(default=None, description="Condition on earlier answers")

    @field_validator("relevant")
    @classmethod
    def _blank_relevant(cls, value: str | None) -> str | None:
        return value or None


def _anchors_must_be_resolved(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(f"unknown anchor set {value!r} (define it under anchor_sets)")
    return value


Anchors = Annotated[list[Text], BeforeValidator(_anchors_must_be_resolved)]


class LikertQuestion(_QuestionBase):
    """A single Likert item; the response is the integer 1..points."""

    type: Literal["likert"]
    points: Points = 5
    anchors: Anchors
    scale: Name | None = None
    reverse_keyed: bool = False


class GridItem(_Model):
    """One row of a :class:`LikertGridQuestion`; it is a response column of its own."""

    name: Name
    label: Text
    scale: Name | None = None
    reverse_keyed: bool = False


class LikertGridQuestion(_QuestionBase):
    """Several Likert items sharing anchors (a matrix). ``required`` applies to every row."""

    type: Literal["likert_grid"]
    points: Points = 5
    anchors: Anchors
    scale: Name | None = Field(default=None, description="Default scale of the items")
    randomize: bool = Field(default=False, description="Shuffle the rows")
    items: list[GridItem] = Field(min_length=1)


class SingleChoiceQuestion(_QuestionBase):
    """Pick one option; the response is the option's ``value``."""

    type: Literal["single_choice"]
    choices: list[Choice] = Field(min_length=2)


class MultipleChoiceQuestion(_QuestionBase):
    """Tick any options; the response is one 0/1 column per option."""

    type: Literal["multiple_choice"]
    choices: list[Choice] = Field(min_length=2)
    min_selected: int | None = Field(default=None, ge=1)
    max_selected: int | None = Field(default=None, ge=1)


class NumericQuestion(_QuestionBase):
    """A number, optionally bounded, optionally integer, with a unit per language."""

    type: Literal["numeric"]
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    integer: bool = False


class TextQuestion(_QuestionBase):
    """Free text."""

    type: Literal["text"]
    multiline: bool = False
    max_length: int | None = Field(default=None, ge=1)


class RankingQuestion(_QuestionBase):
    """Put all options in order; the response is one rank column (1 = first) per option."""

    type: Literal["ranking"]
    choices: list[Choice] = Field(min_length=2)


class AttentionCheckQuestion(_QuestionBase):
    """An instructed-response item; ``answer`` is the only correct option value."""

    type: Literal["attention_check"]
    choices: list[Choice] = Field(min_length=2)
    answer: ChoiceValue


class NoteQuestion(_QuestionBase):
    """Text shown to the respondent; no answer and no response column."""

    type: Literal["note"]


Question = Annotated[
    Union[  # noqa: UP007 - discriminated union
        LikertQuestion,
        LikertGridQuestion,
        SingleChoiceQuestion,
        MultipleChoiceQuestion,
        NumericQuestion,
        TextQuestion,
        RankingQuestion,
        AttentionCheckQuestion,
        NoteQuestion,
    ],
    Field(discriminator="type"),
]
QUESTION_TYPES: tuple[str, ...] = (
    "likert", "likert_grid", "single_choice", "multiple_choice", "numeric", "text",
    "ranking", "attention_check", "note",
)
ChoiceQuestion = Union[  # noqa: UP007
    SingleChoiceQuestion, MultipleChoiceQuestion, RankingQuestion, AttentionCheckQuestion]
_CHOICE_TYPES = (SingleChoiceQuestion, MultipleChoiceQuestion, RankingQuestion,
                 AttentionCheckQuestion)


class Section(_Model):
    """A page/group of questions."""

    name: Name
    title: Text
    randomize: bool = Field(default=False, description="Shuffle question order")
    questions: list[Question] = Field(min_length=1)


class Scale(_Model):
    """A psychometric scale: Likert items whose mean (after reverse-keying) is the score.

    Attributes
    ----------
    name : str
        Identifier used by items' ``scale`` field and as the score column name.
    dimension : str, optional
        One of :data:`ASPECTS_DIMENSIONS`.
    layer : str, optional
        Another segmentation layer (``behaviour``, ``b2b``, ...), for non-ASPECTS scales.
    label, description, high_score : dict
        Per language: a short label, what the scale measures, and what a high score
        means for communication with that person.
    points : {5, 7}, optional
        Expected number of Likert points of the items (checked).
    min_answered : int, optional
        Minimum number of answered items for a score; ``None`` lets the scorer decide
        (the ``score`` command uses at least half of the items, rounded up).
    """

    name: Name
    dimension: Literal[ASPECTS_DIMENSIONS] | None = None  # type: ignore[valid-type]
    layer: Name | None = None
    label: Text
    description: Text
    high_score: Text
    points: Points | None = None
    min_answered: int | None = Field(default=None, ge=1)


class ClvTerm(_Model):
    """One factor of the CLV product.

    The number is the answer to ``question`` — a numeric answer as is, or the
    ``numeric`` of the chosen option of a single-choice question — times ``factor``
    (e.g. 12 to turn "purchases per month" into "per year").
    """

    question: Name
    factor: float = 1.0


class ClvSpec(_Model):
    """CLV = average purchase value × purchase frequency (per year) × lifespan (years)."""

    currency: str = "EUR"
    value: ClvTerm
    frequency: ClvTerm
    lifespan: ClvTerm


class JourneySpec(_Model):
    """Which single-choice question holds the customer-journey stage, and stage order."""

    question: Name
    stages: list[ChoiceValue] | None = Field(
        default=None, description="Stage codes from first to last (default: choice order)")


@dataclass(frozen=True)
class Item:
    """A psychometric item as seen by scoring: a likert question or one grid row.

    Attributes
    ----------
    name, label, scale, reverse_keyed, points, anchors, required, relevant :
        As in the spec (for grid rows, ``points``, ``anchors``, ``required`` and
        ``relevant`` come from the grid).
    question : LikertQuestion or LikertGridQuestion
        The question that holds the item.
    section : Section
    """

    name: str
    label: dict[str, str]
    scale: str | None
    reverse_keyed: bool
    points: int
    anchors: list[dict[str, str]]
    required: bool
    relevant: str | None
    question: LikertQuestion | LikertGridQuestion
    section: Section


class SurveyProblems(ValueError):
    """Cross-field problems found after parsing, each with its location path."""

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{format_loc(loc)}: {msg}" for loc, msg in problems))


class Survey(_Model):
    """A whole questionnaire. See the module docstring for the document layout."""

    id: Name
    version: str = "1"
    title: Text
    description: Text | None = None
    languages: list[str] = Field(min_length=1)
    default_language: str | None = None
    anchor_sets: dict[Name, list[Text]] = Field(default_factory=dict)
    scales: list[Scale] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    clv: ClvSpec | None = None
    journey: JourneySpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        if isinstance(data.get("version"), (int, float)) and not isinstance(
                data["version"], bool):
            data["version"] = str(data["version"])
        sets = data.get("anchor_sets") or {}
        sections = data.get("sections")
        if isinstance(sets, Mapping) and isinstance(sections, list):
            new_sections = []
            for section in sections:
                if isinstance(section, Mapping) and isinstance(section.get("questions"), list):
                    section = dict(section)
                    section["questions"] = [
                        {**q, "anchors": sets[q["anchors"]]}
                        if isinstance(q, Mapping) and isinstance(q.get("anchors"), str)
                        and q["anchors"] in sets else q
                        for q in section["questions"]
                    ]
                new_sections.append(section)
            data["sections"] = new_sections
        return data

    @model_validator(mode="after")
    def _cross_check(self) -> Survey:
        if self.default_language is None and self.languages:
            self.default_language = self.languages[0]
        for question in self.iter_questions():
            if isinstance(question, LikertGridQuestion):
                for item in question.items:
                    if item.scale is None:
                        item.scale = question.scale
        problems = _Checker(self).run()
        if problems:
            raise SurveyProblems(problems)
        return self

    # ----------------------------------------------------------------- navigation
    def iter_questions(self) -> Iterator[Question]:
        """All questions (grids and notes included) in questionnaire order."""
        for section in self.sections:
            yield from section.questions

    def iter_question_locs(self) -> Iterator[tuple[tuple[str | int, ...], Section, Question]]:
        """Like :meth:`iter_questions` with each question's location path and section."""
        for s, section in enumerate(self.sections):
            for q, question in enumerate(section.questions):
                yield ("sections", s, "questions", q), section, question

    def iter_items(self) -> Iterator[Item]:
        """Psychometric items (likert questions and grid rows) in order."""
        for section in self.sections:
            for question in section.questions:
                if isinstance(question, LikertQuestion):
                    yield Item(question.name, question.label, question.scale,
                               question.reverse_keyed, question.points, question.anchors,
                               question.required, question.relevant, question, section)
                elif isinstance(question, LikertGridQuestion):
                    for row in question.items:
                        yield Item(row.name, row.label, row.scale, row.reverse_keyed,
                                   question.points, question.anchors, question.required,
                                   question.relevant, question, section)

    def names(self) -> list[str]:
        """Every question and grid-item name, in order (grids before their rows)."""
        out: list[str] = []
        for question in self.iter_questions():
            out.append(question.name)
            if isinstance(question, LikertGridQuestion):
                out.extend(item.name for item in question.items)
        return out

    def get(self, name: str) -> Question | GridItem:
        """The question or grid item called ``name`` (``KeyError`` if none)."""
        for question in self.iter_questions():
            if question.name == name:
                return question
            if isinstance(question, LikertGridQuestion):
                for item in question.items:
                    if item.name == name:
                        return item
        raise KeyError(name)

    def question_of(self, name: str) -> Question:
        """The top-level question holding ``name`` (the grid, for a grid item)."""
        for question in self.iter_questions():
            if question.name == name:
                return question
            if isinstance(question, LikertGridQuestion) and any(
                    item.name == name for item in question.items):
                return question
        raise KeyError(name)

    def scale(self, name: str) -> Scale:
        """The scale called ``name`` (``KeyError`` if none)."""
        for scale in self.scales:
            if scale.name == name:
                return scale
        raise KeyError(name)

    def scale_items(self, scale: str | Scale) -> list[Item]:
        """Items of a scale, in questionnaire order."""
        name = scale.name if isinstance(scale, Scale) else scale
        return [item for item in self.iter_items() if item.scale == name]

    def attention_checks(self) -> list[AttentionCheckQuestion]:
        """All attention-check questions in order."""
        return [q for q in self.iter_questions() if isinstance(q, AttentionCheckQuestion)]

    def text(self, text: Mapping[str, str] | None, language: str | None = None) -> str:
        """``text`` in ``language`` (default language if omitted or missing)."""
        return text_for(text, language or self.default_language or self.languages[0],
                        self.default_language)


# --------------------------------------------------------------------------- checks
Loc = tuple[Any, ...]


class _Checker:
    """Cross-field rules; collects ``(loc, message)`` in document order."""

    def __init__(self, survey: Survey) -> None:
        self.s = survey
        self.problems: list[tuple[Loc, str]] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append((loc, message))

    def run(self) -> list[tuple[Loc, str]]:
        self.languages()
        self.texts(self.s, ())
        self.scales_defined()
        self.names_and_questions()
        self.scale_membership()
        self.derivations()
        return self.problems

    # languages and texts
    def languages(self) -> None:
        s = self.s
        seen: set[str] = set()
        for i, lang in enumerate(s.languages):
            if not _LANG_RE.match(lang):
                self.add(("languages", i), f"invalid language code {lang!r} (use e.g. en, es, "
                                           "pt-BR)")
            if lang in seen:
                self.add(("languages", i), f"language {lang!r} is listed twice")
            seen.add(lang)
        if s.default_language not in s.languages:
            self.add(("default_language",),
                     f"default language {s.default_language!r} is not in languages")

    _TEXT_FIELDS = frozenset({"title", "description", "label", "hint", "unit",
                              "high_score"})

    def check_text(self, loc: Loc, text: Mapping[str, str]) -> None:
        for lang in self.s.languages:
            if not (text.get(lang) or "").strip():
                self.add(loc, f"missing {lang!r} text (every language needs every label)")
        for lang in text:
            if lang not in self.s.languages:
                self.add((*loc, lang), f"language {lang!r} is not in the survey's languages "
                                       f"{self.s.languages}")

    def texts(self, model: BaseModel, loc: Loc) -> None:
        for field in type(model).model_fields:
            value = getattr(model, field)
            if value is None:
                continue
            if field in self._TEXT_FIELDS and isinstance(value, dict):
                self.check_text((*loc, field), value)
            elif field == "anchors" and isinstance(value, list):
                for i, text in enumerate(value):
                    self.check_text((*loc, field, i), text)
            elif field == "anchor_sets":
                for set_name, texts in value.items():
                    for i, text in enumerate(texts):
                        self.check_text((*loc, field, set_name, i), text)
            elif isinstance(value, BaseModel):
                self.texts(value, (*loc, field))
            elif isinstance(value, list):
                for i, element in enumerate(value):
                    if isinstance(element, BaseModel):
                        self.texts(element, (*loc, field, i))

    # scales
    def scales_defined(self) -> None:
        seen: set[str] = set()
        for i, scale in enumerate(self.s.scales):
            if scale.name in seen:
                self.add(("scales", i, "name"), f"duplicate scale name {scale.name!r}")
            seen.add(scale.name)
        self.scale_names = seen

    def check_scale_ref(self, loc: Loc, scale: str | None) -> None:
        if scale is not None and scale not in self.scale_names:
            close = [n for n in self.scale_names if _similar(n, scale)]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.add(loc, f"unknown scale {scale!r}{hint}")

    # names, per-question rules, relevance
    def names_and_questions(self) -> None:
        seen: dict[str, Loc] = {}
        self.position: dict[str, int] = {}
        self.kind: dict[str, Any] = {}

        def claim(name: str, loc: Loc, position: int, kind: Any) -> None:
            if name == ID_COLUMN:
                self.add(loc, f"{ID_COLUMN!r} is reserved for the respondent id column")
            if name in seen:
                self.add(loc, f"duplicate name {name!r} (first used at {format_loc(seen[name])})")
                return
            seen[name] = loc
            self.position[name] = position
            self.kind[name] = kind

        section_names: set[str] = set()
        for s, section in enumerate(self.s.sections):
            if section.name in section_names:
                self.add(("sections", s, "name"), f"duplicate section name {section.name!r}")
            section_names.add(section.name)
        for position, (loc, _section, question) in enumerate(self.s.iter_question_locs()):
            if question.relevant:
                self.relevance((*loc, "relevant"), question.relevant, position, question)
            claim(question.name, (*loc, "name"), position, question)
            if isinstance(question, LikertGridQuestion):
                for i, item in enumerate(question.items):
                    claim(item.name, (*loc, "items", i, "name"), position, item)
            self.question_rules(loc, question)

    def question_rules(self, loc: Loc, q: Question) -> None:
        if isinstance(q, (LikertQuestion, LikertGridQuestion)):
            if len(q.anchors) != q.points:
                self.add((*loc, "anchors"), f"{q.points}-point item needs {q.points} anchor "
                                            f"labels, found {len(q.anchors)}")
            self.check_scale_ref((*loc, "scale"), q.scale)
        if isinstance(q, LikertQuestion) and q.reverse_keyed and q.scale is None:
            self.add((*loc, "reverse_keyed"), "reverse_keyed needs a scale")
        if isinstance(q, LikertGridQuestion):
            for i, item in enumerate(q.items):
                if item.scale != q.scale:
                    self.check_scale_ref((*loc, "items", i, "scale"), item.scale)
                if item.reverse_keyed and item.scale is None:
                    self.add((*loc, "items", i, "reverse_keyed"), "reverse_keyed needs a scale")
        if isinstance(q, _CHOICE_TYPES):
            values: set[str] = set()
            for i, choice in enumerate(q.choices):
                if choice.value in values:
                    self.add((*loc, "choices", i, "value"),
                             f"duplicate choice value {choice.value!r} in {q.name!r}")
                values.add(choice.value)
            if isinstance(q, AttentionCheckQuestion) and q.answer not in values:
                self.add((*loc, "answer"), f"answer {q.answer!r} is not one of the choices "
                                           f"{sorted(values)}")
            if isinstance(q, MultipleChoiceQuestion):
                n = len(q.choices)
                if q.max_selected is not None and q.max_selected > n:
                    self.add((*loc, "max_selected"), f"max_selected {q.max_selected} exceeds "
                                                     f"the {n} choices")
                if (q.min_selected is not None and q.max_selected is not None
                        and q.min_selected > q.max_selected):
                    self.add((*loc, "min_selected"), "min_selected is greater than max_selected")
        if isinstance(q, NumericQuestion):
            if q.min is not None and q.max is not None and q.min >= q.max:
                self.add((*loc, "max"), f"max ({q.max:g}) must be greater than min ({q.min:g})")
            if q.integer:
                for bound in ("min", "max"):
                    value = getattr(q, bound)
                    if value is not None and not float(value).is_integer():
                        self.add((*loc, bound), f"{bound} of an integer question must be whole")
        if isinstance(q, NoteQuestion) and q.required:
            self.add((*loc, "required"), "a note has no answer and cannot be required")

    def relevance(self, loc: Loc, text: str, position: int, question: Question) -> None:
        try:
            tree = ex.parse(text)
        except ex.ExpressionError as exc:
            self.add(loc, f"invalid condition: {exc}")
            return
        for node in ex.walk(tree):
            if isinstance(node, ex.Ref):
                self.reference(loc, node.name, position, question)
        for node in ex.walk(tree):
            if isinstance(node, ex.Call) and node.func == "selected":
                self.selected_call(loc, node)
            elif isinstance(node, ex.Compare):
                self.comparison(loc, node)

    def reference(self, loc: Loc, name: str, position: int, question: Question) -> None:
        if name == question.name or (isinstance(question, LikertGridQuestion)
                                     and any(i.name == name for i in question.items)):
            self.add(loc, f"condition refers to its own question {name!r}")
        elif name not in self.position:
            later = name in self.s.names()
            if later:
                self.add(loc, f"condition refers to {name!r}, which comes later; conditions "
                              "may only use earlier questions")
            else:
                close = [n for n in self.position if _similar(n, name)]
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.add(loc, f"condition refers to unknown question {name!r}{hint}")
        else:
            kind = self.kind[name]
            if isinstance(kind, NoteQuestion):
                self.add(loc, f"condition refers to note {name!r}, which has no answer")
            elif isinstance(kind, LikertGridQuestion):
                self.add(loc, f"{name!r} is a grid; refer to one of its items instead")

    def selected_call(self, loc: Loc, node: ex.Call) -> None:
        name = node.args[0].name  # type: ignore[union-attr]
        value = str(node.args[1].value)  # type: ignore[union-attr]
        kind = self.kind.get(name)
        if kind is None:
            return
        if not isinstance(kind, MultipleChoiceQuestion):
            self.add(loc, f"selected() needs a multiple_choice question; {name!r} is "
                          f"{getattr(kind, 'type', 'a grid item')} (compare with = instead)")
        elif value not in {c.value for c in kind.choices}:
            self.add(loc, f"{value!r} is not an option of {name!r}")

    def comparison(self, loc: Loc, node: ex.Compare) -> None:
        for ref, other in ((node.left, node.right), (node.right, node.left)):
            if not isinstance(ref, ex.Ref) or ref.name not in self.kind:
                continue
            kind = self.kind[ref.name]
            if isinstance(kind, (MultipleChoiceQuestion, RankingQuestion)):
                self.add(loc, f"{ref.name!r} is {kind.type}: use selected(${{{ref.name}}}, "
                              "'value') instead of a comparison")
            elif isinstance(kind, (SingleChoiceQuestion, AttentionCheckQuestion)) and isinstance(
                    other, ex.Const):
                values = {c.value for c in kind.choices}
                if str(other.value) not in values:
                    self.add(loc, f"{other.value!r} is not an option of {ref.name!r} "
                                  f"(options: {', '.join(sorted(values))})")
            elif isinstance(kind, (LikertQuestion, GridItem, NumericQuestion)) and isinstance(
                    other, ex.Const) and isinstance(other.value, str):
                self.add(loc, f"{ref.name!r} is a number; compare it with a number, not "
                              f"{other.value!r}")

    def scale_membership(self) -> None:
        items_by_scale: dict[str, list[Item]] = {}
        for item in self.s.iter_items():
            if item.scale is not None:
                items_by_scale.setdefault(item.scale, []).append(item)
        for i, scale in enumerate(self.s.scales):
            items = items_by_scale.get(scale.name, [])
            if not items:
                self.add(("scales", i, "name"), f"scale {scale.name!r} has no items")
                continue
            points = {item.points for item in items}
            if len(points) > 1:
                self.add(("scales", i, "points"), f"items of scale {scale.name!r} mix "
                                                  f"{sorted(points)}-point formats")
            elif scale.points is not None and points != {scale.points}:
                self.add(("scales", i, "points"), f"scale {scale.name!r} declares "
                                                  f"{scale.points} points but its items have "
                                                  f"{points.pop()}")
            if scale.min_answered is not None and scale.min_answered > len(items):
                self.add(("scales", i, "min_answered"), f"min_answered {scale.min_answered} "
                                                        f"exceeds the {len(items)} items")

    def derivations(self) -> None:
        clv = self.s.clv
        if clv is not None:
            for term in ("value", "frequency", "lifespan"):
                spec: ClvTerm = getattr(clv, term)
                loc = ("clv", term, "question")
                kind = self.kind.get(spec.question)
                if kind is None:
                    self.add(loc, f"unknown question {spec.question!r}")
                elif isinstance(kind, SingleChoiceQuestion):
                    if all(c.numeric is None for c in kind.choices):
                        self.add(loc, f"{spec.question!r} has no choice with a 'numeric' value "
                                      "to turn the answer into a number")
                elif not isinstance(kind, NumericQuestion):
                    self.add(loc, f"{spec.question!r} must be numeric or single_choice with "
                                  "numeric choices")
        journey = self.s.journey
        if journey is not None:
            kind = self.kind.get(journey.question)
            if kind is None:
                self.add(("journey", "question"), f"unknown question {journey.question!r}")
            elif not isinstance(kind, SingleChoiceQuestion):
                self.add(("journey", "question"),
                         f"{journey.question!r} must be a single_choice question")
            elif journey.stages is not None:
                values = {c.value for c in kind.choices}
                for i, stage in enumerate(journey.stages):
                    if stage not in values:
                        self.add(("journey", "stages", i),
                                 f"{stage!r} is not an option of {journey.question!r}")


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


# --------------------------------------------------------------------------- loading
_TAG_NAMES = frozenset(QUESTION_TYPES)


def _clean_loc(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """Drop pydantic's union-tag steps (``questions.3.likert.scale``) and validator names."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and part in _TAG_NAMES and i > 0 and isinstance(loc[i - 1], int):
            continue
        if isinstance(part, str) and (part.startswith("function-") or "[" in part):
            continue
        out.append(part)
    return tuple(out)


def _message(error: Mapping[str, Any], data: Any) -> tuple[tuple[str | int, ...], str]:
    loc = _clean_loc(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "union_tag_invalid":
        return (*loc, "type"), (f"unknown question type {ctx.get('tag')!r} (expected one of: "
                                f"{', '.join(QUESTION_TYPES)})")
    if kind == "union_tag_not_found":
        return loc, f"question has no 'type' (one of: {', '.join(QUESTION_TYPES)})"
    if kind == "missing":
        return loc, f"missing required field {loc[-1]!r}" if loc else "missing field"
    if kind == "extra_forbidden":
        return loc, f"unknown field {loc[-1]!r}"
    if kind == "value_error":
        return loc, str(ctx.get("error", error["msg"]))
    message = error["msg"]
    if isinstance(error.get("input"), bool) and kind in ("string_type", "literal_error"):
        message += _YAML_BOOL_HINT
    return loc, f"{message[0].lower()}{message[1:]}" if message else kind


def survey_from_dict(data: Any, *, source: str | None = None,
                     locator: Locator | None = None) -> Survey:
    """Validate a plain mapping (parsed YAML/JSON) into a :class:`Survey`.

    Parameters
    ----------
    data : mapping
        The document.
    source : str, optional
        File name used in error messages.
    locator : Locator, optional
        Maps error locations to line numbers.

    Raises
    ------
    SurveyError
        The first problem, with file, line and field; the message says how many more
        problems there are.
    """
    if not isinstance(data, Mapping):
        raise SurveyError("a survey spec must be a mapping with id, title, languages and "
                          "sections", source, 1 if source else None)
    try:
        return Survey.model_validate(data)
    except ValidationError as exc:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for error in exc.errors():
            inner = (error.get("ctx") or {}).get("error")
            if isinstance(inner, SurveyProblems):
                problems.extend(inner.problems)
            else:
                problems.append(_message(error, data))
        locator = locator or Locator(None)
        loc, message = problems[0]
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        raise SurveyError(message, source, locator.line(loc) if source else None,
                          format_loc(loc) or None) from None


def load_survey(path: str | Path) -> Survey:
    """Load and validate a spec from a ``.yaml``/``.yml``/``.json`` file (``-``: stdin).

    Raises
    ------
    SurveyError
        Malformed file, unknown question type, duplicate names, bad references ... with
        ``file:line field`` location.
    FileNotFoundError
        The file does not exist.
    """
    data, locator = load_document(path)
    return survey_from_dict(data, source="<stdin>" if str(path) == "-" else str(path),
                            locator=locator)


def survey_to_dict(survey: Survey) -> dict[str, Any]:
    """A JSON-compatible dict of the spec without default-valued fields."""
    data = survey.model_dump(mode="json", exclude_defaults=True)
    data["version"] = survey.version
    sets = data.get("anchor_sets") or {}
    for section in data["sections"]:
        for question in section["questions"]:
            anchors = question.get("anchors")
            if isinstance(anchors, list):  # write a reference back when it is a known set
                name = next((n for n, labels in sets.items() if labels == anchors), None)
                if name is not None:
                    question["anchors"] = name
    return data


def dump_survey(survey: Survey, path: str | Path) -> None:
    """Write a spec atomically as YAML (or JSON for a ``.json`` path; ``-``: stdout as YAML)."""
    write_text_atomic(path, survey_to_text(survey, json_format=str(path).lower().endswith(
        ".json")))


def survey_to_text(survey: Survey, *, json_format: bool = False) -> str:
    """The spec as YAML text (or JSON)."""
    data = survey_to_dict(survey)
    if json_format:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)
