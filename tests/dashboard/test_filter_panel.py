"""The filter panel: one checklist per question, ticks <-> filters both ways."""

from __future__ import annotations

from dash_personas.components import FilterPanel
from dash_personas.components.filters import (
    filter_groups,
    filters_from_ticks,
    ticks_from_filters,
)
from dash_personas.personas import FilterOption

OPTIONS = [
    FilterOption("gender", "Gender", ("Woman", "Man"), ("Woman", "Man")),
    FilterOption("channels__store", "Where do you buy? — In a shop", ("0", "1"),
                 ("not selected", "selected")),
    FilterOption("channels__app", "Where do you buy? — In the app", ("0", "1"),
                 ("not selected", "selected")),
    FilterOption("tenure", "Customer for", ("lt_1", "gt_1"), ("< 1 year", "> 1 year")),
]


def test_options_of_a_multiple_choice_question_share_one_checklist():
    groups = filter_groups(OPTIONS)
    assert [g.label for g in groups] == ["Gender", "Where do you buy?", "Customer for"]
    channels = groups[1]
    assert channels.every and [e[1] for e in channels.entries] == ["In a shop", "In the app"]
    assert not groups[0].every and [e[1] for e in groups[2].entries] == ["< 1 year",
                                                                          "> 1 year"]


def test_ticks_and_filters_convert_both_ways():
    groups = filter_groups(OPTIONS)
    ticks = [["Man", "Woman"], ["channels__app"], []]
    filters = filters_from_ticks(groups, ticks)
    assert filters == {"gender": ["Woman", "Man"], "channels__app": ["1"]}
    assert ticks_from_filters(groups, filters) == [["Woman", "Man"], ["channels__app"], []]
    assert filters_from_ticks(groups, [None, None, None]) == {}


def test_panel_labels_are_text_and_ticks_are_restored():
    evil = FilterOption("region", "<b>Region</b>", ("<i>N</i>",), ("<script>x</script>",))
    panel = FilterPanel([evil, *OPTIONS], values={"channels__store": ["1"]})
    text = str(panel.to_plotly_json())
    assert "<script>x</script>" in text  # a plain string prop, rendered as text by React
    checklists = [c for c in _walk(panel) if type(c).__name__ == "Checklist"]
    assert [c.value for c in checklists] == [[], [], ["channels__store"], []]


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            yield from _walk(child)


SPEND = FilterOption("spend", "Spend per visit", (), (), kind="range", minimum=2.5,
                     maximum=480.0)
AGE = FilterOption("age", "Age in years", (), (), kind="range", minimum=18, maximum=90,
                   whole=True)


def test_a_range_option_gets_two_labelled_number_boxes():
    from dash_personas.components.filters import RANGE_TYPE, range_options

    panel = FilterPanel([*OPTIONS, SPEND, AGE], values={"age": ["30..45"]})
    assert range_options([*OPTIONS, SPEND, AGE]) == [SPEND, AGE]
    assert len(filter_groups([*OPTIONS, SPEND, AGE])) == 3  # no checklist for a range
    boxes = [c for c in _walk(panel) if isinstance(getattr(c, "id", None), dict)
             and c.id["type"] == RANGE_TYPE]
    assert [(b.id["column"], b.id["bound"], b.type, b.value) for b in boxes] == [
        ("spend", "from", "number", None), ("spend", "to", "number", None),
        ("age", "from", "number", 30), ("age", "to", "number", 45)]
    assert [b.step for b in boxes] == ["any", "any", 1, 1]
    labels = {c.html_for: c.children for c in _walk(panel) if type(c).__name__ == "Label"}
    import json
    for box in boxes:
        dom_id = json.dumps(box.id, sort_keys=True, separators=(",", ":"))
        assert labels[dom_id] == {"from": "From", "to": "To"}[box.id["bound"]]


def test_number_boxes_and_filters_convert_both_ways():
    from dash_personas.components.filters import bounds_from_filters, filters_from_bounds

    ranges = [SPEND, AGE]
    assert filters_from_bounds(ranges, [10, 99.5, None, 65]) == {"spend": ["10..99.5"],
                                                                  "age": ["..65"]}
    assert bounds_from_filters(ranges, {"spend": ["10..99.5"], "age": ["..65"]}) == [
        10.0, 99.5, None, 65]
    # empty boxes, a low above the high, text: no filter
    assert filters_from_bounds(ranges, [None, None, 70, 30]) == {}
    assert filters_from_bounds(ranges, ["", "x", None, None]) == {}
    assert bounds_from_filters(ranges, {"spend": ["oops"]}) == [None] * 4


RANKS = [FilterOption(f"rank_{code}", f"Rank these from most to least important when you "
                      f"choose what to buy. — {label}", ("1", "2", "3"), ("1st", "2nd", "3rd"))
         for code, label in (("price", "Price"), ("quality", "Quality"))]


def _summaries(panel):
    return [c for c in _walk(panel) if type(c).__name__ == "Summary"]


def test_options_of_one_question_read_by_what_tells_them_apart():
    # the two ranking checklists come together, after the first question they follow
    options = [RANKS[0], *OPTIONS[:1], RANKS[1], *OPTIONS[1:]]
    groups = filter_groups(options)
    assert [g.key for g in groups] == ["rank_price", "rank_quality", "gender",
                                       "question:Where do you buy?", "tenure"]
    panel = FilterPanel(options)
    stems = [c for c in _walk(panel) if "dash-personas-filter-stem" in
             (getattr(c, "className", "") or "")]
    # the shared question once, as the heading of its options
    assert [s.children for s in stems] == [
        "Rank these from most to least important when you choose what to buy."]
    by_text = {s.children: s for s in _summaries(panel) if isinstance(s.children, str)}
    for option in RANKS:
        summary = by_text[option.label.rpartition(" — ")[2]]
        assert summary.title == option.label  # the whole label on hover
    # the checklists are in the order the callback reads their values
    checklists = [c.id["column"] for c in _walk(panel) if type(c).__name__ == "Checklist"]
    assert checklists == [g.key for g in groups]
    # a short label that fits needs no title
    assert not hasattr(by_text["Gender"], "title") or by_text["Gender"].title is None


def test_panel_is_one_control_with_the_number_of_active_filters():
    from dash_personas.components.filters import PANEL_TYPE, active_count

    panel = FilterPanel([*OPTIONS, SPEND, AGE], id="filters",
                        values={"gender": ["Woman"], "age": ["30..45"]})
    (details,) = [c for c in _walk(panel) if type(c).__name__ == "Details"
                  and isinstance(getattr(c, "id", None), dict) and c.id["type"] == PANEL_TYPE]
    assert details.open is True  # open without JavaScript; closed on phones at load
    summary = details.children[0]
    (count,) = [c for c in _walk(summary) if isinstance(getattr(c, "id", None), dict)]
    assert count.children == "(2 active)"
    assert active_count([["Woman"], [], None], [None, None, 30, 45]) == 2
    assert active_count([], ["", None, "x", None]) == 0


def test_panel_callbacks_run_in_the_browser():
    import dash

    from dash_personas.components.filters import register_filter_callbacks

    app = dash.Dash("panel")
    app.layout = FilterPanel(OPTIONS, id="filters")
    register_filter_callbacks(app)
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    outputs = sorted(d["output"] for d in deps)
    assert len(outputs) == 2 and all(d["clientside_function"] for d in deps)
    assert any(".children" in o for o in outputs) and any(".open" in o for o in outputs)
