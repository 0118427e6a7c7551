"""The dashboard in a real headless Chromium (dash[testing]'s dash_duo).

Every test also checks that the browser console has no errors.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pytest
from _browser import wait_for_dash_idle, wait_until
from dash import html

from dash_personas.app import create_app
from dash_personas.components import (
    AspectsRadar,
    PersonaGallery,
    SegmentSizes,
    bootstrap_stylesheet,
    register_callbacks,
)
from dash_personas.figures import DIM_OPACITY

pytestmark = pytest.mark.browser

EVIL = "<img src=x onerror=alert(1)>"
SELECTION = {"recommended_k": 4, "rule": "highest silhouette",
             "table": [{"k": k, "silhouette": 0.2 + 0.05 * k, "stability": 0.9,
                        "smallest_share": 0.1, "eligible": True} for k in (2, 3, 4, 5)]}


def _opacities(dash_duo, aio_id, group):
    """Trace opacities of the chart graph ``aio_id`` (from the live Plotly figure)."""
    return dash_duo.driver.execute_script("""
        const want = arguments[0], group = arguments[1];
        for (const el of document.querySelectorAll('.js-plotly-plot')) {
            const holder = el.closest('[id]');
            let id = null;
            try { id = JSON.parse(el.parentElement.id || holder.id); } catch (e) { continue; }
            if (id && id.aio_id === want && id.group === group) {
                return el.data.map(t => (t.opacity === undefined ? 1 : t.opacity));
            }
        }
        return null;
    """, aio_id, group)


def _wait(predicate):
    return wait_until(predicate, timeout=8.0)


def _click(dash_duo, element):
    """Scroll ``element`` to the middle of the window and click it like a user."""
    from selenium.common.exceptions import ElementClickInterceptedException

    for attempt in range(10):  # charts render asynchronously and can shift the page
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})",
                                       element)
        time.sleep(0.2)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == 9:
                raise


def _no_console_errors(dash_duo):
    assert dash_duo.get_logs() == []


def test_demo_page_renders_every_card_and_chart(dash_duo, survey_case):
    personas = survey_case.personas
    app = create_app(personas, survey_case.scores, selection=SELECTION)
    dash_duo.start_server(app)
    dash_duo.wait_for_element(".dash-personas-card")
    cards = dash_duo.find_elements(".dash-personas-card")
    assert len(cards) == len(personas)
    for persona in personas:
        dash_duo.wait_for_contains_text("#personas", persona.name)
    _wait(lambda: len(dash_duo.find_elements(".js-plotly-plot")) >= 7)
    for section in ("#compare", "#profiles", "#k-selection"):
        dash_duo.find_element(section)
    assert len(dash_duo.find_elements("#profiles table")) == 1
    avatars = dash_duo.find_elements(".dash-personas-card img")
    assert all(img.get_attribute("alt").startswith("Avatar of ") for img in avatars)
    assert all(img.get_attribute("src").startswith("data:image/svg+xml") for img in avatars)
    shot = os.environ.get("DASH_PERSONAS_SCREENSHOT")
    if shot:
        height = dash_duo.driver.execute_script("return document.body.scrollHeight")
        dash_duo.driver.set_window_size(1280, min(height + 100, 6000))
        time.sleep(1.0)
        Path(shot).parent.mkdir(parents=True, exist_ok=True)
        dash_duo.driver.save_screenshot(shot)
    _no_console_errors(dash_duo)


def test_selecting_a_persona_highlights_it_everywhere(dash_duo, survey_case):
    personas = survey_case.personas
    app = create_app(personas, selection=SELECTION)
    dash_duo.start_server(app)
    dash_duo.wait_for_element(".dash-personas-select")
    _wait(lambda: _opacities(dash_duo, "sizes", "dashboard"))
    assert set(_opacities(dash_duo, "sizes", "dashboard")) == {1}
    buttons = dash_duo.find_elements(".dash-personas-select")
    _click(dash_duo, buttons[1])
    expected = [DIM_OPACITY, 1, DIM_OPACITY, DIM_OPACITY]
    for chart in ("sizes", "dots", "clv", "categories"):
        _wait(lambda chart=chart: _opacities(dash_duo, chart, "dashboard")[:4] == expected)
    _wait(lambda: buttons[1].get_attribute("aria-pressed") == "true")
    assert buttons[1].text == "Selected"
    assert [b.get_attribute("aria-pressed") for b in buttons] == ["false", "true", "false",
                                                                  "false"]
    slots = dash_duo.find_elements(".dash-personas-slot")
    assert "dash-personas-selected" in slots[1].get_attribute("class")
    # the heatmap's outline around the selected column only, as drawn
    heatmap_shapes = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('.js-plotly-plot')].map("
        "el => (el.layout.shapes || []).filter((s, i) => s.name === 'highlight' && "
        "getComputedStyle(el.querySelector(`.shapelayer path[data-index='${i}']`))"
        ".opacity === '1').map(s => s.x0)).flat()")
    assert heatmap_shapes == [0.5]
    # keyboard: focus the first button and press Enter
    from selenium.webdriver.common.keys import Keys

    buttons[0].send_keys(Keys.ENTER)
    _wait(lambda: _opacities(dash_duo, "sizes", "dashboard")[:4]
          == [1, DIM_OPACITY, DIM_OPACITY, DIM_OPACITY])
    _click(dash_duo, buttons[0])  # toggling the selected persona clears the selection
    _wait(lambda: set(_opacities(dash_duo, "sizes", "dashboard")) == {1})
    _no_console_errors(dash_duo)


def _two_gallery_app(personas):
    app = dash.Dash(__name__, serve_locally=True)
    app.config.external_stylesheets = [bootstrap_stylesheet(app)]
    app.layout = dbc.Container([
        html.Div([PersonaGallery(personas, aio_id="left", group="a", detail="compact"),
                  SegmentSizes(personas, aio_id="left-sizes", group="a")], id="left"),
        html.Div([PersonaGallery(personas, aio_id="right", group="b", detail="compact"),
                  AspectsRadar(personas, aio_id="right-radar", group="b")], id="right"),
    ])
    return register_callbacks(app)


def test_two_galleries_on_one_page_are_independent(dash_duo, survey_case):
    personas = survey_case.personas
    dash_duo.start_server(_two_gallery_app(personas))
    dash_duo.wait_for_element("#left .dash-personas-select")
    _wait(lambda: _opacities(dash_duo, "right-radar", "b"))
    left = dash_duo.find_elements("#left .dash-personas-select")
    right = dash_duo.find_elements("#right .dash-personas-select")
    _click(dash_duo, left[2])
    _wait(lambda: _opacities(dash_duo, "left-sizes", "a")[2] == 1
          and _opacities(dash_duo, "left-sizes", "a")[0] == DIM_OPACITY)
    # every callback of the click has run: group "b" must not have moved
    wait_for_dash_idle(dash_duo.driver, timeout=8.0)
    assert set(_opacities(dash_duo, "right-radar", "b")) == {1}
    assert all(b.get_attribute("aria-pressed") == "false" for b in right)
    _click(dash_duo, right[0])
    _wait(lambda: _opacities(dash_duo, "right-radar", "b")[0] == 1
          and _opacities(dash_duo, "right-radar", "b")[1] == DIM_OPACITY)
    assert left[2].get_attribute("aria-pressed") == "true"
    assert _opacities(dash_duo, "left-sizes", "a")[2] == 1
    _no_console_errors(dash_duo)


def test_html_in_a_persona_name_is_shown_as_text(dash_duo, survey_case):
    personas = survey_case.personas
    evil = personas.model_copy(update={"personas": [
        personas[0].model_copy(update={"name": EVIL, "quote": EVIL, "tagline": EVIL}),
        *personas.personas[1:]]})
    dash_duo.start_server(create_app(evil))
    dash_duo.wait_for_contains_text("#personas", EVIL)
    names = [e.text for e in dash_duo.find_elements(".dash-personas-name")]
    assert EVIL in names
    images = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('img')].map(i => i.getAttribute('src'))")
    assert "x" not in images
    assert all(src.startswith("data:image/svg+xml") for src in images)
    wait_for_dash_idle(dash_duo.driver, timeout=8.0)
    assert dash_duo.driver.execute_script("return window.__alerted || null") is None
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        dash_duo.driver.switch_to.alert.text  # noqa: B018
    _no_console_errors(dash_duo)


def test_two_dash_apps_in_one_process(dash_duo, survey_case):
    personas = survey_case.personas
    first = create_app(personas, name="first")
    second = create_app(personas, name="second")
    # the first app serves requests before the second: with global @dash.callback
    # registrations it would have taken every callback for itself
    client = first.server.test_client()
    assert client.get("/").status_code == 200
    assert len(client.get("/_dash-dependencies").get_json()) >= 3
    dash_duo.start_server(second)
    dash_duo.wait_for_element(".dash-personas-select")
    _wait(lambda: _opacities(dash_duo, "sizes", "dashboard"))
    button = dash_duo.find_elements(".dash-personas-select")[3]
    _click(dash_duo, button)
    _wait(lambda: _opacities(dash_duo, "sizes", "dashboard")[:4]
          == [DIM_OPACITY, DIM_OPACITY, DIM_OPACITY, 1])
    _no_console_errors(dash_duo)


def test_phone_width_single_column(dash_duo, survey_case):
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.start_server(create_app(survey_case.personas))
    dash_duo.wait_for_element(".dash-personas-card")
    widths = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('.dash-personas-card')].map("
        "c => c.getBoundingClientRect().width)")
    page = dash_duo.driver.execute_script("return document.documentElement.clientWidth")
    assert all(w > 0.8 * page for w in widths)
    overflow = dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    _no_console_errors(dash_duo)
