"""The personas dashboard: ``create_app(personas, data, selection) -> dash.Dash``, and the
dashboard of a tracking study: ``create_study_app(study) -> dash.Dash`` (the tracking view
of :mod:`dash_personas.components.tracking` first, the current personas on a second page).

The page ships aggregates only (persona profiles, shares, figures): never respondent
rows, so it stays small however many respondents there are. Bootstrap is served from
the installed ``bootstrap-flask`` package and Dash's own scripts locally
(``serve_locally=True``): the dashboard works without internet access.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from survey_builder.errors import UserError

from ._collection import collection_paused
from .browser_json import plain_tree
from .components import (
    DARK_THEMES,
    AspectsDots,
    ExportMenu,
    PersonaChart,
    PersonaGallery,
    SegmentComparison,
    SegmentSizes,
    bootstrap_stylesheet,
    components_stylesheet,
    export_menu,
    register_callbacks,
    register_export_routes,
)
from .figures import GRAPH_CONFIG
from .labels import LABEL_LIMIT, NAME_LIMIT, clip_label, menu_option, option_first
from .personas import PersonaSet, format_amount, load_personas

__all__ = ["GROUP", "create_app", "create_study_app", "profile_table", "scroll_region",
           "study_layout"]

logger = logging.getLogger("dash_personas")

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
    from .personas import base_label, nps_text, statistics_legend
    from .personas._nps import nps_by_feature, nps_cell_text
    from .stats import SIGNIFICANCE_MARK

    people = list(personas)

    def mark(item: Any) -> str:
        return SIGNIFICANCE_MARK if item.significant else ""

    def cell(p: Any, content: str, item: Any = None, full: str | None = None) -> html.Td:
        muted = p.small_base or (item is not None and item.small_base)
        grey = {"className": "text-body-secondary fst-italic", "data-small-base": "true"}
        return html.Td(content, **(grey if muted else {}), **_full_text(content, full))

    def heading(text: str, scope: str, limit: int = LABEL_LIMIT) -> html.Th:
        # the options of one question read by the option ("Price (Rank these from…")
        shown = clip_label(option_first(text) if scope == "row" else text, limit)
        return html.Th(shown, scope=scope, **_full_text(shown, text))

    header = html.Thead(html.Tr([html.Th("Feature", scope="col")]
                                + [heading(p.name, "col", NAME_LIMIT) for p in people]))
    rows = [html.Tr([html.Th("Share of respondents", scope="row")]
                    + [cell(p, f"{p.share:.1%}") for p in people]),
            html.Tr([html.Th("Base", scope="row")]
                    + [cell(p, base_label(p) + (" (small base)" if p.small_base else ""))
                       for p in people])]
    for feature, label in nps_by_feature(people).items():  # the NPS of each NPS question
        scores = [next((n for n in p.nps if n.feature == feature), None) for p in people]
        rows.append(html.Tr([heading(f"NPS: {label}", "row")] + [
            cell(p, "—") if n is None else cell(p, nps_cell_text(n), n, nps_text(n))
            for p, n in zip(people, scores)]))
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
        rows.append(html.Tr([heading(label, "row"), *cells]))
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
            figures = f" {top.share:.0%} (×{top.lift:.1f}){mark(top)}" if top else ""
            cells.append(cell(p, "—") if top is None else cell(
                p, clip_label(top.level_label) + figures, top, top.level_label + figures))
        rows.append(html.Tr([heading(label, "row"), *cells]))
    table = dbc.Table([header, html.Tbody(rows)], bordered=False, hover=True, size="sm",
                      striped=True, className="small align-middle")
    # the scroll region is focusable (keyboard users scroll it), and phones get a cue
    # that more personas are to the right
    cue = html.P("Scroll sideways to see every persona →",
                 className="small text-body-secondary d-lg-none mb-1 dash-personas-scroll-cue",
                 **{"aria-hidden": "true"})
    return html.Div([cue, scroll_region(table, "Profile table, scrolls sideways"),
                     html.P(statistics_legend(personas),
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
            dbc.Col(scroll_region(dbc.Table(
                [html.Thead(html.Tr([html.Th(c, scope="col") for c in columns])),
                 html.Tbody(body)], size="sm", striped=True, className="small"),
                "k-selection table"), lg=5),
        ]),
    ]


def scroll_region(table: Any, label: str) -> html.Div:
    """``table`` in a horizontally scrolling region that a keyboard can reach.

    Bootstrap's ``table-responsive`` scrolls wide tables on a phone; as a focusable,
    labelled region (``tabindex=0``, ``role="region"``) keyboard users can scroll it
    too (axe-core ``scrollable-region-focusable``).
    """
    return html.Div(table, className="table-responsive dash-personas-scroll", tabIndex=0,
                    role="region", **{"aria-label": label})


def _full_text(shown: str, full: str | None) -> dict[str, str]:
    """A ``title`` with the whole text when ``shown`` is a clipped version of it (hover,
    and what the Export menu's CSV reads)."""
    return {"title": full} if full is not None and full != shown else {}


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
    app.config.external_stylesheets = [bootstrap_stylesheet(app, theme),
                                       components_stylesheet(app)]
    app.index_string = _page_frame(app.index_string, mode)
    return app


def _page_frame(index_string: str, mode: str) -> str:
    """The index page with its language and colour mode, and one footer landmark.

    Dash's default index wraps its scripts in a ``<footer>`` (since plotly/dash#286), a
    second ``contentinfo`` landmark next to the dashboard's own footer (axe-core
    ``landmark-no-duplicate-contentinfo``): the scripts go in a plain ``<div>``.
    """
    index_string = index_string.replace("<html>", f'<html lang="en" data-bs-theme="{mode}">')
    return re.sub(r"<footer>(\s*\{%config%\}.*?)</footer>", r"<div>\1</div>", index_string,
                  flags=re.S)


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


def _require_known(value: Any, known: set[str], what: str, optional: bool = False) -> None:
    """Ignore a callback request whose input the page never offered (no update, one log line).

    The browser only sends values from the page; anything else is a crafted or stale
    request, answered like a callback with nothing to do instead of an HTTP 500.
    """
    if (optional and value is None) or (isinstance(value, str) and value in known):
        return
    logger.warning("dash-personas: ignored a callback request for an unknown %s %.80r",
                   what, value)
    raise dash.exceptions.PreventUpdate


def _require_page_values(texts: Any, ticked: Any = ()) -> None:
    """Ignore a crafted callback request (no update, one log line).

    The page sends its URL's path and query, the selected persona and the view store as
    strings (or nothing) and each checklist's ticked values as a list of strings;
    anything else never came from the page, and is answered like a callback with
    nothing to do instead of an HTTP 500.
    """
    if all(t is None or isinstance(t, str) for t in texts) \
            and isinstance(ticked, (list, tuple)) \
            and all(v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v))
                    for v in ticked):
        return
    logger.warning("dash-personas: ignored a callback request with values the page never "
                   "sends")
    raise dash.exceptions.PreventUpdate


