"""The canonical layout: the flat CSV that :mod:`survey_builder.codebook` defines.

One column per codebook column, named as in the codebook (``respondent_id`` first, grid
items as their own columns, multiple choice and ranking as ``question__option`` columns).
It is what ``survey-builder simulate`` writes by default and what ``score`` reads. Two
optional columns may follow: ``started_at`` and ``ended_at``, the interview's times
(:mod:`survey_builder.timing`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..timing import TIMING_COLUMNS
from ._csv import read_csv, write_csv
from ._layout import Layout, Parsed
from .validate import check_missing, check_unknown

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["parse", "write"]


def parse(text: str, layout: Layout, source: str, allow_extra: bool) -> Parsed:
    """Match a canonical CSV's columns to the codebook (by exact name).

    Parameters
    ----------
    text : str
        The decoded file.
    layout : Layout
        The codebook.
    source : str
        File name for error messages.
    allow_extra : bool
        Drop columns the codebook does not know instead of failing.

    Returns
    -------
    Parsed
        Raw values per canonical column, for :func:`~survey_builder.readers.validate.validate`.
    """
    frame, locate = read_csv(text, source, layout.is_numeric)
    expected = list(layout.columns)
    missing = [c for c in expected if c not in frame.columns]
    check_missing(missing, source)
    unknown = [c for c in frame.columns if c not in layout.columns and c not in TIMING_COLUMNS]
    if not allow_extra:
        check_unknown(unknown, source, "canonical")
    kept = expected + [c for c in TIMING_COLUMNS if c in frame.columns]
    values = {c: frame[c] for c in kept}
    return Parsed("canonical", len(frame), values, {c: c for c in kept}, locate)


def write(responses: pd.DataFrame, layout: Layout, path: str | Path) -> None:
    """Write canonical responses as they are, atomically (``-``: stdout)."""
    write_csv(responses, path)
