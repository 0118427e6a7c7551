"""Chart components: ``SegmentComparison``, ``SegmentSizes`` and ``AspectsRadar``.

Each wraps a ``dcc.Graph`` whose figure comes from :mod:`dash_personas.figures`; the
graph id carries the selection ``group`` so a gallery of the same group highlights the
selected persona in it (registered by :func:`dash_personas.register_callbacks`).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from survey_builder.errors import UserError

from .. import figures
from ..personas import base_label
from . import _ids

__all__ = ["CHARTS", "AspectsRadar", "PersonaChart", "SegmentComparison", "SegmentSizes"]

#: chart name -> (figure function, accessible description)
CHARTS: dict[str, tuple[Any, str]] = {
    "heatmap": (figures.difference_heatmap,
                "Heatmap of each persona's standardised difference from all respondents, "
                "feature by feature."),
    "radar": (figures.aspects_radar,
              "Radar chart of each persona's ASPECTS scale scores against the average."),
    "categories": (figures.category_shares,
                   "Bar chart of answer shares per persona, with the overall share."),
    "sizes": (figures.segment_sizes, "Bar chart of the share of respondents in each persona."),
    "clv": (figures.segment_clv, "Bar chart of average customer lifetime value per persona."),
    "journey": (figures.journey_mix, "Stacked bars of each persona's customer-journey stages."),
}


def _summary(personas: Any, chart: str) -> str:
    people = list(getattr(personas, "personas", personas))
    parts = [f"{p.name}: {p.share:.0%} ({base_label(p)}"
             f"{', small base: do not read' if p.small_base else ''})" for p in people]
    return f"{CHARTS[chart][1]} Personas: " + "; ".join(parts) + "."


class PersonaChart(html.Div):
    """A persona chart linked to the galleries of its ``group``.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    chart : {"heatmap", "radar", "categories", "sizes", "clv", "journey"}
    aio_id : str, optional
    group : str, default="personas"
    theme : {"light", "dark"}
    selected : str, optional
        Initially highlighted persona id.
    graph_props : dict, optional
        Passed to ``dcc.Graph`` (e.g. ``style``).
    **figure_kwargs
        Passed to the figure function (e.g. ``feature="age_band"`` for ``categories``).
    """

    class ids:
        """Id factory of the chart's graph."""

        graph = staticmethod(_ids.chart_graph)

    def __init__(self, personas: Any, chart: str = "heatmap", *, aio_id: str | None = None,
                 group: str = _ids.DEFAULT_GROUP, theme: str = "light",
                 selected: str | None = None, graph_props: dict[str, Any] | None = None,
                 **figure_kwargs: Any) -> None:
        if chart not in CHARTS:
            raise UserError(f"chart must be one of {', '.join(CHARTS)}, got {chart!r}")
        self.aio_id = aio_id or _ids.new_aio_id()
        self.group = group
        make, _ = CHARTS[chart]
        figure = make(personas, theme=theme, selected=selected, **figure_kwargs)
        props = {"config": {"displaylogo": False, "responsive": True},
                 "style": {"minHeight": "320px"}}
        props.update(graph_props or {})
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


class AspectsRadar(PersonaChart):
    """Radar of the personas' ASPECTS profiles."""

    def __init__(self, personas: Any, **kwargs: Any) -> None:
        super().__init__(personas, "radar", **kwargs)
