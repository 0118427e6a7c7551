"""Tracking studies: personas followed wave after wave in one store.

A :class:`Study` keeps the questionnaire's codebook, every segmentation version (model,
personas, overrides, typing tool), every wave's respondents with their assignment, and
per-wave aggregates, in one SQLite file (the default) or a PostgreSQL database.

>>> from dash_personas.tracking import Study
"""

from ._engine import DEFAULT_TIMEOUT
from ._read import read_wave_table
from ._refit import RefitResult
from ._report import Alert, Migration, PersonaShare, ShareChange, StudyReport, WaveSummary
from ._schema import SCHEMA_VERSION
from ._study import SegmentationInfo, Study, WaveInfo
from ._transitions import NewSegmentOrigin, OldSegmentOutcome, Transitions, segment_transitions
from ._wave import Assignment, assign

__all__ = [
    "DEFAULT_TIMEOUT",
    "SCHEMA_VERSION",
    "Alert",
    "Assignment",
    "Migration",
    "NewSegmentOrigin",
    "OldSegmentOutcome",
    "PersonaShare",
    "RefitResult",
    "SegmentationInfo",
    "ShareChange",
    "Study",
    "StudyReport",
    "Transitions",
    "WaveInfo",
    "WaveSummary",
    "assign",
    "read_wave_table",
    "segment_transitions",
]
