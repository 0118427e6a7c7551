"""SurveyJS results (``survey.data`` objects), read and written.

A file is a JSON list of result objects (or ``{"results": [...]}``, or one object per line). Grids
are nested objects ``{"trust_grid": {"trust_1": 4}}``, checkbox answers lists of values, ranking
answers lists in rank order; absent keys are unanswered. survey-core stores an "Other (specify)"
answer as the value ``other`` (the option's code) and its text under ``<name>-Comment``, read
into the ``<name>__specify`` column (:func:`survey_builder.layout.other_text_column`); other
``-Comment`` keys are ignored. The id is ``respondent_id`` (or ``id``) when present, else the
position in the file. ``started_at``/``ended_at`` keys (set by the export's triggers) are the
interview times.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_write
from ..errors import SurveyError
from ..layout import ID_COLUMN, other_text_column
from ..timing import TIMING_COLUMNS, format_times
from ._layout import Layout, Parsed, as_objects, row_ids
from ._options import expand_multi, expand_rank
from .validate import check_unknown

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..spec import Survey

__all__ = ["parse", "to_surveyjs", "write"]

_ID_KEYS = (ID_COLUMN, "id", "_id", "resultId", "result_id")
#: survey-core's key suffix of a comment (the "Other (specify)" text).
_COMMENT_SUFFIX = "-Comment"


def _load_json_results(text: str, source: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines):  # JSONL
            data = []
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    data.append(json.loads(line))
                except json.JSONDecodeError as inner:
                    raise SurveyError(f"malformed JSON: {inner.msg} (column {inner.colno})",
                                      source, number) from None
        else:
            raise SurveyError(f"malformed JSON: {exc.msg} (column {exc.colno})", source,
                              exc.lineno) from None
    if isinstance(data, dict):
        for key in ("results", "data", "responses"):
            if isinstance(data.get(key), list):
                return data[key]
        return [data]
    if not isinstance(data, list):
        raise SurveyError("expected a list of SurveyJS result objects", source, 1)
    return data


def parse(text: str, layout: Layout, source: str, allow_extra: bool) -> Parsed:
    """Match SurveyJS result objects' keys to the codebook.

    Parameters
    ----------
    text : str
        The decoded file.
    layout : Layout
        The codebook.
    source : str
        File name for error messages.
    allow_extra : bool
        Drop keys the codebook does not know instead of failing.

    Returns
    -------
    Parsed
        Raw values per canonical column, for :func:`~survey_builder.readers.validate.validate`.

    Raises
    ------
    SurveyError
        Malformed file, columns missing or unknown, answers of the wrong shape.
    """
    import pandas as pd

    results = _load_json_results(text, source)
    for i, result in enumerate(results):
        if not isinstance(result, dict):
            raise SurveyError(f"result {i + 1} is a {type(result).__name__}, not an object",
                              source, None, f"[{i}]")
    n = len(results)
    records = pd.DataFrame.from_records(results) if n else pd.DataFrame()
    ids = None
    id_key = None

    def locate(row: int) -> tuple[int | None, str]:
        rid = ids.iloc[row] if ids is not None else None
        return None, f"result {row + 1}" + (f" (id {rid!r})" if rid is not None else "")

    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    unknown: list[str] = []
    for key in records.columns:
        key = str(key)
        if id_key is None and (key == layout.id_column or (
                key in _ID_KEYS and key not in layout.plain)):
            id_key = key
            ids = as_objects(records[key]).map(lambda v: None if v is None else str(v))
    for key in records.columns:
        key = str(key)
        series = as_objects(records[key])
        if key.endswith(_COMMENT_SUFFIX) and key.removesuffix(_COMMENT_SUFFIX) in layout.other:
            bad = series.map(lambda v: v is not None and not isinstance(v, (str, int, float)))
            if bad.any():
                row = int(bad.to_numpy().argmax())
                raise SurveyError(f"{key!r} should be the text typed for \"Other (specify)\", "
                                  f"not a {type(series.iloc[row]).__name__} "
                                  f"({locate(row)[1]})", source, None, key)
            text = other_text_column(key.removesuffix(_COMMENT_SUFFIX))
            values[text] = series
            origin[text] = key
            continue
        if key == id_key or key.endswith(_COMMENT_SUFFIX) or layout.is_auxiliary(key):
            continue
        if key in TIMING_COLUMNS and key not in layout.columns:
            values[key] = series
            origin[key] = key
            continue
        if key in layout.grids:
            items = layout.grids[key]
            bad = series.map(lambda v: v is not None and not isinstance(v, dict))
            if bad.any():
                row = int(bad.to_numpy().argmax())
                raise SurveyError(f"grid {key!r} should be an object {{item: value}} "
                                  f"({locate(row)[1]})", source, None, key)
            cells = pd.DataFrame.from_records(
                [v if isinstance(v, dict) else {} for v in series.tolist()],
                index=series.index)
            extra = [str(c) for c in cells.columns if c not in items]
            if extra and not allow_extra:
                check_unknown([f"{key}.{e}" for e in sorted(extra)], source, "SurveyJS")
            for item in items:
                values[item] = (cells[item] if item in cells.columns
                                else pd.Series([None] * n, dtype=object))
                origin[item] = f"{key}.{item}"
        elif key in layout.multi or key in layout.rank:
            options = layout.multi.get(key) or layout.rank[key]
            bad = series.map(lambda v: v is not None and not isinstance(v, list))
            if bad.any():
                row = int(bad.to_numpy().argmax())
                raise SurveyError(f"{key!r} should be a list of option values "
                                  f"({locate(row)[1]})", source, None, key)
            tokens = series.map(lambda v: [str(x) for x in v] or None
                                if isinstance(v, list) else None)
            expand = expand_multi if key in layout.multi else expand_rank
            for c, col in expand(tokens, options, layout, key, key, source, locate).items():
                values[c] = col
                origin[c] = key
        elif key in layout.plain:
            bad = series.map(lambda v: isinstance(v, (dict, list)))
            if bad.any():
                row = int(bad.to_numpy().argmax())
                raise SurveyError(f"{key!r} should be a single value, not a "
                                  f"{type(series.iloc[row]).__name__} ({locate(row)[1]})",
                                  source, None, key)
            values[key] = series
            origin[key] = key
        else:
            unknown.append(key)
    if not allow_extra:
        check_unknown(unknown, source, "SurveyJS")
    empty = pd.Series([None] * n, dtype=object)
    for column in layout.columns:
        if column != layout.id_column and column not in values:
            values[column] = empty  # SurveyJS leaves unanswered questions out
            origin[column] = column
    if ids is None:
        ids = row_ids(n, prefix="result")
    values[layout.id_column] = ids
    origin[layout.id_column] = id_key or "(position)"
    return Parsed("surveyjs", n, values, origin, locate)


def _cells(series: pd.Series) -> list[Any]:
    """A column as JSON-friendly Python values: ``None`` for missing, ints for whole numbers."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        whole = bool(np.all(np.isnan(values) | (values == np.round(values))))
        return [None if v != v else (int(v) if whole else float(v)) for v in values.tolist()]
    return series.astype(object).where(series.notna(), None).tolist()


