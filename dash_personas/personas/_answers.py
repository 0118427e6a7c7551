"""The behaviour answers that describe personas: in the scores file, or from the responses.

``survey-builder score`` writes them into the scores file (the CLV inputs, purchase
frequency and spend, and the options of the multiple-choice and ranking questions:
``survey_builder.scoring.behaviour_columns``), so personas built from such a file describe
behaviour, channels, triggers and goals as they are. Scores written before then lack
them: :func:`behaviour_answers` picks them out of canonical-layout responses and
:func:`with_answers` adds the ones the scores lack, by respondent id, for
:func:`~dash_personas.personas.build_personas`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from survey_builder.codebook import as_codebook
from survey_builder.errors import UserError

__all__ = ["behaviour_answers", "with_answers"]


def behaviour_answers(responses: pd.DataFrame, codebook: Mapping[str, Any]) -> pd.DataFrame:
    """The behaviour answers of canonical-layout ``responses`` that personas describe.

    Parameters
    ----------
    responses : DataFrame
        Canonical-layout answers (``survey_builder.readers.read_responses``).
    codebook : Codebook or mapping
        The questionnaire's codebook: its CLV frequency and value questions and the
        options of its multiple-choice and ranking questions, the columns
        ``survey-builder score`` writes (``survey_builder.scoring.behaviour_columns``).

    Returns
    -------
    DataFrame
        The id column and those columns, in codebook order (none of them: only the id).
    """
    from survey_builder.scoring import behaviour_columns

    book = as_codebook(codebook)
    columns = behaviour_columns({**book, "scores": None})
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
