"""Screening, panel redirects, quotas and interview times in the exports.

What each target can express (and the one-line :class:`ExportWarning` where it cannot):

SurveyJS
    A ``complete`` trigger ends the survey when a screening rule holds (after the page of
    the screening question) or when the respondent falls in a full quota cell;
    ``navigateToUrlOnCondition`` sends screen-outs and over-quota respondents to their
    redirect (screen-out first), ``navigateToUrl`` the completes; the panel's id is the
    survey variable ``rid`` (``redirects.respondent_id``), which the host sets from the URL
    (``survey.setVariable("rid", new URLSearchParams(location.search).get("rid"))``) and
    which survey-core pipes into the URL as given. A quota is full when the host-supplied
    variable ``completes_<cell>`` (the completes counted so far) reaches the cell's target:
    ``survey.setVariable("completes_young_women", 38)``; an unset count is never full.
    ``completedHtmlOnCondition`` shows the screen-out / quota-full message. Times, in Unix
    seconds (:data:`UNIX_TIME`), both in ``survey.data``: the calculated value ``ended_at``
    is re-evaluated at every answer (so it is the last answer's time), and a
    ``runexpression`` trigger sets the calculated value ``started_at`` when the first
    question is answered. The variables the host sets are :func:`host_variables` (the
    linter's ``knownVariables``).
XLSForm
    ``start`` and ``end`` metadata rows record the times. After a screening question a note
    (the screen-out message) is shown when its rule holds, and every later question and
    section is skipped (``relevant`` gets ``not(rule)``), so a screened-out respondent only
    submits. ODK cannot redirect to a URL, read the panel's id from a link, or count
    completes per quota cell offline: one warning says so.
REDCap
    The data dictionary has no column for survey stop actions, redirects or quotas (they are
    survey settings of the Online Designer): screening fields get the rule in their Field
    Annotation and later fields the same skip as in XLSForm (Branching Logic), and a
    ``started_at`` text field with ``@NOW @HIDDEN-SURVEY`` on the first page records the start
    (REDCap's ``<form>_timestamp`` is the completion time); one warning says what to set up
    by hand.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import expressions as ex
from ..layout import ENDED_COLUMN, STARTED_COLUMN
from ..spec import screenout_conditions
from ..spec._fieldwork import PLACEHOLDER_RE
from ._common import ExportWarning

if TYPE_CHECKING:  # pragma: no cover
    from ..spec import Survey

__all__ = ["QUOTA_VARIABLE_PREFIX", "REDCAP_START_TAGS", "SCREENOUT_SUFFIX", "UNIX_TIME",
           "fieldwork_message", "host_variables", "quota_variable", "redcap_fieldwork",
           "surveyjs_fieldwork", "warn_fieldwork", "xlsform_fieldwork"]

#: SurveyJS variable holding a cell's completes so far: ``completes_<cell>``.
QUOTA_VARIABLE_PREFIX = "completes_"
#: survey-core expression of the current time in Unix seconds (UTC whatever the browser's
#: time zone: the epoch is written with its offset).
UNIX_TIME = "dateDiff('1970-01-01T00:00:00Z', currentDate(), 'seconds')"
#: Suffix of the XLSForm note shown to a screened-out respondent.
SCREENOUT_SUFFIX = "_screenout"

_MESSAGES: dict[str, dict[str, str]] = {
    "screenout": {
        "en": "Thank you for your time. You do not qualify for this survey.",
        "es": "Gracias por su tiempo. No cumple los requisitos de esta encuesta.",
        "fr": "Merci de votre temps. Vous ne correspondez pas au profil de cette enquête.",
        "de": "Vielen Dank für Ihre Zeit. Sie gehören nicht zur Zielgruppe dieser Umfrage.",
        "it": "Grazie per il suo tempo. Non rientra nel profilo di questo sondaggio.",
        "pt": "Obrigado pelo seu tempo. Não cumpre os requisitos deste inquérito.",
    },
    "overquota": {
        "en": "Thank you for your time. We already have enough answers from people like you.",
        "es": "Gracias por su tiempo. Ya tenemos suficientes respuestas de personas como usted.",
        "fr": "Merci de votre temps. Nous avons déjà assez de réponses de profils comme le "
              "vôtre.",
        "de": "Vielen Dank für Ihre Zeit. Wir haben bereits genug Antworten von Personen wie "
              "Ihnen.",
        "it": "Grazie per il suo tempo. Abbiamo già abbastanza risposte da persone come lei.",
        "pt": "Obrigado pelo seu tempo. Já temos respostas suficientes de pessoas como si.",
    },
}


def fieldwork_message(key: str, languages: Sequence[str]) -> dict[str, str]:
    """The screen-out (``"screenout"``) or quota-full (``"overquota"``) message per language
    (English for a language without a translation)."""
    templates = _MESSAGES[key]
    return {lang: templates.get(lang.split("-")[0].lower(), templates["en"])
            for lang in languages}


def quota_variable(cell: str) -> str:
    """The SurveyJS variable the host sets to a cell's completes so far."""
    return f"{QUOTA_VARIABLE_PREFIX}{cell}"


