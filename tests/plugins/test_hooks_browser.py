"""The Dash hooks plugin in a real headless Chromium (dash_duo), with a plain host app.

The host app (``hostapp.py``) never imports the plugin: it is found through the
``dash_hooks`` entry point and switched on by ``DASH_PERSONAS_PERSONAS`` or not at all.
"""

from __future__ import annotations

import time

import pytest
import requests
from _browser import wait_until
from hostapp import make_app, plain_layout_json

pytestmark = pytest.mark.browser


def _wait(predicate):
    return wait_until(predicate, timeout=10.0)


def _displayed(dash_duo, selector) -> bool:
    found = dash_duo.find_elements(selector)
    return bool(found) and found[0].is_displayed()


def _click(dash_duo, element, attempts=10):
    """Scroll ``element`` to the middle of the window and click it like a user (the page
    may still be moving while charts and the stylesheet load: retry briefly)."""
    from selenium.common.exceptions import ElementClickInterceptedException

    for attempt in range(attempts):
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})",
                                       element)
        time.sleep(0.15)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.3)


def _devtools_errors(dash_duo) -> int:
    """Errors reported by Dash's dev tools (debug mode), e.g. callbacks with missing ids."""
    return dash_duo.driver.execute_script("""
        const el = document.querySelector('.test-devtools-error-count');
        return el ? parseInt(el.textContent || '0', 10) : 0;
    """)


def _bootstrap_link(dash_duo):
    return dash_duo.driver.execute_script(
        "const l = document.getElementById('dash-personas-hooks-bootstrap');"
        "return l ? l.getAttribute('href') : null;")


def test_env_enabled_host_gets_the_personas_page(dash_duo, personas_case, monkeypatch):
    monkeypatch.setenv("DASH_PERSONAS_PERSONAS", str(personas_case.personas_file))
    app = make_app(name="env-host")
    dash_duo.start_server(app, debug=True, use_reloader=False, dev_tools_hot_reload=False)
    dash_duo.wait_for_text_to_equal("#host-title", "Sales dashboard")
    # the host still works
    _click(dash_duo, dash_duo.find_element("#host-button"))
    dash_duo.wait_for_text_to_equal("#host-output", "clicked 1 times")
    assert _bootstrap_link(dash_duo) is None  # nothing loaded into the host page itself
    button = dash_duo.find_element("#dash-personas-hooks-button")
    assert button.is_displayed() and button.text == "Personas"
    _click(dash_duo, button)
    dash_duo.wait_for_element(".dash-personas-card")
    _wait(lambda: dash_duo.driver.current_url.endswith("/personas"))
    assert not _displayed(dash_duo, "#host-root")
    assert not _displayed(dash_duo, "#dash-personas-hooks-button")
    cards = dash_duo.find_elements(".dash-personas-card")
    assert len(cards) == len(personas_case.personas)
    for persona in personas_case.personas:
        dash_duo.wait_for_contains_text("#dash-personas-hooks-page", persona.name)
    _wait(lambda: len(dash_duo.find_elements("#dash-personas-hooks-page .js-plotly-plot")) >= 3)
    # host has no Bootstrap: the page (only) gets the locally served one
    assert _bootstrap_link(dash_duo).endswith("/_dash-personas/css/bootstrap.css")
    # the linked selection works inside the host
    select = dash_duo.find_elements(".dash-personas-select")
    _click(dash_duo, select[1])
    _wait(lambda: select[1].get_attribute("aria-pressed") == "true")
    # and back to the host, as it was
    _click(dash_duo, dash_duo.find_element(".dash-personas-hooks-back"))
    _wait(lambda: _displayed(dash_duo, "#host-root"))
    assert not _displayed(dash_duo, "#dash-personas-hooks-page")
    assert _bootstrap_link(dash_duo) is None
    dash_duo.wait_for_text_to_equal("#host-output", "clicked 1 times")
    assert _devtools_errors(dash_duo) == 0
    assert dash_duo.get_logs() == []


def test_host_without_opt_in_is_unchanged(dash_duo):
    app = make_app(name="plain-host")
    dash_duo.start_server(app, debug=True, use_reloader=False, dev_tools_hot_reload=False)
    dash_duo.wait_for_text_to_equal("#host-output", "clicked 0 times")
    base = dash_duo.server_url
    assert requests.get(f"{base}/_dash-layout", timeout=10).text == plain_layout_json()
    deps = requests.get(f"{base}/_dash-dependencies", timeout=10).json()
    assert [d["output"] for d in deps] == ["host-output.children"]
    assert dash_duo.find_elements("#dash-personas-hooks-button") == []
    assert dash_duo.find_elements(".dash-personas-hooks-root") == []
    root = dash_duo.driver.execute_script(
        "return document.getElementById('react-entry-point').querySelector('#host-root')"
        ".parentElement.id")
    assert root == "_dash-app-content"  # nothing wrapped around the host layout
    # /personas is just another URL of the host (its own layout, no personas)
    dash_duo.wait_for_page(f"{base}/personas")
    dash_duo.wait_for_text_to_equal("#host-title", "Sales dashboard")
    assert dash_duo.find_elements(".dash-personas-card") == []
    _click(dash_duo, dash_duo.find_element("#host-button"))
    dash_duo.wait_for_text_to_equal("#host-output", "clicked 1 times")
    assert _devtools_errors(dash_duo) == 0
    assert dash_duo.get_logs() == []


