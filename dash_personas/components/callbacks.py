"""Registering the components' callbacks on an app — explicitly, once per app.

Callbacks declared with the global ``@dash.callback`` are collected in a process-wide
list that the *first* app to serve a request takes for itself, so a second app in the
same process (test suites, several apps behind one server) would get none. Dash hooks
(``dash.hooks.callback``) are process-wide in the other direction: every app would get
them, even apps that never use personas. The components therefore register their
callbacks on the app they are used in: :func:`register_callbacks` adds them with
``app.clientside_callback`` and is idempotent. The callbacks run in the browser, so
a selection does not need a round trip to the server.
"""

from __future__ import annotations

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

# Toggle the selection of a gallery (a click on a card's select button).
_SELECT_JS = """
function(nClicks, current) {
    const dc = window.dash_clientside;
    const trig = dc.callback_context.triggered_id;
    if (!trig || typeof trig !== 'object' || trig.subcomponent !== 'select') {
        return dc.no_update;
    }
    return (current === trig.persona) ? null : trig.persona;
}
"""

# Restyle a gallery's cards and buttons for its selection: after a click, and when the
# selection is set another way (restored by the store's persistence after a re-render,
# or set by the host app's own callback).
_STYLE_JS = """
function(chosen, ids) {
    const base = 'h-100 dash-personas-slot rounded-3';
    const on = base + ' dash-personas-selected border border-3 border-primary';
    const classes = ids.map(i => i.persona === chosen ? on : base);
    const pressed = ids.map(i => i.persona === chosen ? 'true' : 'false');
    const btn = 'btn btn-sm dash-personas-select ';
    const outline = ids.map(
        i => btn + (i.persona === chosen ? 'btn-primary' : 'btn-outline-primary'));
    const text = ids.map(i => i.persona === chosen ? 'Selected' : 'Select');
    return [classes, pressed, outline, text];
}
"""

# Apply a group's selection to every chart of the group (same rule as
# dash_personas.figures.highlight_figure). The live Plotly graphs are restyled in
# place (opacity only: Plotly's cheapest redraw) and the figure props are returned
# updated as well, so a re-render shows the same state.
_HIGHLIGHT_JS = """
function(selections, figures) {
    const dc = window.dash_clientside;
    const ctx = dc.callback_context;
    const trig = ctx.triggered_id;
    const inputs = ctx.inputs_list[0] || [];
    let chosen = null;
    for (const item of inputs) {
        if (trig && item.id && item.id.aio_id === trig.aio_id) { chosen = item.value; }
    }
    if (chosen === undefined) { chosen = null; }
    const DIM = %(dim)s;
    const raw = ctx.outputs_list || [];
    const outputs = Array.isArray(raw[0]) ? raw[0] : raw;
    // Opacity is a pure style: set it on the drawn trace groups (what Plotly's own
    // style step does) instead of a full Plotly.restyle redraw of every chart.
    const restyleInPlace = (gd, opacity) => {
        const cds = gd.calcdata || [];
        if (cds.length !== opacity.length) { return false; }
        if (!cds.every(cd => cd && cd[0] && cd[0].node3 && cd[0].trace)) { return false; }
        cds.forEach((cd, i) => {
            cd[0].trace.opacity = opacity[i];
            gd.data[i].opacity = opacity[i];
            cd[0].node3.style('opacity', opacity[i]);
        });
        return true;
    };
    const idOf = (id) => JSON.stringify(Object.keys(id).sort().reduce(
        (o, k) => { o[k] = id[k]; return o; }, {}));
    return (figures || []).map((fig, n) => {
        if (!fig) { return dc.no_update; }
        const opacity = (fig.data || []).map(
            t => typeof t.meta !== 'string' ? (t.opacity === undefined ? 1 : t.opacity)
                 : ((chosen === null || chosen === t.meta) ? 1.0 : DIM));
        const layout = fig.layout || {};
        const ids = (layout.meta && layout.meta.persona_ids) || null;
        const shapes = (layout.shapes || []).filter(s => s.name !== 'highlight');
        const isHeatmap = (fig.data || []).length && fig.data[0].type === 'heatmap';
        // the figure's text colour (light on a dark page), as highlight_figure does
        const font = ((layout.template || {}).layout || {}).font || {};
        const outline = font.color || '#212529';
        if (ids && chosen !== null && isHeatmap) {
            const j = ids.indexOf(chosen);
            if (j >= 0) {
                shapes.push({type: 'rect', name: 'highlight', xref: 'x', yref: 'paper',
                             x0: j - 0.5, x1: j + 0.5, y0: 0, y1: 1,
                             line: {width: 3, color: outline}});
            }
        }
        const out = Object.assign({}, fig, {
            data: (fig.data || []).map((t, i) => Object.assign({}, t, {opacity: opacity[i]})),
            layout: Object.assign({}, layout, {shapes: shapes}),
        });
        const spec = outputs[n];
        const holder = spec && document.getElementById(idOf(spec.id));
        const gd = holder && holder.querySelector('.js-plotly-plot');
        if (gd && window.Plotly && gd.data && gd.data.length === opacity.length) {
            if (isHeatmap) { window.Plotly.relayout(gd, {shapes: shapes}); }
            else if (!restyleInPlace(gd, opacity)) {
                window.Plotly.restyle(gd, {opacity: opacity});
            }
            // keep the prop in sync without a second redraw
            fig.data.forEach((t, i) => { t.opacity = opacity[i]; });
            fig.layout = out.layout;
            return dc.no_update;
        }
        return out;
    });
}
"""


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
    from ..figures import DIM_OPACITY

    def sel(sub: str, persona: Any = ALL) -> dict[str, Any]:
        return {"component": GALLERY, "subcomponent": sub, "aio_id": MATCH, "group": MATCH,
                "persona": persona}

    store = {"component": GALLERY, "subcomponent": "selection", "aio_id": MATCH, "group": MATCH}
    app.clientside_callback(
        compact_js(_SELECT_JS),
        Output(store, "data"),
        Input(sel("select"), "n_clicks"),
        State(store, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        compact_js(_STYLE_JS),
        Output(sel("card"), "className"),
        Output(sel("select"), "aria-pressed"),
        Output(sel("select"), "className"),
        Output(sel("select"), "children"),
        Input(store, "data"),
        State(sel("card"), "id"),
        prevent_initial_call=True,
    )
    graphs = {"component": CHART, "subcomponent": "graph", "aio_id": ALL, "group": MATCH}
    app.clientside_callback(
        compact_js(_HIGHLIGHT_JS % {"dim": DIM_OPACITY}),
        Output(graphs, "figure"),
        Input({"component": GALLERY, "subcomponent": "selection", "aio_id": ALL,
               "group": MATCH}, "data"),
        State(graphs, "figure"),
        prevent_initial_call=True,
    )
    setattr(app, _MARK, True)
    return app
