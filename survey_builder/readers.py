"""Read response exports and convert them to the canonical layout of the codebook.

Supported inputs (``input_format``)
-----------------------------------
``canonical``
    The flat layout :mod:`survey_builder.codebook` defines (what ``simulate`` writes).
``odk``
    ODK Central / KoboToolbox CSV exports ("XML values and headers"). Column names may carry
    group prefixes (``views/trust_grid/trust_1``; ODK Central joins groups with ``-``, Kobo
    can use ``.``), select-multiple answers come as one space-separated column (``channels`` =
    ``"store web"``) and/or one 0/1 column per option (``channels/store``), ``rank`` answers as
    space-separated values in rank order.
    Form metadata (``start``, ``end``, ``today``, ``deviceid``, ``meta/instanceID``, ``KEY``,
    ``SubmissionDate``, every column starting with ``_`` such as ``_id``, ``_uuid``,
    ``_submission_time``, ``_validation_status``) and the XLSForm export's auxiliary fields
    (grid header rows ``<grid>_hdr``, attention-check calculations ``<name>_passed``) are
    dropped. The respondent id is taken from ``respondent_id``, else ``_uuid``, else
    ``meta/instanceID``/``KEY``, else ``_id``. Kobo's semicolon-separated CSV is detected.
``surveyjs``
    SurveyJS result JSON: a list of ``survey.data`` objects (or ``{"results": [...]}``, or one
    object per line). Grids are nested objects ``{"trust_grid": {"trust_1": 4}}``, checkbox
    answers lists of values, ranking answers lists in rank order; absent keys are unanswered;
    ``<name>-Comment`` keys are ignored. The id is ``respondent_id`` (or ``id``) when present,
    else the position in the file.
``redcap``
    REDCap "CSV (raw data)" exports: the first column (``respondent_id`` in projects made from
    ``survey-builder build --format redcap``, often ``record_id`` elsewhere) is the id,
    checkbox questions come as ``<name>___<code>`` 0/1 columns (all 0 = unanswered), REDCap's
    own columns (``redcap_event_name``, ``redcap_repeat_instrument``, ``redcap_repeat_instance``,
    ``redcap_data_access_group``, ``redcap_survey_identifier``, ``<form>_timestamp``,
    ``<form>_complete``) are dropped. "CSV (labels)" exports work too for single-choice answers
    (labels are matched back to codes) and ``Checked``/``Unchecked``.

``auto`` (the default) detects the format from the content: JSON → SurveyJS; a CSV with
``record_id``, ``redcap_*`` or ``x___y`` columns or a last column ``<form>_complete`` →
REDCap; with ``/``-prefixed names or ODK/Kobo metadata columns → ODK; anything else →
canonical.

Every reader ends in the same validation against the codebook: missing or unknown columns
(named), values that are not valid codes, out-of-range or non-integer numbers (named by file,
line/row and column) and undecodable bytes raise :class:`~survey_builder.errors.SurveyError`.
Labels are accepted wherever a code is expected (any language, case-insensitive).

The writers (:func:`to_odk`, :func:`to_surveyjs`, :func:`to_redcap`) do the reverse; they are
used by ``survey-builder simulate --format`` and by the round-trip tests.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SurveyError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from .spec import Survey

__all__ = [
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "decode_bytes",
    "detect_format",
    "read_responses",
    "responses_from_text",
    "to_odk",
    "to_redcap",
    "to_surveyjs",
    "write_responses",
]

INPUT_FORMATS = ("auto", "canonical", "odk", "surveyjs", "redcap")
OUTPUT_FORMATS = ("canonical", "odk", "surveyjs", "redcap")

_ODK_META = frozenset({
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
    "subscriberid", "audit", "email", "instanceID", "instanceName", "deprecatedID",
    "KEY", "SubmissionDate", "SubmitterID", "SubmitterName", "AttachmentsPresent",
    "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
    "__version__", "formhub", "uuid", "start-geopoint",
})
_REDCAP_META = re.compile(
    r"^(redcap_event_name|redcap_repeat_instrument|redcap_repeat_instance|"
    r"redcap_data_access_group|redcap_survey_identifier|.+_timestamp|.+_complete)$")
_SURVEYJS_ID_KEYS = ("respondent_id", "id", "_id", "resultId", "result_id")
#: Maps a 0-based data row to (1-based file line or None, a description like "row 17").
Locate = Callable[[int], tuple[int | None, str]]
_TRUE = frozenset({"1", "1.0", "true", "yes", "checked", "selected"})
_FALSE = frozenset({"0", "0.0", "false", "no", "unchecked", "not selected"})


# --------------------------------------------------------------------------- decoding
def decode_bytes(data: bytes, encoding: str = "utf-8", source: str | None = None) -> str:
    """Decode a response file, with a clear error for a wrong encoding.

    Parameters
    ----------
    data : bytes
        File content.
    encoding : str
        Codec name; ``utf-8`` also strips a byte-order mark (Excel writes one).
    source : str, optional
        File name for error messages.

    Raises
    ------
    SurveyError
        Unknown codec, or bytes that are not valid in ``encoding`` (with the line).
    """
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except LookupError:
        raise SurveyError(f"unknown encoding {encoding!r}", field="--encoding") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start: exc.start + 1].hex()
        raise SurveyError(
            f"cannot decode the file as {encoding} (byte 0x{bad} at offset {exc.start}); "
            "save it as UTF-8 or pass the right --encoding (e.g. --encoding latin-1)",
            source, line) from None


# --------------------------------------------------------------------------- codebook view
@dataclass
class _Layout:
    """What a reader needs from the codebook."""

    codebook: dict[str, Any]
    id_column: str
    columns: dict[str, dict[str, Any]]
    plain: set[str] = field(default_factory=set)  # one-column answers (not option columns)
    multi: dict[str, list[str]] = field(default_factory=dict)  # multiple choice -> options
    rank: dict[str, list[str]] = field(default_factory=dict)  # ranking -> options
    grids: dict[str, list[str]] = field(default_factory=dict)  # grid -> item columns
    auxiliary: re.Pattern[str] | None = None

    @classmethod
    def of(cls, source: Survey | Mapping[str, Any]) -> _Layout:
        from .scoring import codebook_for

        codebook = codebook_for(source)
        columns = {c["name"]: c for c in codebook["columns"]}
        layout = cls(codebook, codebook.get("id_column", "respondent_id"), columns)
        for name, col in columns.items():
            if col["type"] == "id":
                continue
            if col["type"] == "multiple_choice_option":
                layout.multi.setdefault(col["question"], []).append(str(col["option"]))
            elif col["type"] == "ranking_option":
                layout.rank.setdefault(col["question"], []).append(str(col["option"]))
            else:
                layout.plain.add(name)
                if col.get("item") is not None:
                    layout.grids.setdefault(col["question"], []).append(name)
        aux = [re.escape(q) + "_hdr" for q in layout.grids]
        aux += [re.escape(c["question"]) + "_passed" for c in codebook.get("attention_checks", [])]
        if aux:
            layout.auxiliary = re.compile(r"^(?:" + "|".join(aux) + r")(?:_\d+)?$")
        return layout

    def is_numeric(self, column: str) -> bool:
        """True for a canonical column holding numbers (Likert, 0/1, rank, numeric)."""
        col = self.columns.get(column)
        return col is not None and col["value_type"] in ("integer", "number")

    def option_column(self, question: str, option: str) -> str:
        return f"{question}{self.codebook.get('option_separator', '__')}{option}"

    def is_auxiliary(self, name: str) -> bool:
        return bool(self.auxiliary and self.auxiliary.match(name))


@dataclass
class _Parsed:
    """A response file turned into canonical columns of raw (unvalidated) values."""

    fmt: str
    n: int
    values: dict[str, Any]  # canonical column -> pandas Series (object) of raw values
    origin: dict[str, str]  # canonical column -> column/key name in the source file
    locate: Locate  # row -> (line, description)
    all_zero_is_unanswered: bool = False


# --------------------------------------------------------------------------- detection
def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _header(text: str) -> tuple[list[str], str]:
    first = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _sniff_delimiter(first)
    row = next(csv.reader([first], delimiter=delimiter), [])
    return [h.strip() for h in row], delimiter


def detect_format(text: str, source: str | None = None) -> str:
    """Guess the export format of a response file's text.

    Returns
    -------
    str
        ``"surveyjs"``, ``"redcap"``, ``"odk"`` or ``"canonical"`` (see the module docstring).
    """
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")) or (source or "").lower().endswith((".json", ".jsonl")):
        return "surveyjs"
    header, _ = _header(stripped)
    if any(h == "record_id" or h.startswith("redcap_") or "___" in h for h in header) or (
            header and header[-1].endswith("_complete")):
        return "redcap"
    if any("/" in h or h.startswith("_") or h in _ODK_META for h in header):
        return "odk"
    return "canonical"


# --------------------------------------------------------------------------- CSV
def _read_csv(text: str, source: str, numeric: Callable[[str], bool] | None = None
              ) -> tuple[pd.DataFrame, Locate]:
    """Parse CSV text; columns for which ``numeric(name)`` is true are left to pandas' fast
    number parsing (a column with any non-number falls back to text), all others are read
    as text so that ids and codes keep leading zeros."""
    import pandas as pd

    header, delimiter = _header(text)
    if not header or header == [""]:
        raise SurveyError("the file is empty (no header row)", source, 1)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise SurveyError(f"duplicate column {name!r}", source, 1, name)
        seen.add(name)
    try:
        raw_header = next(csv.reader([text.split("\n", 1)[0].rstrip("\r")],
                                     delimiter=delimiter), [])
        dtype: Any = str if numeric is None else {
            h: str for h in raw_header if not numeric(h.strip())}
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=dtype,
                            keep_default_na=False, na_values=[""], skipinitialspace=False)
    except pd.errors.EmptyDataError:
        raise SurveyError("the file is empty", source, 1) from None
    except (pd.errors.ParserError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else "malformed CSV"
        match = re.search(r"line (\d+)", detail)
        raise SurveyError(f"cannot parse CSV: {detail}", source,
                          int(match.group(1)) if match else None) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    starts: list[int] = []

    def locate(row: int) -> tuple[int | None, str]:
        if not starts:
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            previous = 0
            for record in reader:
                if record and any(cell.strip() for cell in record):
                    starts.append(previous + 1)
                previous = reader.line_num
        index = row + 1  # record 0 is the header
        return (starts[index] if index < len(starts) else None), f"row {row + 1}"

    return frame, locate


def _object(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def _missing_error(layout: _Layout, missing: list[str], source: str, hint: str = "") -> None:
    if missing:
        listed = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise SurveyError(f"{len(missing)} codebook column(s) missing from the file: {listed}"
                          f"{hint}", source, 1)


def _unknown_error(unknown: list[str], source: str, fmt: str, hint: str = "") -> None:
    if unknown:
        listed = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise SurveyError(f"{len(unknown)} column(s) not in the codebook: {listed} (is this the "
                          f"right survey/version? read as {fmt}{hint}; pass "
                          "--ignore-extra-columns to drop them)", source, 1)


def _parse_canonical(text: str, layout: _Layout, source: str, allow_extra: bool) -> _Parsed:
    frame, locate = _read_csv(text, source, layout.is_numeric)
    expected = list(layout.columns)
    missing = [c for c in expected if c not in frame.columns]
    _missing_error(layout, missing, source)
    unknown = [c for c in frame.columns if c not in layout.columns]
    if not allow_extra:
        _unknown_error(unknown, source, "canonical")
    values = {c: frame[c] for c in expected}
    return _Parsed("canonical", len(frame), values, {c: c for c in expected}, locate)


def _split_tokens(series: pd.Series) -> pd.Series:
    """Space-separated values -> list of tokens (``None`` when blank)."""
    import pandas as pd

    return pd.Series([v.split() or None if isinstance(v, str) else None
                      for v in series.tolist()], index=series.index, dtype=object)


def _explode(tokens: pd.Series, options: list[str], question: str, origin: str, source: str,
             locate: Locate) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Flatten token lists: (row of each token, token, 1-based position in its list, rows
    that have any token). Raises for a token that is not an option."""
    import numpy as np
    import pandas as pd

    lengths = np.fromiter((len(t) if isinstance(t, list) else 0 for t in tokens.tolist()),
                          dtype=np.int64, count=len(tokens))
    rows = np.repeat(np.arange(len(tokens)), lengths)
    flat = np.array([x for t in tokens.tolist() if isinstance(t, list) for x in t],
                    dtype=object)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(len(flat)) - starts + 1
    valid = pd.Series(flat, dtype=object).isin(options).to_numpy() if len(flat) else flat
    if len(flat) and not valid.all():
        first = int(np.argmax(~valid))
        line, where = locate(int(rows[first]))
        raise SurveyError(f"{flat[first]!r} is not an option of {question!r} (options: "
                          f"{', '.join(options)}; {where}) — export values, not labels",
                          source, line, origin)
    return rows, flat, position, lengths > 0