def _persona_sections(app: dash.Dash, people: PersonaSet, mode: str,
                      people_for: Any = None) -> list[Any]:
    """The snapshot sections (gallery, comparisons, profiles, k evidence), callbacks added.

    ``people_for(view)``, when given, returns the personas of the view held in the
    :data:`VIEW_STORE` (filtered ones) for the callbacks that redraw a chart.
    """
    feature_options = _feature_options(people)
    known_features = {option["value"] for option in feature_options}
    persona_ids = {p.id for p in people}
    if feature_options:
        states = [State(PersonaGallery.ids.selection(GALLERY_ID, GROUP), "data")]
        if people_for is not None:
            states.append(State(VIEW_STORE, "data"))

        @app.callback(Output("category-chart", "children"), Input("category-feature", "value"),
                      *states, prevent_initial_call=True)
        def _category_chart(feature: str, selected: str | None, view: Any = None) -> Any:
            _require_known(feature, known_features, "feature")
            _require_known(selected, persona_ids, "persona", optional=True)
            _require_page_values((view,))
            shown = people if people_for is None else people_for(view)
            return PersonaChart(shown, "categories", aio_id="categories", group=GROUP,
                                theme=mode, feature=feature, selected=selected)

    register_callbacks(app)
    return persona_layout(people, mode)


