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
``Record ID``, ``Complete?``            REDCap's record id and form status
``<option label>: <prompt>``            an "Other (specify)" text field
=====================================  ===========================================

Kobo may prefix group labels (``Your views/How much ...``): the longest known tail is
used. A label that two columns share is left as it is (and reported as unknown).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import Any

from ..codebook import redcap_rank_fields
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
    survey_id = codebook.get("survey", {}).get("id") or "survey"
    for text in ("Record ID", "ID del registro"):
        found.setdefault(_norm(text), set()).add(layout.id_column)
    found.setdefault(_norm("Complete?"), set()).add(f"{survey_id}_complete")
    return {label: next(iter(names)) for label, names in found.items() if len(names) == 1}


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
