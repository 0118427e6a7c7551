"""Plotly figures of personas: pure functions, usable with or without Dash.

Every function takes a :class:`~dash_personas.personas.PersonaSet` (or a list of
personas) and returns a :class:`plotly.graph_objects.Figure`. Persona ``i`` has the
colour :func:`~dash_personas.palette.persona_colour` ``(i)`` everywhere (Okabe-Ito,
colour-blind safe). Traces that belong to a persona carry its id in ``meta`` so
:func:`highlight_figure` (and the dashboard's linked selection) can emphasise one
persona in any chart. ``theme="dark"`` switches to a dark template; backgrounds are
transparent so the figures sit on any Bootstrap theme.

Persona names and labels are escaped before they reach Plotly, whose text supports a
few HTML-like tags: user text is always shown as text.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import plotly.graph_objects as go

from survey_builder.errors import UserError

from .palette import DIVERGING_SCALE, OKABE_ITO, persona_colour
from .personas import base_label, statistics_legend
from .stats import SIGNIFICANCE_MARK

__all__ = [
    "DIM_OPACITY",
    "aspects_radar",
    "category_shares",
    "difference_heatmap",
    "highlight_figure",
    "journey_mix",
    "k_selection",
    "segment_clv",
    "segment_sizes",
    "theme_template",
]

#: Opacity of the personas that are not selected when one is highlighted.
DIM_OPACITY = 0.25
#: Bars of a persona whose base is too small to read are hatched with this pattern.
SMALL_BASE_PATTERN = "/"
#: Characters per line of the notes under titles and charts.
NOTE_WIDTH = 110
#: Grey veil over the heatmap columns of personas with a small base.
SMALL_BASE_VEIL = "rgba(128,128,128,0.55)"


def _t(text: Any) -> str:
    """Escape user text for Plotly (which renders a subset of HTML tags)."""
    return html.escape(str(text), quote=False)


def _personas(personas: Any) -> list[Any]:
    return list(getattr(personas, "personas", personas))


def theme_template(theme: str = "light") -> go.layout.Template:
    """The Plotly template for a light or dark page, with transparent backgrounds.

    Parameters
    ----------
    theme : {"light", "dark"}

    Returns
    -------
    plotly.graph_objects.layout.Template
    """
    if theme not in ("light", "dark"):
        raise UserError(f"theme must be 'light' or 'dark', got {theme!r}")
    dark = theme == "dark"
    ink = "#E8E8E8" if dark else "#212529"
    grid = "#3A3F44" if dark else "#E5E5E5"
    axis = {"gridcolor": grid, "linecolor": grid, "zerolinecolor": grid, "automargin": True}
    # A small template (the stock ones carry defaults for every trace type, ~7 KB per figure).
    return go.layout.Template(layout={
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"color": ink,
                 "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
        "colorway": list(OKABE_ITO), "xaxis": axis, "yaxis": axis,
        "polar": {"bgcolor": "rgba(0,0,0,0)", "radialaxis": {"gridcolor": grid},
                  "angularaxis": {"gridcolor": grid}},
        "hoverlabel": {"align": "left"},
    })


def _base(persona: Any) -> str:
    """A persona's base for charts: ``n = 412``, marked when it is too small to read."""
    return base_label(persona) + (" (small base)" if persona.small_base else "")


def _wrap(text: str, width: int = NOTE_WIDTH) -> str:
    """Plain ``text`` escaped for Plotly and broken into lines of about ``width``."""
    return "<br>".join(_t(line) for line in textwrap.wrap(text, width))


def _bases_note(people: list[Any]) -> str:
    """The base of every persona, shown under the chart title."""
    return _wrap("Bases: " + " · ".join(f"{p.name} {_base(p)}" for p in people))


def _pattern(persona: Any) -> dict[str, Any]:
    return {"pattern": {"shape": SMALL_BASE_PATTERN}} if persona.small_base else {}


def _note(fig: go.Figure, people: list[Any]) -> go.Figure:
    """Put the bases under the title (every persona chart shows them)."""
    if people:
        fig.update_layout(title={"subtitle": {"text": _bases_note(people),
                                              "font": {"size": 11}}})
        fig.update_layout(margin={"t": 60 + 14 * fig.layout.title.subtitle.text.count("<br>")})
    return fig


def _layout(fig: go.Figure, theme: str, title: str | None, **extra: Any) -> go.Figure:
    fig.update_layout(template=theme_template(theme), margin={"l": 40, "r": 20, "t": 50, "b": 40},
                      title={"text": _t(title)} if title else None,
                      legend={"orientation": "h", "y": -0.15}, **extra)
    return fig


