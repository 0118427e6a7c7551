"""Registering the components' callbacks on an app — explicitly, once per app.

Callbacks declared with the global ``@dash.callback`` are collected in a process-wide
list that the *first* app to serve a request takes for itself, so a second app in the
same process (test suites, several apps behind one server) would get none. Dash hooks
(``dash.hooks.callback``) are process-wide in the other direction: every app would get
them, even apps that never use personas. The components therefore register their
callbacks on the app they are used in: :func:`register_callbacks` adds them with
``app.clientside_callback`` and is idempotent, and adds the page's selection script
(:func:`selection_script_url`), which shows a click's selection before Dash processes
it. The callbacks run in the browser, so a selection does not need a round trip to the
server.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from typing import Any

from dash import ALL, MATCH, Input, Output, State

from ._ids import CHART, GALLERY

__all__ = ["register_callbacks"]

_MARK = "_dash_personas_callbacks"


def compact_js(source: str) -> str:
    """``source`` without its indentation, blank lines and whole-line ``//`` comments.

    Dash writes each clientside function into the page itself (a few KB every page
    load): the code keeps its lines (no statement depends on a removed one), only the
    bytes a reader of the source needs go.
    """
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))

# The selection of a gallery, shown: a click is shown by the page's selection script
# (dash_personas_selection.js) before Dash hears of it, then put in the store; this
# callback shows a selection that reaches the store another way (a host app's callback,
# the store's persistence; a no-op after a click) and brings Dash's copy of the props in
# line, so a re-render shows the same. Each callback costs Dash several store
# dispatches, each walking the page's components, and Dash marks every output of a
# running callback as loading: so the store is the one output (never written), the
# cards whose state changes are restyled with set_props, the others are not touched,
# and the figure props are updated in place.
_SELECT_JS = """
function(chosen, pressed, figures) {
    const dc = window.dash_clientside;
    const dp = window.dash_personas;
    const ctx = dc.callback_context;
    const store = ctx.inputs_list[0].id;
    // a newer click, shown already and not yet in the store, is the one to keep
    const next = dp.shownSelection(store.aio_id, store.group,
                                   (chosen === undefined) ? null : chosen);
    // the page first: a figure prop may hold the traces the drawn graph shows
    dp.showSelection(store.aio_id, store.group, next);
    (ctx.states_list[0] || []).forEach((item, i) => {
        const on = item.id.persona === next;
        if (on === (pressed[i] === 'true')) { return; }
        dc.set_props(Object.assign({}, item.id, {subcomponent: 'card'}),
                     {className: dp.cardClass(on)});
        dc.set_props(item.id, {'aria-pressed': on ? 'true' : 'false',
                               className: dp.buttonClass(on), children: dp.buttonLabel(on)});
    });
    (figures || []).forEach(fig => { if (fig) { dp.highlightFigure(fig, next); } });
    return dc.no_update;
}
"""

#: Route (under the app's prefix) of the selection script.
SCRIPT_ROUTE = "_dash-personas/dash-personas-selection.js"


@functools.cache
def selection_script() -> str:
    """The JavaScript text of the page's selection script, its settings filled in.

    ``dash_personas_selection.js`` with the card and button classes and labels of
    :mod:`.gallery` and the dimmed opacity and outline colour of
    :func:`dash_personas.figures.highlight_figure` (one definition of each).
    """
    from ..figures import DIM_OPACITY
    from ..palette import MODE_COLOURS
    from .gallery import button_class, button_label, card_class

    config = {"gallery": GALLERY, "chart": CHART, "dim": DIM_OPACITY,
              "reference": MODE_COLOURS["light"]["reference"],
              "card_on": card_class(True), "card_off": card_class(False),
              "button_on": button_class(True), "button_off": button_class(False),
              "label_on": button_label(True), "label_off": button_label(False)}
    source = resources.files(__package__).joinpath("dash_personas_selection.js").read_text(
        encoding="utf-8")
    return source.replace("/*DASH_PERSONAS_CONFIG*/null", json.dumps(config))


def selection_script_url(app: Any) -> str:
    """Serve :func:`selection_script` from ``app``'s server and return its URL.

    The URL carries a hash of the script, so a browser's cached copy (kept a day) is
    never an older one.
    """
    from .theme import _add_css_route

    _add_css_route(app, SCRIPT_ROUTE, "dash_personas_selection_js", selection_script,
                   mimetype="application/javascript")
    digest = hashlib.sha256(selection_script().encode("utf-8")).hexdigest()[:12]
    return f"{app.config.requests_pathname_prefix or '/'}{SCRIPT_ROUTE}?v={digest}"


def register_callbacks(app: Any) -> Any:
    """Add the persona components' callbacks to ``app`` (safe to call more than once).

    Call it on every app that uses :class:`PersonaGallery` together with charts;
    :func:`dash_personas.create_app` does it for you.

    Parameters
    ----------
    app : dash.Dash

    Returns
    -------
    dash.Dash
        ``app``, for chaining.
    """
    if getattr(app, _MARK, False):
        return app
    script = selection_script_url(app)
    scripts = list(app.config.external_scripts or [])
    if script not in scripts:
        app.config.external_scripts = [*scripts, script]

    store = {"component": GALLERY, "subcomponent": "selection", "aio_id": MATCH, "group": MATCH}
    buttons = {"component": GALLERY, "subcomponent": "select", "aio_id": MATCH,
               "group": MATCH, "persona": ALL}
    graphs = {"component": CHART, "subcomponent": "graph", "aio_id": ALL, "group": MATCH}
    app.clientside_callback(
        compact_js(_SELECT_JS),
        Output(store, "data", allow_duplicate=True),
        Input(store, "data"),
        State(buttons, "aria-pressed"),
        State(graphs, "figure"),
        prevent_initial_call=True,
    )
    setattr(app, _MARK, True)
    return app
