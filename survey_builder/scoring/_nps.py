"""Net Promoter Score: promoter / passive / detractor groups and the NPS itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["NPS_GROUPS", "NPS_SUFFIX", "net_promoter_score", "nps_groups", "nps_table",
           "score_nps"]

#: Scores-column suffix of an NPS question's group, e.g. ``recommend_nps``.
NPS_SUFFIX = "_nps"
#: The groups in order: 0-6, 7-8, 9-10.
NPS_GROUPS: tuple[str, ...] = ("detractor", "passive", "promoter")


def nps_groups(values: Any) -> pd.Series:
    """0..10 answers as an ordered categorical ``detractor`` (0-6) < ``passive`` (7-8) <
    ``promoter`` (9-10); missing stays missing.

    Examples
    --------
    >>> nps_groups([10, 7, 3, None]).tolist()
    ['promoter', 'passive', 'detractor', nan]
    """
    import numpy as np
    import pandas as pd

    index = values.index if isinstance(values, pd.Series) else None
    number = pd.to_numeric(pd.Series(values, index=index), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)
    codes = np.where(np.isnan(number), -1, np.digitize(number, [7, 9]))
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(NPS_GROUPS),
                                               ordered=True), index=index)


def _as_groups(values: Any) -> pd.Series:
    """NPS groups from 0..10 answers, or the groups themselves (a ``<q>_nps`` scores
    column: the categorical, or its group names as text)."""
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object or (
            pd.api.types.is_string_dtype(series.dtype)):
        known = series.dropna().astype(str)
        if len(known) and known.isin(NPS_GROUPS).all():
            return pd.Series(pd.Categorical(series.astype(object).where(series.notna()),
                                            categories=list(NPS_GROUPS), ordered=True),
                             index=series.index)
    return nps_groups(series)


def nps_table(values: Any, groups: Any = None, sample_weight: Any = None) -> pd.DataFrame:
    """Promoters, passives, detractors and the NPS, overall or per segment, optionally
    weighted: the one implementation of the NPS rule.

    Parameters
    ----------
    values : array-like
        0..10 answers, or their groups (``detractor``/``passive``/``promoter``, e.g. the
        ``<q>_nps`` column of a scores file); missing ones are left out.
    groups : array-like, optional
        A segment per respondent (default: everyone in one group, ``"all"``).
    sample_weight : array-like, optional
        Survey weights: the shares and the NPS are weighted.

    Returns
    -------
    DataFrame
        One row per group: ``promoters``, ``passives``, ``detractors`` (shares of the
        answered weight, 0..1), ``nps`` (100 × (promoters − detractors), ``NaN`` without
        answers), ``answered`` (respondents), ``weight`` and ``weight_sq`` (Σw and Σw² of
        the answered: Kish's effective base is ``weight² / weight_sq``).

    Examples
    --------
    >>> table = nps_table([10, 9, 8, 3], sample_weight=[1, 1, 1, 3])  # (2 - 3) / 6
    >>> round(float(table.loc["all", "nps"]), 2), int(table.loc["all", "answered"])
    (-16.67, 4)
    """
    import numpy as np
    import pandas as pd

    group = _as_groups(values)
    n = len(group)
    weight = (np.ones(n) if sample_weight is None
              else np.asarray(sample_weight, dtype=float).reshape(-1))
    answered = group.notna().to_numpy()
    w = np.where(answered, weight, 0.0)
    parts = pd.DataFrame({
        "promoters": w * (group == "promoter").to_numpy(),
        "passives": w * (group == "passive").to_numpy(),
        "detractors": w * (group == "detractor").to_numpy(),
        "answered": answered.astype(np.int64), "weight": w, "weight_sq": w ** 2})
    keys = pd.Series(["all"] * n if groups is None else list(groups), index=parts.index)
    sums = parts.groupby(keys, observed=True, sort=True).sum()
    total = sums["weight"].where(sums["weight"] > 0)
    for share in ("promoters", "passives", "detractors"):
        sums[share] = sums[share] / total
    sums["nps"] = 100.0 * (sums["promoters"] - sums["detractors"])
    return sums[["promoters", "passives", "detractors", "nps", "answered", "weight",
                 "weight_sq"]]


def net_promoter_score(values: Any, groups: Any = None) -> float | pd.Series:
    """NPS = % promoters - % detractors among the answered, from -100 to 100.

    Parameters
    ----------
    values : array-like
        0..10 answers (missing ones are left out).
    groups : array-like, optional
        A segment per respondent: the NPS of each segment is returned.

    Returns
    -------
    float or Series
        ``NaN`` with no answer (in a segment).

    Examples
    --------
    >>> net_promoter_score([10, 9, 8, 3])
    25.0
    """
    table = nps_table(values, groups)
    if groups is None:
        return float(table["nps"].iloc[0]) if len(table) else float("nan")
    return table["nps"]


def score_nps(codebook: Mapping[str, Any], responses: pd.DataFrame) -> dict[str, pd.Series]:
    """The group of every NPS answer, as ``<question>_nps`` columns.

    Parameters
    ----------
    codebook : mapping
        Its ``columns`` of type ``nps``.
    responses : DataFrame
        Canonical-layout answers.

    Returns
    -------
    dict of str to Series
        Ordered categoricals (:func:`nps_groups`).
    """
    return {f"{column['name']}{NPS_SUFFIX}": nps_groups(responses[column["name"]])
            for column in codebook["columns"] if column.get("type") == "nps"}