def _expand_multi(tokens: pd.Series, options: list[str], layout: _Layout, question: str,
                  origin: str, source: str, locate: Locate) -> dict[str, Any]:
    """Space-separated selections -> one 0/1 column per option (NaN when unanswered)."""
    import numpy as np

    rows, flat, _, answered = _explode(tokens, options, question, origin, source, locate)
    out = {}
    for option in options:
        picked = np.where(answered, 0.0, np.nan)
        picked[rows[flat == option]] = 1.0
        out[layout.option_column(question, option)] = picked
    return out


def _expand_rank(tokens: pd.Series, options: list[str], layout: _Layout, question: str,
                 origin: str, source: str, locate: Locate) -> dict[str, Any]:
    """Space-separated values in rank order -> one rank column per option (NaN if unranked)."""
    import numpy as np

    rows, flat, position, _ = _explode(tokens, options, question, origin, source, locate)
    out = {}
    for option in options:
        rank = np.full(len(tokens), np.nan)
        hit = flat == option
        rank[rows[hit]] = position[hit]
        out[layout.option_column(question, option)] = rank
    return out


def _odk_numeric(layout: _Layout) -> Callable[[str], bool]:
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


def _parse_odk(text: str, layout: _Layout, source: str, allow_extra: bool) -> _Parsed:
    frame, locate = _read_csv(text, source, _odk_numeric(layout))
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
            id_candidates["respondent_id"] = column
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
        elif column.startswith("_") or column in _ODK_META or last in _ODK_META or (
                segments and segments[0] in ("meta", "formhub", "__version__")):
            if column == "_uuid" or last == "_uuid":
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
            tokens = _split_tokens(frame[src])
            expand = _expand_multi if question in layout.multi else _expand_rank
            for c, series in expand(tokens, options, layout, question, src, source,
                                    locate).items():
                values[c] = series
                origin[c] = src
        else:  # one 0/1 (or rank) column per option; missing ones are reported below
            for c in have_split:
                values[c] = frame[split[c]]
                origin[c] = split[c]

    expected = [c for c in layout.columns if c != layout.id_column]
    missing = [c for c in expected if c not in values]
    _missing_error(layout, missing, source, " (matched by name, ignoring group prefixes)")
    if not allow_extra:
        _unknown_error(unknown, source, "ODK/Kobo",
                       "; export with XML values and headers, not labels")
    for key in ("respondent_id", "_uuid", "instanceID", "_id"):
        if key in id_candidates:
            values[layout.id_column] = frame[id_candidates[key]]
            origin[layout.id_column] = id_candidates[key]
            break
    else:
        values[layout.id_column] = _row_ids(len(frame))
        origin[layout.id_column] = "(row number)"
    return _Parsed("odk", len(frame), values, origin, locate)