def to_surveyjs(responses: pd.DataFrame, source: Survey | Mapping[str, Any]
                ) -> list[dict[str, Any]]:
    """Canonical responses as SurveyJS result objects (``survey.data`` shape).

    Grids become ``{item: value}`` objects, multiple choice a list of ticked values, ranking a
    list in rank order; unanswered questions are left out; the id goes under
    ``respondent_id``.
    """
    layout = Layout.of(source)
    n = len(responses)
    cols = {name: _cells(responses[name]) for name in layout.columns}
    results: list[dict[str, Any]] = [{ID_COLUMN: rid} for rid in cols[layout.id_column]]
    for column in TIMING_COLUMNS:
        if column in responses.columns:
            for result, time in zip(results, format_times(responses[column]), strict=True):
                if time is not None:
                    result[column] = time
    for question in layout.codebook.get("questions", []):
        name = question["name"]
        text_key = other_text_column(name) if name in layout.other else None
        if name in layout.multi or name in layout.rank:
            options = layout.multi.get(name) or layout.rank[name]
            option_cols = [cols[layout.option_column(name, o)] for o in options]
            for i in range(n):
                if name in layout.multi:
                    picked = [o for o, c in zip(options, option_cols, strict=True) if c[i] == 1]
                else:
                    ranked = sorted((c[i], o) for o, c in zip(options, option_cols, strict=True)
                                    if c[i] is not None)
                    picked = [o for _, o in ranked]
                if picked:
                    results[i][name] = picked
        elif name in layout.grids:
            items = [(item, cols[item]) for item in layout.grids[name]]
            for i in range(n):
                cells = {item: c[i] for item, c in items if c[i] is not None}
                if cells:
                    results[i][name] = cells
        else:  # one key per column: the question's own, or a MaxDiff set's best / worst
            for key in question["columns"]:
                if key == text_key:
                    continue
                column = cols[key]
                for i in range(n):
                    if column[i] is not None:
                        results[i][key] = column[i]
        if text_key is not None:  # survey-core keeps the other text as a comment
            for i, text in enumerate(cols[text_key]):
                if text is not None:
                    results[i][name + _COMMENT_SUFFIX] = text
    return results


def write(responses: pd.DataFrame, layout: Layout, path: str | Path) -> None:
    """Write canonical responses as a JSON list of SurveyJS results, one per line,
    atomically (``-``: stdout)."""
    results = to_surveyjs(responses, layout.codebook)
    with atomic_write(path, "w") as handle:  # one result per line: json's fast C encoder
        handle.write("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in results)
                     + "\n]\n")
