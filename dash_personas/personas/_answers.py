"""The questionnaire answers that describe personas but are not in the scores file.

Scoring keeps the scale scores, CLV, the journey stage and single-choice answers; the CLV
inputs (purchase frequency, spend) and the options of the channel, trigger and
choice-driver questions stay in the responses. :func:`behaviour_answers` picks them out
of canonical-layout responses and :func:`with_answers` lines them up with the scores, by
respondent id, for :func:`~dash_personas.personas.build_personas`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from survey_builder.codebook import as_codebook
from survey_builder.errors import UserError

from ._rules import BEHAVIOUR_QUESTIONS

__all__ = ["behaviour_answers", "with_answers"]


def behaviour_answers(responses: pd.DataFrame, codebook: Mapping[str, Any]) -> pd.DataFrame:
    """The behaviour answers of canonical-layout ``responses`` that personas describe.

    Parameters
    ----------
    responses : DataFrame
        Canonical-layout answers (``survey_builder.readers.read_responses``).
    codebook : Codebook or mapping
        Says which columns are the CLV frequency and value questions and which are the
        options of the channel, trigger and choice-driver questions
        (:data:`~dash_personas.personas._rules.BEHAVIOUR_QUESTIONS`).

    Returns
    -------
    DataFrame
        The id column and those columns, in codebook order (none of them: only the id).
    """
    book = as_codebook(codebook)
    clv = book.derivations.clv
    wanted = {clv.terms[t].column for t in ("frequency", "value") if t in clv.terms} \
        if clv is not None else set()
    columns = [c.name for c in book.columns
               if c.name in wanted or (c.question in BEHAVIOUR_QUESTIONS and c.option is not None)]
    return responses[[book.id_column, *(c for c in columns if c in responses.columns)]]


def with_answers(scores: pd.DataFrame, answers: pd.DataFrame, id_column: str,
                 source: str = "answers") -> pd.DataFrame:
    """``scores`` with the ``answers`` columns it lacks, matched by respondent id.

    Parameters
    ----------
    scores : DataFrame
        One row per respondent, with ``id_column``.
    answers : DataFrame
        :func:`behaviour_answers` of the same respondents (any order, any subset).
    id_column : str
    source : str
        Name of the answers file, for messages.

    Returns
    -------
    DataFrame
        ``scores`` in its own row order; respondents without answers get empty cells.

    Raises
    ------
    UserError
        An id column is missing, the answers repeat an id, or no respondent is in both.
    """
    for frame, name in ((scores, "scores"), (answers, source)):
        if id_column not in frame.columns:
            raise UserError(f"no respondent id column {id_column!r}", file=name)
    ids = answers[id_column].astype(str)
    if ids.duplicated().any():
        raise UserError(f"respondent {ids[ids.duplicated()].iloc[0]!r} appears twice",
                        file=source, field=id_column)
    extra = [c for c in answers.columns if c != id_column and c not in scores.columns]
    lookup = answers[extra].set_axis(ids.to_numpy())
    keys = scores[id_column].astype(str)
    if not keys.isin(lookup.index).any():
        raise UserError("none of its respondents is in the scores", file=source,
                        field=id_column)
    matched = lookup.reindex(keys.to_numpy()).set_axis(scores.index)
    return pd.concat([scores, matched], axis=1)
