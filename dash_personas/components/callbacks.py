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

import json
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

# The selection of a gallery, in one callback: a click on a card's select button
# toggles it, and a selection set another way (restored by the store's persistence, set
# by the host app's own callback) is shown as well. Each callback costs Dash several
# store dispatches, each walking the page's components, and Dash marks every output of
# a running callback as loading (a re-render of each): so the store is the one output,
# the cards whose state changes (the previous and the new selection) are restyled with
# set_props, the others are not touched, and the charts are highlighted in place.
_SELECT_JS = """
function(nClicks, chosen, pressed, figures) {
    const dc = window.dash_clientside;
    const ctx = dc.callback_context;
    const trig = ctx.triggered_id;
    const clicked = !!trig && typeof trig === 'object' && trig.subcomponent === 'select';
    const current = (chosen === undefined) ? null : chosen;
    const next = clicked ? (current === trig.persona ? null : trig.persona) : current;
    const idOf = (id) => JSON.stringify(Object.keys(id).sort().reduce(
        (o, k) => { o[k] = id[k]; return o; }, {}));
    const on = (ctx.inputs_list[0] || []).map(item => item.id.persona === next);
    const specs = ctx.states_list[1] || [];
    (figures || []).forEach((fig, n) => highlightChart(fig, specs[n], next));
    (ctx.inputs_list[0] || []).forEach((item, i) => {
        if (on[i] === (pressed[i] === 'true')) { return; }
        dc.set_props(Object.assign({}, item.id, {subcomponent: 'card'}),
                     {className: on[i] ? %(card_on)s : %(card_off)s});
        dc.set_props(item.id, {'aria-pressed': on[i] ? 'true' : 'false',
                               className: on[i] ? %(button_on)s : %(button_off)s,
                               children: on[i] ? 'Selected' : 'Select'});
    });
    return clicked ? next : dc.no_update;
    // Apply the selection to one chart (same rule as
    // dash_personas.figures.highlight_figure): the live Plotly graph is restyled in
    // place (opacity only: Plotly's cheapest redraw; the heatmap's outline by a
    // relayout of its shapes) and the figure prop is updated as well, so a re-render
    // shows the same state.
    function highlightChart(fig, spec, chosen) {
        if (!fig || !spec) { return; }
        const DIM = %(dim)s;
        const data = fig.data || [];
        const opacity = data.map(
            t => typeof t.meta !== 'string' ? (t.opacity === undefined ? 1 : t.opacity)
                 : ((chosen === null || chosen === t.meta) ? 1.0 : DIM));
        const layout = fig.layout || {};
        const ids = (layout.meta && layout.meta.persona_ids) || null;
        const shapes = (layout.shapes || []).filter(s => s.name !== 'highlight');
        const isHeatmap = data.length && data[0].type === 'heatmap';
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
        data.forEach((t, i) => { t.opacity = opacity[i]; });
        fig.layout = Object.assign({}, layout, {shapes: shapes});
        const holder = document.getElementById(idOf(spec.id));
        const gd = holder && holder.querySelector('.js-plotly-plot');
        if (!gd || !window.Plotly || !gd.data || gd.data.length !== opacity.length) {
            return;  // not drawn yet: Plotly draws the updated figure prop
        }
        if (isHeatmap) { window.Plotly.relayout(gd, {shapes: shapes}); }
        else if (!restyleInPlace(gd, opacity)) { window.Plotly.restyle(gd, {opacity: opacity}); }
    }
    // Opacity is a pure style: set it on the drawn trace groups (what Plotly's own
    // style step does) instead of a full Plotly.restyle redraw of every chart.
    function restyleInPlace(gd, opacity) {
        const cds = gd.calcdata || [];
        if (cds.length !== opacity.length) { return false; }
        if (!cds.every(cd => cd && cd[0] && cd[0].node3 && cd[0].trace)) { return false; }
        cds.forEach((cd, i) => {
            cd[0].trace.opacity = opacity[i];
            gd.data[i].opacity = opacity[i];
            cd[0].node3.style('opacity', opacity[i]);
        });
        return true;
    }
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
    from .gallery import button_class, card_class

    def sel(sub: str, persona: Any = ALL) -> dict[str, Any]:
        return {"component": GALLERY, "subcomponent": sub, "aio_id": MATCH, "group": MATCH,
                "persona": persona}

    store = {"component": GALLERY, "subcomponent": "selection", "aio_id": MATCH, "group": MATCH}
    graphs = {"component": CHART, "subcomponent": "graph", "aio_id": ALL, "group": MATCH}
    app.clientside_callback(
        compact_js(_SELECT_JS % {
            "dim": DIM_OPACITY, "card_on": json.dumps(card_class(True)),
            "card_off": json.dumps(card_class(False)),
            "button_on": json.dumps(button_class(True)),
            "button_off": json.dumps(button_class(False))}),
        Output(store, "data", allow_duplicate=True),
        Input(sel("select"), "n_clicks"),
        Input(store, "data"),
        State(sel("select"), "aria-pressed"),
        State(graphs, "figure"),
        prevent_initial_call=True,
    )
    setattr(app, _MARK, True)
    return app
