"""Validation of responses against the codebook, shared by every format.

:func:`check_missing` and :func:`check_unknown` report the file's columns that do not match
the codebook's (each format first matches names its own way). :func:`validate` checks each
canonical column of a :class:`~._layout.Parsed` file and converts it to its final dtype: ids
present and unique, option codes known (labels in any language are mapped back to codes,
case-insensitively), numbers parseable, whole where required and within range,
multiple-choice options 0 or 1, a "Don't know" answer (its code or its label) where the
question offers one. The first invalid cell in file order is reported with its
file, line (or row) and source column, and how many more there are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import SurveyError
from ._layout import Layout, Parsed

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["check_missing", "check_unknown", "dont_know_column", "validate"]

_TRUE = frozenset({"1", "1.0", "true", "yes", "checked", "selected"})
_FALSE = frozenset({"0", "0.0", "false", "no", "unchecked", "not selected"})


def check_missing(missing: list[str], source: str, hint: str = "") -> None:
    """Raise for codebook columns the file lacks (the first ten are named)."""
    if missing:
        listed = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise SurveyError(f"{len(missing)} codebook column(s) missing from the file: {listed}"
                          f"{hint}", source, 1)


def check_unknown(unknown: list[str], source: str, fmt: str, hint: str = "") -> None:
    """Raise for columns the codebook does not know (the first ten are named)."""
    if unknown:
        listed = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise SurveyError(f"{len(unknown)} column(s) not in the codebook: {listed} (is this the "
                          f"right survey/version? read as {fmt}{hint}; pass "
                          "--ignore-extra-columns to drop them)", source, 1)


#: An NPS choice label of the exports: the number, then `` - `` and the end's label.
_NPS_LABEL = r"^\s*(\d{1,2})\s+-\s.*$"


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

    def raise_first(self, parsed: Parsed, source: str) -> None:
        if not self.first:
            return
        row, _, name, message = min(self.first)
        others = self.total - 1
        line, where = parsed.locate(row)
        suffix = f"; {others} more invalid value(s) in the file" if others else ""
        raise SurveyError(f"{message} ({where}{suffix})", source, line,
                          parsed.origin.get(name, name))


def validate(parsed: Parsed, layout: Layout, source: str) -> pd.DataFrame:
    """Check every canonical column of ``parsed`` and return the canonical frame.

    Parameters
    ----------
    parsed : Parsed
        Raw canonical columns from one of the format parsers.
    layout : Layout
        The codebook the responses belong to.
    source : str
        File name for error messages.

    Returns
    -------
    DataFrame
        Columns in codebook order: the id as strings, Likert/option/rank/integer columns as
        nullable ``Int64``, other numbers as float, codes and text as strings.

    Raises
    ------
    SurveyError
        The first invalid value in file order, with its line (or row) and source column.
    """
    import numpy as np
    import pandas as pd

    n = parsed.n
    problems = _Problems()
    out: dict[str, Any] = {}
    dont_know: dict[str, np.ndarray] = {}  # column -> its "Don't know" cells
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

        if kind in ("id", "text", "other_text"):
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
            if col.get("dont_know"):
                dont_know[name], text = _dont_know_cells(text, col["dont_know"])
            lookup = binary if kind == "multiple_choice_option" else _label_lookup(col)
            if kind == "nps" and not pd.api.types.is_numeric_dtype(text.dtype):
                # a label export's "10 - Extremely likely" (the ends' choice labels)
                number_of = text.astype("str").str.extract(_NPS_LABEL, expand=False)
                text = text.where(number_of.isna(), number_of)
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
        if name in dont_know:
            columns[name] = dont_know_column(values, dont_know[name], col["dont_know"]["code"])
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


def dont_know_column(numbers: np.ndarray, dont_know: np.ndarray, code: str) -> np.ndarray:
    """The canonical cells of a column offering "Don't know": objects, whole numbers as
    ``int``, ``code`` where ``dont_know`` is true, ``pd.NA`` where missing.

    Parameters
    ----------
    numbers : ndarray of float
        The numeric answers (``NaN`` where missing or "Don't know").
    dont_know : ndarray of bool
        The "Don't know" answers.
    code : str
        The "Don't know" code (:data:`survey_builder.layout.DONT_KNOW_CODE`).

    Returns
    -------
    ndarray of object
    """
    import numpy as np
    import pandas as pd

    whole = pd.array(np.asarray(numbers, dtype=float), dtype="Float64").astype("Int64")
    cells = np.asarray(whole.astype(object), dtype=object)
    cells[np.asarray(dont_know, dtype=bool)] = code
    return cells


def _dont_know_cells(values: pd.Series, entry: Mapping[str, Any]
                     ) -> tuple[np.ndarray, pd.Series]:
    """Which cells answer "Don't know" (its code, or its label in any language, any case),
    and the values with those cells blank."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values.dtype):
        return np.zeros(len(values), dtype=bool), values
    accepted = {str(entry["code"]).casefold()}
    accepted |= {str(text).strip().casefold() for text in (entry.get("label") or {}).values()}
    text = _as_strings(values)
    mask = text.str.strip().str.casefold().isin(accepted).to_numpy(dtype=bool)
    if not mask.any():
        return mask, values
    return mask, pd.Series(values.astype(object).where(~mask, None), dtype=object)


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"

