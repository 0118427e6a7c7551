"""The tracking view of a study in Dash: wave selector, timeline, cards, drift, Sankey.

Renders a :class:`~dash_personas.tracking_view.StudyView`. The page holds aggregates only.
A wave change must answer fast (issue 11: p95 <= 200 ms in Chromium). Every wave's
drift panel is in the page (hidden but the chosen one) and every wave's card texts are
in a store (strings, a few hundred bytes per persona and wave), so a wave change runs in
the browser: a clientside callback sets the cards' texts, shows the wave's card grid
(segmentation version) and drift panel and moves the timeline's marker in place, as the
components' selection callbacks restyle charts in place — going through Dash props
made the renderer walk the whole page on every change (over a second for 20 waves).
Choosing two waves for the Sankey counts their panel once in the study's database, then
keeps it. Persona and respondent text is passed to Dash as plain strings (and set as
``textContent``), so it is shown as text.

One tracking view per page. Its component ids are pattern-matching dicts
(``{"type": "study-wave", "view": "study"}``, see :func:`component_id`) and its callbacks
match on ``view``, so a host page that builds the view on demand (the Dash hooks
plugin) has no "id not found in layout" errors; each component also carries its type as
a CSS class (``.study-wave``) to find it in the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from ..figures import GRAPH_CONFIG
from ..personas import persona_view
from ..study_figures import WAVE_MARKER, migration_sankey, share_timeline, wave_marker
from ..tracking_view import StudyView, WaveView, wave_shares

__all__ = ["IDS", "VIEW", "card_texts", "component_id", "drift_panel", "migration_base",
           "register_tracking_callbacks", "tracking_section", "wave_cards", "wave_summary"]

#: Component types of the tracking view (the ``type`` of their ids and their CSS class).
IDS = {
    "wave": "study-wave", "summary": "study-wave-summary", "timeline": "study-timeline",
    "cards": "study-cards", "drift": "study-drift", "from": "study-from", "to": "study-to",
    "sankey": "study-sankey", "base": "study-migration-base", "texts": "study-texts",
    "shown": "study-shown",
}
#: The ``view`` key of every component id of the tracking view.
VIEW = "study"


def component_id(name: str, view: Any = VIEW, **keys: Any) -> dict[str, Any]:
    """The id of the tracking view's component ``name`` (a key of :data:`IDS` or a type)."""
    return {"type": IDS.get(name, name), "view": view, **keys}


def _dom_id(component: dict[str, Any]) -> str:
    """The DOM id Dash gives a dict id (keys sorted, compact JSON), for ``<label for>``."""
    import json

    return json.dumps(component, sort_keys=True, separators=(",", ":"))
_GRAPH_CONFIG = GRAPH_CONFIG
#: Drifted features listed per wave.
MAX_FEATURES = 8
_ALERT_COLOUR = {"size_shift": "info", "emerging": "warning", "drift": "warning",
                 "split": "warning", "refit_recommended": "danger"}
_ALERT_TITLE = {"size_shift": "Share shift", "emerging": "Emerging segment?",
                "drift": "Drift", "split": "Split?", "refit_recommended": "Re-segment"}


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def wave_summary(wave: WaveView) -> str:
    """One line about the wave: base, segmentation, share that fits no persona."""
    summary = wave.summary
    date = f" (field date {summary['date']})" if summary.get("date") else ""
    base = f"n = {summary['n']:,}"
    if summary.get("weighted"):
        base += f", effective n = {summary['n_effective']:,.0f}"
    return (f"Wave {wave.label}{date}: {base}, segmentation v{wave.segmentation_version}; "
            f"{_percent(summary['unfit_share'])} of respondents fit no persona well (beyond "
            f"{summary['reference_wave']}'s 95th percentile distance).")


#: The text parts of a wave card, in the order of :func:`card_texts`.
CARD_PARTS = ("share", "change", "trend", "changes")


def card_texts(wave: WaveView, segment: int, name: str) -> dict[str, str]:
    """What a persona's card says about wave ``wave``: share, change, trend, changes."""
    share = wave_shares(wave).get(segment)
    texts = dict.fromkeys(CARD_PARTS, "")
    if share is not None:
        texts["share"] = (f"{_percent(share['share'])} in {wave.label} (95 % CI "
                          f"{_percent(share['ci_low'])} – {_percent(share['ci_high'])}; "
                          f"{share['n']:,} respondents)")
        change = share.get("change_from_previous")
        if change is not None:
            mark = "significant" if change["significant"] else "not significant"
            texts["change"] = (f"{change['difference'] * 100:+.1f} pts vs "
                               f"{change['against']} ({mark})")
    texts["trend"] = wave.trends.get(name, {}).get("trend") or ""
    texts["changes"] = "\n".join(wave.persona_changes(name)[:3])
    return texts


