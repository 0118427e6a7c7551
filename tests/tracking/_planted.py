"""Waves drawn from planted segments: the known truth the tracking tests recover."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Numeric centres and preferred categorical levels of the planted segments.
CENTRES = np.array([[0.0, 0.0, 0.0], [9.0, 0.0, 0.0], [4.5, 8.0, 0.0]])
PREFERRED = np.array([["a", "b"], ["b", "c"], ["c", "a"]])
LEVELS = np.array(["a", "b", "c"])
#: Far from every planted centre: respondents of a segment that does not exist yet.
EMERGING_CENTRE = np.array([4.5, 3.0, 12.0])


def planted_rows(segments: np.ndarray, rng: np.random.Generator,
                 centres: np.ndarray = CENTRES) -> pd.DataFrame:
    """Respondents drawn around the planted segments' centres (noise sd 1)."""
    numeric = centres[segments] + rng.normal(size=(len(segments), centres.shape[1]))
    frame = pd.DataFrame(numeric, columns=[f"num_{j}" for j in range(centres.shape[1])])
    for j in range(PREFERRED.shape[1]):
        keep = rng.random(len(segments)) < 0.9
        frame[f"cat_{j}"] = np.where(keep, PREFERRED[segments % len(PREFERRED), j],
                                     LEVELS[rng.integers(0, len(LEVELS), len(segments))])
    return frame


def planted_wave(shares, n: int, seed: int, *, ids=None, segments=None,
                 emerging: float = 0.0) -> tuple[pd.DataFrame, np.ndarray]:
    """A wave: planted segments drawn with ``shares`` (or given), ids, optional newcomers.

    Returns the table (``respondent_id`` first) and the planted segment of each row
    (-1 for the emerging respondents).
    """
    rng = np.random.default_rng(seed)
    if segments is None:
        segments = rng.choice(len(shares), size=n, p=np.asarray(shares) / np.sum(shares))
    segments = np.asarray(segments)
    frame = planted_rows(segments, rng)
    if emerging:
        newcomers = rng.random(len(frame)) < emerging
        far = planted_rows(np.zeros(int(newcomers.sum()), dtype=int), rng,
                           centres=EMERGING_CENTRE[None, :])
        frame.loc[newcomers, far.columns] = far.to_numpy()
        segments = np.where(newcomers, -1, segments)
    frame.insert(0, "respondent_id", np.arange(len(frame)) if ids is None else ids)
    return frame, segments
