"""Figures: pure Plotly functions, persona colours, highlighting, escaping, export."""

from __future__ import annotations

import pytest

from dash_personas import figures
from dash_personas.palette import OKABE_ITO, contrast_text, persona_colour
from dash_personas.personas import format_amount


def test_radar_has_one_trace_per_persona_in_its_colour(survey_case):
    personas = survey_case.personas
    fig = figures.aspects_radar(personas)
    assert [t.meta for t in fig.data] == [p.id for p in personas]
    for i, (trace, persona) in enumerate(zip(fig.data, personas)):
        assert trace.line.color == persona_colour(persona) == persona_colour(i) == persona.colour
        assert list(trace.r[:-1]) == pytest.approx([s.std_diff for s in persona.aspects],
                                                   abs=1e-3)


def test_heatmap_values_are_standardised_differences(survey_case):
    personas = survey_case.personas
    fig = figures.difference_heatmap(personas, features=["clv", "at_price_focus"])
    z = fig.data[0].z
    assert len(z) == 2 and len(z[0]) == len(personas)
    clv = [next(d.std_diff for d in p.profile if d.feature == "clv") for p in personas]
    # rounded to the two decimals its hover shows
    assert list(z[0]) == pytest.approx(clv, abs=0.005)
    assert all(round(v, 2) == v for row in z for v in row if v is not None)
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
    # an outline per column, shown around the selected one only (by its opacity)
    outlines = [s for s in heat.layout.shapes if s.name == "highlight"]
    assert [(s.x0, s.x1) for s in outlines] == [(j - 0.5, j + 0.5) for j in range(4)]
    assert [s.opacity for s in outlines] == [0, 0, 1, 0]
    figures.highlight_figure(heat, None)
    assert [s.opacity for s in heat.layout.shapes if s.name == "highlight"] == [0] * 4
    assert {s.name for s in heat.layout.shapes} == {"highlight"}


def test_category_shares_and_lift(survey_case):
    personas = survey_case.personas
    fig = figures.category_shares(personas, "age_band")
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == len(personas)
    first = [c for c in personas[0].categories if c.feature == "age_band"]
    assert all(b.orientation == "h" for b in bars)
    assert list(bars[0].x) == pytest.approx([c.share for c in first], abs=5e-5)
    # rounded to the two decimals the hover shows
    assert [row[0] for row in bars[0].customdata] == pytest.approx([c.lift for c in first],
                                                                   abs=0.005)
    with pytest.raises(ValueError, match="no persona has a categorical feature"):
        figures.category_shares(personas, "nope")


def test_clv_journey_and_k_selection(survey_case):
    personas = survey_case.personas
    clv = figures.segment_clv(personas, theme="dark")
    assert [t.x[0] for t in clv.data] == pytest.approx([p.behaviour.clv for p in personas])
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
            [next(j.share for j in p.journey if j.stage == stage.stage) for p in personas],
            abs=5e-5)  # to the hundredth of a percent: finer than the hover's
    totals = [sum(t.x[i] for t in journey.data) for i in range(len(personas))]
    assert totals == pytest.approx([1.0] * len(personas), abs=5e-4)
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


# --- issue 13: colours bound to the persona, toolbar, numbers, dot plot, dark mode ---

PERSONA_FIGURES = ("aspects_radar", "aspects_dots", "segment_sizes", "segment_clv")


def _trace_colour(trace):
    if trace.type == "scatterpolar":
        return trace.line.color
    return trace.marker.color


def test_a_filtered_subset_keeps_each_personas_colour(survey_case):
    personas = survey_case.personas
    subset = [personas[1], personas[3]]  # a filter kept personas 2 and 4
    assert persona_colour(0) != personas[1].colour  # position would give the wrong colour
    for name in PERSONA_FIGURES:
        fig = getattr(figures, name)(subset)
        colours = {t.meta: _trace_colour(t) for t in fig.data if isinstance(t.meta, str)}
        assert colours == {p.id: p.colour for p in subset}, name
    shares = figures.category_shares(subset, "age_band")
    assert {t.meta: t.marker.color for t in shares.data if t.meta} == {
        p.id: p.colour for p in subset}


def test_persona_colour_takes_a_persona_a_position_or_a_name(survey_case):
    persona = survey_case.personas[2].model_copy(update={"colour": "#123456"})
    assert persona_colour(persona) == "#123456"
    assert persona_colour(9) == OKABE_ITO[1]
    assert persona_colour("Lapsed Lee") == persona_colour("Lapsed Lee") in OKABE_ITO
    assert {persona_colour(f"name {i}") for i in range(40)} == set(OKABE_ITO)
    with pytest.raises(TypeError):
        persona_colour(1.5)


def test_graph_config_keeps_only_the_png_download_off_the_title():
    config = figures.GRAPH_CONFIG
    assert config["modeBarButtons"] == [["toImage"]]
    assert config["toImageButtonOptions"]["format"] == "png"
    assert config["displayModeBar"] == "hover"
    assert config["displaylogo"] is False
    assert not config.get("showSendToCloud") and not config.get("showEditInChartStudio")


