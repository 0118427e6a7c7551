"""The personas dashboard: ``create_app(personas, data, selection) -> dash.Dash``, and the
dashboard of a tracking study: ``create_study_app(study) -> dash.Dash`` (the tracking view
of :mod:`dash_personas.components.tracking` first, the current personas on a second page).

The page ships aggregates only (persona profiles, shares, figures): never respondent
rows, so it stays small however many respondents there are. Bootstrap is served from
the installed ``bootstrap-flask`` package and Dash's own scripts locally
(``serve_locally=True``): the dashboard works without internet access.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from survey_builder.errors import UserError

from .components import (
    DARK_THEMES,
    AspectsDots,
    PersonaChart,
    PersonaGallery,
    SegmentComparison,
    SegmentSizes,
    bootstrap_stylesheet,
    register_callbacks,
)
from .figures import GRAPH_CONFIG
from .labels import NAME_LIMIT, clip_label, menu_option
from .personas import PersonaSet, format_amount, load_personas

__all__ = ["GROUP", "create_app", "create_study_app", "profile_table", "study_layout"]

#: Selection group of the dashboard's gallery and charts; aio_id of the main gallery.
GROUP = "dashboard"
GALLERY_ID = "gallery"


def _as_persona_set(personas: Any) -> PersonaSet:
    if isinstance(personas, PersonaSet):
        return personas
    if isinstance(personas, (str, Path)):
        return load_personas(personas)
    if isinstance(personas, list):
        return PersonaSet(personas=personas)
    raise TypeError("personas must be a PersonaSet, a list of Persona or a personas file path")


def profile_table(personas: PersonaSet, max_rows: int = 40) -> html.Div:
    """A feature × persona table: numeric means (standardised difference) and top answers.

    Every column shows its base; significant differences carry the significance mark
    and the legend under the table names the test and correction; the columns of
    small-base personas are greyed out.
    """
    from .personas import base_label, statistics_legend
    from .stats import SIGNIFICANCE_MARK

    people = list(personas)

    def mark(item: Any) -> str:
        return SIGNIFICANCE_MARK if item.significant else ""

    def cell(p: Any, content: str, item: Any = None) -> html.Td:
        muted = p.small_base or (item is not None and item.small_base)
        grey = {"className": "text-body-secondary fst-italic", "data-small-base": "true"}
        return html.Td(content, **(grey if muted else {}))

    header = html.Thead(html.Tr([html.Th("Feature", scope="col")]
                                + [html.Th(clip_label(p.name, NAME_LIMIT), scope="col")
                                   for p in people]))
    rows = [html.Tr([html.Th("Share of respondents", scope="row")]
                    + [cell(p, f"{p.share:.1%}") for p in people]),
            html.Tr([html.Th("Base", scope="row")]
                    + [cell(p, base_label(p) + (" (small base)" if p.small_base else ""))
                       for p in people])]
    seen: list[tuple[str, str]] = []
    for p in people:
        for d in p.profile:
            if (d.feature, d.label) not in seen:
                seen.append((d.feature, d.label))
    for feature, label in seen[:max_rows]:
        cells = []
        for p in people:
            d = next((x for x in p.profile if x.feature == feature), None)
            cells.append(cell(p, "—") if d is None else
                         cell(p, f"{format_amount(d.mean)} ({d.std_diff:+.1f} SD){mark(d)}", d))
        rows.append(html.Tr([html.Th(clip_label(label), scope="row"), *cells]))
    features: list[tuple[str, str]] = []
    for p in people:
        for c in p.categories:
            if (c.feature, c.label) not in features:
                features.append((c.feature, c.label))
    for feature, label in features[: max(0, max_rows - len(seen))]:
        cells = []
        for p in people:
            options = [c for c in p.categories if c.feature == feature]
            top = max(options, key=lambda c: c.share, default=None)
            cells.append(cell(p, "—") if top is None else cell(
                p, f"{clip_label(top.level_label)} {top.share:.0%} (×{top.lift:.1f}){mark(top)}",
                top))
        rows.append(html.Tr([html.Th(clip_label(label), scope="row"), *cells]))
    table = dbc.Table([header, html.Tbody(rows)], bordered=False, hover=True, size="sm",
                      striped=True, className="small align-middle")
    # the scroll region is focusable (keyboard users scroll it), and phones get a cue
    # that more personas are to the right
    scroller = html.Div(table, className="table-responsive dash-personas-table-scroll",
                        tabIndex=0, role="region",
                        **{"aria-label": "Profile table, scrolls sideways"})
    cue = html.P("Scroll sideways to see every persona →",
                 className="small text-body-secondary d-lg-none mb-1 dash-personas-scroll-cue",
                 **{"aria-hidden": "true"})
    return html.Div([cue, scroller, html.P(statistics_legend(personas),
                                   className="small text-body-secondary dash-personas-legend")])


def _selection_section(selection: Any, theme: str) -> list[Any]:
    from .figures import k_selection

    if not selection:
        return [html.P("No k-selection evidence was stored with these personas.",
                       className="text-body-secondary")]
    table = selection.get("table", [])
    columns = [c for c in ("k", "silhouette", "mcclain_rao", "dunn", "stability",
                           "smallest_share", "eligible") if table and c in table[0]]
    body = [html.Tr([html.Td(_cell(row.get(c))) for c in columns]) for row in table]
    return [
        html.P(["Chosen k = ", html.Strong(str(selection.get("recommended_k"))), ": ",
                str(selection.get("rule", ""))]),
        dbc.Row([
            dbc.Col(html.Div(dcc.Graph(id="k-selection-graph",
                                       figure=k_selection(selection, theme=theme),
                                       config=GRAPH_CONFIG),
                             role="figure", **{"aria-label": "Silhouette, stability and smallest "
                                                             "segment share for each k"}),
                    lg=7),
            dbc.Col(dbc.Table([html.Thead(html.Tr([html.Th(c, scope="col") for c in columns])),
                               html.Tbody(body)], size="sm", responsive=True, striped=True,
                              className="small"), lg=5),
        ]),
    ]


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "—"}[value]
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _section(title: str, children: Any, section_id: str) -> html.Section:
    return html.Section([html.H2(title, className="h4 mt-4 mb-3", id=f"{section_id}-title"),
                         *children], id=section_id,
                        **{"aria-labelledby": f"{section_id}-title"})


def _theme_mode(theme: str, color_mode: str | None) -> str:
    mode = color_mode or ("dark" if theme.lower() in DARK_THEMES else "light")
    if mode not in ("light", "dark"):
        raise UserError(f"color_mode must be 'light' or 'dark', got {color_mode!r}")
    return mode


def _new_app(theme: str, mode: str, title: str, name: str | None,
             dash_kwargs: dict[str, Any]) -> dash.Dash:
    dash_kwargs.setdefault("serve_locally", True)
    dash_kwargs.setdefault("title", title)
    dash_kwargs.setdefault("suppress_callback_exceptions", False)
    app = dash.Dash(name or __name__, **dash_kwargs)
    app.config.external_stylesheets = [bootstrap_stylesheet(app, theme)]
    app.index_string = app.index_string.replace(
        "<html>", f'<html lang="en" data-bs-theme="{mode}">')
    return app


def _feature_options(people: PersonaSet) -> list[dict[str, str]]:
    options = []
    for info in people.features:
        if info.kind == "categorical" and info.role != "journey":
            options.append(menu_option(info.label, info.name))
    if not options:
        seen = []
        for p in people:
            for c in p.categories:
                if c.feature not in seen:
                    seen.append(c.feature)
                    options.append(menu_option(c.label, c.feature))
    return options


def _persona_sections(app: dash.Dash, people: PersonaSet, mode: str) -> list[Any]:
    """The snapshot sections (gallery, comparisons, profiles, k evidence), callbacks added."""
    feature_options = _feature_options(people)
    first_feature = feature_options[0]["value"] if feature_options else None

    def chart(kind: str, **kwargs: Any) -> Any:
        return PersonaChart(people, kind, aio_id=kind, group=GROUP, theme=mode, **kwargs)

    categories: list[Any] = []
    if first_feature is not None:
        categories = [
            dbc.Label("Answer shares for", html_for="category-feature", className="small"),
            # a native <select>: dcc.Dropdown's hidden focus target fails axe's
            # aria-hidden-focus rule
            dbc.Select(id="category-feature", options=feature_options, value=first_feature,
                       size="sm", className="mb-2"),
            html.Div(chart("categories", feature=first_feature), id="category-chart"),
        ]
        @app.callback(Output("category-chart", "children"), Input("category-feature", "value"),
                      State(PersonaGallery.ids.selection(GALLERY_ID, GROUP), "data"),
                      prevent_initial_call=True)
        def _category_chart(feature: str, selected: str | None) -> Any:
            return chart("categories", feature=feature, selected=selected)

    register_callbacks(app)
    return [
        _section("Personas", [PersonaGallery(people, aio_id=GALLERY_ID, group=GROUP)],
                 "personas"),
        _section("How the personas compare", [
            dbc.Row([
                dbc.Col(AspectsDots(people, aio_id="dots", group=GROUP, theme=mode), lg=6),
                dbc.Col(SegmentSizes(people, aio_id="sizes", group=GROUP, theme=mode), lg=6),
            ]),
            SegmentComparison(people, "heatmap", aio_id="heatmap", group=GROUP, theme=mode),
            dbc.Row([
                dbc.Col(chart("clv"), lg=6),
                dbc.Col(chart("journey"), lg=6),
            ]),
            html.Div(categories),
        ], "compare"),
        _section("Profiles", [profile_table(people)], "profiles"),
        _section("Choosing the number of personas",
                 _selection_section(people.selection, mode), "k-selection"),
    ]


_FOOTER = html.Footer(html.P("Aggregates only: no respondent-level data is sent to the browser.",
                             className="small text-body-secondary mt-4"))


def create_app(personas: Any, data: Any = None, selection: Any = None, *,
               theme: str = "bootstrap", color_mode: str | None = None,
               title: str = "Customer personas", name: str | None = None,
               **dash_kwargs: Any) -> dash.Dash:
    """Build the personas dashboard.

    Parameters
    ----------
    personas : PersonaSet, list of Persona or path
        The personas (e.g. ``build_personas(...)`` or a personas JSON file).
    data : DataFrame or path, optional
        Respondent rows (e.g. ``scores.csv``, read with :func:`survey_builder.read_scores`).
        When given, each row is assigned to the nearest persona prototype and the segment
        sizes are counted on it; the rows themselves never reach the browser.
    selection : KSelection or dict, optional
        k-selection evidence (default: the one stored with the personas).
    theme : str, default="bootstrap"
        Bootstrap or Bootswatch theme served locally (``"darkly"``, ``"flatly"``...).
    color_mode : {"light", "dark"}, optional
        Bootstrap 5.3 colour mode; default dark for dark Bootswatch themes.
    title : str
        Page title and heading.
    name : str, optional
        Dash app name (default: this module).
    **dash_kwargs
        Passed to :class:`dash.Dash` (e.g. ``requests_pathname_prefix``).

    Returns
    -------
    dash.Dash
        With its callbacks registered on itself (several apps can live in one process).
    """
    people = _as_persona_set(personas)
    if isinstance(data, (str, Path)):
        from survey_builder.scores import read_scores

        data = read_scores(data).frame
    if data is not None:
        from .personas import refresh_sizes

        people = refresh_sizes(people, data)
    if selection is not None:
        from .personas._build import selection_evidence

        people = people.model_copy(update={"selection": selection_evidence(selection)})
    mode = _theme_mode(theme, color_mode)
    app = _new_app(theme, mode, title, name, dash_kwargs)
    n = people.n_respondents or sum(p.size for p in people)
    app.layout = dbc.Container([
        html.Header([
            html.H1(title, className="h2 mt-4 mb-1"),
            html.P(f"{len(people)} personas from {n:,} respondents. Select a persona to "
                   "highlight it in every chart.", className="text-body-secondary"),
        ]),
        html.Main(_persona_sections(app, people, mode)),
        _FOOTER,
    ], fluid="lg", className="pb-4")
    return app


#: Path (under the app's prefix) of a study dashboard's page of the current personas.
STUDY_PERSONAS_PATH = "/personas"


def _same_path(a: str | None, b: str) -> bool:
    return (a or "/").rstrip("/") == b.rstrip("/")


def study_layout(view: Any, mode: str, title: str, app: dash.Dash) -> Any:
    """The page of a study: the tracking view, and a page of the current personas.

    The tracking view is the front page; the personas of the current segmentation (the
    dashboard of :func:`create_app`) are on ``<prefix>personas``, a page of their own so
    that a wave change does not make the browser walk the whole gallery and its charts.
    Registers the callbacks on ``app``.
    """
    from .components.tracking import register_tracking_callbacks, tracking_section

    people = view.personas[view.current_version]
    labels = view.labels
    register_tracking_callbacks(app, view, theme=mode)
    personas_page = _persona_sections(app, people, mode)
    front, personas_href = app.get_relative_path("/"), app.get_relative_path(STUDY_PERSONAS_PATH)

    @app.callback(Output("study-page", "children"), Output("study-nav-tracking", "active"),
                  Output("study-nav-personas", "active"), Input("study-location", "pathname"))
    def _page(pathname: str | None) -> tuple[Any, bool, bool]:
        if _same_path(pathname, personas_href):
            return personas_page, False, True
        # the layout starts on the tracking page: only a navigation back re-renders it
        return (dash.no_update if dash.ctx.triggered_id is None else tracking_page(),
                True, False)

    def tracking_page() -> Any:
        return _section("Wave by wave", tracking_section(view, theme=mode), "tracking")

    span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
    return dbc.Container([
        dcc.Location(id="study-location", refresh=False),
        html.Header([
            html.H1(title, className="h2 mt-4 mb-1"),
            html.P(f"{len(labels)} waves ({span}), {len(people)} personas in the current "
                   f"segmentation (v{view.current_version}). Choose a wave to see its cards, "
                   "drift and alerts; choose two waves to see who moved where.",
                   className="text-body-secondary"),
            html.Nav(dbc.Nav([
                dbc.NavItem(dbc.NavLink("Wave by wave", href=front, id="study-nav-tracking",
                                        active=True)),
                dbc.NavItem(dbc.NavLink("Personas now", href=personas_href,
                                        id="study-nav-personas")),
            ], pills=True, className="mb-2"), **{"aria-label": "Dashboard pages"}),
        ]),
        html.Main(tracking_page(), id="study-page"),
        _FOOTER,
    ], fluid="lg", className="pb-4")


def create_study_app(study: Any, *, theme: str = "bootstrap", color_mode: str | None = None,
                     title: str = "Tracking study", name: str | None = None,
                     **dash_kwargs: Any) -> dash.Dash:
    """Build the dashboard of a tracking study: the tracking view first, then the personas.

    The front page is the tracking view: a wave selector, each persona's share per wave
    with its 95 % interval (one colour per persona, its card colour), the persona cards
    of the chosen wave with their trend and what changed, the drift panel with the
    alerts, and a Sankey of the panel respondents' migration between any two waves. The
    "Personas now" page (``<prefix>personas``) shows the personas of the current
    segmentation as :func:`create_app` does.

    Parameters
    ----------
    study : Study, StudyView, path or str
        An open :class:`~dash_personas.tracking.Study`, its
        :func:`~dash_personas.tracking_view.study_view`, a SQLite path or a SQLAlchemy URL.
    theme, color_mode, title, name, **dash_kwargs
        As for :func:`create_app`.

    Returns
    -------
    dash.Dash

    Raises
    ------
    UserError
        Not a study, no such file, unreachable server, a study without waves.
    """
    from .tracking_view import StudyView, study_view

    view = study if isinstance(study, StudyView) else study_view(study)
    mode = _theme_mode(theme, color_mode)
    # the two pages' components are not all in the layout at once
    dash_kwargs.setdefault("suppress_callback_exceptions", True)
    app = _new_app(theme, mode, title, name, dash_kwargs)
    app.layout = study_layout(view, mode, title, app)
    return app
