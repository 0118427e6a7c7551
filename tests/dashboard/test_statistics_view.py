"""Base sizes, significance marks and small-base greying where people look."""

from __future__ import annotations

import pytest
from test_persona_view import dash_tree, parse_html, text

from dash_personas.components import PersonaCard
from dash_personas.components.card import MUTED_COLOUR
from dash_personas.personas import (
    FeatureDiff,
    Persona,
    PersonaSet,
    ProfileStatistics,
    ScaleScore,
    base_label,
    build_personas,
    comparison_view,
    gallery_view,
    persona_card_html,
    persona_view,
    personas_html,
    statistics_legend,
)


def _persona(**update) -> Persona:
    fields = dict(
        id="p1", segment=0, name="Small Sam", size=12, share=0.04, colour="#0072B2",
        aspects=[ScaleScore(scale="thrift", label="Thrift", mean=1.0, overall_mean=0.0,
                            std_diff=1.2, p_adjusted=0.001, significant=True),
                 ScaleScore(scale="trust", label="Trust", mean=0.0, overall_mean=0.0,
                            std_diff=-0.4, p_adjusted=0.6)],
        profile=[FeatureDiff(feature="thrift", label="Thrift", mean=1.0, overall_mean=0.0,
                             std_diff=1.2, significant=True)])
    fields.update(update)
    return Persona(**fields)


def test_base_label_says_whether_it_is_weighted():
    assert base_label(_persona(size=412, base=412.0)) == "n = 412"
    assert base_label(_persona(size=412, base=380.4, weighted=True)) == \
        "effective n = 380 (weighted)"
    assert base_label(_persona(size=1234)) == "n = 1,234"  # an old file without a base


def test_view_marks_significant_bars_and_greys_small_bases():
    view = persona_view(_persona(small_base=True))
    assert view.small_base and "Small base (n = 12)" in view.warning
    thrift, trust = view.section("differences").bars
    assert thrift.value == "+1.2 SD*" and thrift.significant
    assert "significant difference" in thrift.description
    assert trust.value == "-0.4 SD" and not trust.significant
    assert thrift.muted and trust.muted and "small base" in trust.description
    plain = persona_view(_persona(size=500, base=500.0))
    assert not plain.small_base and plain.warning == ""
    assert not any(b.muted for b in plain.section("differences").bars)
    assert plain.base_text == "n = 500"


def test_small_base_is_greyed_in_the_dash_card_and_the_html_card():
    small = _persona(small_base=True)
    card = dash_tree(PersonaCard(small))
    (outer,) = card.find(lambda n: "dash-personas-card" in n.attrs.get("class", ""))
    assert "dash-personas-small-base" in outer.attrs["class"]
    assert "text-body-secondary" in outer.attrs["class"]
    (warning,) = card.find(lambda n: n.attrs.get("data-small-base") == "true")
    assert "Small base" in text(warning)
    fills = [n.attrs["style"] for n in card.walk() if "backgroundColor" in n.attrs.get("style", "")]
    assert len(fills) == 2 and all(f"backgroundColor:{MUTED_COLOUR}" in f for f in fills)
    # the unweighted base is the size the header gives: it is not repeated
    assert [text(n) for n in card.find(lambda n: "dash-personas-base"
                                        in n.attrs.get("class", ""))] == []
    (size,) = card.find(lambda n: "dash-personas-size" in n.attrs.get("class", ""))
    assert text(size).endswith(" 12 respondents")

    html = parse_html(persona_card_html(small))
    (section,) = html.find(lambda n: n.tag == "section")
    assert "dash-personas-small-base" in section.attrs["class"]
    assert MUTED_COLOUR in section.attrs["style"]
    assert html.find(lambda n: n.attrs.get("data-small-base") == "true")
    assert len(html.find(lambda n: n.attrs.get("data-muted") == "true")) == 2

    normal = _persona(size=300, base=300.0)
    assert not dash_tree(PersonaCard(normal)).find(
        lambda n: n.attrs.get("data-small-base") == "true")
    assert "dash-personas-small-base" not in persona_card_html(normal)
    marked = parse_html(persona_card_html(normal)).find(
        lambda n: n.attrs.get("data-significant") == "true")
    assert len(marked) == 1 and "Thrift" in text(marked[0])


