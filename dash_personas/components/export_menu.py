"""The Export menu of the dashboards: deck, sheet, PNG and CSV of the current view.

:func:`register_export_routes` adds one Flask route per app,
``<prefix>_dash-personas/export/<format>``, that answers with the file of
:func:`~dash_personas.deliverables.deliverable` for the personas that
``personas_for(query)`` returns: the page's URL query (``persona=<id>``, ``wave=<label>``,
``f.<column>=<level>`` repeated) is passed on, so the file shows the current view (and
``describe(query)`` says which, in the file).
:func:`ExportMenu` is the menu: a click fetches the route with the page's current query
string and saves the file, or shows why it could not be made (no Chromium, an unknown
wave...) in a message under the menu; the route never answers with a server error for
those.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, dcc, html

__all__ = ["EXPORT_ROUTE", "ExportMenu", "default_personas_for", "export_href", "export_menu",
           "register_export_callbacks", "register_export_routes", "wave_personas"]

EXPORT_ROUTE = "_dash-personas/export"
MENU_ID = "export"
COMPONENT = "dash-personas-export"
_ATTR = "_dash_personas_export"
logger = logging.getLogger("dash_personas.export")

_DOWNLOAD_JS = """
async function(clicks, cfg) {
    const dc = window.dash_clientside;
    const hit = (dc.callback_context.triggered || []).find(t => t.value);
    if (!hit || !cfg) { return dc.no_update; }
    const fmt = JSON.parse(hit.prop_id.slice(0, hit.prop_id.lastIndexOf('.'))).format;
    dc.set_props(cfg.status, {children: 'Preparing the ' + fmt.toUpperCase() + ' file…',
                              color: 'info', is_open: true});
    let response;
    try {
        response = await fetch(cfg.base + fmt + window.location.search,
                               {credentials: 'same-origin'});
    } catch (error) {
        return ['The export could not reach the server: ' + error, 'danger', true];
    }
    if (!response.ok) {
        return ['The export failed: ' + (await response.text()), 'danger', true];
    }
    const blob = await response.blob();
    const match = (response.headers.get('Content-Disposition') || '')
        .match(/filename="([^"]+)"/);
    const name = match ? match[1] : 'personas.' + fmt;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    return [name + ' downloaded.', 'success', true];
}
"""


def _id(part: str, menu: Any, **extra: Any) -> dict[str, Any]:
    return {"component": COMPONENT, "subcomponent": part, "menu": menu, **extra}


def export_href(app: Any, fmt: str = "") -> str:
    """The URL path of the export route of ``app`` for ``fmt`` (with its request prefix)."""
    return f"{app.config.requests_pathname_prefix or '/'}{EXPORT_ROUTE}/{fmt}"


def default_personas_for(personas: Any = None, study: Any = None
                         ) -> Callable[[Mapping[str, Any]], Any]:
    """``personas_for(query)`` serving ``personas``, or with a study the personas of the
    segmentation of the ``wave=`` wave (default: the current segmentation).

    Parameters
    ----------
    personas : PersonaSet or callable, optional
        Or a callable returning them (a source that can change).
    study : StudyView or callable, optional
        Or a callable returning it (``None``: no study).
    """

    def personas_for(query: Mapping[str, Any]) -> Any:
        view = study() if callable(study) else study
        if view is None:
            return personas() if callable(personas) else personas
        wave = query.get("wave")
        return wave_personas(view, wave) if wave else view.personas[view.current_version]

    return personas_for


def wave_personas(view: Any, wave: str) -> Any:
    """The personas of wave ``wave`` of a study: those of its segmentation version, with
    the sizes and shares counted in that wave (the profiles stay those of the fit).

    Raises
    ------
    UserError
        No such wave.
    """
    from ..tracking_view import wave_shares

    chosen = view.wave(wave)
    shares = wave_shares(chosen)
    people = view.personas[chosen.segmentation_version]
    return people.model_copy(update={"n_respondents": int(chosen.summary["n"]), "personas": [
        p.model_copy(update={"size": int(shares[int(p.segment)]["n"]),
                             "share": float(shares[int(p.segment)]["share"])})
        if int(p.segment) in shares else p.model_copy(update={"size": 0, "share": 0.0})
        for p in people]})


def register_export_routes(app: Any, personas_for: Callable[[Mapping[str, Any]], Any], *,
                           study: Any = None, title: str = "Customer personas",
                           describe: Callable[[Mapping[str, Any]], str] | None = None) -> None:
    """Serve the deliverables of ``app`` at ``<prefix>_dash-personas/export/<format>``.

    Parameters
    ----------
    app : dash.Dash
    personas_for : callable
        ``personas_for(query) -> PersonaSet`` (``None`` when unavailable): the personas
        of the view the query describes; ``query`` is the request's
        :class:`~werkzeug.datastructures.MultiDict` (``getlist`` for repeated keys).
    study : StudyView or callable, optional
        The study of a study dashboard, or a callable returning it (or ``None``).
    title : str
        Of the deck and the sheet.
    describe : callable, optional
        ``describe(query) -> str``: the view in words (``"Wave W3: 412 of 1,000
        respondents (Gender: Woman)"``, empty for the whole data set), written into
        every file (:func:`~dash_personas.deliverables.deliverable`'s ``note``).

    Notes
    -----
    Call it before the app serves its first request (Flask's rule); a second call
    replaces the sources and keeps the route.
    """
    sources = {"personas_for": personas_for, "study": study, "title": title,
               "describe": describe}
    if getattr(app, _ATTR, None) is not None:
        getattr(app, _ATTR).update(sources)
        return
    setattr(app, _ATTR, sources)
    register_export_callbacks(app)
    prefix = app.config.routes_pathname_prefix or "/"
    app.server.add_url_rule(f"{prefix}{EXPORT_ROUTE}/<fmt>", f"dash_personas_export{prefix}",
                            lambda fmt: _serve(app, fmt), methods=["GET"])


def _serve(app: Any, fmt: str) -> Any:
    from flask import Response, request

    from survey_builder.errors import UserError

    from ..deliverables import deliverable
    from ..export import ExportError

    sources = getattr(app, _ATTR)

    def refuse(message: str, status: int) -> Any:
        return Response(message, status=status, mimetype="text/plain",
                        headers={"Cache-Control": "no-store"})

    study = sources["study"]() if callable(sources["study"]) else sources["study"]
    try:
        personas = sources["personas_for"](request.args)
        if personas is None or not len(personas):
            return refuse("there are no personas to export in this view", 409)
        note = sources["describe"](request.args) if sources["describe"] else ""
        made = deliverable(fmt, personas, study=study, args=request.args,
                           title=sources["title"], note=note or None)
    except ExportError as exc:
        logger.warning("dash-personas export %s: %s", fmt, exc)
        return refuse(str(exc), 503)
    except UserError as exc:
        return refuse(str(exc), 404 if str(exc).startswith("unknown export format") else 400)
    return Response(made.content, mimetype=made.media_type, headers={
        "Content-Disposition": f'attachment; filename="{made.filename}"',
        "Cache-Control": "no-store"})


def ExportMenu(app: Any, *, formats: Sequence[str] | None = None,
               menu_id: str = MENU_ID) -> html.Div:
    """The Export menu: one item per format; a message under it says what happened.

    Parameters
    ----------
    app : dash.Dash
        Whose export route the menu fetches (:func:`register_export_routes`).
    formats : sequence of str, optional
        Default: every format of :data:`~dash_personas.deliverables.DELIVERABLE_FORMATS`.
    menu_id : str
        Tells menus of one page apart (pattern-matching ids).

    Returns
    -------
    html.Div
    """
    from ..deliverables import DELIVERABLE_FORMATS

    register_export_callbacks(app)  # a no-op when the routes registered it
    items = [dbc.DropdownMenuItem(DELIVERABLE_FORMATS[fmt][0], n_clicks=0,
                                  id=_id("item", menu_id, format=fmt))
             for fmt in (formats or DELIVERABLE_FORMATS)]
    status = _id("status", menu_id)
    return html.Div([
        dbc.DropdownMenu(items, label="Export", size="sm", color="secondary",
                         align_end=True, toggle_class_name="dash-personas-export-toggle"),
        dcc.Store(id=_id("config", menu_id), data={"status": status,
                                                   "base": export_href(app)}),
        dbc.Alert(id=status, is_open=False, dismissable=True,
                  className="small py-1 px-2 my-2 dash-personas-export-status"),
    ], className="dash-personas-export d-inline-block")


def register_export_callbacks(app: Any) -> None:
    """The menus' download callback, once per app (runs in the browser).

    :func:`register_export_routes` calls it; an app whose menus are rendered by a
    callback (a page drawn on navigation) must have it before its first request.
    """
    if app.__dict__.get("_dash_personas_export_callback"):
        return
    app.__dict__["_dash_personas_export_callback"] = True
    app.clientside_callback(
        _DOWNLOAD_JS,
        Output(_id("status", MATCH), "children"),
        Output(_id("status", MATCH), "color"),
        Output(_id("status", MATCH), "is_open"),
        Input(_id("item", MATCH, format=ALL), "n_clicks"),
        State(_id("config", MATCH), "data"),
        prevent_initial_call=True,
    )


def export_menu(app: Any, personas: Any = None, *, study: Any = None,
                title: str = "Customer personas") -> html.Div:
    """Serve the deliverables of ``personas`` (or of ``study``) and return the menu.

    The one call a dashboard makes: :func:`register_export_routes` with
    :func:`default_personas_for`, then :func:`ExportMenu`.
    """
    register_export_routes(app, default_personas_for(personas, study), study=study,
                           title=title)
    return ExportMenu(app)
