"""The personas page inside a host app: layout wrapper, page content and its callbacks.

The host layout is wrapped, never changed: ``Div([Location, Div(host layout), Div(page),
button, store])``. On ``<prefix><path>`` the host part is hidden and the page shown; on
every other URL the host looks and behaves as before. Persona texts are data: they are
always rendered as text by the components, never as HTML.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, dcc, html, no_update

__all__ = ["GROUP", "IDS", "page_content", "register_page_callbacks", "wrap_layout"]

GROUP = "dash-personas-hooks"


class IDS:
    """Component ids the plugin adds to the host layout (all prefixed, no clashes)."""

    location = "dash-personas-hooks-location"
    host = "dash-personas-hooks-host"
    page = "dash-personas-hooks-page"
    button = "dash-personas-hooks-button"
    config = "dash-personas-hooks-config"
    on_page = "dash-personas-hooks-on-page"


# Inline, so the button looks like a button in hosts without Bootstrap; the colour follows
# the host's Bootstrap theme (``--bs-primary``) when there is one.
BUTTON_STYLE = {"position": "fixed", "right": "1rem", "bottom": "1rem", "zIndex": 1050,
                "background": "var(--bs-primary, #0d6efd)", "color": "#fff",
                "padding": "0.5rem 1rem", "borderRadius": "2rem", "textDecoration": "none",
                "fontWeight": 600, "boxShadow": "0 0.25rem 0.75rem rgba(0, 0, 0, 0.25)"}
#: Above Dash's dev tools bar (bottom right) when the app runs with ``debug=True``.
DEBUG_BOTTOM = "5rem"
CSS_LINK_ID = "dash-personas-hooks-bootstrap"

# Show the host or the page, and load the page's stylesheets while it is shown (Bootstrap
# only when the host has none; the components' contrast rules always). In a Dash Pages
# host the page is a registered Dash page: nothing is hidden, Pages renders it.
_TOGGLE_JS = """
function(pathname, cfg) {
    const norm = p => (p || '/').replace(/\\/+$/, '') || '/';
    const onPage = !!cfg && norm(pathname) === norm(cfg.page);
    for (const sheet of (cfg && cfg.links) || []) {
        let link = document.getElementById(sheet.id);
        if (onPage && !link) {
            link = document.createElement('link');
            link.id = sheet.id; link.rel = 'stylesheet'; link.href = sheet.href;
            document.head.appendChild(link);
        } else if (!onPage && link) {
            link.remove();
        }
    }
    const hide = onPage && !cfg.pages;
    const button = Object.assign({}, cfg.button_style, onPage ? {display: 'none'} : {});
    return [hide ? {display: 'none'} : null, !hide, button, hide];
}
"""
#: Id of the link to the project's components stylesheet on the page.
COMPONENTS_LINK_ID = "dash-personas-hooks-components-css"


def _config_data(app: Any, config: Any) -> dict[str, Any]:
    from dash_personas.components import bootstrap_stylesheet, components_stylesheet

    from ._plugin import page_href

    links = []
    if config.css_route:
        links.append({"id": CSS_LINK_ID, "href": bootstrap_stylesheet(app, config.theme,
                                                                        register=False)})
    links.append({"id": COMPONENTS_LINK_ID, "href": components_stylesheet(app)})
    return {"page": page_href(app), "links": links, "pages": config.pages_host,
            "button_style": _button_style(app, config)}


def _button_style(app: Any, config: Any) -> dict[str, Any]:
    if not config.button:
        return {"display": "none"}
    style = dict(BUTTON_STYLE)
    if (getattr(app, "_dev_tools", None) or {}).get("ui"):
        style["bottom"] = DEBUG_BOTTOM
    return style


def wrap_layout(layout: Any, app: Any, config: Any) -> Any:
    """The host layout with the plugin's location, page container and button around it."""
    from ._plugin import host_color_mode, page_href

    if config.pages_host:
        from ._pages_host import settle_pages_path

        settle_pages_path(app, config)
    children: list[Any] = [
        dcc.Location(id=IDS.location, refresh=False),
        dcc.Store(id=IDS.config, data=_config_data(app, config)),
        dcc.Store(id=IDS.on_page, data=False),
        html.Div(layout, id=IDS.host),
        # the host's colour mode on the page: Bootstrap's variables follow it
        html.Div(id=IDS.page, hidden=True, className="dash-personas-hooks-page",
                 **{"data-bs-theme": host_color_mode(app)}),
    ]
    link = dcc.Link(config.label, href=page_href(app), id=IDS.button,
                    className="btn btn-primary shadow dash-personas-hooks-button",
                    style=_button_style(app, config),
                    title="Open the customer personas")
    children.append(html.Nav(link, **{"aria-label": "Personas"}))
    return html.Div(children, className="dash-personas-hooks-root")


def _themed(mode: str, content: Any) -> html.Div:
    """``content`` in the host's colour mode: Bootstrap's variables (contrast-checked text
    and alert colours) follow ``data-bs-theme``, also where the host sets no mode."""
    return html.Div(content, className="dash-personas-page", **{"data-bs-theme": mode})


