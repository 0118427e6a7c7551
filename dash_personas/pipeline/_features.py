"""Which columns to segment on: one rule set, with the reason for every column left out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.errors import UserError
from survey_builder.layout import QUALITY_COLUMNS
from survey_builder.scoring import behaviour_columns

__all__ = ["FeatureSelection", "identifier_columns", "select_features"]

ID_NAME_HINTS = ("id", "uuid", "respondent", "record")

#: Reasons a column is left out, as :attr:`FeatureSelection.left_out` reports them.
IDENTIFIER = "identifier"
QUALITY_FLAG = "data-quality flag"
EMPTY = "empty"
CONSTANT = "constant"
FREE_TEXT = "free text"
DATE_TIME = "date/time"
UNSUPPORTED = "unsupported type"
EXCLUDED = "excluded"
NOT_INCLUDED = "not included"
BEHAVIOUR = "behaviour answer"
#: Reasons decided by the rules (not asked for with include/exclude).
AUTOMATIC_REASONS = frozenset({IDENTIFIER, QUALITY_FLAG, EMPTY, CONSTANT, FREE_TEXT, DATE_TIME,
                               UNSUPPORTED, BEHAVIOUR})

# Inferred value kinds (pandas.api.types.infer_dtype) a segmentation feature can hold.
_SCALAR_KINDS = frozenset({"string", "integer", "floating", "mixed-integer-float", "boolean",
                           "mixed-integer", "categorical", "empty"})


def identifier_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that hold a different value on every row: identifiers, not features.

    Text columns that are unique per row always qualify. Integer columns qualify
    when unique per row and either named like an id or numbered consecutively.
    Floating-point columns never do (measurements are often all distinct).

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    list of str
        In column order.
    """
    n = frame.shape[0]
    found: list[str] = []
    if n < 2:
        return found
    for name in frame.columns:
        column = frame[name]
        if (pd.api.types.is_float_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)
                or column.isna().any()):
            continue
        try:
            if column.nunique(dropna=False) != n:
                continue
        except TypeError:  # unhashable values (lists, dicts): not an identifier
            continue
        if pd.api.types.is_integer_dtype(column.dtype):
            lowered = str(name).lower()
            consecutive = bool(np.all(np.diff(np.sort(column.to_numpy())) == 1))
            if not (consecutive or any(h in lowered for h in ID_NAME_HINTS)):
                continue
        found.append(str(name))
    return found


@dataclass(frozen=True)
class FeatureSelection:
    """The columns chosen to segment on, the respondent ids, and why the others were left out.

    Attributes
    ----------
    features : list of str
        The columns to segment on, in the table's order.
    ids : Series
        The respondent id of every row: the first identifier column, else the row number
        (1-based, named ``row``).
    left_out : dict of str to str
        Every other column and the reason: ``identifier``, ``data-quality flag``,
        ``behaviour answer``, ``empty``, ``constant``, ``free text``, ``date/time``,
        ``unsupported type`` (decided by the rules) or ``excluded`` / ``not included`` (asked for).
    """

    features: list[str]
    ids: pd.Series
    left_out: dict[str, str] = field(default_factory=dict)

    @property
    def automatic(self) -> dict[str, str]:
        """The columns the rules left out (not those excluded on request)."""
        return {name: why for name, why in self.left_out.items() if why in AUTOMATIC_REASONS}

    def describe(self) -> str:
        """``respondent_id (identifier), comment (free text)``: the automatic exclusions."""
        return ", ".join(f"{name} ({why})" for name, why in self.automatic.items())


