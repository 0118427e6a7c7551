"""Exports written with labels instead of names: Kobo's "Labels" export and REDCap's
"CSV (labels)", mapped back to names (headers) and codes (space-separated selections)
through the codebook. Answer labels in one-value columns are already accepted by
:mod:`.validate`.

Headers are matched, case- and space-insensitively, in any language of the codebook:

=====================================  ===========================================
question (or grid item) label          its column (Kobo, REDCap)
``<question label>/<option label>``    Kobo's per-option column ``<q>/<code>``
``<question label> (choice=<option>)``  REDCap's checkbox column ``<q>___<code>``
``<option label>`` of a ranking         REDCap's ranking-matrix field
``<set title>/<best heading>``          Kobo's MaxDiff field ``<q>__b<k>`` (its group)
``<set title>: <best heading>``         REDCap's MaxDiff field ``<q>__b<k>``
``Record ID``, ``Complete?``            REDCap's record id and form status
``<option label>: <prompt>``            an "Other (specify)" text field
=====================================  ===========================================

(the same for the worst heading and ``<q>__w<k>``; a set title is
``<question label> (Set k of n)``, :func:`survey_builder.exporters._maxdiff.set_title`).
Kobo may prefix group labels (``Your views/How much ...``): the longest known tail is
used. Without group headers every MaxDiff field is headed by its bare heading ("Most
important", "Least important"), so those columns are taken in questionnaire order: the
k-th "Most important" is set k's best. Any other label that two columns share is left as
it is (and reported as unknown). The picks themselves are item labels, mapped back to
codes like every one-value answer (:mod:`.validate`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import Any

from ..codebook import maxdiff_columns, redcap_rank_fields
from ._csv import read_header
from ._layout import Layout

__all__ = ["codes_from_labels", "option_labels", "relabel_header"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", str(text))).strip().casefold()


def _texts(label: Any) -> list[str]:
    if isinstance(label, Mapping):
        return [str(v) for v in label.values() if v]
    return [str(label)] if label else []


def _header_map(layout: Layout) -> dict[str, str]:
    """Normalised label -> the name an export with names would have had."""
    found: dict[str, set[str]] = {}

    def add(label: Any, name: str) -> None:
        for text in _texts(label):
            found.setdefault(_norm(text), set()).add(name)

    codebook = layout.codebook
    for column in codebook["columns"]:
        if column.get("item") is not None or column["type"] in ("likert", "numeric", "text",
                                                                "other_text"):
            add(column.get("label"), column["name"])
    for question in codebook.get("questions", []):
        name, kind = question["name"], question["type"]
        choices = question.get("choices") or []
        if kind not in ("likert_grid", "note"):
            add(question.get("label"), name)
        if kind == "multiple_choice":
            for choice in choices:
                for q_text in _texts(question.get("label")):
                    for c_text in _texts(choice.get("label")):
                        add(f"{q_text}/{c_text}", f"{name}/{choice['code']}")
                        add(f"{q_text} (choice={c_text})", f"{name}___{choice['code']}")
        if kind == "ranking":
            codes = [str(c["code"]) for c in choices]
            for choice, field in zip(choices, redcap_rank_fields(name, codes)):
                add(choice.get("label"), field)
        if kind == "maxdiff":
            for header, column in _maxdiff_headers(question):
                add(header, column)
    survey_id = codebook.get("survey", {}).get("id") or "survey"
    for text in ("Record ID", "ID del registro"):
        found.setdefault(_norm(text), set()).add(layout.id_column)
    found.setdefault(_norm("Complete?"), set()).add(f"{survey_id}_complete")
    return {label: next(iter(names)) for label, names in found.items() if len(names) == 1}


def _headings(question: Mapping[str, Any]) -> list[tuple[dict[str, str], list[str]]]:
    """(heading per language, columns) of a MaxDiff question's best, then worst, columns;
    a codebook written before the headings were recorded gets the built-in ones."""
    from ..exporters._maxdiff import builtin_best_worst

    languages = list(question.get("label") or {})
    best, worst = maxdiff_columns(question["name"], len(question.get("sets") or []))
    return [(question.get(key) or {lang: builtin_best_worst(lang)[i] for lang in languages},
             columns) for i, (key, columns) in enumerate((("best_label", best),
                                                           ("worst_label", worst)))]


def _maxdiff_headers(question: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(header, column) of every MaxDiff field as label exports write it: Kobo's group path
    ``<set title>/<heading>`` and REDCap's field label ``<set title>: <heading>``."""
    from ..exporters._maxdiff import set_title

    n = len(question.get("sets") or [])
    out = []
    for headings, columns in _headings(question):
        for lang, heading in headings.items():
            label = (question.get("label") or {}).get(lang) or ""
            for k, column in enumerate(columns, start=1):
                title = set_title(label, lang, k, n)
                out += [(f"{title}/{heading}", column), (f"{title}: {heading}", column)]
    return out


