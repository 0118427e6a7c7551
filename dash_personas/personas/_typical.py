"""A plausible typical person: answers that one real member of the segment gave together.

Independent modal answers can describe nobody (18–24, primary school, income over 100k,
customer for more than 10 years). Instead the typical person is

* the most common *combination* of the answers among the segment's members, when at
  least :data:`MIN_COMBINATION_COUNT` respondents and :data:`MIN_COMBINATION_SHARE` of
  the segment's weight gave exactly it;
* otherwise the segment's medoid on these answers: the member with the smallest
  (weighted) sum of simple-matching distances to the other members, i.e. whose answers
  are the most common ones in the segment, all taken from the same respondent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["MIN_COMBINATION_COUNT", "MIN_COMBINATION_SHARE", "TypicalPerson",
           "typical_people"]

#: Respondents who must share the most common combination for it to be shown.
MIN_COMBINATION_COUNT = 3
#: Share of the segment's weight the most common combination must reach.
MIN_COMBINATION_SHARE = 0.05


@dataclass(frozen=True)
class TypicalPerson:
    """The answers of a segment's typical person.

    Attributes
    ----------
    answers : dict
        Column -> answer, every one from the same respondent(s); a column the
        medoid left unanswered is absent.
    rule : {"combination", "medoid"}
    share : float
        Share of the segment's weight that gave exactly these answers.
    """

    answers: dict[str, Any]
    rule: Literal["combination", "medoid"]
    share: float


def typical_people(frame: pd.DataFrame, columns: list[str], labels: np.ndarray,
                   sample_weight: np.ndarray | None = None,
                   row_counts: np.ndarray | None = None) -> dict[Any, TypicalPerson]:
    """The typical person of every segment over ``columns`` (vectorised).

    Parameters
    ----------
    frame : DataFrame
        One row per respondent.
    columns : list of str
        Categorical columns that describe a person (e.g. the demographics).
    labels : ndarray of shape (n_rows,)
        Segment of each row.
    sample_weight : ndarray of shape (n_rows,), optional
        Survey weights.
    row_counts : ndarray of shape (n_rows,), optional
        How many respondents each row stands for (default 1): the rows may be the
        distinct (segment, answers) combinations in order of first appearance, with
        their summed weights, which gives the same typical people as the respondents'
        own rows (how personas of Dask data are built).

    Returns
    -------
    dict
        Segment -> :class:`TypicalPerson`; empty when there are no columns.
    """
    if not columns or len(frame) == 0:
        return {}
    weight = np.ones(len(frame)) if sample_weight is None else np.asarray(sample_weight, float)
    segments, seg = np.unique(np.asarray(labels), return_inverse=True)
    k = segments.size
    factorized = [pd.factorize(frame[c], sort=False) for c in columns]
    codes = np.column_stack([c for c, _ in factorized])
    seg_weight = np.bincount(seg, weights=weight, minlength=k)

    complete = (codes >= 0).all(axis=1)
    combo = np.full(len(frame), -1)
    n_combos = 0
    if complete.any():
        dims = [max(len(u), 1) for _, u in factorized]
        if float(np.prod(dims, dtype=np.float64)) < 2.0**62:  # one integer per combination
            keys = np.ravel_multi_index(codes[complete].T, dims)
            inverse, _ = pd.factorize(keys, sort=True)
        else:
            _, inverse = np.unique(codes[complete], axis=0, return_inverse=True)
        combo[complete] = np.asarray(inverse).ravel()
        n_combos = int(combo.max()) + 1
    key = seg[complete] * n_combos + combo[complete]
    combo_weight = np.bincount(key, weights=weight[complete], minlength=k * n_combos)
    counts = np.ones(len(frame)) if row_counts is None else np.asarray(row_counts, float)
    combo_count = np.bincount(key, weights=counts[complete], minlength=k * n_combos)
    combo_weight = combo_weight.reshape(k, n_combos)
    combo_count = combo_count.reshape(k, n_combos)

    # medoid score: weighted count of each of the member's answers within its segment
    score = np.zeros(len(frame))
    for col_codes, uniques in factorized:
        n_levels = len(uniques)
        if n_levels == 0:
            continue
        answered = col_codes >= 0
        counts = np.bincount(seg[answered] * n_levels + col_codes[answered],
                             weights=weight[answered], minlength=k * n_levels)
        score[answered] += counts[seg[answered] * n_levels + col_codes[answered]]
    order = np.lexsort((-score, seg))  # by segment, best score first (stable: first row)
    first = np.searchsorted(seg[order], np.arange(k))
    medoid = order[first]

    people = {}
    for s, segment in enumerate(segments):
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = combo_weight[s] / seg_weight[s] if n_combos else np.zeros(0)
        best = int(np.argmax(shares)) if n_combos else -1
        if best >= 0 and combo_count[s, best] >= MIN_COMBINATION_COUNT \
                and shares[best] >= MIN_COMBINATION_SHARE:
            row = int(np.flatnonzero((seg == s) & (combo == best))[0])
            rule: Literal["combination", "medoid"] = "combination"
            share = float(shares[best])
        else:
            row = int(medoid[s])
            rule = "medoid"
            share = float(shares[combo[row]]) if combo[row] >= 0 and n_combos else 0.0
        answers = {c: uniques[codes[row, j]] for j, (c, (_, uniques))
                   in enumerate(zip(columns, factorized)) if codes[row, j] >= 0}
        people[segment] = TypicalPerson(answers, rule, share)
    return people