def host_variables(survey: Survey) -> list[str]:
    """Variables the host sets for the SurveyJS export: the panel's id and each cell's
    completes count."""
    names: list[str] = []
    if survey.redirects is not None and survey.redirects.urls():
        names.append(survey.redirects.respondent_id)
    names += [quota_variable(cell.name) for quota in survey.quotas for cell in quota.cells]
    return names


def _any(rules: Sequence[str]) -> str:
    return " or ".join(f"({rule})" for rule in rules)


def _url(url: str, rid: str, placeholder: Callable[[str], str]) -> str:
    return PLACEHOLDER_RE.sub(lambda m: placeholder(rid), url)


def surveyjs_fieldwork(survey: Survey, rename: Mapping[str, str],
                       text: Callable[[Mapping[str, str]], Any],
                       first_page: Sequence[str]) -> dict[str, Any]:
    """Survey-level SurveyJS properties for screening, redirects, quotas and times.

    Parameters
    ----------
    survey : Survey
    rename : mapping
        Grid item -> its matrix path (``{grid.item}``).
    text : callable
        Turns a text per language into a SurveyJS (localisable) string.
    first_page : sequence of str
        Names of the answerable questions of the first page (answering the first of them
        stamps ``started_at``).

    Returns
    -------
    dict
        Properties to merge into the survey JSON.
    """
    def js(rule: str) -> str:
        return ex.to_surveyjs(rule, rename=rename)

    out: dict[str, Any] = {"calculatedValues": [
        {"name": ENDED_COLUMN, "expression": UNIX_TIME, "includeIntoResult": True},
        {"name": STARTED_COLUMN, "includeIntoResult": True}]}
    triggers: list[dict[str, Any]] = []
    if first_page:
        triggers.append({"type": "runexpression", "expression": f"{{{first_page[0]}}} notempty",
                         "runExpression": UNIX_TIME, "setToName": STARTED_COLUMN})
    screening = [js(rule) for _, rule in screenout_conditions(survey)]
    full = [f"({js(cell.when)}) and {{{quota_variable(cell.name)}}} >= {cell.target}"
            for quota in survey.quotas for cell in quota.cells]
    conditions: list[tuple[str, str]] = []
    if screening:
        conditions.append(("screenout", _any(screening)))
    if full:
        conditions.append(("overquota", _any(full)))
    triggers += [{"type": "complete", "expression": expression} for _, expression in conditions]
    if triggers:
        out["triggers"] = triggers
    if conditions:
        out["completedHtmlOnCondition"] = [
            {"expression": expression,
             "html": text({lang: f"<p>{message}</p>" for lang, message in
                           fieldwork_message(outcome, survey.languages).items()})}
            for outcome, expression in conditions]
    redirects = survey.redirects
    if redirects is not None:
        urls = {outcome: _url(url, redirects.respondent_id, lambda name: f"{{{name}}}")
                for outcome, url in redirects.urls().items()}
        on_condition = [{"expression": expression, "url": urls[outcome]}
                        for outcome, expression in conditions if outcome in urls]
        if on_condition:
            out["navigateToUrlOnCondition"] = on_condition
        if "complete" in urls:
            out["navigateToUrl"] = urls["complete"]
    return out


def xlsform_fieldwork(rows: list[dict[str, Any]], survey: Survey,
                      label: Callable[[Mapping[str, str]], dict[str, str]],
                      taken: set[str]) -> list[str]:
    """Add the interview times and the screening to an XLSForm survey sheet (in place).

    ``start`` and ``end`` metadata rows go first (unless a question already has the name);
    after each screening question, a note with the screen-out message shown when its rule
    holds, and ``not(rule)`` joins the ``relevant`` of every later question and section.

    Parameters
    ----------
    rows : list of dict
        The survey sheet's rows, sections as top-level groups.
    survey : Survey
    label : callable
        Text per language -> the sheet's ``label::<language>`` cells.
    taken : set of str
        Names in use; the notes' names are claimed in it.

    Returns
    -------
    list of str
        The notes' names, then the metadata rows' (auxiliary fields, never answers).
    """
    from ._common import unique_name

    notes: list[str] = []
    for name, rule in screenout_conditions(survey):
        end = _question_end(rows, name)
        note = unique_name(name, taken, suffix=SCREENOUT_SUFFIX)
        notes.append(note)
        condition = ex.to_xlsform(rule)
        rows.insert(end + 1, {"type": "note", "name": note,
                              **label(fieldwork_message("screenout", survey.languages)),
                              "relevant": condition})
        skip = f"not({condition})"
        depth, outer = 1, 1  # later questions of its section, then later sections
        for row in rows[end + 2:]:
            kind = row.get("type")
            if depth == outer and kind != "end_group":
                current = row.get("relevant")
                row["relevant"] = f"({current}) and {skip}" if current else skip
            depth += 1 if kind == "begin_group" else -1 if kind == "end_group" else 0
            outer = min(outer, depth)
    meta = [{"type": kind, "name": kind} for kind in ("start", "end") if kind not in taken]
    rows[:0] = meta
    return notes + [row["name"] for row in meta]