def test_titles_sit_under_the_toolbar_band_and_charts_do_not_drag(survey_case):
    personas = survey_case.personas
    for name in (*PERSONA_FIGURES, "difference_heatmap", "journey_mix"):
        fig = getattr(figures, name)(personas)
        title = fig.layout.title
        assert (title.x, title.xanchor, title.yref, title.yanchor) == (0, "left", "container",
                                                                       "top"), name
        assert title.pad.t >= figures.TOOLBAR_BAND, name
        lines = 1 + (title.subtitle.text or "").count("<br>") + (1 if title.subtitle.text
                                                                  else 0)
        assert fig.layout.margin.t >= figures.TOOLBAR_BAND + 14 * lines, name
        assert fig.layout.dragmode is False, name  # no zoom box or lasso on a bar chart


def test_clv_reads_as_amounts_on_a_scale_that_spreads_the_personas(survey_case):
    personas = survey_case.personas
    clvs = [p.behaviour.clv for p in personas]
    assert max(clvs) >= figures.CLV_LOG_RATIO * min(clvs)  # the flattening case
    fig = figures.segment_clv(personas)
    currency = personas[0].behaviour.currency
    assert [t.text[0] for t in fig.data] == [format_amount(v, currency) for v in clvs]
    assert all("e+" not in t.text[0] and "%{text}" in t.hovertemplate for t in fig.data)
    assert fig.layout.xaxis.type == "log" and "log scale" in fig.layout.xaxis.title.text
    assert fig.layout.xaxis.exponentformat == "none"
    # on the log axis the smallest persona is not squeezed next to the axis start
    low, high = fig.layout.xaxis.range
    import math

    positions = [(math.log10(v) - low) / (high - low) for v in clvs]
    assert min(positions) > 0.02 and max(positions) < 0.98
    assert sorted(positions)[1] - sorted(positions)[0] > 0.15
    (average,) = [a for a in fig.layout.annotations if a.name == "average"]
    assert average.text == "average " + format_amount(personas[0].behaviour.overall_clv,
                                                      currency)
    # close values: a linear axis that spans the values rather than starting at 0
    close = [p.model_copy(update={"behaviour": p.behaviour.model_copy(
        update={"clv": 1000.0 + 50 * i, "overall_clv": 1070.0})})
        for i, p in enumerate(personas)]
    linear = figures.segment_clv(close)
    assert linear.layout.xaxis.type != "log"
    assert linear.layout.xaxis.range[0] > 900


def test_clv_average_line_and_references_are_light_in_dark_mode(survey_case):
    personas = survey_case.personas
    for theme in ("dark", "darkly"):
        fig = figures.segment_clv(personas, theme=theme)
        (line,) = [s for s in fig.layout.shapes if s.name == "average"]
        (label,) = [a for a in fig.layout.annotations if a.name == "average"]
        assert _luminance(line.line.color) > 0.7 and _luminance(label.font.color) > 0.7
        shares = figures.category_shares(personas, "age_band", theme=theme)
        assert _luminance(shares.data[-1].marker.color) > 0.7  # "Everyone" diamonds
        heat = figures.difference_heatmap(personas, theme=theme, selected="p1")
        (outline,) = [s for s in heat.layout.shapes if s.name == "highlight" and s.opacity]
        assert _luminance(outline.line.color) > 0.7
    light = figures.segment_clv(personas)
    (line,) = [s for s in light.layout.shapes if s.name == "average"]
    assert _luminance(line.line.color) < 0.1


def _luminance(colour):
    from dash_personas.palette import _luminance as lum

    return lum(colour)


def test_every_figure_follows_a_bootstrap_theme_name(survey_case):
    personas = survey_case.personas
    assert figures.theme_template("darkly").layout.font.color == \
        figures.theme_template("dark").layout.font.color
    assert figures.theme_template("flatly").layout.font.color == \
        figures.theme_template("light").layout.font.color
    selection = {"recommended_k": 3, "table": [{"k": 3, "silhouette": 0.3}]}
    for name in (*PERSONA_FIGURES, "difference_heatmap", "journey_mix"):
        fig = getattr(figures, name)(personas, theme="darkly")
        assert _luminance(fig.layout.template.layout.font.color) > 0.7, name
    assert _luminance(figures.k_selection(selection, theme="darkly")
                      .layout.template.layout.font.color) > 0.7
    with pytest.raises(ValueError, match="Bootstrap theme name"):
        figures.segment_sizes(personas, theme="blue")


