"""The screener in each form format: survey-builder's export plus the compiled rule.

survey-builder builds the questions (:func:`~survey_builder.exporters.surveyjs.build_surveyjs`,
:func:`~survey_builder.exporters.xlsform.build_workbook`,
:func:`~survey_builder.exporters.redcap.build_dictionary`), so the screener asks them as the
full questionnaire does; this module appends the calculated fields of the
:class:`~._compile.ScreenerRule` in each format's own terms:

* SurveyJS: ``calculatedValues`` (``includeIntoResult``, so ``segment``, ``persona`` and the
  distances are in ``survey.data``) and ``completedHtmlOnCondition`` naming the persona;
* XLSForm: ``calculate`` rows (ODK XPath) and a note naming the persona;
* REDCap: hidden ``calc`` fields for the numbers, ``@CALCTEXT`` for ``segment`` and
  ``persona``.
"""

from __future__ import annotations

import html
from typing import Any

from survey_builder.exporters import redcap, surveyjs, xlsform
from survey_builder.spec import survey_from_dict

from . import _expr as ex
from ._compile import PERSONA_FIELD, SEGMENT_FIELD, ScreenerRule

__all__ = ["redcap_dictionary", "surveyjs_document", "xlsform_sheets"]

#: "You are most like ..." in the languages of the item bank (others get English).
_RESULT_TEXT = {"en": "Thank you. Your profile: {name}", "es": "Gracias. Su perfil: {name}"}


def _result_text(language: str, name: str) -> str:
    return _RESULT_TEXT.get(language, _RESULT_TEXT["en"]).format(name=name)


def surveyjs_document(rule: ScreenerRule) -> dict[str, Any]:
    """The SurveyJS JSON of the screener (questions, calculated values, end pages)."""
    survey = survey_from_dict(rule.spec, source="screener")
    document = surveyjs.build_surveyjs(survey)
    paths = {item: f"{grid}.{item}" for item, grid in rule.grid_of.items()}
    # after the export's own (the interview times every SurveyJS form records)
    document["calculatedValues"] = [*document.get("calculatedValues", []), *(
        {"name": name, "expression": ex.render(expr, "surveyjs", paths),
         "includeIntoResult": True}
        for name, expr in rule.calculations)]
    languages = list(survey.languages)
    pages = []
    for segment, name in enumerate(rule.persona_names):
        texts = {lang: f"<h3>{html.escape(_result_text(lang, name))}</h3>"
                 for lang in languages}
        page = texts[languages[0]] if len(languages) == 1 else {
            ("default" if lang == "en" or (lang == languages[0] and "en" not in languages)
             else lang): text for lang, text in texts.items()}
        pages.append({"expression": f"{{{SEGMENT_FIELD}}} = {segment}", "html": page})
    document["completedHtmlOnCondition"] = pages
    return document


def xlsform_sheets(rule: ScreenerRule) -> dict[str, list[dict[str, Any]]]:
    """The XLSForm sheets of the screener (questions, ``calculate`` rows, the result note)."""
    survey = survey_from_dict(rule.spec, source="screener")
    sheets, _ = xlsform.build_workbook(survey)
    rows = sheets["survey"]
    label_columns = [key for row in rows for key in row if key.startswith("label::")]
    label_columns = list(dict.fromkeys(label_columns)) or ["label"]
    for name, expr in rule.calculations:
        rows.append({"type": "calculate", "name": name,
                     "calculation": ex.render(expr, "xpath")})
    languages = {column: _language_of(column, survey.languages) for column in label_columns}
    rows.append({"type": "note", "name": f"{PERSONA_FIELD}_note",
                 "relevant": f"${{{SEGMENT_FIELD}}} != ''",
                 **{column: _result_text(lang, f"${{{PERSONA_FIELD}}}")
                    for column, lang in languages.items()}})
    return sheets


def _language_of(column: str, languages: list[str]) -> str:
    """The language code of an XLSForm label column such as ``label::Spanish (es)``."""
    for lang in languages:
        if column.endswith(f"({lang})"):
            return lang
    return languages[0]


def redcap_dictionary(rule: ScreenerRule, language: str | None = None) -> list[dict[str, str]]:
    """The REDCap data dictionary rows of the screener in one language."""
    survey = survey_from_dict(rule.spec, source="screener")
    rows = redcap.build_dictionary(survey, language)
    form = rows[0]["Form Name"]
    texts = {SEGMENT_FIELD: "Segment (computed by the screener)",
             PERSONA_FIELD: "Persona (computed by the screener)"}
    for name, expr in rule.calculations:
        row = dict.fromkeys(redcap.HEADER, "")
        row.update({"Variable / Field Name": name, "Form Name": form})
        text = ex.render(expr, "redcap")
        if name in texts:
            row.update({"Field Type": "text", "Field Label": texts[name],
                        "Field Annotation": f"@CALCTEXT({text})"})
        else:
            row.update({"Field Type": "calc", "Field Label": f"Screener: {name}",
                        "Choices, Calculations, OR Slider Labels": text,
                        "Field Annotation": "@HIDDEN"})
        rows.append(row)
    return rows
