"""REDCap "CSV (raw data)" record exports, read and written.

The first column (``respondent_id`` in projects made from ``survey-builder build --format
redcap``, often ``record_id`` elsewhere) is the id, checkbox questions come as
``<name>___<code>`` 0/1 columns (all 0 = unanswered), REDCap's own columns
(``redcap_event_name``, ``redcap_repeat_instrument``, ``redcap_repeat_instance``,
``redcap_data_access_group``, ``redcap_survey_identifier``, ``<form>_timestamp``,
``<form>_complete``) are dropped. "CSV (labels)" exports work too for single-choice answers
(labels are matched back to codes) and ``Checked``/``Unchecked``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..codebook import redcap_rank_fields
from ..layout import ENDED_COLUMN, STARTED_COLUMN
from ._csv import read_csv, write_csv
from ._layout import Layout, Parsed, row_ids
from .validate import check_missing, check_unknown

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..spec import Survey

__all__ = ["REDCAP_META", "parse", "to_redcap", "write"]

#: REDCap's own columns in a record export (never answers).
REDCAP_META = re.compile(
    r"^(redcap_event_name|redcap_repeat_instrument|redcap_repeat_instance|"
    r"redcap_data_access_group|redcap_survey_identifier|.+_timestamp|.+_complete)$")


def parse(text: str, layout: Layout, source: str, allow_extra: bool) -> Parsed:
    """Match a REDCap record export's columns to the codebook.

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
    frame, locate = read_csv(text, source, lambda c: "___" in c or layout.is_numeric(
        c.lower()))
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    unknown: list[str] = []
    columns = list(frame.columns)
    lower = {c: c.lower() for c in columns}
    short_ranks = {field: layout.option_column(question, option)
                   for question, options in layout.rank.items()
                   for option, field in zip(options, redcap_rank_fields(question, options))}
    id_source = None
    if layout.id_column in columns:
        id_source = layout.id_column
    elif "record_id" in columns:
        id_source = "record_id"
    elif columns and lower[columns[0]] not in layout.columns and "___" not in columns[0]:
        id_source = columns[0]  # REDCap always puts the record id first
    for column in columns:
        name = lower[column]
        if column == id_source:
            continue
        if name in layout.plain or name in layout.columns or name in short_ranks:
            target = short_ranks.get(name, name)
            values[target] = frame[column]
            origin[target] = column
        elif "___" in name:
            question, option = name.split("___", 1)
            if question in layout.multi and option in layout.multi[question]:
                target = layout.option_column(question, option)
                values[target] = frame[column]
                origin[target] = column
            else:
                unknown.append(column)
        elif name == STARTED_COLUMN and name not in layout.columns:
            values[STARTED_COLUMN] = frame[column]
            origin[STARTED_COLUMN] = column
        elif name.endswith("_timestamp") and ENDED_COLUMN not in values:
            values[ENDED_COLUMN] = frame[column]  # the survey's completion time
            origin[ENDED_COLUMN] = column
        elif REDCAP_META.match(name) or layout.is_auxiliary(name):
            continue
        else:
            unknown.append(column)
    expected = [c for c in layout.columns if c != layout.id_column]
    missing = [c for c in expected if c not in values]
    hint = " (checkbox options are expected as <name>___<code>)" if any(
        layout.columns[c]["type"] == "multiple_choice_option" for c in missing) else ""
    check_missing(missing, source, hint)
    if not allow_extra:
        check_unknown(unknown, source, "REDCap")
    if id_source is None:
        values[layout.id_column] = row_ids(len(frame))
        origin[layout.id_column] = "(row number)"
    else:
        values[layout.id_column] = frame[id_source]
        origin[layout.id_column] = id_source
    return Parsed("redcap", len(frame), values, origin, locate, all_zero_is_unanswered=True)


def to_redcap(responses: pd.DataFrame, source: Survey | Mapping[str, Any]) -> pd.DataFrame:
    """Canonical responses shaped like a REDCap "CSV (raw data)" export of the dictionary that
    ``survey-builder build --format redcap`` writes.

    The record id (``respondent_id``) first, checkbox options as ``q___code`` (0 when
    unanswered, as REDCap does), the attention checks' ``<name>_passed`` calc fields, and the
    ``<form>_complete`` status column REDCap appends; with interview times, REDCap's
    ``<form>_timestamp`` (the end) after the id and the ``started_at`` field.
    """
    import numpy as np
    import pandas as pd

    layout = Layout.of(source)
    survey_id = layout.codebook.get("survey", {}).get("id") or "survey"
    out: dict[str, Any] = {layout.id_column: responses[layout.id_column].to_numpy(dtype=object)}
    if ENDED_COLUMN in responses.columns:  # REDCap's survey completion time, after the id
        out[f"{survey_id}_timestamp"] = _redcap_times(responses[ENDED_COLUMN])
    if STARTED_COLUMN in responses.columns:  # the export's @NOW field, first on the form
        out[STARTED_COLUMN] = _redcap_times(responses[STARTED_COLUMN])
    checks = {c["question"]: str(c["answer"]) for c in layout.codebook.get("attention_checks", [])}
    ranking_fields = {layout.option_column(question, option): field
                      for question, options in layout.rank.items()
                      for option, field in zip(options, redcap_rank_fields(question, options))}
    for name, col in layout.columns.items():
        if name == layout.id_column:
            continue
        if col["type"] == "multiple_choice_option":
            out[f"{col['question']}___{col['option']}"] = responses[name].fillna(0)
        elif col["type"] == "ranking_option":
            out[ranking_fields[name]] = responses[name]
        else:
            out[name] = responses[name]
        if name in checks:
            answered = responses[name].notna().to_numpy()
            passed = (responses[name].astype(object) == checks[name]).to_numpy(dtype=bool)
            out[f"{name}_passed"] = np.where(answered, passed.astype(int), 0)
    out[f"{survey_id}_complete"] = 2
    return pd.DataFrame(out, index=responses.index)


def _redcap_times(values: pd.Series) -> pd.Series:
    """Timestamps the way REDCap exports them (``2024-05-01 10:04:00``, server time)."""
    import pandas as pd

    times = pd.to_datetime(values, utc=True, format="ISO8601")
    return times.dt.strftime("%Y-%m-%d %H:%M:%S").where(times.notna(), None)


def write(responses: pd.DataFrame, layout: Layout, path: str | Path) -> None:
    """Write canonical responses as a REDCap raw CSV export, atomically (``-``: stdout)."""
    write_csv(to_redcap(responses, layout.codebook), path)
