"""Figures: pure Plotly functions, persona colours, highlighting, escaping, export."""

from __future__ import annotations

import pytest

from dash_personas import figures
from dash_personas.palette import OKABE_ITO, contrast_text, persona_colour


def test_radar_has_one_trace_per_persona_in_its_colour(survey_case):
    personas = survey_case.personas
    fig = figures.aspects_radar(personas)
    assert [t.meta for t in fig.data] == [p.id for p in personas]
    for i, (trace, persona) in enumerate(zip(fig.data, personas)):
        assert trace.line.color == persona_colour(i) == persona.colour
        assert list(trace.r[:-1]) == pytest.approx([s.std_diff for s in persona.aspects],
                                                   abs=1e-3)


def test_heatmap_values_are_standardised_differences(survey_case):
    personas = survey_case.personas
    fig = figures.difference_heatmap(personas, features=["clv", "at_price_focus"])
    z = fig.data[0].z
    assert len(z) == 2 and len(z[0]) == len(personas)
    clv = [next(d.std_diff for d in p.profile if d.feature == "clv") for p in personas]
    assert list(z[0]) == pytest.approx(clv, abs=1e-3)
    assert fig.data[0].zmid == 0
    assert fig.layout.meta["persona_ids"] == [p.id for p in personas]


def test_highlight_dims_the_others_and_outlines_heatmap_column(survey_case):
    personas = survey_case.personas
    fig = figures.segment_sizes(personas, selected="p2")
    assert [t.opacity for t in fig.data] == [figures.DIM_OPACITY, 1.0, figures.DIM_OPACITY,
                                             figures.DIM_OPACITY]
    figures.highlight_figure(fig, None)
    assert {t.opacity for t in fig.data} == {1.0}
    heat = figures.difference_heatmap(personas, selected="p3")
    (shape,) = [s for s in heat.layout.shapes if s.name == "highlight"]
    assert (shape.x0, shape.x1) == (1.5, 2.5)
    figures.highlight_figure(heat, None)
    assert not heat.layout.shapes


def test_category_shares_and_lift(survey_case):
    personas = survey_case.personas
    fig = figures.category_shares(personas, "age_band")
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == len(personas)
    first = [c for c in personas[0].categories if c.feature == "age_band"]
    assert list(bars[0].y) == pytest.approx([c.share for c in first])
    assert [row[0] for row in bars[0].customdata] == pytest.approx([c.lift for c in first])
    with pytest.raises(ValueError, match="no persona has a categorical feature"):
        figures.category_shares(personas, "nope")


def test_clv_journey_and_k_selection(survey_case):
    personas = survey_case.personas
    clv = figures.segment_clv(personas, theme="dark")
    assert [t.y[0] for t in clv.data] == pytest.approx([p.behaviour.clv for p in personas])
    journey = figures.journey_mix(personas)
    # one stacked bar trace per stage, in journey order; each persona's bar is its mix
    stages = personas[0].journey
    assert [t.name for t in journey.data] == [j.label for j in stages]
    assert [j.stage for j in stages] == ["awareness", "consideration", "purchase", "retention",
                                         "advocacy"]
    for trace, stage in zip(journey.data, stages):
        assert trace.orientation == "h"
        assert list(trace.y) == [p.name for p in personas]
        assert list(trace.x) == pytest.approx(
            [next(j.share for j in p.journey if j.stage == stage.stage) for p in personas])
    totals = [sum(t.x[i] for t in journey.data) for i in range(len(personas))]
    assert totals == pytest.approx([1.0] * len(personas))
    assert journey.layout.barmode == "stack"
    assert list(journey.layout.meta["persona_ids"]) == [p.id for p in personas]
    selection = {"recommended_k": 4, "table": [{"k": 3, "silhouette": 0.3, "stability": 0.9},
                                               {"k": 4, "silhouette": 0.4, "stability": 0.8}]}
    ksel = figures.k_selection(selection)
    assert [(list(t.x), list(t.y)) for t in ksel.data] == [([3, 4], [0.3, 0.4]),
                                                            ([3, 4], [0.9, 0.8])]


def test_dark_and_light_templates():
    light, dark = figures.theme_template("light"), figures.theme_template("dark")
    assert light.layout.font.color != dark.layout.font.color
    assert light.layout.paper_bgcolor == "rgba(0,0,0,0)"
    with pytest.raises(ValueError):
        figures.theme_template("blue")


def test_user_text_is_escaped_for_plotly(survey_case):
    evil = "<img src=x onerror=alert(1)>"
    people = [survey_case.personas[0].model_copy(update={"name": evil})]
    fig = figures.segment_sizes(people)
    assert fig.data[0].name == "&lt;img src=x onerror=alert(1)&gt;"


def test_palette_is_okabe_ito_and_readable():
    assert persona_colour(0) == OKABE_ITO[0] and persona_colour(8) == OKABE_ITO[0]
    assert contrast_text("#F0E442") == "#000000"
    assert contrast_text("#0072B2") == "#FFFFFF"


@pytest.mark.browser  # kaleido renders with the system Chromium
def test_export_png_and_svg(survey_case, tmp_path):
    from dash_personas.export import export_figure

    fig = figures.segment_sizes(survey_case.personas)
    png = export_figure(fig, tmp_path / "sizes.png", width=400, height=300, scale=1)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = export_figure(fig, tmp_path / "sizes.svg", width=400, height=300)
    assert b"<svg" in svg.read_bytes()[:500]
