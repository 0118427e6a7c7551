"""Cronbach's alpha and item statistics against independent computations."""

from __future__ import annotations

import json
import math
import statistics

import numpy as np
import pandas as pd
import pytest

from survey_builder.reliability import (
    cronbach_alpha,
    format_reliability_table,
    item_total_correlations,
    reliability_report,
)


def _alpha_variance_sum(rows: list[list[float]]) -> float:
    """Textbook formula, pure Python: k/(k-1) * (1 - sum(item variances) / var(total))."""
    k = len(rows[0])
    item_vars = [statistics.variance([r[i] for r in rows]) for i in range(k)]
    total_var = statistics.variance([sum(r) for r in rows])
    return k / (k - 1) * (1 - sum(item_vars) / total_var)


def _pearson(x: list[float], y: list[float]) -> float:
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


@pytest.fixture
def correlated_items() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    latent = rng.normal(size=(300, 1))
    data = latent * np.array([1.0, 0.8, 0.6, 0.4, 0.2]) + rng.normal(size=(300, 5))
    return pd.DataFrame(np.round(data, 1), columns=[f"i{j}" for j in range(5)])


def test_hand_computed_two_items() -> None:
    # a = 1,2,3,4 (var 5/3); b = 2,2,4,4 (var 4/3); total = 3,4,7,8 (var 17/3)
    # alpha = 2 * (1 - (5/3 + 4/3) / (17/3)) = 2 * (1 - 9/17) = 16/17
    frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4]})
    assert cronbach_alpha(frame) == pytest.approx(16 / 17, abs=1e-12)


def test_hand_computed_three_items() -> None:
    # items: (1,2,2) (2,2,3) (3,4,3) (4,4,5) (5,5,4)
    # var a = 2.5, var b = 1.8, var c = 1.3; totals 5,7,10,13,14 -> var 14.7
    # alpha = 1.5 * (1 - 5.6 / 14.7) = 13/14
    frame = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 4, 4, 5], "c": [2, 3, 3, 5, 4]})
    assert cronbach_alpha(frame) == pytest.approx(13 / 14, abs=1e-12)


def test_covariance_form_matches_variance_sum(correlated_items: pd.DataFrame) -> None:
    expected = _alpha_variance_sum(correlated_items.to_numpy().tolist())
    assert cronbach_alpha(correlated_items) == pytest.approx(expected, rel=1e-10)
    assert cronbach_alpha(correlated_items.to_numpy()) == pytest.approx(expected, rel=1e-10)


def test_listwise_drops_incomplete_rows(correlated_items: pd.DataFrame) -> None:
    holed = correlated_items.copy()
    holed.iloc[::7, 1] = np.nan
    holed.iloc[::11, 3] = np.nan
    complete = holed.dropna()
    assert cronbach_alpha(holed) == pytest.approx(
        _alpha_variance_sum(complete.to_numpy().tolist()), rel=1e-10
    )


def test_pairwise_equals_listwise_without_missing(correlated_items: pd.DataFrame) -> None:
    assert cronbach_alpha(correlated_items, "pairwise") == pytest.approx(
        cronbach_alpha(correlated_items, "listwise"), rel=1e-12
    )


def test_pairwise_uses_pairwise_covariances(correlated_items: pd.DataFrame) -> None:
    holed = correlated_items.copy()
    holed.iloc[::5, 0] = np.nan
    holed.iloc[2::9, 2] = np.nan
    cols = list(holed.columns)
    k = len(cols)
    cov = np.empty((k, k))
    for i, a in enumerate(cols):
        for j, b in enumerate(cols):
            mask = holed[a].notna() & holed[b].notna()
            x, y = holed.loc[mask, a].tolist(), holed.loc[mask, b].tolist()
            mx, my = statistics.fmean(x), statistics.fmean(y)
            cov[i, j] = sum((p - mx) * (q - my) for p, q in zip(x, y, strict=True)) / (len(x) - 1)
    expected = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    assert cronbach_alpha(holed, "pairwise") == pytest.approx(expected, rel=1e-10)
    assert cronbach_alpha(holed, "pairwise") != pytest.approx(cronbach_alpha(holed), rel=1e-6)


def test_item_total_and_alpha_if_deleted(correlated_items: pd.DataFrame) -> None:
    table = item_total_correlations(correlated_items)
    assert list(table.columns) == ["item_total_r", "alpha_if_deleted", "mean", "sd", "n"]
    rows = correlated_items.to_numpy().tolist()
    for idx, name in enumerate(correlated_items.columns):
        item = [r[idx] for r in rows]
        rest = [sum(r) - r[idx] for r in rows]
        assert table.loc[name, "item_total_r"] == pytest.approx(_pearson(item, rest), rel=1e-9)
        others = [[v for j, v in enumerate(r) if j != idx] for r in rows]
        assert table.loc[name, "alpha_if_deleted"] == pytest.approx(
            _alpha_variance_sum(others), rel=1e-9
        )
    # the weakest-loading item is the one whose deletion helps alpha most
    assert table["item_total_r"].idxmin() == "i4"
    assert table["alpha_if_deleted"].idxmax() == "i4"


def test_reverse_keyed_item_left_unflipped_lowers_alpha(correlated_items: pd.DataFrame) -> None:
    flipped = correlated_items.copy()
    flipped["i0"] = -flipped["i0"]
    assert cronbach_alpha(flipped) < cronbach_alpha(correlated_items)
    assert item_total_correlations(flipped).loc["i0", "item_total_r"] < 0


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": [1.0, 2.0, 3.0]}),  # one item
        pd.DataFrame({"a": [1.0], "b": [2.0]}),  # one respondent
        pd.DataFrame({"a": [3.0, 3.0, 3.0], "b": [2.0, 2.0, 2.0]}),  # constant total
        pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, 2.0]}),  # nobody complete
    ],
)
def test_undefined_alpha_is_nan(frame: pd.DataFrame) -> None:
    assert math.isnan(cronbach_alpha(frame))
    item_total_correlations(frame)  # never raises


def test_report_is_json_and_table_is_readable(correlated_items: pd.DataFrame) -> None:
    report = reliability_report(
        {"good": correlated_items, "single": correlated_items[["i0"]]}, labels={"good": "Good"}
    )
    text = json.dumps(report, allow_nan=False)
    back = json.loads(text)
    assert back["scales"]["good"]["label"] == "Good"
    assert back["scales"]["good"]["n"] == 300
    assert back["scales"]["good"]["k"] == 5
    assert back["scales"]["single"]["alpha"] is None
    assert {i["item"] for i in back["scales"]["good"]["items"]} == set(correlated_items.columns)
    table = format_reliability_table(report)
    assert "good" in table and "alpha=" in table and "i4" in table


def test_bad_missing_policy() -> None:
    with pytest.raises(ValueError, match="listwise"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2], "b": [2, 1]}), missing="everything")  # type: ignore[arg-type]
