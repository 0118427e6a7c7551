"""Reading response tables for segmentation and writing segment labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from survey_builder.atomic import atomic_write
from survey_builder.errors import UserError

# Data-quality columns written by `survey-builder score`: they describe how a
# respondent answered, not who they are, so they are not segmentation features.
QUALITY_COLUMNS = ("attention_failed", "straightliner", "n_answered")


def read_table(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CSV of responses, turning parser problems into one-line errors."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, encoding=encoding, low_memory=False)
    except pd.errors.EmptyDataError:
        raise UserError(f"{path}: the file is empty") from None
    except pd.errors.ParserError as exc:
        raise UserError(f"{path}: cannot parse CSV ({str(exc).strip()})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: cannot decode the file as {encoding}; "
                         "pass --encoding (e.g. latin-1)") from None
    if frame.shape[0] == 0:
        raise UserError(f"{path}: the file has a header but no rows")
    return frame


def write_labels(path: str | Path, ids: pd.Series, labels: np.ndarray) -> None:
    """Write ``id,segment`` rows atomically."""
    table = pd.DataFrame({ids.name or "id": ids.to_numpy(), "segment": labels})
    with atomic_write(path, "w", newline="") as handle:
        table.to_csv(handle, index=False)
