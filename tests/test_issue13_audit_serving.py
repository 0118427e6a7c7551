"""Issue 13, re-checked from the server's side: every callback of every page answers a
crafted request with "no update" (and a log line), never an HTTP 500 and a traceback.

The issue saw one case (the answer-shares chart asked for an unknown feature); the
tests here post, to every server callback of the persona dashboard (with and without
respondent rows), the study dashboard (both pages) and the hooks plugin's page, the
request the page itself would send with one value at a time replaced by what a page
never sends (numbers, lists, dicts, a 20,000-character text, markup). Requests go
through each app's real Flask server (``app.server.test_client()``).
"""

from __future__ import annotations

import copy
import json
import logging

import pytest
from _browser import walk_layout
from _issue13 import id_key, study, survey

from dash_personas.app import create_app, create_study_app

#: Values no page sends where the page sends a string, a list of strings or a bool.
CRAFTED = [7, True, {"x": 1}, ["a"], [["a"]], [{"x": 1}], "x" * 20_000,
           "<script>alert(1)</script>\nforged log line"]


def _parts(output: str) -> list[tuple[str, str]]:
    """``(id, property)`` of each output of a ``/_dash-dependencies`` entry."""
    specs = output[2:-2].split("...") if output.startswith("..") else [output]
    return [tuple(spec.rsplit(".", 1)) for spec in specs]


def _entry(id_text: str, prop: str, props_of: dict[str, dict], match: dict) -> object:
    """The request entry of one dependency id, with the page's value: a dict, or a list
    of them for an ``ALL`` wildcard (every matching id of the page)."""
    if not id_text.startswith("{"):
        return {"id": id_text, "property": prop, "value": props_of.get(id_text, {}).get(prop)}
    pattern = json.loads(id_text)
    fixed = {k: v for k, v in pattern.items() if not isinstance(v, list)}
    wild = {k: v[0] for k, v in pattern.items() if isinstance(v, list)}
    found = []
    for key, props in props_of.items():
        if not key.startswith("{"):
            continue
        concrete = json.loads(key)
        if set(concrete) != set(pattern) or any(concrete[k] != v for k, v in fixed.items()):
            continue
        if any(w == "MATCH" and match.setdefault(k, concrete[k]) != concrete[k]
               for k, w in wild.items()):
            continue
        found.append({"id": concrete, "property": prop, "value": props.get(prop)})
    if "ALL" in wild.values():
        return found
    assert found, f"no component of the page matches {id_text}"
    return found[0]


def _output(entry: dict) -> dict:
    return {"id": entry["id"], "property": entry["property"]}


def _page_request(dependency: dict, components: list[dict]) -> dict:
    """The body the renderer posts for ``dependency`` with the page's current values."""
    props_of = {id_key(c["props"]["id"]): c["props"] for c in components if "id" in c["props"]}
    match: dict = {}
    inputs = [_entry(i["id"], i["property"], props_of, match) for i in dependency["inputs"]]
    state = [_entry(s["id"], s["property"], props_of, match) for s in dependency["state"]]
    outputs = []
    for id_text, prop in _parts(dependency["output"]):
        entry = _entry(id_text, prop, props_of, match)
        outputs.append([_output(e) for e in entry] if isinstance(entry, list)
                       else _output(entry))
    first = inputs[0][0] if isinstance(inputs[0], list) else inputs[0]
    return {"output": dependency["output"],
            "outputs": outputs if dependency["output"].startswith("..") else outputs[0],
            "inputs": inputs, "state": state,
            "changedPropIds": [f"{id_key(first['id'])}.{first['property']}"]}


def _server_callbacks(client) -> list[dict]:
    return [d for d in client.get("/_dash-dependencies").get_json()
            if d.get("clientside_function") is None]


def _crafted_requests(dependency: dict, components: list[dict]):
    """``(what, body)``: the page's request with one input or state value replaced."""
    base = _page_request(dependency, components)
    for where in ("inputs", "state"):
        for position, entry in enumerate(base[where]):
            if isinstance(entry, list) and not entry:
                continue
            for value in CRAFTED:
                body = copy.deepcopy(base)
                target = body[where][position]
                (target[0] if isinstance(target, list) else target)["value"] = value
                yield f"{dependency['output'][:50]} {where}[{position}]={value!r:.30}", body


