"""``PersonaCard``: one persona as a Bootstrap card (all text rendered as text).

The card renders :func:`dash_personas.personas.persona_view`: what it says is decided
there, this module only maps the view to Dash components.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from ..labels import LABEL_LIMIT, NAME_LIMIT, TEXT_LIMIT, clip_label
from ..personas import (
    Detail,
    DifferenceBar,
    Emphasis,
    Line,
    Persona,
    PersonaView,
    Section,
    SectionKind,
    persona_view,
)
from ._ids import new_aio_id
from ._validate import check_choice

__all__ = ["DETAILS", "MUTED_COLOUR", "WRAP_ANYWHERE", "PersonaCard", "card_body", "card_header",
           "persona_card_body", "persona_card_header"]


def _span(text: str, emphasis: Emphasis, title: str) -> Any:
    hint = {"title": title} if title else {}
    if emphasis is Emphasis.STRONG:
        return html.Strong(text, **hint)
    if emphasis is Emphasis.MUTED:
        return html.Span(text, className="text-body-secondary", **hint)
    return html.Span(text, **hint) if hint else text


def _line_children(line: Line) -> list[Any]:
    icon = ([html.Span(line.icon, className="me-1", **{"aria-hidden": "true"})]
            if line.icon else [])
    return icon + [_span(clip_label(s.text, TEXT_LIMIT), s.emphasis,
                         s.title or (s.text if len(s.text) > TEXT_LIMIT else ""))
                   for s in line.spans]


#: Colour of bars that should not be read (small base); Bootstrap's secondary grey.
MUTED_COLOUR = "#6C757D"
#: The ``detail`` choices of a card and a gallery.
DETAILS = tuple(d.value for d in Detail)
#: Style of user text: a word longer than the card (a pasted URL, a 100,000-character
#: name) breaks anywhere instead of widening the page.
WRAP_ANYWHERE = {"overflowWrap": "anywhere", "wordBreak": "break-word"}


def _bar(bar: DifferenceBar, colour: str) -> html.Div:
    colour = MUTED_COLOUR if bar.muted else colour
    return html.Div([
        html.Div([html.Span(clip_label(bar.label), className="small",
                            **({"title": bar.label} if len(bar.label) > LABEL_LIMIT else {})),
                  html.Span(bar.value, className="small text-body-secondary",
                            title=bar.description)],
                 className="d-flex justify-content-between"),
        # the average (a line at 50 %) is drawn by the stylesheet's .dash-personas-track:
        # one element less per bar in every card of the page
        html.Div([
            html.Div(className="position-absolute top-0 bottom-0 rounded-1",
                     style={"left": f"{bar.offset:.1f}%", "width": f"{bar.width:.1f}%",
                            "backgroundColor": colour}),
        ], className="position-relative bg-body-tertiary rounded-1 dash-personas-track",
            style={"height": "8px"},
            role="img", **{"aria-label": clip_label(bar.description, TEXT_LIMIT),
                           "data-direction": bar.direction.value}),
    ], className="mb-1" + (" text-body-secondary dash-personas-muted" if bar.muted else ""),
        **({"data-significant": "true"} if bar.significant else {}))


def _section(section: Section, colour: str) -> list[Any]:
    # flat children of the card body (no wrapper): every component counts when a
    # selection restyles the gallery
    spacing = "h6 mb-2" if section.kind is SectionKind.BARS else "h6 mt-3 mb-1"
    children: list[Any] = [html.H4(section.heading, className=spacing,
                                   **{"data-section": section.key})]
    if section.kind is SectionKind.BARS:
        children.append(html.Div([_bar(b, colour) for b in section.bars]))
    elif section.kind is SectionKind.LIST:
        children.append(html.Ul([html.Li(_line_children(line)) for line in section.lines],
                                className="list-unstyled small mb-0"))
    else:
        children += [html.P(_line_children(line), className="small mb-1")
                     for line in section.lines]
    return children


def _quote(view: PersonaView) -> list[Any]:
    if view.quote is None:
        return []
    return [html.Figure([
        html.Blockquote(html.P(clip_label(view.quote.text, TEXT_LIMIT),
                               className="mb-0 fst-italic"),
                        className="blockquote fs-6 mb-3"),
        # Bootstrap's .blockquote-footer adds the dash itself and expects the
        # blockquote's bottom margin above it (it has a negative top margin)
        html.Figcaption(clip_label(view.quote.attribution, NAME_LIMIT + 2),
                        className="blockquote-footer mb-0 small"),
    ], className="mb-3")]


def _warning(view: PersonaView) -> list[Any]:
    if not view.warning:
        return []
    return [html.P(view.warning, className="alert alert-warning small py-1 px-2 mb-2",
                   role="note", **{"data-small-base": "true"})]


def card_body(view: PersonaView) -> list[Any]:
    """The children of a card body for a :class:`PersonaView`."""
    return _warning(view) + _quote(view) + [part for s in view.sections
                                            for part in _section(s, view.colour)]


def card_header(view: PersonaView, heading_level: int = 3) -> html.Div:
    """Avatar, name, tagline and size of a :class:`PersonaView`."""
    heading = getattr(html, f"H{heading_level}")
    return html.Div([
        html.Img(src=view.avatar.src, alt=clip_label(view.avatar.alt, NAME_LIMIT + 10),
                 width=view.avatar.size,
                 height=view.avatar.size, className="me-3 flex-shrink-0 rounded-circle"),
        html.Div([
            # the heading shows at most NAME_LIMIT characters, the title the whole name
            heading(clip_label(view.name, NAME_LIMIT), className="h5 card-title mb-1 "
                    "dash-personas-name", style=WRAP_ANYWHERE,
                    **({"title": view.name} if len(view.name) > NAME_LIMIT else {})),
            html.P(clip_label(view.tagline, TEXT_LIMIT), className="small mb-1",
                   style=WRAP_ANYWHERE),
            dbc.Badge(view.size_text, color="light", text_color="dark", className="border"),
            dbc.Badge(view.base_text, color="light", text_color="dark",
                      className="border ms-1 dash-personas-base"),
        ], className="min-w-0", style={"minWidth": 0}),
    ], className="d-flex align-items-start")


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
    return card_body(persona_view(persona, detail=detail, n_scales=n_scales))


def persona_card_header(persona: Persona, heading_level: int = 3) -> html.Div:
    """Avatar, name, tagline and size of a persona."""
    return card_header(persona_view(persona), heading_level)


class PersonaCard(html.Div):
    """A persona as a card: avatar, name, tagline, quote, profile and guidelines.

    Parameters
    ----------
    persona : Persona
    detail : {"full", "compact"}, default="full"
    aio_id : str, optional
        Instance id (random by default).
    footer : Dash component, optional
        Extra content at the bottom (the gallery puts its select button there).
    card_props : dict, optional
        Passed to :class:`dbc.Card`.
    **div_props
        Passed to the outer ``html.Div``.

    Raises
    ------
    UserError
        ``detail`` is not one of the choices.

    Notes
    -----
    The content is :func:`dash_personas.personas.persona_view`. Every persona text is
    passed to Dash as a plain string, so it is rendered as text (never as HTML),
    whatever it contains; a name longer than ``NAME_LIMIT`` characters is shortened
    in the heading (the whole name is its ``title``) and long words wrap anywhere, so
    no text widens the page.
    """

    def __init__(self, persona: Persona, *, detail: str = "full", aio_id: str | None = None,
                 footer: Any = None, card_props: dict[str, Any] | None = None,
                 **div_props: Any) -> None:
        check_choice("detail", str(getattr(detail, "value", detail)), DETAILS)
        self.aio_id = aio_id or new_aio_id()
        view = persona_view(persona, detail=detail)
        # a small base greys the whole card out (secondary text keeps WCAG AA contrast)
        muted = " text-body-secondary dash-personas-small-base" if view.small_base else ""
        props = {"className": "h-100 shadow-sm dash-personas-card" + muted,
                 "style": {"borderTop": f"6px solid "
                                        f"{MUTED_COLOUR if view.small_base else view.colour}",
                           **WRAP_ANYWHERE}}
        props.update(card_props or {})
        parts = [dbc.CardHeader(card_header(view), className="bg-transparent"),
                 dbc.CardBody(card_body(view))]
        if footer is not None:
            parts.append(dbc.CardFooter(footer, className="bg-transparent"))
        card = dbc.Card(parts, **props)
        div_props.setdefault("role", "region")
        div_props.setdefault("aria-label", clip_label(view.label, TEXT_LIMIT))
        super().__init__(card, **div_props)
