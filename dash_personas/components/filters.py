"""``FilterPanel``: choose which respondents the personas describe, question by question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dash import dcc, html

__all__ = ["FILTER_TYPE", "FilterGroup", "FilterPanel", "filter_groups", "filter_id",
           "filters_from_ticks", "ticks_from_filters"]

#: ``type`` of the pattern-matching id of every filter checklist.
FILTER_TYPE = "dash-personas-filter"
#: Levels of an option column of a multiple-choice question (not ticked, ticked).
_TICK = ("0", "1")
_OPTION_SEPARATOR = " — "


def filter_id(key: str) -> dict[str, str]:
    """The id of the checklist ``key`` (its ``value`` is the list of ticked entries)."""
    return {"type": FILTER_TYPE, "column": key}


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
    return [FilterGroup(g.key, g.label, tuple(questions[g.label]), True) if g.every else g
            for g in groups]


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
    must have been chosen); a question with nothing ticked does not filter. Native
    checkboxes (keyboard and screen-reader friendly, no hidden focus targets); answer
    labels are rendered as text.

    Parameters
    ----------
    options : sequence of FilterOption
        The filterable columns (``PersonaFilter.options``).
    values : mapping of str to sequence of str, optional
        The initially ticked levels per column.
    heading : str
    **section_props
        Passed to the outer ``html.Section`` (``id``, ``className``...).
    """

    def __init__(self, options: Sequence[Any], values: Mapping[str, Sequence[str]] | None = None,
                 *, heading: str = "Filter respondents", **section_props: Any) -> None:
        groups = filter_groups(options)
        ticks = ticks_from_filters(groups, values or {})
        items = []
        for group, chosen in zip(groups, ticks):
            hint = " (each ticked one)" if group.every else ""
            # class names kept short: the panel is part of the first load
            items.append(html.Details([
                html.Summary(group.label + hint, className="fw-semibold text-truncate"),
                dcc.Checklist(
                    id=filter_id(group.key),
                    options=[{"label": label, "value": value}
                             for value, label, _, _ in group.entries],
                    value=chosen, inputClassName="form-check-input me-1",
                    labelClassName="d-block text-break"),
            ], className="dash-personas-filter small mb-2", open=bool(chosen)))
        section_props.setdefault("className", "dash-personas-filters border rounded-3 p-3 mt-3")
        super().__init__([
            html.H2(heading, className="h6 mb-2"),
            html.P("Tick answers to see the personas of those respondents only; every card "
                   "and chart is recomputed. Copy the address to share the view.",
                   className="small text-body-secondary mb-2"),
            html.Div(items, className="row row-cols-1 row-cols-sm-2 row-cols-lg-4 g-2"),
        ], **section_props)