def persona_layout(people: PersonaSet, mode: str, selected: str | None = None, *,
                   evidence: bool = True, feature: str | None = None) -> list[Any]:
    """The persona sections of the dashboard (no callbacks): gallery, comparison charts,
    profile table and (``evidence``) the k evidence, with ``selected`` highlighted and
    the answer shares of ``feature`` (default: the first categorical feature)."""
    feature_options = _feature_options(people)
    first_feature = feature_options[0]["value"] if feature_options else None
    if feature is not None and any(o["value"] == feature for o in feature_options):
        first_feature = feature

    def chart(kind: str, **kwargs: Any) -> Any:
        return PersonaChart(people, kind, aio_id=kind, group=GROUP, theme=mode,
                            selected=selected, **kwargs)

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
    return [
        _section("Personas", [PersonaGallery(people, aio_id=GALLERY_ID, group=GROUP,
                                             selected=selected)], "personas"),
        _section("How the personas compare", [
            dbc.Row([
                dbc.Col(AspectsDots(people, aio_id="dots", group=GROUP, theme=mode,
                                    selected=selected), lg=6),
                dbc.Col(SegmentSizes(people, aio_id="sizes", group=GROUP, theme=mode,
                                     selected=selected), lg=6),
            ]),
            SegmentComparison(people, "heatmap", aio_id="heatmap", group=GROUP, theme=mode,
                              selected=selected),
            dbc.Row([
                dbc.Col(chart("clv"), lg=6),
                dbc.Col(chart("journey"), lg=6),
            ]),
            html.Div(categories),
        ], "compare"),
        _section("Profiles", [profile_table(people)], "profiles"),
        *([_section("Choosing the number of personas",
                    _selection_section(people.selection, mode), "k-selection")]
          if evidence else []),
    ]


#: Ids of the view's URL, its canonical query string (the view shown), the note saying
#: what is shown and the re-rendered persona sections.
VIEW_LOCATION, VIEW_STORE = "view-location", "view-state"
VIEW_NOTE, VIEW_SECTIONS = "view-note", "persona-sections"
#: Id of the wave selector of a view with waves (a study's "Personas now" page).
VIEW_WAVE = "view-wave"
#: Renderings of the persona sections kept per dashboard (Back and toggling a filter
#: back reuse them).
CACHED_SECTIONS = 8


