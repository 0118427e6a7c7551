"""``FilterPanel``: choose which respondents the personas describe, question by question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from ..labels import TEXT_LIMIT, clip_label, split_option
from ..personas import format_range, parse_range

__all__ = ["FILTER_TYPE", "PANEL_TYPE", "RANGE_BOUNDS", "RANGE_TYPE", "FilterGroup",
           "FilterPanel", "active_count", "bounds_from_filters", "filter_groups", "filter_id",
           "filters_from_bounds", "filters_from_ticks", "range_id", "range_options",
           "register_filter_callbacks", "ticks_from_filters"]

#: ``type`` of the pattern-matching id of every filter checklist.
FILTER_TYPE = "dash-personas-filter"
#: ``type`` of the pattern-matching id of every number box of a range filter.
RANGE_TYPE = "dash-personas-range"
#: ``type`` of the pattern-matching ids of a panel's own parts (its ``<details>`` and
#: its "n active" count).
PANEL_TYPE = "dash-personas-filter-panel"
#: The ``bound`` of a range's two number boxes, in page order.
RANGE_BOUNDS = ("from", "to")
#: Levels of an option column of a multiple-choice question (not ticked, ticked).
_TICK = ("0", "1")
_OPTION_SEPARATOR = " — "


def filter_id(key: str) -> dict[str, str]:
    """The id of the checklist ``key`` (its ``value`` is the list of ticked entries)."""
    return {"type": FILTER_TYPE, "column": key}


def range_id(column: str, bound: str) -> dict[str, str]:
    """The id of the number box ``bound`` (``"from"`` or ``"to"``) of a range filter."""
    return {"type": RANGE_TYPE, "column": column, "bound": bound}


def _dom_id(component: dict[str, str]) -> str:
    """The DOM id Dash gives a dict id (keys sorted, compact JSON), for ``<label for>``."""
    import json

    return json.dumps(component, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class FilterGroup:
    """One checklist of the panel.

    Attributes
    ----------
    key : str
        Its id's ``column``: the filter column, or ``question:<label>`` for the option
        columns of one multiple-choice question.
    label : str
    entries : tuple of (value, label, column, level)
        Each checkbox: its value, its label, and the filter it stands for.
    every : bool
        The ticked entries must all hold (the options of one multiple-choice question,
        each its own column); otherwise any of them (the answers of one question).
    """

    key: str
    label: str
    entries: tuple[tuple[str, str, str, str], ...]
    every: bool = False


def filter_groups(options: Sequence[Any]) -> list[FilterGroup]:
    """The checklists of ``options`` (``PersonaFilter.options``): one per question.

    The 0/1 option columns of a multiple-choice question (``"Channels — In a shop"``)
    share one checklist, one box per option: ticking it keeps those who chose it.
    """
    groups: list[FilterGroup] = []
    questions: dict[str, list[tuple[str, str, str, str]]] = {}
    for option in options:
        if getattr(option, "kind", "levels") == "range":
            continue
        question, _, answer = option.label.rpartition(_OPTION_SEPARATOR)
        if option.levels == _TICK and question:
            if question not in questions:
                questions[question] = []
                groups.append(FilterGroup(f"question:{question}", question, (), every=True))
            questions[question].append((option.column, answer, option.column, _TICK[1]))
            continue
        groups.append(FilterGroup(option.column, option.label, tuple(
            (level, label, option.column, level)
            for level, label in zip(option.levels, option.level_labels))))
    groups = [FilterGroup(g.key, g.label, tuple(questions[g.label]), True) if g.every else g
              for g in groups]
    # the options of one ranking or grid question (a checklist each) side by side,
    # where the first of them is: the panel names their shared question once
    stems = [question if option else g.key for g in groups for question, option in [_stem(g)]]
    first = {stem: stems.index(stem) for stem in stems}
    return [g for _, g in sorted(zip(stems, groups), key=lambda t: first[t[0]])]


def _stem(group: FilterGroup) -> tuple[str, str]:
    """The question and the option of a checklist that is one option of a ranking or grid
    question ("Rank these ... — Price"); ``(label, "")`` for any other."""
    return (group.label, "") if group.every else split_option(group.label)


def active_count(ticks: Sequence[Sequence[str] | None], bounds: Sequence[Any] = ()) -> int:
    """How many questions filter: checklists with a tick, ranges with a bound.

    Parameters
    ----------
    ticks : sequence
        Each checklist's ticked values (``None`` for none).
    bounds : sequence
        Two values per range (from, to), in page order.
    """
    ranges = [bounds[i:i + 2] for i in range(0, len(bounds), 2)]
    return sum(bool(t) for t in ticks) + sum(any(_number(v) is not None for v in pair)
                                             for pair in ranges)


def _count_text(n: int) -> str:
    return f"({n} active)"


def range_options(options: Sequence[Any]) -> list[Any]:
    """The range options of ``options`` (numeric columns with many values), in order."""
    return [o for o in options if getattr(o, "kind", "levels") == "range"]


def filters_from_bounds(ranges: Sequence[Any], bounds: Sequence[Any]
                        ) -> dict[str, list[str]]:
    """Column -> ``["low..high"]`` from the number boxes' values.

    ``bounds`` holds two values per option of ``ranges`` (from, to), in page order; an
    empty box leaves that side open, two empty boxes (or a low above the high) set no
    filter.
    """
    filters: dict[str, list[str]] = {}
    for i, option in enumerate(ranges):
        low, high = (_number(v) for v in bounds[2 * i:2 * i + 2])
        if (low is not None or high is not None) and (
                low is None or high is None or low <= high):
            filters[option.column] = [format_range(low, high)]
    return filters


def bounds_from_filters(ranges: Sequence[Any], filters: Mapping[str, Sequence[str]]
                        ) -> list[float | None]:
    """The number boxes' values (two per option of ``ranges``) that show ``filters``."""
    values: list[float | None] = []
    for option in ranges:
        chosen = list(filters.get(option.column, ()))
        bounds = parse_range(chosen[0]) if len(chosen) == 1 else None
        low, high = bounds or (None, None)
        values += [_shown(low, option), _shown(high, option)]
    return values


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _shown(value: float | None, option: Any) -> float | int | None:
    if value is None:
        return None
    return int(value) if option.whole and value == int(value) else value


