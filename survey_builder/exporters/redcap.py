"""REDCap data dictionary export (``<survey id>.redcap.<lang>.csv``).

The CSV has exactly the 18 columns REDCap's *Data Dictionary* upload expects
(:data:`HEADER`) and one row per field, all on one instrument named after the survey id.
The first field is the record id, ``respondent_id`` (the codebook's id column).

Languages
---------
A REDCap data dictionary holds one language (REDCap's Multi-Language Management is set
up separately, not through the dictionary). The export writes **one dictionary per
language**, ``<id>.redcap.en.csv``, ``<id>.redcap.es.csv`` ..., the default language
first. They have identical fields, codes and logic and differ only in the texts, so
import the one in the language you field in (``languages=["es"]`` writes only that one).

Mapping of the spec
-------------------
=================== ===================================================================
spec                REDCap
=================== ===================================================================
section             its title is the *Section Header* of the section's first field
``likert``          ``radio`` with choices ``1, <anchor> | 2, ...`` (alignment ``LH``);
                    ``dont_know`` adds the choice ``dontknow, Don't know`` after the scale
                    (grids and NPS too)
``likert_grid``     a matrix: one ``radio`` field per item sharing the grid's choices and
                    *Matrix Group Name* (the grid name); the grid label (and hint) is the
                    matrix header, i.e. the first row's *Section Header* — when the grid
                    opens its section, the section title is put in front of it in bold
``single_choice``   ``radio``; an ``other`` option is an ordinary choice followed by a
                    required ``text`` field ``<name>__specify`` whose branching logic shows
                    it only while the option is chosen (``[name] = 'code'``, for a
                    checkbox ``[name(code)] = '1'``)
``multiple_choice`` ``checkbox``; ``max_selected`` -> ``@MAXCHECKED=n``; ``min_selected``
                    has no REDCap equivalent and is recorded in the annotation; an
                    ``exclusive`` option -> ``@NONEOFTHEABOVE='code'``
``numeric``         ``text`` validated as ``integer`` or ``number`` with min/max; the unit
                    and hint are the *Field Note*
``text``            ``text`` (``notes`` when multiline); ``max_length`` ->
                    ``@CHARLIMIT=n``
``ranking``         a *ranking matrix*: one ``radio`` field ``<name>__<option>`` per option
                    (``<name>__<n>`` when that would pass REDCap's 26 characters,
                    :func:`survey_builder.codebook.redcap_rank_fields`)
                    (the codebook columns) with choices ``1..n`` and *Matrix Ranking?*
                    ``y`` so each rank is used once
``attention_check`` ``radio`` plus a hidden ``calc`` field ``<name>_passed``
                    (``if([name] = 'answer', 1, 0)``)
``note``            ``descriptive``
``nps``             ``radio`` with choices ``0..10`` (the ends labelled with
                    ``low_label``/``high_label``)
``maxdiff``         per set two ``radio`` fields over the set's items, ``<name>__b<k>``
                    (best) and ``<name>__w<k>`` (worst); REDCap cannot compare two fields
                    in a validation, so a ``descriptive`` warning ``<name>__x<k>`` shows
                    while worst = best (its branching logic ``[w] = [b]``), and
                    scoring flags such answers
``hint``            *Field Note*
``relevant``        *Branching Logic* via :func:`survey_builder.expressions.to_redcap`;
                    ``answered()`` of a multiple-choice question becomes "any option
                    ticked" and of a ranking "its first option ranked"
``required``        ``y``
``${name}`` piped   REDCap piping ``[name]`` (a choice shows its label)
=================== ===================================================================

Choice codes are the spec's values, so REDCap's raw exports carry the codebook codes
(checkbox columns are exported by REDCap as ``<name>___<code>``).

Fieldwork
---------
A ``started_at`` field (``@NOW @HIDDEN-SURVEY @READONLY``) after the record id records the
start, REDCap's ``<form>_timestamp`` the completion; a screening field's annotation states
its rule and later fields are skipped by branching logic when it holds. Stop actions,
redirects and quotas are survey settings outside the dictionary: one warning says so
(:mod:`~._fieldwork`).

Randomisation
-------------
REDCap cannot shuffle fields. A randomised section (or grid) keeps the spec order; the
randomisation is written into the *Field Annotation* of its first field and an
:class:`~survey_builder.exporters._common.ExportWarning` is emitted.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from functools import singledispatchmethod
from pathlib import Path
from typing import Any

from .. import expressions as ex
from ..atomic import write_text_atomic
from ..codebook import build_codebook, column_names, maxdiff_columns, redcap_rank_fields
from ..errors import SurveyError
from ..layout import DONT_KNOW_CODE, other_text_column
from ..spec import (
    ID_COLUMN,
    AttentionCheckQuestion,
    Choice,
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
    pipe,
    specify_prompts,
)
from ._common import (
    ExportWarning,
    format_number,
    localized_message,
    randomized_blocks,
    resolve_languages,
    unique_name,
    warn_randomization,
)
from ._exclusive import exclusive_choice
from ._fieldwork import redcap_fieldwork, warn_fieldwork
from ._maxdiff import best_worst_labels, differ_message, set_titles

__all__ = ["ATTENTION_SUFFIX", "HEADER", "auxiliary_fields", "build_dictionary", "export"]

#: The data dictionary header, exactly as REDCap writes and reads it.
HEADER: tuple[str, ...] = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
#: Suffix of an attention check's pass/fail calc field.
ATTENTION_SUFFIX = "_passed"
# Field names REDCap reserves (it refuses a dictionary that uses them).
_RESERVED = frozenset({
    "record", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
    "redcap_data_access_group", "redcap_survey_identifier", "redcap_csrf_token",
    "event_id", "event_name", "arm_name", "arm_num", "instance", "return_code",
    "hidden_edit_flag", "elements", "new_form_label", "submit_action", "field_name",
    "action_button", "access_code",
})
_FIELD_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _clean(text: str) -> str:
    """One-line text safe inside REDCap's ``code, label | code, label`` choice syntax."""
    return " ".join(text.replace("|", "/").split())