def filtered_view(app: dash.Dash, people: PersonaSet, data: Any, mode: str, *,
                  codebook: Any = None, title: str = "Customer personas",
                  views: Any = None, study: Any = None) -> list[Any]:
    """The persona sections under a filter panel, with the view kept in the URL.

    Ticking answers (or giving a range of numbers) recomputes every card, chart and
    table on the server from the respondent rows held there
    (:class:`~dash_personas.PersonaFilter`; the rows never reach the browser). The
    filters, the selected persona and the wave are written to the URL
    (:class:`~dash_personas.ViewState`) and restored from it, so a copied link opens the
    same view; unknown questions, answers, ranges, waves or personas in a URL are
    ignored with a note on the page. The Export menu's files are those of the view
    (the page's query string reaches the export route; the personas are checked and
    recomputed by the page's rule, :meth:`ViewSource.from_query`) and say which view
    in their title or a "View" row. Registers the callbacks on ``app``.

    ``views`` (a :class:`~dash_personas.view_source.ViewSource`, e.g. of a study's
    waves) replaces ``data``: the page then gets a wave selector; ``study`` (its
    :class:`~dash_personas.tracking_view.StudyView`) adds the study's charts to the
    exported deck and PNG.
    """
    from dash.exceptions import PreventUpdate

    from .components import FilterPanel
    from .components.callbacks import compact_js
    from .components.filters import (
        FILTER_TYPE,
        RANGE_TYPE,
        bounds_from_filters,
        filter_groups,
        filters_from_bounds,
        filters_from_ticks,
        range_options,
        register_filter_callbacks,
        ticks_from_filters,
    )
    from .view_source import ViewSource
    from .view_state import ViewState, view_state_from_search

    views = views if views is not None else ViewSource.of_data(people, data, codebook)
    source = views.source()
    people = views.personas(ViewState())
    groups, ranges = filter_groups(source.options), range_options(source.options)

    def people_for(query: str | None) -> PersonaSet:
        return views.personas(views.check(view_state_from_search(query))[0])

    # the Export menu's files are those of the view the page's URL shows
    register_export_routes(app, lambda query: views.from_query(query)[1], study=study,
                           title=title,
                           describe=lambda query: _export_note(views, views.from_query(query)[0]))

    sections = _persona_sections(app, people, mode, people_for=people_for)
    every = {"type": FILTER_TYPE, "column": dash.ALL}
    boxes = {"type": RANGE_TYPE, "column": dash.ALL, "bound": dash.ALL}
    wave_io = ((Output(VIEW_WAVE, "value"), Input(VIEW_WAVE, "value")) if views.waves
               else ())

    # The store holds the view's query; the browser writes it to the address bar. A
    # selection is highlighted in the browser and put in the store there (no round trip);
    # the store keeps the persona for the next filter change.
    app.clientside_callback(
        compact_js(_VIEW_QUERY_JS).replace("%(store)s", json.dumps(f"{VIEW_STORE}.data")),
        Output(VIEW_STORE, "data", allow_duplicate=True),
        Input(PersonaGallery.ids.selection(GALLERY_ID, GROUP), "data"),
        Input(VIEW_STORE, "data"),
        prevent_initial_call=True,
    )

    # the answer-shares chart keeps the feature the reader chose
    known_features = {option["value"] for option in _feature_options(people)}
    feature_state = [State("category-feature", "value")] if known_features else []

    @functools.lru_cache(maxsize=CACHED_SECTIONS)
    def section_tree(query: str, feature: str | None) -> Any:
        """The persona sections of a checked view as the browser holds them."""
        state = view_state_from_search(query)
        return plain_tree(persona_layout(views.personas(state), mode, state.persona,
                                         evidence=False, feature=feature))

    @app.callback(Output(VIEW_SECTIONS, "children"),
                  Output(every, "value"), Output(VIEW_NOTE, "children"),
                  Output(VIEW_STORE, "data"), Output(boxes, "value"), *wave_io[:1],
                  Input(VIEW_LOCATION, "search"), Input(every, "value"),
                  Input(boxes, "value"), *wave_io[1:], State(VIEW_STORE, "data"),
                  *feature_state)
    def _view(search: str | None, ticked: list[list[str]], bounds: list[Any],
              *rest: Any) -> tuple[Any, ...]:
        *wave, current = rest[:len(rest) - len(feature_state)]
        feature = rest[-1] if feature_state else None
        _require_page_values((search, current, feature, *wave), ticked)
        feature = feature if feature in known_features else None
        if not isinstance(bounds, (list, tuple)):
            _require_page_values((bounds,))  # a crafted request: no update, one log line
        # the page load triggers every input at once: the URL comes first
        opened = f"{VIEW_LOCATION}.search" in dash.ctx.triggered_prop_ids \
            or dash.ctx.triggered_id is None
        trigger = None if opened else dash.ctx.triggered_id
        shown = view_state_from_search(current)
        notes: list[str] = []
        ticks: Any = [dash.no_update] * len(groups)
        shown_bounds: Any = [dash.no_update] * (2 * len(ranges))
        shown_wave: list[Any] = [dash.no_update] * len(wave)
        if isinstance(trigger, dict) and trigger.get("type") in (FILTER_TYPE, RANGE_TYPE):
            # checked: the wave shown may lack a question or answer of the panel
            state, notes = views.check(shown.replace(filters={
                **filters_from_ticks(groups, ticked), **filters_from_bounds(ranges, bounds)}))
        elif trigger == VIEW_WAVE:
            state, notes = views.check(shown.replace(wave=wave[0]))
        else:  # the page was opened (or the browser went back) on a URL
            state, notes = views.check(view_state_from_search(search))
            if state.to_query() == (current or "") and not notes:
                raise PreventUpdate
            ticks = ticks_from_filters(groups, state.filters)
            shown_bounds = bounds_from_filters(ranges, state.filters)
            shown_wave = [state.wave or views.default_wave] * len(wave)
        query = state.to_query()
        # the whole section: a Patch of what changed was no faster (numbers change in
        # every card: it was 70 % of the section, and the diff cost more than it saved)
        with collection_paused():
            return (section_tree(query, feature), ticks, _view_note(state, views, notes),
                    query, shown_bounds, *shown_wave)

    panel = [FilterPanel(source.options, id="filters")] if source.options else []
    register_filter_callbacks(app)
    return [dcc.Location(id=VIEW_LOCATION, refresh=False), dcc.Store(id=VIEW_STORE, data=""),
            *_wave_select(views), *panel,
            html.Div(_view_note(ViewState(), views, []), id=VIEW_NOTE, role="status",
                     className="mt-2"),
            # the k evidence is the fit's: it does not change with the filters
            # the selection script writes a click's persona to the address bar at once
            html.Div(sections[:-1], id=VIEW_SECTIONS, **{"data-dash-personas-url": "persona"}),
            sections[-1]]


