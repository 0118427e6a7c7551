"""Plotly figures of personas: pure functions, usable with or without Dash.

Every function takes a :class:`~dash_personas.personas.PersonaSet` (or a list of
personas) and returns a :class:`plotly.graph_objects.Figure`. A persona has its own
colour (:func:`~dash_personas.palette.persona_colour` of the persona, Okabe-Ito,
colour-blind safe) in every chart, whichever personas a chart shows. Traces that
belong to a persona carry its id in ``meta`` so :func:`highlight_figure` (and the
dashboard's linked selection) can emphasise one persona in any chart. ``theme=`` is a
colour mode (``"light"``, ``"dark"``) or a Bootstrap theme name (``"darkly"`` is dark):
text, grid and reference lines follow it; backgrounds are transparent so the figures
sit on any Bootstrap theme. Show them with :data:`GRAPH_CONFIG` (``dcc.Graph(config=...)``
or ``fig.show(config=...)``): a toolbar with only "download as PNG", shown on hover,
above the title rather than over it.

Persona names and labels are escaped before they reach Plotly, whose text supports a
few HTML-like tags: user text is always shown as text. Long labels are clipped
(:func:`~dash_personas.labels.clip_label`) so a 10,000-character answer label cannot
take the chart's whole width; the hover shows more of it.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import plotly.graph_objects as go

from survey_builder.errors import UserError

from .labels import LABEL_LIMIT, NAME_LIMIT, clip_label, option_first
from .palette import DIVERGING_SCALE, MODE_COLOURS, OKABE_ITO, colour_mode, persona_colour
from .personas import base_label, format_amount, statistics_legend
from .stats import SIGNIFICANCE_MARK, format_p_value

__all__ = [
    "DIM_OPACITY",
    "GRAPH_CONFIG",
    "aspects_dots",
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
#: Characters per line of the notes under titles and charts (fits a 390 px phone).
NOTE_WIDTH = 56
#: Grey veil over the heatmap columns of personas with a small base.
SMALL_BASE_VEIL = "rgba(128,128,128,0.55)"
#: Height (px) kept free above every title for the toolbar shown on hover.
TOOLBAR_BAND = 30
#: Characters of a clipped label shown on hover.
HOVER_LIMIT = 300
#: Characters per line of a title (two lines at most), and of a category tick label
#: (two lines at most): both fit a 390 px phone.
TITLE_WIDTH = 34
TICK_WIDTH = 22
#: Characters per line of the radar's spoke labels (two lines), the side margins (px)
#: and the room above and below (px) that hold them: Plotly's polar axes have no
#: automatic margin.
RADAR_LABEL_WIDTH = 14
RADAR_SIDE_MARGIN = 84
RADAR_LABEL_SPACE = 26
#: The unit of standardised differences in plain words (axis titles).
SD_MEANS = "SD: standard deviations from the average"
#: Above this ratio of the largest to the smallest CLV the CLV axis is logarithmic.
CLV_LOG_RATIO = 10.0

#: The ``config`` of every ``dcc.Graph`` of the project (components, dashboard,
#: tracking view, plugins): a toolbar with only "download as PNG" (the button list
#: leaves out zoom, lasso and the cloud links "Share chart" / "Edit in Chart Studio"),
#: shown on hover, no Plotly logo.
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "displayModeBar": "hover",
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "responsive": True,
}


def _t(text: Any) -> str:
    """Escape user text for Plotly (which renders a subset of HTML tags)."""
    return html.escape(str(text), quote=False)


def _label(text: Any, limit: int = LABEL_LIMIT) -> str:
    """A label clipped for display (:func:`clip_label`) and escaped for Plotly."""
    return _t(clip_label(text, limit))


def _lines(text: Any, width: int, lines: int = 2) -> str:
    """``text`` clipped to ``lines`` lines of about ``width`` characters, escaped (an
    ellipsis ends it when words were left out)."""
    clipped = clip_label(text, width * lines)
    # a word a little longer than a line stays whole ("Conscientiousness"); longer is cut
    wrapped = [clip_label(line, width + width // 2)
               for line in textwrap.wrap(clipped, width, break_long_words=False)]
    if len(wrapped) > lines:  # the words did not break evenly: say that some are missing
        wrapped = [*wrapped[:lines - 1], clip_label(wrapped[lines - 1] + " …", width)]
    return "<br>".join(_t(line) for line in wrapped) or _t(text)


def _name(persona: Any) -> str:
    """A persona's name as charts show it: clipped and escaped."""
    return _label(persona.name, NAME_LIMIT)


