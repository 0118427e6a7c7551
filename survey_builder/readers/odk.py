"""ODK Central and KoboToolbox CSV exports ("XML values and headers"), read and written.

Column names may carry group prefixes (``views/trust_grid/trust_1``; ODK Central joins
groups with ``-``, Kobo can use ``.``), select-multiple answers come as one space-separated
column (``channels`` = ``"store web"``) and/or one 0/1 column per option
(``channels/store``; when both are present, a blank space-separated column marks the
question unanswered whatever the option columns say, as both tools write 0 there), ``rank``
answers as space-separated values in rank order. Notes, which both tools export as empty
columns, are dropped. Form metadata (``start``, ``end``, ``today``, ``deviceid``,
``meta/instanceID``, ``KEY``, ``SubmissionDate``, ``rootUuid``, every column starting with
``_`` such as ``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``) and the
XLSForm export's auxiliary fields (``<grid>_hdr``, ``<name>_passed``) are dropped. The
respondent id is taken from ``respondent_id``, else ``_uuid``, else
``meta/instanceID``/``KEY``, else ``_id``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..codebook import maxdiff_columns
from ..errors import SurveyError
from ..layout import ID_COLUMN, other_text_column
from ..timing import SOURCE_FIELDS, format_times
from ._csv import read_csv, write_csv
from ._labels import option_labels
from ._layout import Layout, Parsed, row_ids
from ._options import expand_multi, expand_rank, split_tokens
from .validate import check_missing, check_unknown

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..spec import Survey

__all__ = ["ODK_META", "parse", "to_odk", "write"]

#: Metadata columns of ODK Central and KoboToolbox exports (never answers).
ODK_META = frozenset({
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
    "subscriberid", "audit", "email", "instanceID", "instanceName", "deprecatedID",
    "KEY", "SubmissionDate", "SubmitterID", "SubmitterName", "AttachmentsPresent",
    "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
    "__version__", "formhub", "uuid", "start-geopoint", "rootUuid",
})


#: ODK's ``start``/``end`` metadata fields -> the canonical timing columns.
_ODK_TIMES = {field: column for column, fields in SOURCE_FIELDS["odk"].items()
              for field in fields}


def _odk_numeric(layout: Layout) -> Callable[[str], bool]:
    def numeric(column: str) -> bool:
        segments = [s for s in re.split(r"[/.-]", column) if s]
        if not segments or column.startswith("_"):
            return False
        last = segments[-1]
        parent = segments[-2] if len(segments) >= 2 else None
        if parent in layout.multi and last in layout.multi[parent]:
            return True
        return last in layout.plain and layout.is_numeric(last)

    return numeric


def _has_value(column: pd.Series) -> pd.Series:
    """True where a text column holds a non-blank value."""
    return (column.notna() & column.str.strip().ne("")).astype(bool)


def parse(text: str, layout: Layout, source: str, allow_extra: bool) -> Parsed:
    """Match an ODK Central / KoboToolbox CSV export's columns to the codebook, ignoring
    group prefixes.

    Parameters
    ----------
    text : str
        The decoded file.
    layout : Layout
        The codebook.
    source : str
        File name for error messages.
    allow_extra : bool
        Drop columns the codebook does not know instead of failing.

    Returns
    -------
    Parsed
        Raw values per canonical column, for :func:`~survey_builder.readers.validate.validate`.

    Raises
    ------
    SurveyError
        Malformed file, columns missing or unknown, answers of the wrong shape.
    """
    frame, locate = read_csv(text, source, _odk_numeric(layout))
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    aggregated: dict[str, str] = {}  # multi/rank question -> source column
    split: dict[str, str] = {}  # option column -> source column
    id_candidates: dict[str, str] = {}
    unknown: list[str] = []

    def claim(target: str, column: str) -> None:
        if target in origin or target in split:
            other = origin.get(target) or split.get(target)
            raise SurveyError(f"columns {other!r} and {column!r} both hold {target!r}", source, 1)

    for column in frame.columns:
        # Kobo joins groups with "/" (or a chosen "." / "-"), ODK Central with "-"; spec
        # names and option values never contain these characters
        segments = [s for s in re.split(r"[/.-]", column) if s]
        last = segments[-1] if segments else column
        parent = segments[-2] if len(segments) >= 2 else None
        if column == layout.id_column or last == layout.id_column:
            id_candidates[ID_COLUMN] = column
        elif last in layout.plain:
            claim(last, column)
            values[last] = frame[column]
            origin[last] = column
        elif parent in layout.multi and last in layout.multi[parent]:
            target = layout.option_column(parent, last)
            claim(target, column)
            split[target] = column
        elif parent in layout.rank and last in layout.rank[parent]:
            target = layout.option_column(parent, last)
            claim(target, column)
            split[target] = column
        elif last in layout.multi or last in layout.rank:
            if last in aggregated:
                raise SurveyError(f"columns {aggregated[last]!r} and {column!r} both hold "
                                  f"{last!r}", source, 1)
            aggregated[last] = column
        elif last in layout.columns:  # canonical q__v column
            claim(last, column)
            split[last] = column
        elif column.startswith("_") or column in ODK_META or last in ODK_META or (
                segments and segments[0] in ("meta", "formhub", "__version__")):
            if last in _ODK_TIMES and segments[:-1] in ([], ["meta"]):
                values[_ODK_TIMES[last]] = frame[column]
                origin[_ODK_TIMES[last]] = column
            elif column == "_uuid" or last == "_uuid":
                id_candidates["_uuid"] = column
            elif last in ("instanceID", "KEY"):
                id_candidates.setdefault("instanceID", column)
            elif column == "_id":
                id_candidates["_id"] = column
        elif layout.is_auxiliary(last):
            continue
        else:
            unknown.append(column)

    for question, options in (*layout.multi.items(), *layout.rank.items()):
        columns = [layout.option_column(question, o) for o in options]
        have_split = [c for c in columns if c in split]
        if question in aggregated and len(have_split) < len(columns):
            src = aggregated[question]
            tokens = split_tokens(frame[src], options, option_labels(layout, question))
            expand = expand_multi if question in layout.multi else expand_rank
            for c, series in expand(tokens, options, layout, question, src, source,
                                    locate).items():
                values[c] = series
                origin[c] = src
        else:  # one 0/1 (or rank) column per option; missing ones are reported below
            # ODK Central and Kobo write 0 in every option column of a skipped question;
            # the space-separated column, when there is one, is blank for it
            answered = _has_value(frame[aggregated[question]]) if question in aggregated else None
            for c in have_split:
                column = frame[split[c]]
                values[c] = column if answered is None else column.where(answered)
                origin[c] = split[c]

    expected = [c for c in layout.columns if c != layout.id_column]
    missing = [c for c in expected if c not in values]
    check_missing(missing, source, " (matched by name, ignoring group prefixes)")
    if not allow_extra:
        check_unknown(unknown, source, "ODK/Kobo",
                       "; export with XML values and headers, not labels")
    for key in (ID_COLUMN, "_uuid", "instanceID", "_id"):
        if key in id_candidates:
            values[layout.id_column] = frame[id_candidates[key]]
            origin[layout.id_column] = id_candidates[key]
            break
    else:
        values[layout.id_column] = row_ids(len(frame))
        origin[layout.id_column] = "(row number)"
    return Parsed("odk", len(frame), values, origin, locate)


def to_odk(responses: pd.DataFrame, source: Survey | Mapping[str, Any]) -> pd.DataFrame:
    """Canonical responses shaped like a KoboToolbox CSV export.

    Columns are prefixed with their section group (``section/grid/item`` for grid rows),
    select-multiple answers appear both as a space-separated column and as ``q/option`` 0/1
    columns, ranking answers as values in rank order, and Kobo's metadata columns are added
    (``start``/``end`` when the responses carry interview times).
    """
    import numpy as np
    import pandas as pd

    layout = Layout.of(source)
    n = len(responses)
    out: dict[str, Any] = {field: format_times(responses[column])
                           for column, (field,) in SOURCE_FIELDS["odk"].items()
                           if column in responses.columns}
    for question in layout.codebook.get("questions", []):
        name = question["name"]
        first = layout.columns[question["columns"][0]]
        section = first.get("section") or "main"
        if name in layout.multi:
            cols = [layout.option_column(name, o) for o in layout.multi[name]]
            block = np.column_stack([responses[c].to_numpy(dtype=float, na_value=np.nan)
                                     for c in cols])
            answered = ~np.isnan(block).all(axis=1)
            joined = [" ".join(o for o, v in zip(layout.multi[name], row, strict=True) if v == 1)
                      for row in block]
            out[f"{section}/{name}"] = np.where(answered, np.array(joined, dtype=object), None)
            for o, c in zip(layout.multi[name], cols, strict=True):
                out[f"{section}/{name}/{o}"] = responses[c]
        elif name in layout.rank:
            options = layout.rank[name]
            block = np.column_stack([responses[layout.option_column(name, o)].to_numpy(
                dtype=float, na_value=np.nan) for o in options])
            ordered = [" ".join(options[j] for j in np.argsort(row) if not np.isnan(row[j]))
                       for row in block]
            out[f"{section}/{name}"] = np.where(~np.isnan(block).all(axis=1),
                                                np.array(ordered, dtype=object), None)
        elif name in layout.grids:
            out[f"{section}/{name}/{name}_hdr"] = None
            for item in layout.grids[name]:
                out[f"{section}/{name}/{item}"] = responses[item]
        elif question["type"] == "maxdiff":  # each set's pair in its group, as the XLSForm
            best, worst = maxdiff_columns(name, len(question["columns"]) // 2)
            for k, pair in enumerate(zip(best, worst, strict=True), start=1):
                for column in pair:
                    out[f"{section}/{name}/{name}_s{k}/{column}"] = responses[column]
        else:
            out[f"{section}/{name}"] = responses[name]
            if question["type"] == "attention_check":
                out[f"{section}/{name}_passed"] = None
        if question.get("other") is not None:  # the text field after the question
            text = other_text_column(name)
            out[f"{section}/{text}"] = responses[text]
    out["meta/instanceID"] = [f"uuid:{rid}" for rid in responses[layout.id_column]]
    out["_id"] = np.arange(1, n + 1)
    out["_uuid"] = responses[layout.id_column].to_numpy(dtype=object)
    out["_submission_time"] = "2024-01-01T09:12:00"
    out["_validation_status"] = None
    out["_index"] = np.arange(1, n + 1)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def write(responses: pd.DataFrame, layout: Layout, path: str | Path) -> None:
    """Write canonical responses as a Kobo-style CSV export, atomically (``-``: stdout)."""
    write_csv(to_odk(responses, layout.codebook), path)
