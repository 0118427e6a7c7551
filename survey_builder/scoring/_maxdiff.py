"""MaxDiff item scores per respondent: the ``md_<question>__<item>`` columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from ..maxdiff import MaxDiffDesign

__all__ = ["MAXDIFF_METHODS", "MAXDIFF_PREFIX", "maxdiff_answers", "maxdiff_score_column",
           "score_maxdiff"]

#: Prefix of a MaxDiff score column.
MAXDIFF_PREFIX = "md_"
#: ``mnl``: empirical-Bayes best-worst logit utilities; ``counts``: (best - worst) / shown.
MAXDIFF_METHODS: tuple[str, ...] = ("mnl", "counts")
MaxDiffMethod = Literal["mnl", "counts"]


def maxdiff_score_column(question: str, item: str) -> str:
    """The scores column of one MaxDiff item, e.g. ``md_drivers__price``."""
    return f"{MAXDIFF_PREFIX}{question}__{item}"


def maxdiff_answers(question: Mapping[str, Any], responses: pd.DataFrame
                    ) -> tuple[MaxDiffDesign, np.ndarray, np.ndarray]:
    """The design of a codebook's MaxDiff question and the picks as item indices.

    Parameters
    ----------
    question : mapping
        A codebook question entry of type ``maxdiff`` (its ``items``, ``sets``, ``columns``).
    responses : DataFrame
        Canonical-layout answers.

    Returns
    -------
    design : MaxDiffDesign
    best, worst : ndarray of int, shape (n_respondents, n_sets)
        Item index picked, ``-1`` where unanswered or not an item of the set.
    """
    import numpy as np

    from ..maxdiff import MaxDiffDesign

    codes = [str(item["code"]) for item in question["items"]]
    index = {code: i for i, code in enumerate(codes)}
    design = MaxDiffDesign(np.array([[index[str(c)] for c in row] for row in question["sets"]]),
                           len(codes))
    n_sets = design.n_sets
    best_columns, worst_columns = question["columns"][0::2], question["columns"][1::2]

    def picks(columns: list[str]) -> np.ndarray:
        out = np.full((len(responses), n_sets), -1, dtype=int)
        for k, column in enumerate(columns):
            text = responses[column].astype("str")
            out[:, k] = text.map(index).fillna(-1).to_numpy(dtype=int)
        return out

    return design, picks(best_columns), picks(worst_columns)


def score_maxdiff(codebook: Mapping[str, Any], responses: pd.DataFrame, *,
                  method: MaxDiffMethod = "mnl") -> dict[str, np.ndarray]:
    """Per-respondent item scores of every MaxDiff question.

    Parameters
    ----------
    codebook : mapping
        Its ``questions`` of type ``maxdiff`` (design and columns).
    responses : DataFrame
        Canonical-layout answers.
    method : {"mnl", "counts"}
        ``"mnl"``: empirical-Bayes utilities of the sequential best-worst logit
        (:func:`survey_builder.maxdiff.maxdiff_utilities`: individual posterior modes under
        a normal population prior estimated by EM), centred to mean 0 per respondent.
        ``"counts"``: (times best - times worst) / times shown, in -1..1
        (:func:`survey_builder.maxdiff.maxdiff_counts`).

    Returns
    -------
    dict of str to ndarray
        :func:`maxdiff_score_column` → score per respondent (``NaN`` for a respondent who
        answered no set), items in list order.
    """
    from ..maxdiff import maxdiff_counts, maxdiff_utilities

    if method not in MAXDIFF_METHODS:
        raise ValueError(f"unknown MaxDiff method {method!r} (one of {MAXDIFF_METHODS})")
    out: dict[str, np.ndarray] = {}
    for question in codebook.get("questions", []):
        if question.get("type") != "maxdiff":
            continue
        design, best, worst = maxdiff_answers(question, responses)
        scores = (maxdiff_utilities(design, best, worst).utilities if method == "mnl"
                  else maxdiff_counts(design, best, worst))
        for j, item in enumerate(question["items"]):
            out[maxdiff_score_column(question["name"], str(item["code"]))] = scores[:, j]
    return out
