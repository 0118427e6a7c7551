"""Personas of Dask data: what ``build_personas`` needs, reduced from the partitions.

The profile comes from per-partition sums (``profile_segments`` on Dask). The typical
person needs the answers respondents gave *together*: each partition collapses its
rows to the distinct (segment, answers) combinations with their summed weights and
row counts, and :func:`~._typical.typical_people` runs on the concatenation of those,
which gives exactly the typical people of the rows themselves (the combinations keep
the order in which they first occur). No respondent row is collected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from survey_builder.errors import UserError

from ..pipeline import select_features
from ..segmentation._dask import first_rows
from ._model import NetPromoterScore
from ._nps import combine_nps_tables, nps_items, nps_tables
from ._typical import TypicalPerson, typical_people

_SEGMENT = "__dash_personas_segment__"
_WEIGHT = "__dash_personas_weight__"
_ROWS = "__dash_personas_rows__"


@dataclass
class DaskInputs:
    """The lazy pieces of a Dask persona build."""

    model: Any
    labels: dd.Series
    described: dd.DataFrame
    weight_name: str | None
    weights: dd.Series | None
    data: dd.DataFrame | None = None  # every column (NPS groups are found among them)


def dask_inputs(model: Any, data: Any, scores: Any, sample_weight: Any) -> DaskInputs:
    """Labels, weights and the columns to describe, as lazy Dask collections."""
    if not isinstance(data, dd.DataFrame):
        raise UserError("build_personas on Dask takes a Dask DataFrame holding the model's "
                        "columns and the columns to describe")
    if scores is not None:
        raise UserError("on Dask, pass one Dask DataFrame as data, with the model's columns "
                        "and every column to describe (scores= is for in-memory data)",
                        field="scores")
    if not hasattr(model, "cluster_centers_"):
        raise UserError("on Dask, pass the fitted model (its prototypes and predict), not "
                        "labels")
    names = [str(c) for c in getattr(model, "feature_names_in_", [])]
    if not names:
        raise UserError("the model was fitted without column names; fit it on a DataFrame "
                        "to build personas of Dask data")
    frame = data.rename(columns={c: str(c) for c in data.columns})
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise UserError(f"the data lacks column(s) the model was fitted on: "
                        f"{', '.join(missing[:5])}")
    weight_name, weights = None, None
    if isinstance(sample_weight, str):
        if sample_weight not in frame.columns:
            raise UserError(f"no weight column {sample_weight!r} in the data",
                            field=sample_weight)
        weight_name, weights = sample_weight, frame[sample_weight]
    elif sample_weight is not None:
        weights = sample_weight
    sample = first_rows(frame)
    # what can describe a person, judged on the first non-empty partition
    chosen = select_features(sample, allow_empty=True,
                             exclude=[weight_name] if weight_name else ())
    labels = model.predict(frame[names])
    return DaskInputs(model, labels, frame[chosen.features], weight_name, weights, frame)


def _collapse(part: pd.DataFrame, labels: Any, weights: Any, columns: list[str]
              ) -> pd.DataFrame:
    """The distinct (segment, answers) of one partition, weights and rows summed."""
    frame = part[columns].assign(**{
        _SEGMENT: np.asarray(labels),
        _WEIGHT: 1.0 if weights is None else np.asarray(weights, dtype=np.float64),
        _ROWS: 1.0})
    return _regroup(frame, columns)


def _regroup(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    grouped = frame.groupby([_SEGMENT, *columns], sort=False, dropna=False, observed=True)
    return grouped[[_WEIGHT, _ROWS]].sum().reset_index()


def typical_people_dask(described: dd.DataFrame, columns: list[str], labels: dd.Series,
                        weights: dd.Series | None) -> dict[Any, TypicalPerson]:
    """:func:`~._typical.typical_people` of Dask data, from collapsed partitions."""
    if not columns:
        return {}
    parts = described[columns].to_delayed()
    label_blocks = labels.to_delayed()
    weight_blocks = weights.to_delayed() if weights is not None else [None] * len(parts)
    pieces = dask.compute(*[dask.delayed(_collapse)(part, block, weight, columns)
                            for part, block, weight in zip(parts, label_blocks,
                                                           weight_blocks)])
    combined = _regroup(pd.concat(pieces, ignore_index=True), columns)
    return typical_people(combined[columns], columns, combined[_SEGMENT].to_numpy(),
                          combined[_WEIGHT].to_numpy(), combined[_ROWS].to_numpy())


def segment_nps_dask(data: dd.DataFrame, labels: dd.Series, columns: Mapping[str, str],
                     weights: dd.Series | None, min_base: float
                     ) -> dict[Any, list[NetPromoterScore]]:
    """:func:`~._nps.segment_nps` of Dask data: each partition's NPS sums, added up."""
    names = [name for name in columns if name in data.columns]
    if not names:
        return {}
    parts = data[names].to_delayed()
    label_blocks = labels.to_delayed()
    weight_blocks = weights.to_delayed() if weights is not None else [None] * len(parts)
    pieces = dask.compute(*[dask.delayed(_partition_nps)(part, block, weight, names)
                            for part, block, weight in zip(parts, label_blocks,
                                                           weight_blocks)])
    tables = {name: {key: combine_nps_tables([piece[name][key] for piece in pieces])
                     for key in pieces[0][name]} for name in names}
    return nps_items(tables, columns, weights is not None, min_base)


def _partition_nps(part: pd.DataFrame, labels: Any, weights: Any, names: list[str]
                   ) -> dict[str, dict[str, pd.DataFrame]]:
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    return {name: nps_tables(part[name].reset_index(drop=True), np.asarray(labels), w)
            for name in names}
