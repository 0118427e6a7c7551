"""The spec's pydantic models: a :class:`Survey` of sections, questions, scales and derivations.

Each question class carries class-level *traits* (see the package docstring) that say what
the type is, so that other modules never test a question's class.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .._source import format_loc
from ._fields import ASPECTS_DIMENSIONS, Anchors, ChoiceValue, Name, Points, Text
from ._fieldwork import Quota, Redirects


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
    exclusive : bool
        A multiple-choice option that cannot be ticked with any other ("None of these").
    anchor : bool
        Kept in place, after the shuffled ones, when the options are randomised ("Other",
        "Don't know"); an exclusive or "other" option is anchored without saying so.
    other : bool
        The "Other (specify)" option of a single or multiple choice: choosing it shows a
        text box, whose answer is stored in the companion column
        :func:`survey_builder.layout.other_text_column`.
    """

    value: ChoiceValue
    label: Text
    numeric: float | None = None
    exclusive: bool = False
    anchor: bool = False
    other: bool = False


class _QuestionBase(_Model):
    """Fields and traits every question type has.

    Traits (class-level, not fields)
    --------------------------------
    has_answer : bool
        The question has a response (false for notes).
    has_choices : bool
        The question has ``choices`` (single/multiple choice, ranking, attention check).
    is_likert : bool
        A Likert item or grid: ``points`` and ``anchors``, psychometric items.
    is_grid : bool
        The question has ``items`` (rows), each a response column of its own.
    answer_kind : str
        How a condition compares the answer: ``"number"``, ``"code"`` (an option value),
        ``"options"`` (several option values: use ``selected()``), ``"text"`` or ``"none"``.
    """

    has_answer: ClassVar[bool] = True
    has_choices: ClassVar[bool] = False
    is_likert: ClassVar[bool] = False
    is_grid: ClassVar[bool] = False
    answer_kind: ClassVar[str] = "none"

    type: str
    name: Name
    label: Text
    hint: Text | None = None
    required: bool = False
    relevant: str | None = Field(default=None, description="Condition on earlier answers")
    terminate_if: str | None = Field(
        default=None, description="Screen the respondent out here when true (fieldwork)")

    @field_validator("relevant", "terminate_if")
    @classmethod
    def _blank_relevant(cls, value: str | None) -> str | None:
        return value or None


class LikertQuestion(_QuestionBase):
    """A single Likert item; the response is the integer 1..points."""

    is_likert: ClassVar[bool] = True
    answer_kind: ClassVar[str] = "number"

    type: Literal["likert"]
    points: Points = 5
    anchors: Anchors
    scale: Name | None = None
    reverse_keyed: bool = False
    dont_know: bool = Field(default=False, description="Offer \"Don't know\" beside the scale")
    dont_know_label: Text | None = Field(default=None,
                                         description="Text of the \"Don't know\" option")


class GridItem(_Model):
    """One row of a :class:`LikertGridQuestion`; it is a response column of its own and
    answers like a :class:`LikertQuestion` (same traits)."""

    has_answer: ClassVar[bool] = True
    has_choices: ClassVar[bool] = False
    is_likert: ClassVar[bool] = True
    is_grid: ClassVar[bool] = False
    answer_kind: ClassVar[str] = "number"

    name: Name
    label: Text
    scale: Name | None = None
    reverse_keyed: bool = False


class LikertGridQuestion(_QuestionBase):
    """Several Likert items sharing anchors (a matrix). ``required`` applies to every row."""

    is_likert: ClassVar[bool] = True
    is_grid: ClassVar[bool] = True

    type: Literal["likert_grid"]
    points: Points = 5
    anchors: Anchors
    scale: Name | None = Field(default=None, description="Default scale of the items")
    randomize: bool = Field(default=False, description="Shuffle the rows")
    items: list[GridItem] = Field(min_length=1)
    dont_know: bool = Field(default=False,
                            description="Offer \"Don't know\" beside the scale (every row)")
    dont_know_label: Text | None = Field(default=None,
                                         description="Text of the \"Don't know\" column")


class SingleChoiceQuestion(_QuestionBase):
    """Pick one option; the response is the option's ``value``."""

    has_choices: ClassVar[bool] = True
    answer_kind: ClassVar[str] = "code"

    type: Literal["single_choice"]
    choices: list[Choice] = Field(min_length=2)
    randomize: bool = Field(default=False,
                            description="Shuffle the options (anchored ones stay last)")


