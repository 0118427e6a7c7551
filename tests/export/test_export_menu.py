"""The Export menu's route: files of the current view, visible errors, never a 500.

Requests go through each app's real Flask server (``app.server.test_client()``).
"""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np
import pytest
from _deck_case import EVIL

from dash_personas.app import create_app, create_study_app
from dash_personas.components import export_href, register_export_routes
from dash_personas.deck import deck_charts
from dash_personas.deliverables import profile_table_rows
from dash_personas.tracking_view import study_view

TODAY = date.today().isoformat()


def _csv(response):
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def app(deck_case):
    return create_app(deck_case.personas)


def test_the_csv_is_the_profile_table_the_page_shows(app, deck_case):
    response = app.server.test_client().get(export_href(app, "csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="personas-{TODAY}.csv"'
    rows = _csv(response)
    assert rows == profile_table_rows(deck_case.personas)
    assert rows[0] == ["Feature", *[p.name for p in deck_case.personas]]
    assert EVIL in rows[0]  # verbatim text
    assert rows[1][0] == "Share of respondents" and rows[2][0] == "Base"


def test_the_route_passes_the_page_query_to_personas_for(deck_case):
    seen = []

    def personas_for(query):
        seen.append({key: query.getlist(key) for key in query})
        wanted = query.getlist("persona") or [p.id for p in deck_case.personas]
        return deck_case.personas.model_copy(update={"personas": [
            p for p in deck_case.personas if p.id in wanted]})

    app = create_app(deck_case.personas)
    register_export_routes(app, personas_for)  # what the lead plugs the filters into
    first, third = deck_case.personas[0], deck_case.personas[2]
    response = app.server.test_client().get(
        export_href(app, "csv") + f"?persona={first.id}&persona={third.id}"
                                  "&f.gender=f&f.gender=m&wave=W2")
    assert response.status_code == 200
    assert seen == [{"persona": [first.id, third.id], "f.gender": ["f", "m"],
                     "wave": ["W2"]}]
    assert _csv(response)[0] == ["Feature", first.name, third.name]
    empty = app.server.test_client().get(export_href(app, "csv") + "?persona=nobody")
    assert empty.status_code == 409 and "no personas" in empty.get_data(as_text=True)


def test_the_png_stacks_the_charts_of_the_view(deck_case):
    from PIL import Image

    # without scales, CLV and journey: two charts (sizes and the heatmap), a quicker render
    plain = deck_case.personas.model_copy(update={"personas": [
        p.model_copy(update={"aspects": [], "journey": [], "behaviour": p.behaviour.model_copy(
            update={"clv": None})}) for p in deck_case.personas]})
    app = create_app(plain)
    response = app.server.test_client().get(
        export_href(app, "png") + f"?persona={plain[0].id}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    n_charts = len(deck_charts(plain))
    assert n_charts == 2
    assert image.width == 1800 and image.height == n_charts * 840 + (n_charts - 1) * 16


def test_errors_are_plain_messages_never_a_server_error(app, monkeypatch, tmp_path):
    client = app.server.test_client()
    unknown = client.get(export_href(app, "docx"))
    assert unknown.status_code == 404
    assert "pptx, pdf, png, csv" in unknown.get_data(as_text=True)
    bad_paper = client.get(export_href(app, "pdf") + "?paper=A5")
    assert bad_paper.status_code == 400 and "A4, Letter" in bad_paper.get_data(as_text=True)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    for fmt in ("pptx", "pdf", "png"):
        response = client.get(export_href(app, fmt))
        assert response.status_code == 503 and response.mimetype == "text/plain"
        assert "install Chromium" in response.get_data(as_text=True)


def test_the_study_dashboard_exports_the_personas_of_the_wave(study_path):
    app = create_study_app(study_path)
    client = app.server.test_client()
    response = client.get(export_href(app, "csv") + "?wave=W1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="personas-W1-{TODAY}.csv"'
    rows = _csv(response)
    assert EVIL_STUDY in rows[0]
    w1 = {s["persona"]: s["share"] for s in study_view(study_path).wave("W1").summary[
        "segments"]}
    assert rows[1][1:] == [f"{w1[name]:.1%}" for name in rows[0][1:]]  # the wave's shares
    missing = client.get(export_href(app, "csv") + "?wave=W9")
    assert missing.status_code == 400 and "no wave 'W9'" in missing.get_data(as_text=True)


def test_the_study_export_follows_the_filters_and_the_wave_of_the_page(study_path):
    """The "Personas now" page's URL (wave and filters) reaches the export route: the file
    holds the personas recomputed on that wave's filtered rows, and says which view."""
    from dash_personas.tracking import Study

    app = create_study_app(study_path, name="export-filtered")
    client = app.server.test_client()
    query = "?wave=W1&f.gender=Woman"
    rows = _csv(client.get(export_href(app, "csv") + query))
    with Study.open(study_path) as study:
        w1 = study.wave_data("W1")
        personas = study.personas(w1.segmentation_version)
    women = (w1.frame["gender"] == "Woman").to_numpy()
    segments = np.asarray(w1.segment)[women]
    names = {p.name: int(p.segment) for p in personas}
    shares = [f"{(segments == names[name]).mean():.1%}" for name in rows[0][1:]]
    assert rows[1] == ["Share of respondents", *shares]
    everyone = [f"{(np.asarray(w1.segment) == names[name]).mean():.1%}"
                for name in rows[0][1:]]
    assert shares != everyone  # the filter changed the numbers
    assert rows[-1] == ["View", f"Wave W1: {int(women.sum()):,} of {len(women):,} "
                                "respondents (Gender: Woman)"]
    # a wave without filters says the wave (the deck and sheet titles, the PNG subtitles
    # carry the same note: deliverable(note=...))
    unfiltered = _csv(client.get(export_href(app, "csv") + "?wave=W1"))
    assert unfiltered[-1] == ["View", f"Wave W1: {len(women):,} respondents"]
    assert unfiltered[1][1:] == everyone
    # without a wave, the latest: the wave the page shows first
    latest = _csv(client.get(export_href(app, "csv")))
    assert latest[-1][1].startswith("Wave W3: ")


def test_the_hooks_plugin_page_serves_the_same_route(deck_case, tmp_path):
    import dash
    import dash_personas_hooks
    from dash import html

    host = dash.Dash(__name__, requests_pathname_prefix="/host/",
                     routes_pathname_prefix="/host/")
    host.layout = html.Div("host")
    dash_personas_hooks.enable(host, personas=deck_case.personas_path)
    assert export_href(host, "csv") == "/host/_dash-personas/export/csv"
    response = host.server.test_client().get(export_href(host, "csv"))
    assert response.status_code == 200 and _csv(response)[0][1:] == [
        p.name for p in deck_case.personas]
    broken = dash.Dash(__name__)
    broken.layout = html.Div("host")
    dash_personas_hooks.enable(broken, personas=tmp_path / "missing.json")
    response = broken.server.test_client().get(export_href(broken, "csv"))
    assert response.status_code == 409


@pytest.fixture(scope="module")
def study_path(tmp_path_factory):
    from _study import build_study

    return build_study(tmp_path_factory.mktemp("menu-study") / "study.db")


from _study import EVIL as EVIL_STUDY  # noqa: E402
