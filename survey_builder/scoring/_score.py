"""Scoring a survey's responses: the sections of the scores file, composed in column order."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SurveyError
from ..fieldwork import screenout_mask
from ..layout import (
    ATTENTION_FAILED_COLUMN,
    BREAKS_SPEC_COLUMN,
    CLV_COLUMN,
    DONT_KNOW_COLUMN,
    ID_COLUMN,
    JOURNEY_COLUMN,
    LONGEST_RUN_COLUMN,
    N_ANSWERED_COLUMN,
    SPEEDER_COLUMN,
    STRAIGHTLINED_SHARE_COLUMN,
    STRAIGHTLINER_COLUMN,
)
from ..timing import DEFAULT_SPEEDER_FRACTION, timing_scores
from ._behaviour import score_behaviour
from ._maxdiff import MaxDiffMethod, score_maxdiff
from ._nps import net_promoter_score, score_nps
from ._sections import (
    StraightlineRule,
    count_answered,
    count_dont_know,
    dont_know_answers,
    flag_attention,
    score_answers,
    score_clv,
    score_journey,
    score_reliability,
    score_scales,
    straightlining,
)
from ._violations import VIOLATION_KINDS, SpecViolation, spec_violations

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from ..reliability import MissingPolicy
    from ..spec import Survey

__all__ = ["ScoreResult", "score_responses"]


@dataclass
class ScoreResult:
    """What :func:`score_responses` returns.

    Attributes
    ----------
    scores : DataFrame
        One row per respondent (see :func:`score_responses` for the columns).
    reliability : dict
        JSON-ready reliability report (alpha and item statistics per scale).
    """

    scores: pd.DataFrame
    reliability: dict[str, Any]

    def table(self) -> str:
        """The reliability report as a readable fixed-width table."""
        from ..reliability import format_reliability_table

        header = (f"Reliability of {len(self.reliability.get('scales', {}))} scale(s), "
                  f"{self.reliability.get('n_respondents', 0)} respondents")
        flags = self.reliability.get("flags") or {}
        if flags:
            header += " (" + ", ".join(f"{name}: {count}" for name, count in flags.items()) + ")"
        return header + "\n" + format_reliability_table(self.reliability)


def score_responses(
    source: Survey | Mapping[str, Any],
    responses: pd.DataFrame,
    *,
    min_answered: float = 0.5,
    missing: MissingPolicy = "listwise",
    language: str | None = None,
    labels: bool = True,
    straightline: StraightlineRule | None = None,
    reliability_exclude_flagged: bool = False,
    strict: bool = False,
    speeder_fraction: float = DEFAULT_SPEEDER_FRACTION,
    maxdiff: MaxDiffMethod = "mnl",
) -> ScoreResult:
    """Score responses in the canonical layout: scales, CLV, journey, answers, quality flags.

    Parameters
    ----------
    source : Survey or codebook mapping
        The questionnaire (its codebook says which columns form which scale, which items are
        reverse-keyed, how answers convert to CLV inputs, ...). A codebook is used as it is;
        a survey is turned into its codebook once.
    responses : DataFrame
        Canonical-layout answers, e.g. from :func:`survey_builder.readers.read_responses` or
        :func:`survey_builder.simulate.simulate_responses`.
    min_answered : float
        Default minimum answered items per scale: a fraction of the items (0.5 = half, rounded
        up) or a count, see :func:`min_items_required`. A scale's own ``min_answered`` in the
        spec takes precedence.
    missing : {"listwise", "pairwise"}
        Missing-data handling for the reliability statistics (scores always use every
        answered item).
    language : str, optional
        Language of the labels written for categorical answers (default: the survey's).
    labels : bool
        Write answer labels (True) or the raw option codes (False) for categorical columns.
    straightline : StraightlineRule, optional
        When a respondent is a straight-liner (grids straight-lined, longest run); default
        :class:`StraightlineRule`'s thresholds.
    reliability_exclude_flagged : bool
        Leave respondents flagged ``attention_failed`` or ``straightliner`` out of the
        reliability statistics (their scores are still computed).
    strict : bool
        Refuse responses that break the questionnaire's rules
        (:func:`~survey_builder.scoring.spec_violations`) instead of flagging them.
    speeder_fraction : float
        With interview times (``started_at``/``ended_at`` columns): a respondent faster
        than this share of the median length is a ``speeder``
        (:func:`survey_builder.timing.flag_speeders`).
    maxdiff : {"mnl", "counts"}
        How MaxDiff item scores are estimated (:func:`score_maxdiff`).

    Returns
    -------
    ScoreResult
        ``scores`` has, in order: the id column (unique strings); one column per scale
        (:func:`score_scales`: mean of answered items after reverse-keying, ``NaN`` with too
        few answers); ``clv`` (:func:`score_clv`) when the survey defines CLV;
        ``journey_stage`` (:func:`score_journey`, ordered categorical) when it defines a
        journey question; every other single-choice answer as a categorical
        (:func:`score_answers`); ``<question>_nps`` per NPS question (:func:`score_nps`);
        ``md_<question>__<item>`` per MaxDiff item (:func:`score_maxdiff`); the
        behaviour answers as given (:func:`score_behaviour`: CLV frequency and value,
        multiple-choice and ranking options);
        ``attention_failed`` (:func:`flag_attention`);
        ``straightliner`` (:func:`straightlining`); ``breaks_spec``
        (:func:`spec_violations`); ``n_answered``
        (:func:`count_answered`); ``straightlined_share`` and ``longest_run``
        (:func:`straightlining`); ``n_dont_know`` (:func:`count_dont_know`) when the
        survey offers "Don't know" on a scale or NPS question; with interview times,
        ``interview_minutes`` and ``speeder`` (:func:`survey_builder.timing.timing_scores`;
        screen-outs, :func:`survey_builder.fieldwork.screenout_mask`, are never speeders, nor miss
        required answers after their screening question). ``reliability`` holds
        :func:`score_reliability` per scale, the flag counts, the straight-lined count per
        grid and the settings.

    Raises
    ------
    SurveyError
        A codebook column is missing from ``responses``, ids are missing or duplicated, or
        (``strict``) an answer breaks the questionnaire's rules: the first one, with its row
        and question.
    """
    import numpy as np
    import pandas as pd

    from ..codebook import as_codebook

    codebook = as_codebook(source)
    _check_columns(codebook, responses)
    id_column = codebook.get("id_column", ID_COLUMN)
    language = language or codebook.get("survey", {}).get("default_language") or "en"

    out: dict[str, Any] = {id_column: _respondent_ids(responses[id_column], id_column)}
    scales = score_scales(codebook, responses, min_answered=min_answered)
    out.update(scales.scores)
    clv_values = score_clv(codebook, responses)
    if clv_values is not None:
        out[CLV_COLUMN] = clv_values
    journey = score_journey(codebook, responses, language=language, labels=labels)
    if journey is not None:
        out[JOURNEY_COLUMN] = journey
    out.update(score_answers(codebook, responses, language=language, labels=labels,
                             taken=set(out)))
    nps = score_nps(codebook, responses)
    out.update(nps)
    maxdiff_scores = score_maxdiff(codebook, responses, method=maxdiff)
    out.update(maxdiff_scores)
    out.update(score_behaviour(codebook, responses, language=language, labels=labels,
                               taken=set(out)))
    failed = flag_attention(codebook, responses)
    straightline = straightline or StraightlineRule()
    lining = straightlining(codebook, responses, straightline)
    straight = lining.flag
    screened = screenout_mask(codebook, responses)[0]
    violations = _ended_early(spec_violations(codebook, responses), screened)
    if strict and violations:
        _refuse(codebook, violations, out[id_column])
    breaks = np.zeros(len(responses), dtype=bool)
    for violation in violations:
        breaks |= violation.rows
    out[ATTENTION_FAILED_COLUMN] = failed
    out[STRAIGHTLINER_COLUMN] = straight
    out[BREAKS_SPEC_COLUMN] = breaks
    out[N_ANSWERED_COLUMN] = count_answered(codebook, responses)
    out[STRAIGHTLINED_SHARE_COLUMN] = lining.share
    out[LONGEST_RUN_COLUMN] = lining.longest_run
    dont_know = count_dont_know(codebook, responses)
    if dont_know is not None:
        out[DONT_KNOW_COLUMN] = dont_know
    timing = timing_scores(responses, speeder_fraction, completes=~screened)
    if timing is not None:
        out.update(timing)
    scores = pd.DataFrame(out, index=responses.index)
    keep = ~(failed | straight) if reliability_exclude_flagged else None
    report = {
        "survey": {key: codebook.get("survey", {}).get(key) for key in ("id", "version")},
        "n_respondents": len(responses),
        "n_used_for_reliability": len(responses) if keep is None else int(keep.sum()),
        "settings": {"min_answered": min_answered, "missing": missing,
                     "exclude_flagged": bool(reliability_exclude_flagged),
                     "straightline": dataclasses.asdict(straightline)},
        "flags": {ATTENTION_FAILED_COLUMN: int(failed.sum()),
                  STRAIGHTLINER_COLUMN: int(straight.sum()),
                  BREAKS_SPEC_COLUMN: int(breaks.sum()),
                  **({SPEEDER_COLUMN: int(timing[SPEEDER_COLUMN].sum())} if timing else {})},
        "spec_violations": {kind: {v.question: int(v.rows.sum()) for v in violations
                                   if v.kind == kind}
                            for kind in VIOLATION_KINDS
                            if any(v.kind == kind for v in violations)},
        "straightlined_grids": {grid: int(count)
                                for grid, count in lining.grids.sum(axis=0).items()},
        "missing": missing,
        **({"dont_know": {name: int(rows.sum()) for name, rows in
                          dont_know_answers(codebook, responses).items()}}
           if dont_know is not None else {}),
        "nps": {column["name"]: net_promoter_score(responses[column["name"]])
                for column in codebook["columns"] if column.get("type") == "nps"},
        "maxdiff": {"method": maxdiff,
                    "mean": {name: float(np.nanmean(values)) if np.isfinite(values).any()
                             else None for name, values in maxdiff_scores.items()}},
        "scales": score_reliability(codebook, scales, keep=keep, missing=missing,
                                    language=language),
    }
    return ScoreResult(scores, report)


def _ended_early(violations: list[SpecViolation], screened: np.ndarray
                 ) -> list[SpecViolation]:
    """The violations without the required answers a screen-out never reached (their
    interview ended at the screening question)."""
    if not screened.any():
        return violations
    kept = [dataclasses.replace(v, rows=v.rows & ~screened) if v.kind == "required_missing"
            else v for v in violations]
    return [v for v in kept if v.rows.any()]


def _refuse(codebook: Mapping[str, Any], violations: list[SpecViolation],
            ids: Any) -> None:
    """Raise for the first row (then the first question) that breaks a rule."""
    import numpy as np

    first = min(violations, key=lambda v: int(np.argmax(v.rows)))
    row = int(np.argmax(first.rows))
    question = next(q for q in codebook["questions"] if q["name"] == first.question)
    others = sum(int(v.rows.sum()) for v in violations) - 1
    more = f" (and {others} more; score without --strict to flag them in breaks_spec)" \
        if others else ""
    raise SurveyError(f"row {row + 1} (respondent {ids[row]}): {first.message(question)}"
                      f"{more}", field=first.question)


def _check_columns(codebook: Mapping[str, Any], responses: pd.DataFrame) -> None:
    absent = [c["name"] for c in codebook["columns"] if c["name"] not in responses.columns]
    if absent:
        raise SurveyError(f"responses lack {len(absent)} codebook column(s): "
                          f"{', '.join(absent[:8])}{' ...' if len(absent) > 8 else ''}")


def _respondent_ids(ids: pd.Series, id_column: str) -> pd.api.extensions.ExtensionArray:
    """The ids as stripped strings; every respondent needs one, and no two the same."""
    import numpy as np
    import pandas as pd

    text = ids.astype("str").str.strip().fillna("")
    blank = (text == "").to_numpy(dtype=bool)
    if blank.any():
        raise SurveyError(f"respondent {int(np.argmax(blank)) + 1} has no id", field=id_column)
    duplicated = text.duplicated().to_numpy(dtype=bool)
    if duplicated.any():
        row = int(np.argmax(duplicated))
        raise SurveyError(f"duplicate respondent id {text.iloc[row]!r} (respondent {row + 1})",
                          field=id_column)
    return pd.array(text.to_numpy(), dtype="str")
