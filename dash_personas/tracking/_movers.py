"""Joiners and leavers: the panel respondents who changed persona since the previous wave.

The migration matrix says how many moved; a CRM needs *who*. :func:`movers` lists every
panel respondent (the same respondent id in the wave and the one before it) whose
persona changed, one row per respondent: who they were and who they are now. A
persona's joiners are the rows whose ``persona`` is it, its leavers the rows whose
``previous_persona`` is it. One row per respondent (rather than a file per persona, or a
row per joining and per leaving) keeps the respondent id a unique key, which is what a
CRM import updates contact fields by.

Personas are compared by name when the two waves were assigned under different
segmentation versions: a re-fit keeps a surviving persona's name, so its members are not
movers; within one version, by segment number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from survey_builder.errors import UserError

__all__ = ["MOVER_COLUMNS", "movers"]

#: The columns of :func:`movers`, in order.
MOVER_COLUMNS = ["respondent_id", "previous_wave", "wave", "previous_persona", "persona",
                 "previous_segment", "segment"]


def movers(study: Any, wave: str | None = None) -> pd.DataFrame:
    """The panel respondents whose persona changed between ``wave`` and the wave before.

    Parameters
    ----------
    study : Study
    wave : str, optional
        A wave label (default: the latest wave).

    Returns
    -------
    DataFrame
        :data:`MOVER_COLUMNS`, one row per respondent who moved, ordered by
        ``persona`` then ``respondent_id``.

    Raises
    ------
    UserError
        No such wave, or it is the first wave (no previous wave to compare with).
    """
    waves = study.waves
    labels = [w.label for w in waves]
    if not labels:
        raise UserError("the study has no waves yet")
    label = labels[-1] if wave is None else str(wave)
    if label not in labels:
        raise UserError(f"no wave {label!r} in the study (waves: {', '.join(labels)})",
                        field="--wave")
    position = labels.index(label)
    if position == 0:
        raise UserError(f"wave {label!r} is the first wave: there is no previous wave to "
                        "compare with", field="--wave")
    before_info, after_info = waves[position - 1], waves[position]
    names = {s.version: list(s.personas) for s in study.segmentations}
    before = study.respondents(before_info.label)[["respondent_id", "segment"]]
    after = study.respondents(after_info.label)[["respondent_id", "segment"]]
    panel = before.merge(after, on="respondent_id", suffixes=("_before", "_after"))
    previous_names = _names(names[before_info.segmentation_version],
                            panel["segment_before"])
    current_names = _names(names[after_info.segmentation_version], panel["segment_after"])
    if before_info.segmentation_version == after_info.segmentation_version:
        moved = panel["segment_before"].to_numpy() != panel["segment_after"].to_numpy()
    else:
        moved = previous_names != current_names
    table = pd.DataFrame({
        "respondent_id": panel["respondent_id"].to_numpy()[moved],
        "previous_wave": before_info.label, "wave": after_info.label,
        "previous_persona": previous_names[moved], "persona": current_names[moved],
        "previous_segment": panel["segment_before"].to_numpy()[moved],
        "segment": panel["segment_after"].to_numpy()[moved]}, columns=MOVER_COLUMNS)
    return table.sort_values(["persona", "respondent_id"], kind="stable").reset_index(drop=True)


def _names(names: list[str], segments: pd.Series) -> np.ndarray:
    """The persona name of every segment number (``Segment j`` beyond the named ones)."""
    values = segments.to_numpy(dtype=np.int64)
    top = int(values.max()) + 1 if values.size else 0
    padded = list(names) + [f"Segment {j}" for j in range(len(names), top)]
    return np.asarray(padded, dtype=object)[values]
