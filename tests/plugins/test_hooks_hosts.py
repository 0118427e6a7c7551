"""The hooks plugin in the hosts people really have: light and dark, Dash Pages.

Browser tests (real headless Chromium):

* the personas page in a light host (no Bootstrap of its own) and in a dark host (the
  darkly theme in the host's ``assets/`` folder, no ``data-bs-theme``): no serious or
  critical axe-core violation at 1400 and 390 px, no console error, chart text light on
  the dark host and dark on the light one. Both hosts share one server and one browser.
* a Dash Pages host with its own page at ``/personas``: that page stays visible, the
  plugin's page moves (with a log line) and renders under the host's navbar, and the
  host's persisted state survives a visit to it.

The environment variables (path, colour mode) are checked without a browser.
"""

from __future__ import annotations

import logging

import dash
import dash_personas_hooks
import flask
import pytest
from _browser import axe_violations, console_errors, wait_for_dash_idle, wait_until
from dash import dcc, html
from hostapp import make_app

from dash_personas.components import bootstrap_css

TAGS = ("wcag2a", "wcag2aa", "best-practice")
LAYOUT_RULES = ("color-contrast", "scrollable-region-focusable", "link-in-text-block",
                "target-size")

# relative luminance of the text colour of every Plotly figure on the page (its layout
# font, which titles, axes and legends use; text inside bars is contrasted by Plotly)
_FONT_LUMINANCE_JS = """
return [...document.querySelectorAll('.js-plotly-plot')].map(el => {
    const probe = document.createElement('span');
    probe.style.color = el._fullLayout.font.color;
    document.body.appendChild(probe);
    const rgb = getComputedStyle(probe).color.match(/\\d+/g).slice(0, 3);
    probe.remove();
    const [r, g, b] = rgb.map(v => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
});
"""


# relative luminance of the figures' "average" shapes and annotations (the CLV chart's
# dashed average line and its label)
_AVERAGE_LUMINANCE_JS = """
const luminance = colour => {
    const probe = document.createElement('span');
    probe.style.color = colour;
    document.body.appendChild(probe);
    const rgb = getComputedStyle(probe).color.match(/\\d+/g).slice(0, 3);
    probe.remove();
    const [r, g, b] = rgb.map(v => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
return [...document.querySelectorAll('.js-plotly-plot')].flatMap(el => [
    ...(el._fullLayout.shapes || []).filter(s => s.name === 'average').map(s => s.line.color),
    ...(el._fullLayout.annotations || []).filter(a => a.name === 'average')
        .map(a => a.font.color)]).map(luminance);
"""


def _dark_assets(folder):
    """A host ``assets/`` folder with the darkly theme in it, as a host developer does it."""
    folder.mkdir()
    (folder / "darkly.min.css").write_text(bootstrap_css("darkly"), encoding="utf-8")
    return folder


def _host(server, prefix, personas, **dash_kwargs):
    app = dash.Dash(f"host{prefix.strip('/')}", server=server, requests_pathname_prefix=prefix,
                    routes_pathname_prefix=prefix, serve_locally=True, **dash_kwargs)
    # the page language is the host's to declare (axe: html-has-lang), not the plugin's
    app.index_string = app.index_string.replace("<html>", '<html lang="en">')
    app.layout = html.Div([html.H1("Sales dashboard", id="host-title")], id="host-root")
    return dash_personas_hooks.enable(app, personas)


@pytest.mark.browser
def test_personas_page_in_a_light_and_a_dark_host(dash_duo, personas_case, tmp_path):
    server = flask.Flask(__name__)
    light = _host(server, "/light/", personas_case.personas)
    dark = _host(server, "/dark/", personas_case.personas,
                 assets_folder=str(_dark_assets(tmp_path / "assets")))
    assert dash_personas_hooks.host_color_mode(light) == "light"
    assert dash_personas_hooks.host_color_mode(dark) == "dark"
    dash_duo.start_server(light, navigate=False)
    driver = dash_duo.driver
    found, luminance, averages = {}, {}, {}
    for mode in ("light", "dark"):
        driver.set_window_size(1400, 1000)
        dash_duo.wait_for_page(f"{dash_duo.server.url}/{mode}/personas", timeout=20)
        dash_duo.wait_for_element("#dash-personas-hooks-page .dash-personas-card", timeout=20)
        wait_until(lambda: len(dash_duo.find_elements(
            "#dash-personas-hooks-page .js-plotly-plot")) >= 3, 20.0)
        wait_for_dash_idle(driver, timeout=10.0)
        luminance[mode] = driver.execute_script(_FONT_LUMINANCE_JS)
        averages[mode] = driver.execute_script(_AVERAGE_LUMINANCE_JS)
        assert len(averages[mode]) >= 2, mode  # the CLV chart's line and its label
        found[mode] = {1400: axe_violations(driver, TAGS)}
        driver.set_window_size(390, 844)
        wait_for_dash_idle(driver, timeout=10.0)
        found[mode][390] = axe_violations(driver, rules=LAYOUT_RULES)
    assert found == {mode: {1400: [], 390: []} for mode in ("light", "dark")}
    assert min(luminance["dark"]) > 0.6 and max(luminance["light"]) < 0.1
    # the CLV chart's "average" line and label follow (they were black on the dark host)
    assert min(averages["dark"]) > 0.6 and max(averages["light"]) < 0.1
    assert console_errors(driver) == []


