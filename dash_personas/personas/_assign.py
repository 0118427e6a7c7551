"""Assign respondents to the nearest persona prototype and refresh segment sizes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from survey_builder.errors import UserError

from ._model import PersonaSet

__all__ = ["assign_personas", "refresh_sizes"]


def assign_personas(personas: PersonaSet, data: pd.DataFrame) -> np.ndarray:
    """The id of the nearest persona for every row of ``data``.

    Uses the persona set's ``matching`` spec: squared numeric differences divided by
    each feature's scale, plus ``gamma`` per categorical mismatch, over the features
    a row has (missing values are skipped and the sum rescaled to all features, as in
    the engine).

    Parameters
    ----------
    personas : PersonaSet
    data : DataFrame
        Rows with (some of) the prototype columns.

    Returns
    -------
    ndarray of str
        Persona ids.

    Raises
    ------
    ValueError
        ``data`` has none of the prototype columns.
    """
    scale: dict[str, float] = personas.matching.get("numeric_scale", {})
    categorical = [c for c in personas.matching.get("categorical", []) if c in data.columns]
    numeric = [c for c in scale if c in data.columns]
    if not numeric and not categorical:
        raise UserError("the data has none of the columns the personas were built from")
    gamma = float(personas.matching.get("gamma", 1.0))
    n, k = len(data), len(personas)
    total = np.zeros((n, k))
    used = np.zeros((n, 1))
    if numeric:
        x = data[numeric].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        s = np.array([scale[c] or 1.0 for c in numeric])
        observed = ~np.isnan(x)
        used += observed.sum(axis=1, keepdims=True)
        for j, persona in enumerate(personas):
            proto = np.array([np.nan if persona.prototype.get(c) is None
                              else float(persona.prototype[c]) for c in numeric])
            diff = np.where(observed, (x - proto) / s, 0.0)
            total[:, j] += np.nansum(diff * diff, axis=1)
    for c in categorical:
        values = data[c].astype(object).to_numpy()
        present = ~pd.isna(values)
        used[:, 0] += present
        text = np.where(present, values.astype(str), "")
        for j, persona in enumerate(personas):
            total[:, j] += gamma * (present & (text != str(persona.prototype.get(c))))
    n_features = len(numeric) + len(categorical)
    with np.errstate(divide="ignore", invalid="ignore"):
        total *= np.where(used > 0, n_features / used, 1.0)
    ids = np.array([p.id for p in personas], dtype=object)
    return ids[np.argmin(total, axis=1)]


def refresh_sizes(personas: PersonaSet, data: Any) -> PersonaSet:
    """A copy of ``personas`` with sizes and shares counted on ``data`` (nearest prototype).

    Use it to show how big the segments are in new data without re-fitting.
    """
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    ids = assign_personas(personas, frame)
    counts = pd.Series(ids).value_counts()
    n = max(len(frame), 1)
    updated = [p.model_copy(update={"size": int(counts.get(p.id, 0)),
                                    "share": float(counts.get(p.id, 0)) / n})
               for p in personas]
    return personas.model_copy(update={"personas": updated, "n_respondents": len(frame)})