def _row_ids(n: int) -> pd.Series:
    import pandas as pd

    from .simulate import respondent_ids

    return pd.Series(respondent_ids(n, prefix="row"), dtype=object)


def _parse_redcap(text: str, layout: _Layout, source: str, allow_extra: bool) -> _Parsed:
    frame, locate = _read_csv(text, source, lambda c: "___" in c or layout.is_numeric(
        c.lower()))
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    unknown: list[str] = []
    columns = list(frame.columns)
    lower = {c: c.lower() for c in columns}
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
        if name in layout.plain or name in layout.columns:
            values[name] = frame[column]
            origin[name] = column
        elif "___" in name:
            question, option = name.split("___", 1)
            if question in layout.multi and option in layout.multi[question]:
                target = layout.option_column(question, option)
                values[target] = frame[column]
                origin[target] = column
            else:
                unknown.append(column)
        elif _REDCAP_META.match(name) or layout.is_auxiliary(name):
            continue
        else:
            unknown.append(column)
    expected = [c for c in layout.columns if c != layout.id_column]
    missing = [c for c in expected if c not in values]
    hint = " (checkbox options are expected as <name>___<code>)" if any(
        layout.columns[c]["type"] == "multiple_choice_option" for c in missing) else ""
    _missing_error(layout, missing, source, hint)
    if not allow_extra:
        _unknown_error(unknown, source, "REDCap")
    if id_source is None:
        values[layout.id_column] = _row_ids(len(frame))
        origin[layout.id_column] = "(row number)"
    else:
        values[layout.id_column] = frame[id_source]
        origin[layout.id_column] = id_source
    return _Parsed("redcap", len(frame), values, origin, locate, all_zero_is_unanswered=True)


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


