"""Opting an app in: configuration, personas loading, routes and callbacks.

Everything here acts on one app at a time. The process-wide Dash hooks in
:mod:`dash_personas_hooks._hooks` only look up the configuration this module attaches
to an app (``app._dash_personas_hooks``) and leave every other app alone.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ENV_COLOR_MODE", "ENV_DATA", "ENV_PATH", "ENV_PERSONAS", "ENV_STUDY", "ENV_THEME",
           "PluginConfig", "config_of", "enable", "host_color_mode", "is_enabled", "page_href",
           "public_message", "summary", "summary_href"]

logger = logging.getLogger("dash_personas_hooks")

#: Environment variable: a personas JSON file; when set, every Dash app of the process opts in.
ENV_PERSONAS = "DASH_PERSONAS_PERSONAS"
#: Environment variable (optional): a CSV of respondents; segment sizes are counted on it.
ENV_DATA = "DASH_PERSONAS_DATA"
#: Environment variable: a tracking study (SQLite path or SQLAlchemy URL); when set, every
#: Dash app of the process opts in and its page shows the study's tracking view.
ENV_STUDY = "DASH_PERSONAS_STUDY"
#: Environment variable (optional): Bootstrap theme for the page when the host has none.
ENV_THEME = "DASH_PERSONAS_THEME"
#: Environment variable (optional): colours of the page, ``light``, ``dark`` or ``auto``
#: (default: follow the host).
ENV_COLOR_MODE = "DASH_PERSONAS_COLOR_MODE"
#: Environment variable (optional): path of the page under the app's prefix (``personas``).
ENV_PATH = "DASH_PERSONAS_PATH"
COLOR_MODES = ("light", "dark", "auto")

ATTR = "_dash_personas_hooks"
SUMMARY_ROUTE = "_dash-personas/summary"
SUMMARY_FORMAT = "dash-personas-summary"


@dataclass
class Loaded:
    """The outcome of reading the configured personas (and data)."""

    personas: Any = None  # PersonaSet, or None when it could not be read
    error: str | None = None  # why the personas are unavailable
    warnings: list[str] = field(default_factory=list)
    study: Any = None  # the StudyView of a study, when the plugin was given one


class _Source:
    """Personas and optional data, from objects or files (files are re-read when they change,
    a scores file also when the codebook beside it does)."""

    def __init__(self, personas: Any, data: Any) -> None:
        self.personas = personas
        self.data = data
        self._lock = threading.Lock()
        self._key: Any = None
        self._loaded: Loaded | None = None

    def _stamp(self) -> tuple[Any, ...]:
        def stamp(value: Any) -> Any:
            if isinstance(value, (str, os.PathLike)):
                try:
                    st = os.stat(value)
                    return (str(value), st.st_mtime_ns, st.st_size)
                except OSError:
                    return (str(value), None)
            return id(value)

        data = stamp(self.data)
        if isinstance(self.data, (str, os.PathLike)):  # its codebook is part of the data
            from survey_builder import sidecar_path

            data = (data, stamp(sidecar_path(self.data)))
        return (stamp(self.personas), data)

    def load(self) -> Loaded:
        key = self._stamp()
        with self._lock:
            if self._loaded is None or key != self._key:
                self._loaded = self._read()
                self._key = key
            return self._loaded

    def _read(self) -> Loaded:
        try:
            people = _as_persona_set(self.personas)
        except (ValueError, TypeError, OSError) as exc:
            return _unavailable("personas", exc)
        loaded = Loaded(personas=people)
        if self.data is not None:
            try:
                from dash_personas.personas import refresh_sizes

                frame = self.data
                if isinstance(frame, (str, os.PathLike)):
                    from survey_builder import read_scores

                    if not Path(frame).is_file():
                        raise ValueError(f"{frame}: no such data file")
                    frame = read_scores(frame).frame
                loaded.personas = refresh_sizes(people, frame)
            except (ValueError, TypeError, OSError, KeyError) as exc:
                named = (f" {self.data}" if isinstance(self.data, (str, os.PathLike))
                         else "")
                message = (f"segment sizes are those stored with the personas: the data"
                           f"{named} could not be used ({exc})")
                logger.warning("dash-personas-hooks: %s", message)
                loaded.warnings.append(message)
        return loaded


# An absolute POSIX or Windows path (not a URL's path: no ':' or '/' right before it)
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/\\])(?:/|[A-Za-z]:\\)(?:[^\s/\\:'\"()]+[/\\])+"
                            r"(?=[^\s/\\:'\"()])")


# A quoted absolute path, which may contain spaces: keep the quotes and the file name
_QUOTED_PATH = re.compile(r"""(['"])(?:/|[A-Za-z]:\\)[^'"]*[/\\]([^'"/\\]*)\1""")
# The user (and password) of a database URL
_URL_CREDENTIALS = re.compile(r"(\b[A-Za-z][\w+.-]*://)[^/@\s]+@")


def public_message(text: str) -> str:
    """``text`` without the folders of the server's file paths (file names only) and
    without the credentials of database URLs.

    What the page and the summary route show to visitors; the server log keeps the
    full message for whoever runs the app.
    """
    text = _URL_CREDENTIALS.sub(r"\1***@", text)
    text = _QUOTED_PATH.sub(r"\1\2\1", text)
    return _ABSOLUTE_PATH.sub("", text)


def _unavailable(what: str, exc: Exception) -> Loaded:
    """What a page shows when its source cannot be read (and the log line saying why)."""
    message = str(exc) or exc.__class__.__name__
    logger.warning("dash-personas-hooks: %s unavailable: %s", what, message)
    return Loaded(error=message)


class _StudySource:
    """A tracking study: its view (report, personas of every version), read once.

    A study changes by adding waves, which a dashboard should not miss, but reading it
    on every page view would cost a report each time: it is read again when the page
    asks after :data:`STUDY_REFRESH` seconds.
    """

    def __init__(self, study: Any) -> None:
        self.study = study
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None
        self._at = 0.0

    def load(self) -> Loaded:
        import time

        with self._lock:
            if self._loaded is None or time.monotonic() - self._at > STUDY_REFRESH:
                self._loaded = self._read()
                self._at = time.monotonic()
            return self._loaded

    def _read(self) -> Loaded:
        from dash_personas.tracking_view import study_view

        try:
            view = study_view(self.study)
        except (ValueError, TypeError, OSError) as exc:
            return _unavailable("study", exc)
        return Loaded(personas=view.personas[view.current_version], study=view)


#: Seconds a study's view is kept before the page reads the study again.
STUDY_REFRESH = 60.0


def _as_persona_set(personas: Any) -> Any:
    from dash_personas.personas import PersonaSet, load_personas

    if isinstance(personas, PersonaSet):
        return personas
    if isinstance(personas, (str, os.PathLike)):
        return load_personas(personas)
    if isinstance(personas, (list, tuple)):
        return PersonaSet(personas=list(personas))
    raise TypeError("personas must be a PersonaSet, a list of Persona or a personas JSON file "
                    f"path, got {type(personas).__name__}")


@dataclass
class PluginConfig:
    """What :func:`enable` attached to an app."""

    source: _Source | _StudySource
    path: str = "personas"
    label: str = "Personas"
    title: str = "Customer personas"
    button: bool = True
    theme: str = "bootstrap"
    color_mode: str | None = None
    from_env: bool = False
    css_route: bool = False
    pages_host: bool = False  # the page is a registered Dash page of a Pages host

    def load(self) -> Loaded:
        return self.source.load()


def config_of(app: Any) -> PluginConfig | None:
    """The plugin configuration of ``app`` (``None`` when the app has not opted in)."""
    return getattr(app, ATTR, None)


def is_enabled(app: Any) -> bool:
    """Whether ``app`` shows the personas page."""
    return config_of(app) is not None


def enable(app: Any, personas: Any = None, data: Any = None, *, study: Any = None,
           path: str | None = None, label: str = "Personas", title: str | None = None,
           button: bool = True, theme: str | None = None, color_mode: str | None = None
           ) -> Any:
    """Add the personas page, a navigation button and a JSON summary route to ``app``.

    Call it after creating the app and before it serves its first request. Calling it
    again updates the configuration. Apps that never call it (and processes without
    ``DASH_PERSONAS_PERSONAS``) are left exactly as they are.

    Parameters
    ----------
    app : dash.Dash
    personas : PersonaSet, list of Persona or path, optional
        Default: the file named by ``DASH_PERSONAS_PERSONAS``. A missing or invalid file
        does not raise: the personas page shows what is wrong and the host app keeps working.
    data : DataFrame or path, optional
        Respondents (e.g. ``scores.csv``) to count segment sizes on (nearest prototype);
        default ``DASH_PERSONAS_DATA``. Only aggregates reach the browser.
    study : Study, path or str, optional
        A tracking study (``dash_personas.tracking.Study``, a SQLite path or a SQLAlchemy
        URL), instead of ``personas``; default ``DASH_PERSONAS_STUDY``. The page shows the
        study's tracking view (wave selector, share timeline, cards' trends, drift and
        alerts, migration between two waves), as ``dash-personas serve --study`` does.
        A missing or unreachable study shows what is wrong on the page.
    path : str, optional
        Page path under the app's ``requests_pathname_prefix``; default
        ``DASH_PERSONAS_PATH`` or ``"personas"``. In a Dash Pages host the page is a
        registered Dash page (inside the host's ``page_container``, under its navbar); if
        the host has a page of its own at that path, the plugin's page moves to
        ``dash-personas`` and the server log says so.
    label, title : str
        Text of the navigation button and heading of the page (default title: "Customer
        personas", or "Tracking study" with a study).
    button : bool, default=True
        Add a floating "Personas" button to the host layout (link to the page yourself
        otherwise: ``dash_personas_hooks.page_href(app)``).
    theme : str, optional
        Bootstrap or Bootswatch theme served locally *for the personas page only*, and
        only when the host does not load Bootstrap itself (default ``DASH_PERSONAS_THEME``
        or ``"bootstrap"``). A host that loads Bootstrap keeps its own theme everywhere.
    color_mode : {"light", "dark", "auto"}, optional
        Colours of the page and its charts; default ``DASH_PERSONAS_COLOR_MODE`` or
        ``"auto"``: from the host (``data-bs-theme``, or a dark Bootswatch stylesheet
        linked or in its ``assets/`` folder), see :func:`host_color_mode`.

    Returns
    -------
    dash.Dash
        ``app``, for chaining.
    """
    from_env = False
    if personas is not None and study is not None:
        raise TypeError("enable() takes personas= or study=, not both")
    if personas is None and study is None:
        study = os.environ.get(ENV_STUDY, "").strip() or None
        personas = None if study else os.environ.get(ENV_PERSONAS, "").strip() or None
        from_env = personas is not None or study is not None
        if data is None and personas is not None:
            data = os.environ.get(ENV_DATA, "").strip() or None
    if personas is None and study is None:
        raise TypeError(f"enable() needs personas= (a PersonaSet or a personas JSON file), "
                        f"study= (a tracking study), or the {ENV_PERSONAS} or {ENV_STUDY} "
                        "environment variable")
    if title is None:
        title = "Tracking study" if study is not None else "Customer personas"
    if path is None:
        path = os.environ.get(ENV_PATH, "").strip() or "personas"
    clean_path = path.strip("/")
    if not clean_path or clean_path.startswith("_"):
        raise ValueError(f"path must be a page name such as 'personas', got {path!r}")
    color_mode = _color_mode(color_mode)
    theme = (theme or os.environ.get(ENV_THEME, "").strip() or "bootstrap").lower()
    from dash_personas.components import bootstrap_css

    bootstrap_css(theme)  # unknown theme: ValueError now, not a broken page later

    previous = config_of(app)
    source = _StudySource(study) if study is not None else _Source(personas, data)
    config = PluginConfig(source=source, path=clean_path, label=label,
                          title=title, button=button, theme=theme, color_mode=color_mode,
                          from_env=from_env)
    if previous is not None:
        config.css_route = previous.css_route
    if not _host_has_bootstrap(app) and not config.css_route:
        _guard_setup(app, lambda: _bootstrap_route(app, theme))
        config.css_route = True
    elif config.css_route:
        _bootstrap_route(app, theme)
    _guard_setup(app, lambda: _add_export_routes(app, config))
    if previous is None:
        from dash_personas.components import components_stylesheet

        _guard_setup(app, lambda: _add_summary_route(app))
        _guard_setup(app, lambda: components_stylesheet(app))
        _register_callbacks(app)
    setattr(app, ATTR, config)
    if getattr(app, "use_pages", False):
        from ._pages_host import register_pages_page

        register_pages_page(app, config)
    if study is not None:
        _register_study_callbacks(app)
    loaded = config.load()  # report a bad file in the server log right away
    if loaded.error:
        logger.warning("dash-personas-hooks: the personas page will show: %s", loaded.error)
    return app


def _color_mode(value: str | None) -> str | None:
    """``"light"``, ``"dark"``, or None for "follow the host" (argument, then environment)."""
    if value is None:
        value = os.environ.get(ENV_COLOR_MODE, "").strip().lower() or "auto"
        if value not in COLOR_MODES:
            logger.warning("dash-personas-hooks: %s=%r is not one of %s: following the host",
                           ENV_COLOR_MODE, value, ", ".join(COLOR_MODES))
            value = "auto"
    if value not in COLOR_MODES:
        raise ValueError(f"color_mode must be 'light', 'dark' or 'auto', got {value!r}")
    return None if value == "auto" else value


def page_href(app: Any) -> str:
    """The URL path of the personas page of ``app`` (with its ``requests_pathname_prefix``)."""
    config = config_of(app)
    path = config.path if config else "personas"
    return f"{app.config.requests_pathname_prefix or '/'}{path}"


def summary_href(app: Any) -> str:
    """The URL path of the JSON summary route of ``app``."""
    return f"{app.config.requests_pathname_prefix or '/'}{SUMMARY_ROUTE}"


def _guard_setup(app: Any, register: Any) -> None:
    try:
        register()
    except AssertionError as exc:  # Flask: routes can only be added before the first request
        raise RuntimeError("dash_personas_hooks.enable() must be called before the app "
                           "serves its first request") from exc


def _stylesheet_urls(app: Any) -> list[str]:
    urls = []
    for sheet in app.config.external_stylesheets or []:
        href = sheet.get("href", "") if isinstance(sheet, dict) else str(sheet)
        urls.append(href.lower())
    return urls


def _assets_css(app: Any) -> list[tuple[str, str]]:
    """``(file name, first lines)`` of the CSS files in the host's ``assets/`` folder."""
    folder = Path(app.config.assets_folder)
    found = []
    if folder.is_dir():
        for css in sorted(folder.rglob("*.css")):
            try:
                with css.open(encoding="utf-8", errors="replace") as handle:
                    found.append((css.name.lower(), handle.read(600).lower()))
            except OSError:
                continue
    return found


def _bootswatch_theme(head: str) -> str | None:
    """The theme named in a Bootswatch banner (`` * Theme: darkly``), if any."""
    match = re.search(r"theme:\s*([a-z]+)", head) if "bootswatch" in head else None
    return match.group(1) if match else None


def _host_has_bootstrap(app: Any) -> bool:
    """Whether the host loads a Bootstrap (or Bootswatch) stylesheet of its own."""
    from dash_personas.components import available_themes

    names = set(available_themes())
    for url in _stylesheet_urls(app):
        if "bootstrap" in url or "bootswatch" in url:
            return True
        if any(f"/{name}/" in url or url.endswith(f"/{name}.css") for name in names):
            return True
    return any("bootstrap" in name or "bootstrap" in head or "bootswatch" in head
               for name, head in _assets_css(app))


def host_color_mode(app: Any) -> str:
    """The colour mode of the personas page: ``"light"`` or ``"dark"``.

    ``enable(color_mode=...)`` or ``DASH_PERSONAS_COLOR_MODE`` (``light``, ``dark``)
    first; otherwise (``auto``) dark when the host page is dark: ``data-bs-theme="dark"``
    in its index, or a dark Bootswatch theme in its stylesheets or its ``assets/``
    folder (by file name or the theme's banner), or the plugin's own dark theme.
    """
    from dash_personas.components import DARK_THEMES

    config = config_of(app)
    if config is not None and config.color_mode:
        return config.color_mode
    index = app.index_string or ""
    if 'data-bs-theme="dark"' in index or "data-bs-theme='dark'" in index:
        return "dark"
    for url in _stylesheet_urls(app):
        if any(f"/{name}/" in url or f"/{name}." in url for name in DARK_THEMES):
            return "dark"
    for name, head in _assets_css(app):
        if _bootswatch_theme(head) in DARK_THEMES or any(
                name.startswith(f"{theme}.") for theme in DARK_THEMES):
            return "dark"
    if config is not None and config.css_route and config.theme in DARK_THEMES:
        return "dark"
    return "light"


def _bootstrap_route(app: Any, theme: str) -> str:
    from dash_personas.components import bootstrap_stylesheet

    return bootstrap_stylesheet(app, theme, register=False)


def summary(app: Any) -> tuple[dict[str, Any], int]:
    """The JSON summary served at ``<prefix>_dash-personas/summary`` and its HTTP status."""
    config = config_of(app)
    if config is None:
        return {"error": "the personas plugin is not enabled for this app"}, 404
    loaded = config.load()
    if loaded.personas is None:
        return {"format": SUMMARY_FORMAT, "version": 1,
                "error": public_message(loaded.error or "")}, 500
    people = loaded.personas
    items = []
    for p in people:
        scales = sorted(p.aspects or p.profile, key=lambda s: -abs(s.std_diff))[:3]
        items.append({
            "id": p.id, "name": p.name, "tagline": p.tagline, "quote": p.quote,
            "size": p.size, "share": round(p.share, 6), "colour": p.colour,
            "distinguishing": [{"label": s.label, "std_diff": round(s.std_diff, 3)}
                               for s in scales],
            "motivations": p.motivations, "frustrations": p.frustrations,
            "tone": p.guidelines.tone, "channels": p.guidelines.channels,
        })
    return {"format": SUMMARY_FORMAT, "version": 1, "page": page_href(app),
            "n_respondents": people.n_respondents or sum(p.size for p in people),
            "personas": items, "warnings": [public_message(w) for w in loaded.warnings]}, 200


def _add_summary_route(app: Any) -> None:
    from flask import Response

    def serve() -> Any:
        body, status = summary(app)
        response = Response(json.dumps(body, ensure_ascii=False), status=status,
                            mimetype="application/json")
        response.headers["Cache-Control"] = "no-store"
        return response

    prefix = app.config.routes_pathname_prefix or "/"
    app.server.add_url_rule(f"{prefix}{SUMMARY_ROUTE}", f"dash_personas_hooks_summary{prefix}",
                            serve, methods=["GET"])


def _add_export_routes(app: Any, config: PluginConfig) -> None:
    """The Export menu's route: the personas (or the study) the page shows."""
    from dash_personas.components import default_personas_for, register_export_routes

    def personas() -> Any:
        return config.load().personas

    def study() -> Any:
        return config.load().study

    register_export_routes(app, default_personas_for(personas, study), study=study,
                           title=config.title)


def _register_callbacks(app: Any) -> None:
    from ._page import register_page_callbacks

    register_page_callbacks(app)


def _register_study_callbacks(app: Any) -> None:
    """The tracking view's callbacks, once per app; they read the study of the config."""
    if getattr(app, f"{ATTR}_study", False):
        return
    from dash_personas.components.tracking import register_tracking_callbacks

    def view() -> Any:
        config = config_of(app)
        return None if config is None else config.load().study

    register_tracking_callbacks(app, view, theme=host_color_mode(app))
    setattr(app, f"{ATTR}_study", True)
