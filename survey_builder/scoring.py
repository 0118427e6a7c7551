"""Scoring maths: reverse-keying, scale means with a minimum-answered rule, CLV, data-quality flags.

The functions in the first half of this module work on plain NumPy arrays and know nothing about
the spec; :func:`score_responses` (second half) wires them to a survey and its codebook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import SurveyError
from .layout import CLV_COLUMN, FLAG_COLUMNS, JOURNEY_COLUMN, N_ANSWERED_COLUMN

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from .reliability import MissingPolicy
    from .spec import Survey

__all__ = [
    "CLV_COLUMN",
    "FLAG_COLUMNS",
    "JOURNEY_COLUMN",
    "N_ANSWERED_COLUMN",
    "ScoreResult",
    "clv",
    "codebook_for",
    "min_items_required",
    "reverse_key",
    "scale_scores",
    "score_responses",
    "straightline_flags",
]


def reverse_key(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Flip answers on a ``low..high`` rating scale: ``low + high - value``.

    Parameters
    ----------
    values : ndarray
        Raw answers (``NaN`` stays ``NaN``).
    low, high : float
        The scale's lowest and highest points (e.g. 1 and 5).

    Returns
    -------
    ndarray
        Reverse-keyed answers, as float.

    Examples
    --------
    >>> import numpy as np
    >>> reverse_key(np.array([1.0, 2.0, np.nan, 5.0]), 1, 5).tolist()[:2]
    [5.0, 4.0]
    """
    import numpy as np

    return (low + high) - np.asarray(values, dtype=float)


def min_items_required(n_items: int, min_answered: float) -> int:
    """How many of ``n_items`` must be answered for a scale score.

    Parameters
    ----------
    n_items : int
        Items in the scale.
    min_answered : float
        A fraction in ``(0, 1]`` of the items (0.5 → at least half, rounded up), or a count
        ``> 1`` of items (capped at ``n_items``). ``1`` means the fraction 1.0, i.e. every
        item; write a fraction such as ``0.01`` for "at least one item".

    Returns
    -------
    int
        At least 1 and at most ``n_items`` (0 when the scale is empty).
    """
    if n_items <= 0:
        return 0
    if not (min_answered > 0) or math.isinf(min_answered):
        raise ValueError(f"min_answered must be a fraction in (0, 1] or a count >= 1, "
                         f"not {min_answered!r}")
    if min_answered <= 1:
        need = math.ceil(round(min_answered * n_items, 9))
    else:
        need = int(min_answered)
    return int(min(max(need, 1), n_items))


def scale_scores(items: np.ndarray, min_answered: float = 0.5, *,
                 min_items: int | None = None) -> np.ndarray:
    """Row means of answered items, ``NaN`` where too few items were answered.

    Parameters
    ----------
    items : ndarray, shape (n_respondents, n_items)
        Answers already reverse-keyed; ``NaN`` marks a missing answer.
    min_answered : float
        Minimum answered items, see :func:`min_items_required`.
    min_items : int, optional
        The minimum as an exact count (overrides ``min_answered``).

    Returns
    -------
    ndarray, shape (n_respondents,)
        The scale score per respondent.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 3, 4], [5, np.nan, np.nan, np.nan], [2, 4, np.nan, np.nan]])
    >>> scale_scores(x, 0.5).tolist()[0], scale_scores(x, 0.5).tolist()[2]
    (2.5, 3.0)
    """
    import numpy as np

    values = np.asarray(items, dtype=float)
    if values.ndim != 2:
        raise ValueError("items must be a 2-D array (respondents x items)")
    n, k = values.shape
    if k == 0:
        return np.full(n, np.nan)
    answered = ~np.isnan(values)
    count = answered.sum(axis=1)
    total = np.where(answered, values, 0.0).sum(axis=1)
    need = min_items if min_items is not None else min_items_required(k, min_answered)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = total / count
    return np.where(count >= need, score, np.nan)


