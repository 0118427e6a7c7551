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
