"""Issue 13's layout promises checked in a real headless Chromium: the gallery's column
count, the radar at phone width, and the first load as ``dash-personas serve`` ships it."""

from __future__ import annotations

import time

import dash
import pytest
from _browser import wait_for_dash_idle, wait_until
from dash import html
from test_chart_layout_browser import _CHART_BOXES_JS, _check_charts

from dash_personas.app import create_app
from dash_personas.components import (
    AspectsRadar,
    PersonaGallery,
    bootstrap_stylesheet,
    register_callbacks,
)
from dash_personas.serving import enable_compression

pytestmark = pytest.mark.browser

#: The first load's limit (issue 13, "What to build" 4): bytes transferred, compressed.
FIRST_LOAD_LIMIT = 2 * 1024 * 1024

_CARD_BOXES_JS = """
return [...document.querySelectorAll('.dash-personas-card')].map(c => {
    const r = c.getBoundingClientRect(); return {left: r.left, top: r.top, width: r.width}; });
"""

_RESOURCES_JS = """
return [...performance.getEntriesByType('navigation'),
        ...performance.getEntriesByType('resource')].map(e => ({
    name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize,
    decoded: e.decodedBodySize}));
"""


def _gallery_and_radar_app(personas):
    app = dash.Dash(__name__, serve_locally=True)
    bootstrap_stylesheet(app)
    app.layout = html.Div([
        PersonaGallery(personas, aio_id="g", group="x", detail="compact"),  # columns=4
        AspectsRadar(personas, aio_id="radar", group="x"),
    ], className="container-fluid")
    return register_callbacks(app)


def test_gallery_shows_four_columns_and_the_radar_fits_a_phone(dash_duo, survey_case):
    personas = survey_case.personas
    assert len(personas) == 4 and "up to four wide" in PersonaGallery.__doc__
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(_gallery_and_radar_app(personas))
    dash_duo.wait_for_element(".dash-personas-card")
    wait_until(lambda: dash_duo.find_elements(".js-plotly-plot .main-svg"), 30)
    wait_for_dash_idle(dash_duo.driver, timeout=30)
    cards = dash_duo.driver.execute_script(_CARD_BOXES_JS)
    # the docstring's "up to four wide": four cards side by side on one row at 1400 px
    assert len({round(c["top"]) for c in cards}) == 1, cards
    lefts = [c["left"] for c in cards]
    assert lefts == sorted(lefts) and len(set(lefts)) == 4
    # at 390 px: one column, and the radar's fourteen spoke labels inside the chart
    dash_duo.driver.set_window_size(390, 844)
    wait_until(lambda: len({round(c["left"]) for c in
                            dash_duo.driver.execute_script(_CARD_BOXES_JS)}) == 1, 10)
    wait_for_dash_idle(dash_duo.driver, timeout=30)
    # Plotly redraws a responsive chart a moment after its box shrinks: wait for the
    # drawing (its SVG) to have the box's width
    wait_until(lambda: dash_duo.driver.execute_script(
        "const g = document.querySelector('.js-plotly-plot');"
        "const svg = g && g.querySelector('.main-svg');"
        "const w = g ? g.getBoundingClientRect().width : 999;"
        "return w < 390 && svg && Math.abs(svg.getBoundingClientRect().width - w) < 2"), 20)
    wait_for_dash_idle(dash_duo.driver, timeout=30)
    time.sleep(0.5)  # as the other layout tests: the redraw settles
    (radar,) = dash_duo.driver.execute_script(_CHART_BOXES_JS)
    spokes = [t for t in radar["ticks"] if t["width"] > 0]
    assert len(spokes) >= len(personas[0].aspects)
    _check_charts([radar])  # labels not clipped by the chart's edges, title clear of them
    assert dash_duo.get_logs() == []


def test_first_load_is_under_two_megabytes_transferred(dash_duo, survey_case):
    """As ``serve`` ships it (compression on): the page, every script (plotly.min.js
    alone is 4.8 MB), stylesheet, the layout and the callbacks' answers, as Chromium
    counts them (``transferSize``: headers and compressed bodies)."""
    app = enable_compression(create_app(survey_case.personas, survey_case.scores))
    dash_duo.start_server(app)
    wait_until(lambda: len(dash_duo.find_elements(".js-plotly-plot .main-svg")) >= 6, 90)
    wait_for_dash_idle(dash_duo.driver, timeout=60)
    entries = dash_duo.driver.execute_script(_RESOURCES_JS)
    scripts = [e for e in entries if e["name"].split("?")[0].endswith(".js")]
    assert any("plotly" in e["name"] for e in scripts)  # the big bundle was counted
    assert all(e["transfer"] > 0 for e in entries), entries  # nothing from a cache
    transferred = sum(e["transfer"] for e in entries)
    decoded = sum(e["decoded"] for e in entries)
    assert decoded > 2 * FIRST_LOAD_LIMIT  # uncompressed it would be far over the limit
    assert transferred <= FIRST_LOAD_LIMIT, (transferred, decoded)
    assert dash_duo.get_logs() == []