def test_comparison_and_gallery_carry_bases_marks_and_the_legend():
    stats = ProfileStatistics(weighted=True, correction="fdr_bh", n_tests=40, min_base=50)
    people = PersonaSet(personas=[_persona(small_base=True, base=10.5, weighted=True),
                                  _persona(id="p2", name="Big Bo", size=900, base=700.0,
                                           weighted=True)], statistics=stats)
    comparison = comparison_view(people)
    assert comparison.bases == ("effective n = 10 (weighted)", "effective n = 700 (weighted)")
    (row,) = [r for r in comparison.rows if r.label == "Thrift"]
    assert [c.text for c in row.cells] == ["+1.20*", "+1.20*"]
    assert [c.muted for c in row.cells] == [True, False]
    legend = statistics_legend(people)
    assert "Benjamini–Hochberg's method across 40 tests" in legend
    assert "effective base under 50" in legend
    assert comparison.legend == gallery_view(people).legend == legend
    document = personas_html(people)
    assert "effective n = 700 (weighted)" in document
    assert "Benjamini–Hochberg" in document
    assert "Holm's method" in statistics_legend([_persona()])  # defaults without a set


def test_built_personas_flag_a_small_segment_everywhere(blobs_case):
    X, model = blobs_case
    labels = model.labels_.copy()
    labels[:8] = 7
    personas = build_personas(labels, X)
    tiny = next(p for p in personas if p.segment == 7)
    assert tiny.small_base and tiny.base == 8 and tiny.size == 8
    assert all(d.small_base for d in tiny.profile)
    assert not any(p.small_base for p in personas if p.segment != 7)
    assert personas.statistics.n_tests > 0 and personas.statistics.correction == "holm"
    assert any(d.significant for p in personas for d in p.profile)
    relaxed = build_personas(labels, X, min_base=5, correction="fdr_bh")
    assert not any(p.small_base for p in relaxed)
    for p in personas:
        for d in p.profile:
            assert d.significant == (d.p_adjusted < 0.05)
            assert d.p_adjusted >= d.p_value - 1e-15


@pytest.mark.parametrize("detail", ["full", "compact"])
def test_base_on_every_card_once(survey_case, detail):
    for persona in survey_case.personas:
        card = dash_tree(PersonaCard(persona, detail=detail))
        (size,) = card.find(lambda n: "dash-personas-size" in n.attrs.get("class", ""))
        assert text(size).endswith(f" · {persona.size:,} respondents")
        assert not card.find(lambda n: "dash-personas-base" in n.attrs.get("class", ""))
        (header,) = (text(n) for n in card.find(lambda n: n.tag == "cardheader"))
        assert header.count(f"{persona.size:,}") == 1


def test_a_base_that_is_not_the_size_gets_its_own_badge():
    weighted = _persona(size=412, base=380.4, weighted=True)
    recounted = _persona(size=5_000, base=412.0)  # sizes recounted on other data
    for persona, base in ((weighted, "effective n = 380 (weighted)"), (recounted, "n = 412")):
        view = persona_view(persona)
        assert view.badges == (view.size_text, base) and not view.base_is_size
        for card in (dash_tree(PersonaCard(persona)), parse_html(persona_card_html(persona))):
            (badge,) = card.find(lambda n: "dash-personas-base" in n.attrs.get("class", ""))
            assert text(badge) == base
    same = persona_view(_persona(size=412, base=412.0))
    assert same.base_is_size and same.badges == (same.size_text,)


@pytest.fixture(scope="module")
def weighted_with_a_small_segment(blobs_case):
    import numpy as np

    X, model = blobs_case
    labels = model.labels_.copy()
    labels[:15] = 7
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    return build_personas(labels, X, sample_weight=weights)


