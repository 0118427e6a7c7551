"""Personas: segments told as people, with profiles and communication guidelines.

Build them with :func:`build_personas` from a fitted model (or labels) and the data,
keep analyst edits in an overrides file (:func:`write_overrides_template`,
:func:`apply_overrides`) and store them as versioned JSON (:func:`save_personas`,
:func:`load_personas`). :func:`persona_view` decides what a persona card says; the
Dash card, the HTML sheet and the notebook display (:func:`persona_card_html`,
:func:`personas_html`) render it.
"""

from ._assign import assign_personas, refresh_sizes
from ._build import build_personas, prototypes_from_labels
from ._html import comparison_table_html, persona_card_html, personas_html
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
from ._view import (
    Avatar,
    Detail,
    DifferenceBar,
    Direction,
    Emphasis,
    Line,
    PersonaView,
    Quote,
    Section,
    SectionKind,
    Span,
    format_amount,
    persona_view,
)

__all__ = [
    "Avatar",
    "Behaviour",
    "CategoryShare",
    "Detail",
    "DifferenceBar",
    "Direction",
    "Emphasis",
    "FeatureDiff",
    "FeatureInfo",
    "Guidelines",
    "JourneyShare",
    "Line",
    "Persona",
    "PersonaSet",
    "PersonaView",
    "Quote",
    "ScaleScore",
    "Section",
    "SectionKind",
    "Span",
    "apply_overrides",
    "assign_personas",
    "build_personas",
    "comparison_table_html",
    "format_amount",
    "load_overrides",
    "load_personas",
    "persona_card_html",
    "persona_view",
    "personas_html",
    "prototypes_from_labels",
    "refresh_sizes",
    "save_personas",
    "write_overrides_template",
]
