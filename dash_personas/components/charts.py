"""Chart components: ``SegmentComparison``, ``SegmentSizes``, ``AspectsDots`` and
``AspectsRadar``.

Each wraps a ``dcc.Graph`` whose figure comes from :mod:`dash_personas.figures`, shown
with :data:`~dash_personas.figures.GRAPH_CONFIG`; the graph id carries the selection
``group`` so a gallery of the same group highlights the selected persona in it
(registered by :func:`dash_personas.register_callbacks`).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from survey_builder.errors import UserError

from .. import figures
from ..labels import NAME_LIMIT, clip_label
from ..personas import base_label
from . import _ids
from ._validate import check_choice, check_theme

__all__ = ["CHARTS", "AspectsDots", "AspectsRadar", "PersonaChart", "SegmentComparison",
           "SegmentSizes"]

#: chart name -> (figure function, accessible description)
CHARTS: dict[str, tuple[Any, str]] = {
    "heatmap": (figures.difference_heatmap,
                "Heatmap of each persona's standardised difference from all respondents, "
                "feature by feature."),
    "dots": (figures.aspects_dots,
             "Dot plot of each persona's ASPECTS scale scores against the average, the scales "
             "that set the personas apart first."),
    "radar": (figures.aspects_radar,
              "Radar chart of each persona's ASPECTS scale scores against the average."),
    "categories": (figures.category_shares,
                   "Bar chart of answer shares per persona, with the overall share."),
    "sizes": (figures.segment_sizes, "Bar chart of the share of respondents in each persona."),
    "clv": (figures.segment_clv, "Dot chart of average customer lifetime value per persona, "
                                 "against the overall average."),
    "journey": (figures.journey_mix, "Stacked bars of each persona's customer-journey stages."),
}


def _summary(personas: Any, chart: str) -> str:
    people = list(getattr(personas, "personas", personas))
    parts = [f"{clip_label(p.name, NAME_LIMIT)}: {p.share:.0%} ({base_label(p)}"
             f"{', small base: do not read' if p.small_base else ''})" for p in people]
    return f"{CHARTS[chart][1]} Personas: " + "; ".join(parts) + "."


class PersonaChart(html.Div):
    """A persona chart linked to the galleries of its ``group``.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    chart : {"heatmap", "dots", "radar", "categories", "sizes", "clv", "journey"}
        ``"categories"`` needs ``feature=`` (a categorical feature).
    aio_id : str, optional
    group : str, default="personas"
    theme : str, default="light"
        ``"light"``, ``"dark"`` or a Bootstrap theme name (``"darkly"`` is dark).
    selected : str, optional
        Initially highlighted persona id.
    graph_props : dict, optional
        Passed to ``dcc.Graph`` (e.g. ``style``; a ``config`` is merged into
        :data:`~dash_personas.figures.GRAPH_CONFIG`).
    **figure_kwargs
        Passed to the figure function (e.g. ``feature="age_band"`` for ``categories``).

    Raises
    ------
    UserError
        Unknown ``chart`` or ``theme``, or ``"categories"`` without ``feature=``.
    """

    class ids:
        """Id factory of the chart's graph."""

        graph = staticmethod(_ids.chart_graph)

    def __init__(self, personas: Any, chart: str = "heatmap", *, aio_id: str | None = None,
                 group: str = _ids.DEFAULT_GROUP, theme: str = "light",
                 selected: str | None = None, graph_props: dict[str, Any] | None = None,
                 **figure_kwargs: Any) -> None:
        check_choice("chart", chart, CHARTS)
        mode = check_theme(theme)
        if chart == "categories" and figure_kwargs.get("feature") is None:
            raise UserError("chart='categories' shows the answers to one categorical question: "
                            "pass feature=, e.g. PersonaChart(personas, 'categories', "
                            "feature='age_band')")
        self.aio_id = aio_id or _ids.new_aio_id()
        self.group = group
        make, _ = CHARTS[chart]
        figure = make(personas, theme=mode, selected=selected, as_dict=True, **figure_kwargs)
        props = dict(graph_props or {})
        props["config"] = {**figures.GRAPH_CONFIG, **props.get("config", {})}
        props.setdefault("style", {"minHeight": "320px"})
        summary = _summary(personas, chart)
        super().__init__([
            dcc.Graph(id=_ids.chart_graph(self.aio_id, group), figure=figure, **props),
            html.P(summary, className="visually-hidden"),
        ], role="figure", className="dash-personas-chart", **{"aria-label": CHARTS[chart][1]})


class SegmentComparison(PersonaChart):
    """Compare personas in one chart (default: heatmap of standardised differences)."""

    def __init__(self, personas: Any, chart: str = "heatmap", **kwargs: Any) -> None:
        super().__init__(personas, chart, **kwargs)


class SegmentSizes(PersonaChart):
    """Share of respondents per persona (``clv=True`` for lifetime value instead)."""

    def __init__(self, personas: Any, *, clv: bool = False, **kwargs: Any) -> None:
        super().__init__(personas, "clv" if clv else "sizes", **kwargs)


class AspectsDots(PersonaChart):
    """Dot plot of the personas' ASPECTS profiles: scales sorted, the average marked.

    The chart to read scale scores from (:func:`~dash_personas.figures.aspects_dots`);
    it replaces the radar in the dashboard.
    """

    def __init__(self, personas: Any, **kwargs: Any) -> None:
        super().__init__(personas, "dots", **kwargs)


class AspectsRadar(PersonaChart):
    """Radar of the personas' ASPECTS profiles (kept for compatibility).

    With a dozen scales and several personas the shapes overlap and are hard to read;
    prefer :class:`AspectsDots`, which shows the same numbers.
    """

    def __init__(self, personas: Any, **kwargs: Any) -> None:
        super().__init__(personas, "radar", **kwargs)