def _parse_surveyjs(text: str, layout: _Layout, source: str, allow_extra: bool) -> _Parsed:
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
                key in _SURVEYJS_ID_KEYS and key not in layout.plain)):
            id_key = key
            ids = _object(records[key]).map(lambda v: None if v is None else str(v))
    for key in records.columns:
        key = str(key)
        series = _object(records[key])
        if key == id_key or key.endswith("-Comment") or layout.is_auxiliary(key):
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
                _unknown_error([f"{key}.{e}" for e in sorted(extra)], source, "SurveyJS")
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
            expand = _expand_multi if key in layout.multi else _expand_rank
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
        _unknown_error(unknown, source, "SurveyJS")
    empty = pd.Series([None] * n, dtype=object)
    for column in layout.columns:
        if column != layout.id_column and column not in values:
            values[column] = empty  # SurveyJS leaves unanswered questions out
            origin[column] = column
    if ids is None:
        ids = _row_ids(n).map(lambda v: v.replace("row", "result"))
    values[layout.id_column] = ids
    origin[layout.id_column] = id_key or "(position)"
    return _Parsed("surveyjs", n, values, origin, locate)


_PARSERS: dict[str, Callable[[str, _Layout, str, bool], _Parsed]] = {
    "canonical": _parse_canonical,
    "odk": _parse_odk,
    "surveyjs": _parse_surveyjs,
    "redcap": _parse_redcap,
}