def aspects_radar(personas: Any, *, theme: str = "light", title: str | None = "ASPECTS profile",
                  selected: str | None = None) -> go.Figure:
    """Radar of each persona's scale scores as standardised differences from everyone.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    theme : {"light", "dark"}
    title : str or None
    selected : str, optional
        A persona id to highlight.

    Returns
    -------
    Figure
        One ``Scatterpolar`` trace per persona (``meta`` = persona id); radius 0 is the
        population average, in standard deviations.
    """
    people = _personas(personas)
    fig = go.Figure()
    low, high = -0.5, 0.5
    for i, persona in enumerate(people):
        scales = persona.aspects or persona.profile
        if not scales:
            continue
        theta = [_t(s.label) for s in scales]
        r = [round(s.std_diff, 3) for s in scales]
        low, high = min(low, *r), max(high, *r)
        fig.add_trace(go.Scatterpolar(
            r=[*r, r[0]], theta=[*theta, theta[0]], name=_t(persona.name), meta=persona.id,
            line={"color": persona_colour(i), "width": 2,
                  "dash": "dot" if persona.small_base else "solid"},
            fill="toself", opacity=1.0, fillcolor=_rgba(persona_colour(i), 0.08),
            hovertemplate="%{theta}: %{r:+.2f} SD<extra>%{fullData.name} · "
                          + _t(_base(persona)) + "</extra>",
        ))
    pad = 0.1 * (high - low)
    _layout(fig, theme, title, polar={"radialaxis": {"range": [low - pad, high + pad],
                                                     "ticksuffix": " SD", "angle": 90,
                                                     "tickangle": 90},
                                      "bgcolor": "rgba(0,0,0,0)"})
    _note(fig, people)
    return highlight_figure(fig, selected)


def _rgba(colour: str, alpha: float) -> str:
    value = colour.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def difference_heatmap(personas: Any, features: Sequence[str] | None = None, *,
                       theme: str = "light", title: str | None = "What sets each persona apart",
                       selected: str | None = None) -> go.Figure:
    """Heatmap of standardised differences, feature (rows) × persona (columns).

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    features : sequence of str, optional
        Numeric features to show (default: every profiled numeric feature).
    theme : {"light", "dark"}
    title : str or None
    selected : str, optional
        A persona id whose column is outlined.

    Returns
    -------
    Figure
        A ``Heatmap`` with a diverging, colour-blind-safe scale centred on 0;
        ``layout.meta["persona_ids"]`` lists the column persona ids. Significant
        differences carry the significance mark, columns of small-base personas are
        veiled grey, every column shows its base, and a legend under the chart says
        which test and correction the marks come from.
    """
    people = _personas(personas)
    order: list[str] = []
    labels: dict[str, str] = {}
    for persona in people:
        for diff in persona.profile:
            if diff.feature not in labels:
                order.append(diff.feature)
                labels[diff.feature] = diff.label
    if features is not None:
        order = [f for f in features if f in labels]
    z, text, hover = [], [], []
    for feature in order:
        row, row_text, row_hover = [], [], []
        for persona in people:
            match = next((d for d in persona.profile if d.feature == feature), None)
            row.append(None if match is None else round(match.std_diff, 3))
            mark = SIGNIFICANCE_MARK if match is not None and match.significant else ""
            row_text.append("" if match is None else f"{match.std_diff:+.1f}{mark}")
            row_hover.append("" if match is None else
                             f"adjusted p = {match.p_adjusted:.3g}"
                             + (" (small base)" if match.small_base or persona.small_base
                                else ""))
        z.append(row)
        text.append(row_text)
        hover.append(row_hover)
    limit = max([abs(v) for row in z for v in row if v is not None] + [1.0])
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"{_t(p.name)}<br>{_t(base_label(p).replace('effective', 'eff.'))}"
                f"{' ⚠' if p.small_base else ''}" for p in people],
        y=[_t(labels[f]) for f in order],
        colorscale=DIVERGING_SCALE, zmid=0, zmin=-limit, zmax=limit,
        text=text, customdata=hover, texttemplate="%{text}",
        hovertemplate="%{y}<br>%{x}: %{z:+.2f} SD<br>%{customdata}<extra></extra>",
        colorbar={"title": {"text": "SD"}},
    ))
    height = max(320, 28 * len(order) + 180)
    _layout(fig, theme, title, meta={"persona_ids": [p.id for p in people]}, height=height)
    legend = _wrap(statistics_legend(personas), 100)
    # two-line column names (name, base) sit on top: keep the title above them
    fig.update_layout(margin={"t": 100, "b": 30 + 16 * (legend.count("<br>") + 1)})
    if title:
        fig.update_layout(title={"y": 0.99, "yref": "container", "yanchor": "top"})
    fig.add_annotation(text=legend, name="legend", showarrow=False,
                       xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                       yshift=-10, align="left", font={"size": 11})
    for j, persona in enumerate(people):
        if persona.small_base:
            fig.add_shape(type="rect", name="small-base", xref="x", yref="paper",
                          x0=j - 0.5, x1=j + 0.5, y0=0, y1=1, line={"width": 0},
                          fillcolor=SMALL_BASE_VEIL, layer="above")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top")
    return highlight_figure(fig, selected)