def _more(text: Any, limit: int = LABEL_LIMIT) -> str:
    """Hover text for a label that was clipped for display (empty when it was not)."""
    value = str(text)
    if len(value) <= limit:
        return ""
    return "<br>" + _wrap(clip_label(value, HOVER_LIMIT), 60)


def _round(value: float) -> float:
    """``value`` to 7 significant digits: more than any chart shows (its hover gives at
    most 4), half the characters of a full float in the page's JSON."""
    return float(f"{value:.7g}")


def _share(value: float) -> float:
    """A share to the hundredth of a percent: finer than any hover shows (``.1%``), and a
    bar drawn to a hundredth of a percent of its axis."""
    return round(float(value), 4)


def _personas(personas: Any) -> list[Any]:
    return list(getattr(personas, "personas", personas))


def _colours(theme: str) -> dict[str, str]:
    return MODE_COLOURS[colour_mode(theme)]


def theme_template(theme: str = "light") -> go.layout.Template:
    """The Plotly template of a page's colour mode, with transparent backgrounds.

    Parameters
    ----------
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap/Bootswatch theme name (``"darkly"`` ->
        dark): text, grid and reference lines are light on a dark page.

    Returns
    -------
    plotly.graph_objects.layout.Template

    Raises
    ------
    UserError
        Neither a colour mode nor a known theme.
    """
    return go.layout.Template(_template(theme, polar=True, colorway=True))


def _template(theme: str, *, polar: bool = False, colorway: bool = False) -> dict[str, Any]:
    """:func:`theme_template` as a plain dict (what the figure dicts carry). Every figure
    of a page carries its own template, so the persona charts leave out what they do not
    use: the polar axes (but the radar) and the colour cycle (each trace has its colour)."""
    colours = _colours(theme)
    ink, grid = colours["ink"], colours["grid"]
    axis = {"gridcolor": grid, "linecolor": grid, "zerolinecolor": grid, "automargin": True}
    # A small template (the stock ones carry defaults for every trace type, ~7 KB per figure).
    layout = {
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"color": ink,
                 "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
        "xaxis": axis, "yaxis": dict(axis), "hoverlabel": {"align": "left"},
    }
    if colorway:
        layout["colorway"] = list(OKABE_ITO)
    if polar:
        layout["polar"] = {"bgcolor": "rgba(0,0,0,0)", "radialaxis": {"gridcolor": grid},
                           "angularaxis": {"gridcolor": grid}}
    return {"layout": layout}


def _base(persona: Any) -> str:
    """A persona's base for charts: ``n = 412``, marked when it is too small to read."""
    return base_label(persona) + (" (small base)" if persona.small_base else "")


def _wrap(text: str, width: int = NOTE_WIDTH) -> str:
    """Plain ``text`` escaped for Plotly and broken into lines of about ``width``."""
    return "<br>".join(_t(line) for line in textwrap.wrap(text, width))


def _bases_note(people: list[Any]) -> str:
    """The base of every persona, shown under the chart title."""
    return _wrap("Bases: " + " · ".join(f"{clip_label(p.name, NAME_LIMIT)} {_base(p)}"
                                        for p in people))