def anchored(choice: Choice) -> bool:
    """Whether an option keeps its place when the options are shuffled."""
    return choice.anchor or choice.exclusive or choice.other


def other_choice(question: Any) -> Choice | None:
    """The "Other (specify)" option of a question (the spec allows at most one), or
    ``None`` (also for questions without options)."""
    if not question.has_choices:
        return None
    return next((c for c in question.choices if c.other), None)


class MultipleChoiceQuestion(_QuestionBase):
    """Tick any options; the response is one 0/1 column per option."""

    has_choices: ClassVar[bool] = True
    answer_kind: ClassVar[str] = "options"

    type: Literal["multiple_choice"]
    choices: list[Choice] = Field(min_length=2)
    randomize: bool = Field(default=False,
                            description="Shuffle the options (anchored ones stay last)")
    min_selected: int | None = Field(default=None, ge=1)
    max_selected: int | None = Field(default=None, ge=1)


class NumericQuestion(_QuestionBase):
    """A number, optionally bounded, optionally integer, with a unit per language."""

    answer_kind: ClassVar[str] = "number"

    type: Literal["numeric"]
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    integer: bool = False


class TextQuestion(_QuestionBase):
    """Free text."""

    answer_kind: ClassVar[str] = "text"

    type: Literal["text"]
    multiline: bool = False
    max_length: int | None = Field(default=None, ge=1)


class RankingQuestion(_QuestionBase):
    """Put all options in order; the response is one rank column (1 = first) per option."""

    has_choices: ClassVar[bool] = True
    answer_kind: ClassVar[str] = "options"

    type: Literal["ranking"]
    choices: list[Choice] = Field(min_length=2)


class AttentionCheckQuestion(_QuestionBase):
    """An instructed-response item; ``answer`` is the only correct option value."""

    has_choices: ClassVar[bool] = True
    answer_kind: ClassVar[str] = "code"

    type: Literal["attention_check"]
    choices: list[Choice] = Field(min_length=2)
    answer: ChoiceValue


class NpsQuestion(_QuestionBase):
    """Net Promoter Score: "how likely are you to recommend ...", answered 0..10.

    Scoring codes 9-10 as promoters, 7-8 as passives and 0-6 as detractors
    (:func:`survey_builder.scoring.score_nps`).
    """

    answer_kind: ClassVar[str] = "number"

    type: Literal["nps"]
    low_label: Text | None = Field(default=None, description="Label of 0 (not at all likely)")
    high_label: Text | None = Field(default=None, description="Label of 10 (extremely likely)")
    dont_know: bool = Field(default=False, description="Offer \"Don't know\" beside 0-10")
    dont_know_label: Text | None = Field(default=None,
                                         description="Text of the \"Don't know\" option")


class MaxDiffQuestion(_QuestionBase):
    """Best-worst scaling over ``items``: ``sets`` sets of ``per_set`` items each, in each
    the respondent picks the best and the worst item. The sets come from a balanced
    incomplete block design drawn with ``seed`` (:func:`survey_builder.maxdiff.maxdiff_design`).

    The response is two columns per set (``<name>__b<k>``, ``<name>__w<k>``), each the
    ``value`` of the item picked; see :mod:`survey_builder.codebook`.
    """

    type: Literal["maxdiff"]
    items: list[Choice] = Field(min_length=2)
    per_set: int = Field(default=4, ge=2)
    sets: int = Field(ge=1)
    seed: int = Field(default=0, ge=0, description="Seed of the design")
    best_label: Text | None = Field(default=None, description="Heading of the best column")
    worst_label: Text | None = Field(default=None, description="Heading of the worst column")

    def design(self) -> Any:
        """The :class:`~survey_builder.maxdiff.MaxDiffDesign` of this question."""
        from ..maxdiff import cached_design

        return cached_design(len(self.items), self.per_set, self.sets, self.seed)

    def set_items(self) -> list[list[Choice]]:
        """The items of each set, in display order."""
        return [[self.items[i] for i in row] for row in self.design().sets.tolist()]


