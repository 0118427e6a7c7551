"""A wave's feature values as columnar blobs: what a re-fit reads back.

Each feature column is stored as one row of ``wave_features``: a small JSON description
(its kind and, for a categorical column, its levels in code order) and the values as
one NumPy ``.npy`` array (numbers as ``float32`` when that is exact, e.g. answer
scales, else ``float64``; level codes in the narrowest integer type, -1 for a missing
value), loaded with ``allow_pickle=False`` (never pickle). Rows are in the order the
wave's respondents are stored (by respondent id), so a column of a million respondents
is one blob of 1 to 8 MB, written and read in milliseconds.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["COLUMNS_VERSION", "decode_columns", "encode_columns"]

#: Version of a column's description; bump when its meaning changes.
COLUMNS_VERSION = 1


def _npy(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, values, allow_pickle=False)
    return buffer.getvalue()


def _codes(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """Level codes in the narrowest signed integer type that holds them (-1 = missing)."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_levels <= np.iinfo(dtype).max:
            return codes.astype(dtype)
    return codes.astype(np.int64)


def _numbers(values: np.ndarray) -> np.ndarray:
    """``float32`` when that loses nothing (answer scales, counts), else ``float64``."""
    narrow = values.astype(np.float32)
    same = np.array_equal(narrow.astype(np.float64), values, equal_nan=True)
    return narrow if same else values


def _plain(value: Any) -> Any:
    value = value.item() if isinstance(value, np.generic) else value
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def encode_columns(frame: pd.DataFrame) -> list[tuple[str, str, bytes]]:
    """Each column as ``(name, description JSON, .npy bytes)``, in frame order.

    Numeric and boolean columns are stored as ``float64``; every other column (text,
    categorical) as level codes with its levels, so its values and their types (and a
    categorical's order) come back as they were.
    """
    encoded = []
    for name in frame.columns:
        column = frame[name]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            description = {"format_version": COLUMNS_VERSION, "kind": "categorical",
                           "ordered": bool(dtype.ordered),
                           "levels": [_plain(v) for v in dtype.categories]}
            values = _codes(column.cat.codes.to_numpy(), len(dtype.categories))
        elif pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            description = {"format_version": COLUMNS_VERSION, "kind": "number"}
            values = _numbers(column.to_numpy(dtype=np.float64, na_value=np.nan))
        else:
            codes, levels = pd.factorize(column, use_na_sentinel=True)
            description = {"format_version": COLUMNS_VERSION, "kind": "levels",
                           "levels": [_plain(v) for v in levels]}
            values = _codes(codes, len(levels))
        encoded.append((str(name), json.dumps(description, ensure_ascii=False,
                                              allow_nan=False), _npy(values)))
    return encoded


def decode_columns(rows: Iterable[tuple[str, str, bytes]]) -> pd.DataFrame:
    """The frame :func:`encode_columns` stored (columns in the order of ``rows``)."""
    data: dict[str, Any] = {}
    for name, description_text, blob in rows:
        description = json.loads(description_text)
        values = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        kind = description["kind"]
        if kind == "number":
            data[name] = values.astype(np.float64)
        elif kind == "categorical":
            data[name] = pd.Categorical.from_codes(
                values, categories=description["levels"], ordered=description["ordered"])
        else:
            levels = np.array(description["levels"] + [None], dtype=object)
            data[name] = levels[values]  # code -1 picks the trailing None: missing
    return pd.DataFrame(data)
