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
from .gallery import PersonaGallery
from .theme import DARK_THEMES, bootstrap_css, bootstrap_stylesheet
from .tracking import register_tracking_callbacks, tracking_section

__all__ = [
    "CHARTS",
    "DARK_THEMES",
    "AspectsDots",
    "AspectsRadar",
    "PersonaCard",
    "PersonaChart",
    "PersonaGallery",
    "SegmentComparison",
    "SegmentSizes",
    "bootstrap_css",
    "bootstrap_stylesheet",
    "register_callbacks",
    "register_tracking_callbacks",
    "tracking_section",
]