def _pattern(persona: Any) -> dict[str, Any]:
    return {"pattern": {"shape": SMALL_BASE_PATTERN}} if persona.small_base else {}


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Update the dict ``target`` with ``changes`` recursively (as ``update_layout`` does:
    nested dicts are merged, anything else replaced); returns ``target``."""
    for key, value in changes.items():
        if isinstance(value, dict):
            current = target.get(key)
            target[key] = _merge(current if isinstance(current, dict) else {}, value)
        else:
            target[key] = value
    return target


def _figure(spec: dict[str, Any], as_dict: bool) -> Any:
    """The figure dict ``spec`` as asked: the dict itself (what ``dcc.Graph`` takes, with
    no Plotly validation: the dashboard's callbacks build many) or a ``go.Figure``."""
    return spec if as_dict else go.Figure(spec)


def _note(spec: dict[str, Any], people: list[Any], extra: int = 0) -> dict[str, Any]:
    """Put the bases under the title (every persona chart shows them)."""
    if people:
        _subtitle(spec["layout"], _bases_note(people), extra)
    return spec


def _subtitle(layout: dict[str, Any], note: str, extra: int = 0) -> None:
    """``note`` (already wrapped) under the title, the top margin grown to hold it."""
    _merge(layout, {"title": {"subtitle": {"text": note, "font": {"size": 11}}}})
    _merge(layout, {"margin": {"t": _top_margin(layout, 1 + note.count("<br>"), extra)}})


def _top_margin(layout: dict[str, Any], subtitle_lines: int = 0, extra: int = 0) -> int:
    """Top margin for the toolbar band, the title and ``subtitle_lines`` lines under it."""
    title = (layout.get("title") or {}).get("text")
    title_lines = title.count("<br>") + 1 if title else 0
    return TOOLBAR_BAND + 22 * title_lines + (4 if title else 0) + 14 * subtitle_lines + 10 \
        + extra


def _layout_dict(theme: str, title: str | None, *, full_template: bool = False,
                 **extra: Any) -> dict[str, Any]:
    """The layout every chart starts from: template, margins, title, legend, ``extra``
    (the template's polar axes when ``extra`` has ``polar``; its colour cycle too with
    ``full_template``, for charts whose traces take their colours from it)."""
    # The title is left-aligned under a band kept free for the toolbar (shown on hover
    # at the top right): a long title never runs under it.
    layout: dict[str, Any] = {
        "template": _template(theme, polar=full_template or "polar" in extra,
                              colorway=full_template),
        "dragmode": False,
        "margin": {"l": 40, "r": 20, "t": TOOLBAR_BAND + 10, "b": 40},
        "legend": extra.pop("legend", {"orientation": "h", "y": -0.15})}
    if title:
        text = _lines(title, TITLE_WIDTH)
        # Plotly places a title by its first line: a second line moves it up
        layout["title"] = {"text": text, "x": 0, "xref": "container", "xanchor": "left",
                           "y": 1, "yref": "container", "yanchor": "top",
                           "pad": {"t": TOOLBAR_BAND + 22 * text.count("<br>"), "l": 10}}
    _merge(layout, extra)
    if title:
        layout["margin"]["t"] = _top_margin(layout)
    return layout


def _layout(fig: go.Figure, theme: str, title: str | None, **extra: Any) -> go.Figure:
    """:func:`_layout_dict` applied to a ``go.Figure`` (the tracking charts)."""
    fig.update_layout(_layout_dict(theme, title, full_template=True, **extra))
    return fig


def _scales(persona: Any) -> list[Any]:
    return list(persona.aspects or persona.profile)


def aspects_radar(personas: Any, *, theme: str = "light", title: str | None = "ASPECTS profile",
                  selected: str | None = None, as_dict: bool = False) -> go.Figure | dict[str, Any]:
    """Radar of each persona's scale scores as standardised differences from everyone.

    Kept for compatibility: with many scales and several personas a radar is hard to
    read (shapes overlap, the spokes' order suggests a pattern that is not there);
    :func:`aspects_dots` shows the same numbers as a sorted dot plot.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap theme name.
    title : str or None
    selected : str, optional
        A persona id to highlight.
    as_dict : bool, default=False
        Return the plain figure dict (``{"data": [...], "layout": {...}}``, what
        ``dcc.Graph`` takes) instead of a ``go.Figure``: the same figure without
        Plotly's validation, several times faster to build.

    Returns
    -------
    Figure
        One ``Scatterpolar`` trace per persona (``meta`` = persona id); radius 0 is the
        population average, in standard deviations.
    """
    people = _personas(personas)
    data: list[dict[str, Any]] = []
    low, high = -0.5, 0.5
    for persona in people:
        scales = _scales(persona)
        if not scales:
            continue
        colour = persona_colour(persona)
        theta = [_lines(s.label, RADAR_LABEL_WIDTH) for s in scales]
        r = [round(s.std_diff, 3) for s in scales]
        low, high = min(low, *r), max(high, *r)
        data.append({
            "type": "scatterpolar",
            "r": [*r, r[0]], "theta": [*theta, theta[0]], "name": _name(persona),
            "meta": persona.id,
            "line": {"color": colour, "width": 2,
                     "dash": "dot" if persona.small_base else "solid"},
            "fill": "toself", "opacity": 1.0, "fillcolor": _rgba(colour, 0.08),
            "hovertemplate": "%{theta}: %{r:+.2f} SD<extra>%{fullData.name} · "
                             + _t(_base(persona)) + "</extra>",
        })
    pad = 0.1 * (high - low)
    spec = {"data": data, "layout": _layout_dict(
        theme, title, polar={"radialaxis": {"range": [low - pad, high + pad],
                                            "ticksuffix": " SD", "angle": 90, "tickangle": 90,
                                            "dtick": 1},
                             "angularaxis": {"tickfont": {"size": 10}},
                             "bgcolor": "rgba(0,0,0,0)"})}
    # Plotly leaves no margin for the spoke labels: room for two short lines all round
    _note(spec, people, RADAR_LABEL_SPACE)
    _merge(spec["layout"], {"margin": {"l": RADAR_SIDE_MARGIN, "r": RADAR_SIDE_MARGIN,
                                       "b": 40 + RADAR_LABEL_SPACE}})
    return _figure(_highlight(spec, selected), as_dict)


def aspects_dots(personas: Any, *, theme: str = "light",
                 title: str | None = "How each persona differs, scale by scale",
                 selected: str | None = None, as_dict: bool = False) -> go.Figure | dict[str, Any]:
    """Dot plot of each persona's scale scores against the average, most telling first.

    One row per scale, sorted by how far apart the personas are on it (the scales that
    tell them apart on top); one dot per persona in its colour, side by side within the
    row, at its standardised difference from all respondents; the average (0) is a
    labelled vertical line. Readers compare positions along one axis, which they do
    far better than the areas and angles of a radar.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap theme name.
    title : str or None
    selected : str, optional
        A persona id to highlight.
    as_dict : bool, default=False
        Return the plain figure dict (``{"data": [...], "layout": {...}}``, what
        ``dcc.Graph`` takes) instead of a ``go.Figure``: the same figure without
        Plotly's validation, several times faster to build.

    Returns
    -------
    Figure
        One ``Scatter`` trace per persona (``meta`` = persona id, ``x`` the standardised
        differences, ``y`` the scale labels); the axis title says what an SD is.
        Personas with a small base have hollow dots.
    """
    people = [p for p in _personas(personas) if _scales(p)]
    labels: dict[str, str] = {}
    values: dict[str, list[float]] = {}
    for persona in people:
        for s in _scales(persona):
            key = getattr(s, "scale", None) or s.feature
            labels.setdefault(key, s.label)
            values.setdefault(key, []).append(s.std_diff)
    order = sorted(labels, key=lambda k: -(max(values[k]) - min(values[k])))
    names = [_lines(labels[k], TICK_WIDTH) for k in order]
    data: list[dict[str, Any]] = []
    limit = 0.5
    for persona in people:
        by_key = {getattr(s, "scale", None) or s.feature: s for s in _scales(persona)}
        rows = [by_key.get(k) for k in order]
        x = [None if s is None else round(s.std_diff, 3) for s in rows]
        limit = max(limit, *(abs(v) for v in x if v is not None))
        colour = persona_colour(persona)
        data.append({
            "type": "scatter", "x": x, "y": names, "mode": "markers", "name": _name(persona),
            "meta": persona.id,
            "marker": {"color": colour, "size": 11,
                       "symbol": "circle-open" if persona.small_base else "circle",
                       "line": {"width": 2 if persona.small_base else 0, "color": colour}},
            "hovertemplate": "%{y}: %{x:+.2f} SD<extra>%{fullData.name} · "
                             + _t(_base(persona)) + "</extra>",
        })
    reference = _colours(theme)["reference"]
    height = max(320, (12 + 8 * len(people)) * len(order) + 190)
    layout = _layout_dict(
            theme, title, height=height, scattermode="group", scattergap=0.3,
            xaxis={"range": [-1.1 * limit, 1.1 * limit], "ticksuffix": " SD",
                   "zeroline": False, "title": {"text": SD_MEANS, "font": {"size": 11}}},
            yaxis={"autorange": "reversed", "type": "category", "showgrid": True},
            shapes=[{"type": "line", "name": "average", "xref": "x", "yref": "paper",
                     "x0": 0, "x1": 0, "y0": 0, "y1": 1,
                     "line": {"color": reference, "width": 1.5, "dash": "dash"}}],
            annotations=[{"text": "average", "name": "average", "xref": "x", "yref": "paper",
                          "x": 0, "y": 1, "yanchor": "bottom", "showarrow": False,
                          "font": {"size": 11, "color": reference}}],
            legend={"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0})
    spec = _note({"data": data, "layout": layout}, people,
                 extra=16)  # room for the "average" label over the plot
    return _figure(_highlight(spec, selected), as_dict)


def _rgba(colour: str, alpha: float) -> str:
    value = colour.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def difference_heatmap(personas: Any, features: Sequence[str] | None = None, *,
                       theme: str = "light", title: str | None = "What sets each persona apart",
                       selected: str | None = None,
                       as_dict: bool = False) -> go.Figure | dict[str, Any]:
    """Heatmap of standardised differences, feature (rows) × persona (columns).

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    features : sequence of str, optional
        Numeric features to show (default: every profiled numeric feature).
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap theme name.
    title : str or None
    selected : str, optional
        A persona id whose column is outlined.
    as_dict : bool, default=False
        Return the plain figure dict instead of a ``go.Figure`` (see
        :func:`aspects_dots`).

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
            # the hover shows two decimals, the cell one: z needs no more
            row.append(None if match is None else round(match.std_diff, 2))
            mark = SIGNIFICANCE_MARK if match is not None and match.significant else ""
            row_text.append("" if match is None else f"{match.std_diff:+.1f}{mark}")
            row_hover.append("" if match is None else
                             format_p_value(match.p_adjusted)
                             + (" (small base)" if match.small_base or persona.small_base
                                else ""))
        z.append(row)
        text.append(row_text)
        hover.append(row_hover)
    limit = max([abs(v) for row in z for v in row if v is not None] + [1.0])
    # each row's whole label is its category (what %{y} shows on hover, once per row
    # instead of in every cell); the tick shows it clipped, the option first
    rows = [_wrap(clip_label(labels[f], HOVER_LIMIT), 60) for f in order]
    rows = [row if rows.count(row) == 1 else f"{row} ({_t(f)})"  # one row per feature
            for row, f in zip(rows, order)]
    # column names are short (name, base) and on the x axis at the bottom, so on a
    # phone they tilt into the space under the chart, never into the title
    heatmap = {
        "type": "heatmap",
        "z": z, "x": [f"{_label(p.name, 20)}<br>{_t(base_label(p).replace('effective', 'eff.'))}"
                      f"{' ⚠' if p.small_base else ''}" for p in people],
        "y": rows,
        "colorscale": [list(step) for step in DIVERGING_SCALE], "zmid": 0, "zmin": -limit,
        "zmax": limit, "text": text, "customdata": hover, "texttemplate": "%{text}",
        "hovertemplate": "%{y}<br>%{x}: %{z:+.2f} SD (standard deviations from the "
                         "average)<br>adjusted %{customdata}"
                         "<extra></extra>",
        "colorbar": {"title": {"text": "SD"}, "thickness": 12},
    }
    height = max(320, 28 * len(order) + 220)
    layout = _layout_dict(theme, title, meta={"persona_ids": [p.id for p in people]},
                          height=height)
    # the legend (which test, which correction) is the subtitle: the title and the
    # subtitle are placed from the chart's left edge, never past its right one
    legend = _wrap(statistics_legend(personas))
    if title:
        _subtitle(layout, legend)
    else:
        layout.setdefault("annotations", []).append(
            {"text": legend, "name": "legend", "showarrow": False, "xref": "paper",
             "yref": "paper", "x": 0, "y": 1, "xanchor": "left", "yanchor": "bottom",
             "yshift": 4, "align": "left", "font": {"size": 11}})
        layout["margin"]["t"] = _top_margin(layout, 1 + legend.count("<br>"))
    layout["margin"]["b"] = 30
    layout["shapes"] = [{"type": "rect", "name": "small-base", "xref": "x", "yref": "paper",
                         "x0": j - 0.5, "x1": j + 0.5, "y0": 0, "y1": 1, "line": {"width": 0},
                         "fillcolor": SMALL_BASE_VEIL, "layer": "above"}
                        for j, persona in enumerate(people) if persona.small_base]
    _merge(layout, {"yaxis": {"autorange": "reversed", "automargin": True, "tickmode": "array",
                              "tickvals": rows,
                              "ticktext": [_lines(option_first(labels[f]), TICK_WIDTH)
                                           for f in order]},
                    "xaxis": {"side": "bottom", "automargin": True}})
    return _figure(_highlight({"data": [heatmap], "layout": layout}, selected), as_dict)


def category_shares(personas: Any, feature: str | None = None, *, theme: str = "light",
                    title: str | None = None, selected: str | None = None,
                    as_dict: bool = False) -> go.Figure | dict[str, Any]:
    """Share of each answer of a categorical ``feature`` per persona, with lift on hover.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    feature : str
        A categorical feature (e.g. ``"age_band"``); required.
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap theme name.
    title : str, optional
        Defaults to the feature's label.
    selected : str, optional
        A persona id to highlight.
    as_dict : bool, default=False
        Return the plain figure dict instead of a ``go.Figure`` (see
        :func:`aspects_dots`).

    Returns
    -------
    Figure
        Grouped horizontal bars (answers on the y axis, wrapped: they stay readable on a
        phone, where vertical bars would tilt them into the legend), one trace per
        persona (``x`` its shares); the overall share is a diamond marker in the page's
        text colour.

    Raises
    ------
    UserError
        No ``feature`` given (the message lists the categorical features), or no persona
        has that feature.
    """
    people = _personas(personas)
    available = list(dict.fromkeys(c.feature for p in people for c in p.categories))
    if feature is None:
        raise UserError("the answer-shares chart needs the categorical feature to show: pass "
                        f"feature=, e.g. feature={available[0]!r}" if available else
                        "the answer-shares chart needs feature=, but these personas have no "
                        "categorical feature")
    data: list[dict[str, Any]] = []
    label = None
    overall: dict[str, float] = {}
    for persona in people:
        rows = [c for c in persona.categories if c.feature == feature]
        if not rows:
            continue
        label = rows[0].label
        for c in rows:
            overall.setdefault(c.level_label, c.overall_share)
        data.append({
            "type": "bar",
            "y": [_lines(c.level_label, TICK_WIDTH) for c in rows],
            "x": [_share(c.share) for c in rows], "orientation": "h",
            "customdata": [[round(c.lift, 2), _more(c.level_label, 2 * TICK_WIDTH)]
                           for c in rows],
            "name": _name(persona), "meta": persona.id,
            "marker": {"color": persona_colour(persona), **_pattern(persona)},
            "text": [SIGNIFICANCE_MARK if c.significant else "" for c in rows],
            "textposition": "outside",
            "hovertemplate": "%{y}: %{x:.0%}, %{customdata[0]:.1f} times as common as "
                             "overall%{customdata[1]}"
                             "<extra>%{fullData.name} · " + _t(_base(persona)) + "</extra>",
        })
    if label is None:
        raise UserError(f"no persona has a categorical feature named {feature!r}"
                        + (f"; choose from {', '.join(map(repr, available[:10]))}"
                           if available else ""))
    data.append({"type": "scatter", "y": [_lines(k, TICK_WIDTH) for k in overall],
                 "x": [_share(v) for v in overall.values()],
                 "mode": "markers", "name": "Everyone",
                 "marker": {"symbol": "diamond", "size": 10,
                            "color": _colours(theme)["reference"]},
                 "hovertemplate": "%{y}: %{x:.0%} overall<extra></extra>"})
    n_bars = len(overall) * max(1, len(data) - 1)
    spec = {"data": data, "layout": _layout_dict(
        theme, title or label, barmode="group", xaxis={"tickformat": ".0%"},
        yaxis={"autorange": "reversed", "type": "category"},
        height=max(320, 11 * n_bars + 12 * len(overall) + 260))}
    _note(spec, [p for p in people if any(c.feature == feature for c in p.categories)])
    return _figure(_highlight(spec, selected), as_dict)


def segment_sizes(personas: Any, *, theme: str = "light", title: str | None = "Segment sizes",
                  selected: str | None = None, as_dict: bool = False) -> go.Figure | dict[str, Any]:
    """Horizontal bars of each persona's share of respondents (size on hover).

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap theme name.
    title : str or None
    selected : str, optional
        A persona id to highlight.
    as_dict : bool, default=False
        Return the plain figure dict instead of a ``go.Figure`` (see
        :func:`aspects_dots`).

    Returns
    -------
    Figure
        One ``Bar`` trace per persona (``meta`` = persona id).
    """
    people = _personas(personas)
    data = [{
        "type": "bar", "y": [_label(persona.name, 24)], "x": [_share(persona.share)],
        "orientation": "h", "name": _name(persona), "meta": persona.id,
        "marker": {"color": persona_colour(persona), **_pattern(persona)},
        "customdata": [[persona.size, _t(_base(persona))]],
        "text": [f"{persona.share:.0%} · {_t(_base(persona))}"], "textposition": "auto",
        "hovertemplate": "%{y}: %{x:.1%} (%{customdata[0]:,} respondents, "
                         "%{customdata[1]})<extra></extra>",
    } for persona in people]
    layout = _layout_dict(theme, title, showlegend=False, xaxis={"tickformat": ".0%"},
                          height=max(220, 44 * len(people) + 100))
    _merge(layout, {"yaxis": {"autorange": "reversed", "automargin": True}})
    return _figure(_highlight({"data": data, "layout": layout}, selected), as_dict)


def segment_clv(personas: Any, *, theme: str = "light",
                title: str | None = "Customer lifetime value",
                selected: str | None = None, as_dict: bool = False) -> go.Figure | dict[str, Any]:
    """Average CLV per persona as labelled dots, against the overall average.

    Each persona is a dot in its colour labelled with its amount
    (:func:`~dash_personas.personas.format_amount`: "2,911 EUR", never "2.91e+03");
    the overall average is a dashed vertical line labelled with its amount, in the
    page's text colour (visible in dark mode). Dots need no zero baseline, so the axis
    spans the values: three personas are not flattened against a fourth. When the
    largest CLV is :data:`CLV_LOG_RATIO` or more times the smallest, the axis is
    logarithmic (and says so), since on a linear axis every persona but the top one
    would share the first tenth of it; equal steps then mean equal ratios, and each
    dot's label still gives its amount.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap theme name.
    title : str or None
    selected : str, optional
        A persona id to highlight.
    as_dict : bool, default=False
        Return the plain figure dict instead of a ``go.Figure`` (see
        :func:`aspects_dots`).

    Returns
    -------
    Figure
        One ``Scatter`` trace per persona that has a CLV (``meta`` = persona id, ``x``
        its CLV); empty with a note otherwise.
    """
    people = [p for p in _personas(personas) if p.behaviour.clv is not None]
    data: list[dict[str, Any]] = []
    overall = next((p.behaviour.overall_clv for p in people
                    if p.behaviour.overall_clv is not None), None)
    currency = next((p.behaviour.currency for p in people if p.behaviour.currency), "") or ""
    for persona in people:
        clv = persona.behaviour.clv
        amount = format_amount(clv, currency or None)
        colour = persona_colour(persona)
        data.append({
            "type": "scatter", "x": [_round(clv)], "y": [_label(persona.name, 24)],
            "mode": "markers+text", "name": _name(persona), "meta": persona.id,
            "text": [_t(amount)],
            "marker": {"color": colour, "size": 14,
                       "symbol": "circle-open" if persona.small_base else "circle",
                       "line": {"width": 2 if persona.small_base else 0, "color": colour}},
            "hovertemplate": "%{y}: %{text} (" + _t(_base(persona)) + ")<extra></extra>",
        })
    values = [p.behaviour.clv for p in people] + ([overall] if overall is not None else [])
    positive = [v for v in values if v > 0]
    log = bool(positive) and len(positive) == len(values) and \
        max(positive) >= CLV_LOG_RATIO * min(positive)
    unit = _t(currency) if currency else "amount"
    xaxis: dict[str, Any] = {"title": {"text": unit + (" (log scale: each step ×10)" if log
                                                       else "")},
                             "tickformat": ",.0f", "exponentformat": "none"}
    if log:
        low, high = math.log10(min(positive)), math.log10(max(positive))
        pad = max(0.15, 0.08 * (high - low))
        xaxis.update(type="log", range=[low - pad, high + pad], dtick=1)
    elif values:
        low, high = min(values), max(values)
        pad = 0.12 * ((high - low) or abs(high) or 1.0)
        xaxis.update(range=[low - pad, high + pad])
    for trace in data:  # each amount beside its dot, on the side with room
        side = _anchor(trace["x"][0], xaxis["range"], log)
        trace["textposition"] = "middle left" if side == "right" else "middle right"
    shapes, annotations = [], []
    reference = _colours(theme)["reference"]
    if overall is not None:
        shapes.append({"type": "line", "name": "average", "xref": "x", "yref": "paper",
                       "x0": overall, "x1": overall, "y0": 0, "y1": 1,
                       "line": {"color": reference, "width": 1.5, "dash": "dash"}})
        # annotations on a log axis are placed in log10 units (shapes in data units)
        annotations.append({"text": "average " + _t(format_amount(overall, currency or None)),
                            "name": "average", "xref": "x", "yref": "paper",
                            "x": math.log10(overall) if log else overall,
                            "xanchor": _anchor(overall, xaxis["range"], log),
                            "y": 1, "yanchor": "bottom", "showarrow": False,
                            "font": {"size": 11, "color": reference}})
    if not people:
        annotations.append({"text": "No CLV in these data", "showarrow": False, "x": 0.5,
                            "y": 0.5, "xref": "paper", "yref": "paper"})
    spec = {"data": data, "layout": _layout_dict(
        theme, title, showlegend=False, xaxis=xaxis, shapes=shapes, annotations=annotations,
        height=max(240, 56 * len(people) + 150),
        yaxis={"autorange": "reversed", "type": "category"})}
    _note(spec, people, extra=16 if overall is not None else 0)
    return _figure(_highlight(spec, selected), as_dict)


def _anchor(value: float, span: Sequence[float], log: bool) -> str:
    """Anchor of a label at ``value`` so that it stays inside the axis ``span``."""
    position = math.log10(value) if log else value
    fraction = (position - span[0]) / ((span[1] - span[0]) or 1.0)
    return "right" if fraction > 0.6 else "left" if fraction < 0.4 else "center"


def journey_mix(personas: Any, *, theme: str = "light",
                title: str | None = "Customer-journey stage", selected: str | None = None,
                as_dict: bool = False) -> go.Figure | dict[str, Any]:
    """Stacked bars of each persona's journey-stage mix.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap theme name.
    title : str or None
    selected : str, optional
        Unused (the bars are stages, not personas): accepted like the other charts.
    as_dict : bool, default=False
        Return the plain figure dict instead of a ``go.Figure`` (see
        :func:`aspects_dots`).

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
    shades = ["#CFE8F3", "#A2D4EC", "#56B4E9", "#0072B2", "#004B75", "#00324E"]
    bases = [_t(_base(p)) for p in people]
    names = [_label(p.name, 24) for p in people]
    data = [{
        "type": "bar", "y": names,
        "x": [_share(next((j.share for j in p.journey if j.stage == stage), 0.0))
              for p in people],
        "orientation": "h", "name": _label(label), "marker": {"color": shades[s % len(shades)]},
        "customdata": bases,
        "hovertemplate": "%{y}: %{x:.0%} (%{customdata})<extra>" + _label(label) + "</extra>",
    } for s, (stage, label) in enumerate(stages)]
    spec = {"data": data, "layout": _layout_dict(
        theme, title, barmode="stack", xaxis={"tickformat": ".0%"},
        meta={"persona_ids": [p.id for p in people]}, height=max(240, 44 * len(people) + 200))}
    if stages:
        _note(spec, people)
    _merge(spec["layout"], {"yaxis": {"autorange": "reversed", "automargin": True}})
    return _figure(spec, as_dict)


def k_selection(selection: Any, *, theme: str = "light",
                title: str | None = "Choosing the number of segments") -> go.Figure:
    """The k-selection evidence: silhouette and stability by k, the chosen k marked.

    Parameters
    ----------
    selection : KSelection or dict
        A :func:`~dash_personas.select_k` result or ``PersonaSet.selection``.
    theme : str
        ``"light"``, ``"dark"`` or a Bootstrap theme name.

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
        reference = _colours(theme)["reference"]
        fig.add_vline(x=recommended, line_dash="dash", line_color=reference,
                      annotation_text=f"chosen k = {recommended}",
                      annotation_font_color=reference)
    _layout(fig, theme, title, xaxis={"title": {"text": "k"}, "dtick": 1})
    return fig


def highlight_figure(fig: Any, selected: str | None) -> Any:
    """Emphasise one persona in a figure made by this module (in place; returns ``fig``).

    Traces whose ``meta`` is a persona id get full opacity when they are the selected
    persona (or when nothing is selected) and :data:`DIM_OPACITY` otherwise. Figures
    with ``layout.meta["persona_ids"]`` (heatmap) get an outline around the column, in
    the figure's text colour (a ``"highlight"`` shape per column, opacity 1 around the
    selected one, 0 around the others). The dashboard applies the same rule in the
    browser.

    Parameters
    ----------
    fig : Figure or dict
        A ``go.Figure``, or a figure dict (``as_dict=True``).
    selected : str or None
        Persona id, or ``None`` to clear the highlight.
    """
    if isinstance(fig, dict):
        return _highlight(fig, selected)
    template = fig.layout.template
    spec = _highlight({
        "data": [{"type": t.type, "meta": getattr(t, "meta", None)} for t in fig.data],
        "layout": {"meta": fig.layout.meta,
                   "shapes": [s.to_plotly_json() for s in fig.layout.shapes or ()],
                   "template": {"layout": {"font": {"color": template.layout.font.color
                                                    if template is not None else None}}}},
    }, selected)
    for trace, changed in zip(fig.data, spec["data"]):
        if "opacity" in changed:
            trace.opacity = changed["opacity"]
    fig.layout.shapes = spec["layout"]["shapes"]
    return fig


def _highlight(spec: dict[str, Any], selected: str | None) -> dict[str, Any]:
    """:func:`highlight_figure` on a figure dict (in place; returns ``spec``)."""
    data, layout = spec["data"], spec["layout"]
    for trace in data:
        meta = trace.get("meta")
        if isinstance(meta, str):
            trace["opacity"] = 1.0 if selected in (None, meta) else DIM_OPACITY
    meta = layout.get("meta")
    ids = meta.get("persona_ids") if isinstance(meta, dict) else None
    shapes = [s for s in layout.get("shapes") or () if s.get("name") != "highlight"]
    if ids and data and data[0].get("type") == "heatmap":
        # one outline per column, shown by its opacity: the dashboard switches it on
        # the drawn chart in place (a relayout would make dcc.Graph re-plot the chart)
        font = ((layout.get("template") or {}).get("layout") or {}).get("font") or {}
        colour = font.get("color") or MODE_COLOURS["light"]["reference"]
        shapes.extend({"type": "rect", "name": "highlight", "xref": "x", "yref": "paper",
                       "x0": j - 0.5, "x1": j + 0.5, "y0": 0, "y1": 1,
                       "opacity": 1 if persona == selected else 0,
                       "line": {"width": 3, "color": colour}}
                      for j, persona in enumerate(ids))
    layout["shapes"] = shapes
    return spec


def figure_personas(fig: go.Figure) -> Iterable[str]:
    """Persona ids that have a trace in ``fig`` (for tests and linked selection)."""
    return [t.meta for t in fig.data if isinstance(getattr(t, "meta", None), str)]
