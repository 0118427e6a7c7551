"""Survey weights from a column of the scores table, checked once for every entry point."""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey_builder.errors import UserError

from ..segmentation._encoding import _check_sample_weight

__all__ = ["read_weights"]


def read_weights(frame: pd.DataFrame, column: str, *, source: str = "scores") -> np.ndarray:
    """The survey weights in ``frame[column]``, validated.

    Parameters
    ----------
    frame : DataFrame
        One row per respondent.
    column : str
        The weight column (it is never a segmentation feature).
    source : str
        The table's name (usually its file) in error messages.

    Returns
    -------
    ndarray of float64, shape (n_rows,)

    Raises
    ------
    UserError
        The column is missing, not numeric, has missing, infinite or negative values,
        or is zero everywhere; the message names ``source`` and ``column``.
    """
    def fail(message: str) -> UserError:
        return UserError(message, file=source, field=f"weight column {column!r}")

    if column not in frame.columns:
        known = ", ".join(map(str, list(frame.columns)[:8]))
        raise fail(f"no such column (columns: {known}"
                   f"{', ...' if frame.shape[1] > 8 else ''})")
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any() or isinstance(raw.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(raw):
        first = raw[bad].iloc[0] if bad.any() else raw.iloc[0]
        raise fail(f"weights must be numbers, found {first!r}")
    weights = values.to_numpy(dtype=np.float64, na_value=np.nan)
    problems = {"missing": np.isnan(weights), "infinite": np.isinf(weights),
                "negative": weights < 0}
    for what, mask in problems.items():
        if mask.any():
            rows = np.flatnonzero(mask)
            raise fail(f"{mask.sum()} {what} weight(s), first in data row {rows[0] + 1}")
    if not weights.any():
        raise fail("every weight is zero")
    try:  # and every rule the engine applies to weights (e.g. a total it can compute with)
        _check_sample_weight(weights, weights.shape[0])
    except UserError as exc:
        raise fail(exc.message) from None
    return weights