def test_page_under_a_requests_pathname_prefix(dash_duo, personas_case, monkeypatch):
    monkeypatch.setenv("DASH_PERSONAS_PERSONAS", str(personas_case.personas_file))
    monkeypatch.setenv("DASH_PERSONAS_DATA", str(personas_case.scores_file))
    app = make_app("/app/", name="prefixed-host")
    dash_duo.start_server(app, navigate=False)
    base = dash_duo.server.url
    dash_duo.wait_for_page(f"{base}/app/")
    dash_duo.wait_for_text_to_equal("#host-title", "Sales dashboard")
    button = dash_duo.find_element("#dash-personas-hooks-button")
    assert button.get_attribute("href") == f"{base}/app/personas"
    # deep link straight to the page
    dash_duo.wait_for_page(f"{base}/app/personas")
    dash_duo.wait_for_element(".dash-personas-card")
    assert len(dash_duo.find_elements(".dash-personas-card")) == len(personas_case.personas)
    assert _bootstrap_link(dash_duo) == "/app/_dash-personas/css/bootstrap.css"
    css = requests.get(f"{base}/app/_dash-personas/css/bootstrap.css", timeout=10)
    assert css.status_code == 200 and "--bs-" in css.text
    summary = requests.get(f"{base}/app/_dash-personas/summary", timeout=10).json()
    assert summary["page"] == "/app/personas"
    assert sum(p["size"] for p in summary["personas"]) == len(personas_case.scores)
    back = dash_duo.find_element(".dash-personas-hooks-back")
    assert back.get_attribute("href") == f"{base}/app/"
    _click(dash_duo, back)
    _wait(lambda: _displayed(dash_duo, "#host-root"))
    assert dash_duo.get_logs() == []


def test_invalid_personas_file_shows_a_message_and_the_host_works(dash_duo, bad_personas_file,
                                                                  monkeypatch):
    monkeypatch.setenv("DASH_PERSONAS_PERSONAS", str(bad_personas_file))
    app = make_app(name="bad-host")
    dash_duo.start_server(app, debug=True, use_reloader=False, dev_tools_hot_reload=False)
    _click(dash_duo, dash_duo.find_element("#host-button"))
    dash_duo.wait_for_text_to_equal("#host-output", "clicked 1 times")
    _click(dash_duo, dash_duo.find_element("#dash-personas-hooks-button"))
    dash_duo.wait_for_element(".dash-personas-hooks-alert")
    message = dash_duo.find_element(".dash-personas-hooks-error").text
    assert bad_personas_file.name in message and "not valid JSON" in message
    assert str(bad_personas_file.parent) not in message  # file names only, never folders
    assert dash_duo.find_elements(".dash-personas-card") == []
    _click(dash_duo, dash_duo.find_element(".dash-personas-hooks-back"))
    _wait(lambda: _displayed(dash_duo, "#host-root"))
    _click(dash_duo, dash_duo.find_element("#host-button"))
    dash_duo.wait_for_text_to_equal("#host-output", "clicked 2 times")
    assert _devtools_errors(dash_duo) == 0
    assert dash_duo.get_logs() == []


def test_host_bootstrap_theme_is_kept(dash_duo, personas_case):
    import dash_personas_hooks

    from dash_personas.components import bootstrap_stylesheet

    app = make_app(name="themed-host")
    app.config.external_stylesheets = [bootstrap_stylesheet(app, "darkly")]
    app.index_string = app.index_string.replace("<html>", '<html data-bs-theme="dark">')
    dash_personas_hooks.enable(app, personas_case.personas, label="Our customers")
    dash_duo.start_server(app)
    button = dash_duo.find_element("#dash-personas-hooks-button")
    assert button.text == "Our customers"
    _click(dash_duo, button)
    dash_duo.wait_for_element(".dash-personas-card")
    assert _bootstrap_link(dash_duo) is None  # the host's darkly stays the only theme
    sheets = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)")
    assert [s for s in sheets if "_dash-personas/css" in s] == [
        s for s in sheets if s.endswith("/darkly.css")]
    body_bg = dash_duo.driver.execute_script(
        "return getComputedStyle(document.body).backgroundColor")
    assert body_bg not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")  # dark host background
    assert dash_duo.get_logs() == []
