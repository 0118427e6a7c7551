"""Bootstrap themes served from the installed ``bootstrap-flask`` package (works offline).

``dbc.themes.*`` point at a CDN. Instead, :func:`bootstrap_stylesheet` adds a route to
the app's own Flask server that serves Bootstrap 5 or any Bootswatch theme from the
``flask_bootstrap`` wheel; ``@import`` lines (web fonts on Google's servers in some
Bootswatch themes) are removed so the page never reaches out to the internet.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

from survey_builder.errors import UserError

from ..palette import DARK_THEMES

__all__ = ["DARK_THEMES", "available_themes", "bootstrap_css", "bootstrap_stylesheet",
           "components_css", "components_stylesheet"]

ROUTE = "_dash-personas/css/<theme>.css"
#: The project's own stylesheet (contrast and focus rules for its components).
COMPONENTS_ROUTE = "_dash-personas/dash-personas.css"


def _css_dir() -> Any:
    return resources.files("flask_bootstrap").joinpath("static", "bootstrap5", "css")


@functools.cache
def _themes() -> tuple[str, ...]:
    swatch = _css_dir().joinpath("bootswatch")
    names = sorted(p.name for p in swatch.iterdir() if p.joinpath("bootstrap.min.css").is_file())
    return ("bootstrap", *names)


def available_themes() -> tuple[str, ...]:
    """``"bootstrap"`` and the Bootswatch themes shipped by the installed bootstrap-flask."""
    return _themes()


@functools.cache
def bootstrap_css(theme: str = "bootstrap") -> str:
    """The CSS text of ``theme`` ("bootstrap" or a Bootswatch name), without ``@import``s.

    Raises
    ------
    ValueError
        Unknown theme.
    """
    theme = theme.lower()
    if theme not in _themes():
        raise UserError(f"unknown Bootstrap theme {theme!r}; choose from {', '.join(_themes())}")
    if theme == "bootstrap":
        path = _css_dir().joinpath("bootstrap.min.css")
    else:
        path = _css_dir().joinpath("bootswatch", theme, "bootstrap.min.css")
    css = path.read_text(encoding="utf-8")
    css = re.sub(r"@import\s+url\([^)]*\)\s*;?", "", css)
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
    return css


def bootstrap_stylesheet(app: Any, theme: str = "bootstrap", *, register: bool = True) -> str:
    """Serve Bootstrap ``theme`` from ``app``'s server, add it to the app's page, return its URL.

    One call is all a page needs: the stylesheet, followed by the project's own
    (:func:`components_stylesheet`), is added to ``app.config.external_stylesheets``
    (once, whatever the number of calls). The route
    can be registered before or after the app is created, but before the first request.

    Parameters
    ----------
    app : dash.Dash
    theme : str
        ``"bootstrap"`` or a Bootswatch theme name (``"darkly"``, ``"flatly"``, ...).
    register : bool, default=True
        Add the stylesheet to the app's page; ``False`` only serves it (a plugin that
        loads it on one page of a host app).

    Returns
    -------
    str
        The stylesheet URL, under the app's ``requests_pathname_prefix``.

    Raises
    ------
    UserError
        Unknown theme.
    """
    bootstrap_css(theme)  # validate early

    def serve(theme: str) -> Any:
        from flask import abort

        try:
            return bootstrap_css(theme)
        except ValueError:
            abort(404)

    _add_css_route(app, ROUTE, "dash_personas_css", serve)
    url = f"{app.config.requests_pathname_prefix or '/'}{ROUTE.replace('<theme>', theme.lower())}"
    if register:
        sheets = list(app.config.external_stylesheets or [])
        # another theme registered earlier is replaced: two Bootstraps would fight
        sheets = [s for s in sheets if not (isinstance(s, str) and _is_ours(s, app))]
        # the components draw parts of the cards with the project's stylesheet (the
        # difference bars' tracks, the list icons): it comes with the theme, after it
        components = components_stylesheet(app)
        app.config.external_stylesheets = [*(s for s in sheets if s != components), url,
                                           components]
    return url


def _is_ours(url: str, app: Any) -> bool:
    prefix = f"{app.config.requests_pathname_prefix or '/'}{ROUTE.split('<')[0]}"
    return url.startswith(prefix)


@functools.cache
def components_css() -> str:
    """The CSS text of the project's own stylesheet (``dash_personas.css``).

    Contrast and focus rules for the persona components that hold in every Bootstrap
    5.3 and Bootswatch theme, light or dark, all scoped to the project's classes.
    """
    return resources.files(__package__).joinpath("dash_personas.css").read_text(
        encoding="utf-8")


def components_stylesheet(app: Any) -> str:
    """Serve :func:`components_css` from ``app``'s server and return its URL.

    Load it after the Bootstrap stylesheet (``create_app`` and the hooks plugin do).

    Parameters
    ----------
    app : dash.Dash

    Returns
    -------
    str
        The stylesheet URL, under the app's ``requests_pathname_prefix``.
    """
    _add_css_route(app, COMPONENTS_ROUTE, "dash_personas_components_css", components_css)
    return f"{app.config.requests_pathname_prefix or '/'}{COMPONENTS_ROUTE}"


def _add_css_route(app: Any, rule: str, name: str, text: Any,
                   mimetype: str = "text/css") -> None:
    """Serve the CSS (or ``mimetype``) ``text(**url_arguments)`` at ``<prefix><rule>``,
    once per prefix (several apps can share one Flask server)."""
    server = app.server
    prefix = app.config.routes_pathname_prefix or "/"
    endpoint = f"{name}{prefix}"
    if endpoint in server.view_functions:
        return
    from flask import Response

    def serve(**arguments: Any) -> Any:
        response = Response(text(**arguments), mimetype=mimetype)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    server.add_url_rule(f"{prefix}{rule}", endpoint, serve)
