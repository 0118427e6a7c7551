"""Components, app and export without a browser: structure, ids, escaping, payload."""

from __future__ import annotations

import json

import dash
import pytest
from dash import html

from dash_personas.app import create_app
from dash_personas.components import (
    AspectsDots,
    AspectsRadar,
    PersonaCard,
    PersonaGallery,
    SegmentComparison,
    SegmentSizes,
    bootstrap_css,
    bootstrap_stylesheet,
    register_callbacks,
)
from dash_personas.components.theme import COMPONENTS_ROUTE
from dash_personas.export import persona_sheet_html

EVIL = "<img src=x onerror=alert(1)>"


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if isinstance(child, dash.development.base_component.Component):
            yield from _walk(child)


def test_card_shows_persona_text_as_plain_strings(survey_case):
    persona = survey_case.personas[0].model_copy(update={"name": EVIL, "quote": EVIL})
    card = PersonaCard(persona)
    texts = [c.children for c in _walk(card) if isinstance(getattr(c, "children", None), str)]
    assert EVIL in texts
    assert not any(type(c).__name__ in ("Iframe", "Markdown") for c in _walk(card))
    (img,) = [c for c in _walk(card) if isinstance(c, html.Img)]
    assert img.alt == f"Avatar of {EVIL}" and img.src.startswith("data:image/svg+xml")


def test_gallery_ids_are_scoped_by_aio_id_and_group(survey_case):
    personas = survey_case.personas
    gallery = PersonaGallery(personas, aio_id="g1", group="left", selected="p2")
    ids = [c.id for c in _walk(gallery) if isinstance(getattr(c, "id", None), dict)]
    buttons = [i for i in ids if i["subcomponent"] == "select"]
    assert [b["persona"] for b in buttons] == [p.id for p in personas]
    assert all(i["aio_id"] == "g1" and i["group"] == "left" for i in ids)
    pressed = [c for c in _walk(gallery) if isinstance(c, html.Button)]
    assert [getattr(b, "aria-pressed") for b in pressed] == ["false", "true", "false", "false"]
    assert all(getattr(b, "aria-label").startswith("Select persona ") for b in pressed)


def test_charts_share_the_group_and_validate_kind(survey_case):
    personas = survey_case.personas
    for comp in (AspectsRadar(personas, aio_id="r", group="g"),
                 SegmentSizes(personas, aio_id="s", group="g"),
                 SegmentComparison(personas, "categories", feature="age_band", aio_id="c",
                                   group="g")):
        graph = comp.children[0]
        assert graph.id["group"] == "g"
        assert getattr(comp, "aria-label")
    with pytest.raises(ValueError, match="chart must be one of"):
        SegmentComparison(personas, "pie")


def test_register_callbacks_is_per_app_and_idempotent(survey_case):
    app1, app2 = dash.Dash("one"), dash.Dash("two")
    register_callbacks(app1)
    register_callbacks(app1)
    # one callback for the selection: store -> restyled cards, highlighted charts
    assert len(app1._callback_list) == 1
    assert len(app2._callback_list) == 0
    register_callbacks(app2)
    assert len(app2._callback_list) == 1