def wave_texts(view: StudyView) -> dict[str, dict[str, Any]]:
    """What a wave change writes into the page, per wave label.

    ``summary`` (:func:`wave_summary`), ``version`` (the card grid to show) and
    ``cards``: card key -> its texts in the order of :data:`CARD_PARTS`.
    """
    texts = {}
    for wave in view.waves:
        version = wave.segmentation_version
        cards = {_card_key(version, p): [card_texts(wave, int(p.segment), p.name)[part]
                                         for part in CARD_PARTS]
                 for p in view.personas[version]}
        texts[wave.label] = {"summary": wave_summary(wave), "version": str(version),
                             "cards": cards}
    return texts


def _card_key(version: int, persona: Any) -> str:
    return f"v{version}-{persona.id}"


_PART_CLASS = {"share": "small mb-1 fw-semibold dash-personas-share",
               "change": "small text-body-secondary mb-1",
               "trend": "small mb-1 dash-personas-trend",
               "changes": "small mb-0 dash-personas-changes"}


def wave_cards(view: StudyView, wave: WaveView) -> list[Any]:
    """A card grid per segmentation version; the wave's version shown, its texts filled.

    A card's header (avatar, name, tagline, colour) is the persona's, as in the gallery
    (:func:`~dash_personas.personas.persona_view`); its body is the wave's figures.
    """
    grids = []
    for version, people in view.personas.items():
        columns = []
        for persona in people:
            persona_card = persona_view(persona, detail="compact")
            key = _card_key(version, persona)
            texts = (card_texts(wave, int(persona.segment), persona.name)
                     if version == wave.segmentation_version else dict.fromkeys(CARD_PARTS, ""))
            body = [html.P(texts[part], className=_PART_CLASS[part],
                           style={"whiteSpace": "pre-line"} if part == "changes" else None,
                           **{"data-card": key, "data-part": part})
                    for part in CARD_PARTS]
            header = html.Div([
                html.Img(src=persona_card.avatar.src, alt=persona_card.avatar.alt, width=56,
                         height=56, className="me-3 flex-shrink-0 rounded-circle"),
                html.Div([html.H4(persona_card.name, className="h6 mb-1 dash-personas-name"),
                          html.P(persona_card.tagline, className="small mb-0")],
                         className="min-w-0"),
            ], className="d-flex align-items-start")
            card = dbc.Card([dbc.CardHeader(header, className="bg-transparent"),
                             dbc.CardBody(body)],
                            className="h-100 shadow-sm dash-personas-trend-card",
                            style={"borderTop": f"6px solid {persona_card.colour}"})
            columns.append(dbc.Col(html.Div(card, role="region", className="h-100",
                                            **{"aria-label": f"Persona {persona.name}",
                                               "data-persona": persona.id}),
                                   xs=12, md=6, xl=3, className="mb-3"))
        grids.append(html.Div(dbc.Row(columns, className="g-3"),
                              style=None if version == wave.segmentation_version
                              else {"display": "none"}, **{"data-version": str(version)}))
    return grids


def _alert_items(alerts: list[dict[str, Any]], *, with_wave: bool) -> list[Any]:
    items = []
    for alert in alerts:
        kind = alert["kind"]
        heading = _ALERT_TITLE.get(kind, kind)
        prefix = f"{alert['wave']} · " if with_wave else ""
        colour = _ALERT_COLOUR.get(kind, "secondary")
        items.append(html.Li([
            html.Span(f"{prefix}{heading}", className="fw-semibold me-2"),
            html.Span(alert["detail"]),
        ], className=f"list-group-item list-group-item-{colour} small dash-personas-alert",
            **{"data-kind": kind, "data-wave": alert["wave"]}))
    return items


