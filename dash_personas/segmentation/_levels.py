"""Category levels as JSON values that load back equal (type-tagged where JSON has no type).

Strings, finite floats, ints and bools are stored as themselves, so model files
written before levels were tagged load unchanged. Every other level type that
pandas can factorise and a model can sensibly carry is stored as a tagged object
``{"$level": <type>, "value": <text or list>}`` (a level itself is never a dict:
dicts are not hashable, so the tag cannot be confused with a level).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
from typing import Any

import numpy as np
import pandas as pd

TAG = "$level"


class UnsavableLevelError(TypeError):
    """A category level of a type that has no JSON form (the caller names the column)."""


def level_to_json(value: Any) -> Any:
    """A JSON-safe form of the category level ``value``.

    Raises
    ------
    UnsavableLevelError
        For a type without a JSON form here (e.g. an arbitrary object).
    """
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.timedelta64):
        value = pd.Timedelta(value)
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _tagged("float", repr(value))
    if isinstance(value, pd.Timestamp):
        return _tagged("timestamp", value.isoformat(),
                       tz=None if value.tzinfo is None else str(value.tzinfo))
    if isinstance(value, dt.datetime):
        return _tagged("datetime", value.isoformat())
    if isinstance(value, dt.date):
        return _tagged("date", value.isoformat())
    if isinstance(value, dt.time):
        return _tagged("time", value.isoformat())
    if isinstance(value, pd.Timedelta):
        return _tagged("timedelta", value.isoformat())
    if isinstance(value, dt.timedelta):
        return _tagged("pytimedelta", [value.days, value.seconds, value.microseconds])
    if isinstance(value, pd.Period):
        return _tagged("period", str(value), freq=value.freqstr)
    if isinstance(value, pd.Interval):
        return _tagged("interval", [level_to_json(value.left), level_to_json(value.right)],
                       closed=value.closed)
    if isinstance(value, decimal.Decimal):
        return _tagged("decimal", str(value))
    if isinstance(value, complex):
        return _tagged("complex", [level_to_json(value.real), level_to_json(value.imag)])
    if isinstance(value, bytes):
        return _tagged("bytes", base64.b64encode(value).decode("ascii"))
    if isinstance(value, tuple):
        return _tagged("tuple", [level_to_json(v) for v in value])
    if isinstance(value, frozenset):
        return _tagged("frozenset", sorted((level_to_json(v) for v in value), key=repr))
    raise UnsavableLevelError(f"a level of type {type(value).__name__} ({value!r}) "
                              "cannot be saved")


def level_from_json(value: Any) -> Any:
    """The level that :func:`level_to_json` stored as ``value``."""
    if not isinstance(value, dict):
        return value
    kind, payload = value[TAG], value["value"]
    if kind == "float":
        return float(payload)
    if kind == "timestamp":
        stamp = pd.Timestamp(payload)  # carries its UTC offset; the zone name is extra
        try:
            return stamp.tz_convert(value["tz"]) if value.get("tz") else stamp
        except (ValueError, TypeError, KeyError):
            return stamp
    if kind == "datetime":
        return dt.datetime.fromisoformat(payload)
    if kind == "date":
        return dt.date.fromisoformat(payload)
    if kind == "time":
        return dt.time.fromisoformat(payload)
    if kind == "timedelta":
        return pd.Timedelta(payload)
    if kind == "pytimedelta":
        days, seconds, microseconds = payload
        return dt.timedelta(days=days, seconds=seconds, microseconds=microseconds)
    if kind == "period":
        return pd.Period(payload, freq=value["freq"])
    if kind == "interval":
        left, right = (level_from_json(v) for v in payload)
        return pd.Interval(left, right, closed=value["closed"])
    if kind == "decimal":
        return decimal.Decimal(payload)
    if kind == "complex":
        real, imag = (level_from_json(v) for v in payload)
        return complex(real, imag)
    if kind == "bytes":
        return base64.b64decode(payload)
    if kind == "tuple":
        return tuple(level_from_json(v) for v in payload)
    if kind == "frozenset":
        return frozenset(level_from_json(v) for v in payload)
    raise ValueError(f"unknown level type {kind!r}")


def _tagged(kind: str, payload: Any, **extra: Any) -> dict[str, Any]:
    return {TAG: kind, "value": payload, **extra}