def _check_every_callback(client, components, caplog) -> int:
    """Post every crafted request; return how many were posted."""
    posted, failures = 0, []
    for dependency in _server_callbacks(client):
        # the page's own request is answered (the crafted ones below alter a real one)
        real = client.post("/_dash-update-component", json=_page_request(dependency,
                                                                         components))
        assert real.status_code in (200, 204), (dependency["output"], real.status_code)
        for what, body in _crafted_requests(dependency, components):
            caplog.clear()
            with caplog.at_level(logging.INFO):
                response = client.post("/_dash-update-component", json=body)
            posted += 1
            tracebacks = [r for r in caplog.records if r.exc_info is not None]
            if response.status_code >= 500 or tracebacks:
                failures.append((what, response.status_code))
    assert failures == []
    return posted


@pytest.fixture(scope="module")
def with_rows():
    """The persona dashboard with respondent rows (the filter panel): client, components."""
    case = survey()
    client = create_app(case.personas, case.scores, name="audit13-crafted-rows") \
        .server.test_client()
    return client, list(walk_layout(client.get("/_dash-layout").get_json()))


def test_every_callback_of_the_persona_dashboard_with_rows(with_rows, caplog):
    client, components = with_rows
    # the answer-shares chart (it reads the filtered view's store) and the view callback
    assert len(_server_callbacks(client)) == 2
    assert _check_every_callback(client, components, caplog) > 50


def test_every_callback_of_the_persona_dashboard_without_rows(caplog):
    app = create_app(survey().personas, name="audit13-crafted-plain")
    client = app.server.test_client()
    components = list(walk_layout(client.get("/_dash-layout").get_json()))
    assert _check_every_callback(client, components, caplog) > 10


def test_every_callback_of_both_study_pages(caplog):
    app = create_study_app(study(), name="audit13-crafted-study")
    client = app.server.test_client()
    layout = client.get("/_dash-layout").get_json()
    page = next(d for d in _server_callbacks(client) if "study-page.children" in d["output"])
    body = _page_request(page, list(walk_layout(layout)))
    body["inputs"][0]["value"] = app.get_relative_path("/personas")
    personas_page = client.post("/_dash-update-component", json=body).get_json()
    components = list(walk_layout([layout, personas_page["response"]]))
    # the migration Sankey, the page switch, the answer-shares chart, the view
    assert len(_server_callbacks(client)) == 4
    assert _check_every_callback(client, components, caplog) > 80


def test_every_callback_of_the_hooks_plugin_page(caplog):
    import dash
    import dash_personas_hooks
    from dash import html

    case = survey()
    host = dash.Dash("audit13-crafted-host")
    host.layout = html.Div("host")
    dash_personas_hooks.enable(host, personas=case.personas_file, data=case.scores_file)
    client = host.server.test_client()
    components = list(walk_layout(client.get("/_dash-layout").get_json()))
    assert _check_every_callback(client, components, caplog) >= len(CRAFTED)


@pytest.mark.parametrize("view", [5, {"filters": 3}, ["?f.gender=Woman"]])
def test_the_answer_shares_chart_ignores_a_crafted_view_store(with_rows, view, caplog):
    """Found by this audit: with respondent rows, the answer-shares chart reads the view
    store and a number or a dict there was an HTTP 500 (``'int' object has no attribute
    'lstrip'``)."""
    client, components = with_rows
    chart = next(d for d in _server_callbacks(client) if d["output"] == "category-chart.children")
    body = _page_request(chart, components)
    assert body["state"][1]["id"] == "view-state"
    body["state"][1]["value"] = view
    with caplog.at_level(logging.INFO):
        response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 204
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1 and records[0].exc_info is None
    assert "ignored a callback request" in records[0].getMessage()
    body["state"][1]["value"] = "?f.gender=Woman"  # what the page sends is answered
    assert client.post("/_dash-update-component", json=body).status_code == 200