# --------------------------------------------------------------------------- validation
def _label_lookup(column: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for level in column.get("levels") or []:
        code = str(level["code"])
        for text in (level.get("label") or {}).values():
            out.setdefault(str(text).strip().casefold(), code)
    return out


def _as_strings(series: pd.Series) -> pd.Series:
    """Raw values as a pandas ``str`` Series (NaN = blank). JSON scalars are converted: whole
    floats lose their ``.0`` and booleans become ``1``/``0``. Values are not stripped here."""
    import pandas as pd

    if series.dtype == object or pd.api.types.is_numeric_dtype(series.dtype):
        def scalar(value: Any) -> Any:
            if value is None or isinstance(value, str):
                return value
            if isinstance(value, bool):
                return "1" if value else "0"
            if isinstance(value, float):
                if math.isnan(value):
                    return None
                return str(int(value)) if value.is_integer() else repr(value)
            return str(value)

        series = pd.Series([scalar(v) for v in series.tolist()], dtype=object)
    return series.astype("str")


def _strip_blank(text: pd.Series) -> pd.Series:
    """Stripped strings with whitespace-only cells turned into NaN."""
    stripped = text.str.strip()
    return stripped.where(stripped != "")


def _codes(text: pd.Series, codes: list[str], lookup: Mapping[str, str]) -> pd.Series:
    """Option codes: exact codes kept as they are (the fast, common case); anything else is
    stripped and, if it is a label (any language, case-insensitive), replaced by its code."""
    todo = text.notna() & ~text.isin(codes)
    if not todo.any():
        return text
    out = text.copy()
    fixed = _strip_blank(text[todo])
    labelled = fixed.str.casefold().map(lookup)
    fixed = fixed.where(fixed.isin(codes) | labelled.isna(), labelled)
    out.loc[fixed.index] = fixed
    return out


def _numbers(text: pd.Series, lookup: Mapping[str, str] | None = None
             ) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Parse numbers in C where possible.

    Returns
    -------
    number : ndarray of float
        NaN where blank or unparseable.
    present : ndarray of bool
        A (non-blank) value was given.
    shown : Series
        The values as given (stripped), for error messages.
    """
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(text.dtype) or pd.api.types.is_bool_dtype(text.dtype):
        number = text.to_numpy(dtype=float, na_value=np.nan).copy()
        return number, ~np.isnan(number), text
    if text.dtype == object:  # JSON values: numbers and numeric strings convert in C
        try:
            number = pd.to_numeric(text, errors="raise").to_numpy(dtype=float, na_value=np.nan,
                                                                  copy=True)
            if np.isfinite(number[~np.isnan(number)]).all():
                return number, ~np.isnan(number), text
        except (ValueError, TypeError):
            pass
    text = _as_strings(text)
    raw = text.to_numpy(dtype=object)
    present = text.notna().to_numpy()
    number = np.full(len(text), np.nan)
    try:  # numpy calls float() per cell in C: fast, and tolerates surrounding spaces
        number[present] = raw[present].astype(float)
        if not np.isfinite(number[present]).all():
            raise ValueError("'nan' or 'inf' written as text")
        return number, present, text
    except (ValueError, TypeError):
        pass
    shown = _strip_blank(text)
    present = shown.notna().to_numpy()
    if lookup:
        mapped = shown.str.casefold().map(lookup)
        candidate = shown.where(mapped.isna(), mapped)
    else:
        candidate = shown
    number = pd.to_numeric(candidate, errors="coerce").to_numpy(dtype=float, copy=True)
    number[~np.isfinite(number)] = np.nan
    return number, present, shown


class _Shown(str):
    """A cell value as the user wrote it; ``repr`` quotes it (``'9'``, not ``9.0``)."""

    def __new__(cls, value: Any) -> _Shown:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super().__new__(cls, str(value))

    def __repr__(self) -> str:
        return repr(str(self))


class _Problems:
    """Collects invalid cells; reports the first one (in file order) and how many more."""

    def __init__(self) -> None:
        self.first: list[tuple[int, int, str, str]] = []  # (row, column position, column, msg)
        self.total = 0

    def add(self, bad: np.ndarray, text: pd.Series, position: int, name: str,
            message: Callable[[Any], str]) -> None:
        import numpy as np

        bad = np.asarray(bad, dtype=bool)
        count = int(bad.sum())
        if count:
            row = int(np.argmax(bad))
            self.first.append((row, position, name, message(_Shown(text.iloc[row]))))
            self.total += count

    def raise_first(self, parsed: _Parsed, source: str) -> None:
        if not self.first:
            return
        row, _, name, message = min(self.first)
        others = self.total - 1
        line, where = parsed.locate(row)
        suffix = f"; {others} more invalid value(s) in the file" if others else ""
        raise SurveyError(f"{message} ({where}{suffix})", source, line,
                          parsed.origin.get(name, name))


def _validate(parsed: _Parsed, layout: _Layout, source: str) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    n = parsed.n
    problems = _Problems()
    out: dict[str, Any] = {}
    binary = {w: "1" for w in _TRUE} | {w: "0" for w in _FALSE}
    for position, (name, col) in enumerate(layout.columns.items()):
        values = parsed.values[name]
        values = (values.reset_index(drop=True) if isinstance(values, pd.Series)
                  else pd.Series(values))
        kind, value_type = col["type"], col["value_type"]
        numeric = value_type in ("integer", "number")
        text = values if numeric else _as_strings(values)

        def check(bad: np.ndarray, message: Callable[[Any], str], shown: pd.Series,
                  position: int = position, name: str = name) -> None:
            problems.add(bad, shown, position, name, message)

        if kind in ("id", "text"):
            text = _strip_blank(text) if kind == "id" else text.where(text.str.strip() != "")
            present = text.notna().to_numpy()
            if kind == "id":
                check(~present, lambda v: "missing respondent id", text)
                check(text.duplicated(keep="first").to_numpy() & present,
                      lambda v: f"duplicate respondent id {v!r}", text)
            out[name] = pd.array(text.to_numpy(dtype=object), dtype="str")
        elif value_type == "string":  # single choice, attention check: option codes
            codes = [str(level["code"]) for level in col.get("levels") or []]
            mapped = _codes(text, codes, _label_lookup(col))
            if codes:
                check(mapped.notna().to_numpy() & ~mapped.isin(codes).to_numpy(),
                      lambda v, codes=codes: f"{v!r} is not one of the options "
                                             f"({', '.join(codes)})", mapped)
            out[name] = pd.array(mapped.to_numpy(dtype=object), dtype="str")
        else:  # numbers: Likert codes, 0/1 options, ranks, numeric answers
            lookup = binary if kind == "multiple_choice_option" else _label_lookup(col)
            number, present, shown = _numbers(text, lookup)
            not_number = present & np.isnan(number)
            check(not_number, (lambda v: f"{v!r} is not a number") if kind == "numeric"
                  else (lambda v: f"{v!r} is not a valid answer"), shown)
            ok = present & ~not_number
            with np.errstate(invalid="ignore"):
                if kind == "multiple_choice_option":
                    check(ok & ~np.isin(number, (0.0, 1.0)), lambda v: f"{v!r} must be 0 or 1",
                          shown)
                else:
                    if col.get("integer") or value_type == "integer":
                        check(ok & (np.floor(number) != number),
                              lambda v: f"{v!r} is not a whole number", shown)
                    lo, hi = col.get("min"), col.get("max")
                    outside = np.zeros(n, dtype=bool)
                    if lo is not None:
                        outside |= ok & (number < lo)
                    if hi is not None:
                        outside |= ok & (number > hi)
                    check(outside, lambda v, lo=lo, hi=hi: f"value {v!r} is out of range "
                                                           f"{_fmt(lo)}..{_fmt(hi)}", shown)
            out[name] = number
    problems.raise_first(parsed, source)

    if parsed.all_zero_is_unanswered:  # REDCap checkboxes: nothing ticked = not answered
        for question, options in layout.multi.items():
            cols = [layout.option_column(question, o) for o in options]
            none = np.nansum(np.column_stack([out[c] for c in cols]), axis=1) == 0
            for c in cols:
                out[c] = np.where(none, np.nan, out[c])
    columns: dict[str, Any] = {}
    for name, col in layout.columns.items():
        values = out[name]
        columns[name] = (pd.array(values, dtype="Float64").astype("Int64")
                         if col["value_type"] == "integer" else values)
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


# --------------------------------------------------------------------------- public API
def responses_from_text(text: str, source: Survey | Mapping[str, Any], *,
                        input_format: str = "auto", name: str = "<input>",
                        allow_extra_columns: bool = False) -> pd.DataFrame:
    """Parse response text (already decoded) into the canonical layout.

    Parameters
    ----------
    text : str
        File content.
    source : Survey or codebook dict
        The questionnaire the responses belong to.
    input_format : {"auto", "canonical", "odk", "surveyjs", "redcap"}
        Export format, or ``auto`` to detect it.
    name : str
        File name used in error messages.
    allow_extra_columns : bool
        Ignore columns/keys the codebook does not know instead of failing.

    Returns
    -------
    DataFrame
        Canonical columns in codebook order: the id as strings, Likert/option/rank/integer
        columns as nullable ``Int64``, other numbers as float, codes and text as strings.

    Raises
    ------
    SurveyError
        Unknown format, columns that do not match the codebook, invalid values.
    """
    if input_format not in INPUT_FORMATS:
        raise SurveyError(f"unknown input format {input_format!r} (choose from "
                          f"{', '.join(INPUT_FORMATS)})", field="--input-format")
    layout = _Layout.of(source)
    fmt = detect_format(text, name) if input_format == "auto" else input_format
    if fmt == "surveyjs" and not text.strip():
        raise SurveyError("the file is empty", name, 1)
    parsed = _PARSERS[fmt](text, layout, name, allow_extra_columns)
    return _validate(parsed, layout, name)


def read_responses(path: str | Path, source: Survey | Mapping[str, Any], *,
                   input_format: str = "auto", encoding: str = "utf-8",
                   allow_extra_columns: bool = False) -> pd.DataFrame:
    """Read a response file (``-`` = standard input) into the canonical layout.

    Parameters
    ----------
    path : path or "-"
        The export.
    source : Survey or codebook dict
        The questionnaire the responses belong to.
    input_format : {"auto", "canonical", "odk", "surveyjs", "redcap"}
        Export format; ``auto`` detects it (see the module docstring).
    encoding : str
        Text encoding of the file (UTF-8 with or without BOM by default).
    allow_extra_columns : bool
        Ignore columns the codebook does not know.

    Returns
    -------
    DataFrame
        See :func:`responses_from_text`.

    Examples
    --------
    >>> responses = read_responses("kobo_export.csv", survey)  # doctest: +SKIP
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    data = sys.stdin.buffer.read() if str(path) == "-" else Path(path).read_bytes()
    text = decode_bytes(data, encoding, name)
    return responses_from_text(text, source, input_format=input_format, name=name,
                               allow_extra_columns=allow_extra_columns)


# --------------------------------------------------------------------------- writers
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
    layout = _Layout.of(source)
    n = len(responses)
    cols = {name: _cells(responses[name]) for name in layout.columns}
    results: list[dict[str, Any]] = [{"respondent_id": rid} for rid in cols[layout.id_column]]
    for question in layout.codebook.get("questions", []):
        name = question["name"]
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
        else:
            column = cols[question["columns"][0]]
            for i in range(n):
                if column[i] is not None:
                    results[i][name] = column[i]
    return results


def to_odk(responses: pd.DataFrame, source: Survey | Mapping[str, Any]) -> pd.DataFrame:
    """Canonical responses shaped like a KoboToolbox CSV export.

    Columns are prefixed with their section group (``section/grid/item`` for grid rows),
    select-multiple answers appear both as a space-separated column and as ``q/option`` 0/1
    columns, ranking answers as values in rank order, and Kobo's metadata columns are added.
    """
    import numpy as np
    import pandas as pd

    layout = _Layout.of(source)
    n = len(responses)
    out: dict[str, Any] = {
        "start": "2024-01-01T10:00:00.000+01:00", "end": "2024-01-01T10:12:00.000+01:00",
    }
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
        else:
            out[f"{section}/{name}"] = responses[name]
            if question["type"] == "attention_check":
                out[f"{section}/{name}_passed"] = None
    out["meta/instanceID"] = [f"uuid:{rid}" for rid in responses[layout.id_column]]
    out["_id"] = np.arange(1, n + 1)
    out["_uuid"] = responses[layout.id_column].to_numpy(dtype=object)
    out["_submission_time"] = "2024-01-01T09:12:00"
    out["_validation_status"] = None
    out["_index"] = np.arange(1, n + 1)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def to_redcap(responses: pd.DataFrame, source: Survey | Mapping[str, Any]) -> pd.DataFrame:
    """Canonical responses shaped like a REDCap "CSV (raw data)" export of the dictionary that
    ``survey-builder build --format redcap`` writes.

    The record id (``respondent_id``) first, checkbox options as ``q___code`` (0 when
    unanswered, as REDCap does), the attention checks' ``<name>_passed`` calc fields, and the
    ``<form>_complete`` status column REDCap appends.
    """
    import numpy as np
    import pandas as pd

    layout = _Layout.of(source)
    survey_id = layout.codebook.get("survey", {}).get("id") or "survey"
    out: dict[str, Any] = {layout.id_column: responses[layout.id_column].to_numpy(dtype=object)}
    checks = {c["question"]: str(c["answer"]) for c in layout.codebook.get("attention_checks", [])}
    for name, col in layout.columns.items():
        if name == layout.id_column:
            continue
        if col["type"] == "multiple_choice_option":
            out[f"{col['question']}___{col['option']}"] = responses[name].fillna(0)
        else:
            out[name] = responses[name]
        if name in checks:
            answered = responses[name].notna().to_numpy()
            passed = (responses[name].astype(object) == checks[name]).to_numpy(dtype=bool)
            out[f"{name}_passed"] = np.where(answered, passed.astype(int), 0)
    out[f"{survey_id}_complete"] = 2
    return pd.DataFrame(out, index=responses.index)


def write_responses(responses: pd.DataFrame, source: Survey | Mapping[str, Any],
                    path: str | Path, output_format: str = "canonical") -> None:
    """Write canonical responses to ``path`` (``-`` = stdout) in one of
    :data:`OUTPUT_FORMATS`, atomically."""
    from .atomic import atomic_write

    if output_format not in OUTPUT_FORMATS:
        raise SurveyError(f"unknown output format {output_format!r} (choose from "
                          f"{', '.join(OUTPUT_FORMATS)})", field="--format")
    if output_format == "surveyjs":  # one result per line (json's fast C encoder)
        results = to_surveyjs(responses, source)
        with atomic_write(path, "w") as handle:
            handle.write("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in results)
                         + "\n]\n")
        return
    frame = {"canonical": lambda r, s: r, "odk": to_odk, "redcap": to_redcap}[output_format](
        responses, source)
    with atomic_write(path, "w", newline="") as handle:
        frame.to_csv(handle, index=False, lineterminator="\n")
