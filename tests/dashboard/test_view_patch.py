"""A filter change sends a Patch of what changed: applied as the browser applies it, the
patch turns the section shown into the new one (Flask test client, no browser)."""

from __future__ import annotations

import copy
import json

import pytest
from _browser import layout_ids

from dash_personas.app import create_app, persona_layout
from dash_personas.personas import PersonaFilter, refresh_sizes
from dash_personas.view_patch import patch_between, plain_tree


def _apply(value, operations):
    """The renderer's Assign / Delete operations (dash-renderer ``patchHandlers``)."""
    value = copy.deepcopy(value)
    for operation in operations:
        *parents, last = operation["location"]
        target = value
        for key in parents:
            target = target[key]
        if operation["operation"] == "Assign":
            target[last] = operation["params"]["value"]
        elif operation["operation"] == "Delete":
            del target[last]
        else:
            raise AssertionError(f"unexpected operation {operation['operation']}")
    return value


def _operations(patch):
    return json.loads(json.dumps(patch.to_plotly_json()["operations"], default=str))


def test_patch_between_small_trees():
    old = {"type": "Div", "namespace": "html", "props": {
        "children": [{"type": "Span", "namespace": "html", "props": {"children": "12%"}},
                     "a text that does not change " * 20],
        "title": "a title that does not change " * 20, "data-x": "1"}}
    new = copy.deepcopy(old)
    new["props"]["children"][0]["props"]["children"] = "15%"
    del new["props"]["data-x"]
    patch = patch_between(old, new)
    operations = _operations(patch)
    assert {tuple(o["location"]) for o in operations} == {
        ("props", "children", 0, "props", "children"), ("props", "data-x")}
    assert _apply(old, operations) == new
    assert _operations(patch_between(old, copy.deepcopy(old))) == []
    # a place whose patch would outweigh it (both props of a small component) is assigned
    small = {"type": "Span", "namespace": "html", "props": {"children": "1", "title": "2"}}
    changed = {"type": "Span", "namespace": "html", "props": {"children": "3", "title": "4"}}
    operations = _operations(patch_between([small, old], [changed, old]))
    assert operations == [{"operation": "Assign", "location": [0, "props"],
                           "params": {"value": changed["props"]}}]
    # a changed component type, or everything changed: the new value itself
    assert patch_between("a", "b") == "b"
    other = {**new, "type": "P"}
    assert patch_between(old, other) == other


def test_the_filtered_section_is_the_patched_one(survey_case):
    people = survey_case.personas
    source = PersonaFilter(people, survey_case.scores, survey_case.codebook)
    before = plain_tree(persona_layout(source.apply({}), "light", evidence=False))
    after = plain_tree(persona_layout(source.apply({"gender": ["Woman"]}), "light",
                                      evidence=False))
    patch = patch_between(before, after)
    operations = _operations(patch)
    assert _apply(before, operations) == json.loads(json.dumps(after))
    # the patch is the numbers, not the page: smaller than the section (most of it is
    # numbers), and the parts that do not depend on the filter (section titles, the
    # feature selector) not in it
    assert len(json.dumps(operations)) < 0.9 * len(json.dumps(after))
    assert not any("How the personas compare" in json.dumps(o["params"]) for o in operations)
    assert not any("category-feature" in json.dumps(o["params"]) for o in operations)


@pytest.fixture(scope="module")
def view_client(survey_case):
    app = create_app(survey_case.personas, survey_case.scores)
    client = app.server.test_client()
    dependency = next(d for d in client.get("/_dash-dependencies").get_json()
                      if "persona-sections.children" in d["output"])
    return client, dependency, client.get("/_dash-layout").get_json()


def _sections(layout):
    def walk(node):
        if isinstance(node, list):
            return next((found for child in node if (found := walk(child)) is not None), None)
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == "persona-sections":
                return props["children"]
            return walk(props.get("children"))
        return None

    return walk(layout)


def test_the_view_callback_answers_a_filter_change_with_a_patch(view_client, survey_case):
    """The request the page sends when "Woman" is ticked: the response patches the
    section the browser shows into the filtered view, keeping the chosen answer chart."""
    client, dependency, layout = view_client
    filters = layout_ids(layout, "dash-personas-filter")
    boxes = layout_ids(layout, "dash-personas-range")
    gender = next(i for i in filters if i["column"] == "gender")
    feature = "region"

    def request(ticked, current, changed, feature=None):
        return {"output": dependency["output"],
                "outputs": [{"id": "persona-sections", "property": "children"},
                            [{"id": i, "property": "value"} for i in filters],
                            {"id": "view-note", "property": "children"},
                            {"id": "view-state", "property": "data"},
                            [{"id": i, "property": "value"} for i in boxes]],
                "inputs": [{"id": "view-location", "property": "search", "value": ""},
                           [{"id": i, "property": "value",
                             "value": ticked if i == gender else []} for i in filters],
                           [{"id": i, "property": "value", "value": None} for i in boxes]],
                "state": [{"id": "view-state", "property": "data", "value": current},
                          {"id": "category-feature", "property": "value", "value": feature}],
                "changedPropIds": [json.dumps(changed, sort_keys=True,
                                              separators=(",", ":")) + ".value"]}

    response = client.post("/_dash-update-component",
                           json=request(["Woman"], "", gender)).get_json()["response"]
    assert response["view-state"]["data"] == "f.gender=Woman"
    sections = response["persona-sections"]["children"]
    assert sections["__dash_patch_update"] == "__dash_patch_update"
    shown = _apply(_sections(layout), sections["operations"])
    # the source create_app builds (the personas recounted on the data, no codebook)
    source = PersonaFilter(refresh_sizes(survey_case.personas, survey_case.scores),
                           survey_case.scores)
    expected = plain_tree(persona_layout(source.apply({"gender": ["Woman"]}), "light",
                                         evidence=False))
    assert shown == json.loads(json.dumps(expected))
    # with another answer chart chosen, the patch keeps it (and undoes the filter)
    back = client.post("/_dash-update-component", json=request(
        [], "f.gender=Woman", gender, feature)).get_json()["response"]
    with_feature = plain_tree(persona_layout(source.apply({"gender": ["Woman"]}), "light",
                                             evidence=False, feature=feature))
    restored = _apply(json.loads(json.dumps(with_feature)),
                      back["persona-sections"]["children"]["operations"])
    assert restored == json.loads(json.dumps(plain_tree(persona_layout(
        source.apply({}), "light", evidence=False, feature=feature))))
