"""Scoring: from canonical-layout responses to the scores file, one row per respondent.

:func:`score_responses` composes one function per section of the scores file, in column
order (each usable on its own):

* :func:`score_scales` — scale scores: reverse-keying, mean of answered items,
  minimum-answered rule;
* :func:`score_clv` — customer lifetime value;
* :func:`score_journey` — the journey stage, an ordered categorical;
* :func:`score_answers` — the other single-choice answers, as labels or codes;
* :func:`score_nps` — each NPS answer's group (detractor 0-6, passive 7-8, promoter 9-10;
  :func:`net_promoter_score` gives % promoters - % detractors, overall or per segment);
* :func:`score_maxdiff` — MaxDiff item scores per respondent (empirical-Bayes best-worst
  logit utilities, or counts), the numeric ``md_<question>__<item>`` columns;
* :func:`score_behaviour` — the behaviour answers as given (:func:`behaviour_columns`: CLV
  frequency and value, the options of multiple-choice and ranking questions);
* :func:`flag_attention`, :func:`straightlining` (per grid and across grids, thresholds in
  :class:`StraightlineRule`), :func:`spec_violations` (answers that break the
  questionnaire's rules), :func:`count_answered`, :func:`count_dont_know` — the data-quality
  columns;
* :func:`score_reliability` — Cronbach's alpha and item statistics per scale (the maths is in
  :mod:`survey_builder.reliability`).

The rules themselves work on plain NumPy arrays and know nothing about a survey:
:func:`reverse_key`, :func:`min_items_required`, :func:`scale_scores`, :func:`clv`,
:func:`straightline_flags`, :func:`straightlined_blocks`, :func:`longest_run`.
"""

from __future__ import annotations

from ..layout import CLV_COLUMN, FLAG_COLUMNS, JOURNEY_COLUMN, N_ANSWERED_COLUMN
from ._arrays import (
    clv,
    longest_run,
    min_items_required,
    reverse_key,
    scale_scores,
    straightline_flags,
    straightlined_blocks,
)
from ._behaviour import BEHAVIOUR_KIND, behaviour_columns, score_behaviour
from ._maxdiff import MAXDIFF_METHODS, MAXDIFF_PREFIX, maxdiff_score_column, score_maxdiff
from ._nps import (
    NPS_GROUPS,
    NPS_SUFFIX,
    net_promoter_score,
    nps_groups,
    nps_table,
    score_nps,
)
from ._score import ScoreResult, score_responses
from ._sections import (
    ScaleScores,
    StraightlineRule,
    Straightlining,
    count_answered,
    count_dont_know,
    dont_know_answers,
    flag_attention,
    flag_straightliners,
    score_answers,
    score_clv,
    score_journey,
    score_reliability,
    score_scales,
    straightlining,
)
from ._violations import VIOLATION_KINDS, SpecViolation, spec_violations

__all__ = [
    "BEHAVIOUR_KIND",
    "CLV_COLUMN",
    "FLAG_COLUMNS",
    "JOURNEY_COLUMN",
    "MAXDIFF_METHODS",
    "MAXDIFF_PREFIX",
    "NPS_GROUPS",
    "NPS_SUFFIX",
    "N_ANSWERED_COLUMN",
    "VIOLATION_KINDS",
    "ScaleScores",
    "ScoreResult",
    "SpecViolation",
    "StraightlineRule",
    "Straightlining",
    "behaviour_columns",
    "clv",
    "count_answered",
    "count_dont_know",
    "dont_know_answers",
    "flag_attention",
    "flag_straightliners",
    "longest_run",
    "maxdiff_score_column",
    "min_items_required",
    "net_promoter_score",
    "nps_groups",
    "nps_table",
    "reverse_key",
    "scale_scores",
    "score_answers",
    "score_behaviour",
    "score_clv",
    "score_journey",
    "score_maxdiff",
    "score_nps",
    "score_reliability",
    "score_responses",
    "score_scales",
    "spec_violations",
    "straightline_flags",
    "straightlined_blocks",
    "straightlining",
]