class _Builder:
    def __init__(self, survey: Survey, language: str) -> None:
        self.survey = survey
        self.lang = language
        self.form = survey.id
        self.rows: list[dict[str, str]] = []
        self.taken: set[str] = set(survey.names()) | set(column_names(build_codebook(survey)))
        self.auxiliary: list[str] = []
        self.kinds: dict[str, Any] = {q.name: q for q in survey.iter_questions()}
        self.randomized = {(b.kind, b.name) for b in randomized_blocks(survey)}
        self.piped = set(survey.names())  # ${name} becomes REDCap's piping [name]

    def t(self, text: Any) -> str:
        if not text:
            return ""
        return pipe(self.survey.text(text, self.lang), lambda name: f"[{name}]", self.piped)

    def add(self, name: str, field_type: str, label: str, **cells: str) -> dict[str, str]:
        row = dict.fromkeys(HEADER, "")
        row.update({"Variable / Field Name": name, "Form Name": self.form,
                    "Field Type": field_type, "Field Label": label})
        for key, value in cells.items():
            row[key] = value
        self.rows.append(row)
        return row

    # ------------------------------------------------------------------ logic
    def expand(self, node: ex.Node) -> ex.Node:
        """Rewrite ``answered()`` of checkbox and ranking questions for REDCap."""
        if isinstance(node, ex.Call) and node.func == "answered":
            ref = node.args[0]
            target = self.kinds.get(ref.name)  # type: ignore[union-attr]
            kind = target.type if target is not None else None
            if kind == "multiple_choice":
                return ex.BoolOp("or", tuple(
                    ex.Call("selected", (ref, ex.Const(c.value))) for c in target.choices))
            if kind == "ranking":
                first = redcap_rank_fields(target.name, [c.value for c in target.choices])[0]
                return ex.Call("answered", (ex.Ref(first),))
            return node
        if isinstance(node, ex.BoolOp):
            return ex.BoolOp(node.op, tuple(self.expand(op) for op in node.operands))
        if isinstance(node, ex.Not):
            return ex.Not(self.expand(node.operand))
        return node

    def branching(self, relevant: str | None) -> str:
        if not relevant:
            return ""
        return ex.to_redcap(self.expand(ex.parse(relevant)))

    # ------------------------------------------------------------------ choices
    def choices(self, options: Iterable[tuple[str, str]]) -> str:
        return " | ".join(f"{code}, {_clean(label)}" for code, label in options)

    def likert_choices(self, q: LikertQuestion | LikertGridQuestion) -> str:
        return self.choices([*((str(i + 1), self.t(a)) for i, a in enumerate(q.anchors)),
                             *self.dont_know_choice(q)])

    def dont_know_choice(self, q: LikertQuestion | LikertGridQuestion | NpsQuestion
                         ) -> list[tuple[str, str]]:
        """``dontknow, Don't know`` after the scale, when the question offers it."""
        if not q.dont_know:
            return []
        return [(DONT_KNOW_CODE, dont_know_texts(q, [self.lang])[self.lang])]

    def other_text(self, q: SingleChoiceQuestion | MultipleChoiceQuestion) -> None:
        """The text field of an "Other (specify)" option, shown (and required) only while
        the option is chosen."""
        choice = other_choice(q)
        if choice is None:
            return
        test: ex.Node = (ex.Call("selected", (ex.Ref(q.name), ex.Const(choice.value)))
                         if q.type == "multiple_choice"
                         else ex.Compare("=", ex.Ref(q.name), ex.Const(choice.value)))
        label = f"{self.t(choice.label)}: {specify_prompts([self.lang])[self.lang]}"
        self.add(other_text_column(q.name), "text", label, **{
            "Branching Logic (Show field only if...)": ex.to_redcap(test),
            "Required Field?": "y"})

    def option_choices(self, choices: Sequence[Choice]) -> str:
        return self.choices((c.value, self.t(c.label)) for c in choices)

    # ------------------------------------------------------------------ build
    def build(self) -> None:
        self.add(ID_COLUMN, "text", localized_message("record_id", self.lang))
        for section in self.survey.sections:
            start = len(self.rows)
            for question in section.questions:
                self.question(question)
            first = self.rows[start]
            header = self.t(section.title)
            if first["Section Header"]:  # a matrix header opens the section
                first["Section Header"] = f"<b>{header}</b><br>{first['Section Header']}"
            else:
                first["Section Header"] = header
            if ("section", section.name) in self.randomized:
                self.annotate(first, f"Randomised section in the spec: show the fields of "
                                     f"section '{section.name}' in random order (REDCap "
                                     "keeps the order given here).")

    @staticmethod
    def annotate(row: dict[str, str], text: str) -> None:
        current = row["Field Annotation"]
        row["Field Annotation"] = f"{current} {text}".strip()

    def common(self, q: Any) -> dict[str, str]:
        cells = {"Branching Logic (Show field only if...)": self.branching(q.relevant)}
        if getattr(q, "required", False):
            cells["Required Field?"] = "y"
        return cells

    def field_note(self, hint: Any, unit: Any = None) -> str:
        parts = [self.t(hint)] if hint else []
        if unit:
            parts.append(f"({self.t(unit)})")
        return " ".join(parts)

    def question(self, q: Any) -> None:
        common = self.common(q)
        note = self.field_note(q.hint)
        self._fields(q, common, note)

    @singledispatchmethod
    def _fields(self, q: Any, common: dict[str, str], note: str) -> None:
        """Add the dictionary rows of one question, given its common cells and field note."""
        raise TypeError(f"unsupported question type {q.type!r}")  # pragma: no cover

    @_fields.register(LikertQuestion)
    def _(self, q: LikertQuestion, common: dict[str, str], note: str) -> None:
        self.add(q.name, "radio", self.t(q.label), **common, **{
            "Choices, Calculations, OR Slider Labels": self.likert_choices(q),
            "Field Note": note, "Custom Alignment": "LH"})

    @_fields.register(LikertGridQuestion)
    def _(self, q: LikertGridQuestion, common: dict[str, str], note: str) -> None:
        choices = self.likert_choices(q)
        header = self.t(q.label) + (f"<br><i>{note}</i>" if note else "")
        for i, item in enumerate(q.items):
            row = self.add(item.name, "radio", self.t(item.label), **common, **{
                "Choices, Calculations, OR Slider Labels": choices,
                "Matrix Group Name": q.name,
                "Section Header": header if i == 0 else ""})
            if i == 0 and ("grid", q.name) in self.randomized:
                self.annotate(row, f"Randomised rows in the spec: show the rows of matrix "
                                   f"'{q.name}' in random order (REDCap keeps the order "
                                   "given here).")

    def randomized_options(self, q: SingleChoiceQuestion | MultipleChoiceQuestion,
                           row: dict[str, str]) -> None:
        """REDCap cannot shuffle options: say so in the annotation, and warn."""
        if not q.randomize:
            return
        self.annotate(row, "Randomised options in the spec (anchored ones last); REDCap "
                           "shows them in the order given here.")
        warnings.warn(ExportWarning(f"REDCap: the options of {q.name!r} keep the spec order "
                                    "(REDCap cannot shuffle options)"), stacklevel=2)

    @_fields.register(SingleChoiceQuestion)
    def _(self, q: SingleChoiceQuestion, common: dict[str, str], note: str) -> None:
        row = self.add(q.name, "radio", self.t(q.label), **common, **{
            "Choices, Calculations, OR Slider Labels": self.option_choices(q.choices),
            "Field Note": note})
        self.randomized_options(q, row)
        self.other_text(q)

    @_fields.register(MultipleChoiceQuestion)
    def _(self, q: MultipleChoiceQuestion, common: dict[str, str], note: str) -> None:
        annotation = []
        if q.max_selected is not None:
            annotation.append(f"@MAXCHECKED={q.max_selected}")
        if q.min_selected is not None:
            annotation.append(f"Select at least {q.min_selected} (min_selected in the "
                              "spec; REDCap cannot enforce it).")
        none = exclusive_choice(q)
        if none is not None:  # REDCap unticks the others (and asks) when it is ticked
            annotation.append(f"@NONEOFTHEABOVE='{none.value}'")
        row = self.add(q.name, "checkbox", self.t(q.label), **common, **{
            "Choices, Calculations, OR Slider Labels": self.option_choices(q.choices),
            "Field Note": note, "Field Annotation": " ".join(annotation)})
        self.randomized_options(q, row)
        self.other_text(q)

    @_fields.register(NumericQuestion)
    def _(self, q: NumericQuestion, common: dict[str, str], note: str) -> None:
        self.add(q.name, "text", self.t(q.label), **common, **{
            "Field Note": self.field_note(q.hint, q.unit),
            "Text Validation Type OR Show Slider Number":
                "integer" if q.integer else "number",
            "Text Validation Min": format_number(q.min) if q.min is not None else "",
            "Text Validation Max": format_number(q.max) if q.max is not None else ""})

    @_fields.register(TextQuestion)
    def _(self, q: TextQuestion, common: dict[str, str], note: str) -> None:
        self.add(q.name, "notes" if q.multiline else "text", self.t(q.label), **common, **{
            "Field Note": note,
            "Field Annotation": f"@CHARLIMIT={q.max_length}" if q.max_length else ""})

    @_fields.register(RankingQuestion)
    def _(self, q: RankingQuestion, common: dict[str, str], note: str) -> None:
        n = len(q.choices)
        ranks = self.choices((str(r), str(r)) for r in range(1, n + 1))
        header = self.t(q.label) + (f"<br><i>{note}</i>" if note else "")
        fields = redcap_rank_fields(q.name, [c.value for c in q.choices])
        for i, (choice, name) in enumerate(zip(q.choices, fields)):
            self.add(name, "radio", self.t(choice.label),
                     **common, **{
                         "Choices, Calculations, OR Slider Labels": ranks,
                         "Matrix Group Name": q.name, "Matrix Ranking?": "y",
                         "Section Header": header if i == 0 else ""})

    @_fields.register(AttentionCheckQuestion)
    def _(self, q: AttentionCheckQuestion, common: dict[str, str], note: str) -> None:
        self.add(q.name, "radio", self.t(q.label), **common, **{
            "Choices, Calculations, OR Slider Labels": self.option_choices(q.choices),
            "Field Note": note,
            "Field Annotation": f"Attention check: the correct answer is {q.answer!r}."})
        calc = unique_name(q.name, self.taken, suffix=ATTENTION_SUFFIX)
        self.auxiliary.append(calc)
        test = ex.to_redcap(ex.Compare("=", ex.Ref(q.name), ex.Const(q.answer)))
        self.add(calc, "calc", f"{self.t(q.label)} (passed)", **{
            "Choices, Calculations, OR Slider Labels": f"if({test}, 1, 0)",
            "Branching Logic (Show field only if...)": common[
                "Branching Logic (Show field only if...)"],
            "Field Annotation": "@HIDDEN"})

    @_fields.register(NpsQuestion)
    def _(self, q: NpsQuestion, common: dict[str, str], note: str) -> None:
        ends = {0: q.low_label, 10: q.high_label}
        choices = self.choices(
            [*((str(v), f"{v} - {self.t(ends[v])}" if ends.get(v) else str(v))
               for v in range(11)), *self.dont_know_choice(q)])
        self.add(q.name, "radio", self.t(q.label), **common, **{
            "Choices, Calculations, OR Slider Labels": choices,
            "Field Note": note, "Custom Alignment": "LH"})

    @_fields.register(MaxDiffQuestion)
    def _(self, q: MaxDiffQuestion, common: dict[str, str], note: str) -> None:
        best_label, worst_label = best_worst_labels(self.survey, q, [self.lang])
        differ = differ_message([self.lang])[self.lang]
        branching = common["Branching Logic (Show field only if...)"]
        header = self.t(q.label) + (f"<br><i>{note}</i>" if note else "")
        best_columns, worst_columns = maxdiff_columns(q.name, q.sets)
        for k, items in enumerate(q.set_items(), start=1):
            title = set_titles(self.survey, q, [self.lang], k)[self.lang]
            choices = self.option_choices(items)
            best, worst = best_columns[k - 1], worst_columns[k - 1]
            self.add(best, "radio", f"{title}: {best_label[self.lang]}", **common, **{
                "Choices, Calculations, OR Slider Labels": choices,
                "Section Header": header if k == 1 else ""})
            self.add(worst, "radio", f"{title}: {worst_label[self.lang]}", **common, **{
                "Choices, Calculations, OR Slider Labels": choices,
                "Field Annotation": f"Must differ from [{best}]: REDCap cannot check one "
                                    "field against another, so the warning below shows "
                                    "when they are equal (and scoring flags it)."})
            # a warning shown while worst = best (same length as the worst field's name)
            warning = unique_name(f"{q.name}__x{k}", self.taken)
            self.auxiliary.append(warning)
            same = f"[{worst}] <> '' and [{worst}] = [{best}]"
            self.add(warning, "descriptive", f"<b>{differ}</b>", **{
                "Branching Logic (Show field only if...)":
                    f"({branching}) and {same}" if branching else same})

    @_fields.register(NoteQuestion)
    def _(self, q: NoteQuestion, common: dict[str, str], note: str) -> None:
        label = self.t(q.label) + (f"<br><i>{note}</i>" if note else "")
        self.add(q.name, "descriptive", label, **{
            "Branching Logic (Show field only if...)": common[
                "Branching Logic (Show field only if...)"]})

    def check_names(self) -> None:
        reserved = _RESERVED | {f"{self.form}_complete", f"{self.form}_timestamp"}
        for row in self.rows:
            name = row["Variable / Field Name"]
            if name in reserved:
                raise SurveyError(f"{name!r} is a field name REDCap reserves; rename it in "
                                  "the spec", field=name)
            if not _FIELD_RE.match(name) or len(name) > 100:
                raise SurveyError(f"{name!r} is not a valid REDCap field name", field=name)
        if not _FIELD_RE.match(self.form):
            raise SurveyError(f"survey id {self.form!r} is not a valid REDCap instrument "
                              "name", field="id")


