"""The tracking view of a study in Dash: wave selector, timeline, cards, drift, Sankey.

Renders a :class:`~dash_personas.study_view.StudyView`. The page holds aggregates only;
changing the wave asks the server for that wave's cards and panels (computed from the
view held in memory, no database query), and choosing two waves for the Sankey counts
their panel once in the study's database, then keeps it. Persona and respondent text
is passed to Dash as plain strings, so it is shown as text.

One tracking view per page: its component ids are fixed (``study-...``).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, dcc, html

from ..personas import persona_view
from ..study_figures import migration_sankey, share_timeline, wave_marker
from ..study_view import StudyView, WaveView, wave_shares
from .card import card_header

__all__ = ["IDS", "register_tracking_callbacks", "tracking_section", "wave_panels"]

#: Component ids of the tracking view.
IDS = {
    "wave": "study-wave", "summary": "study-wave-summary", "timeline": "study-timeline",
    "cards": "study-cards", "drift": "study-drift", "from": "study-from", "to": "study-to",
    "sankey": "study-sankey", "base": "study-migration-base",
}
_GRAPH_CONFIG = {"displaylogo": False, "responsive": True}
#: Drifted features listed per wave.
MAX_FEATURES = 8
_ALERT_COLOUR = {"size_shift": "info", "emerging": "warning", "drift": "warning",
                 "split": "warning", "refit_recommended": "danger"}
_ALERT_TITLE = {"size_shift": "Share shift", "emerging": "Emerging segment?",
                "drift": "Drift", "split": "Split?", "refit_recommended": "Re-segment"}


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def _wave_summary(wave: WaveView) -> list[Any]:
    summary = wave.summary
    date = f" (field date {summary['date']})" if summary.get("date") else ""
    base = f"n = {summary['n']:,}"
    if summary.get("weighted"):
        base += f", effective n = {summary['n_effective']:,.0f}"
    return [html.Strong(f"Wave {wave.label}"), f"{date}: {base}, segmentation "
            f"v{wave.segmentation_version}; {_percent(summary['unfit_share'])} of respondents "
            f"fit no persona well (beyond {summary['reference_wave']}'s 95th percentile "
            "distance)."]


def _card_footer(wave: WaveView, share: dict[str, Any] | None, name: str) -> list[Any]:
    children: list[Any] = []
    if share is not None:
        children.append(html.P([html.Strong(_percent(share["share"])),
                                f" in {wave.label} (95 % CI {_percent(share['ci_low'])} – "
                                f"{_percent(share['ci_high'])}; {share['n']:,} respondents)"],
                               className="small mb-1 dash-personas-share"))
        change = share.get("change_from_previous")
        if change is not None:
            mark = "significant" if change["significant"] else "not significant"
            children.append(html.P(f"{change['difference'] * 100:+.1f} pts vs "
                                   f"{change['against']} ({mark})",
                                   className="small text-body-secondary mb-1"))
    trend = wave.trends.get(name, {}).get("trend")
    if trend:
        children.append(html.P(trend, className="small fw-semibold mb-1 dash-personas-trend"))
    changes = wave.persona_changes(name)
    if changes:
        children.append(html.Ul([html.Li(text) for text in changes[:3]],
                                className="small mb-0 ps-3 dash-personas-changes",
                                **{"aria-label": f"What changed for {name}"}))
    return children


def wave_cards(view: StudyView, wave: WaveView) -> dbc.Row:
    """A card per persona of the wave's segmentation: who it is, its share, trend, changes.

    The card's header is the persona card's (:func:`~dash_personas.components.card.
    card_header` of :func:`~dash_personas.personas.persona_view`), so avatar, name,
    tagline and colour are the ones the gallery shows; the body is this wave's figures.
    """
    shares = wave_shares(wave)
    columns = []
    for persona in view.personas[wave.segmentation_version]:
        share = shares.get(int(persona.segment))
        shown = persona if share is None else persona.model_copy(
            update={"share": share["share"], "size": share["n"]})
        persona_card = persona_view(shown, detail="compact")
        card = dbc.Card([dbc.CardHeader(card_header(persona_card, heading_level=4),
                                        className="bg-transparent"),
                         dbc.CardBody(_card_footer(wave, share, persona.name))],
                        className="h-100 shadow-sm dash-personas-trend-card",
                        style={"borderTop": f"6px solid {persona_card.colour}"})
        columns.append(dbc.Col(html.Div(card, role="region", className="h-100",
                                        **{"aria-label": f"{persona.name} in {wave.label}",
                                           "data-persona": persona.id}),
                               xs=12, md=6, xl=3, className="mb-3"))
    return dbc.Row(columns, className="g-3")


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
                                  color="danger", className="small",
                                  id="study-recommendation"))
    if wave.alerts:
        children.append(html.Ul(_alert_items(wave.alerts, with_wave=False),
                                className="list-group mb-3", id="study-wave-alerts"))
    else:
        children.append(html.P(f"No alerts in {wave.label}: shares, fit and profiles are "
                               "stable.", className="small", id="study-wave-alerts"))
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


def wave_panels(view: StudyView, label: str | None) -> tuple[list[Any], Any, list[Any]]:
    """Summary line, cards and drift panel of wave ``label`` (the wave callback's output)."""
    wave = view.wave(label)
    return _wave_summary(wave), wave_cards(view, wave), drift_panel(wave)


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


def _select(component_id: str, label: str, labels: list[str], value: str) -> list[Any]:
    return [dbc.Label(label, html_for=component_id, className="small mb-1"),
            dbc.Select(id=component_id, options=[{"label": w, "value": w} for w in labels],
                       value=value, size="sm")]


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
    summary, cards, drift = wave_panels(view, current.label)
    from_default = labels[-2] if len(labels) > 1 else labels[0]
    figure, base = _migration_outputs(view, from_default, labels[-1], theme)
    overview = alerts_overview(view)
    return [
        dbc.Row([
            dbc.Col(_select(IDS["wave"], "Wave", labels, current.label), xs=12, md=4, lg=3),
            dbc.Col(html.P(summary, id=IDS["summary"], className="small mb-0", role="status",
                           **{"aria-live": "polite"}), xs=12, md=8, lg=9,
                    className="d-flex align-items-end"),
        ], className="mb-3 g-2"),
        html.Div(dcc.Graph(id=IDS["timeline"], config=_GRAPH_CONFIG,
                           figure=share_timeline([w.summary for w in view.waves], view.colours,
                                                 selected_wave=current.label, theme=theme)),
                 role="figure", **{"aria-label": "Each persona's share per wave with its 95 % "
                                                 "confidence interval"}),
        html.H3("Personas in the selected wave", className="h5 mt-3"),
        html.Div(cards, id=IDS["cards"]),
        dbc.Row([
            dbc.Col([html.H3("Drift and alerts", className="h5"),
                     html.Div(drift, id=IDS["drift"])], lg=6),
            dbc.Col([html.H3("Who moved where", className="h5"),
                     dbc.Row([dbc.Col(_select(IDS["from"], "From wave", labels, from_default)),
                              dbc.Col(_select(IDS["to"], "To wave", labels, labels[-1]))],
                             className="g-2 mb-2"),
                     html.Div(dcc.Graph(id=IDS["sankey"], figure=figure, config=_GRAPH_CONFIG),
                              role="figure", **{"aria-label": "Migration of the panel "
                                                              "respondents between two waves"}),
                     html.Div(base, id=IDS["base"])], lg=6),
        ], className="mt-3"),
        html.Div(overview, id="study-alerts", className="mt-3"),
    ]


def register_tracking_callbacks(app: Any, view: StudyView, *, theme: str = "light") -> Any:
    """Add the wave and migration callbacks of :func:`tracking_section` to ``app``.

    Returns
    -------
    app
    """
    @app.callback(Output(IDS["summary"], "children"), Output(IDS["cards"], "children"),
                  Output(IDS["drift"], "children"), Output(IDS["timeline"], "figure"),
                  Input(IDS["wave"], "value"), prevent_initial_call=True)
    def _wave_changed(label: str) -> tuple[Any, ...]:
        summary, cards, drift = wave_panels(view, label)
        timeline = Patch()
        timeline["layout"]["shapes"] = wave_marker(label)
        return summary, cards, drift, timeline

    @app.callback(Output(IDS["sankey"], "figure"), Output(IDS["base"], "children"),
                  Input(IDS["from"], "value"), Input(IDS["to"], "value"),
                  prevent_initial_call=True)
    def _migration_changed(from_wave: str, to_wave: str) -> tuple[Any, ...]:
        return _migration_outputs(view, from_wave, to_wave, theme)

    return app