def _wave_select(views: Any) -> list[Any]:
    """The page's wave selector (a native, labelled ``<select>``), when there are waves."""
    if not views.waves:
        return []
    return [html.Div([
        dbc.Label("Wave", html_for=VIEW_WAVE, className="small mb-1"),
        dbc.Select(id=VIEW_WAVE, options=[{"label": w, "value": w} for w in views.waves],
                   value=views.default_wave, size="sm", className="dash-personas-wave"),
    ], className="mt-3 col-12 col-md-4 col-lg-3")]


# The view's query in the address bar, in one callback (each callback costs the browser
# several passes over the page's components). A selection is written to the query as
# ``ViewState.to_query`` writes it (``selectionQuery`` of the selection script, which
# writes a click's at once), replacing the entry (selections are no steps for Back): no
# server callback runs and Dash does not re-render the page. A view from the server (a
# filter change, a link opened with parts ignored) is pushed as a new history entry, and
# dcc.Location is told of it as of its own links, so that Back (a popstate to another
# address) restores the view it names.
_VIEW_QUERY_JS = """
function(selected, current) {
    const dc = window.dash_clientside;
    if (dc.callback_context.triggered.some(t => t.prop_id === %(store)s)) {
        const search = current ? '?' + current : '';
        if (window.location.search !== search) {
            window.history.pushState(null, '', window.location.pathname + search
                                     + window.location.hash);
            window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
        }
        return dc.no_update;
    }
    // the address bar shows it already after a click (the selection script)
    const query = window.dash_personas.selectionQuery(selected, current);
    if (query === (current || '')) { return dc.no_update; }
    if (!window.dash_personas.isPending()) { window.dash_personas.replaceQuery(query); }
    return query;
}
"""


def _view_note(state: Any, views: Any, notes: list[str]) -> list[Any]:
    """What the page shows (the wave, the filtered respondents: ``views.describe``, as
    the exported files say it) and what a URL asked for in vain."""
    out: list[Any] = []
    if notes:
        out.append(html.Div([html.Strong("Part of this link was ignored. "), " ".join(notes)],
                            className="alert alert-warning small py-2 mb-2",
                            **{"data-view-note": "ignored"}))
    notice = views.notice(state.wave)
    if notice:  # e.g. a wave assigned under an older segmentation, shown re-assigned
        out.append(html.Div(notice, className="alert alert-info small py-2 mb-2",
                            **{"data-view-note": "version"}))
    described = views.describe(state)
    if described:
        out.append(html.P([html.Strong(described), ". Every number below is theirs."],
                          className="small mb-0",
                          **{"data-view-note": "filtered" if state.filters else "wave"}))
    return out


