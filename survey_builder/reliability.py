"""Internal-consistency reliability of psychometric scales.

Everything here is computed from one item covariance matrix ``C`` (``k`` items):

* Cronbach's alpha ``= k / (k - 1) * (1 - trace(C) / sum(C))`` — the covariance form of the
  familiar "item variances over total variance" formula (``sum(C)`` *is* the variance of the
  sum score).
* Corrected item-total correlation of item ``i``: the correlation between the item and the sum of
  the *other* items, ``(rowsum_i - C_ii) / sqrt(C_ii * (sum(C) - 2 rowsum_i + C_ii))``.
* Alpha if item ``i`` is deleted: alpha of ``C`` without row and column ``i``.

Missing answers
---------------
``missing="listwise"`` (the default, and what SPSS ``RELIABILITY`` and R ``psych::alpha`` with
complete cases report) keeps only respondents who answered every item of the scale, so every
statistic refers to the same people. ``missing="pairwise"`` estimates each covariance from the
respondents who answered both items; it uses more data but the matrix can be slightly
inconsistent (in rare cases not positive semi-definite), so alpha may fall outside ``[0, 1]``.

Statistics that are undefined (fewer than two items, fewer than two respondents, a constant
total) are ``NaN`` rather than errors: a reliability report should never stop a scoring run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "MissingPolicy",
    "cronbach_alpha",
    "format_reliability_table",
    "item_total_correlations",
    "reliability_report",
    "scale_reliability",
]

MissingPolicy = Literal["listwise", "pairwise"]


def _covariance(items: pd.DataFrame, missing: MissingPolicy) -> tuple[np.ndarray, int]:
    """Item covariance matrix (ddof=1) and the number of respondents it rests on.

    For ``pairwise`` the reported ``n`` is the number of respondents with at least two answered
    items (the most any covariance can use).
    """
    import numpy as np

    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', not {missing!r}")
    values = items.to_numpy(dtype=float, na_value=np.nan)
    k = values.shape[1]
    if missing == "listwise":
        values = values[~np.isnan(values).any(axis=1)]
        n = values.shape[0]
        if n < 2 or k == 0:
            return np.full((k, k), np.nan), n
        return np.atleast_2d(np.cov(values, rowvar=False, ddof=1)), n
    n = int((np.sum(~np.isnan(values), axis=1) >= 2).sum()) if k >= 2 else 0
    cov = items.astype(float).cov(min_periods=2).to_numpy(dtype=float)
    return cov, n


def _alpha_from_cov(cov: np.ndarray) -> float:
    import numpy as np

    k = cov.shape[0]
    if k < 2:
        return math.nan
    total = float(np.sum(cov))
    if not np.isfinite(total) or total <= 0:
        return math.nan
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total)


def cronbach_alpha(items: pd.DataFrame | np.ndarray, missing: MissingPolicy = "listwise") -> float:
    """Cronbach's alpha of a set of items.

    Parameters
    ----------
    items : DataFrame or 2-D array
        One row per respondent, one column per item, already reverse-keyed (a reverse-keyed item
        left unflipped lowers alpha, which is exactly what alpha is meant to reveal). ``NaN``
        marks a missing answer.
    missing : {"listwise", "pairwise"}
        ``"listwise"`` uses only respondents who answered every item; ``"pairwise"`` estimates each
        item covariance from everyone who answered both items. See the module docstring.

    Returns
    -------
    float
        Alpha, or ``NaN`` when it is undefined (fewer than two items or two complete respondents,
        or a total score with zero variance).

    Examples
    --------
    >>> import pandas as pd
    >>> round(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4]})), 4)
    0.9412
    """
    cov, _ = _covariance(_as_frame(items), missing)
    return _alpha_from_cov(cov)


def item_total_correlations(
    items: pd.DataFrame | np.ndarray, missing: MissingPolicy = "listwise"
) -> pd.DataFrame:
    """Per-item statistics: corrected item-total correlation and alpha if the item is deleted.

    Parameters
    ----------
    items : DataFrame or 2-D array
        Reverse-keyed item answers, one column per item, ``NaN`` for missing.
    missing : {"listwise", "pairwise"}
        How missing answers are handled (see :func:`cronbach_alpha`).

    Returns
    -------
    DataFrame
        Indexed by item name, with columns ``item_total_r`` (correlation of the item with the sum
        of the *other* items — "corrected", so an item is not correlated with itself),
        ``alpha_if_deleted``, ``mean``, ``sd`` and ``n`` (respondents who answered the item).
        ``mean``/``sd``/``n`` use every available answer; the two reliability columns follow
        ``missing``.
    """
    import numpy as np
    import pandas as pd

    frame = _as_frame(items)
    cov, _ = _covariance(frame, missing)
    k = cov.shape[0]
    diag = np.diag(cov) if k else np.array([])
    rowsum = cov.sum(axis=1) if k else np.array([])
    total = float(cov.sum()) if k else math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        rest_var = total - 2.0 * rowsum + diag
        r = (rowsum - diag) / np.sqrt(diag * rest_var)
        if k >= 3:
            trace = float(np.trace(cov))
            alpha_del = (k - 1) / (k - 2) * (1.0 - (trace - diag) / rest_var)
            alpha_del = np.where(rest_var > 0, alpha_del, np.nan)
        else:
            alpha_del = np.full(k, np.nan)
    if k < 2:
        r = np.full(k, np.nan)
    r = np.where(np.isfinite(r), r, np.nan)
    numeric = frame.astype(float)
    return pd.DataFrame(
        {
            "item_total_r": r,
            "alpha_if_deleted": alpha_del,
            "mean": numeric.mean().to_numpy(),
            "sd": numeric.std(ddof=1).to_numpy(),
            "n": numeric.notna().sum().to_numpy(dtype=int),
        },
        index=pd.Index(frame.columns, name="item"),
    )


def scale_reliability(
    items: pd.DataFrame, missing: MissingPolicy = "listwise"
) -> dict[str, Any]:
    """Reliability summary of one scale as a JSON-ready dict.

    Parameters
    ----------
    items : DataFrame
        Reverse-keyed answers of the scale's items.
    missing : {"listwise", "pairwise"}
        How missing answers are handled.

    Returns
    -------
    dict
        ``{"alpha", "n", "k", "missing", "items": [{"item", "item_total_r",
        "alpha_if_deleted", "mean", "sd", "n"}, ...]}``; undefined numbers are ``None``.
    """
    cov, n = _covariance(items, missing)
    table = item_total_correlations(items, missing)
    return {
        "alpha": _clean(_alpha_from_cov(cov)),
        "n": int(n),
        "k": int(items.shape[1]),
        "missing": missing,
        "items": [
            {
                "item": str(name),
                **{col: _clean(row[col]) for col in table.columns if col != "n"},
                "n": int(row["n"]),
            }
            for name, row in table.iterrows()
        ],
    }


def reliability_report(
    scales: Mapping[str, pd.DataFrame],
    missing: MissingPolicy = "listwise",
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Reliability of several scales.

    Parameters
    ----------
    scales : mapping of str to DataFrame
        Scale name → its reverse-keyed item answers.
    missing : {"listwise", "pairwise"}
        How missing answers are handled.
    labels : mapping of str to str, optional
        Human-readable scale labels, stored next to the statistics.

    Returns
    -------
    dict
        ``{"missing": ..., "scales": {name: scale_reliability(...) + {"label"}}}``.
    """
    labels = labels or {}
    out: dict[str, Any] = {}
    for name, frame in scales.items():
        entry = scale_reliability(frame, missing)
        if name in labels:
            entry = {"label": labels[name], **entry}
        out[name] = entry
    return {"missing": missing, "scales": out}


