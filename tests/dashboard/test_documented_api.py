"""What README says a dashboard developer can use exists and works as it says (issue 13:
the selection's public id only in a docstring, ``PersonaCard`` missing from README, basic
auth undocumented), and every chart shows the bases."""

from __future__ import annotations

from pathlib import Path

import pytest

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    start = README.index(heading)
    return README[start:README.index("\n## ", start + 5)]


def test_readme_shows_how_to_read_the_selection_and_it_is_the_gallerys_store(survey_case):
    from dash import dcc

    from dash_personas.components import PersonaGallery

    section = _section("## 3. Dashboard developers")
    assert 'Input(PersonaGallery.selection_id("main", "main"), "data")' in section
    gallery = PersonaGallery(survey_case.personas, aio_id="main", group="main")
    stores = [c for c in gallery.children if isinstance(c, dcc.Store)]
    assert [s.id for s in stores] == [PersonaGallery.selection_id("main", "main")]


def test_readme_shows_persona_card_in_a_snippet_the_suite_runs():
    from test_components import _readme_components_snippet

    assert any("PersonaCard(" in code for code in _readme_components_snippet())


def test_readme_documents_basic_auth_as_serve_offers_it():
    from click.testing import CliRunner

    from dash_personas.cli import cli

    section = _section("## 3. Dashboard developers")
    for documented in ("DASH_PERSONAS_AUTH=team:s3cret dash-personas serve", "--auth-file",
                       "user:password", "--public", "HTTPS"):
        assert documented in section, documented
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "--auth-file" in help_text and "DASH_PERSONAS_AUTH" in help_text
    assert "--public" in help_text and "waitress" in help_text


@pytest.mark.parametrize("name", ["aspects_dots", "aspects_radar", "difference_heatmap",
                                  "segment_sizes", "segment_clv", "journey_mix",
                                  "category_shares"])
def test_every_chart_shows_every_personas_base(survey_case, name):
    from dash_personas import figures
    from dash_personas.personas import base_label

    personas = survey_case.personas
    make = getattr(figures, name)
    fig = make(personas, "age_band") if name == "category_shares" else make(personas)
    shown = fig.to_json().replace("<br>", " ")
    assert [p.name for p in personas if base_label(p) not in shown] == []


def test_the_dashboard_compares_scales_with_the_dot_plot_not_the_radar(survey_case):
    """README: the fourteen-spoke radar is kept for compatibility, the dashboard shows
    the dot plot instead (four overlapping shapes on fourteen spokes were unreadable)."""
    from dash import dcc

    from dash_personas.app import create_app
    from dash_personas.figures import aspects_dots

    app = create_app(survey_case.personas)
    graphs = []

    def walk(node):
        if isinstance(node, dcc.Graph):
            graphs.append(node)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            if child is not None and hasattr(child, "to_plotly_json"):
                walk(child)

    walk(app.layout)
    kinds = {trace["type"] if isinstance(trace, dict) else trace.type
             for g in graphs for trace in (g.figure["data"] if isinstance(g.figure, dict)
                                           else g.figure.data)}
    assert "scatterpolar" not in kinds
    dots = aspects_dots(survey_case.personas)
    titles = [g.figure["layout"]["title"]["text"] if isinstance(g.figure, dict)
              else g.figure.layout.title.text for g in graphs]
    assert dots.layout.title.text in titles
