"""The page's selection script: served with the components, its settings from Python."""

from __future__ import annotations

import json
import re

import dash

from dash_personas.app import create_app
from dash_personas.components import register_callbacks
from dash_personas.components.gallery import button_class, button_label, card_class
from dash_personas.figures import DIM_OPACITY


def _script_url(page: str) -> str:
    (url,) = re.findall(r'<script src="([^"]*dash-personas-selection\.js\?v=\w+)"', page)
    return url


def test_the_dashboard_loads_the_selection_script_with_the_gallery_classes(survey_case):
    client = create_app(survey_case.personas).server.test_client()
    response = client.get(_script_url(client.get("/").get_data(as_text=True)))
    assert response.status_code == 200 and response.mimetype == "application/javascript"
    script = response.get_data(as_text=True)
    (config,) = re.findall(r"const CONFIG = (\{.*?\});", script)
    settings = json.loads(config)
    # one definition of each: the classes and labels the gallery renders, the dimming
    # of highlight_figure
    assert settings["card_on"] == card_class(True) and settings["card_off"] == card_class(False)
    assert settings["button_on"] == button_class(True)
    assert settings["button_off"] == button_class(False)
    assert (settings["label_on"], settings["label_off"]) == (button_label(True),
                                                             button_label(False))
    assert settings["dim"] == DIM_OPACITY
    assert "addEventListener('click'" in script


def test_register_callbacks_adds_the_script_once_under_the_app_prefix():
    app = dash.Dash(__name__, requests_pathname_prefix="/host/",
                    routes_pathname_prefix="/host/")
    app.layout = dash.html.Div()
    register_callbacks(app)
    register_callbacks(app)
    scripts = [s for s in app.config.external_scripts if "dash-personas-selection" in s]
    assert len(scripts) == 1 and scripts[0].startswith("/host/_dash-personas/")
    client = app.server.test_client()
    assert client.get(scripts[0]).status_code == 200