def _maxdiff_sequences(layout: Layout) -> dict[str, list[str]]:
    """Normalised bare heading -> the MaxDiff columns it heads, in questionnaire order."""
    sequences: dict[str, list[str]] = {}
    for question in layout.codebook.get("questions", []):
        if question["type"] != "maxdiff":
            continue
        for headings, columns in _headings(question):
            for heading in {_norm(text) for text in headings.values() if text}:
                sequences.setdefault(heading, []).extend(columns)
    return sequences


def relabel_header(text: str, layout: Layout) -> str:
    """``text`` with a header of labels turned back into names (unchanged otherwise).

    Parameters
    ----------
    text : str
        A decoded CSV export.
    layout : Layout
        The codebook.

    Returns
    -------
    str
    """
    header, delimiter = read_header(text)
    names = set(layout.columns) | {layout.id_column}
    if not header or all(h.lower() in names for h in header):
        return text
    labels = _header_map(layout)
    sequences = _maxdiff_sequences(layout)
    renamed, changed = [], False
    for cell in header:
        new = cell
        if _norm(cell) not in labels and cell.lower() in names:
            renamed.append(cell)
            continue
        parts = cell.split("/")
        for start in range(len(parts)):  # the whole label first, then shorter tails
            tail = _norm("/".join(parts[start:]))
            if tail in labels:
                new = labels[tail]
                break
        pending = [c for c in sequences.get(_norm(parts[-1]), []) if c not in renamed]
        if new == cell and pending:  # a bare MaxDiff heading: the next set's column
            new = pending[0]
            sequences[_norm(parts[-1])].remove(new)
        changed |= new != cell
        renamed.append(new)
    if not changed:
        return text
    rest = text.partition("\n")[2]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(renamed)
    return out.getvalue() + rest


def codes_from_labels(value: str, codes: list[str], labels: Mapping[str, str]) -> list[str]:
    """Space-separated option codes, or option labels joined by spaces (labels may hold
    spaces themselves), as a list of codes; unknown text is kept as a token (and reported).

    >>> codes_from_labels("In a store Online", ["store", "online"],
    ...                   {"in a store": "store", "online": "online"})
    ['store', 'online']
    """
    tokens = value.split()
    if all(token in codes for token in tokens):
        return tokens
    rest, out = _norm(value), []
    ordered = sorted(labels, key=len, reverse=True)
    while rest:
        label = next((lab for lab in ordered if rest == lab or rest.startswith(lab + " ")),
                     None)
        if label is None:  # not labels either: the tokens as given, reported as unknown
            return tokens
        out.append(labels[label])
        rest = rest[len(label):].strip()
    return out


def option_labels(layout: Layout, question: str) -> dict[str, str]:
    """Normalised option label (every language) -> code, of one question."""
    entry = next((q for q in layout.codebook.get("questions", []) if q["name"] == question),
                 {})
    return {_norm(text): str(choice["code"]) for choice in entry.get("choices") or []
            for text in _texts(choice.get("label"))}
