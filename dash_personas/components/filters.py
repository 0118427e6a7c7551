"""``FilterPanel``: choose which respondents the personas describe, question by question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

__all__ = ["FILTER_TYPE", "FilterPanel", "filter_id"]

#: ``type`` of the pattern-matching id of every filter checklist.
FILTER_TYPE = "dash-personas-filter"


def filter_id(column: str) -> dict[str, str]:
    """The id of the checklist of ``column`` (its ``value`` is the list of chosen levels)."""
    return {"type": FILTER_TYPE, "column": column}


class FilterPanel(html.Section):
    """One collapsible checklist per question: tick the answers respondents must have.

    Within a question any ticked answer qualifies; across questions all must match;
    a question with nothing ticked does not filter. Native checkboxes (keyboard and
    screen-reader friendly, no hidden focus targets); answer labels are rendered as
    text.

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
        values = values or {}
        items = []
        for option in options:
            chosen = [str(v) for v in values.get(option.column, ())]
            items.append(html.Details([
                html.Summary(option.label, className="small fw-semibold text-truncate",
                             title=option.label),
                dcc.Checklist(
                    id=filter_id(option.column),
                    options=[{"label": label, "value": level}
                             for level, label in zip(option.levels, option.level_labels)],
                    value=chosen, className="small mt-1",
                    inputClassName="form-check-input me-1",
                    labelClassName="form-check-label d-block text-break"),
            ], className="dash-personas-filter col-12 col-sm-6 col-lg-3 mb-2",
               open=bool(chosen)))
        section_props.setdefault("className", "dash-personas-filters border rounded-3 p-3 mt-3")
        super().__init__([
            html.H2(heading, className="h6 mb-2"),
            html.P("Tick answers to see the personas of those respondents only; every card "
                   "and chart is recomputed. Copy the address to share the view.",
                   className="small text-body-secondary mb-2"),
            html.Div(items, className="row g-2"),
        ], **section_props)
