"""Dash components for personas (All-in-One pattern, dash-bootstrap-components).

Use them in any Dash app, then call :func:`register_callbacks` once on that app so a
gallery's selection highlights the persona in the charts of the same ``group``. Serve
Bootstrap locally with :func:`bootstrap_stylesheet`.
"""

from .callbacks import register_callbacks
from .card import PersonaCard
from .charts import (
    CHARTS,
    AspectsDots,
    AspectsRadar,
    PersonaChart,
    SegmentComparison,
    SegmentSizes,
)
from .export_menu import (
    ExportMenu,
    default_personas_for,
    export_href,
    export_menu,
    register_export_callbacks,
    register_export_routes,
    wave_personas,
)
from .filters import FilterPanel
from .gallery import PersonaGallery
from .theme import (
    DARK_THEMES,
    available_themes,
    bootstrap_css,
    bootstrap_stylesheet,
    components_css,
    components_stylesheet,
)
from .tracking import register_tracking_callbacks, tracking_section

__all__ = [
    "CHARTS",
    "DARK_THEMES",
    "AspectsDots",
    "AspectsRadar",
    "ExportMenu",
    "FilterPanel",
    "PersonaCard",
    "PersonaChart",
    "PersonaGallery",
    "SegmentComparison",
    "SegmentSizes",
    "available_themes",
    "bootstrap_css",
    "bootstrap_stylesheet",
    "components_css",
    "components_stylesheet",
    "default_personas_for",
    "export_href",
    "export_menu",
    "register_callbacks",
    "register_export_callbacks",
    "register_export_routes",
    "register_tracking_callbacks",
    "tracking_section",
    "wave_personas",
]
