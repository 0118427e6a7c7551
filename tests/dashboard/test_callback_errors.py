"""Crafted callback requests: no HTTP 500 and no traceback, one log line (Flask test client)."""

from __future__ import annotations

import json
import logging

import pytest

from dash_personas.app import create_app


@pytest.fixture(scope="module")
def client_and_dependency(survey_case):
    app = create_app(survey_case.personas)
    client = app.server.test_client()
    dependency = next(d for d in client.get("/_dash-dependencies").get_json()
                      if d["output"] == "category-chart.children")
    return client, dependency


def _request(dependency, feature, selected=None) -> dict:
    """The body the renderer posts when the answer-shares <select> changes."""
    return {"output": dependency["output"],
            "outputs": {"id": "category-chart", "property": "children"},
            "inputs": [{"id": "category-feature", "property": "value", "value": feature}],
            "state": [{"id": json.loads(dependency["state"][0]["id"]), "property": "data",
                       "value": selected}],
            "changedPropIds": ["category-feature.value"]}


def _offered_features(client) -> list[str]:
    """The values of the answer-shares <select> in the served layout."""
    found = []

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == "category-feature":
                found.extend(o["value"] for o in props["options"])
            walk(props.get("children"))

    walk(client.get("/_dash-layout").get_json())
    return found


@pytest.mark.parametrize("feature", ["no_such_feature", ["age_band"], {"x": 1}, None, 7,
                                     "<script>alert(1)</script>\nforged log line"])
def test_unknown_feature_is_ignored_with_one_log_line(client_and_dependency, feature, caplog):
    client, dependency = client_and_dependency
    with caplog.at_level(logging.INFO):
        response = client.post("/_dash-update-component", json=_request(dependency, feature))
    assert response.status_code == 204  # Dash's "nothing to update"
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1 and records[0].exc_info is None
    message = records[0].getMessage()
    assert "unknown feature" in message and "\n" not in message


def test_unknown_persona_is_ignored_and_a_real_request_answers(client_and_dependency,
                                                               survey_case, caplog):
    client, dependency = client_and_dependency
    feature = _offered_features(client)[-1]
    with caplog.at_level(logging.INFO):
        bogus = client.post("/_dash-update-component",
                            json=_request(dependency, feature, selected="p999"))
    assert bogus.status_code == 204
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "dash-personas: ignored a callback request for an unknown persona 'p999'"]
    real = client.post("/_dash-update-component",
                       json=_request(dependency, feature, selected=survey_case.personas[1].id))
    assert real.status_code == 200
    assert "category-chart" in real.get_json()["response"]
