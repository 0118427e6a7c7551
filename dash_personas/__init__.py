"""dash-personas: from survey answers to living personas inside Dash dashboards.

The public API is re-exported here and loaded lazily (PEP 562), so that
``import dash_personas`` and the command line stay fast and only pay for
pandas, scikit-learn or Dash when those parts are used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from survey_builder import __version__

# public name -> submodule that defines it
_LAZY_EXPORTS: dict[str, str] = {
    "KPrototypes": "dash_personas.segmentation",
    "select_k": "dash_personas.segmentation",
    "profile_segments": "dash_personas.segmentation",
    "SegmentProfiles": "dash_personas.segmentation",
    "KSelection": "dash_personas.segmentation",
    "TypingTool": "dash_personas.segmentation",
    "make_mixed_blobs": "dash_personas.datasets",
    "Persona": "dash_personas.personas",
    "PersonaSet": "dash_personas.personas",
    "PersonaView": "dash_personas.personas",
    "persona_view": "dash_personas.personas",
    "build_personas": "dash_personas.personas",
    "load_personas": "dash_personas.personas",
    "save_personas": "dash_personas.personas",
    "apply_overrides": "dash_personas.personas",
    "write_overrides_template": "dash_personas.personas",
    "create_app": "dash_personas.app",
    "create_study_app": "dash_personas.app",
    "StudyView": "dash_personas.tracking_view",
    "study_view": "dash_personas.tracking_view",
    "PersonaCard": "dash_personas.components",
    "PersonaGallery": "dash_personas.components",
    "SegmentComparison": "dash_personas.components",
    "SegmentSizes": "dash_personas.components",
    "AspectsRadar": "dash_personas.components",
    "AspectsDots": "dash_personas.components",
    "register_callbacks": "dash_personas.components",
    "bootstrap_stylesheet": "dash_personas.components",
    "persona_sheet_html": "dash_personas.export",
    "export_figure": "dash_personas.export",
    "segment_file": "dash_personas.activation",
    "model_to_sql": "dash_personas.segmentation",
    "write_segment_file": "dash_personas.activation",
    "Study": "dash_personas.tracking",
    "StudyReport": "dash_personas.tracking",
}

__all__ = [
    "AspectsDots",
    "AspectsRadar",
    "KPrototypes",
    "KSelection",
    "Persona",
    "PersonaCard",
    "PersonaGallery",
    "PersonaSet",
    "PersonaView",
    "SegmentComparison",
    "SegmentProfiles",
    "SegmentSizes",
    "Study",
    "StudyReport",
    "StudyView",
    "TypingTool",
    "__version__",
    "apply_overrides",
    "bootstrap_stylesheet",
    "build_personas",
    "create_app",
    "create_study_app",
    "export_figure",
    "load_personas",
    "make_mixed_blobs",
    "model_to_sql",
    "persona_sheet_html",
    "persona_view",
    "profile_segments",
    "register_callbacks",
    "save_personas",
    "segment_file",
    "select_k",
    "study_view",
    "write_overrides_template",
    "write_segment_file",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .datasets import make_mixed_blobs
    from .segmentation import (
        KPrototypes,
        KSelection,
        SegmentProfiles,
        TypingTool,
        profile_segments,
        select_k,
    )


def __getattr__(name: str) -> Any:
    module_name = _LAZY_EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'dash_personas' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