@pytest.fixture
def pages_registry():
    """Dash's page registry is process-wide: leave it as it was after the test."""
    before = dict(dash.page_registry)
    yield
    dash.page_registry.clear()
    dash.page_registry.update(before)


def _pages_host(personas):
    app = dash.Dash("pages-host", use_pages=True, pages_folder="", serve_locally=True,
                    suppress_callback_exceptions=True)
    dash.register_page("host_home", path="/", name="Home", layout=html.Div([
        html.H2("Home"),
        dcc.Input(id="host-note", value="", persistence=True, persistence_type="session"),
    ]))
    dash.register_page("host_personas", path="/personas", name="Our personas",
                       layout=html.Div(html.H2("The host's own personas page",
                                               id="host-personas-title")))
    app.layout = html.Div([
        html.Nav([dcc.Link("Home", href="/", id="nav-home"),
                  dcc.Link("Our personas", href="/personas", id="nav-host-personas")],
                 id="host-navbar"),
        dash.page_container,
    ])
    return app


@pytest.mark.browser
def test_dash_pages_host_keeps_its_page_its_navbar_and_its_state(dash_duo, personas_case,
                                                                 pages_registry, caplog):
    app = _pages_host(personas_case.personas)
    with caplog.at_level(logging.WARNING):
        dash_personas_hooks.enable(app, personas_case.personas)
    assert "the host has a page of its own at /personas" in caplog.text
    assert dash_personas_hooks.page_href(app) == "/dash-personas"
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#host-note")
    dash_duo.find_element("#host-note").send_keys("kept")
    dash_duo.find_element("#dash-personas-hooks-button").click()
    dash_duo.wait_for_element(".dash-personas-card", timeout=20)
    assert dash_duo.driver.current_url.endswith("/dash-personas")
    assert dash_duo.find_element("#host-navbar").is_displayed()  # the navbar stays
    assert len(dash_duo.find_elements(".dash-personas-card")) == len(personas_case.personas)
    # the host's own /personas page is shown, not hidden behind the plugin's
    dash_duo.find_element("#nav-host-personas").click()
    dash_duo.wait_for_text_to_equal("#host-personas-title", "The host's own personas page")
    assert dash_duo.find_elements(".dash-personas-card") == []
    # back home: the host's persisted input is as the user left it
    dash_duo.find_element("#nav-home").click()
    dash_duo.wait_for_element("#host-note")
    wait_until(lambda: dash_duo.find_element("#host-note").get_attribute("value") == "kept",
               10.0)
    wait_for_dash_idle(dash_duo.driver, timeout=10.0)
    assert console_errors(dash_duo.driver) == []


def test_path_and_colour_mode_from_the_environment(personas_case, monkeypatch, caplog):
    monkeypatch.setenv("DASH_PERSONAS_PATH", "team-personas")
    monkeypatch.setenv("DASH_PERSONAS_COLOR_MODE", "dark")
    app = dash_personas_hooks.enable(make_app(name="env-path"), personas_case.personas)
    assert dash_personas_hooks.page_href(app) == "/team-personas"
    assert dash_personas_hooks.host_color_mode(app) == "dark"
    client = app.server.test_client()
    assert client.get("/_dash-personas/summary").get_json()["page"] == "/team-personas"
    monkeypatch.setenv("DASH_PERSONAS_COLOR_MODE", "auto")
    auto = dash_personas_hooks.enable(make_app(name="env-auto"), personas_case.personas)
    assert dash_personas_hooks.host_color_mode(auto) == "light"
    monkeypatch.setenv("DASH_PERSONAS_COLOR_MODE", "midnight")
    with caplog.at_level(logging.WARNING):
        typo = dash_personas_hooks.enable(make_app(name="env-typo"), personas_case.personas)
    assert "DASH_PERSONAS_COLOR_MODE='midnight'" in caplog.text
    assert dash_personas_hooks.host_color_mode(typo) == "light"
    with pytest.raises(ValueError, match="color_mode must be"):
        dash_personas_hooks.enable(make_app(name="arg-typo"), personas_case.personas,
                                   color_mode="midnight")


def test_pages_host_takes_the_path_from_the_environment(personas_case, pages_registry,
                                                         monkeypatch):
    monkeypatch.setenv("DASH_PERSONAS_PATH", "/team-personas")
    app = _pages_host(personas_case.personas)
    dash_personas_hooks.enable(app, personas_case.personas)
    assert dash_personas_hooks.page_href(app) == "/team-personas"
    paths = {page["path"]: name for name, page in dash.page_registry.items()}
    assert paths["/personas"] == "host_personas"  # the host's own page keeps its path
    assert "/team-personas" in paths and paths["/team-personas"] != "host_personas"
    client = app.server.test_client()
    assert client.get("/_dash-personas/summary").get_json()["page"] == "/team-personas"
