"""The page frame of the dashboards, without a browser: stylesheets, landmarks, regions."""

from __future__ import annotations

import flask

from dash_personas.app import create_app


def _walk(node):
    if isinstance(node, list):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, dict):
        yield node
        yield from _walk(node.get("props", {}).get("children"))


def test_apps_sharing_a_server_each_get_their_stylesheets(survey_case):
    server = flask.Flask(__name__)
    for theme, prefix in (("bootstrap", "/light/"), ("darkly", "/dark/")):
        create_app(survey_case.personas, theme=theme, name=f"frame-{theme}", server=server,
                   requests_pathname_prefix=prefix, routes_pathname_prefix=prefix)
    client = server.test_client()
    light = client.get("/light/_dash-personas/css/bootstrap.css")
    dark = client.get("/dark/_dash-personas/css/darkly.css")
    assert light.mimetype == dark.mimetype == "text/css"  # not the index page of the app
    assert "Theme: darkly" in dark.get_data(as_text=True)
    assert "Theme: darkly" not in light.get_data(as_text=True)
    for prefix in ("/light/", "/dark/"):
        own = client.get(f"{prefix}_dash-personas/dash-personas.css")
        assert own.mimetype == "text/css" and ".dash-personas-select" in own.get_data(True)
        page = client.get(prefix).get_data(as_text=True)
        assert f"{prefix}_dash-personas/dash-personas.css" in page


def test_one_footer_landmark_and_focusable_table_regions(survey_case):
    selection = {"recommended_k": 4, "rule": "highest silhouette",
                 "table": [{"k": k, "silhouette": 0.1 * k} for k in (2, 3, 4)]}
    app = create_app(survey_case.personas, selection=selection, theme="darkly")
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en" data-bs-theme="dark">' in page
    assert "<footer" not in page  # Dash's script footer is a <div>: the layout has the footer
    nodes = list(_walk(client.get("/_dash-layout").get_json()))
    assert [n["type"] for n in nodes].count("Footer") == 1
    regions = [n["props"] for n in nodes if "dash-personas-scroll" in
               str(n.get("props", {}).get("className", "")).split()]
    assert len(regions) == 2  # the profile table and the k-selection table
    assert all(r["tabIndex"] == 0 and r["role"] == "region" and r["aria-label"] for r in regions)
