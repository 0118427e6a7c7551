"""One function per section of the scores file, each reading a codebook and the responses.

:func:`survey_builder.scoring.score_responses` calls them in column order; each can also be
used on its own. ``responses`` is always a canonical-layout frame holding every codebook
column (checked by ``score_responses``), ``codebook`` a codebook mapping
(:func:`survey_builder.codebook.build_codebook`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..layout import ANSWER_SUFFIX
from ._arrays import (
    clv,
    longest_run,
    min_items_required,
    reverse_key,
    scale_scores,
    straightlined_blocks,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from ..reliability import MissingPolicy

__all__ = [
    "ScaleScores",
    "StraightlineRule",
    "Straightlining",
    "count_answered",
    "count_dont_know",
    "dont_know_answers",
    "flag_attention",
    "flag_straightliners",
    "score_answers",
    "score_clv",
    "score_journey",
    "score_reliability",
    "score_scales",
    "straightlining",
]

#: Question types whose every column (grid row) counts as one answer in ``n_answered``;
#: any other question counts once, however many columns it has (options, ranks).
_COUNT_EACH_COLUMN = frozenset({"likert_grid"})


# --------------------------------------------------------------------------- scales
@dataclass(frozen=True)
class ScaleScores:
    """What :func:`score_scales` returns.

    Attributes
    ----------
    scores : dict of str to ndarray
        Scale name → score per respondent (``NaN`` with too few answered items), in the
        codebook's scale order.
    items : dict of str to DataFrame
        Scale name → its item answers after reverse-keying (the input of the reliability
        statistics).
    min_items : dict of str to int
        Scale name → answered items a score needs.
    """

    scores: dict[str, np.ndarray]
    items: dict[str, pd.DataFrame]
    min_items: dict[str, int]


def score_scales(codebook: Mapping[str, Any], responses: pd.DataFrame, *,
                 min_answered: float = 0.5) -> ScaleScores:
    """Scale scores: the mean of the answered items after reverse-keying.

    Parameters
    ----------
    codebook : mapping
        Its ``scales`` name the items, the reverse-keyed ones and an optional
        ``min_answered`` count; its ``columns`` give each item's lowest and highest point.
    responses : DataFrame
        Canonical-layout answers.
    min_answered : float
        Minimum answered items of a scale without its own ``min_answered``: a fraction of the
        items or a count, see :func:`~survey_builder.scoring.min_items_required`.

    Returns
    -------
    ScaleScores

    Examples
    --------
    A reverse-keyed item on a 1..5 scale counts ``6 - answer``:

    >>> import pandas as pd
    >>> book = {"columns": [{"name": "a", "min": 1, "max": 5}, {"name": "b", "min": 1, "max": 5}],
    ...         "scales": [{"name": "s", "items": ["a", "b"], "reverse_keyed": ["b"]}]}
    >>> score_scales(book, pd.DataFrame({"a": [4, 2], "b": [1, None]})).scores["s"].tolist()
    [4.5, 2.0]
    """
    import pandas as pd

    columns = _columns_by_name(codebook)
    scores: dict[str, np.ndarray] = {}
    items_of: dict[str, pd.DataFrame] = {}
    needs: dict[str, int] = {}
    for scale in codebook.get("scales", []):
        items = list(scale["items"])
        matrix = _float_matrix(responses, items)
        for j, item in enumerate(items):
            if item in scale.get("reverse_keyed", []):
                column = columns[item]
                matrix[:, j] = reverse_key(matrix[:, j], column.get("min") or 1,
                                           column.get("max") or scale.get("points") or 5)
        need = (min(int(scale["min_answered"]), len(items)) if scale.get("min_answered")
                else min_items_required(len(items), min_answered))
        scores[scale["name"]] = scale_scores(matrix, min_items=need)
        items_of[scale["name"]] = pd.DataFrame(matrix, columns=items)
        needs[scale["name"]] = need
    return ScaleScores(scores, items_of, needs)


# --------------------------------------------------------------------------- derivations
def score_clv(codebook: Mapping[str, Any], responses: pd.DataFrame) -> np.ndarray | None:
    """Customer lifetime value: value × purchases per year × lifespan in years.

    Parameters
    ----------
    codebook : mapping
        ``derivations.clv.terms`` says, for ``value``, ``frequency`` and ``lifespan``, which
        column holds it, whether it is a number or a choice (with the ``map`` from option
        code to number) and the ``factor`` converting it to money / per year / years.
    responses : DataFrame
        Canonical-layout answers.

    Returns
    -------
    ndarray or None
        CLV per respondent (``NaN`` when a term is unanswered or an option has no number),
        or None when the survey defines no CLV.
    """
    import numpy as np
    import pandas as pd

    definition = (codebook.get("derivations") or {}).get("clv")
    if not definition:
        return None
    factors = []
    for term in ("value", "frequency", "lifespan"):
        spec = definition["terms"][term]
        answers = responses[spec["column"]]
        if spec["kind"] == "choice":
            numbers = {str(code): float(number) for code, number in (spec.get("map") or {}).items()
                       if number is not None}
            answers = answers.astype("str").map(numbers)
        values = pd.to_numeric(answers, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        factors.append(values * float(spec.get("factor", 1.0) or 1.0))
    return clv(*factors)


def score_journey(codebook: Mapping[str, Any], responses: pd.DataFrame, *, language: str,
                  labels: bool = True) -> pd.Series | None:
    """The customer-journey stage as an ordered categorical, stages in journey order.

    Parameters
    ----------
    codebook : mapping
        ``derivations.journey`` names the question and its stage order.
    responses : DataFrame
        Canonical-layout answers.
    language : str
        Language of the stage labels.
    labels : bool
        Stage labels (True; codes when two stages share a label) or option codes (False).

    Returns
    -------
    Series or None
        None when the survey defines no journey question.
    """
    journey = (codebook.get("derivations") or {}).get("journey")
    if not journey:
        return None
    column = _columns_by_name(codebook)[journey["column"]]
    return _categorical(responses[journey["column"]], [str(s) for s in journey["stages"]],
                        _labels(column, language) if labels else None, ordered=True)


def score_answers(codebook: Mapping[str, Any], responses: pd.DataFrame, *, language: str,
                  labels: bool = True, taken: Collection[str] = ()) -> dict[str, pd.Series]:
    """Single-choice answers carried into the scores file as (unordered) categoricals.

    The journey question and the CLV inputs are left out: their information is in
    ``journey_stage`` and ``clv``.

    Parameters
    ----------
    codebook : mapping
        Its ``columns`` of type ``single_choice`` with their ``levels``.
    responses : DataFrame
        Canonical-layout answers.
    language : str
        Language of the labels.
    labels : bool
        Option labels (True; codes when two options share a label) or option codes (False).
    taken : collection of str
        Output column names already used; an answer with such a name becomes
        ``<name>_answer``.

    Returns
    -------
    dict of str to Series
        Output column name → categorical with the options in questionnaire order.
    """
    derivations = codebook.get("derivations") or {}
    skip = {derivations["journey"]["column"]} if derivations.get("journey") else set()
    if derivations.get("clv"):
        skip |= {term["column"] for term in derivations["clv"]["terms"].values()}
    used = set(taken)
    out: dict[str, pd.Series] = {}
    for name, column in _columns_by_name(codebook).items():
        if column.get("type") != "single_choice" or name in skip:
            continue
        target = name if name not in used else f"{name}{ANSWER_SUFFIX}"
        codes = [str(level["code"]) for level in column.get("levels") or []]
        out[target] = _categorical(responses[name], codes,
                                   _labels(column, language) if labels else None)
        used.add(target)
    return out


# --------------------------------------------------------------------------- data quality
def flag_attention(codebook: Mapping[str, Any], responses: pd.DataFrame) -> np.ndarray:
    """Respondents who gave a wrong answer to any attention check.

    An unanswered check is not a failure.

    Parameters
    ----------
    codebook : mapping
        ``attention_checks`` lists each check's column and correct answer.
    responses : DataFrame
        Canonical-layout answers.

    Returns
    -------
    ndarray of bool, shape (n_respondents,)
    """
    import numpy as np

    failed = np.zeros(len(responses), dtype=bool)
    for check in codebook.get("attention_checks", []):
        answers = responses[check["column"]]
        right = (answers.astype("str") == str(check["answer"])).to_numpy(dtype=bool)
        failed |= _answered(answers) & ~right
    return failed


@dataclass(frozen=True)
class StraightlineRule:
    """When a respondent counts as a straight-liner (thresholds of :func:`straightlining`).

    Attributes
    ----------
    min_items : int
        A Likert grid counts for a respondent who answered at least this many of its items
        (and is straight-lined when all of those answers are equal).
    min_share : float
        Flag a respondent who straight-lined at least this share of the grids that count
        for them (0.5: half of them) ...
    min_grids : int
        ... and at least this many grids (one short grid answered alike is weak evidence:
        a consistent respondent may well agree with all four items of a scale).
    min_run : int
        Or who gave the same answer to at least this many consecutive Likert items, in
        questionnaire order across grids and single items (0 turns the run rule off).
    """

    min_items: int = 3
    min_share: float = 0.5
    min_grids: int = 2
    min_run: int = 15

    def __post_init__(self) -> None:
        if self.min_items < 2:
            raise ValueError(f"min_items must be at least 2, not {self.min_items}")
        if not 0 < self.min_share <= 1:
            raise ValueError(f"min_share must be in (0, 1], not {self.min_share}")
        if self.min_grids < 0:
            raise ValueError(f"min_grids must be at least 0, not {self.min_grids}")
        if self.min_run < 0:
            raise ValueError(f"min_run must be at least 0, not {self.min_run}")


@dataclass(frozen=True)
class Straightlining:
    """What :func:`straightlining` returns, one row per respondent.

    Attributes
    ----------
    grids : DataFrame of bool
        One column per Likert grid (its question name): straight-lined by the respondent.
    share : ndarray of float
        Share of the grids that count for the respondent (enough answered items) that they
        straight-lined; ``NaN`` when none counts.
    longest_run : ndarray of int
        Longest run of equal consecutive Likert answers (questionnaire order).
    flag : ndarray of bool
        ``share >= rule.min_share`` (with at least ``rule.min_grids`` straight-lined) or
        ``longest_run >= rule.min_run``.
    """

    grids: pd.DataFrame
    share: np.ndarray
    longest_run: np.ndarray
    flag: np.ndarray


def straightlining(codebook: Mapping[str, Any], responses: pd.DataFrame,
                   rule: StraightlineRule | None = None) -> Straightlining:
    """Straight-lining per grid and across grids.

    A grid is straight-lined when every answered item has the same answer (at least
    ``rule.min_items`` answered); across grids, the share of the grids straight-lined and
    the longest run of equal answers over all Likert items (raw codes, in questionnaire
    order) say whether the respondent answered without reading.

    Parameters
    ----------
    codebook : mapping
        Its ``likert`` columns with their grid (``question``, ``item``).
    responses : DataFrame
        Canonical-layout answers.
    rule : StraightlineRule, optional
        The thresholds (default: :class:`StraightlineRule`'s).

    Returns
    -------
    Straightlining
    """
    import numpy as np
    import pandas as pd

    rule = rule or StraightlineRule()
    columns = _columns_by_name(codebook)
    likert = [name for name, column in columns.items() if column.get("type") == "likert"]
    raw = _float_matrix(responses, likert)
    grids: dict[str, list[int]] = {}
    for j, name in enumerate(likert):
        if columns[name].get("item") is not None:
            grids.setdefault(columns[name]["question"], []).append(j)
    counted, straight = straightlined_blocks([raw[:, rows] for rows in grids.values()],
                                             rule.min_items)
    if not grids:
        counted = straight = np.zeros((len(responses), 0), dtype=bool)
    n_counted = counted.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_counted > 0, straight.sum(axis=1) / n_counted, np.nan)
    run = longest_run(raw)
    flag = ((np.nan_to_num(share, nan=0.0) >= rule.min_share)
            & (straight.sum(axis=1) >= max(rule.min_grids, 1)))
    if rule.min_run:
        flag |= run >= rule.min_run
    frame = pd.DataFrame(straight, columns=list(grids), index=responses.index)
    return Straightlining(frame, share, run, flag)


def flag_straightliners(codebook: Mapping[str, Any], responses: pd.DataFrame, *,
                        rule: StraightlineRule | None = None) -> np.ndarray:
    """The ``straightliner`` flag of :func:`straightlining`.

    Returns
    -------
    ndarray of bool, shape (n_respondents,)
    """
    return straightlining(codebook, responses, rule).flag


def count_answered(codebook: Mapping[str, Any], responses: pd.DataFrame) -> np.ndarray:
    """Answered questions per respondent: each Likert-grid row counts once, any other
    question once (a multiple-choice or ranking question however many options it has).

    Parameters
    ----------
    codebook : mapping
        Its ``questions`` with their ``type`` and ``columns``.
    responses : DataFrame
        Canonical-layout answers (blank text counts as unanswered).

    Returns
    -------
    ndarray of int, shape (n_respondents,)
    """
    import numpy as np

    from ._violations import answer_columns

    count = np.zeros(len(responses), dtype=int)
    for question in codebook.get("questions", []):
        answered = _answered_matrix(responses, answer_columns(question))
        if question.get("type") in _COUNT_EACH_COLUMN:
            count += answered.sum(axis=1)
        else:
            count += answered.any(axis=1)
    return count


def dont_know_answers(codebook: Mapping[str, Any], responses: pd.DataFrame
                      ) -> dict[str, np.ndarray]:
    """Which respondents answered "Don't know", per column offering it.

    Parameters
    ----------
    codebook : mapping
        Its ``columns`` (a column offering "Don't know" has ``dont_know``: its code).
    responses : DataFrame
        Canonical-layout answers.

    Returns
    -------
    dict
        Column name -> ndarray of bool, shape (n_respondents,); empty when no question
        offers "Don't know".
    """
    return {column["name"]: (responses[column["name"]].astype(object)
                             == str(column["dont_know"]["code"])).to_numpy(
                                 dtype=bool, na_value=False)
            for column in codebook["columns"] if column.get("dont_know")}


def count_dont_know(codebook: Mapping[str, Any], responses: pd.DataFrame
                    ) -> np.ndarray | None:
    """"Don't know" answers per respondent, over every Likert item and NPS question that
    offers one (``None`` when none does; see :func:`dont_know_answers`).

    Returns
    -------
    ndarray of int, shape (n_respondents,), or None
    """
    import numpy as np

    answers = dont_know_answers(codebook, responses)
    if not answers:
        return None
    return np.sum(list(answers.values()), axis=0, dtype=int)


# --------------------------------------------------------------------------- reliability
def score_reliability(codebook: Mapping[str, Any], scales: ScaleScores, *,
                      keep: np.ndarray | None = None, missing: MissingPolicy = "listwise",
                      language: str) -> dict[str, dict[str, Any]]:
    """Cronbach's alpha and item statistics of every scale, with what the scale is.

    Parameters
    ----------
    codebook : mapping
        Its ``scales`` (label, dimension, layer, reverse-keyed items).
    scales : ScaleScores
        From :func:`score_scales`.
    keep : ndarray of bool, optional
        Respondents the statistics use (default: all); scores count everyone.
    missing : {"listwise", "pairwise"}
        Missing-data handling, see :mod:`survey_builder.reliability`.
    language : str
        Language of the scale labels.

    Returns
    -------
    dict
        Scale name → ``label``, ``dimension``, ``layer``, the statistics of
        :func:`~survey_builder.reliability.scale_reliability`, ``reverse_keyed``,
        ``min_items_for_score`` and ``respondents_scored``; JSON-ready.
    """
    import numpy as np

    from ..reliability import reliability_report

    items = scales.items if keep is None else {
        name: frame[keep] for name, frame in scales.items.items()}
    statistics = reliability_report(items, missing=missing)["scales"]
    described = {scale["name"]: scale for scale in codebook.get("scales", [])}
    out: dict[str, dict[str, Any]] = {}
    for name, entry in statistics.items():
        scale = described[name]
        out[name] = {
            "label": (scale.get("label") or {}).get(language),
            "dimension": scale.get("dimension"), "layer": scale.get("layer"), **entry,
            "reverse_keyed": list(scale.get("reverse_keyed", [])),
            "min_items_for_score": scales.min_items[name],
            "respondents_scored": int(np.isfinite(scales.scores[name]).sum()),
        }
    return out


# --------------------------------------------------------------------------- helpers
def _columns_by_name(codebook: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {column["name"]: column for column in codebook["columns"]}


def _float_matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The columns as one float matrix (respondents x columns), ``NaN`` for missing."""
    import numpy as np
    import pandas as pd

    if not columns:
        return np.empty((len(frame), 0))
    return np.column_stack([
        pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for c in columns
    ])


def _answered(series: pd.Series) -> np.ndarray:
    """Non-missing and, for text, non-empty (the readers already turn blank cells into NaN)."""
    import numpy as np
    import pandas as pd

    values = series.notna().to_numpy().copy()
    if not (pd.api.types.is_numeric_dtype(series.dtype)
            or pd.api.types.is_bool_dtype(series.dtype)):
        values &= np.asarray(series.astype(object) != "", dtype=bool)
    return values


def _answered_matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """:func:`_answered` of each column, as a (respondents x columns) boolean matrix."""
    import numpy as np

    if not columns:
        return np.zeros((len(frame), 0), dtype=bool)
    return np.column_stack([_answered(frame[c]) for c in columns])


def _labels(column: Mapping[str, Any], language: str) -> dict[str, str]:
    """Option code → label in ``language`` (else the first language that has one)."""
    out = {}
    for level in column.get("levels") or []:
        label = level.get("label") or {}
        out[str(level["code"])] = label.get(language) or next(iter(label.values()), "")
    return out


def _categorical(values: pd.Series, codes: list[str], labels: dict[str, str] | None,
                 ordered: bool = False) -> pd.Series:
    """Choice codes as a categorical of codes or (when unique) labels, in option order."""
    import pandas as pd

    text = values.astype("str") if len(values) else values.astype(object)
    categorical = pd.Categorical(text.astype(object).where(text.notna(), None),
                                 categories=codes, ordered=ordered)
    if labels is not None:
        names = [labels.get(c, c) for c in codes]
        if len(set(names)) == len(names):
            categorical = categorical.rename_categories(names)
    return pd.Series(categorical, index=values.index)