def format_reliability_table(report: Mapping[str, Any], weak_r: float = 0.3) -> str:
    """Render :func:`reliability_report` output as a fixed-width text table.

    Parameters
    ----------
    report : mapping
        The dict returned by :func:`reliability_report`.
    weak_r : float
        Items whose corrected item-total correlation is below this are marked with ``!``
        (0.3 is the usual rule of thumb).

    Returns
    -------
    str
        One block per scale: alpha, ``n`` and ``k``, then one line per item.
    """
    lines: list[str] = []
    for name, scale in report.get("scales", {}).items():
        alpha = _fmt(scale.get("alpha"))
        lines.append(f"{name:<32} alpha={alpha:>6}  n={scale.get('n', 0):<6} k={scale.get('k', 0)}")
        lines.append(f"  {'item':<30} {'r(it-rest)':>10} {'a-if-del':>9} {'mean':>6} {'sd':>6}")
        for item in scale.get("items", []):
            r = item.get("item_total_r")
            mark = " !" if r is not None and r < weak_r else ""
            lines.append(
                f"  {item['item']:<30} {_fmt(r):>10} {_fmt(item.get('alpha_if_deleted')):>9} "
                f"{_fmt(item.get('mean'), 2):>6} {_fmt(item.get('sd'), 2):>6}{mark}"
            )
    if lines:
        lines.append(f"(! = corrected item-total r below {weak_r:g}; alpha uses "
                     f"{report.get('missing', 'listwise')} deletion)")
    return "\n".join(lines)


def _as_frame(items: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(items, pd.DataFrame):
        return items
    return pd.DataFrame(items)


def _clean(value: Any) -> float | None:
    """A JSON-friendly number: ``None`` for NaN/inf."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return number


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}"
