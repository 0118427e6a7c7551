"""What the plugin tells visitors when a source is bad: file names, never server folders.

The summary route and the page show the reason without the folders of the server's
paths (or a database URL's credentials); the server log keeps the full message.
"""

from __future__ import annotations

import json
import logging

import dash_personas_hooks
import pytest
from dash_personas_hooks._page import page_content
from dash_personas_hooks._plugin import public_message
from hostapp import make_app


def _page_text(app) -> str:
    page = page_content(app, dash_personas_hooks.config_of(app))
    return json.dumps(page.to_plotly_json(), default=lambda o: o.to_plotly_json())


def _sources(tmp_path, personas_case):
    folder = tmp_path / "private server folder"
    folder.mkdir()
    bad_json = folder / "personas.json"
    bad_json.write_text('{"personas": [', encoding="utf-8")
    bad_data = folder / "other.csv"
    bad_data.write_text("a,b\n1,2\n", encoding="utf-8")
    return {
        "invalid personas": ({"personas": bad_json}, "personas.json"),
        "missing personas": ({"personas": folder / "nope.json"}, "nope.json"),
        "missing study": ({"study": folder / "nope.db"}, "nope.db"),
        "bad data": ({"personas": personas_case.personas_file, "data": bad_data},
                     "could not be used"),
    }, folder


@pytest.mark.parametrize("case", ["invalid personas", "missing personas", "missing study",
                                  "bad data"])
def test_summary_and_page_show_file_names_only(case, tmp_path, personas_case, caplog):
    sources, folder = _sources(tmp_path, personas_case)
    kwargs, said = sources[case]
    with caplog.at_level(logging.WARNING):
        app = dash_personas_hooks.enable(make_app(name=f"errors-{case}"), **kwargs)
    response = app.server.test_client().get("/_dash-personas/summary")
    body = response.get_data(as_text=True)
    assert response.status_code == (200 if case == "bad data" else 500)
    assert said in body and str(folder) not in body and str(tmp_path) not in body
    page = _page_text(app)
    assert said in page and str(tmp_path) not in page
    assert str(folder) in caplog.text  # the operator's log keeps the full path


def test_public_message_keeps_file_names_and_drops_credentials():
    assert public_message("/srv/app/data/personas.json: not valid JSON") == (
        "personas.json: not valid JSON")
    assert public_message("No such file or directory: '/srv/my data/scores.csv'") == (
        "No such file or directory: 'scores.csv'")
    assert public_message(r"C:\Users\ana\p.json: bad") == "p.json: bad"
    assert public_message("cannot reach postgresql+psycopg://ana:s3cret@db/track") == (
        "cannot reach postgresql+psycopg://***@db/track")
    assert public_message("see https://example.org/docs/page and a/b.json") == (
        "see https://example.org/docs/page and a/b.json")