def _feature_table(drift: dict[str, Any]) -> Any:
    features = drift.get("features") or []
    if not features:
        return html.P("No feature drift was computed for this wave.",
                      className="small text-body-secondary")
    rows = []
    for item in features[:MAX_FEATURES]:
        smd = item.get("smd")
        rows.append(html.Tr([
            html.Th(item.get("label") or item["feature"], scope="row"),
            html.Td("—" if smd is None else f"{smd:+.2f}"),
            html.Td(f"{item['psi']:.3f}"),
            html.Td(item.get("level", "")),
        ], **{"data-level": item.get("level", "")}))
    return dbc.Table([
        html.Caption(f"Most drifted features against {drift.get('against')} (standardised "
                     "mean difference; population stability index: < 0.1 stable, 0.1–0.25 "
                     "moderate, > 0.25 major)", className="small"),
        html.Thead(html.Tr([html.Th(c, scope="col") for c in ("Feature", "SMD", "PSI",
                                                              "Level")])),
        html.Tbody(rows)], size="sm", striped=True, responsive=True, className="small")


def drift_panel(wave: WaveView) -> list[Any]:
    """The wave's recommendation, alerts, drifted features and persona shifts."""
    children: list[Any] = []
    recommendation = wave.recommendation
    if recommendation and recommendation.get("resegment"):
        children.append(dbc.Alert([html.Strong("Re-segment recommended: "),
                                   "; ".join(recommendation.get("reasons", []))],
                                  color="danger", className="small study-recommendation"))
    if wave.alerts:
        children.append(html.Ul(_alert_items(wave.alerts, with_wave=False),
                                className="list-group mb-3 study-wave-alerts"))
    else:
        children.append(html.P(f"No alerts in {wave.label}: shares, fit and profiles are "
                               "stable.", className="small study-wave-alerts"))
    drift = wave.drift
    if drift is None:
        against = wave.summary.get("reference_wave")
        children.append(html.P(
            f"{wave.label} is the baseline of its segmentation: later waves are compared "
            "with it." if against == wave.label else "No drift figures for this wave.",
            className="small text-body-secondary"))
    else:
        children.append(_feature_table(drift))
        moved = [p for p in drift.get("personas", []) if p.get("changes")]
        if moved:
            children.append(html.H4("How the personas' profiles moved", className="h6 mt-2"))
            children.append(html.Ul([html.Li([html.Strong(p["persona"]), ": ",
                                              "; ".join(p["changes"])]) for p in moved],
                                    className="small"))
    return children


def alerts_overview(view: StudyView) -> list[Any]:
    """One line per wave with alerts: how many of each kind (the details are per wave)."""
    by_wave: dict[str, dict[str, int]] = {}
    for alert in view.alerts:
        kinds = by_wave.setdefault(alert["wave"], {})
        kinds[alert["kind"]] = kinds.get(alert["kind"], 0) + 1
    if not by_wave:
        return [html.P("No alerts in any wave.", className="small mb-0")]
    lines = [html.Li([html.Strong(label), ": ", ", ".join(
        f"{count} × {_ALERT_TITLE.get(kind, kind)}" for kind, count in kinds.items())],
        **{"data-wave": label}) for label, kinds in by_wave.items()]
    return [html.H3("Alerts by wave", className="h6"),
            html.Ul(lines, className="small mb-0")]


def drift_panels(view: StudyView, selected: WaveView) -> list[Any]:
    """Every wave's drift panel (:func:`drift_panel`), only ``selected``'s shown."""
    return [html.Div(drift_panel(wave), hidden=wave.label != selected.label,
                     **{"data-wave": wave.label})
            for wave in view.waves]


def migration_base(migration: dict[str, Any]) -> list[Any]:
    """The base and the main flows of a migration, in words."""
    n_panel = migration["n_panel"]
    if not n_panel:
        return [html.P(f"No respondent was interviewed in both {migration['from_wave']} and "
                       f"{migration['to_wave']}: there is no panel to follow.",
                       className="small")]
    words = f"Base: {n_panel:,} panel respondents seen in both {migration['from_wave']} and " \
            f"{migration['to_wave']}"
    if migration["personas"] == migration["to_personas"]:
        words += f"; {migration['stayers']:,} ({migration['stayer_share']:.0%}) stayed in " \
                 "their persona"
    children: list[Any] = [html.P(words + ".", className="small mb-1")]
    if migration.get("flows"):
        children.append(html.Ul([html.Li(flow["text"]) for flow in migration["flows"]],
                                className="small mb-0"))
    return children


