"""Figures as plain dicts (``as_dict=True``, what the dashboard's callbacks build): valid
Plotly, the same figure as the ``go.Figure``, highlighted by the same rule."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from dash_personas import figures

CHARTS = {
    "aspects_dots": {}, "aspects_radar": {}, "difference_heatmap": {}, "segment_sizes": {},
    "segment_clv": {}, "journey_mix": {}, "category_shares": {"feature": "age_band"},
}


@pytest.mark.parametrize("name", sorted(CHARTS))
@pytest.mark.parametrize("theme", ["light", "darkly"])
def test_a_figure_dict_is_valid_plotly_and_the_same_figure(survey_case, name, theme):
    make = getattr(figures, name)
    selected = survey_case.personas[1].id
    spec = make(survey_case.personas, theme=theme, selected=selected, as_dict=True,
                **CHARTS[name])
    assert isinstance(spec, dict) and set(spec) == {"data", "layout"}
    # go.Figure validates every property: a misspelt or misplaced one raises here
    validated = go.Figure(spec, skip_invalid=False)
    figure = make(survey_case.personas, theme=theme, selected=selected, **CHARTS[name])
    assert isinstance(figure, go.Figure)
    assert validated.to_dict() == figure.to_dict()


def test_highlight_figure_takes_a_dict_and_a_figure_alike(survey_case):
    people = survey_case.personas
    third = people[2].id
    for make in (figures.segment_sizes, figures.difference_heatmap, figures.aspects_dots):
        spec = figures.highlight_figure(make(people, as_dict=True), third)
        figure = figures.highlight_figure(make(people), third)
        assert go.Figure(spec).to_dict() == figure.to_dict()
        opacities = [t.get("opacity") for t in spec["data"] if isinstance(t.get("meta"), str)]
        assert opacities in ([], [figures.DIM_OPACITY, figures.DIM_OPACITY, 1.0,
                                  figures.DIM_OPACITY])
    heat = figures.difference_heatmap(people, selected=third, as_dict=True)
    (outline,) = [s for s in heat["layout"]["shapes"]
                  if s["name"] == "highlight" and s["opacity"]]
    assert (outline["x0"], outline["x1"]) == (1.5, 2.5)
    figures.highlight_figure(heat, None)
    assert not [s for s in heat["layout"]["shapes"] if s["name"] == "highlight" and s["opacity"]]


def test_only_the_radar_carries_polar_axes_and_dicts_share_nothing(survey_case):
    people = survey_case.personas
    assert "polar" in figures.aspects_radar(people, as_dict=True)["layout"]["template"]["layout"]
    sizes = figures.segment_sizes(people, as_dict=True)
    assert "polar" not in sizes["layout"]["template"]["layout"]
    assert "polar" in figures.theme_template("light").layout  # the public template keeps it
    # two figures never share a nested dict: editing one leaves the other as it was
    other = figures.segment_sizes(people, as_dict=True)
    sizes["layout"]["template"]["layout"]["font"]["color"] = "#ff0000"
    sizes["layout"]["margin"]["t"] = 0
    assert other["layout"]["template"]["layout"]["font"]["color"] != "#ff0000"
    assert other["layout"]["margin"]["t"] > 0