class NoteQuestion(_QuestionBase):
    """Text shown to the respondent; no answer and no response column."""

    has_answer: ClassVar[bool] = False

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
        NpsQuestion,
        MaxDiffQuestion,
    ],
    Field(discriminator="type"),
]
QUESTION_TYPES: tuple[str, ...] = (
    "likert", "likert_grid", "single_choice", "multiple_choice", "numeric", "text",
    "ranking", "attention_check", "note", "nps", "maxdiff",
)
#: Seconds a respondent takes per answer, by question type, for
#: :meth:`Survey.estimated_minutes` (a grid row and a ranked option each count once):
#: rules of thumb of online fieldwork (about 3-4 rating items in 15 s, a closed question
#: in 8 s, an open answer in half a minute).
SECONDS_PER_ANSWER: dict[str, float] = {
    "likert": 5, "likert_grid": 4, "single_choice": 8, "multiple_choice": 12,
    "numeric": 10, "text": 30, "ranking": 5, "attention_check": 8, "note": 5,
    "nps": 6, "maxdiff": 12,
}

#: Question model per ``type`` string, in :data:`QUESTION_TYPES` order.
QUESTION_MODELS: dict[str, type[_QuestionBase]] = {
    model.model_fields["type"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (LikertQuestion, LikertGridQuestion, SingleChoiceQuestion,
                  MultipleChoiceQuestion, NumericQuestion, TextQuestion, RankingQuestion,
                  AttentionCheckQuestion, NoteQuestion, NpsQuestion, MaxDiffQuestion)
}
ChoiceQuestion = Union[  # noqa: UP007
    SingleChoiceQuestion, MultipleChoiceQuestion, RankingQuestion, AttentionCheckQuestion]


def question_seconds(question: _QuestionBase) -> float:
    """Estimated seconds to answer ``question`` (:data:`SECONDS_PER_ANSWER` per answer; a
    grid row, a ranked option, a MaxDiff set each count as one)."""
    per = SECONDS_PER_ANSWER[question.type]
    if question.is_grid:
        return per * len(question.items)  # type: ignore[attr-defined]
    if question.type == "ranking":
        return per * len(question.choices)  # type: ignore[attr-defined]
    if question.type == "maxdiff":
        return per * question.sets  # type: ignore[attr-defined]
    return per


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
    """A whole questionnaire. See :mod:`survey_builder.spec` for the document layout."""

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
    redirects: Redirects | None = None
    quotas: list[Quota] = Field(default_factory=list)

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
            if question.is_grid:
                for item in question.items:
                    if item.scale is None:
                        item.scale = question.scale
        from .checks import find_problems  # the checks read the models

        problems = find_problems(self)
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
                if question.is_likert and not question.is_grid:
                    yield Item(question.name, question.label, question.scale,
                               question.reverse_keyed, question.points, question.anchors,
                               question.required, question.relevant, question, section)
                elif question.is_grid:
                    for row in question.items:
                        yield Item(row.name, row.label, row.scale, row.reverse_keyed,
                                   question.points, question.anchors, question.required,
                                   question.relevant, question, section)

    def estimated_minutes(self) -> float:
        """A length estimate: every question shown (an upper bound when some are
        conditional), at :data:`SECONDS_PER_ANSWER` per answer (a grid row, a ranked option,
        a MaxDiff set each count as one)."""
        return sum(question_seconds(q) for q in self.iter_questions()) / 60

    def items_summary(self) -> str:
        """How many Likert items measure a scale, and how many stand alone, e.g.
        ``"56 scale items + 1 Likert item outside any scale"``."""
        items = list(self.iter_items())
        scaled = sum(item.scale is not None for item in items)
        text = f"{scaled} scale item{'s' if scaled != 1 else ''}"
        if len(items) > scaled:
            other = len(items) - scaled
            text += f" + {other} Likert item{'s' if other != 1 else ''} outside any scale"
        return text

    def names(self) -> list[str]:
        """Every question and grid-item name, in order (grids before their rows)."""
        out: list[str] = []
        for question in self.iter_questions():
            out.append(question.name)
            if question.is_grid:
                out.extend(item.name for item in question.items)
        return out

    def get(self, name: str) -> Question | GridItem:
        """The question or grid item called ``name`` (``KeyError`` if none)."""
        for question in self.iter_questions():
            if question.name == name:
                return question
            if question.is_grid:
                for item in question.items:
                    if item.name == name:
                        return item
        raise KeyError(name)

    def question_of(self, name: str) -> Question:
        """The top-level question holding ``name`` (the grid, for a grid item)."""
        for question in self.iter_questions():
            if question.name == name:
                return question
            if question.is_grid and any(
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
        return [q for q in self.iter_questions() if q.type == "attention_check"]

    def text(self, text: Mapping[str, str] | None, language: str | None = None) -> str:
        """``text`` in ``language`` (default language if omitted or missing)."""
        return text_for(text, language or self.default_language or self.languages[0],
                        self.default_language)