def _reason_to_leave_out(column: pd.Series, n_rows: int, unique_per_row: bool) -> str | None:
    """Why ``column`` cannot be a segmentation feature, or ``None`` when it can."""
    dtype = column.dtype
    if column.isna().all():
        return EMPTY
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return DATE_TIME
    if pd.api.types.is_complex_dtype(dtype):
        return UNSUPPORTED
    numeric = pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)
    if unique_per_row:
        if not numeric:
            text = column.astype(str)
            if text.str.contains(" ", regex=False).mean() > 0.5:
                return FREE_TEXT
        return IDENTIFIER
    values = column.dropna()
    if not numeric:
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind in ("datetime", "datetime64", "date", "timedelta", "time", "period"):
            return DATE_TIME
        if kind not in _SCALAR_KINDS and not (
                kind == "mixed" and values.map(
                    lambda v: isinstance(v, (str, bool, int, float))).all()):
            return UNSUPPORTED
    distinct = values.nunique()
    if distinct < 2:
        return CONSTANT
    if not numeric and distinct > max(50, n_rows // 10):
        return FREE_TEXT
    return None


def select_features(frame: pd.DataFrame, *, include: Iterable[str] = (),
                    exclude: Iterable[str] = (), codebook: Mapping[str, Any] | None = None,
                    source: str = "input", allow_empty: bool = False) -> FeatureSelection:
    """Choose the columns to segment on — the one rule set the CLI, demo and plugins share.

    Left out automatically, each with its reason: identifiers (a different value on
    every row, or the codebook's id column), the data-quality flags of
    ``survey-builder score``, the codebook's behaviour answers, empty and constant
    columns, free text (many distinct strings, or the codebook's text and "Other
    (specify)" columns), dates and times, and values that are neither numbers nor
    categories.

    Parameters
    ----------
    frame : DataFrame
        One row per respondent (for example a ``survey-builder score`` table).
    include : iterable of str, optional
        Use only these columns (they skip the automatic rules, except that an entirely
        empty column is an error).
    exclude : iterable of str, optional
        Leave these columns out as well.
    codebook : mapping, optional
        A ``survey-builder`` codebook; its ``id_column`` is always an identifier, and
        its behaviour answers (``survey_builder.scoring.behaviour_columns``: purchase
        frequency, spend, multiple-choice and ranking options) are left out: they
        describe the personas, CLV already sums them up.
    source : str
        Name of the table in error messages (usually its file name).
    allow_empty : bool, default=False
        Return a selection with no features instead of raising (to show the reasons).

    Returns
    -------
    FeatureSelection

    Raises
    ------
    UserError
        An unknown column in ``include``/``exclude``, an entirely empty included column,
        or nothing left to segment on.
    """
    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    include, exclude = [str(c) for c in include], [str(c) for c in exclude]
    for name in [*include, *exclude]:
        if name not in columns:
            raise UserError(f"no column named {name!r} (columns: {', '.join(columns)})",
                            source, None, name)
    # what people do describes personas; CLV already carries frequency and spend
    behaviour = set(behaviour_columns(codebook)) if codebook is not None else set()
    # the codebook's free-text answers (text questions, "Other (specify)" texts)
    free_text = {str(c["name"]) for c in (codebook or {}).get("columns", ())
                 if c.get("type") in ("text", "other_text")}
    ids_found = identifier_columns(frame)
    id_column = str((codebook or {}).get("id_column") or "")
    if id_column in columns and id_column not in ids_found:
        ids_found.insert(0, id_column)
    unique_per_row = set(ids_found)
    ids = (frame[ids_found[0]] if ids_found
           else pd.Series(np.arange(1, len(frame) + 1), name="row"))

    if include:  # exactly these columns, in the order asked for
        for name in include:
            if frame[name].isna().all():
                raise UserError(f"column {name!r} is entirely empty; leave it out", source,
                                None, name)
        features = [name for name in dict.fromkeys(include) if name not in exclude]
        left_out = {name: EXCLUDED if name in exclude else NOT_INCLUDED
                    for name in columns if name not in features}
    else:
        features, left_out = [], {}
        for name in columns:
            if name in exclude:
                reason: str | None = EXCLUDED
            elif name in QUALITY_COLUMNS:
                reason = QUALITY_FLAG
            elif name == id_column:
                reason = IDENTIFIER
            elif name in behaviour:
                reason = BEHAVIOUR
            elif name in free_text:
                reason = FREE_TEXT
            else:
                reason = _reason_to_leave_out(frame[name], len(frame), name in unique_per_row)
            if reason is None:
                features.append(name)
            else:
                left_out[name] = reason
    if not features and not allow_empty:
        reasons = "; ".join(f"{name} ({why})" for name, why in list(left_out.items())[:8])
        more = f" and {len(left_out) - 8} more" if len(left_out) > 8 else ""
        raise UserError(
            "no usable columns to segment on: every column is an identifier, a data-quality "
            f"flag, free text, empty, constant or of an unsupported type — {reasons}{more}. "
            "Pass numeric answers or scores and categorical answers (a few distinct values "
            "each).", source)
    return FeatureSelection(features, ids, left_out)