def _migration_outputs(view: StudyView, from_wave: str, to_wave: str, theme: str
                       ) -> tuple[Any, list[Any]]:
    if from_wave == to_wave:
        return (migration_sankey({"from_wave": from_wave, "to_wave": to_wave, "personas": [],
                                  "to_personas": [], "counts": []}, view.colours,
                                 theme=theme, title="Choose two different waves"),
                [html.P("Choose two different waves to see who moved where.",
                        className="small")])
    migration = view.migration(from_wave, to_wave)
    return migration_sankey(migration, view.colours, theme=theme), migration_base(migration)


def _select(name: str, label: str, labels: list[str], value: str) -> list[Any]:
    select_id = component_id(name)
    return [dbc.Label(label, html_for=_dom_id(select_id), className="small mb-1"),
            dbc.Select(id=select_id, options=[{"label": w, "value": w} for w in labels],
                       value=value, size="sm", className=IDS[name])]


def tracking_section(view: StudyView, *, theme: str = "light", wave: str | None = None
                     ) -> list[Any]:
    """The tracking view's children: selector, timeline, cards, drift and alerts, Sankey.

    Parameters
    ----------
    view : StudyView
    theme : {"light", "dark"}
    wave : str, optional
        The wave shown first (default: the latest).
    """
    current = view.wave(wave)
    labels = view.labels
    from_default = labels[-2] if len(labels) > 1 else labels[0]
    figure, base = _migration_outputs(view, from_default, labels[-1], theme)
    overview = alerts_overview(view)
    return [html.Div([
        dcc.Store(id=component_id("texts"), data=wave_texts(view)),
        dcc.Store(id=component_id("shown"), data=current.label),
        dbc.Row([
            dbc.Col(_select("wave", "Wave", labels, current.label), xs=12, md=4, lg=3),
            dbc.Col(html.P(wave_summary(current), id=component_id("summary"),
                           className="small mb-0 study-wave-summary",
                           role="status",
                           **{"aria-live": "polite"}), xs=12, md=8, lg=9,
                    className="d-flex align-items-end"),
        ], className="mb-3 g-2"),
        html.Div(dcc.Graph(id=component_id("timeline"), config=_GRAPH_CONFIG,
                           className="study-timeline",
                           figure=share_timeline([w.summary for w in view.waves], view.colours,
                                                 selected_wave=current.label, theme=theme)),
                 role="figure", **{"aria-label": "Each persona's share per wave with its 95 % "
                                                 "confidence interval"}),
        html.H3("Personas in the selected wave", className="h5 mt-3"),
        html.Div(wave_cards(view, current), id=component_id("cards"), className="study-cards"),
        dbc.Row([
            dbc.Col([html.H3("Drift and alerts", className="h5"),
                     html.Div(drift_panels(view, current), id=component_id("drift"),
                              className="study-drift")], lg=6),
            dbc.Col([html.H3("Who moved where", className="h5"),
                     dbc.Row([dbc.Col(_select("from", "From wave", labels, from_default)),
                              dbc.Col(_select("to", "To wave", labels, labels[-1]))],
                             className="g-2 mb-2"),
                     html.Div(dcc.Graph(id=component_id("sankey"), figure=figure,
                                        config=_GRAPH_CONFIG, className="study-sankey"),
                              role="figure", **{"aria-label": "Migration of the panel "
                                                              "respondents between two waves"}),
                     html.Div(base, id=component_id("base"),
                              className="study-migration-base")], lg=6),
        ], className="mt-3"),
        html.Div(overview, id="study-alerts", className="mt-3"),
    ], className="study-view", **{"data-view": VIEW})]


# A wave change, in the browser: the store's texts into the cards and the summary, the
# wave's card grid and drift panel shown, the timeline's marker moved (see the module doc).
_WAVE_JS = """
function(label, texts) {
    const dc = window.dash_clientside;
    if (!texts) { return dc.no_update; }
    const root = document.querySelector('.study-view[data-view="%(view)s"]');
    if (!root) { return dc.no_update; }
    const select = root.querySelector('select.study-wave');
    // The wave is shown from the select's own change event, before Dash's renderer has
    // processed the new value (a few hundred ms on a big page of a loaded machine); this
    // callback installs that listener when the view appears, and shows the wave again
    // when Dash reports the value.
    const show = (label) => {
        const wave = texts[label];
        if (wave) { showWave(root, label, wave); }
        return wave;
    };
    if (select && select.__dashPersonasTexts !== texts) {
        select.__dashPersonasTexts = texts;
        if (!select.__dashPersonasListener) {
            select.__dashPersonasListener = (event) => {
                const current = event.target.__dashPersonasTexts;
                const wave = current && current[event.target.value];
                if (wave) { showWave(root, event.target.value, wave); }
            };
            select.addEventListener('change', select.__dashPersonasListener);
        }
    }
    if (label === undefined || label === null) { return dc.no_update; }
    return show(label) ? label : dc.no_update;
}
"""