def clv(avg_purchase_value: np.ndarray, purchases_per_year: np.ndarray,
        lifespan_years: np.ndarray) -> np.ndarray:
    """Customer lifetime value = average purchase value × purchases per year × lifespan in years.

    Parameters
    ----------
    avg_purchase_value : ndarray
        Money per purchase.
    purchases_per_year : ndarray
        Purchase frequency, already converted to purchases per year.
    lifespan_years : ndarray
        Expected (or observed) customer lifespan in years.

    Returns
    -------
    ndarray
        CLV per respondent; ``NaN`` when any input is missing.

    Examples
    --------
    >>> import numpy as np
    >>> clv(np.array([40.0]), np.array([12.0]), np.array([3.0])).tolist()
    [1440.0]
    """
    import numpy as np

    return (np.asarray(avg_purchase_value, dtype=float)
            * np.asarray(purchases_per_year, dtype=float)
            * np.asarray(lifespan_years, dtype=float))


def straightline_flags(blocks: list[np.ndarray], min_items: int = 5) -> np.ndarray:
    """Flag respondents who gave the same raw answer to every item of a long block.

    Parameters
    ----------
    blocks : list of ndarray, each shape (n_respondents, n_items)
        Raw (not reverse-keyed) Likert answers, one array per block to check — typically every
        Likert grid plus one array holding *all* Likert items of the survey. ``NaN`` = missing.
    min_items : int
        A block only counts for a respondent who answered at least this many of its items; with
        fewer answers, identical responses are too likely to mean anything.

    Returns
    -------
    ndarray of bool, shape (n_respondents,)
        True when, in at least one block, the respondent answered ``>= min_items`` items and all
        of those answers are equal (zero variance).
    """
    import numpy as np

    flags: np.ndarray | None = None
    for block in blocks:
        values = np.asarray(block, dtype=float)
        if values.ndim != 2:
            raise ValueError("each block must be a 2-D array (respondents x items)")
        if flags is None:
            flags = np.zeros(values.shape[0], dtype=bool)
        if values.shape[1] < min_items:
            continue
        answered = ~np.isnan(values)
        count = answered.sum(axis=1)
        hi = np.where(answered, values, -np.inf).max(axis=1)
        lo = np.where(answered, values, np.inf).min(axis=1)
        flags |= (count >= min_items) & (hi == lo)
    return flags if flags is not None else np.zeros(0, dtype=bool)


# --------------------------------------------------------------------------- survey scoring
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
        from .reliability import format_reliability_table

        header = (f"Reliability of {len(self.reliability.get('scales', {}))} scale(s), "
                  f"{self.reliability.get('n_respondents', 0)} respondents")
        flags = self.reliability.get("flags") or {}
        if flags:
            header += " (" + ", ".join(f"{name}: {count}" for name, count in flags.items()) + ")"
        return header + "\n" + format_reliability_table(self.reliability)


def codebook_for(source: Survey | Mapping[str, Any]) -> dict[str, Any]:
    """The codebook dict of a :class:`~survey_builder.spec.Survey` (or a codebook, unchanged)."""
    if isinstance(source, Mapping):
        return dict(source)
    from .codebook import build_codebook

    return build_codebook(source)


def _float_matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
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


def _labels(column: Mapping[str, Any], language: str) -> dict[str, str]:
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


