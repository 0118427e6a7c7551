"""Behaviour answers carried into the scores file as they were given.

Scale scores, CLV and the journey stage summarise answers; what people *do* is better
read as answered: how often they buy and how much they spend (the CLV frequency and
value questions) and which options they ticked or ranked (every multiple-choice and
ranking question, one 0/1 or rank column per option). Personas describe behaviour,
channels, triggers and goals from these columns; they are not segmentation features
(CLV already carries frequency and spend).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from ..layout import ANSWER_SUFFIX

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["BEHAVIOUR_KIND", "OPTION_COLUMN_TYPES", "behaviour_columns", "score_behaviour"]

#: ``kind`` of a behaviour column in a scores file's codebook (``scores.columns``).
BEHAVIOUR_KIND = "behaviour"
#: Codebook column types of the options of multiple-choice and ranking questions.
OPTION_COLUMN_TYPES = frozenset({"multiple_choice_option", "ranking_option"})


def behaviour_columns(codebook: Mapping[str, Any]) -> list[str]:
    """The behaviour answer columns of a questionnaire, or of a scores file.

    Parameters
    ----------
    codebook : Codebook or mapping
        A survey's codebook: its CLV ``frequency`` and ``value`` columns and every
        multiple-choice and ranking option column, in codebook order. A scores file's
        codebook (with a ``scores`` section): the columns it marks ``behaviour``.

    Returns
    -------
    list of str
    """
    scores = codebook.get("scores")
    if scores:
        return [c["name"] for c in _entries(scores) if c.get("kind") == BEHAVIOUR_KIND]
    clv = (codebook.get("derivations") or {}).get("clv") or {}
    terms = clv.get("terms") or {}
    wanted = {terms[t]["column"] for t in ("frequency", "value") if t in terms}
    return [c["name"] for c in codebook.get("columns") or ()
            if c["name"] in wanted or c.get("type") in OPTION_COLUMN_TYPES]


def score_behaviour(codebook: Mapping[str, Any], responses: pd.DataFrame, *, language: str,
                    labels: bool = True, taken: Collection[str] = ()) -> dict[str, pd.Series]:
    """The behaviour answers (:func:`behaviour_columns`), as answered.

    Parameters
    ----------
    codebook : mapping
        The survey's codebook.
    responses : DataFrame
        Canonical-layout answers.
    language : str
        Language of the labels of a single-choice answer (the CLV frequency).
    labels : bool
        Option labels (True) or codes (False) for single-choice answers.
    taken : collection of str
        Output column names already used; an answer with such a name becomes
        ``<name>_answer``.

    Returns
    -------
    dict of str to Series
        Single-choice answers as categoricals in option order; numbers, option ticks
        (0/1) and ranks as numbers (``NaN`` unanswered).
    """
    import pandas as pd

    from ._sections import _categorical, _labels

    columns = {c["name"]: c for c in codebook["columns"]}
    used = set(taken)
    out: dict[str, pd.Series] = {}
    for name in behaviour_columns({**codebook, "scores": None}):
        column = columns[name]
        target = name if name not in used else f"{name}{ANSWER_SUFFIX}"
        if column.get("type") == "single_choice":
            codes = [str(level["code"]) for level in column.get("levels") or []]
            out[target] = _categorical(responses[name], codes,
                                       _labels(column, language) if labels else None)
        else:
            out[target] = pd.to_numeric(responses[name], errors="coerce")
        used.add(target)
    return out


def _entries(scores: Any) -> list[Mapping[str, Any]]:
    """The column entries of a ``scores`` section (a mapping or a ``ScoresLayout``)."""
    columns = scores.get("columns") if isinstance(scores, Mapping) else scores.columns
    return [c if isinstance(c, Mapping) else c.model_dump() for c in columns or []]
