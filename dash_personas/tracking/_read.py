"""Reading a wave's scores file: the one place the tracking commands read a table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["read_wave_table"]


def read_wave_table(path: str | Path) -> pd.DataFrame:
    """Read a scores table (CSV, as written by ``survey-builder score``).

    Through :func:`survey_builder.read_scores`, so a scores file that carries its
    codebook comes back with its answers in questionnaire order.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    DataFrame

    Raises
    ------
    UserError
        Missing, empty or unparsable file.
    """
    from survey_builder import read_scores

    return read_scores(path).frame