def score_responses(
    source: Survey | Mapping[str, Any],
    responses: pd.DataFrame,
    *,
    min_answered: float = 0.5,
    missing: MissingPolicy = "listwise",
    language: str | None = None,
    labels: bool = True,
    straightline_min_items: int = 5,
    reliability_exclude_flagged: bool = False,
) -> ScoreResult:
    """Score responses in the canonical layout: scales, CLV, journey, answers, quality flags.

    Parameters
    ----------
    source : Survey or codebook dict
        The questionnaire (its codebook says which columns form which scale, which items are
        reverse-keyed, how answers convert to CLV inputs, ...).
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
    straightline_min_items : int
        A block (a Likert grid, or all Likert items together) counts towards the
        ``straightliner`` flag only when at least this many of its items were answered.
    reliability_exclude_flagged : bool
        Leave respondents flagged ``attention_failed`` or ``straightliner`` out of the
        reliability statistics (their scores are still computed).

    Returns
    -------
    ScoreResult
        ``scores`` has, in order: the id column (unique strings); one column per scale (mean
        of answered items after reverse-keying, ``NaN`` with too few answers); ``clv`` (average
        purchase value × purchases per year × lifespan in years, ``NaN`` if any input is
        unknown) when the survey defines CLV; ``journey_stage`` (ordered categorical) when it
        defines a journey question; every other single-choice answer as a categorical;
        ``attention_failed`` (a wrong answer to any attention check — an unanswered check is
        not a failure); ``straightliner`` (the same relative answer position on every item of
        a block, see ``straightline_min_items``); ``n_answered`` (answered questions, each
        Likert item counted once, a multiple-choice or ranking question once).

    Raises
    ------
    SurveyError
        A codebook column is missing from ``responses``, or ids are missing or duplicated.
    """
    import numpy as np
    import pandas as pd

    from .reliability import reliability_report

    codebook = codebook_for(source)
    id_column = codebook.get("id_column", "respondent_id")
    columns = {c["name"]: c for c in codebook["columns"]}
    absent = [name for name in columns if name not in responses.columns]
    if absent:
        raise SurveyError(f"responses lack {len(absent)} codebook column(s): "
                          f"{', '.join(absent[:8])}{' ...' if len(absent) > 8 else ''}")
    language = language or codebook.get("survey", {}).get("default_language") or "en"
    n = len(responses)
    ids = responses[id_column].astype(object)
    id_text = ids.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                      else str(v).strip())
    if (id_text == "").any():
        row = int(np.argmax((id_text == "").to_numpy()))
        raise SurveyError(f"respondent {row + 1} has no id", field=id_column)
    duplicated = id_text.duplicated()
    if duplicated.any():
        row = int(np.argmax(duplicated.to_numpy()))
        raise SurveyError(f"duplicate respondent id {id_text.iloc[row]!r} (respondent {row + 1})",
                          field=id_column)

    out: dict[str, Any] = {id_column: pd.array(id_text.to_numpy(), dtype="str")}
    used = {id_column}

    # ---- scale scores
    scale_frames: dict[str, pd.DataFrame] = {}
    scale_meta: dict[str, dict[str, Any]] = {}
    for scale in codebook.get("scales", []):
        items = list(scale["items"])
        matrix = _float_matrix(responses, items)
        for j, item in enumerate(items):
            if item in scale.get("reverse_keyed", []):
                col = columns[item]
                matrix[:, j] = reverse_key(matrix[:, j], col.get("min") or 1,
                                           col.get("max") or scale.get("points") or 5)
        need = (min(int(scale["min_answered"]), len(items)) if scale.get("min_answered")
                else min_items_required(len(items), min_answered))
        out[scale["name"]] = scale_scores(matrix, min_items=need)
        used.add(scale["name"])
        scale_frames[scale["name"]] = pd.DataFrame(matrix, columns=items)
        scale_meta[scale["name"]] = {
            "label": (scale.get("label") or {}).get(language), "dimension": scale.get("dimension"),
            "layer": scale.get("layer"), "min_items": need,
            "reverse_keyed": list(scale.get("reverse_keyed", [])),
        }

    derivations = codebook.get("derivations") or {}
    # ---- CLV
    clv_spec = derivations.get("clv")
    if clv_spec:
        factors = []
        for term in ("value", "frequency", "lifespan"):
            spec = clv_spec["terms"][term]
            series = responses[spec["column"]]
            if spec["kind"] == "choice":
                mapping = {str(k): float(v) for k, v in (spec.get("map") or {}).items()
                           if v is not None}
                number = series.astype(object).map(
                    lambda v, m=mapping: m.get(str(v), np.nan) if v is not None else np.nan)
                values = pd.to_numeric(number, errors="coerce").to_numpy(dtype=float)
            else:
                values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float,
                                                                         na_value=np.nan)
            factors.append(values * float(spec.get("factor", 1.0) or 1.0))
        out[CLV_COLUMN] = clv(*factors)
        used.add(CLV_COLUMN)

    # ---- journey stage
    journey = derivations.get("journey")
    if journey:
        col = columns[journey["column"]]
        stage_labels = _labels(col, language) if labels else None
        out[JOURNEY_COLUMN] = _categorical(responses[journey["column"]],
                                           [str(s) for s in journey["stages"]], stage_labels,
                                           ordered=True)
        used.add(JOURNEY_COLUMN)

    # ---- categorical answers carried through
    skip = {journey["column"]} if journey else set()
    if clv_spec:
        skip |= {t["column"] for t in clv_spec["terms"].values()}
    for name, col in columns.items():
        if col.get("type") != "single_choice" or name in skip:
            continue
        target = name if name not in used else f"{name}_answer"
        codes = [str(level["code"]) for level in col.get("levels") or []]
        out[target] = _categorical(responses[name], codes,
                                   _labels(col, language) if labels else None)
        used.add(target)

    # ---- flags
    failed = np.zeros(n, dtype=bool)
    for check in codebook.get("attention_checks", []):
        answers = responses[check["column"]]
        given = _answered(answers)
        failed |= given & (answers.astype(object).map(str).to_numpy() != str(check["answer"]))
    out["attention_failed"] = failed

    likert_cols = [name for name, c in columns.items() if c.get("type") == "likert"]
    blocks: list[np.ndarray] = []
    if likert_cols:
        raw = _float_matrix(responses, likert_cols)
        lows = np.array([columns[c].get("min") or 1 for c in likert_cols], dtype=float)
        highs = np.array([columns[c].get("max") or 5 for c in likert_cols], dtype=float)
        position = (raw - lows) / np.where(highs > lows, highs - lows, 1.0)
        blocks.append(position)
        grids: dict[str, list[int]] = {}
        for j, name in enumerate(likert_cols):
            if columns[name].get("item") is not None:
                grids.setdefault(columns[name]["question"], []).append(j)
        blocks.extend(raw[:, idx] for idx in grids.values())
    out["straightliner"] = (straightline_flags(blocks, straightline_min_items) if blocks
                            else np.zeros(n, dtype=bool))

    # ---- answered questions
    count = np.zeros(n, dtype=int)
    for question in codebook.get("questions", []):
        cols = question["columns"]
        if question.get("type") == "likert_grid":
            for c in cols:
                count += _answered(responses[c])
        else:
            answered = np.zeros(n, dtype=bool)
            for c in cols:
                answered |= _answered(responses[c])
            count += answered
    out[N_ANSWERED_COLUMN] = count

    scores = pd.DataFrame(out, index=responses.index)

    # ---- reliability
    keep = np.ones(n, dtype=bool)
    if reliability_exclude_flagged:
        keep = ~(failed | out["straightliner"])
    report = reliability_report({name: frame[keep] for name, frame in scale_frames.items()},
                                missing=missing)
    for name, entry in report["scales"].items():
        meta = scale_meta[name]
        scored = int(np.isfinite(scores[name].to_numpy(dtype=float)).sum())
        report["scales"][name] = {"label": meta["label"], "dimension": meta["dimension"],
                                  "layer": meta["layer"], **entry,
                                  "reverse_keyed": meta["reverse_keyed"],
                                  "min_items_for_score": meta["min_items"],
                                  "respondents_scored": scored}
    survey_meta = codebook.get("survey", {})
    full_report = {
        "survey": {"id": survey_meta.get("id"), "version": survey_meta.get("version")},
        "n_respondents": int(n),
        "n_used_for_reliability": int(keep.sum()),
        "settings": {"min_answered": min_answered, "missing": missing,
                     "exclude_flagged": bool(reliability_exclude_flagged),
                     "straightline_min_items": straightline_min_items},
        "flags": {"attention_failed": int(failed.sum()),
                  "straightliner": int(out["straightliner"].sum())},
        "missing": missing,
        "scales": report["scales"],
    }
    return ScoreResult(scores, full_report)