def _export_note(views: Any, state: Any) -> str:
    """What the exported files of ``state`` say of it: the page's note, in one line."""
    return ". ".join(part for part in (views.describe(state), views.notice(state.wave))
                     if part)


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
        sizes are counted on it, and the page gets a filter panel (see
        :func:`filtered_view`: every number recomputed for the ticked answers, the view
        kept in the URL); the rows themselves never reach the browser.
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
    codebook = None
    if isinstance(data, (str, Path)):
        from survey_builder.scores import read_scores

        table = read_scores(data)
        data, codebook = table.frame, table.codebook
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
            export_menu(app, people, title=title),
        ]),
        html.Main(_persona_sections(app, people, mode) if data is None
                  else filtered_view(app, people, data, mode, codebook=codebook,
                                     title=title)),
        _FOOTER,
    ], fluid="lg", className="pb-4 dash-personas-page")
    return app


#: Path (under the app's prefix) of a study dashboard's page of the current personas.
STUDY_PERSONAS_PATH = "/personas"


def _same_path(a: str | None, b: str) -> bool:
    return (a or "/").rstrip("/") == b.rstrip("/")


def study_layout(view: Any, mode: str, title: str, app: dash.Dash) -> Any:
    """The page of a study: the tracking view, and a page of the current personas.

    The tracking view is the front page; the personas (the dashboard of
    :func:`create_app`) are on ``<prefix>personas``, a page of their own so that a wave
    change does not make the browser walk the whole gallery and its charts. With the
    study open, that page has a wave selector and the filter panel: every number is
    recomputed from the chosen wave's stored rows (:func:`filtered_view`; ``wave=`` and
    the filters in the URL); otherwise it shows the current segmentation's personas.
    Registers the callbacks on ``app``.
    """
    from .components.tracking import register_tracking_callbacks, tracking_section

    people = view.personas[view.current_version]
    labels = view.labels
    register_tracking_callbacks(app, view, theme=mode)
    views = view.view_source()  # every wave's personas, filtered (None: not open)
    personas_page = (_persona_sections(app, people, mode) if views is None
                     else filtered_view(app, people, None, mode, views=views, study=view,
                                        title=title))
    # with the study open, the Export menu serves the view of the page's URL (wave,
    # filters), registered by filtered_view; else the stored personas of the wave
    menu = export_menu(app, study=view, title=title) if views is None else ExportMenu(app)
    front, personas_href = app.get_relative_path("/"), app.get_relative_path(STUDY_PERSONAS_PATH)

    @app.callback(Output("study-page", "children"), Output("study-nav-tracking", "active"),
                  Output("study-nav-personas", "active"), Input("study-location", "pathname"))
    def _page(pathname: str | None) -> tuple[Any, bool, bool]:
        _require_page_values((pathname,))
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
            menu,
        ]),
        html.Main(tracking_page(), id="study-page"),
        _FOOTER,
    ], fluid="lg", className="pb-4 dash-personas-page")


def create_study_app(study: Any, *, theme: str = "bootstrap", color_mode: str | None = None,
                     title: str = "Tracking study", name: str | None = None,
                     **dash_kwargs: Any) -> dash.Dash:
    """Build the dashboard of a tracking study: the tracking view first, then the personas.

    The front page is the tracking view: a wave selector, each persona's share per wave
    with its 95 % interval (one colour per persona, its card colour), the persona cards
    of the chosen wave with their trend and what changed, the drift panel with the
    alerts, and a Sankey of the panel respondents' migration between any two waves. The
    "Personas now" page (``<prefix>personas``) shows the personas of any wave (the
    latest first), recomputed from its stored rows, with the filters of
    :func:`create_app`; the wave, filters and selected persona are kept in the URL.

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
