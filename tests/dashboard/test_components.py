"""Components, app and export without a browser: structure, ids, escaping, payload."""

from __future__ import annotations

import json

import dash
import pytest
from dash import html

from dash_personas.app import create_app
from dash_personas.components import (
    AspectsRadar,
    PersonaCard,
    PersonaGallery,
    SegmentComparison,
    SegmentSizes,
    bootstrap_css,
    bootstrap_stylesheet,
    register_callbacks,
)
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
    assert len(app1._callback_list) == 2
    assert len(app2._callback_list) == 0
    register_callbacks(app2)
    assert len(app2._callback_list) == 2


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
