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
    "filter_personas": "dash_personas.personas",
    "PersonaFilter": "dash_personas.personas",
    "FilterOption": "dash_personas.personas",
    "ViewState": "dash_personas.view_state",
    "view_state_from_args": "dash_personas.view_state",
    "view_state_from_search": "dash_personas.view_state",
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
    "persona_deck": "dash_personas.deck",
    "write_persona_deck": "dash_personas.deck",
    "persona_sheet_pdf": "dash_personas.print_sheet",
    "write_persona_sheet_pdf": "dash_personas.print_sheet",
    "ExportMenu": "dash_personas.components",
    "register_export_routes": "dash_personas.components",
    "segment_file": "dash_personas.activation",
    "model_to_sql": "dash_personas.segmentation",
    "write_segment_file": "dash_personas.activation",
    "Study": "dash_personas.tracking",
    "StudyReport": "dash_personas.tracking",
    "compile_screener": "dash_personas.screener",
}

__all__ = [
    "AspectsDots",
    "AspectsRadar",
    "ExportMenu",
    "FilterOption",
    "KPrototypes",
    "KSelection",
    "Persona",
    "PersonaCard",
    "PersonaFilter",
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
    "ViewState",
    "__version__",
    "apply_overrides",
    "bootstrap_stylesheet",
    "build_personas",
    "compile_screener",
    "create_app",
    "create_study_app",
    "export_figure",
    "filter_personas",
    "load_personas",
    "make_mixed_blobs",
    "model_to_sql",
    "persona_deck",
    "persona_sheet_html",
    "persona_sheet_pdf",
    "persona_view",
    "profile_segments",
    "register_callbacks",
    "register_export_routes",
    "save_personas",
    "segment_file",
    "select_k",
    "study_view",
    "view_state_from_args",
    "view_state_from_search",
    "write_overrides_template",
    "write_persona_deck",
    "write_persona_sheet_pdf",
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
