"""A wave's table checked against the study, and its assignment to the current segments.

The first wave fixes the study's *column contract*: its column names and, for every
categorical feature of the model, the set of levels seen. Every later wave must have
exactly those columns and no level outside those sets, so a renamed question or a
recoded answer scale is caught before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.errors import UserError

__all__ = ["Assignment", "assign", "check_columns", "column_contract", "described_columns",
           "id_order", "prepare_wave"]


@dataclass(frozen=True)
class Assignment:
    """Each respondent's segment under a segmentation, and how well it fits.

    Attributes
    ----------
    segment : ndarray of int
        Nearest prototype.
    distance : ndarray of float
        k-prototypes distance to that prototype.
    confidence : ndarray of float
        Relative margin ``(d2 - d1) / d2`` between the nearest (``d1``) and the
        second-nearest (``d2``) prototype: 0 for a respondent exactly between two
        segments, 1 for one sitting on its prototype. 1 when there is a single segment,
        0 when both distances are 0.
    """

    segment: np.ndarray
    distance: np.ndarray
    confidence: np.ndarray


def assign(model: Any, data: pd.DataFrame, *, encoded: Any = None) -> Assignment:
    """Assign ``data`` to ``model``'s prototypes (what :meth:`~KPrototypes.transform` does).

    Parameters
    ----------
    model : KPrototypes
        Fitted model.
    data : DataFrame
        The model's feature columns.
    encoded : EncodedData, optional
        ``model.encoder_.transform(data)`` when the caller has it already (add-wave
        reuses it for the drift profile instead of encoding a million rows twice).

    Returns
    -------
    Assignment
    """
    from ..segmentation import membership_from_distances  # keeps scikit-learn off import

    if encoded is None:
        encoded = model.encoder_.transform(data)
    distances = model.distance_.to_prototypes(encoded, model.prototypes_)
    membership = membership_from_distances(distances)
    return Assignment(membership.segment, membership.distance, membership.confidence)


def _levels(column: pd.Series) -> list[str]:
    # unique first, then text: casting a million values to str costs seconds
    return sorted({str(v) for v in pd.unique(column.dropna().to_numpy())})


def column_contract(frame: pd.DataFrame, model: Any) -> dict[str, Any]:
    """The contract a first wave sets: its columns and the model's categorical levels."""
    categorical = [str(c) for c in model.categorical_features_]
    return {"columns": [str(c) for c in frame.columns],
            "levels": {name: _levels(frame[name]) for name in categorical if name in frame}}


def described_columns(frame: pd.DataFrame, model: Any, personas: Any,
                      exclude: Iterable[str | None] = ()) -> list[str]:
    """The columns of a wave besides the model's features that a study keeps.

    The columns the personas describe and every column the feature rules would accept
    (:func:`~dash_personas.pipeline.select_features` without a codebook: demographics,
    behaviour answers, numbers; not identifiers, free text, dates or quality flags):
    what the dashboard recomputes and filters a wave's personas on.
    """
    from ..pipeline import select_features

    left_out = {str(c) for c in model.feature_names_in_} | {str(c) for c in exclude if c}
    chosen = set(select_features(frame, allow_empty=True,
                                 exclude=[c for c in left_out if c in frame.columns]).features)
    chosen |= {f.name for f in personas.features if f.name in frame.columns}
    return [c for c in frame.columns if c in chosen and c not in left_out]


def _quoted(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_columns(frame: pd.DataFrame, contract: dict[str, Any], source: str) -> None:
    """Refuse a wave whose columns or categorical levels differ from the contract.

    Raises
    ------
    UserError
        Naming the missing, extra (possibly renamed) columns or the new levels.
    """
    expected = list(contract["columns"])
    present = [str(c) for c in frame.columns]
    missing = [c for c in expected if c not in set(present)]
    extra = [c for c in present if c not in set(expected)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {_quoted(missing)}")
        if extra:
            parts.append(f"not in the study {_quoted(extra)}")
        hint = (f" (was {missing[0]!r} renamed to {extra[0]!r}?)"
                if len(missing) == 1 and len(extra) == 1 else "")
        raise UserError(f"the wave's columns differ from the study's: {'; '.join(parts)}{hint}",
                        file=source)
    for name, levels in contract.get("levels", {}).items():
        known = set(levels)
        new = [v for v in _levels(frame[name]) if v not in known]
        if new:
            raise UserError(f"levels not in the study: {_quoted(new)} (the study has "
                            f"{_quoted(levels)})", file=source, field=name)


@dataclass(frozen=True)
class PreparedWave:
    """A validated wave: ids (text), weights and the model's features, in input order.

    ``order`` sorts the rows by id: the store inserts them in that order (see
    :mod:`._schema`), reordering only the per-row results instead of the whole table.
    """

    ids: np.ndarray
    weights: np.ndarray
    features: pd.DataFrame
    weighted: bool
    order: np.ndarray


def _id_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(column.dtype):
        whole = column.dropna()
        if (whole == np.round(whole)).all():
            column = column.astype("Int64")
    return column.astype(str)


def prepare_wave(frame: pd.DataFrame, model: Any, *, id_column: str, weight: str | None,
                 source: str) -> PreparedWave:
    """Check ids, weights and feature types of a wave.

    Raises
    ------
    UserError
        Missing id or weight column, missing or duplicate ids, negative or non-numeric
        weights, model features that are missing or not numeric where they must be.
    """
    if len(frame) == 0:
        raise UserError("the wave has no respondents", file=source)
    if id_column not in frame.columns:
        raise UserError(f"no respondent id column {id_column!r} (pass --id-column)",
                        file=source)
    raw_ids = frame[id_column]
    if raw_ids.isna().any():
        row = int(np.flatnonzero(raw_ids.isna().to_numpy())[0])
        raise UserError(f"respondent id missing on row {row + 1}", file=source, field=id_column)
    ids = _id_text(raw_ids)
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise UserError(f"respondent ids are not unique: {_quoted(sorted(set(duplicated)))}",
                        file=source, field=id_column)
    if weight is None:
        weights = np.ones(len(frame))
    else:
        if weight not in frame.columns:
            raise UserError(f"no weight column {weight!r}", file=source)
        values = pd.to_numeric(frame[weight], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(values).all() or (values < 0).any() or values.sum() <= 0:
            raise UserError("weights must be finite numbers >= 0, not all 0", file=source,
                            field=weight)
        weights = values
    features = [str(c) for c in model.feature_names_in_]
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise UserError(f"the wave lacks the segmentation's columns {_quoted(missing)}",
                        file=source)
    data = frame[features].copy()
    for name in model.numeric_features_:
        column = data[name]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            numeric = pd.to_numeric(column, errors="coerce")
            if (numeric.isna() & column.notna()).any():
                raise UserError("expected numbers (the segmentation uses it as numeric)",
                                file=source, field=str(name))
            data[name] = numeric
    return PreparedWave(ids.to_numpy(dtype=object), weights, data.reset_index(drop=True),
                        weight is not None, id_order(ids.to_numpy(dtype=object)))


def id_order(ids: np.ndarray) -> np.ndarray:
    """The order that sorts respondent ids: how a wave's rows and feature values are stored.

    Sorted here rather than by the database, whose text collation depends on the server
    (PostgreSQL sorts by locale), so a wave's stored feature values line up with its
    respondents on any backend.
    """
    # fixed-width text sorts in C; Python str objects would compare one by one
    return np.argsort(np.asarray(ids).astype(str), kind="stable")
