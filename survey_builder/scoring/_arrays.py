"""The scoring rules on plain NumPy arrays: reverse-keying, scale means with a minimum-answered
rule, CLV and straight-lining. Nothing here knows about a survey or its codebook."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["clv", "min_items_required", "reverse_key", "scale_scores", "straightline_flags"]


def reverse_key(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Flip answers on a ``low..high`` rating scale: ``low + high - value``.

    Parameters
    ----------
    values : ndarray
        Raw answers (``NaN`` stays ``NaN``).
    low, high : float
        The scale's lowest and highest points (e.g. 1 and 5).

    Returns
    -------
    ndarray
        Reverse-keyed answers, as float.

    Examples
    --------
    >>> import numpy as np
    >>> reverse_key(np.array([1.0, 2.0, np.nan, 5.0]), 1, 5).tolist()[:2]
    [5.0, 4.0]
    """
    import numpy as np

    return (low + high) - np.asarray(values, dtype=float)


def min_items_required(n_items: int, min_answered: float) -> int:
    """How many of ``n_items`` must be answered for a scale score.

    Parameters
    ----------
    n_items : int
        Items in the scale.
    min_answered : float
        A fraction in ``(0, 1]`` of the items (0.5 → at least half, rounded up), or a count
        ``> 1`` of items (capped at ``n_items``). ``1`` means the fraction 1.0, i.e. every
        item; write a fraction such as ``0.01`` for "at least one item".

    Returns
    -------
    int
        At least 1 and at most ``n_items`` (0 when the scale is empty).
    """
    if n_items <= 0:
        return 0
    if not (min_answered > 0) or math.isinf(min_answered):
        raise ValueError(f"min_answered must be a fraction in (0, 1] or a count >= 1, "
                         f"not {min_answered!r}")
    if min_answered <= 1:
        need = math.ceil(round(min_answered * n_items, 9))
    else:
        need = int(min_answered)
    return int(min(max(need, 1), n_items))


def scale_scores(items: np.ndarray, min_answered: float = 0.5, *,
                 min_items: int | None = None) -> np.ndarray:
    """Row means of answered items, ``NaN`` where too few items were answered.

    Parameters
    ----------
    items : ndarray, shape (n_respondents, n_items)
        Answers already reverse-keyed; ``NaN`` marks a missing answer.
    min_answered : float
        Minimum answered items, see :func:`min_items_required`.
    min_items : int, optional
        The minimum as an exact count (overrides ``min_answered``).

    Returns
    -------
    ndarray, shape (n_respondents,)
        The scale score per respondent.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 3, 4], [5, np.nan, np.nan, np.nan], [2, 4, np.nan, np.nan]])
    >>> scale_scores(x, 0.5).tolist()[0], scale_scores(x, 0.5).tolist()[2]
    (2.5, 3.0)
    """
    import numpy as np

    values = np.asarray(items, dtype=float)
    if values.ndim != 2:
        raise ValueError("items must be a 2-D array (respondents x items)")
    n, k = values.shape
    if k == 0:
        return np.full(n, np.nan)
    answered = ~np.isnan(values)
    count = answered.sum(axis=1)
    total = np.where(answered, values, 0.0).sum(axis=1)
    need = min_items if min_items is not None else min_items_required(k, min_answered)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = total / count
    return np.where(count >= need, score, np.nan)


def clv(avg_purchase_value: np.ndarray, purchases_per_year: np.ndarray,
        lifespan_years: np.ndarray) -> np.ndarray:
    """Customer lifetime value = average purchase value × purchases per year × lifespan in years.

    Parameters
    ----------
    avg_purchase_value : ndarray
        Money per purchase.
    purchases_per_year : ndarray
        Purchase frequency, already converted to purchases per year.
    lifespan_years : ndarray
        Expected (or observed) customer lifespan in years.

    Returns
    -------
    ndarray
        CLV per respondent; ``NaN`` when any input is missing.

    Examples
    --------
    >>> import numpy as np
    >>> clv(np.array([40.0]), np.array([12.0]), np.array([3.0])).tolist()
    [1440.0]
    """
    import numpy as np

    return (np.asarray(avg_purchase_value, dtype=float)
            * np.asarray(purchases_per_year, dtype=float)
            * np.asarray(lifespan_years, dtype=float))


def straightline_flags(blocks: list[np.ndarray], min_items: int = 5) -> np.ndarray:
    """Flag respondents who gave the same raw answer to every item of a long block.

    Parameters
    ----------
    blocks : list of ndarray, each shape (n_respondents, n_items)
        Raw (not reverse-keyed) Likert answers, one array per block to check — typically every
        Likert grid plus one array holding *all* Likert items of the survey. ``NaN`` = missing.
    min_items : int
        A block only counts for a respondent who answered at least this many of its items; with
        fewer answers, identical responses are too likely to mean anything.

    Returns
    -------
    ndarray of bool, shape (n_respondents,)
        True when, in at least one block, the respondent answered ``>= min_items`` items and all
        of those answers are equal (zero variance).
    """
    import numpy as np

    flags: np.ndarray | None = None
    for block in blocks:
        values = np.asarray(block, dtype=float)
        if values.ndim != 2:
            raise ValueError("each block must be a 2-D array (respondents x items)")
        if flags is None:
            flags = np.zeros(values.shape[0], dtype=bool)
        if values.shape[1] < min_items:
            continue
        answered = ~np.isnan(values)
        count = answered.sum(axis=1)
        hi = np.where(answered, values, -np.inf).max(axis=1)
        lo = np.where(answered, values, np.inf).min(axis=1)
        flags |= (count >= min_items) & (hi == lo)
    return flags if flags is not None else np.zeros(0, dtype=bool)
