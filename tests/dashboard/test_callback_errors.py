"""Crafted callback requests: no HTTP 500 and no traceback, one log line (Flask test client)."""

from __future__ import annotations

import json
import logging

import pytest
from _browser import layout_ids, walk_layout

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
    return [option["value"] for c in walk_layout(client.get("/_dash-layout").get_json())
            if c["props"].get("id") == "category-feature" for option in c["props"]["options"]]


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


# --- the filter / URL view callback and the study's page switch: crafted values ---


@pytest.fixture(scope="module")
def view_filters(view_client):
    """The view client with the filter panel's checklist and range-box ids."""
    client, dependency, layout = view_client
    return client, dependency, (layout_ids(layout, "dash-personas-filter"),
                                layout_ids(layout, "dash-personas-range"))


def _view_request(dependency, ids, search, ticked, current, changed):
    """The body the renderer posts to the view callback (URL, checklists, range boxes)."""
    filters, boxes = ids
    return {"output": dependency["output"],
            "outputs": [{"id": "persona-sections", "property": "children"},
                        [{"id": i, "property": "value"} for i in filters],
                        {"id": "view-note", "property": "children"},
                        {"id": "view-state", "property": "data"},
                        [{"id": i, "property": "value"} for i in boxes]],
            "inputs": [{"id": "view-location", "property": "search", "value": search},
                       [{"id": i, "property": "value", "value": ticked} for i in filters],
                       [{"id": i, "property": "value", "value": None} for i in boxes]],
            "state": [{"id": "view-state", "property": "data", "value": current},
                      {"id": "category-feature", "property": "value", "value": None}],
            "changedPropIds": [changed]}


CRAFTED_VIEWS = {
    "search not text": dict(search=7), "search a list": dict(search=["?persona=p1"]),
    "store a number": dict(current=5), "store a dict": dict(current={"filters": 3}),
    "ticks not a list": dict(ticked="Woman"), "ticks nested": dict(ticked=[["Woman"]]),
    "ticks a dict": dict(ticked=[{"x": 1}]),
}


@pytest.mark.parametrize("case", list(CRAFTED_VIEWS))
def test_crafted_view_requests_are_ignored_with_one_log_line(view_filters, case, caplog):
    client, dependency, ids = view_filters
    filters = ids[0]
    assert filters  # the page has checklists: the request below is a real one, altered
    values = {"search": "", "ticked": [], "current": "",
              **CRAFTED_VIEWS[case]}
    for changed in ("view-location.search", json.dumps(filters[0], sort_keys=True,
                                                       separators=(",", ":")) + ".value"):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = client.post("/_dash-update-component", json=_view_request(
                dependency, ids, changed=changed, **values))
        assert response.status_code == 204, response.get_data(as_text=True)[:300]
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(records) == 1 and records[0].exc_info is None
        assert "ignored a callback request" in records[0].getMessage()
    # the same request with the values the page sends is answered
    real = client.post("/_dash-update-component", json=_view_request(
        dependency, ids, "?f.gender=Woman", [], "", "view-location.search"))
    assert real.status_code == 200 and "persona-sections" in real.get_json()["response"]


@pytest.mark.parametrize("pathname", [7, {"a": 1}, ["/personas"]])
def test_crafted_study_page_requests_are_ignored(study_case, pathname, caplog):
    from dash_personas.app import create_study_app

    client = create_study_app(study_case, name=f"crafted-{type(pathname).__name__}") \
        .server.test_client()
    dependency = next(d for d in client.get("/_dash-dependencies").get_json()
                      if "study-page.children" in d["output"])

    def post(value):
        return client.post("/_dash-update-component", json={
            "output": dependency["output"],
            "outputs": [{"id": "study-page", "property": "children"},
                        {"id": "study-nav-tracking", "property": "active"},
                        {"id": "study-nav-personas", "property": "active"}],
            "inputs": [{"id": "study-location", "property": "pathname", "value": value}],
            "changedPropIds": ["study-location.pathname"]})

    with caplog.at_level(logging.INFO):
        assert post(pathname).status_code == 204
    assert [r.exc_info for r in caplog.records if r.levelno >= logging.WARNING] == [None]
    assert post("/personas").status_code == 200