def test_dot_plot_shows_each_scale_per_persona_sorted_by_spread(survey_case):
    personas = survey_case.personas
    fig = figures.aspects_dots(personas)
    assert [t.meta for t in fig.data] == [p.id for p in personas]
    labels = list(fig.data[0].y)
    assert len(labels) == len(personas[0].aspects) == 14
    # scale names wrap onto two short lines (readable at phone width)
    assert all(len(line) <= figures.TICK_WIDTH for lab in labels for line in lab.split("<br>"))
    by_label = {p.id: {figures._lines(s.label, figures.TICK_WIDTH): s.std_diff
                       for s in p.aspects} for p in personas}
    for trace in fig.data:
        assert list(trace.x) == pytest.approx([by_label[trace.meta][lab] for lab in labels],
                                              abs=1e-3)
        assert trace.marker.color == personas[trace.meta].colour
    spreads = [max(v[lab] for v in by_label.values()) - min(v[lab] for v in by_label.values())
               for lab in labels]
    assert spreads == sorted(spreads, reverse=True)
    (average,) = [s for s in fig.layout.shapes if s.name == "average"]
    assert (average.x0, average.x1) == (0, 0)
    assert fig.layout.xaxis.title.text == "SD: standard deviations from the average"
    # highlight works like every persona chart
    figures.highlight_figure(fig, "p2")
    assert [t.opacity for t in fig.data] == [figures.DIM_OPACITY, 1.0, figures.DIM_OPACITY,
                                             figures.DIM_OPACITY]


def test_categories_without_a_feature_says_how_to_fix_it(survey_case):
    with pytest.raises(ValueError, match=r"pass feature=, e.g. feature='"):
        figures.category_shares(survey_case.personas)


def test_long_labels_are_clipped_in_charts_with_more_on_hover(survey_case):
    personas = survey_case.personas
    huge = "Très long libellé " * 600  # ~10,800 characters
    first = personas[0]
    categories = [c.model_copy(update={"level_label": huge}) if c.feature == "age_band" else c
                  for c in first.categories]
    profile = [d.model_copy(update={"label": huge}) for d in first.profile]
    people = [first.model_copy(update={"name": huge, "categories": categories,
                                       "profile": profile}), *personas.personas[1:]]
    makers = (figures.segment_sizes, figures.difference_heatmap,
              lambda p: figures.category_shares(p, "age_band"), figures.aspects_dots,
              figures.segment_clv)
    for make in makers:
        fig = make(people)
        payload = fig.to_json()
        # the label is never repeated in full (hovers show at most 300 characters of it)
        assert huge.strip()[:400] not in payload
        # unclipped, the label alone would add ~10,800 characters per row and per mention
        assert len(payload) < len(make(personas.personas).to_json()) + 100_000
        for trace in fig.data:
            for axis in ("x", "y"):
                values = getattr(trace, axis, None)
                if values is not None and isinstance(values[0], str):
                    # the heatmap's rows are their hover text (its ticks are shown), the
                    # feature name added to labels that several rows share
                    limit = figures.HOVER_LIMIT + 60 if trace.type == "heatmap" else 100
                    assert max(len(v) for v in values) <= limit
            assert len(trace.name or "") <= 60
    heat = figures.difference_heatmap(people)
    assert all("Très long libellé" in y for y in heat.data[0].y[:len(profile)])
    assert max(len(t) for t in heat.layout.yaxis.ticktext) <= 100
    assert not any("Très" in c for row in heat.data[0].customdata for c in row)


def test_heatmap_hover_names_each_row_once_and_ticks_show_the_option_first(survey_case):
    personas = survey_case.personas
    fig = figures.difference_heatmap(personas, as_dict=True)
    heat, yaxis = fig["data"][0], fig["layout"]["yaxis"]
    labels = {d.feature: d.label for p in personas for d in p.profile}
    # the hover's %{y} is the row's whole label, given once per row (not in every cell)
    assert "%{y}" in heat["hovertemplate"] and "%{x}" in heat["hovertemplate"]
    assert yaxis["tickvals"] == heat["y"] and len(set(heat["y"])) == len(heat["y"])
    assert [y.replace("<br>", " ") for y in heat["y"]] == [
        figures._t(label) for label in labels.values()]
    assert not any(label in cell for row in heat["customdata"] for cell in row
                   for label in labels.values())
    # ticks: the option that tells rows of one question apart comes first
    for label, tick in zip(labels.values(), yaxis["ticktext"]):
        question, _, option = label.rpartition(" — ")
        if question:
            assert tick.replace("<br>", " ").startswith(figures._t(option)[:10])


def test_tracking_charts_colour_a_persona_without_a_stored_colour_by_its_name():
    from dash_personas.study_figures import migration_sankey, share_timeline

    waves = [{"label": w, "segments": [
        {"persona": name, "share": share, "ci_low": share - 0.02, "ci_high": share + 0.02}
        for name, share in (("Ana", 0.6), ("Ben", 0.4))]} for w in ("Q1", "Q2")]
    timeline = share_timeline(waves, {"Ana": "#123456"})
    colours = {t.meta: t.line.color for t in timeline.data}
    assert colours == {"Ana": "#123456", "Ben": persona_colour("Ben")}
    # the Sankey lists Ben second on the left and first on the right: same colour
    sankey = migration_sankey({"from_wave": "Q1", "to_wave": "Q2", "personas": ["Ana", "Ben"],
                               "to_personas": ["Ben", "Ana"], "counts": [[1, 5], [4, 0]]},
                              {"Ana": "#123456"})
    nodes = dict(zip(sankey.data[0].node.label, sankey.data[0].node.color))
    assert nodes == {"Ana": "#123456", "Ben": persona_colour("Ben")}
