"""Tables in and out of a fitted model: the model's columns of a table, segment labels.

Scores files are read with :func:`survey_builder.read_scores`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.atomic import atomic_write
from survey_builder.errors import UserError

__all__ = ["model_frame", "write_labels"]


def model_frame(model: Any, data: Any, source: str | None = None) -> pd.DataFrame:
    """The columns of ``data`` a fitted model was fitted on, in its order.

    Parameters
    ----------
    model : KPrototypes
        A fitted model (its ``feature_names_in_``).
    data : DataFrame or array-like
        Rows with at least those columns (others are ignored).
    source : str, optional
        The file ``data`` came from, named in the error.

    Raises
    ------
    UserError
        Some of the model's columns are missing.
    """
    names = [str(n) for n in model.feature_names_in_]
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(np.asarray(data))
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise UserError(f"lacks column(s) the model was fitted on: {', '.join(missing[:5])}"
                        + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                        source)
    return frame[names]


def write_labels(path: str | Path, ids: pd.Series, labels: np.ndarray,
                 **columns: np.ndarray) -> None:
    """Write ``id,segment`` rows (then any further ``columns``, in order) atomically."""
    table = pd.DataFrame({ids.name or "id": ids.to_numpy(), "segment": labels, **columns})
    with atomic_write(path, "w", newline="") as handle:
        table.to_csv(handle, index=False)
