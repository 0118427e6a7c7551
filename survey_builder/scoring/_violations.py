"""Answers that break the questionnaire's own rules, found per question over all rows at once.

A form engine enforces these while the respondent answers; a data file can still hold them
(an export edited by hand, a platform without the rule, answers merged from two versions):

============================  =============================================================
``hidden_answered``           answered although its relevance condition hides it
``too_many_ticks``            more options ticked than ``max_selected``
``too_few_ticks``             fewer (but some) options ticked than ``min_selected``
``duplicate_rank``            two options of a ranking share a rank
``best_is_worst``             a MaxDiff set whose worst pick is its best one
``exclusive_with_others``     an exclusive option ("None of these") ticked with others
``other_without_option``      an "Other (specify)" text given without the option chosen
``other_text_missing``        the "Other (specify)" option chosen without its text (every
                              export asks for it)
``required_missing``          a required question (every row of a required grid) shown but
                              unanswered
============================  =============================================================

Conditions are evaluated with :func:`survey_builder.expressions.evaluate_columns`, the
rules every export keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import expressions as ex
from ..codebook import option_columns
from ..layout import other_text_column
from ._sections import _answered_matrix, _float_matrix

#: Question types whose every column must be answered when the question is required.
_EVERY_COLUMN = frozenset({"likert_grid", "maxdiff"})

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["VIOLATION_KINDS", "SpecViolation", "spec_violations"]

#: The kinds of :class:`SpecViolation`, in report order.
VIOLATION_KINDS = ("hidden_answered", "too_many_ticks", "too_few_ticks", "duplicate_rank",
                   "best_is_worst", "exclusive_with_others", "other_without_option",
                   "other_text_missing", "required_missing")

_MESSAGES = {
    "hidden_answered": "answered although its condition {relevant!r} hides it",
    "too_many_ticks": "more options ticked than max_selected {max_selected}",
    "too_few_ticks": "fewer options ticked than min_selected {min_selected}",
    "duplicate_rank": "two options share a rank",
    "best_is_worst": "the same item is picked as best and worst in a set",
    "exclusive_with_others": "{exclusive!r} is ticked with other options",
    "other_without_option": "an \"other\" text is given but {other!r} is not chosen",
    "other_text_missing": "{other!r} is chosen but its text is missing",
    "required_missing": "a required answer is missing",
}


@dataclass(frozen=True)
class SpecViolation:
    """One kind of broken rule on one question.

    Attributes
    ----------
    kind : str
        One of :data:`VIOLATION_KINDS`.
    question : str
        The question's name.
    rows : ndarray of bool, shape (n_respondents,)
        The respondents whose answers break it.
    """

    kind: str
    question: str
    rows: np.ndarray

    def message(self, codebook_question: Mapping[str, Any]) -> str:
        """The broken rule in words (``codebook_question``: the question's codebook entry)."""
        return _MESSAGES[self.kind].format(**{
            key: codebook_question.get(key) for key in
            ("relevant", "max_selected", "min_selected", "exclusive", "other")})


def spec_violations(codebook: Mapping[str, Any], responses: pd.DataFrame
                    ) -> list[SpecViolation]:
    """Every rule of the questionnaire that some answers break.

    Parameters
    ----------
    codebook : mapping
        Its ``questions`` (type, columns, ``required``, ``relevant``, ``min_selected``,
        ``max_selected``) and ``columns``.
    responses : DataFrame
        Canonical-layout answers.

    Returns
    -------
    list of SpecViolation
        Only the rules broken by at least one respondent, in questionnaire order.
    """
    options = option_columns(codebook)
    found: list[SpecViolation] = []
    for question in codebook.get("questions", []):
        columns = [c for c in answer_columns(question) if c in responses.columns]
        if not columns:
            continue
        given = _given(question, responses, columns)
        answered = given.any(axis=1)
        shown = (ex.evaluate_columns(question["relevant"], responses, options=options)
                 if question.get("relevant") else None)
        checks = {
            "hidden_answered": answered & ~shown if shown is not None else None,
            "required_missing": (
                (~given.all(axis=1) if question["type"] in _EVERY_COLUMN else ~answered)
                & (shown if shown is not None else True)) if question.get("required") else None,
        }
        if question["type"] == "multiple_choice":
            ticks = given.sum(axis=1)
            high, low = question.get("max_selected"), question.get("min_selected")
            checks["too_many_ticks"] = ticks > high if high is not None else None
            checks["too_few_ticks"] = (ticks > 0) & (ticks < low) if low is not None else None
            if question.get("exclusive") is not None:
                alone = columns.index(options[question["name"]][
                    str(question["exclusive"])])
                checks["exclusive_with_others"] = given[:, alone] & (ticks > 1)
        checks.update(_other_text_checks(question, responses, options))
        if question["type"] == "ranking":
            checks["duplicate_rank"] = _duplicate_ranks(_float_matrix(responses, columns))
        if question["type"] == "maxdiff":
            checks["best_is_worst"] = _best_is_worst(responses, columns)
        for kind in VIOLATION_KINDS:
            rows = checks.get(kind)
            if rows is not None and rows.any():
                found.append(SpecViolation(kind, question["name"], rows))
    return found


def answer_columns(question: Mapping[str, Any]) -> list[str]:
    """A codebook question's columns without its "Other (specify)" text column."""
    columns = list(question.get("columns", []))
    if question.get("other") is not None:
        text = other_text_column(question["name"])
        columns = [c for c in columns if c != text]
    return columns


def _other_text_checks(question: Mapping[str, Any], responses: pd.DataFrame,
                       options: Mapping[str, Mapping[str, str]]) -> dict[str, np.ndarray]:
    """``other_without_option`` (a text, the option not chosen) and ``other_text_missing``
    (the option chosen, no text) of a question with an "Other (specify)" option."""
    code = question.get("other")
    text_column = other_text_column(question["name"]) if code is not None else None
    if text_column is None or text_column not in responses.columns:
        return {}
    typed = _answered_matrix(responses, [text_column])[:, 0]
    if question["type"] == "multiple_choice":
        chosen = _float_matrix(responses, [options[question["name"]][str(code)]])[:, 0] > 0
    else:
        chosen = (responses[question["name"]].astype(object) == str(code)).to_numpy(
            dtype=bool, na_value=False)
    return {"other_without_option": typed & ~chosen, "other_text_missing": chosen & ~typed}


def _given(question: Mapping[str, Any], responses: pd.DataFrame, columns: list[str]
           ) -> np.ndarray:
    """Which columns of the question hold an answer (a multiple-choice option: ticked, as
    exports write 0 for every option of a question nobody saw)."""
    if question["type"] == "multiple_choice":
        return _float_matrix(responses, columns) > 0
    return _answered_matrix(responses, columns)


def _best_is_worst(responses: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A set's best and worst columns (consecutive ``<q>__b<k>``, ``<q>__w<k>``) equal."""
    import numpy as np

    same = np.zeros(len(responses), dtype=bool)
    for best, worst in zip(columns[0::2], columns[1::2]):
        b, w = responses[best].astype("str"), responses[worst].astype("str")
        same |= (b.notna() & (b == w)).to_numpy(dtype=bool, na_value=False)
    return same


def _duplicate_ranks(ranks: np.ndarray) -> np.ndarray:
    import numpy as np

    ordered = np.sort(ranks, axis=1)  # NaN sorts last and never equals
    return (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