def page_content(app: Any, config: Any) -> Any:
    """The personas page: gallery, comparison charts and profiles (with a study: its
    tracking view), or what is wrong."""
    import dash_bootstrap_components as dbc

    from ._plugin import host_color_mode, public_message

    mode = host_color_mode(app)
    back = dcc.Link("← Back to the app", href=app.config.requests_pathname_prefix or "/",
                    className="link-secondary small dash-personas-hooks-back")
    loaded = config.load()
    if loaded.personas is None:
        return _themed(mode, dbc.Container([
            back,
            html.H1(config.title, className="h2 mt-2"),
            dbc.Alert([
                html.H2("The personas cannot be shown", className="h5 alert-heading"),
                html.P(public_message(loaded.error or ""),
                       className="mb-1 dash-personas-hooks-error"),
                html.P("Point the plugin at a personas file written by `dash-personas "
                       "personas` (or `save_personas`): dash_personas_hooks.enable(app, "
                       "personas=...) or the DASH_PERSONAS_PERSONAS environment variable; "
                       "or at a tracking study: enable(app, study=...) or "
                       "DASH_PERSONAS_STUDY.", className="mb-0 small"),
            ], color="danger", className="mt-3 dash-personas-hooks-alert"),
        ], fluid="lg", className="py-3"))

    from dash_personas.app import profile_table
    from dash_personas.components import (
        AspectsDots,
        ExportMenu,
        PersonaChart,
        PersonaGallery,
        SegmentComparison,
        SegmentSizes,
    )

    people = loaded.personas
    if loaded.study is not None:
        return _study_content(loaded.study, config, mode, back, app)
    n = people.n_respondents or sum(p.size for p in people)
    notes = [dbc.Alert(public_message(text), color="warning", className="small")
             for text in loaded.warnings]

    def section(title: str, children: list[Any], section_id: str) -> html.Section:
        heading_id = f"dash-personas-hooks-{section_id}-title"
        return html.Section([html.H2(title, className="h4 mt-4 mb-3", id=heading_id),
                             *children], id=f"dash-personas-hooks-{section_id}",
                            **{"aria-labelledby": heading_id})

    has_clv = any(p.behaviour.clv is not None for p in people)
    has_journey = any(p.journey for p in people)
    extra = []
    if has_clv:
        extra.append(dbc.Col(PersonaChart(people, "clv", aio_id="clv", group=GROUP, theme=mode),
                             lg=6))
    if has_journey:
        extra.append(dbc.Col(PersonaChart(people, "journey", aio_id="journey", group=GROUP,
                                          theme=mode), lg=6))
    return _themed(mode, dbc.Container([
        back,
        html.Header([
            html.H1(config.title, className="h2 mt-2 mb-1"),
            html.P(f"{len(people)} personas from {n:,} respondents. Select a persona to "
                   "highlight it in every chart.", className="text-body-secondary"),
            ExportMenu(app),
        ]),
        *notes,
        section("Personas", [PersonaGallery(people, aio_id="gallery", group=GROUP)], "gallery"),
        section("How the personas compare", [
            dbc.Row([
                dbc.Col(AspectsDots(people, aio_id="dots", group=GROUP, theme=mode), lg=6),
                dbc.Col(SegmentSizes(people, aio_id="sizes", group=GROUP, theme=mode), lg=6),
            ]),
            SegmentComparison(people, "heatmap", aio_id="heatmap", group=GROUP, theme=mode),
            dbc.Row(extra),
        ], "compare"),
        section("Profiles", [profile_table(people)], "profiles"),
    ], fluid="lg", className="py-3"))


def _study_content(view: Any, config: Any, mode: str, back: Any, app: Any) -> Any:
    """The tracking view of the configured study (what ``serve --study`` shows first)."""
    import dash_bootstrap_components as dbc

    from dash_personas.components import ExportMenu
    from dash_personas.components.tracking import tracking_section

    labels = view.labels
    span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
    heading_id = "dash-personas-hooks-tracking-title"
    return _themed(mode, dbc.Container([
        back,
        html.Header([
            html.H1(config.title, className="h2 mt-2 mb-1"),
            html.P(f"{len(labels)} waves ({span}). Choose a wave to see its cards, drift and "
                   "alerts; choose two waves to see who moved where.",
                   className="text-body-secondary"),
            ExportMenu(app),
        ]),
        html.Section([html.H2("Wave by wave", className="h4 mt-3 mb-3", id=heading_id),
                      *tracking_section(view, theme=mode)],
                     id="dash-personas-hooks-tracking", **{"aria-labelledby": heading_id}),
    ], fluid="lg", className="py-3"))


def register_page_callbacks(app: Any) -> None:
    """The plugin's callbacks, on ``app`` only (never process-wide)."""
    from dash_personas.components import register_callbacks

    register_callbacks(app)  # gallery selection -> chart highlight (clientside, idempotent)
    app.clientside_callback(
        _TOGGLE_JS,
        Output(IDS.host, "style"),
        Output(IDS.page, "hidden"),
        Output(IDS.button, "style"),
        Output(IDS.on_page, "data"),
        Input(IDS.location, "pathname"),
        State(IDS.config, "data"),
        prevent_initial_call=False,
    )

    @app.callback(Output(IDS.page, "children"), Input(IDS.on_page, "data"),
                  prevent_initial_call=False)
    def _render_page(on_page: bool) -> Any:
        from ._plugin import config_of

        config = config_of(app)
        if not on_page or config is None:
            return no_update
        return page_content(app, config)