# The body of showWave (see _WAVE_JS): texts, card grid, drift panel and timeline marker.
_SHOW_WAVE_JS = """
function showWave(root, label, wave) {
    // The marker is a vertical line shape at a category of the x axis. A Plotly.relayout
    // redraws the whole chart (150-500 ms on a loaded machine), so the drawn line is moved
    // in place and the figure's layout updated to match (a later redraw agrees); relayout
    // only when the chart is not drawn the way this expects.
    const moveMarker = (plot, label) => {
        const full = plot._fullLayout, xa = full && full.xaxis;
        const at = (plot.layout.shapes || []).findIndex(sh => sh.name === %(name)s);
        const path = at >= 0 && plot.querySelector(`.shapelayer path[data-index="${at}"]`);
        const index = xa && xa.d2l ? xa.d2l(label) : undefined;
        if (!path || index === undefined || !isFinite(index) || !full.shapes[at]) {
            const marker = %(marker)s;
            marker.forEach(shape => { shape.x0 = label; shape.x1 = label; });
            window.Plotly.relayout(plot, {shapes: marker});
            return;
        }
        const x = xa._offset + xa.l2p(index);
        const top = full._size.t, bottom = full._size.t + full._size.h;
        path.setAttribute('d', `M${x},${bottom}L${x},${top}`);
        for (const shape of [plot.layout.shapes[at], full.shapes[at]]) {
            shape.x0 = label; shape.x1 = label;
        }
        if (full.shapes[at]._input) { full.shapes[at]._input.x0 = label;
                                      full.shapes[at]._input.x1 = label; }
    };
    const parts = %(parts)s;
    root.querySelector('.study-wave-summary').textContent = wave.summary;
    root.querySelectorAll('.study-cards [data-version]').forEach(grid => {
        grid.style.display = grid.dataset.version === wave.version ? '' : 'none';
    });
    root.querySelectorAll('.study-cards [data-card]').forEach(el => {
        const card = wave.cards[el.dataset.card];
        el.textContent = card ? card[parts.indexOf(el.dataset.part)] : '';
    });
    root.querySelectorAll('.study-drift > [data-wave]').forEach(panel => {
        panel.hidden = panel.dataset.wave !== label;
    });
    const plot = root.querySelector('.study-timeline .js-plotly-plot');
    if (plot && window.Plotly) { moveMarker(plot, label); }
}
"""


def register_tracking_callbacks(app: Any, view: StudyView | Callable[[], StudyView], *,
                                theme: str = "light") -> Any:
    """Add the wave and migration callbacks of :func:`tracking_section` to ``app``.

    Parameters
    ----------
    app : dash.Dash
    view : StudyView or callable
        The view, or a function returning it (for a page built on demand; ``None``
        while there is none: the callbacks then leave the page as it is).
    theme : {"light", "dark"}

    Returns
    -------
    app
    """
    import json

    get_view = view if callable(view) else (lambda: view)
    show_wave = _SHOW_WAVE_JS % {"parts": json.dumps(list(CARD_PARTS)),
                                 "marker": json.dumps(wave_marker("?")),
                                 "name": json.dumps(WAVE_MARKER)}
    # a function declaration inside the callback's body: one self-contained string
    wave_js = (_WAVE_JS % {"view": VIEW}).replace(
        "function(label, texts) {", "function(label, texts) {\n" + show_wave, 1)
    app.clientside_callback(
        wave_js, Output(component_id("shown", MATCH), "data"),
        Input(component_id("wave", MATCH), "value"),
        Input(component_id("texts", MATCH), "data"))

    @app.callback(Output(component_id("sankey", MATCH), "figure"),
                  Output(component_id("base", MATCH), "children"),
                  Input(component_id("from", MATCH), "value"),
                  Input(component_id("to", MATCH), "value"),
                  prevent_initial_call=True)
    def _migration_changed(from_wave: str, to_wave: str) -> tuple[Any, ...]:
        current = get_view()
        if current is None or from_wave not in current.labels or to_wave not in current.labels:
            raise PreventUpdate
        return _migration_outputs(current, from_wave, to_wave, theme)

    return app
