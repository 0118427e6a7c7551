"""Reading response tables for segmentation and writing segment labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from survey_builder.atomic import atomic_write
from survey_builder.errors import UserError
from survey_builder.layout import QUALITY_COLUMNS

ID_NAME_HINTS = ("id", "uuid", "respondent", "record")


def read_table(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CSV of responses or scores (:func:`survey_builder.read_scores`'s frame)."""
    from survey_builder.scores import read_scores

    return read_scores(path, encoding=encoding).frame


def identifier_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that hold a different value on every row: identifiers, not features.

    Text columns that are unique per row always qualify. Integer columns qualify
    when unique per row and either named like an id or numbered consecutively.
    Floating-point columns never do (measurements are often all distinct).
    """
    n = frame.shape[0]
    found = []
    if n < 2:
        return found
    for name in frame.columns:
        column = frame[name]
        if column.isna().any() or pd.api.types.is_float_dtype(column.dtype):
            continue
        if pd.api.types.is_bool_dtype(column.dtype):
            continue
        if column.nunique(dropna=False) != n:
            continue
        if pd.api.types.is_integer_dtype(column.dtype):
            lowered = str(name).lower()
            values = np.sort(column.to_numpy())
            consecutive = bool(np.all(np.diff(values) == 1))
            if not (consecutive or any(h in lowered for h in ID_NAME_HINTS)):
                continue
        found.append(str(name))
    return found


def select_columns(frame: pd.DataFrame, include: list[str], exclude: list[str],
                   source: str = "input") -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Apply ``--include``/``--exclude`` and drop identifier and data-quality columns.

    Returns the feature frame, the respondent ids (first identifier column, else
    the row number) and the columns that were left out automatically: identifiers
    and the data-quality flags of ``survey-builder score`` (:data:`QUALITY_COLUMNS`),
    unless named in ``include``.
    """
    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    for name in [*include, *exclude]:
        if name not in columns:
            raise UserError(f"{source}: no column named {name!r} (columns: {', '.join(columns)})")
    ids_found = identifier_columns(frame)
    ids = frame[ids_found[0]] if ids_found else pd.Series(np.arange(1, len(frame) + 1),
                                                          name="row")
    automatic = [*ids_found, *(c for c in QUALITY_COLUMNS if c in columns)]
    keep = include or [c for c in columns if c not in automatic]
    keep = [c for c in keep if c not in exclude]
    dropped_ids = [c for c in automatic if c not in include]
    if not keep:
        raise UserError(f"{source}: no columns left to segment on")
    data = frame[keep]
    unusable = [c for c in keep if data[c].isna().all()]
    if unusable:
        raise UserError(f"{source}: column {unusable[0]!r} is entirely empty; exclude it")
    return data, ids, dropped_ids


def write_labels(path: str | Path, ids: pd.Series, labels: np.ndarray) -> None:
    """Write ``id,segment`` rows atomically."""
    table = pd.DataFrame({ids.name or "id": ids.to_numpy(), "segment": labels})
    with atomic_write(path, "w", newline="") as handle:
        table.to_csv(handle, index=False)