def category_shares(personas: Any, feature: str, *, theme: str = "light",
                    title: str | None = None, selected: str | None = None) -> go.Figure:
    """Share of each answer of a categorical ``feature`` per persona, with lift on hover.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    feature : str
        A categorical feature (e.g. ``"age_band"``).
    theme : {"light", "dark"}
    title : str, optional
        Defaults to the feature's label.
    selected : str, optional
        A persona id to highlight.

    Returns
    -------
    Figure
        Grouped bars, one trace per persona; the overall share is a dark diamond marker.

    Raises
    ------
    ValueError
        No persona has that feature.
    """
    people = _personas(personas)
    fig = go.Figure()
    label = None
    overall: dict[str, float] = {}
    for i, persona in enumerate(people):
        rows = [c for c in persona.categories if c.feature == feature]
        if not rows:
            continue
        label = rows[0].label
        for c in rows:
            overall.setdefault(c.level_label, c.overall_share)
        fig.add_trace(go.Bar(
            x=[_t(c.level_label) for c in rows], y=[c.share for c in rows],
            customdata=[[c.lift] for c in rows], name=_t(persona.name), meta=persona.id,
            marker={"color": persona_colour(i), **_pattern(persona)},
            text=[SIGNIFICANCE_MARK if c.significant else "" for c in rows],
            textposition="outside",
            hovertemplate="%{x}: %{y:.0%} (lift %{customdata[0]:.2f})<extra>%{fullData.name}"
                          " · " + _t(_base(persona)) + "</extra>",
        ))
    if label is None:
        raise UserError(f"no persona has a categorical feature named {feature!r}")
    fig.add_trace(go.Scatter(x=[_t(k) for k in overall], y=list(overall.values()), mode="markers",
                             name="Everyone", marker={"symbol": "diamond", "size": 10,
                                                      "color": "#000000" if theme == "light"
                                                      else "#FFFFFF"},
                             hovertemplate="%{x}: %{y:.0%} overall<extra></extra>"))
    _layout(fig, theme, title or label, barmode="group", yaxis={"tickformat": ".0%"})
    _note(fig, [p for p in people if any(c.feature == feature for c in p.categories)])
    return highlight_figure(fig, selected)


def segment_sizes(personas: Any, *, theme: str = "light", title: str | None = "Segment sizes",
                  selected: str | None = None) -> go.Figure:
    """Horizontal bars of each persona's share of respondents (size on hover).

    Returns
    -------
    Figure
        One ``Bar`` trace per persona (``meta`` = persona id).
    """
    people = _personas(personas)
    fig = go.Figure()
    for i, persona in enumerate(people):
        fig.add_trace(go.Bar(
            y=[_t(persona.name)], x=[persona.share], orientation="h", name=_t(persona.name),
            meta=persona.id, marker={"color": persona_colour(i), **_pattern(persona)},
            customdata=[[persona.size, _t(_base(persona))]],
            text=[f"{persona.share:.0%} · {_t(_base(persona))}"], textposition="auto",
            hovertemplate="%{y}: %{x:.1%} (%{customdata[0]:,} respondents, "
                          "%{customdata[1]})<extra></extra>",
        ))
    _layout(fig, theme, title, showlegend=False, xaxis={"tickformat": ".0%"},
            height=max(220, 44 * len(people) + 100))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return highlight_figure(fig, selected)


