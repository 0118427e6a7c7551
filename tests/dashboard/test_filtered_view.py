"""A filter change answers with the whole persona section, node for node what the
section of the filtered personas is (Flask test client, no browser)."""

from __future__ import annotations

import gc
import json

import pytest
from _browser import layout_ids

from dash_personas._collection import collection_paused
from dash_personas.app import persona_layout
from dash_personas.browser_json import plain_tree
from dash_personas.personas import PersonaFilter, refresh_sizes


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


def _post(view_client, column, ticked, current, feature=None):
    """The request the page sends when the answers ``ticked`` of ``column`` are ticked."""
    client, dependency, layout = view_client
    filters = layout_ids(layout, "dash-personas-filter")
    boxes = layout_ids(layout, "dash-personas-range")
    changed = next(i for i in filters if i["column"] == column)
    body = {"output": dependency["output"],
            "outputs": [{"id": "persona-sections", "property": "children"},
                        [{"id": i, "property": "value"} for i in filters],
                        {"id": "view-note", "property": "children"},
                        {"id": "view-state", "property": "data"},
                        [{"id": i, "property": "value"} for i in boxes]],
            "inputs": [{"id": "view-location", "property": "search", "value": ""},
                       [{"id": i, "property": "value",
                         "value": ticked if i == changed else []} for i in filters],
                       [{"id": i, "property": "value", "value": None} for i in boxes]],
            "state": [{"id": "view-state", "property": "data", "value": current},
                      {"id": "category-feature", "property": "value", "value": feature}],
            "changedPropIds": [json.dumps(changed, sort_keys=True, separators=(",", ":"))
                               + ".value"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def test_a_filtered_section_is_the_section_of_the_filtered_personas(view_client, survey_case):
    """Ticking "Woman" answers with the whole section (no Patch): every card, chart and
    table of the personas recomputed on the women's rows."""
    response = _post(view_client, "gender", ["Woman"], "")
    assert response["view-state"]["data"] == "f.gender=Woman"
    sections = response["persona-sections"]["children"]
    assert isinstance(sections, list) and "__dash_patch_update" not in json.dumps(sections)
    # the source create_app builds (the personas recounted on the data, no codebook)
    source = PersonaFilter(refresh_sizes(survey_case.personas, survey_case.scores),
                           survey_case.scores)
    women = source.apply({"gender": ["Woman"]})
    assert 0 < women.n_respondents < len(survey_case.scores)
    assert sections == json.loads(json.dumps(plain_tree(
        persona_layout(women, "light", evidence=False))))
    # and they are not the whole data set's
    assert json.dumps(_sections(view_client[2])[:3]) != json.dumps(sections)


def test_unticking_restores_the_first_section_with_the_chosen_chart(view_client, survey_case):
    """Back to every respondent, with another answer chart chosen: the section the page
    opened with (the personas as built), showing that chart."""
    _post(view_client, "gender", ["Woman"], "")
    response = _post(view_client, "gender", [], "f.gender=Woman", feature="region")
    assert response["view-state"]["data"] == ""
    sections = response["persona-sections"]["children"]
    people = refresh_sizes(survey_case.personas, survey_case.scores)
    assert sections == json.loads(json.dumps(plain_tree(persona_layout(
        people, "light", evidence=False, feature="region"))))
    # the gallery and the profile table are the first ones, the answer chart is not
    first = _sections(view_client[2])
    assert len(sections) == len(first)
    assert sections[0] == first[0] and sections[2] == first[2] and sections[1] != first[1]


def test_collection_paused_restores_the_collector():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():  # nested (another request of a threaded server)
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # a host that runs without the collector keeps it off
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("a failing callback")
    assert gc.isenabled()


def test_overlapping_requests_keep_the_collector_off_until_the_last_ends():
    first, second = collection_paused(), collection_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first request ends while the second runs
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
