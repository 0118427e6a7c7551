"""SurveyJS export (``<survey id>.surveyjs.json``): a survey JSON for ``survey-core``.

Load it with ``new Model(json)`` in any SurveyJS Form Library front end (React, Angular,
Vue, jQuery/vanilla ``survey-js-ui``). The JSON passes ``survey-core``'s own linter
(``require("survey-core/linter").lintSurvey``) with every rule raised to an error; the
test suite checks this with ``tests/js/lint-surveyjs.cjs``.

Mapping of the spec
-------------------
=================== ===================================================================
spec                SurveyJS
=================== ===================================================================
section             a page (``name``, ``title``); ``randomize: true`` ->
                    ``"questionsOrder": "random"``
``likert``          ``rating`` with ``rateValues`` ``1..points`` labelled by the anchors;
                    with ``dont_know`` a ``radiogroup`` of the anchors in one row
                    (``colCount: 0``) with survey-core's built-in "Don't know" item
                    (``showDontKnowItem``, value ``dontknow``), as ``rating`` has none
``likert_grid``     ``matrix``: ``columns`` are the anchors (values ``1..points``),
                    ``rows`` the items (values = item names); ``required`` ->
                    ``isRequired`` + ``isAllRowRequired``; ``randomize`` ->
                    ``"rowsOrder": "random"``; ``dont_know`` adds a last column
                    ``dontknow``
``single_choice``   ``radiogroup``; ``randomize`` -> ``"choicesOrder": "random"``, an
                    anchored option coded ``none`` / ``dontknow`` / ``refused`` ->
                    survey-core's built-in item (kept last); other anchored options are
                    shuffled too, with an ``ExportWarning``; the ``other`` option ->
                    ``showOtherItem`` with its label as ``otherText`` (survey-core then
                    asks for the text and stores it under ``<name>-Comment``, the answer
                    being ``other``)
``multiple_choice`` ``checkbox`` with ``minSelectedChoices`` / ``maxSelectedChoices``;
                    an ``exclusive`` option ("None of these") has ``isExclusive``; the
                    ``other`` option as for ``single_choice``
``numeric``         ``text`` with ``inputType: "number"``, ``min``/``max`` and ``step: 1``
                    for integers; the unit is appended to the description
``text``            ``text`` (``comment`` when multiline) with ``maxLength``
``ranking``         ``ranking``
``attention_check`` ``radiogroup`` with ``correctAnswer`` (SurveyJS's quiz property)
``note``            ``html`` (the label, HTML-escaped, as a paragraph)
``nps``             ``rating`` from ``rateMin`` 0 to ``rateMax`` 10, ``low_label`` /
                    ``high_label`` as ``minRateDescription`` / ``maxRateDescription``;
                    with ``dont_know`` a one-row ``radiogroup`` 0..10 (the ends labelled)
                    with the built-in "Don't know" item, as for ``likert``
``maxdiff``         a ``panel`` named after the question with two ``radiogroup`` per set,
                    ``<name>__b<k>`` (best) and ``<name>__w<k>`` (worst, side by side,
                    with an ``expression`` validator ``{<name>__w<k>} != {<name>__b<k>}``);
                    survey-core's free package has no MaxDiff type
``hint``            ``description``
``relevant``        ``visibleIf`` via :func:`survey_builder.expressions.to_surveyjs`; grid
                    items are addressed as ``{grid.item}``
``required``        ``isRequired``
``${name}`` piped   ``{name}`` in the text (survey-core shows the answer's text)
=================== ===================================================================

``questionsOrder``, ``rowsOrder`` and ``isAllRowRequired`` are the property names every
SurveyJS version understands (survey-core 2+ also calls them ``questionOrder``,
``rowOrder`` and ``eachRowRequired``).

Languages
---------
With one language every text is a plain string. With several, texts are SurveyJS
localisable strings. SurveyJS stores its own default locale (``en``) under the
``"default"`` key, so ``"default"`` holds the English text when English is exported
(otherwise the primary language's), every other language has its own key, and the
survey's ``locale`` is set to the primary language when that is not English::

    "title": {"default": "Your age", "es": "Su edad"}

A front end serving a non-English locale loads SurveyJS's UI translations (the buttons
and built-in messages), e.g. ``import "survey-core/i18n/spanish"`` or
``"survey-core/survey.i18n"`` for all; without them survey-core only knows ``en`` and its
linter rejects ``"locale": "es"``. Switch language at run time with ``survey.locale``.

Fieldwork
---------
Screening (``terminate_if``), panel redirects, quotas and the interview times become
``triggers``, ``navigateToUrlOnCondition``/``navigateToUrl``,
``completedHtmlOnCondition`` and the ``started_at``/``ended_at`` values, with the panel's
id and the quota counts as variables the host sets (see
:mod:`survey_builder.exporters._fieldwork`).

Result data
-----------
``survey.data`` uses the question names: a number (likert, numeric), a choice value
(single choice, attention check), an array of values (multiple choice; ranking, first =
rank 1), a string (text), for a grid an object ``{item name: 1..points}``, and for a
MaxDiff question one item value per ``<name>__b<k>`` / ``<name>__w<k>`` key; plus
``started_at`` and ``ended_at`` (ISO 8601, UTC).
"""