def test_heatmap_marks_significance_veils_small_bases_and_names_the_test(
        weighted_with_a_small_segment):
    from dash_personas import figures

    personas = weighted_with_a_small_segment
    fig = figures.difference_heatmap(personas)
    heat = fig.data[0]
    features = [d.feature for d in personas[0].profile]
    for j, persona in enumerate(personas):
        assert heat.x[j].endswith(base_label(persona).replace("effective", "eff.")
                                  + (" ⚠" if persona.small_base else ""))
        for i, feature in enumerate(features):
            diff = next(d for d in persona.profile if d.feature == feature)
            assert heat.text[i][j].endswith("*") == diff.significant
    small = [j for j, p in enumerate(personas) if p.small_base]
    assert len(small) == 1
    veils = [s for s in fig.layout.shapes if s.name == "small-base"]
    assert [(v.x0, v.x1) for v in veils] == [(small[0] - 0.5, small[0] + 0.5)]
    legend = fig.layout.title.subtitle  # under the title: clear of the chart's edges
    assert "Holm's method" in legend.text and "effective base under 30" in legend.text
    figures.highlight_figure(fig, personas[0].id)
    figures.highlight_figure(fig, None)  # clearing the highlight keeps the veil
    assert [s.name for s in fig.layout.shapes if s.name != "highlight"] == ["small-base"]
    assert not [s for s in fig.layout.shapes if s.name == "highlight" and s.opacity]


def test_every_chart_shows_the_bases_and_hatches_small_ones(weighted_with_a_small_segment):
    from dash_personas import figures

    personas = weighted_with_a_small_segment
    small = next(p for p in personas if p.small_base)
    feature = personas[0].categories[0].feature
    for fig in (figures.aspects_radar(personas), figures.category_shares(personas, feature)):
        note = fig.layout.title.subtitle.text.replace("<br>", " ")
        for persona in personas:
            assert f"{persona.name} {base_label(persona)}" in note
        assert "(small base)" in note
    sizes = figures.segment_sizes(personas)
    for trace, persona in zip(sizes.data, personas):
        assert base_label(persona) in trace.text[0]
        assert (trace.marker.pattern.shape == "/") == persona.small_base
    bars = [t for t in figures.category_shares(personas, feature).data if t.type == "bar"]
    for trace, persona in zip(bars, personas):
        rows = [c for c in persona.categories if c.feature == feature]
        assert list(trace.text) == ["*" if c.significant else "" for c in rows]
        assert base_label(persona) in trace.hovertemplate
    radar = figures.aspects_radar(personas)
    assert {t.line.dash for t in radar.data if t.meta == small.id} == {"dot"}
    from dash_personas.components import PersonaChart

    described = " ".join(text(n) for n in dash_tree(PersonaChart(personas, "heatmap")).walk()
                         if n.tag == "p")
    for persona in personas:
        assert f"{persona.name}: {persona.share:.0%} ({base_label(persona)}" in described
    assert f"({base_label(small)}, small base: do not read)" in described


def test_profile_table_shows_bases_marks_greying_and_the_legend(weighted_with_a_small_segment):
    from dash_personas.app import profile_table

    personas = weighted_with_a_small_segment
    tree = dash_tree(profile_table(personas))
    rows = [[text(c) for c in r.elements()] for r in tree.find(lambda n: n.tag == "tr")]
    base_row = next(r for r in rows if r[0] == "Base")
    assert base_row[1:] == [base_label(p) + (" (small base)" if p.small_base else "")
                            for p in personas]
    first = personas[0].profile[0]
    row = next(r for r in rows if r[0] == first.label)
    assert row[1].endswith("*") == first.significant
    assert any(cell.endswith("*") for r in rows for cell in r[1:])
    small = [i for i, p in enumerate(personas) if p.small_base]
    greyed = {i for r in tree.find(lambda n: n.tag == "tr")
              for i, c in enumerate(r.elements()[1:]) if c.attrs.get("data-small-base")}
    assert greyed == set(small)
    (legend,) = tree.find(lambda n: "dash-personas-legend" in n.attrs.get("class", ""))
    assert text(legend) == statistics_legend(personas)


def test_personas_files_without_the_statistics_still_load(survey_case):
    import json

    raw = json.loads(survey_case.personas.to_json())
    raw.pop("statistics")
    for persona in raw["personas"]:
        for key in ("base", "weighted", "small_base", "typical_rule", "typical_share"):
            persona.pop(key)
        for item in (*persona["aspects"], *persona["profile"], *persona["categories"]):
            for key in ("p_adjusted", "significant", "small_base"):
                item.pop(key)
    old = PersonaSet.from_json(json.dumps(raw))
    view = persona_view(old[0])
    assert view.base_text == f"n = {old[0].size:,}" and not view.small_base
    assert not any(bar.significant for bar in view.section("differences").bars)
    assert "Holm's method across all tests" in statistics_legend(old)
