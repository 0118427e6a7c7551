"""Tracking studies: personas followed wave after wave in one store.

A :class:`Study` keeps the questionnaire's codebook, every segmentation version (model,
personas, overrides, typing tool), every wave's respondents with their assignment, and
per-wave aggregates, in one SQLite file (the default) or a PostgreSQL database. Its
:class:`StudyReport` tells each persona's share per wave, the panel's migration, the
drift of every feature and persona from the baseline (:class:`WaveDrift`), when to
re-segment (:class:`Recommendation`) and each persona's history.

>>> from dash_personas.tracking import Study
"""

from ._drift import (
    PSI_EPSILON,
    PSI_MAJOR,
    PSI_MODERATE,
    FeatureDrift,
    PersonaDrift,
    SplitSignal,
    WaveDrift,
    drift_level,
    psi,
)
from ._engine import DEFAULT_TIMEOUT
from ._movers import MOVER_COLUMNS, movers
from ._read import read_wave_table
from ._refit import RefitResult
from ._report import (
    ALERT_KINDS,
    Alert,
    Migration,
    PersonaShare,
    ShareChange,
    StudyReport,
    WaveSummary,
)
from ._resegment import Recommendation
from ._schema import SCHEMA_VERSION
from ._study import SegmentationInfo, Study, WaveData, WaveInfo
from ._transitions import NewSegmentOrigin, OldSegmentOutcome, Transitions, segment_transitions
from ._wave import Assignment, assign

__all__ = [
    "ALERT_KINDS",
    "DEFAULT_TIMEOUT",
    "MOVER_COLUMNS",
    "PSI_EPSILON",
    "PSI_MAJOR",
    "PSI_MODERATE",
    "SCHEMA_VERSION",
    "Alert",
    "Assignment",
    "FeatureDrift",
    "Migration",
    "NewSegmentOrigin",
    "OldSegmentOutcome",
    "PersonaDrift",
    "PersonaShare",
    "Recommendation",
    "RefitResult",
    "SegmentationInfo",
    "ShareChange",
    "SplitSignal",
    "Study",
    "StudyReport",
    "Transitions",
    "WaveData",
    "WaveDrift",
    "WaveInfo",
    "WaveSummary",
    "assign",
    "drift_level",
    "movers",
    "psi",
    "read_wave_table",
    "segment_transitions",
]