def segment_clv(personas: Any, *, theme: str = "light",
                title: str | None = "Customer lifetime value",
                selected: str | None = None) -> go.Figure:
    """Average CLV per persona against the overall average (dashed line).

    Returns
    -------
    Figure
        One ``Bar`` trace per persona that has a CLV; empty with a note otherwise.
    """
    people = _personas(personas)
    fig = go.Figure()
    overall = None
    currency = ""
    for i, persona in enumerate(people):
        b = persona.behaviour
        if b.clv is None:
            continue
        overall = b.overall_clv
        currency = b.currency or ""
        fig.add_trace(go.Bar(
            x=[_t(persona.name)], y=[b.clv], name=_t(persona.name), meta=persona.id,
            marker={"color": persona_colour(i), **_pattern(persona)},
            hovertemplate="%{x}: %{y:,.0f} " + _t(currency) + " (" + _t(_base(persona))
                          + ")<extra></extra>",
        ))
    if overall is not None:
        fig.add_hline(y=overall, line_dash="dash", annotation_text="average")
    else:
        fig.add_annotation(text="No CLV in these data", showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")
    _layout(fig, theme, title, showlegend=False,
            yaxis={"title": {"text": _t(currency)} if currency else None})
    _note(fig, [p for p in people if p.behaviour.clv is not None])
    return highlight_figure(fig, selected)


def journey_mix(personas: Any, *, theme: str = "light",
                title: str | None = "Customer-journey stage", selected: str | None = None
                ) -> go.Figure:
    """Stacked bars of each persona's journey-stage mix.

    Returns
    -------
    Figure
        One ``Bar`` trace per stage; ``layout.meta["persona_ids"]`` gives the bar order.
    """
    people = _personas(personas)
    stages: list[tuple[str, str]] = []
    for persona in people:
        for j in persona.journey:
            if (j.stage, j.label) not in stages:
                stages.append((j.stage, j.label))
    fig = go.Figure()
    shades = ["#CFE8F3", "#A2D4EC", "#56B4E9", "#0072B2", "#004B75", "#00324E"]
    for s, (stage, label) in enumerate(stages):
        fig.add_trace(go.Bar(
            y=[_t(p.name) for p in people],
            x=[next((j.share for j in p.journey if j.stage == stage), 0.0) for p in people],
            orientation="h", name=_t(label), marker={"color": shades[s % len(shades)]},
            customdata=[_t(_base(p)) for p in people],
            hovertemplate="%{y}: %{x:.0%} (%{customdata})<extra>" + _t(label) + "</extra>",
        ))
    _layout(fig, theme, title, barmode="stack", xaxis={"tickformat": ".0%"},
            meta={"persona_ids": [p.id for p in people]},
            height=max(240, 44 * len(people) + 160))
    if stages:
        _note(fig, people)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def k_selection(selection: Any, *, theme: str = "light",
                title: str | None = "Choosing the number of segments") -> go.Figure:
    """The k-selection evidence: silhouette and stability by k, the chosen k marked.

    Parameters
    ----------
    selection : KSelection or dict
        A :func:`~dash_personas.select_k` result or ``PersonaSet.selection``.

    Returns
    -------
    Figure
    """
    if isinstance(selection, dict):
        rows = selection.get("table", [])
        recommended = selection.get("recommended_k")
    else:
        rows = selection.reset_index().to_dict("records")
        recommended = getattr(selection, "recommended_k", None)
    ks = [int(r["k"]) for r in rows]
    fig = go.Figure()
    for key, name, colour in (("silhouette", "Silhouette (higher is better)", "#0072B2"),
                              ("stability", "Stability (bootstrap ARI)", "#E69F00"),
                              ("smallest_share", "Smallest segment share", "#009E73")):
        values = [r.get(key) for r in rows]
        if any(v is not None for v in values):
            fig.add_trace(go.Scatter(x=ks, y=values, mode="lines+markers", name=name,
                                     line={"color": colour}))
    if recommended is not None:
        fig.add_vline(x=recommended, line_dash="dash",
                      annotation_text=f"chosen k = {recommended}")
    _layout(fig, theme, title, xaxis={"title": {"text": "k"}, "dtick": 1})
    return fig


def highlight_figure(fig: go.Figure, selected: str | None) -> go.Figure:
    """Emphasise one persona in a figure made by this module (in place; returns ``fig``).

    Traces whose ``meta`` is a persona id get full opacity when they are the selected
    persona (or when nothing is selected) and :data:`DIM_OPACITY` otherwise. Figures
    with ``layout.meta["persona_ids"]`` (heatmap) get an outline around the column.
    The dashboard applies the same rule in the browser.

    Parameters
    ----------
    fig : Figure
    selected : str or None
        Persona id, or ``None`` to clear the highlight.
    """
    for trace in fig.data:
        meta = getattr(trace, "meta", None)
        if isinstance(meta, str):
            trace.opacity = 1.0 if selected in (None, meta) else DIM_OPACITY
    ids = (fig.layout.meta or {}).get("persona_ids") if isinstance(fig.layout.meta, dict) else None
    shapes = [s for s in (fig.layout.shapes or ()) if getattr(s, "name", None) != "highlight"]
    if ids and selected in ids and fig.data and fig.data[0].type == "heatmap":
        j = ids.index(selected)
        shapes.append(go.layout.Shape(type="rect", name="highlight", xref="x", yref="paper",
                                      x0=j - 0.5, x1=j + 0.5, y0=0, y1=1,
                                      line={"width": 3, "color": "#000000"}))
    fig.layout.shapes = shapes
    return fig


def figure_personas(fig: go.Figure) -> Iterable[str]:
    """Persona ids that have a trace in ``fig`` (for tests and linked selection)."""
    return [t.meta for t in fig.data if isinstance(getattr(t, "meta", None), str)]
