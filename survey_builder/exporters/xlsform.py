"""XLSForm export (``<survey id>.xlsx``) for ODK Collect, ODK Central, KoboToolbox and Enketo.

The workbook has the three standard sheets: ``survey``, ``choices`` and ``settings``.
Every text column exists once per exported language, named the XLSForm way with the
language code in parentheses (``label::English (en)``, ``label::Español (es)``); the
settings ``default_language`` is the survey's default language.

Mapping of the spec
-------------------
=================== ===================================================================
spec                XLSForm
=================== ===================================================================
section             ``begin_group``/``end_group`` named after the section
``likert``          ``select_one`` (appearance ``likert``) over a choices list with codes
                    ``1..points`` and the anchors as labels; ``dont_know`` adds the
                    choice ``dontknow`` after the scale (a plain list then, so that it
                    stands apart from the points; a grid gets a "Don't know" column)
``likert_grid``     the ODK table-list pattern: a ``field-list`` group named after the
                    grid, a header ``select_one`` named ``<grid>_hdr`` with appearance
                    ``label`` (shows the anchors once as column titles, with the grid's
                    hint; never answered),
                    then one ``select_one`` per row with appearance ``list-nolabel``;
                    ``relevant`` goes on the group, ``required`` on every row
``single_choice``   ``select_one``; ``randomize`` -> ``parameters: randomize=true`` (ODK
                    shuffles anchored options too: an ``ExportWarning`` says so); an
                    ``other`` option is an ordinary choice followed by a required ``text``
                    field ``<name>__specify`` with ``relevant: selected(${name}, 'code')``
                    (pyxform's ``or_other`` is not used: its choice is an English-only
                    "Other", which pyxform warns about in a translated form)
``multiple_choice`` ``select_multiple``; ``min_selected``/``max_selected`` become a
                    ``count-selected(.)`` constraint, an ``exclusive`` option
                    ``not(selected(., 'none') and count-selected(.) > 1)``; an ``other``
                    option as for ``single_choice``
``numeric``         ``integer`` or ``decimal`` with a ``. >= min and . <= max`` constraint;
                    the unit is appended to the hint
``text``            ``text`` (appearance ``multiline`` if multiline); ``max_length`` is a
                    ``string-length(.)`` constraint
``ranking``         ``rank``
``attention_check`` ``select_one`` plus a ``calculate`` named ``<name>_passed`` that is
                    ``1`` when the correct answer was given and ``0`` otherwise (a
                    constraint would stop respondents from *failing* the check)
``note``            ``note``
``nps``             ``select_one`` (appearance ``likert``) over ``0..10``, the ends
                    labelled with ``low_label``/``high_label``; ``dont_know`` as for
                    ``likert``
``maxdiff``         a group named after the question holding one ``field-list`` group per
                    set (``<name>_s<k>``), each with two ``select_one`` over the set's
                    items: ``<name>__b<k>`` (best) and ``<name>__w<k>`` (worst, with the
                    constraint ``. != ${<name>__b<k>}``)
``relevant``        :func:`survey_builder.expressions.to_xlsform`
``${name}`` piped   kept: XLSForm's own piping (a select shows the option code)
``required``        ``yes``
=================== ===================================================================

Constraint messages are generated in every exported language (see
:func:`survey_builder.exporters._common.localized_message`).

Response columns
----------------
An ODK/Kobo submission has one field per codebook column (named exactly like it, inside
the section/grid groups), plus the auxiliary fields :func:`auxiliary_fields` lists (grid
header rows, which stay empty, and attention-check ``_passed`` calculations) and ODK's
own ``meta/instanceID``. Auxiliary names get a ``_2``, ``_3`` ... suffix if the spec
already uses the plain one.

Fieldwork
---------
``start`` and ``end`` metadata rows record the interview times; after a screening
question (``terminate_if``) a note ``<name>_screenout`` shows the screen-out message when
its rule holds and every later question and section is skipped; redirects and quotas
cannot be expressed offline and are warned about (:mod:`~._fieldwork`).

Randomisation
-------------
ODK and pyxform can shuffle the *choices* of a select (``parameters: randomize=true``)
but have no way to shuffle the *questions* of a group, nor the rows of a table-list
grid (checked against pyxform 4.5: ``randomize`` is only a select parameter, groups take
no parameters). The export therefore keeps the spec order and records the randomisation
on the group itself with a custom namespaced instance attribute::

    type         name    ...  instance::dash:randomize
    begin_group  traits  ...  true

with ``namespaces: dash="urn:dash-personas:survey-builder"`` in the settings sheet. The
attribute is carried into the XForm (``<traits dash:randomize="true">``) and into every
submission, so the information survives; ODK Validate accepts it. The export also emits
an :class:`~survey_builder.exporters._common.ExportWarning` naming the affected sections
and grids.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Sequence
from functools import singledispatchmethod
from pathlib import Path
from typing import Any

from .. import expressions as ex
from ..atomic import write_bytes_atomic
from ..codebook import build_codebook, column_names, maxdiff_columns
from ..layout import DONT_KNOW_CODE, other_text_column
from ..spec import (
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
    anchored,
    dont_know_texts,
    other_choice,
    specify_prompts,
)
from ._common import (
    ExportWarning,
    format_number,
    language_display_name,
    localized_message,
    randomized_blocks,
    resolve_languages,
    unique_name,
    warn_randomization,
)
from ._exclusive import exclusive_choice, exclusive_message
from ._fieldwork import warn_fieldwork, xlsform_fieldwork
from ._maxdiff import best_worst_labels, differ_message, set_titles

__all__ = [
    "ATTENTION_SUFFIX",
    "GRID_HEADER_SUFFIX",
    "NAMESPACE",
    "RANDOMIZE_COLUMN",
    "auxiliary_fields",
    "build_workbook",
    "export",
    "workbook_bytes",
]

#: Prefix and URI of the namespace of the randomisation attribute.
NAMESPACE = ("dash", "urn:dash-personas:survey-builder")
#: Survey-sheet column recording a randomised section or grid.
RANDOMIZE_COLUMN = f"instance::{NAMESPACE[0]}:randomize"
#: Suffix of a grid's header row (a select_one shown with appearance ``label``).
GRID_HEADER_SUFFIX = "_hdr"
#: Suffix of an attention check's pass/fail calculation.
ATTENTION_SUFFIX = "_passed"
# Names the XForm reserves (pyxform's meta block).
_RESERVED = frozenset({"meta", "instanceID", "instanceName", "deprecatedID"})


class _Builder:
    """Collects the rows of the three sheets for one survey."""

    def __init__(self, survey: Survey, languages: Sequence[str]) -> None:
        self.survey = survey
        self.languages = list(languages)
        self.lang_names = {lang: language_display_name(lang) for lang in self.languages}
        self.survey_rows: list[dict[str, Any]] = []
        self.choice_rows: list[dict[str, Any]] = []
        self.lists: dict[tuple[Any, ...], str] = {}
        self.list_names: set[str] = set()
        self.taken: set[str] = set(survey.names()) | set(
            column_names(build_codebook(survey))) | set(_RESERVED)
        self.auxiliary: list[str] = []
        self.uses_randomize = False

    # ------------------------------------------------------------------ texts
    def text_columns(self, column: str, text: dict[str, str] | None) -> dict[str, str]:
        if text is None:
            return {}
        return {f"{column}::{self.lang_names[lang]}": self.survey.text(text, lang)
                for lang in self.languages}

    def message_columns(self, *messages: tuple[str, Any]) -> dict[str, str]:
        """``constraint_message`` columns joining ``(message key, n)`` texts."""
        return {f"constraint_message::{self.lang_names[lang]}":
                " ".join(localized_message(key, lang, n=n) for key, n in messages)
                for lang in self.languages}

    def range_message(self, low: str | None, high: str | None) -> dict[str, str]:
        """``constraint_message`` columns for a numeric range."""
        if low is not None and high is not None:
            key, values = "between", {"min": low, "max": high}
        elif low is not None:
            key, values = "at_least", {"min": low}
        else:
            key, values = "at_most", {"max": high}
        return {f"constraint_message::{self.lang_names[lang]}":
                localized_message(key, lang, **values) for lang in self.languages}

    def hint(self, hint: dict[str, str] | None, unit: dict[str, str] | None = None
             ) -> dict[str, str]:
        if hint is None and unit is None:
            return {}
        merged: dict[str, str] = {}
        for lang in self.languages:
            parts = [self.survey.text(hint, lang)] if hint else []
            if unit:
                parts.append(f"({self.survey.text(unit, lang)})")
            merged[lang] = " ".join(parts)
        return self.text_columns("hint", merged)

    # ------------------------------------------------------------------ choices
    def choice_list(self, base: str, options: Iterable[tuple[str, dict[str, str]]]) -> str:
        """Name of a choices list with ``options`` (value, label), shared when identical."""
        options = list(options)
        key = tuple((value, tuple(self.survey.text(label, lang) for lang in self.languages))
                    for value, label in options)
        if key in self.lists:
            return self.lists[key]
        name = unique_name(base, self.list_names)
        self.lists[key] = name
        for value, label in options:
            self.choice_rows.append({"list_name": name, "name": value,
                                     **self.text_columns("label", label)})
        return name

    def likert_list(self, question: LikertQuestion | LikertGridQuestion) -> str:
        return self.choice_list(f"{question.name}_scale",
                                [*((str(i + 1), anchor) for i, anchor in
                                   enumerate(question.anchors)),
                                 *self.dont_know_option(question)])

    def dont_know_option(self, question: LikertQuestion | LikertGridQuestion | NpsQuestion
                         ) -> list[tuple[str, dict[str, str]]]:
        """The ``dontknow`` choice after the scale, when the question offers it."""
        if not question.dont_know:
            return []
        return [(DONT_KNOW_CODE, dont_know_texts(question, self.languages))]

    def other_text(self, q: SingleChoiceQuestion | MultipleChoiceQuestion) -> None:
        """The text field of an "Other (specify)" option, shown (and required) only while
        the option is chosen."""
        choice = other_choice(q)
        if choice is None:
            return
        prompt = specify_prompts(self.languages)
        label = {lang: f"{self.survey.text(choice.label, lang)}: {prompt[lang]}"
                 for lang in self.languages}
        chosen = ex.to_xlsform(ex.Call("selected", (ex.Ref(q.name), ex.Const(choice.value))))
        self.add(type="text", name=other_text_column(q.name),
                 **self.text_columns("label", label), required="yes", relevant=chosen)

    def options_list(self, name: str, choices: Sequence[Choice]) -> str:
        return self.choice_list(f"{name}_opts",
                                ((str(c.value), c.label) for c in choices))

    # ------------------------------------------------------------------ rows
    def add(self, **row: Any) -> dict[str, Any]:
        clean = {key: value for key, value in row.items() if value not in (None, "", {})}
        self.survey_rows.append(clean)
        return clean

    def common(self, question: Any) -> dict[str, Any]:
        row: dict[str, Any] = {"name": question.name,
                               **self.text_columns("label", question.label),
                               **self.hint(question.hint)}
        if question.relevant:
            row["relevant"] = ex.to_xlsform(question.relevant)
        if getattr(question, "required", False):
            row["required"] = "yes"
        return row

    def build(self) -> None:
        for section in self.survey.sections:
            name = section.name if section.name not in self.taken else unique_name(
                section.name, self.taken, suffix="_section")
            self.taken.add(name)
            group = self.add(type="begin_group", name=name,
                             **self.text_columns("label", section.title))
            if section.randomize:
                group[RANDOMIZE_COLUMN] = "true"
                self.uses_randomize = True
            for question in section.questions:
                self.question(question)
            self.add(type="end_group")

    @singledispatchmethod
    def question(self, q: Any) -> None:
        """Add the survey-sheet rows of one question (one handler per question type)."""
        raise TypeError(f"unsupported question type {q.type!r}")  # pragma: no cover

    @question.register(LikertQuestion)
    def _(self, q: LikertQuestion) -> None:
        self.add(type=f"select_one {self.likert_list(q)}",
                 appearance=None if q.dont_know else "likert", **self.common(q))

    def randomize_parameter(self, q: SingleChoiceQuestion | MultipleChoiceQuestion
                            ) -> dict[str, str]:
        """``parameters: randomize=true`` for shuffled options (ODK shuffles all of them:
        anchored options too, with a warning)."""
        if not q.randomize:
            return {}
        kept = [c.value for c in q.choices if anchored(c)]
        if kept:
            warnings.warn(ExportWarning(
                f"XLSForm: ODK shuffles every option of {q.name!r}, the anchored "
                f"{', '.join(map(repr, kept))} too (it has no anchoring)"), stacklevel=2)
        return {"parameters": "randomize=true"}

    @question.register(SingleChoiceQuestion)
    def _(self, q: SingleChoiceQuestion) -> None:
        self.add(type=f"select_one {self.options_list(q.name, q.choices)}",
                 **self.common(q), **self.randomize_parameter(q))
        self.other_text(q)

    @question.register(MultipleChoiceQuestion)
    def _(self, q: MultipleChoiceQuestion) -> None:
        row = self.common(q)
        parts: list[str] = []
        messages: list[tuple[str, int]] = []
        if q.min_selected is not None:
            parts.append(f"count-selected(.) >= {q.min_selected}")
            messages.append(("min_selected", q.min_selected))
        if q.max_selected is not None:
            parts.append(f"count-selected(.) <= {q.max_selected}")
            messages.append(("max_selected", q.max_selected))
        if parts:
            row["constraint"] = " and ".join(parts)
            row.update(self.message_columns(*messages))
        none = exclusive_choice(q)
        if none is not None:
            alone = f"not(selected(., '{none.value}') and count-selected(.) > 1)"
            row["constraint"] = " and ".join(p for p in (row.get("constraint"), alone) if p)
            for lang in self.languages:
                key = f"constraint_message::{self.lang_names[lang]}"
                text = exclusive_message(lang, self.survey.text(none.label, lang))
                row[key] = f"{row[key]} {text}" if key in row else text
        row.update(self.randomize_parameter(q))
        self.add(type=f"select_multiple {self.options_list(q.name, q.choices)}", **row)
        self.other_text(q)

    @question.register(TextQuestion)
    def _(self, q: TextQuestion) -> None:
        row = self.common(q)
        if q.multiline:
            row["appearance"] = "multiline"
        if q.max_length is not None:
            row["constraint"] = f"string-length(.) <= {q.max_length}"
            row.update(self.message_columns(("max_length", q.max_length)))
        self.add(type="text", **row)

    @question.register(RankingQuestion)
    def _(self, q: RankingQuestion) -> None:
        self.add(type=f"rank {self.options_list(q.name, q.choices)}", **self.common(q))

    @question.register(AttentionCheckQuestion)
    def _(self, q: AttentionCheckQuestion) -> None:
        self.add(type=f"select_one {self.options_list(q.name, q.choices)}",
                 **self.common(q))
        calc = unique_name(q.name, self.taken, suffix=ATTENTION_SUFFIX)
        self.auxiliary.append(calc)
        answer = ex.to_xlsform(ex.Compare("=", ex.Ref(q.name), ex.Const(q.answer)))
        row = {"type": "calculate", "name": calc, "calculation": f"if({answer}, 1, 0)"}
        if q.relevant:
            row["relevant"] = ex.to_xlsform(q.relevant)
        self.add(**row)

    @question.register(NoteQuestion)
    def _(self, q: NoteQuestion) -> None:
        self.add(type="note", **self.common(q))

    @question.register(LikertGridQuestion)
    def grid(self, q: LikertGridQuestion) -> None:
        list_name = self.likert_list(q)
        group: dict[str, Any] = {"type": "begin_group", "name": q.name,
                                 "appearance": "field-list",
                                 **self.text_columns("label", q.label)}
        if q.relevant:
            group["relevant"] = ex.to_xlsform(q.relevant)
        if q.randomize:
            group[RANDOMIZE_COLUMN] = "true"
            self.uses_randomize = True
        self.add(**group)
        header = unique_name(q.name, self.taken, suffix=GRID_HEADER_SUFFIX)
        self.auxiliary.append(header)
        # The header row shows the anchors once, as column titles, with the grid's hint.
        self.add(type=f"select_one {list_name}", name=header, appearance="label",
                 **self.hint(q.hint))
        for item in q.items:
            self.add(type=f"select_one {list_name}", name=item.name,
                     appearance="list-nolabel", required="yes" if q.required else None,
                     **self.text_columns("label", item.label))
        self.add(type="end_group")

    @question.register(NpsQuestion)
    def _(self, q: NpsQuestion) -> None:
        ends = {0: q.low_label, 10: q.high_label}
        options = []
        for value in range(11):
            end = ends.get(value)
            label = ({lang: f"{value} - {self.survey.text(end, lang)}" for lang in self.languages}
                     if end else {lang: str(value) for lang in self.languages})
            options.append((str(value), label))
        list_name = self.choice_list(f"{q.name}_0_10", [*options, *self.dont_know_option(q)])
        self.add(type=f"select_one {list_name}", appearance=None if q.dont_know else "likert",
                 **self.common(q))

    @question.register(MaxDiffQuestion)
    def _(self, q: MaxDiffQuestion) -> None:
        best_label, worst_label = best_worst_labels(self.survey, q, self.languages)
        group: dict[str, Any] = {"type": "begin_group", "name": q.name,
                                 **self.text_columns("label", q.label),
                                 **self.hint(q.hint)}
        if q.relevant:
            group["relevant"] = ex.to_xlsform(q.relevant)
        self.add(**group)
        required = "yes" if q.required else None
        best_columns, worst_columns = maxdiff_columns(q.name, q.sets)
        for k, items in enumerate(q.set_items(), start=1):
            titles = set_titles(self.survey, q, self.languages, k)
            list_name = self.options_list(f"{q.name}_s{k}", items)
            # one screen per set: its best and worst question side by side
            self.add(type="begin_group", name=unique_name(q.name, self.taken, suffix=f"_s{k}"),
                     appearance="field-list", **self.text_columns("label", titles))
            self.add(type=f"select_one {list_name}", name=best_columns[k - 1],
                     required=required, **self.text_columns("label", best_label))
            self.add(type=f"select_one {list_name}", name=worst_columns[k - 1],
                     required=required, constraint=f". != ${{{best_columns[k - 1]}}}",
                     **self.text_columns("label", worst_label),
                     **self.text_columns("constraint_message",
                                         differ_message(self.languages)))
            self.add(type="end_group")
        self.add(type="end_group")

    @question.register(NumericQuestion)
    def numeric(self, q: NumericQuestion) -> None:
        row = self.common(q)
        row.update(self.hint(q.hint, q.unit))
        parts: list[str] = []
        low = format_number(q.min) if q.min is not None else None
        high = format_number(q.max) if q.max is not None else None
        if low is not None:
            parts.append(f". >= {low}")
        if high is not None:
            parts.append(f". <= {high}")
        if parts:
            row["constraint"] = " and ".join(parts)
            row.update(self.range_message(low, high))
        self.add(type="integer" if q.integer else "decimal", **row)

    def settings(self) -> dict[str, str]:
        primary = self.languages[0]
        row = {
            "form_title": self.survey.text(self.survey.title, primary),
            "form_id": self.survey.id,
            "version": self.survey.version,
            "default_language": self.lang_names[primary],
        }
        if self.uses_randomize:
            row["namespaces"] = f'{NAMESPACE[0]}="{NAMESPACE[1]}"'
        return row


def _columns(rows: Sequence[dict[str, Any]], first: Sequence[str]) -> list[str]:
    """Columns used by ``rows``: ``first`` in that order (type and name always), then others."""
    present = {key for row in rows for key in row}
    ordered = [key for key in first if key in present or key in ("type", "name")]
    extra = dict.fromkeys(key for row in rows for key in row if key not in ordered)
    return ordered + list(extra)


def _build(survey: Survey, languages: Iterable[str] | None) -> _Builder:
    builder = _Builder(survey, resolve_languages(survey, languages))
    builder.build()
    builder.auxiliary += xlsform_fieldwork(builder.survey_rows, survey,
                                           lambda text: builder.text_columns("label", text),
                                           builder.taken)
    return builder


def _sheets(builder: _Builder) -> dict[str, list[dict[str, Any]]]:
    return {"survey": builder.survey_rows, "choices": builder.choice_rows,
            "settings": [builder.settings()]}


def _header_order(builder: _Builder) -> dict[str, list[str]]:
    names = [builder.lang_names[lang] for lang in builder.languages]
    survey_first = ["type", "name", *(f"label::{n}" for n in names),
                    *(f"hint::{n}" for n in names), "required", "relevant", "appearance",
                    "constraint", *(f"constraint_message::{n}" for n in names),
                    "calculation", RANDOMIZE_COLUMN]
    return {
        "survey": _columns(builder.survey_rows, survey_first),
        "choices": ["list_name", "name", *(f"label::{n}" for n in names)],
        "settings": list(builder.settings()),
    }


def build_workbook(survey: Survey, languages: Iterable[str] | None = None
                   ) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """The sheets of the XLSForm as lists of row dicts, and the auxiliary field names.

    Parameters
    ----------
    survey : Survey
    languages : iterable of str, optional
        Languages to include (default: all of the survey's).

    Returns
    -------
    sheets : dict
        ``{"survey": [...], "choices": [...], "settings": [...]}``; each row maps a
        column header to a cell value (the workbook :func:`export` writes, as data).
    auxiliary : list of str
        Fields that are not codebook columns (see :func:`auxiliary_fields`).
    """
    builder = _build(survey, languages)
    return _sheets(builder), list(builder.auxiliary)


def auxiliary_fields(survey: Survey) -> list[str]:
    """Fields of the XLSForm that are not codebook columns.

    Grid header rows (``<grid>_hdr``, always empty) and attention-check calculations
    (``<name>_passed``) in form order, then the screen-out notes (``<name>_screenout``)
    and the ``start``/``end`` metadata. An importer of ODK/Kobo submissions drops these
    (and ODK's ``meta`` fields) before matching the codebook, keeping ``start``/``end`` as
    the interview times.
    """
    return list(_build(survey, None).auxiliary)


def _workbook_bytes(sheets: dict[str, list[dict[str, Any]]], header_order: dict[str, list[str]]
                    ) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        columns = header_order[title]
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append([row.get(column) for column in columns])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text such as "=5 stars", not a formula
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            width = max([len(str(column))] + [len(str(row.get(column) or ""))
                                              for row in rows[:200]])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
                max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_bytes(sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    """The ``.xlsx`` bytes of XLSForm sheets as :func:`build_workbook` returns them.

    For callers that add rows (e.g. ``calculate`` fields) before writing; columns are in
    first-use order after ``type``/``name`` (``list_name``/``name`` on the choices sheet).
    """
    first = {"survey": ["type", "name"], "choices": ["list_name", "name"]}
    order = {title: _columns(rows, first.get(title, list(rows[0]) if rows else []))
             for title, rows in sheets.items()}
    return _workbook_bytes(sheets, order)


def export(survey: Survey, out_dir: Path, *, languages: Iterable[str] | None = None
           ) -> list[Path]:
    """Write ``<out_dir>/<survey id>.xlsx``.

    Parameters
    ----------
    survey : Survey
        A validated spec.
    out_dir : Path
        Output directory (created if missing).
    languages : iterable of str, optional
        Languages to include; the default language (or the first given) is the form's
        ``default_language``.

    Returns
    -------
    list of Path
        The one workbook written.

    Warns
    -----
    ExportWarning
        When the spec randomises question order in a section or rows in a grid, which
        XLSForm cannot do; the randomisation is recorded in the ``instance::dash:randomize``
        column (see the module docstring).
    """
    builder = _build(survey, languages)
    warn_randomization("XLSForm", randomized_blocks(survey),
                       f"in the {RANDOMIZE_COLUMN!r} column (kept in the XForm and in every "
                       "submission)")
    warn_fieldwork("XLSForm", survey, ("redirects", "quotas"))
    path = Path(out_dir) / f"{survey.id}.xlsx"
    write_bytes_atomic(path, _workbook_bytes(_sheets(builder), _header_order(builder)))
    return [path]
