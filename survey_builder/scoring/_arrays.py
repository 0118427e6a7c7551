"""The scoring rules on plain NumPy arrays: reverse-keying, scale means with a minimum-answered
rule, CLV and straight-lining. Nothing here knows about a survey or its codebook."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["clv", "longest_run", "min_items_required", "reverse_key", "scale_scores",
           "straightline_flags", "straightlined_blocks"]


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

    if not blocks:
        return np.zeros(0, dtype=bool)
    return straightlined_blocks(blocks, min_items)[1].any(axis=1)


def straightlined_blocks(blocks: list[np.ndarray], min_items: int = 3
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Which blocks (grids) each respondent straight-lined.

    Parameters
    ----------
    blocks : list of ndarray, each shape (n_respondents, n_items)
        Raw Likert answers of each grid, ``NaN`` = missing.
    min_items : int
        A grid counts for a respondent who answered at least this many of its items.

    Returns
    -------
    counted : ndarray of bool, shape (n_respondents, n_blocks)
        The grid counts (enough answered items).
    straight : ndarray of bool, shape (n_respondents, n_blocks)
        Counted, and every answered item has the same answer.

    Examples
    --------
    >>> import numpy as np
    >>> counted, straight = straightlined_blocks([np.array([[2, 2, 2], [1, 2, 2.]])])
    >>> straight[:, 0].tolist(), counted[:, 0].tolist()
    ([True, False], [True, True])
    """
    import numpy as np

    n = blocks[0].shape[0] if blocks else 0
    counted = np.zeros((n, len(blocks)), dtype=bool)
    straight = np.zeros((n, len(blocks)), dtype=bool)
    for j, block in enumerate(blocks):
        values = np.asarray(block, dtype=float)
        if values.ndim != 2 or values.shape[0] != n:
            raise ValueError("each block must be a 2-D array (respondents x items)")
        answered = ~np.isnan(values)
        counted[:, j] = answered.sum(axis=1) >= min_items
        hi = np.where(answered, values, -np.inf).max(axis=1, initial=-np.inf)
        lo = np.where(answered, values, np.inf).min(axis=1, initial=np.inf)
        straight[:, j] = counted[:, j] & (hi == lo)
    return counted, straight


def longest_run(values: np.ndarray) -> np.ndarray:
    """The longest run of equal consecutive answers in each row (a missing answer ends a run).

    Parameters
    ----------
    values : ndarray, shape (n_respondents, n_items)
        Raw answers in questionnaire order, ``NaN`` = missing.

    Returns
    -------
    ndarray of int, shape (n_respondents,)
        0 for a row with no answer, else at least 1.

    Examples
    --------
    >>> import numpy as np
    >>> longest_run(np.array([[1, 1, 2, 2, 2, 1], [3, np.nan, 3, 3, 1, 1]])).tolist()
    [3, 2]
    """
    import numpy as np

    values = np.asarray(values, dtype=float)
    n, m = values.shape
    if m == 0:
        return np.zeros(n, dtype=int)
    same = values[:, 1:] == values[:, :-1]  # NaN never equals: a gap ends the run
    # run length of consecutive True ending at each position: cumulative count minus the
    # count at the last False
    steps = np.cumsum(same, axis=1)
    last_reset = np.maximum.accumulate(np.where(same, 0, steps), axis=1)
    runs = (steps - last_reset).max(axis=1, initial=0) + 1
    return np.where(np.isnan(values).all(axis=1), 0, runs).astype(int)
