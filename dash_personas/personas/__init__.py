"""Personas: segments told as people, with profiles and communication guidelines.

Build them with :func:`build_personas` from a fitted model (or labels) and the data,
keep analyst edits in an overrides file (:func:`write_overrides_template`,
:func:`apply_overrides`) and store them as versioned JSON (:func:`save_personas`,
:func:`load_personas`).
"""

from ._assign import assign_personas, refresh_sizes
from ._build import build_personas, prototypes_from_labels
from ._model import (
    Behaviour,
    CategoryShare,
    FeatureDiff,
    FeatureInfo,
    Guidelines,
    JourneyShare,
    Persona,
    PersonaSet,
    ScaleScore,
    load_personas,
    save_personas,
)
from ._overrides import apply_overrides, load_overrides, write_overrides_template

__all__ = [
    "Behaviour",
    "CategoryShare",
    "FeatureDiff",
    "FeatureInfo",
    "Guidelines",
    "JourneyShare",
    "Persona",
    "PersonaSet",
    "ScaleScore",
    "apply_overrides",
    "assign_personas",
    "build_personas",
    "load_overrides",
    "load_personas",
    "prototypes_from_labels",
    "refresh_sizes",
    "save_personas",
    "write_overrides_template",
]
