"""The Export menu in a real headless Chromium: the current query is sent, errors shown."""

from __future__ import annotations

from datetime import date

import pytest
from _browser import wait_until

from dash_personas.app import create_app
from dash_personas.components import default_personas_for, register_export_routes

pytestmark = pytest.mark.browser


def _choose(dash_duo, label):
    dash_duo.find_element(".dash-personas-export-toggle").click()
    item = wait_until(lambda: next((e for e in dash_duo.find_elements(".dropdown-item")
                                    if e.text == label and e.is_displayed()), None), 8)
    item.click()


def _status(dash_duo, wanted):
    return wait_until(lambda: next((e.text for e in dash_duo.find_elements(
        ".dash-personas-export-status") if wanted in e.text), None), 30)


def test_the_menu_downloads_the_view_and_shows_why_an_export_failed(dash_duo, deck_case,
                                                                    monkeypatch, tmp_path):
    app = create_app(deck_case.personas)
    queries = []
    serve = default_personas_for(deck_case.personas)

    def personas_for(query):
        queries.append(query.to_dict(flat=False))
        return serve(query)

    register_export_routes(app, personas_for)
    dash_duo.start_server(app)
    persona = deck_case.personas[2].id
    dash_duo.driver.get(dash_duo.server_url + f"/?persona={persona}&f.gender=f")
    dash_duo.wait_for_element(".dash-personas-export-toggle")
    _choose(dash_duo, "Profile table (CSV)")
    assert _status(dash_duo, "downloaded") == f"personas-{date.today().isoformat()}.csv " \
                                              "downloaded."
    assert queries == [{"persona": [persona], "f.gender": ["f"]}]

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    _choose(dash_duo, "Persona sheet (PDF)")
    message = _status(dash_duo, "failed")
    assert message.startswith("The export failed: no browser at BROWSER_PATH")
    assert "install Chromium" in message
    # the only console entry is the browser's note of the 503 answer
    assert all("503" in entry["message"] for entry in dash_duo.get_logs())
