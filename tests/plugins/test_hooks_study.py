"""The Dash hooks plugin given a tracking study: the page shows the study's tracking view."""

from __future__ import annotations

import json

import dash_personas_hooks
import plotly
import pytest
from _browser import wait_for_dash_idle, wait_until
from _study import EVIL, build_study
from dash_personas_hooks._page import page_content
from hostapp import make_app

from dash_personas.tracking import Study


@pytest.fixture(scope="module")
def study_path(tmp_path_factory):
    return build_study(tmp_path_factory.mktemp("hooks-study") / "study.db")


def _json(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


def test_enable_with_a_study_shows_its_tracking_view(study_path):
    app = dash_personas_hooks.enable(make_app(name="study-host"), study=study_path)
    config = dash_personas_hooks.config_of(app)
    assert config.title == "Tracking study"
    page = _json(page_content(app, config))
    for component_id in ("study-wave", "study-timeline", "study-cards", "study-sankey"):
        assert f'"{component_id}"' in page
    with Study.open(study_path) as study:
        alerts = [a.detail for a in study.report().alerts if a.wave == "W3"]
    assert alerts and all(json.dumps(detail)[1:-1] in page for detail in alerts)
    assert EVIL in page  # a plain string: rendered as text
    outputs = [d["output"] for d in app.server.test_client().get("/_dash-dependencies")
               .get_json()]
    assert any("study-sankey" in o for o in outputs) and any("study-shown" in o for o in outputs)


def test_study_from_the_environment_opts_the_host_in(study_path, monkeypatch):
    monkeypatch.setenv("DASH_PERSONAS_STUDY", str(study_path))
    app = make_app(name="env-study-host")
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # the setup hook runs with the first request
    config = dash_personas_hooks.config_of(app)
    assert config is not None and config.load().study.labels == ["W1", "W2", "W3"]
    summary = client.get("/_dash-personas/summary").get_json()
    assert EVIL in [p["name"] for p in summary["personas"]]


def test_a_missing_study_shows_what_is_wrong_and_the_host_keeps_working(tmp_path):
    app = dash_personas_hooks.enable(make_app(name="missing-study-host"),
                                     study=tmp_path / "nope.db")
    page = _json(page_content(app, dash_personas_hooks.config_of(app)))
    assert "no such study" in page and "DASH_PERSONAS_STUDY" in page
    assert app.server.test_client().get("/").status_code == 200


def test_enable_takes_personas_or_a_study_not_both(study_path, tmp_path):
    with pytest.raises(TypeError, match="not both"):
        dash_personas_hooks.enable(make_app(name="both-host"), personas=tmp_path / "p.json",
                                   study=study_path)


@pytest.mark.browser
def test_study_page_in_chromium(dash_duo, study_path, monkeypatch):
    monkeypatch.setenv("DASH_PERSONAS_STUDY", str(study_path))
    app = make_app(name="browser-study-host")
    dash_duo.start_server(app, debug=True, use_reloader=False, dev_tools_hot_reload=False)
    dash_duo.wait_for_text_to_equal("#host-title", "Sales dashboard")
    dash_duo.find_element("#dash-personas-hooks-button").click()
    dash_duo.wait_for_element(".study-cards .dash-personas-share")
    driver = dash_duo.driver

    def shares():
        return driver.execute_script(
            "return [...document.querySelectorAll('.study-cards .dash-personas-share')]"
            ".map(e => e.textContent)")

    assert all(" in W3 " in text for text in shares())
    from selenium.webdriver.support.ui import Select

    Select(dash_duo.find_element(".study-wave")).select_by_value("W2")
    wait_until(lambda: all(" in W2 " in text for text in shares()), timeout=10.0)
    wait_for_dash_idle(driver, timeout=10.0)
    errors = driver.execute_script(
        "const el = document.querySelector('.test-devtools-error-count');"
        "return el ? parseInt(el.textContent || '0', 10) : 0;")
    assert errors == 0
    assert dash_duo.get_logs() == []
