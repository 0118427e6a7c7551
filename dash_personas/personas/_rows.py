"""Rows of a profile table as plain Python records, cheaply."""

from __future__ import annotations

import functools
from collections import namedtuple
from typing import Any

import pandas as pd

__all__ = ["rows"]


@functools.lru_cache(maxsize=64)
def _record(columns: tuple[str, ...]) -> Any:
    return namedtuple("Row", columns, rename=True)


def rows(frame: pd.DataFrame | list[Any]) -> list[Any]:
    """``frame``'s rows as named tuples of plain Python values (like ``itertuples``).

    ``DataFrame.itertuples`` defines a new named-tuple class on every call and reads
    Arrow-backed strings one by one; a persona is built from a dozen small tables, so
    that overhead, not the arithmetic, dominated recomputing personas for a filter.
    A list (rows already read, e.g. one segment's of a whole profile table) is
    returned as it is.
    """
    if isinstance(frame, list):
        return frame
    record = _record(tuple(str(c) for c in frame.columns))
    return [record(*values) for values in frame.to_numpy(dtype=object).tolist()]
