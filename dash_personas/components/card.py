"""``PersonaCard``: one persona as a Bootstrap card (all text rendered as text)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from ..personas import Persona
from ..personas._features import humanise
from ._ids import new_aio_id

__all__ = ["PersonaCard", "persona_card_body"]


def _fmt_number(value: float | None, currency: str | None = None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def _diff_bar(label: str, std_diff: float, colour: str) -> html.Div:
    """A small diverging bar: centre = population average, ±2 SD at the edges."""
    width = min(abs(std_diff), 2.0) / 2.0 * 50
    left = 50 if std_diff >= 0 else 50 - width
    direction = "above" if std_diff >= 0 else "below"
    return html.Div([
        html.Div([html.Span(label, className="small"),
                  html.Span(f"{std_diff:+.1f} SD", className="small text-body-secondary")],
                 className="d-flex justify-content-between"),
        html.Div([
            html.Div(className="position-absolute top-0 bottom-0 border-start border-secondary",
                     style={"left": "50%"}),
            html.Div(className="position-absolute top-0 bottom-0 rounded-1",
                     style={"left": f"{left:.1f}%", "width": f"{width:.1f}%",
                            "backgroundColor": colour}),
        ], className="position-relative bg-body-tertiary rounded-1", style={"height": "8px"},
            role="img", **{"aria-label": f"{label}: {abs(std_diff):.1f} standard deviations "
                                         f"{direction} average"}),
    ], className="mb-1")


def _list(title: str, items: list[str], icon: str) -> list[Any]:
    if not items:
        return []
    return [html.H4(title, className="h6 mt-3 mb-1"),
            html.Ul([html.Li([html.Span(icon, **{"aria-hidden": "true"}, className="me-1"), item])
                     for item in items], className="list-unstyled small mb-0")]


def persona_card_body(persona: Persona, *, detail: str = "full", n_scales: int = 5) -> list[Any]:
    """The children of a persona card body.

    Parameters
    ----------
    persona : Persona
    detail : {"full", "compact"}
        ``compact`` shows the headline, quote, strongest scales and do/don't only.
    n_scales : int
        How many of the most distinctive scales to draw.
    """
    scales = sorted(persona.aspects or persona.profile, key=lambda s: -abs(s.std_diff))[:n_scales]
    body: list[Any] = [
        html.Figure([
            html.Blockquote(html.P(persona.quote, className="mb-0 fst-italic"),
                            className="blockquote fs-6 mb-3"),
            # Bootstrap's .blockquote-footer adds the dash itself and expects the
            # blockquote's bottom margin above it (it has a negative top margin)
            html.Figcaption(persona.name, className="blockquote-footer mb-0 small"),
        ], className="mb-3") if persona.quote else None,
        html.H4("What sets them apart", className="h6 mb-2"),
        html.Div([_diff_bar(s.label, s.std_diff, persona.colour) for s in scales]),
    ]
    if detail == "full":
        body += _list("Motivations", persona.motivations, "+")
        body += _list("Frustrations", persona.frustrations, "−")
        if persona.demographics:
            body.append(html.H4("Who they are", className="h6 mt-3 mb-1"))
            body.append(html.Ul([
                # the answer first, the (long) question as a muted hint
                html.Li([html.Strong(d.level_label), f" ({d.share:.0%}, ×{d.lift:.1f}) ",
                         html.Span(humanise(d.feature).lower(), title=d.label,
                                   className="text-body-secondary")])
                for d in persona.demographics[:4]], className="list-unstyled small mb-0"))
        b = persona.behaviour
        facts = []
        if b.clv is not None:
            facts.append(f"CLV {_fmt_number(b.clv, b.currency)} "
                         f"(average {_fmt_number(b.overall_clv, b.currency)})")
        if b.frequency:
            facts.append(f"Buys: {b.frequency}")
        if b.spend is not None:
            facts.append(f"Spend per purchase: {_fmt_number(b.spend, b.currency)}")
        if b.channels:
            facts.append("Channels: " + ", ".join(b.channels))
        if persona.journey:
            top = max(persona.journey, key=lambda j: j.share)
            facts.append(f"Most at stage: {top.label} ({top.share:.0%})")
        if facts:
            body.append(html.H4("Behaviour", className="h6 mt-3 mb-1"))
            body.append(html.Ul([html.Li(f) for f in facts], className="list-unstyled small mb-0"))
    g = persona.guidelines
    limit = None if detail == "full" else 2
    body.append(html.H4("How to talk to them", className="h6 mt-3 mb-1"))
    if g.tone:
        body.append(html.P(["Tone: ", html.Strong(g.tone)], className="small mb-1"))
    if g.channels and detail == "full":
        body.append(html.P("Channels: " + ", ".join(g.channels), className="small mb-1"))
    body += _list("Do", g.do[:limit], "✓")
    body += _list("Don't", g.dont[:limit], "✗")
    return [b for b in body if b is not None]


def persona_card_header(persona: Persona, heading_level: int = 3) -> html.Div:
    """Avatar, name, tagline and size of a persona."""
    heading = getattr(html, f"H{heading_level}")
    return html.Div([
        html.Img(src=persona.avatar_data_uri(64), alt=f"Avatar of {persona.name}", width=64,
                 height=64, className="me-3 flex-shrink-0 rounded-circle"),
        html.Div([
            heading(persona.name, className="h5 card-title mb-1 dash-personas-name"),
            html.P(persona.tagline, className="small mb-1"),
            dbc.Badge(f"{persona.share:.0%} · {persona.size:,} respondents",
                      color="light", text_color="dark", className="border"),
        ], className="min-w-0"),
    ], className="d-flex align-items-start")


class PersonaCard(html.Div):
    """A persona as a card: avatar, name, tagline, quote, profile and guidelines.

    Parameters
    ----------
    persona : Persona
    detail : {"full", "compact"}
    aio_id : str, optional
        Instance id (random by default).
    footer : Dash component, optional
        Extra content at the bottom (the gallery puts its select button there).
    card_props : dict, optional
        Passed to :class:`dbc.Card`.
    **div_props
        Passed to the outer ``html.Div``.

    Notes
    -----
    Every persona text is passed to Dash as a plain string, so it is rendered as text
    (never as HTML), whatever it contains.
    """

    def __init__(self, persona: Persona, *, detail: str = "full", aio_id: str | None = None,
                 footer: Any = None, card_props: dict[str, Any] | None = None,
                 **div_props: Any) -> None:
        self.aio_id = aio_id or new_aio_id()
        props = {"className": "h-100 shadow-sm dash-personas-card",
                 "style": {"borderTop": f"6px solid {persona.colour}"}}
        props.update(card_props or {})
        parts = [dbc.CardHeader(persona_card_header(persona), className="bg-transparent"),
                 dbc.CardBody(persona_card_body(persona, detail=detail))]
        if footer is not None:
            parts.append(dbc.CardFooter(footer, className="bg-transparent"))
        card = dbc.Card(parts, **props)
        div_props.setdefault("role", "region")
        div_props.setdefault("aria-label", f"Persona: {persona.name}")
        super().__init__(card, **div_props)
