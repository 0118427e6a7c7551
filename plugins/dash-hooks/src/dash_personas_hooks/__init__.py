"""dash-personas-hooks: the personas page inside any Dash app, through Dash hooks.

Installed, the plugin is loaded by Dash itself (``dash_hooks`` entry point) but stays
inactive: an app opts in with :func:`enable`, or every app of a process does when the
``DASH_PERSONAS_PERSONAS`` environment variable names a personas file (or
``DASH_PERSONAS_STUDY`` a tracking study, whose tracking view the page then shows).

>>> import dash, dash_personas_hooks                               # doctest: +SKIP
>>> app = dash.Dash(__name__)                                       # doctest: +SKIP
>>> dash_personas_hooks.enable(app, personas="personas.json")       # doctest: +SKIP
"""

from __future__ import annotations

from ._plugin import (
    ENV_COLOR_MODE,
    ENV_DATA,
    ENV_PATH,
    ENV_PERSONAS,
    ENV_STUDY,
    ENV_THEME,
    SUMMARY_ROUTE,
    config_of,
    enable,
    host_color_mode,
    is_enabled,
    page_href,
    public_message,
    summary,
    summary_href,
)

__version__ = "0.1.0"

__all__ = [
    "ENV_COLOR_MODE",
    "ENV_DATA",
    "ENV_PATH",
    "ENV_PERSONAS",
    "ENV_STUDY",
    "ENV_THEME",
    "SUMMARY_ROUTE",
    "__version__",
    "config_of",
    "enable",
    "host_color_mode",
    "is_enabled",
    "page_href",
    "public_message",
    "summary",
    "summary_href",
]
