"""A study dashboard after a re-fit: "Personas now" shows the current segmentation's
personas, with a wave assigned under the older one re-assigned and a note saying so."""

from __future__ import annotations

import csv
import io
import json
import shutil

import numpy as np
import pytest

from dash_personas import ViewState
from dash_personas.app import create_study_app
from dash_personas.components import export_href
from dash_personas.tracking import Study
from dash_personas.tracking_view import study_view


@pytest.fixture(scope="module")
def refitted(study_case, tmp_path_factory):
    """A copy of the three-wave study, re-fitted after its last wave (version 2)."""
    path = tmp_path_factory.mktemp("refit-view") / "study.db"
    shutil.copy(study_case, path)
    with Study.open(path) as study:
        study.refit(k=4, n_init=2)
    return path


def test_personas_now_are_the_current_segmentations(refitted):
    view = study_view(refitted)
    assert view.current_version == 2
    assert [view.reassigned(label) for label in view.labels] == [1, 1, 1]
    shown = view.view_source().personas(ViewState())
    current = view.personas[2]
    assert [p.id for p in shown] == [p.id for p in current]
    assert [p.name for p in shown] == [p.name for p in current]
    with Study.open(refitted) as study:
        data = study.wave_data("W3")
        model = study.model(2)
    segment = model.predict(data.frame[list(model.feature_names_in_)])
    assert [p.size for p in shown] == [int((segment == int(p.segment)).sum()) for p in shown]
    assert shown.n_respondents == len(data.frame)
    note = view.reassigned_note("W3")
    assert "Wave W3 was assigned under segmentation v1" in note and "v2" in note


def _personas_page(app) -> str:
    client = app.server.test_client()
    dependency = next(d for d in client.get("/_dash-dependencies").get_json()
                      if "study-page.children" in d["output"])
    response = client.post("/_dash-update-component", json={
        "output": dependency["output"],
        "outputs": [{"id": "study-page", "property": "children"},
                    {"id": "study-nav-tracking", "property": "active"},
                    {"id": "study-nav-personas", "property": "active"}],
        "inputs": [{"id": "study-location", "property": "pathname", "value": "/personas"}],
        "changedPropIds": ["study-location.pathname"]})
    assert response.status_code == 200
    return json.dumps(response.get_json()["response"]["study-page"]["children"])


def test_the_page_and_its_exports_say_the_wave_was_re_assigned(refitted):
    app = create_study_app(refitted, name="refit-view")
    page = _personas_page(app)
    assert '"data-view-note": "version"' in page
    assert "Wave W3 was assigned under segmentation v1" in page
    current = study_view(refitted).personas[2]
    assert all(json.dumps(p.name)[1:-1] in page for p in current)
    response = app.server.test_client().get(export_href(app, "csv") + "?wave=W2")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][1:] == [p.name for p in current]
    assert rows[-1][0] == "View" and "Wave W2 was assigned under segmentation v1" in rows[-1][1]


def test_a_study_without_a_re_fit_has_no_version_note(study_case):
    view = study_view(study_case)
    assert view.reassigned() is None and view.reassigned_note() == ""
    page = _personas_page(create_study_app(study_case, name="no-refit-view"))
    assert '"data-view-note": "version"' not in page
    assert np.all([view.wave(label).segmentation_version == 1 for label in view.labels])