def test_bootstrap_is_served_locally(survey_case):
    app = create_app(survey_case.personas, theme="lux")
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "/_dash-personas/css/lux.css" in page
    assert "cdn" not in page.lower() and "https://" not in page
    css = client.get("/_dash-personas/css/lux.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert b"@import" not in css.data and b"fonts.googleapis" not in css.data
    assert client.get("/_dash-personas/css/nope.css").status_code == 404
    assert app.config.serve_locally
    with pytest.raises(ValueError, match="unknown Bootstrap theme"):
        bootstrap_css("nope")


def test_stylesheet_respects_pathname_prefix():
    app = dash.Dash("prefixed", requests_pathname_prefix="/tools/",
                    routes_pathname_prefix="/tools/")
    app.layout = html.Div("host")
    url = bootstrap_stylesheet(app, "flatly")
    assert url == "/tools/_dash-personas/css/flatly.css"
    assert app.server.test_client().get(url).status_code == 200


def test_dark_theme_sets_colour_mode(survey_case):
    app = create_app(survey_case.personas, theme="darkly")
    assert 'data-bs-theme="dark"' in app.server.test_client().get("/").get_data(as_text=True)


def test_app_ships_aggregates_not_rows(survey_case):
    app = create_app(survey_case.personas, survey_case.scores)
    layout = app.server.test_client().get("/_dash-layout").get_data(as_text=True)
    some_ids = survey_case.scores["respondent_id"].head(20)
    assert not any(str(i) in layout for i in some_ids)
    assert len(layout) < 300_000
    json.loads(layout)


def test_persona_sheet_escapes_everything(survey_case, tmp_path):
    persona = survey_case.personas[0].model_copy(update={"name": EVIL, "tagline": EVIL})
    text = persona_sheet_html([persona], title=EVIL)
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text


# --- issue 13: toolbar, themes, API surprises, README snippet ---

def _graphs(layout):
    from dash import dcc

    return [c for c in _walk(layout) if isinstance(c, dcc.Graph)]


def test_every_graph_of_the_dashboard_uses_the_one_toolbar_config(survey_case):
    from dash_personas.figures import GRAPH_CONFIG

    selection = {"recommended_k": 4, "table": [{"k": 4, "silhouette": 0.3}]}
    app = create_app(survey_case.personas, selection=selection)
    graphs = _graphs(app.layout)
    assert len(graphs) >= 7
    assert all(g.config == GRAPH_CONFIG for g in graphs)
    chart = SegmentSizes(survey_case.personas, graph_props={"config": {"scrollZoom": False}})
    assert chart.children[0].config == {**GRAPH_CONFIG, "scrollZoom": False}


def test_tracking_graphs_use_the_one_toolbar_config(study_case):
    from dash_personas.components import tracking_section
    from dash_personas.figures import GRAPH_CONFIG
    from dash_personas.tracking_view import study_view

    graphs = _graphs(html.Div(tracking_section(study_view(study_case))))
    assert len(graphs) == 2 and all(g.config == GRAPH_CONFIG for g in graphs)


def test_components_accept_a_bootstrap_theme_name(survey_case):
    from dash_personas.figures import theme_template

    dark_ink = theme_template("dark").layout.font.color
    for comp in (SegmentSizes(survey_case.personas, theme="darkly"),
                 AspectsDots(survey_case.personas, theme="darkly"),
                 SegmentComparison(survey_case.personas, theme="DARKLY")):
        assert comp.children[0].figure["layout"]["template"]["layout"]["font"]["color"] == dark_ink
    with pytest.raises(ValueError, match="Bootstrap theme name"):
        SegmentSizes(survey_case.personas, theme="blue")


def test_categories_chart_without_a_feature_names_the_fix(survey_case):
    with pytest.raises(ValueError, match=r"pass feature=, e.g. PersonaChart\(personas, "
                                         r"'categories', feature='age_band'\)"):
        SegmentComparison(survey_case.personas, "categories")


def test_enum_like_arguments_are_checked_with_the_choices(survey_case):
    personas = survey_case.personas
    with pytest.raises(ValueError, match="detail must be one of 'full', 'compact'; "
                                         "got 'compakt'"):
        PersonaGallery(personas, detail="compakt")
    with pytest.raises(ValueError, match="detail must be one of"):
        PersonaCard(personas[0], detail="compakt")
    with pytest.raises(ValueError, match="columns must be one of 1, 2, 3, 4"):
        PersonaGallery(personas, columns=5)
    with pytest.raises(ValueError, match="persistence must be one of"):
        PersonaGallery(personas, persistence="cookie")
    with pytest.raises(ValueError, match="chart must be one of 'heatmap', 'dots'"):
        SegmentComparison(personas, "pie")


def test_gallery_offers_up_to_four_columns(survey_case):
    import dash_bootstrap_components as dbc

    def widths(gallery):
        (col, *_) = [c for c in _walk(gallery) if isinstance(c, dbc.Col)]
        return {k: getattr(col, k, None) for k in ("xs", "md", "xl")}

    assert widths(PersonaGallery(survey_case.personas)) == {"xs": 12, "md": 6, "xl": 3}
    assert widths(PersonaGallery(survey_case.personas, columns=3))["xl"] == 4
    assert widths(PersonaGallery(survey_case.personas, columns=1)) == {"xs": 12, "md": None,
                                                                        "xl": None}


def test_gallery_selection_has_a_public_id_and_survives_a_re_render(survey_case):
    from dash import dcc

    gallery = PersonaGallery(survey_case.personas, aio_id="main", group="g", selected="p3")
    (store,) = [c for c in _walk(gallery) if isinstance(c, dcc.Store)]
    assert store.id == gallery.selection == PersonaGallery.selection_id("main", "g") \
        == PersonaGallery.ids.selection("main", "g")
    assert store.data == "p3"
    # a re-rendered gallery (same aio_id) finds its selection in the tab's session storage
    assert store.storage_type == "session"
    (memory,) = [c for c in _walk(PersonaGallery(survey_case.personas, persistence=False))
                 if isinstance(c, dcc.Store)]
    assert memory.storage_type == "memory"


def test_bootstrap_stylesheet_registers_the_theme_on_the_app():
    app = dash.Dash("snippet")
    app.layout = html.Div("x")
    url = bootstrap_stylesheet(app, theme="flatly")
    # the theme, then the components' own stylesheet (card bars and list icons)
    components = "/" + COMPONENTS_ROUTE
    assert app.config.external_stylesheets == [url, components]
    bootstrap_stylesheet(app, theme="darkly")  # a second theme replaces the first
    assert app.config.external_stylesheets == ["/_dash-personas/css/darkly.css", components]
    assert ".dash-personas-track" in app.server.test_client().get(components).get_data(
        as_text=True)
    assert '/_dash-personas/css/darkly.css' in app.server.test_client().get("/").get_data(
        as_text=True)
    host = dash.Dash("host", external_stylesheets=["/assets/host.css"])
    bootstrap_stylesheet(host, "flatly", register=False)  # serve only (plugins)
    assert host.config.external_stylesheets == ["/assets/host.css"]


def _readme_components_snippet():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 3. Dashboard developers"):]
    section = section[:section.index("\n## ", 5)]
    blocks = section.split("```python\n")[1:]
    return [b[:b.index("```")] for b in blocks]


def test_readme_component_snippets_run_and_render_with_bootstrap(survey_case):
    snippets = _readme_components_snippet()
    assert len(snippets) >= 2  # the page snippet and the PersonaCard snippet
    for code in snippets:
        namespace = {"model": survey_case.model, "features": survey_case.features,
                     "codebook": survey_case.codebook, "scores": survey_case.scores,
                     "__name__": "readme_snippet"}
        exec(compile(code, "README.md", "exec"), namespace)
        app = namespace["app"]
        client = app.server.test_client()
        page = client.get("/").get_data(as_text=True)
        (css,) = [s for s in app.config.external_stylesheets if "_dash-personas/css" in s]
        assert f'href="{css}"' in page
        assert client.get(css).status_code == 200
        layout = client.get("/_dash-layout")
        assert layout.status_code == 200 and b"dash-personas-card" in layout.data
