"""Net Promoter Score: promoter / passive / detractor groups and the NPS itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["NPS_GROUPS", "NPS_SUFFIX", "net_promoter_score", "nps_groups", "score_nps"]

#: Scores-column suffix of an NPS question's group, e.g. ``recommend_nps``.
NPS_SUFFIX = "_nps"
#: The groups in order: 0-6, 7-8, 9-10.
NPS_GROUPS: tuple[str, ...] = ("detractor", "passive", "promoter")


def nps_groups(values: Any) -> pd.Series:
    """0..10 answers as an ordered categorical ``detractor`` (0-6) < ``passive`` (7-8) <
    ``promoter`` (9-10); missing stays missing.

    Examples
    --------
    >>> nps_groups([10, 7, 3, None]).astype(str).tolist()
    ['promoter', 'passive', 'detractor', 'nan']
    """
    import numpy as np
    import pandas as pd

    index = values.index if isinstance(values, pd.Series) else None
    number = pd.to_numeric(pd.Series(values, index=index), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)
    codes = np.where(np.isnan(number), -1, np.digitize(number, [7, 9]))
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(NPS_GROUPS),
                                               ordered=True), index=index)


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
    import pandas as pd

    group = nps_groups(values)
    answered = group.notna()
    share = pd.DataFrame({"promoter": (group == "promoter") & answered,
                          "detractor": (group == "detractor") & answered,
                          "answered": answered})
    if groups is None:
        total = share.sum()
        return (float(100.0 * (total["promoter"] - total["detractor"]) / total["answered"])
                if total["answered"] else float("nan"))
    sums = share.groupby(pd.Series(list(groups), index=share.index), observed=True).sum()
    return 100.0 * (sums["promoter"] - sums["detractor"]) / sums["answered"].where(
        sums["answered"] > 0)


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