from __future__ import annotations

import html
import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import singledispatchmethod
from pathlib import Path
from typing import Any

from .. import expressions as ex
from ..atomic import write_text_atomic
from ..codebook import maxdiff_columns
from ..layout import DONT_KNOW_CODE
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
    pipe,
    specify_prompts,
)
from ._common import ExportWarning, resolve_languages, unique_name
from ._fieldwork import host_variables, surveyjs_fieldwork
from ._maxdiff import best_worst_labels, differ_message, set_titles

__all__ = ["build_surveyjs", "export", "host_variables"]

_SURVEYJS_DEFAULT_LOCALE = "en"
#: survey-core's built-in items (values fixed by its settings), shown after shuffled
#: choices: option code -> (the property showing it, the property holding its text).
_BUILT_IN_ITEMS = {"none": ("showNoneItem", "noneText"),
                   "dontknow": ("showDontKnowItem", "dontKnowText"),
                   "refused": ("showRefuseItem", "refuseText")}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


class _Builder:
    def __init__(self, survey: Survey, languages: Sequence[str]) -> None:
        self.survey = survey
        self.languages = list(languages)
        self.primary = self.languages[0]
        # Grid rows are addressed through their matrix: {grid.item}.
        self.paths: dict[str, str] = {}
        for question in survey.iter_questions():
            if question.is_grid:
                for item in question.items:
                    self.paths[item.name] = f"{question.name}.{item.name}"
        self.taken: set[str] = set(survey.names())
        self.piped = set(self.taken)

    def piped_reference(self, name: str) -> str:
        """SurveyJS's piping of an answer into a text: ``{name}`` (``{grid.item}``)."""
        return f"{{{self.paths.get(name, name)}}}"

    def loc(self, text: Mapping[str, str] | None) -> str | dict[str, str]:
        """A SurveyJS string: plain with one language, localisable with several."""
        values = {lang: pipe(self.survey.text(text, lang), self.piped_reference, self.piped)
                  for lang in self.languages}
        if len(self.languages) == 1:
            return values[self.primary]
        default_lang = (_SURVEYJS_DEFAULT_LOCALE if _SURVEYJS_DEFAULT_LOCALE in values
                        else self.primary)
        out = {"default": values[default_lang]}
        out.update({lang: value for lang, value in values.items()
                    if lang != _SURVEYJS_DEFAULT_LOCALE})
        return out

    def description(self, hint: Mapping[str, str] | None,
                    unit: Mapping[str, str] | None = None) -> dict[str, Any]:
        if not hint and not unit:
            return {}
        merged = {}
        for lang in self.languages:
            parts = [self.survey.text(hint, lang)] if hint else []
            if unit:
                parts.append(f"({self.survey.text(unit, lang)})")
            merged[lang] = " ".join(parts)
        return {"description": self.loc(merged)}

    def choices(self, choices: Sequence[Choice]) -> list[dict[str, Any]]:
        return [{"value": c.value, "text": self.loc(c.label)}
                | ({"isExclusive": True} if c.exclusive else {}) for c in choices]

    def common(self, q: Any, type_: str) -> dict[str, Any]:
        element: dict[str, Any] = {"type": type_, "name": q.name, "title": self.loc(q.label)}
        element.update(self.description(q.hint))
        if q.relevant:
            element["visibleIf"] = ex.to_surveyjs(q.relevant, rename=self.paths)
        if q.required:
            element["isRequired"] = True
        return element

    @singledispatchmethod
    def element(self, q: Any) -> dict[str, Any]:
        """The SurveyJS element of one question (one handler per question type)."""
        raise TypeError(f"unsupported question type {q.type!r}")  # pragma: no cover

    def dont_know_radiogroup(self, q: LikertQuestion | NpsQuestion,
                             choices: list[dict[str, Any]]) -> dict[str, Any]:
        """A rating with "Don't know": the points in one row, then survey-core's built-in
        "Don't know" item (``rating`` has none)."""
        element = self.common(q, "radiogroup")
        element.update({"choices": choices, "colCount": 0, "showDontKnowItem": True,
                        "dontKnowText": self.loc(dont_know_texts(q, self.languages))})
        return element

    @element.register(LikertQuestion)
    def _(self, q: LikertQuestion) -> dict[str, Any]:
        points = [{"value": i + 1, "text": self.loc(anchor)}
                  for i, anchor in enumerate(q.anchors)]
        if q.dont_know:
            return self.dont_know_radiogroup(q, points)
        element = self.common(q, "rating")
        element["rateValues"] = points
        return element

    @element.register(LikertGridQuestion)
    def _(self, q: LikertGridQuestion) -> dict[str, Any]:
        element = self.common(q, "matrix")
        element["columns"] = [{"value": i + 1, "text": self.loc(anchor)}
                              for i, anchor in enumerate(q.anchors)]
        if q.dont_know:
            element["columns"].append({"value": DONT_KNOW_CODE, "text": self.loc(
                dont_know_texts(q, self.languages))})
        element["rows"] = [{"value": item.name, "text": self.loc(item.label)}
                           for item in q.items]
        if q.required:
            element["isAllRowRequired"] = True
        if q.randomize:
            element["rowsOrder"] = "random"
        return element

    def shuffled_choices(self, q: SingleChoiceQuestion | MultipleChoiceQuestion,
                         element: dict[str, Any]) -> None:
        """``choices`` of a question, shuffled by survey-core when the spec says so.

        survey-core keeps only its built-in items in place (after the shuffled choices):
        an anchored option coded ``none``, ``dontknow`` or ``refused`` becomes that item;
        any other anchored option is shuffled with the rest, with a warning.
        """
        choices = list(q.choices)
        other = other_choice(q)
        if other is not None:  # survey-core's own item: shown last, with its text box
            choices.remove(other)
            element["showOtherItem"] = True
            element["otherText"] = self.loc(other.label)
            element["otherPlaceholder"] = self.loc(specify_prompts(self.languages))
        if q.randomize:
            element["choicesOrder"] = "random"
            for choice in [c for c in choices if anchored(c)]:  # the other one is out
                special = _BUILT_IN_ITEMS.get(choice.value)
                if special is None:
                    warnings.warn(ExportWarning(
                        f"SurveyJS: option {choice.value!r} of {q.name!r} is shuffled with "
                        "the others (survey-core keeps only its none/dontknow/refused items "
                        "in place; code the option so to anchor it)"), stacklevel=2)
                    continue
                flag, text = special
                element[flag] = True
                element[text] = self.loc(choice.label)
                choices.remove(choice)
        element["choices"] = self.choices(choices)

    @element.register(SingleChoiceQuestion)
    @element.register(AttentionCheckQuestion)
    def _(self, q: SingleChoiceQuestion | AttentionCheckQuestion) -> dict[str, Any]:
        element = self.common(q, "radiogroup")
        if q.type == "attention_check":
            element["choices"] = self.choices(q.choices)
            element["correctAnswer"] = q.answer
        else:
            self.shuffled_choices(q, element)
        return element

    @element.register(MultipleChoiceQuestion)
    def _(self, q: MultipleChoiceQuestion) -> dict[str, Any]:
        element = self.common(q, "checkbox")
        self.shuffled_choices(q, element)
        if q.min_selected is not None:
            element["minSelectedChoices"] = q.min_selected
        if q.max_selected is not None:
            element["maxSelectedChoices"] = q.max_selected
        return element

    @element.register(NumericQuestion)
    def _(self, q: NumericQuestion) -> dict[str, Any]:
        element = self.common(q, "text")
        element.update(self.description(q.hint, q.unit))
        element["inputType"] = "number"
        if q.min is not None:
            element["min"] = _number(q.min)
        if q.max is not None:
            element["max"] = _number(q.max)
        if q.integer:
            element["step"] = 1
        return element

    @element.register(TextQuestion)
    def _(self, q: TextQuestion) -> dict[str, Any]:
        element = self.common(q, "comment" if q.multiline else "text")
        if q.max_length is not None:
            element["maxLength"] = q.max_length
        return element

    @element.register(RankingQuestion)
    def _(self, q: RankingQuestion) -> dict[str, Any]:
        element = self.common(q, "ranking")
        element["choices"] = self.choices(q.choices)
        return element

    @element.register(NpsQuestion)
    def _(self, q: NpsQuestion) -> dict[str, Any]:
        if q.dont_know:
            ends = {0: q.low_label, 10: q.high_label}
            return self.dont_know_radiogroup(q, [
                {"value": value, "text": self.loc({
                    lang: f"{value} - {self.survey.text(ends[value], lang)}"
                    if ends.get(value) else str(value) for lang in self.languages})}
                for value in range(11)])
        element = self.common(q, "rating")
        element.update({"rateMin": 0, "rateMax": 10, "rateStep": 1})
        if q.low_label:
            element["minRateDescription"] = self.loc(q.low_label)
        if q.high_label:
            element["maxRateDescription"] = self.loc(q.high_label)
        return element

    @element.register(MaxDiffQuestion)
    def _(self, q: MaxDiffQuestion) -> dict[str, Any]:
        best_label, worst_label = best_worst_labels(self.survey, q, self.languages)
        best_columns, worst_columns = maxdiff_columns(q.name, q.sets)
        elements = []
        for k, items in enumerate(q.set_items(), start=1):
            titles = set_titles(self.survey, q, self.languages, k)
            best, worst = best_columns[k - 1], worst_columns[k - 1]
            for name, heading in ((best, best_label), (worst, worst_label)):
                element: dict[str, Any] = {
                    "type": "radiogroup", "name": name,
                    "title": self.loc({lang: f"{titles[lang]}: {heading[lang]}"
                                       for lang in self.languages}),
                    "choices": self.choices(items)}
                if name == worst:  # beside the best
                    element["startWithNewLine"] = False
                if q.required:
                    element["isRequired"] = True
                elements.append(element)
            elements[-1]["validators"] = [{
                "type": "expression", "expression": f"{{{worst}}} != {{{best}}}",
                "text": self.loc(differ_message(self.languages))}]
        panel: dict[str, Any] = {"type": "panel", "name": q.name,
                                 "title": self.loc(q.label), "elements": elements}
        panel.update(self.description(q.hint))
        if q.relevant:
            panel["visibleIf"] = ex.to_surveyjs(q.relevant, rename=self.paths)
        return panel

    @element.register(NoteQuestion)
    def _(self, q: NoteQuestion) -> dict[str, Any]:
        paragraphs = {}
        for lang in self.languages:
            parts = [self.survey.text(q.label, lang)]
            if q.hint:
                parts.append(self.survey.text(q.hint, lang))
            paragraphs[lang] = "".join(f"<p>{html.escape(part)}</p>" for part in parts)
        element = {"type": "html", "name": q.name, "html": self.loc(paragraphs)}
        if q.relevant:
            element["visibleIf"] = ex.to_surveyjs(q.relevant, rename=self.paths)
        return element

    def build(self) -> dict[str, Any]:
        document: dict[str, Any] = {"title": self.loc(self.survey.title)}
        if self.survey.description:
            document["description"] = self.loc(self.survey.description)
        if self.primary != _SURVEYJS_DEFAULT_LOCALE:
            document["locale"] = self.primary
        pages = []
        for section in self.survey.sections:
            name = section.name if section.name not in self.taken else unique_name(
                section.name, self.taken, suffix="_page")
            self.taken.add(name)
            page: dict[str, Any] = {"name": name, "title": self.loc(section.title)}
            if section.randomize:
                page["questionsOrder"] = "random"
            page["elements"] = [self.element(q) for q in section.questions]
            pages.append(page)
        document["pages"] = pages
        first_page = [q.name for q in self.survey.sections[0].questions if q.has_answer]
        document.update(surveyjs_fieldwork(self.survey, self.paths, self.loc, first_page))
        return document


def build_surveyjs(survey: Survey, languages: Iterable[str] | None = None) -> dict[str, Any]:
    """The SurveyJS survey JSON of ``survey`` as a dict.

    Parameters
    ----------
    survey : Survey
    languages : iterable of str, optional
        Languages to include (default: all of the survey's); the default language, or
        the first given, is the primary one.

    Returns
    -------
    dict
        JSON-serialisable survey definition.
    """
    return _Builder(survey, resolve_languages(survey, languages)).build()


def export(survey: Survey, out_dir: Path, *, languages: Iterable[str] | None = None
           ) -> list[Path]:
    """Write ``<out_dir>/<survey id>.surveyjs.json``.

    Parameters
    ----------
    survey : Survey
        A validated spec.
    out_dir : Path
        Output directory (created if missing).
    languages : iterable of str, optional
        Languages to include (default: all of the survey's).

    Returns
    -------
    list of Path
        The one JSON file written.
    """
    document = build_surveyjs(survey, languages)
    path = Path(out_dir) / f"{survey.id}.surveyjs.json"
    write_text_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return [path]
