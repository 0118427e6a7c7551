"""Reading a wave's scores file: the one place the tracking commands read a table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["read_wave_table"]


def read_wave_table(path: str | Path) -> pd.DataFrame:
    """Read a scores table (CSV, as written by ``survey-builder score``).

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
    # Stand-in until survey_builder's read_scores (scores + codebook) lands.
    from survey_builder.errors import UserError

    from ..segmentation._io import read_table

    if not Path(path).is_file():
        raise UserError(f"{path}: no such scores file")
    return read_table(path)
