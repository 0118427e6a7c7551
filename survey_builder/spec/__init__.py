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
    redirects: {complete: "https://panel.example/c?rid=${rid}", screenout: ...}
    quotas: [{name: age, cells: [{name: young, when: "${age_band} = '18_34'", target: 150}]}]

Options: ``exclusive: true`` ("None of these", multiple choice), ``anchor: true`` (kept
last when shuffled) and ``other: true`` ("Other (specify)", single or multiple choice: a
text box shown while it is chosen, stored in :func:`survey_builder.layout.other_text_column`).
A Likert item, grid or NPS question with ``dont_know: true`` (and optionally
``dont_know_label``) offers "Don't know" apart from the scale, answered with the code
:data:`survey_builder.layout.DONT_KNOW_CODE` (texts: :mod:`survey_builder.spec._options`).

A question's ``terminate_if`` screens the respondent out when it holds (see
:mod:`survey_builder.spec._fieldwork` for screening, redirects and quotas).

Question types (the ``type`` field): ``likert``, ``likert_grid``, ``single_choice``,
``multiple_choice``, ``numeric``, ``text``, ``ranking``, ``attention_check``, ``note``,
``nps`` (0..10 likelihood to recommend; ``low_label``/``high_label`` for the ends) and
``maxdiff`` (best-worst scaling: ``items`` as choices, ``per_set`` items shown in each of
``sets`` sets drawn by a seeded balanced design, ``seed``, ``best_label``/``worst_label``).

Piping: ``${name}`` in a question's texts (label, hint, options, rows) shows the answer
to the earlier question ``name`` (one answer: a number, an option or a text); each export
spells it its own way (SurveyJS ``{name}``, XLSForm ``${name}``, REDCap ``[name]``).

Names (questions, grid items, sections, scales) are lowercase identifiers safe for
XLSForm and REDCap: a letter, then letters, digits or single underscores, at most 26
characters, no ``__`` (reserved for the ``question__option`` response columns, see
:mod:`survey_builder.codebook`). Choice values follow the same rule but may start with a
digit. Error locations use 0-based indices: ``sections[1].questions[3].scale`` is the
fourth question of the second section.

Package layout
--------------
``models`` (the pydantic models and their navigation methods), ``checks`` (the cross-field
rules, small check functions run in document order), ``io`` (load/dump with line-located
errors) and ``_fields`` (field types and naming rules). Everything public is re-exported
here: import from :mod:`survey_builder.spec`.

Dispatching on question types
-----------------------------
No module tests a question's class with ``isinstance``. Two tools replace it:

*Traits* say what a type *is*. They are class-level attributes (``ClassVar``, not fields, so
they are never parsed or dumped) of every question model, and of :class:`GridItem`, which
answers like a Likert question:

=================  ===============================================================
``has_answer``     ``False`` only for ``note``.
``has_choices``    ``single_choice``, ``multiple_choice``, ``ranking``, ``attention_check``.
``is_likert``      ``likert``, ``likert_grid`` (and grid items): ``points``, ``anchors``.
``is_grid``        ``likert_grid``: ``items`` are response columns of their own.
``answer_kind``    how a condition compares the answer: ``"number"`` (likert, grid item,
                   numeric), ``"code"`` (single_choice, attention_check), ``"options"``
                   (multiple_choice, ranking: use ``selected()``), ``"text"``, ``"none"``
                   (note, the grid itself).
=================  ===============================================================

A test of one exact type compares the ``type`` string (``question.type == "numeric"``).

*Operations* that do something different per type are :func:`functools.singledispatch`
functions (:class:`functools.singledispatchmethod` on a builder class), one per operation,
in the module that owns the operation, with one handler registered per question class; the
fallback raises :class:`TypeError` (a bug, not a user error) unless "nothing to do" is the
right answer for unlisted types (:func:`find_problems`' per-question rules)::

    @functools.singledispatch
    def question_columns(question, section):       # fallback: a type without a handler
        raise TypeError(f"unsupported question type {question.type!r}")

    @question_columns.register
    def _(question: NumericQuestion, section): ...

    @question_columns.register(SingleChoiceQuestion)   # one handler for several types
    @question_columns.register(AttentionCheckQuestion)
    def _(question, section): ...

:data:`QUESTION_MODELS` maps each ``type`` to its class, so a test can check that an
operation handles every type: ``set(QUESTION_MODELS.values()) <= set(op.registry)``.
"""

from __future__ import annotations

from ..layout import ID_COLUMN
from ._fields import ASPECTS_DIMENSIONS, NAME_MAX_LENGTH
from ._fieldwork import Quota, QuotaCell, Redirects, screenout_conditions, screenout_rule
from ._options import dont_know_texts, specify_prompts
from ._piping import pipe, piped_names
from ._quota_grid import QuotaDimension, QuotaGrid, grid_targets
from .checks import find_problems
from .io import dump_survey, load_survey, survey_from_dict, survey_to_dict, survey_to_text
from .models import (
    QUESTION_MODELS,
    QUESTION_TYPES,
    SECONDS_PER_ANSWER,
    AttentionCheckQuestion,
    Choice,
    ChoiceQuestion,
    ClvSpec,
    ClvTerm,
    GridItem,
    Item,
    JourneySpec,
    LikertGridQuestion,
    LikertQuestion,
    MaxDiffQuestion,
    MultipleChoiceQuestion,
    NoteQuestion,
    NpsQuestion,
    NumericQuestion,
    Question,
    RankingQuestion,
    Scale,
    Section,
    SingleChoiceQuestion,
    Survey,
    SurveyProblems,
    TextQuestion,
    anchored,
    other_choice,
    text_for,
)

__all__ = [
    "ASPECTS_DIMENSIONS",
    "ID_COLUMN",
    "NAME_MAX_LENGTH",
    "QUESTION_MODELS",
    "QUESTION_TYPES",
    "SECONDS_PER_ANSWER",
    "AttentionCheckQuestion",
    "Choice",
    "ChoiceQuestion",
    "ClvSpec",
    "ClvTerm",
    "GridItem",
    "Item",
    "JourneySpec",
    "LikertGridQuestion",
    "LikertQuestion",
    "MaxDiffQuestion",
    "MultipleChoiceQuestion",
    "NoteQuestion",
    "NpsQuestion",
    "NumericQuestion",
    "Question",
    "Quota",
    "QuotaCell",
    "QuotaDimension",
    "QuotaGrid",
    "RankingQuestion",
    "Redirects",
    "Scale",
    "Section",
    "SingleChoiceQuestion",
    "Survey",
    "SurveyProblems",
    "TextQuestion",
    "anchored",
    "dont_know_texts",
    "dump_survey",
    "find_problems",
    "grid_targets",
    "load_survey",
    "other_choice",
    "pipe",
    "piped_names",
    "screenout_conditions",
    "screenout_rule",
    "specify_prompts",
    "survey_from_dict",
    "survey_to_dict",
    "survey_to_text",
    "text_for",
]
