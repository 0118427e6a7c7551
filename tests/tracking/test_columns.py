"""A wave's feature values stored as columnar blobs come back as they went in."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from dash_personas.tracking._columns import decode_columns, encode_columns


def test_every_kind_of_column_round_trips():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "score": rng.normal(size=6),
        "likert": [1, 2, 3, 4, 5, np.nan],
        "flag": [True, False, True, True, False, False],
        "channel": ["web", "shop", None, "web", "app", "shop"],
        "coded": pd.Series([3, 1, 3, 2, 1, 1], dtype=object),
        "band": pd.Categorical(["low", "high", "mid", None, "low", "high"],
                               categories=["low", "mid", "high"], ordered=True),
    })
    back = decode_columns(encode_columns(frame))
    assert list(back.columns) == list(frame.columns)
    np.testing.assert_array_equal(back["score"], frame["score"])
    np.testing.assert_array_equal(back["likert"], frame["likert"])
    np.testing.assert_array_equal(back["flag"], frame["flag"].astype(float))
    assert back["channel"].tolist() == frame["channel"].tolist()
    assert back["coded"].tolist() == [3, 1, 3, 2, 1, 1]
    assert back["band"].dtype == frame["band"].dtype
    assert back["band"].tolist()[:3] == ["low", "high", "mid"] and pd.isna(back["band"][3])


def test_values_are_stored_narrow_when_that_is_exact_and_never_pickled():
    frame = pd.DataFrame({"likert": np.arange(1000) % 5 + 1.0,
                          "score": np.linspace(0, 1, 1000) + 1e-9,
                          "channel": np.where(np.arange(1000) % 2, "web", "shop")})
    stored = {name: (json.loads(description), np.load(io.BytesIO(blob), allow_pickle=False))
              for name, description, blob in encode_columns(frame)}
    assert stored["likert"][1].dtype == np.float32
    assert stored["score"][1].dtype == np.float64
    assert stored["channel"][1].dtype == np.int8
    assert stored["channel"][0]["levels"] == ["shop", "web"]
    with pytest.raises(ValueError):
        buffer = io.BytesIO()
        np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        decode_columns([("x", json.dumps({"kind": "number"}), buffer.getvalue())])
