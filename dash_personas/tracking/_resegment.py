"""When to re-segment: one stated rule over a wave's signals.

**The rule.** A wave recommends re-segmenting when at least one of these holds against
the baseline wave of its segmentation (each one is a reason, reported in words):

1. *Unfit respondents up*: the ``emerging`` alert — significantly more respondents than
   in the baseline lie beyond the baseline's 95th percentile distance (one-sided test at
   the report's ``alpha``) and at least :data:`~._report.EMERGING_MIN_RATIO` times as
   many. Respondents the prototypes do not describe are the first sign of a new segment.
2. *Major drift inside the segments*: a segmentation feature whose mix-adjusted PSI
   (against the baseline's segments mixed at this wave's shares) exceeds
   :data:`~._drift.PSI_MAJOR` and is significant (χ² approximation, ``alpha``).
   Drift that the personas' new sizes explain is tracked, not a reason: the segments
   still describe the market, only in other proportions.
3. *A persona's profile moved*: its members differ from its baseline members by at
   least :data:`PERSONA_SHIFT` standard deviations on average over the features.
4. *A persona is splitting*: a 2-means inside its members explains at least
   :data:`SPLIT_R2_GAIN` more of their spread than in the baseline, the smaller group
   holds at least :data:`SPLIT_MIN_PART` of them, and it has at least
   :data:`SPLIT_MIN_BASE` effective members (the ``split`` alert names it).
5. *A persona has vanished*: its share fell below :data:`VANISHED_SHARE` from at least
   twice that in the baseline.

Share changes alone (``size_shift``) are no reason: the personas still fit, the market
moved between them. A stable wave gets no reason, no recommendation and no alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._drift import PSI_MAJOR, WaveDrift

__all__ = ["PERSONA_SHIFT", "SPLIT_MIN_BASE", "SPLIT_MIN_PART", "SPLIT_R2_GAIN",
           "VANISHED_SHARE", "Recommendation", "recommend", "split_personas"]

#: Mean absolute standardised difference of a persona's members that calls for a re-fit.
PERSONA_SHIFT = 0.3
#: Gain of the 2-means' explained share inside a segment that signals a split.
SPLIT_R2_GAIN = 0.12
#: The smaller of the two groups holds at least this share of the segment's members.
SPLIT_MIN_PART = 0.2
#: Effective members a segment needs for its split signal to count.
SPLIT_MIN_BASE = 100.0
#: A persona below this share (from at least twice it in the baseline) has vanished.
VANISHED_SHARE = 0.02


@dataclass(frozen=True)
class Recommendation:
    """Whether a wave calls for a new segmentation, and why.

    Attributes
    ----------
    resegment : bool
    reasons : list of str
        One sentence per signal of the rule that holds (empty when ``resegment`` is
        false).
    """

    resegment: bool = False
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"resegment": self.resegment, "reasons": list(self.reasons)}


def split_personas(drift: WaveDrift, segment_bases: np.ndarray) -> list[int]:
    """Segments whose members split in two (signal 4 of the rule), by segment number."""
    found = []
    for persona in drift.personas:
        signal = persona.split
        if (signal is not None and segment_bases[persona.segment] >= SPLIT_MIN_BASE
                and signal.r2 - signal.baseline_r2 >= SPLIT_R2_GAIN
                and signal.smaller_part >= SPLIT_MIN_PART):
            found.append(persona.segment)
    return found


def recommend(drift: WaveDrift | None, *, emerging: str | None, shares: np.ndarray,
              baseline_shares: np.ndarray, segment_bases: np.ndarray,
              names: Sequence[str], alpha: float) -> Recommendation:
    """Apply the rule of the module docstring to one wave.

    Parameters
    ----------
    drift : WaveDrift or None
        The wave's drift (``None`` for a baseline wave, or a wave without stored
        profiles: then only the unfit signal counts).
    emerging : str or None
        The detail of the wave's ``emerging`` alert, if it has one.
    shares, baseline_shares : ndarray
        Weighted segment shares in the wave and in its baseline.
    segment_bases : ndarray
        Each segment's effective base in the wave.
    names : sequence of str
        Persona names by segment.
    alpha : float
        Significance level.
    """
    reasons = []
    if emerging is not None:
        reasons.append(f"respondents that fit no persona are up ({emerging.split(' (')[0]})")
    if drift is not None:
        inside = [f for f in drift.features
                  if f.psi_mix_adjusted > PSI_MAJOR and f.p_value_mix_adjusted < alpha]
        if inside:
            words = ", ".join(f"{f.label} (PSI {f.psi_mix_adjusted:.2f})" for f in inside[:3])
            reasons.append(f"major drift within the segments on {words}")
        for persona in drift.personas:
            if persona.shift >= PERSONA_SHIFT:
                detail = f": {'; '.join(persona.changes)}" if persona.changes else ""
                reasons.append(f"{persona.persona}'s profile moved {persona.shift:.2f} SD on "
                               f"average{detail}")
        for segment in split_personas(drift, segment_bases):
            signal = drift.personas[segment].split
            reasons.append(f"{names[segment]} may be splitting in two (groups of "
                           f"{(1 - signal.smaller_part) * 100:.0f} % and "
                           f"{signal.smaller_part * 100:.0f} %)")
    vanished = np.flatnonzero((shares < VANISHED_SHARE) & (baseline_shares >= 2 * VANISHED_SHARE))
    reasons.extend(f"{names[j]} has nearly vanished ({baseline_shares[j] * 100:.0f} % → "
                   f"{shares[j] * 100:.1f} %)" for j in vanished)
    return Recommendation(bool(reasons), reasons)
