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

    The engine's k-prototypes distance (:class:`~dash_personas.segmentation.KPrototypesDistance`)
    with the persona set's ``matching`` spec: numeric features divided by their scale,
    ``gamma`` per categorical mismatch, over the features a row has (the sum rescaled to
    all features, as in the engine). A level no persona has always mismatches; a row with
    none of the features goes to the largest persona.

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
    UserError
        ``data`` has none of the prototype columns.
    """
    from ..segmentation import EncodedData, KPrototypesDistance, Prototypes
    from ..segmentation._encoding import MISSING, UNSEEN

    scale: dict[str, float] = personas.matching.get("numeric_scale", {})
    categorical = [c for c in personas.matching.get("categorical", []) if c in data.columns]
    numeric = [c for c in scale if c in data.columns]
    if not numeric and not categorical:
        raise UserError("the data has none of the columns the personas were built from")
    n = len(data)
    s = np.array([scale[c] or 1.0 for c in numeric])
    x = data[numeric].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float) / s
    observed = ~np.isnan(x)
    centres = np.array([[np.nan if p.prototype.get(c) is None else float(p.prototype[c])
                         for c in numeric] for p in personas], dtype=float).reshape(
                             len(personas), len(numeric)) / s
    # a prototype without a value for a feature sits at the data's mean of it
    fill = np.where(observed.any(axis=0), np.nanmean(np.where(observed, x, np.nan), axis=0)
                    if n else 0.0, 0.0) if numeric else np.zeros(0)
    centres = np.where(np.isnan(centres), fill, centres)

    levels = [sorted({str(p.prototype.get(c)) for p in personas}) for c in categorical]
    codes = np.empty((n, len(categorical)), dtype=np.int32)
    proto_codes = np.empty((len(personas), len(categorical)), dtype=np.int32)
    for j, (column, known) in enumerate(zip(categorical, levels)):
        values = data[column].astype(object)
        present = values.notna().to_numpy()
        index = pd.Index(known).get_indexer(values.astype(str))
        codes[:, j] = np.where(present, np.where(index >= 0, index, UNSEEN), MISSING)
        proto_codes[:, j] = [known.index(str(p.prototype.get(column))) for p in personas]

    cat_observed = codes != MISSING
    n_observed = observed.sum(axis=1) + cat_observed.sum(axis=1)
    total = len(numeric) + len(categorical)
    row_scale = np.where(n_observed > 0, total / np.maximum(n_observed, 1), 0.0)
    encoded = EncodedData(numeric=np.ascontiguousarray(np.where(observed, x, 0.0)),
                          numeric_mask=observed if not observed.all() else None,
                          categorical=codes, row_scale=row_scale)
    distance = KPrototypesDistance(np.ones(len(numeric)), np.ones(len(categorical)),
                                   [len(known) for known in levels],
                                   float(personas.matching.get("gamma", 1.0)))
    nearest, _ = distance.nearest(encoded, Prototypes(np.ascontiguousarray(centres),
                                                      proto_codes))
    ids = np.array([p.id for p in personas], dtype=object)
    return ids[nearest]


def refresh_sizes(personas: PersonaSet, data: Any) -> PersonaSet:
    """A copy of ``personas`` with sizes and shares counted on ``data`` (nearest prototype).

    Use it to show how big the segments are in new data without re-fitting. When the
    personas were built with a weight column (``statistics.weight``) that ``data`` has,
    the shares are weighted by it, as they were when the personas were built.
    """
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    ids = pd.Series(assign_personas(personas, frame))
    counts = ids.value_counts()
    column = personas.statistics.weight if personas.statistics is not None else None
    if column and column in frame.columns:
        from ..pipeline import read_weights

        weights = pd.Series(read_weights(frame, column, source="data"))
        totals = weights.groupby(ids).sum()
        total = float(weights.sum())
    else:
        totals, total = counts.astype(float), float(max(len(frame), 1))
    updated = [p.model_copy(update={"size": int(counts.get(p.id, 0)),
                                    "share": float(totals.get(p.id, 0.0)) / total})
               for p in personas]
    return personas.model_copy(update={"personas": updated, "n_respondents": len(frame)})
