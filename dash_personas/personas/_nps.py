"""Net Promoter Score per persona: which columns are NPS groups, each segment's NPS, and
how it reads.

The numbers come from :func:`survey_builder.scoring.nps_table`, the survey side's one NPS
rule (promoters 9–10 minus detractors 0–6, of the answered); here they are only split by
segment, weighted like the rest of the profile, given Kish's effective base and the
profile's small-base flag, and worded once for every renderer (:func:`nps_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.scoring import NPS_SUFFIX, nps_table

from ..stats import effective_base
from ._features import humanise
from ._model import NetPromoterScore

__all__ = ["combine_nps_tables", "nps_by_feature", "nps_cell_text", "nps_columns",
           "nps_items", "nps_labels", "nps_tables", "nps_text", "segment_nps"]


def nps_columns(book: Any, columns: list[str]) -> list[str]:
    """The NPS group columns (``<question>_nps``) among ``columns``, per the codebook.

    Parameters
    ----------
    book : Codebook or None
        A survey's codebook, or a scores file's (whose ``scores`` layout says ``nps``).
    columns : list of str

    Returns
    -------
    list of str
        Empty without a codebook (an NPS question is known from the questionnaire only).
    """
    if book is None:
        return []
    found = []
    for name in columns:
        entry = book.scores.column(name) if book.scores is not None else None
        if entry is not None:
            if entry.kind == "nps":
                found.append(name)
            continue
        source = book.column(name.removesuffix(NPS_SUFFIX)) if name.endswith(NPS_SUFFIX) \
            else None
        if source is not None and source.type == "nps":
            found.append(name)
    return found


def nps_labels(book: Any, columns: list[str], language: str) -> dict[str, str]:
    """NPS group column -> its question's label, for the NPS columns among ``columns``."""
    out = {}
    for name in nps_columns(book, columns):
        question = name.removesuffix(NPS_SUFFIX)
        out[name] = (book.label(name, language) or book.label(question, language)
                     or humanise(question))
    return out


def segment_nps(frame: pd.DataFrame, labels: np.ndarray, columns: Mapping[str, str],
                weights: np.ndarray | None, min_base: float) -> dict[Any, list[NetPromoterScore]]:
    """Each segment's NPS on every NPS question of ``columns``.

    Parameters
    ----------
    frame : DataFrame
        Rows aligned with ``labels``, holding the NPS group columns.
    labels : ndarray
        Segment per row.
    columns : mapping of str to str
        NPS group column -> question label (:func:`nps_labels`); columns ``frame`` lacks
        are skipped.
    weights : ndarray, optional
        Survey weights: the NPS is weighted, and the unweighted one and the effective
        base are kept too.
    min_base : float
        (Effective) base under which the NPS is flagged ``small_base``.

    Returns
    -------
    dict
        Segment -> its NPS items, in column order (segments without answers get none).
    """
    tables = {name: nps_tables(frame[name].reset_index(drop=True), labels, weights)
              for name in columns if name in frame.columns}
    return nps_items(tables, columns, weights is not None, min_base)


def nps_tables(values: Any, labels: Any, weights: Any) -> dict[str, pd.DataFrame]:
    """The :func:`~survey_builder.scoring.nps_table` sums one NPS question needs.

    ``"segments"``: per segment (weighted when ``weights`` are given), ``"overall"``:
    everyone, ``"unweighted"``: per segment without weights (only with ``weights``).
    Tables of separate rows (Dask partitions) combine with :func:`combine_nps_tables`.
    """
    tables = {"segments": nps_table(values, labels, weights),
              "overall": nps_table(values, sample_weight=weights)}
    if weights is not None:
        tables["unweighted"] = nps_table(values, labels)
    return tables


_SHARES = ("promoters", "passives", "detractors")
_SUMS = ("answered", "weight", "weight_sq")


def combine_nps_tables(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One :func:`~survey_builder.scoring.nps_table` of the rows of all ``parts``.

    The shares go back to weight sums, which add up over separate rows, and are divided
    again by the combined answered weight: exactly the table of the rows together.
    """
    sums = pd.concat([part[list(_SUMS)].assign(**{
        share: part[share].fillna(0.0) * part["weight"] for share in _SHARES})
        for part in parts]).groupby(level=0, sort=True).sum()
    total = sums["weight"].where(sums["weight"] > 0)
    for share in _SHARES:
        sums[share] = sums[share] / total
    sums["nps"] = 100.0 * (sums["promoters"] - sums["detractors"])
    return sums[[*_SHARES, "nps", *_SUMS]]


def nps_items(tables: Mapping[str, Mapping[str, pd.DataFrame]], columns: Mapping[str, str],
              weighted: bool, min_base: float) -> dict[Any, list[NetPromoterScore]]:
    """Segment -> its NPS items, from each column's :func:`nps_tables`."""
    out: dict[Any, list[NetPromoterScore]] = {}
    for name, label in columns.items():
        if name not in tables:
            continue
        table = tables[name]["segments"]
        overall = float(tables[name]["overall"]["nps"].iloc[0])
        plain = tables[name]["unweighted"]["nps"] if weighted else None
        for segment, row in table.iterrows():
            if row["answered"] == 0:
                continue
            base = (float(effective_base(np.array([row["weight"]]),
                                         np.array([row["weight_sq"]]))[0])
                    if weighted else float(row["answered"]))
            out.setdefault(segment, []).append(NetPromoterScore(
                feature=name, label=label, score=float(row["nps"]), overall=overall,
                unweighted=float(plain[segment]) if plain is not None else None,
                promoters=float(row["promoters"]), passives=float(row["passives"]),
                detractors=float(row["detractors"]), base=int(row["answered"]),
                effective_base=base if weighted else None,
                small_base=base < min_base))
    return out


def nps_text(nps: NetPromoterScore) -> str:
    """How an NPS reads, on cards, sheets and in the profile table.

    ``"NPS +23 (45% promoters − 22% detractors; all respondents +10), n = 180"``; weighted
    ``"NPS +25 weighted (+23 unweighted; ...), effective n = 150"``; a small base ends
    with ``" (small base: do not read)"``.
    """
    head = f"NPS {nps.score:+.0f}"
    parts = [f"{nps.promoters:.0%} promoters − {nps.detractors:.0%} detractors",
             f"all respondents {nps.overall:+.0f}"]
    if nps.unweighted is not None:
        head += " weighted"
        parts.insert(0, f"{nps.unweighted:+.0f} unweighted")
    base = (f"effective n = {nps.effective_base:,.0f}" if nps.effective_base is not None
            else f"n = {nps.base:,}")
    text = f"{head} ({'; '.join(parts)}), {base}"
    return text + (" (small base: do not read)" if nps.small_base else "")


def nps_cell_text(nps: NetPromoterScore) -> str:
    """The short form of a table cell: ``"+23 (45% − 22%)"`` (``nps_text`` is its hint)."""
    text = f"{nps.score:+.0f} ({nps.promoters:.0%} − {nps.detractors:.0%})"
    return text + (" (small base)" if nps.small_base else "")


def nps_by_feature(personas: Any) -> Mapping[str, str]:
    """Every NPS question of a set of personas: group column -> label, in order."""
    found: dict[str, str] = {}
    for persona in personas:
        for nps in persona.nps:
            found.setdefault(nps.feature, nps.label)
    return found