def filters_from_ticks(groups: Sequence[FilterGroup],
                       ticks: Sequence[Sequence[str] | None]) -> dict[str, list[str]]:
    """Column -> levels from the ticked values of every checklist (in ``groups`` order)."""
    filters: dict[str, list[str]] = {}
    for group, ticked in zip(groups, ticks):
        chosen = set(ticked or ())
        for value, _, column, level in group.entries:
            if value in chosen:
                filters.setdefault(column, []).append(level)
    return filters


def ticks_from_filters(groups: Sequence[FilterGroup],
                       filters: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """The ticked values of every checklist that show ``filters``."""
    return [[value for value, _, column, level in group.entries
             if level in filters.get(column, ())] for group in groups]


class FilterPanel(html.Section):
    """One collapsible checklist per question: tick the answers respondents must have.

    Within a question any ticked answer qualifies; across questions all must match (the
    options of a multiple-choice question are questions of their own: every ticked one
    must have been chosen); a question with nothing ticked does not filter. A numeric
    question with many values (age in years, spend, minutes) gets two labelled number
    boxes, "From" and "To" (bounds included; an empty box leaves that side open).
    Native checkboxes and number inputs (keyboard and screen-reader friendly, no hidden
    focus targets); answer labels are rendered as text.

    Parameters
    ----------
    options : sequence of FilterOption
        The filterable columns (``PersonaFilter.options``).
    values : mapping of str to sequence of str, optional
        The initially ticked levels per column (``["low..high"]`` for a range).
    heading : str
    **section_props
        Passed to the outer ``html.Section`` (``id``, ``className``...).
    """

    def __init__(self, options: Sequence[Any], values: Mapping[str, Sequence[str]] | None = None,
                 *, heading: str = "Filter respondents", **section_props: Any) -> None:
        groups = filter_groups(options)
        ticks = ticks_from_filters(groups, values or {})
        items: list[Any] = []
        stems = [_stem(g) for g in groups]
        shared = {q for q, option in stems if option and sum(q == s for s, _ in stems) > 1}
        said = None
        for group, chosen, (question, option) in zip(groups, ticks, stems):
            hint = " (each ticked one)" if group.every else ""
            grouped = question in shared and bool(option)
            if said is not None and (not grouped or question != said):
                items.append(_end_of_group())
                said = None
            if grouped:
                if question != said:  # the question the next checklists share, said once
                    items.append(html.P(clip_label(question, TEXT_LIMIT),
                                        className="w-100 small fw-semibold mb-0 "
                                                  "dash-personas-filter-stem",
                                        **_whole(clip_label(question, TEXT_LIMIT), question)))
                    said = question
                summary = option
            else:
                summary = group.label + hint
            # class names kept short: the panel is part of the first load; the summary
            # is cut to one line, its title says it whole
            items.append(html.Details([
                # a label of any length: clipped (the DOM and the layout stay small)
                html.Summary(clip_label(summary, TEXT_LIMIT),
                             className="fw-semibold text-truncate",
                             **_whole(summary, group.label + hint)),
                dcc.Checklist(
                    id=filter_id(group.key),
                    options=[{"label": clip_label(label, TEXT_LIMIT), "value": value}
                             for value, label, _, _ in group.entries],
                    value=chosen, inputClassName="form-check-input me-1",
                    labelClassName="d-block text-break"),
            ], className="dash-personas-filter small mb-2", open=bool(chosen)))
        if said is not None:
            items.append(_end_of_group())
        ranges = range_options(options)
        bounds = bounds_from_filters(ranges, values or {})
        for i, option in enumerate(ranges):
            items.append(_range_item(option, bounds[2 * i:2 * i + 2]))
        panel = str(section_props.get("id", "filters"))
        section_props.setdefault("className", "dash-personas-filters border rounded-3 p-3 mt-3")
        super().__init__(html.Details([
            # one control on a phone ("Filter respondents (2 active)"), opened on wider
            # screens when the page loads (register_filter_callbacks)
            html.Summary([html.H2(heading, className="h6 d-inline"), " ",
                          html.Span(_count_text(active_count(ticks, bounds)),
                                    id={"type": PANEL_TYPE, "part": "count", "panel": panel},
                                    className="small text-body-secondary")],
                         className="dash-personas-filters-toggle"),
            html.P("Tick answers (or give a range of numbers) to see the personas of those "
                   "respondents only; every card and chart is recomputed. Copy the address "
                   "to share the view.",
                   className="small text-body-secondary my-2"),
            html.Div(items, className="row row-cols-1 row-cols-sm-2 row-cols-lg-4 g-2"),
        ], id={"type": PANEL_TYPE, "part": "details", "panel": panel}, open=True),
            **section_props)


def _end_of_group() -> html.Div:
    """The end of a question's group of checklists: the next item starts a new line."""
    return html.Div(className="w-100 m-0 p-0")


#: The width (px) from which the panel opens at page load: Bootstrap's ``md``.
OPEN_FROM_PX = 768

_COUNT_JS = """
function(ticks, bounds) {
    const number = (v) => v !== null && v !== undefined && v !== '' && isFinite(Number(v));
    let n = ticks.filter(t => t && t.length).length;
    for (let i = 0; i + 1 < bounds.length; i += 2) {
        if (number(bounds[i]) || number(bounds[i + 1])) { n += 1; }
    }
    return window.dash_clientside.callback_context.outputs_list.map(() => `(${n} active)`);
}
"""

_OPEN_JS = """
function(ids) {
    const wide = window.matchMedia('(min-width: OPEN_FROM_PXpx)').matches;
    return ids.map(() => wide);
}
""".replace("OPEN_FROM_PX", str(OPEN_FROM_PX))


def register_filter_callbacks(app: dash.Dash) -> None:
    """Register the panel's browser callbacks on ``app`` (once per app).

    The "n active" count follows the ticks and number boxes; at page load the panel is
    open on screens from :data:`OPEN_FROM_PX` wide and closed (one "Filter respondents
    (n active)" line) on phones. Both run in the browser, with no server request.
    """
    from dash import ALL, Input, Output

    from .callbacks import compact_js

    app.clientside_callback(
        compact_js(_COUNT_JS),
        Output({"type": PANEL_TYPE, "part": "count", "panel": ALL}, "children"),
        Input({"type": FILTER_TYPE, "column": ALL}, "value"),
        Input({"type": RANGE_TYPE, "column": ALL, "bound": ALL}, "value"),
        prevent_initial_call=True)
    app.clientside_callback(
        compact_js(_OPEN_JS),
        Output({"type": PANEL_TYPE, "part": "details", "panel": ALL}, "open"),
        Input({"type": PANEL_TYPE, "part": "details", "panel": ALL}, "id"))


#: Characters of a summary that surely fit its one line (a quarter of a desktop page,
#: half of a phone); a longer one may be cut, so its ``title`` gives it whole.
_FITS = 28


def _whole(shown: str, full: str) -> dict[str, str]:
    return {"title": full} if shown != full or len(full) > _FITS else {}


def _range_item(option: Any, bounds: Sequence[Any]) -> html.Details:
    """The two number boxes of a range filter, each with its visible label."""
    def number(value: float) -> str:
        return f"{value:,.15g}"

    boxes = []
    for bound, value, text in zip(RANGE_BOUNDS, bounds, ("From", "To")):
        box_id = range_id(option.column, bound)
        boxes.append(html.Div([
            dbc.Label(text, html_for=_dom_id(box_id), className="mb-0 me-1"),
            # debounce: recomputed when the box is left or Enter pressed, not per digit
            dbc.Input(id=box_id, type="number", value=value, min=option.minimum,
                      max=option.maximum, step=1 if option.whole else "any", debounce=True,
                      size="sm", inputmode="numeric" if option.whole else "decimal",
                      className="dash-personas-range-input"),
        ], className="d-flex align-items-center"))
    chosen = any(v is not None for v in bounds)
    return html.Details([
        html.Summary(clip_label(option.label, TEXT_LIMIT), className="fw-semibold text-truncate",
                     **_whole(option.label, option.label)),
        html.P(f"{number(option.minimum)} to {number(option.maximum)} in the data",
               className="text-body-secondary mb-1"),
        html.Div(boxes, className="d-flex gap-2"),
    ], className="dash-personas-filter dash-personas-range small mb-2", open=chosen)