def build_dictionary(survey: Survey, language: str | None = None) -> list[dict[str, str]]:
    """The data dictionary rows (dicts keyed by :data:`HEADER`) in ``language``.

    Parameters
    ----------
    survey : Survey
    language : str, optional
        One of the survey's languages (default: its default language).

    Raises
    ------
    SurveyError
        A field name REDCap reserves or cannot accept.
    """
    language = resolve_languages(survey, [language] if language else None)[0]
    builder = _built(survey, language)
    builder.check_names()
    return builder.rows


def _built(survey: Survey, language: str) -> _Builder:
    builder = _Builder(survey, language)
    builder.build()
    builder.auxiliary += redcap_fieldwork(builder.rows, survey, builder.branching,
                                          builder.taken)
    return builder


def auxiliary_fields(survey: Survey) -> list[str]:
    """Dictionary fields that are not codebook columns: the ``<name>_passed`` calc fields,
    the MaxDiff ``<name>__x<k>`` warnings, then the ``started_at`` time field."""
    return list(_built(survey, survey.default_language or survey.languages[0]).auxiliary)


def dictionary_csv(rows: Sequence[dict[str, str]]) -> str:
    """The CSV text of a data dictionary (header plus rows, ``\\r\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(HEADER), quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def export(survey: Survey, out_dir: Path, *, languages: Iterable[str] | None = None
           ) -> list[Path]:
    """Write one data dictionary per language, ``<out_dir>/<id>.redcap.<lang>.csv``.

    Parameters
    ----------
    survey : Survey
        A validated spec.
    out_dir : Path
        Output directory (created if missing).
    languages : iterable of str, optional
        Languages to write (default: all of the survey's).

    Returns
    -------
    list of Path
        The dictionaries written, default language first.

    Warns
    -----
    ExportWarning
        When the spec randomises a section or grid, which REDCap cannot do; the
        randomisation is recorded in the Field Annotation.
    """
    languages = resolve_languages(survey, languages)
    texts = {lang: dictionary_csv(build_dictionary(survey, lang)) for lang in languages}
    warn_randomization("REDCap", randomized_blocks(survey),
                       "in the Field Annotation of the first field of each affected "
                       "section or matrix")
    warn_fieldwork("REDCap", survey, ("redirects", "quotas", "screening"))
    paths = []
    for lang, text in texts.items():
        path = Path(out_dir) / f"{survey.id}.redcap.{lang}.csv"
        write_text_atomic(path, text)
        paths.append(path)
    return paths
