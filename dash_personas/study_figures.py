"""Plotly figures of a tracking study: the share timeline and the migration Sankey.

Pure functions over the JSON document of a study report (``StudyReport.to_dict()``,
``Migration.to_dict()``), usable with or without Dash. A persona keeps the colour it has
on its card and in every other chart (``Persona.colour``); persona names are escaped
before they reach Plotly, whose text supports a few HTML-like tags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from .figures import _layout, _rgba, _t
from .palette import persona_colour

__all__ = ["migration_sankey", "share_timeline", "timeline_series", "wave_marker"]

#: Name of the shape that marks the selected wave on the timeline.
WAVE_MARKER = "selected-wave"


def timeline_series(waves: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each persona's share per wave, in the order personas first appear.

    Parameters
    ----------
    waves : sequence of mapping
        ``StudyReport.to_dict()["waves"]``.

    Returns
    -------
    list of dict
        ``{"persona", "waves", "shares", "ci_low", "ci_high"}`` per persona name; a
        persona absent from a wave (another segmentation version) has no point there.
    """
    series: dict[str, dict[str, Any]] = {}
    for wave in waves:
        for segment in wave["segments"]:
            entry = series.setdefault(segment["persona"], {
                "persona": segment["persona"], "waves": [], "shares": [], "ci_low": [],
                "ci_high": []})
            entry["waves"].append(wave["label"])
            for key in ("share", "ci_low", "ci_high"):
                entry["shares" if key == "share" else key].append(segment[key])
    return list(series.values())


def wave_marker(label: str | None) -> list[dict[str, Any]]:
    """The layout shapes marking wave ``label`` on a categorical x axis (none for None)."""
    if label is None:
        return []
    return [{"type": "line", "name": WAVE_MARKER, "xref": "x", "yref": "paper",
             "x0": label, "x1": label, "y0": 0, "y1": 1,
             "line": {"color": "rgba(128,128,128,0.7)", "width": 2, "dash": "dot"}}]


def share_timeline(waves: Sequence[Mapping[str, Any]], colours: Mapping[str, str], *,
                   selected_wave: str | None = None, theme: str = "light",
                   title: str | None = "Persona shares wave by wave") -> go.Figure:
    """Each persona's share per wave with its 95 % confidence interval.

    Parameters
    ----------
    waves : sequence of mapping
        ``StudyReport.to_dict()["waves"]``, oldest first.
    colours : mapping of str to str
        Persona name -> colour (its card colour); a name without one gets
        :func:`~dash_personas.palette.persona_colour` of the name (the same in the Sankey).
    selected_wave : str, optional
        A wave label marked with a dotted vertical line.
    theme : {"light", "dark"}
    title : str or None

    Returns
    -------
    Figure
        One ``Scatter`` trace per persona (``meta`` = persona name) whose error bars are
        the interval bounds; x is the wave label (categorical, in wave order).
    """
    fig = go.Figure()
    for entry in timeline_series(waves):
        colour = colours.get(entry["persona"]) or persona_colour(entry["persona"])
        shares = entry["shares"]
        fig.add_trace(go.Scatter(
            x=entry["waves"], y=[round(s, 5) for s in shares], mode="lines+markers",
            name=_t(entry["persona"]), meta=entry["persona"],
            line={"color": colour, "width": 2}, marker={"color": colour, "size": 7},
            error_y={"type": "data", "symmetric": False, "color": colour, "thickness": 1.2,
                     "array": [round(h - s, 5) for h, s in zip(entry["ci_high"], shares)],
                     "arrayminus": [round(s - lo, 5) for lo, s in zip(entry["ci_low"], shares)]},
            customdata=[[round(lo, 5), round(h, 5)]
                        for lo, h in zip(entry["ci_low"], entry["ci_high"])],
            hovertemplate=("%{x}: %{y:.1%} [%{customdata[0]:.1%}, %{customdata[1]:.1%}]"
                           "<extra>%{fullData.name}</extra>"),
        ))
    labels = [wave["label"] for wave in waves]
    _layout(fig, theme, title, shapes=wave_marker(selected_wave), height=400,
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": labels,
                   "title": {"text": "Wave"}},
            yaxis={"tickformat": ".0%", "rangemode": "tozero",
                   "title": {"text": "Share of respondents (95 % CI)"}})
    fig.update_layout(legend={"orientation": "h", "y": -0.3})  # below the axis title
    return fig


def migration_sankey(migration: Mapping[str, Any], colours: Mapping[str, str], *,
                     theme: str = "light", title: str | None = None) -> go.Figure:
    """Where the panel respondents of two waves went, as a Sankey diagram.

    Parameters
    ----------
    migration : mapping
        ``Migration.to_dict()``: ``from_wave``, ``to_wave``, ``personas`` (rows),
        ``to_personas`` (columns), ``counts``.
    colours : mapping of str to str
        Persona name -> colour.
    theme : {"light", "dark"}
    title : str, optional
        Default: "<from> → <to>: <n> panel respondents".

    Returns
    -------
    Figure
        One ``Sankey`` trace: a node per persona of each wave (left: ``from_wave``),
        a link per non-empty cell whose value is its count.
    """
    rows, columns = list(migration["personas"]), list(migration["to_personas"])
    counts = migration["counts"]
    n_panel = sum(sum(row) for row in counts)
    names = rows + columns
    node_colours = [colours.get(name) or persona_colour(name) for name in names]
    source, target, value, link_colours = [], [], [], []
    for r, row in enumerate(counts):
        for c, count in enumerate(row):
            if count:
                source.append(r)
                target.append(len(rows) + c)
                value.append(int(count))
                link_colours.append(_rgba(node_colours[r], 0.35))
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": [_t(name) for name in names], "color": node_colours, "pad": 14,
              "thickness": 16,
              "x": [0.001] * len(rows) + [0.999] * len(columns),
              "y": _node_positions(counts, len(rows), len(columns)),
              "hovertemplate": "%{label}: %{value:,} respondents<extra></extra>"},
        link={"source": source, "target": target, "value": value, "color": link_colours,
              "hovertemplate": ("%{source.label} → %{target.label}: %{value:,} respondents"
                                "<extra></extra>")},
    ))
    if title is None:
        title = (f"{migration['from_wave']} → {migration['to_wave']}: "
                 f"{n_panel:,} panel respondents")
    _layout(fig, theme, title, height=max(320, 40 * max(len(rows), len(columns)) + 120))
    return fig


def _node_positions(counts: Sequence[Sequence[int]], n_rows: int, n_columns: int
                    ) -> list[float]:
    """Vertical centres keeping each side in persona order (plotly would reorder them)."""
    left = [sum(row) for row in counts]
    right = [sum(counts[r][c] for r in range(n_rows)) for c in range(n_columns)]

    def centres(sizes: list[int]) -> list[float]:
        total = sum(sizes) or 1
        out, top = [], 0.0
        for size in sizes:
            height = size / total
            out.append(min(max(top + height / 2, 0.001), 0.999))
            top += height
        return out

    return centres(left) + centres(right)
