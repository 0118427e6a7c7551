"""Names of the columns and files that link ``survey-builder`` to ``dash-personas``.

The one place these names are defined; everything else imports them from here. This
module uses only the standard library, so importing it costs nothing at start-up.

Scores file layout
------------------
``survey-builder score`` writes one row per respondent, in this column order:

1. :data:`ID_COLUMN` — the respondent id;
2. one column per scale (the scale's name);
3. :data:`CLV_COLUMN` when the survey defines customer lifetime value;
4. :data:`JOURNEY_COLUMN` when it defines a customer-journey question;
5. every other single-choice answer (the question's name, or ``<name>_answer`` when the
   name is taken), written as labels (or as option codes with ``--codes``);
   then the behaviour answers as given (``survey_builder.scoring.behaviour_columns``:
   the CLV frequency and value questions, one 0/1 or rank column per option of every
   multiple-choice and ranking question);
6. :data:`QUALITY_COLUMNS`: the boolean :data:`FLAG_COLUMNS`, then
   :data:`N_ANSWERED_COLUMN`, :data:`STRAIGHTLINED_SHARE_COLUMN` and
   :data:`LONGEST_RUN_COLUMN`, then (when the survey has "Don't know" options)
   :data:`DONT_KNOW_COLUMN`, then (when the responses carry interview times)
   :data:`INTERVIEW_MINUTES_COLUMN` and :data:`SPEEDER_COLUMN`.

Response columns named here
---------------------------
An "Other (specify)" option (coded :data:`OTHER_CODE`) has its text in the companion
column :func:`other_text_column` (``<question>__specify``), and a "Don't know" answer to a
Likert item or an NPS question is the code :data:`DONT_KNOW_CODE` in the item's column.

Beside ``scores.csv`` it writes ``scores.codebook.json`` (:func:`sidecar_path`): the
survey's codebook plus a ``scores`` section saying what each of these columns is.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "ANSWER_SUFFIX",
    "ATTENTION_FAILED_COLUMN",
    "BREAKS_SPEC_COLUMN",
    "CLV_COLUMN",
    "DONT_KNOW_CODE",
    "DONT_KNOW_COLUMN",
    "ENDED_COLUMN",
    "FLAG_COLUMNS",
    "ID_COLUMN",
    "INTERVIEW_MINUTES_COLUMN",
    "JOURNEY_COLUMN",
    "LONGEST_RUN_COLUMN",
    "N_ANSWERED_COLUMN",
    "OTHER_CODE",
    "OTHER_TEXT_SUFFIX",
    "QUALITY_COLUMNS",
    "SIDECAR_SUFFIX",
    "SPEEDER_COLUMN",
    "STARTED_COLUMN",
    "STRAIGHTLINED_SHARE_COLUMN",
    "STRAIGHTLINER_COLUMN",
    "TIMING_SCORE_COLUMNS",
    "other_text_column",
    "sidecar_path",
]

#: The respondent id column of response and scores files (a reserved question name).
ID_COLUMN = "respondent_id"
#: Scores column holding customer lifetime value.
CLV_COLUMN = "clv"
#: Scores column holding the customer-journey stage.
JOURNEY_COLUMN = "journey_stage"
#: Boolean flag: a wrong answer to at least one attention check.
ATTENTION_FAILED_COLUMN = "attention_failed"
#: Boolean flag: an answer breaks the questionnaire's rules (answered though hidden, too
#: many ticks, a rank given twice, a required answer missing).
BREAKS_SPEC_COLUMN = "breaks_spec"
#: Boolean flag: straight-lined many grids, or a long run of equal answers.
STRAIGHTLINER_COLUMN = "straightliner"
#: Number of answered questions (a count, not a flag).
N_ANSWERED_COLUMN = "n_answered"
#: Share of the Likert grids a respondent straight-lined (all answers equal).
STRAIGHTLINED_SHARE_COLUMN = "straightlined_share"
#: Longest run of equal consecutive Likert answers.
LONGEST_RUN_COLUMN = "longest_run"
#: The boolean data-quality flags of a scores file.
FLAG_COLUMNS: tuple[str, ...] = (ATTENTION_FAILED_COLUMN, STRAIGHTLINER_COLUMN,
                                 BREAKS_SPEC_COLUMN)
#: Optional response columns: when the interview started and ended (ISO 8601 timestamps,
#: read from ODK's ``start``/``end``, SurveyJS's ``started_at``/``ended_at`` keys and
#: REDCap's ``started_at`` field and ``<form>_timestamp``; see :mod:`survey_builder.timing`).
STARTED_COLUMN = "started_at"
ENDED_COLUMN = "ended_at"
#: Scores columns written when the responses carry the interview times: its length in
#: minutes, and the speeder flag (shorter than a fraction of the median length). Both are
#: data-quality columns, never segmentation features.
INTERVIEW_MINUTES_COLUMN = "interview_minutes"
SPEEDER_COLUMN = "speeder"
#: The optional timing columns of a scores file (present when the responses had times).
TIMING_SCORE_COLUMNS: tuple[str, ...] = (INTERVIEW_MINUTES_COLUMN, SPEEDER_COLUMN)
#: The response code of a "Don't know" answer to a Likert item or an NPS question (never a
#: number: scoring counts it as missing). It is survey-core's built-in "Don't know" value,
#: which every export uses as its code.
DONT_KNOW_CODE = "dontknow"
#: Scores column: how many "Don't know" answers a respondent gave (a data-quality count,
#: written when the survey offers "Don't know" on a scale or NPS question).
DONT_KNOW_COLUMN = "n_dont_know"
#: Every data-quality column a scores file can have (the timing ones only with times):
#: they describe how a respondent answered, not who they are, so they are never
#: segmentation features nor persona traits.
QUALITY_COLUMNS: tuple[str, ...] = (*FLAG_COLUMNS, N_ANSWERED_COLUMN,
                                    STRAIGHTLINED_SHARE_COLUMN, LONGEST_RUN_COLUMN,
                                    DONT_KNOW_COLUMN, *TIMING_SCORE_COLUMNS)
#: Suffix of a single-choice answer column whose name another scores column already took.
ANSWER_SUFFIX = "_answer"
#: Suffix of the codebook written beside a scores file (``scores.csv`` ->
#: ``scores.codebook.json``).
SIDECAR_SUFFIX = ".codebook.json"
#: The code of an "Other (specify)" option (survey-core's fixed value of its "Other" item,
#: which every export uses, so that answers and conditions read alike everywhere).
OTHER_CODE = "other"
#: Suffix of the companion column holding an "Other (specify)" answer's text.
OTHER_TEXT_SUFFIX = "__specify"
#: The longest response column name: REDCap's field-name limit, which the spec's names
#: respect (:data:`survey_builder.spec.NAME_MAX_LENGTH`).
_FIELD_NAME_MAX = 26


def other_text_column(question: str) -> str:
    """The column holding the text of ``question``'s "Other (specify)" option.

    ``<question>__specify``, the question name shortened when needed so that the column is
    a valid REDCap and XLSForm field name of at most 26 characters (the spec reports two
    questions whose shortened names collide).

    Parameters
    ----------
    question : str
        A single- or multiple-choice question's name.

    Returns
    -------
    str

    Examples
    --------
    >>> other_text_column("channels")
    'channels__specify'
    >>> other_text_column("preferred_payment_method")
    'preferred_payment__specify'
    """
    width = _FIELD_NAME_MAX - len(OTHER_TEXT_SUFFIX)
    return question[:width].rstrip("_") + OTHER_TEXT_SUFFIX


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Where the codebook of the scores file ``path`` lives.

    Parameters
    ----------
    path : path-like
        The scores file.

    Returns
    -------
    Path
        ``path`` with its last suffix replaced by :data:`SIDECAR_SUFFIX`.

    Examples
    --------
    >>> sidecar_path("out/scores.csv").as_posix()
    'out/scores.codebook.json'
    """
    path = Path(path)
    return path.with_name(path.stem + SIDECAR_SUFFIX if path.suffix else
                          path.name + SIDECAR_SUFFIX)
