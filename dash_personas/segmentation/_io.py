"""Writing segment labels (scores are read with :func:`survey_builder.read_scores`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from survey_builder.atomic import atomic_write


def write_labels(path: str | Path, ids: pd.Series, labels: np.ndarray,
                 **columns: np.ndarray) -> None:
    """Write ``id,segment`` rows (then any further ``columns``, in order) atomically."""
    table = pd.DataFrame({ids.name or "id": ids.to_numpy(), "segment": labels, **columns})
    with atomic_write(path, "w", newline="") as handle:
        table.to_csv(handle, index=False)
