"""The accessibility matrix of the dashboards: axe-core in a real headless Chromium.

Each dashboard (personas, tracking study) is checked light (``bootstrap``) and dark
(``darkly``), at desktop (1400 px) and phone (390 px) width. A cell passes with no
serious or critical axe-core violation — WCAG 2 A/AA rules and axe's best practices (one
footer landmark, unique landmarks) at 1400 px, the rules that depend on the layout at
390 px — and no browser console error. To keep the matrix fast, the light and dark apps
of a dashboard share one Flask server (under ``/light/`` and ``/dark/``) and one browser
session, resized between checks.
"""

from __future__ import annotations

import flask
import pytest
from _browser import axe_violations, console_errors, wait_for_dash_idle, wait_until

from dash_personas.app import create_app, create_study_app

pytestmark = pytest.mark.browser

THEMES = ("bootstrap", "darkly")
#: WCAG 2 A/AA and axe's best practices (one ``contentinfo`` landmark, unique landmarks).
TAGS = ("wcag2a", "wcag2aa", "best-practice")
#: The rules whose outcome depends on the layout: the only ones run again at phone width
#: (the DOM is the same at every width, only the CSS layout changes).
LAYOUT_RULES = ("color-contrast", "scrollable-region-focusable", "link-in-text-block",
                "target-size")
DESKTOP, PHONE = (1400, 1000), (390, 844)
SELECTION = {"recommended_k": 4, "rule": "highest silhouette",
             "table": [{"k": k, "silhouette": 0.2 + 0.05 * k, "stability": 0.9,
                        "smallest_share": 0.1, "eligible": True} for k in (2, 3, 4, 5)]}


def _mounted(factory, *args, **kwargs):
    """The app of every theme under ``/<light|dark>/`` of one Flask server; the first app
    (running it runs the shared server)."""
    server = flask.Flask(__name__)
    apps = []
    for theme in THEMES:
        prefix = f"/{'dark' if theme == 'darkly' else 'light'}/"
        apps.append(factory(*args, theme=theme, name=f"a11y-{theme}", server=server,
                            requests_pathname_prefix=prefix, routes_pathname_prefix=prefix,
                            **kwargs))
    return apps[0]


def _check(dash_duo, url: str, ready_css: str, min_plots: int) -> dict:
    """Load ``url`` once and run axe at every width: ``{width: violations}``."""
    driver = dash_duo.driver
    driver.set_window_size(*DESKTOP)
    dash_duo.wait_for_page(url, timeout=20)
    dash_duo.wait_for_element(ready_css, timeout=20)
    wait_until(lambda: driver.execute_script(
        "return document.querySelectorAll('.js-plotly-plot').length") >= min_plots, 20.0)
    wait_for_dash_idle(driver, timeout=10.0)
    found = {DESKTOP[0]: axe_violations(driver, TAGS)}
    driver.set_window_size(*PHONE)
    wait_for_dash_idle(driver, timeout=10.0)
    found[PHONE[0]] = axe_violations(driver, rules=LAYOUT_RULES)
    return found


def test_persona_dashboard_light_and_dark(dash_duo, survey_case):
    app = _mounted(create_app, survey_case.personas, survey_case.scores, selection=SELECTION)
    dash_duo.start_server(app, navigate=False)
    base = dash_duo.server.url
    result = {mode: _check(dash_duo, f"{base}/{mode}/", ".dash-personas-card", 7)
              for mode in ("light", "dark")}
    assert result == {mode: {1400: [], 390: []} for mode in ("light", "dark")}
    assert console_errors(dash_duo.driver) == []


def test_study_dashboard_light_and_dark(dash_duo, study_case):
    app = _mounted(create_study_app, study_case)
    dash_duo.start_server(app, navigate=False)
    base = dash_duo.server.url
    result = {mode: _check(dash_duo, f"{base}/{mode}/", ".dash-personas-trend-card", 2)
              for mode in ("light", "dark")}
    assert result == {mode: {1400: [], 390: []} for mode in ("light", "dark")}
    assert console_errors(dash_duo.driver) == []