def _question_end(rows: Sequence[Mapping[str, Any]], name: str) -> int:
    """Index of the last row of question ``name`` (a question inside a section group)."""
    depth = 0
    for i, row in enumerate(rows):
        kind = row.get("type")
        if depth == 1 and row.get("name") == name:
            if kind != "begin_group":
                return i
            inner = 0
            for j in range(i, len(rows)):  # a grid: up to its end_group
                inner += 1 if rows[j].get("type") == "begin_group" else (
                    -1 if rows[j].get("type") == "end_group" else 0)
                if inner == 0:
                    return j
        depth += 1 if kind == "begin_group" else -1 if kind == "end_group" else 0
    raise KeyError(name)  # pragma: no cover - every screening question has a row


#: REDCap action tags of the start-time field: now, on page load; hidden on the survey.
REDCAP_START_TAGS = "@NOW @HIDDEN-SURVEY @READONLY"


def redcap_fieldwork(rows: list[dict[str, str]], survey: Survey,
                     branching: Callable[[str], str], taken: set[str]) -> list[str]:
    """Add the start time and the screening to a REDCap data dictionary (in place).

    A ``started_at`` text field (``datetime_seconds_ymd``, :data:`REDCAP_START_TAGS`) goes
    right after the record id; a screening field's Field Annotation states its rule, and
    the negated rule joins the Branching Logic of every later field.

    Parameters
    ----------
    rows : list of dict
        The dictionary rows, the record id first.
    survey : Survey
    branching : callable
        A condition in the spec's language -> REDCap branching logic.
    taken : set of str
        Field names in use.

    Returns
    -------
    list of str
        The field added (``started_at``; none when a question has the name).
    """
    holders = [_holder(survey, row["Variable / Field Name"]) for row in rows]
    for name, rule in screenout_conditions(survey):
        own = [i for i, holder in enumerate(holders) if holder == name]
        first, last = own[0], own[-1]
        rows[first]["Field Annotation"] = (
            f"{rows[first]['Field Annotation']} Screening: end the survey (Stop Action) "
            f"when {branching(rule)}".strip())
        skip = branching(f"not ({rule})")
        for row in rows[last + 1:]:
            current = row["Branching Logic (Show field only if...)"]
            row["Branching Logic (Show field only if...)"] = (
                f"({current}) and ({skip})" if current else skip)
    if STARTED_COLUMN not in taken:
        start = dict.fromkeys(rows[0], "")
        start.update({"Variable / Field Name": STARTED_COLUMN, "Form Name": rows[0]["Form Name"],
                      "Field Type": "text", "Field Label": "Started at",
                      "Text Validation Type OR Show Slider Number": "datetime_seconds_ymd",
                      "Field Annotation": REDCAP_START_TAGS})
        rows.insert(1, start)
        return [STARTED_COLUMN]
    return []


def _holder(survey: Survey, field: str) -> str | None:
    """The question a dictionary field belongs to (``None`` for a helper field); ranking
    fields are ``<question>__<option>``."""
    try:
        return survey.question_of(field.split("__")[0]).name
    except KeyError:
        return None


def warn_fieldwork(target: str, survey: Survey, cannot: Sequence[str]) -> None:
    """One :class:`ExportWarning` line: what of the spec's fieldwork ``target`` cannot do.

    Parameters
    ----------
    target : str
        Format name.
    survey : Survey
    cannot : sequence of str
        Among ``"redirects"``, ``"quotas"``, ``"screening"``: what the target cannot
        enforce; only those the spec uses are named.
    """
    used = {"redirects": survey.redirects is not None and bool(survey.redirects.urls()),
            "quotas": bool(survey.quotas),
            "screening": bool(screenout_conditions(survey))}
    missing = [what for what in cannot if used.get(what)]
    if not missing:
        return
    words = {"redirects": "panel redirects (with the respondent id from the link)",
             "quotas": "quota counts", "screening": "ending the interview at a screen-out"}
    listed = [words[w] for w in missing]
    what = listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"
    fixes = {"XLSForm": "screen-outs see a note and skip the rest; redirect and count "
                        "quotas in the panel or with `survey-builder fieldwork`",
             "REDCap": "screen-outs skip the rest through branching logic; set the stop "
                       "actions, the redirect URL (Survey Settings) and quotas by hand"}
    warnings.warn(f"{target} cannot express {what}; "
                  f"{fixes.get(target, 'see the export notes')}.", ExportWarning, stacklevel=3)
