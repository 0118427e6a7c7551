"""``PersonaCard``: one persona as a Bootstrap card (all text rendered as text).

The card renders :func:`dash_personas.personas.persona_view`: what it says is decided
there, this module only maps the view to Dash components.
"""

from __future__ import annotations

import json
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
    share_notes,
)
from ._ids import new_aio_id
from ._validate import check_choice

__all__ = ["DETAILS", "MUTED_COLOUR", "WRAP_ANYWHERE", "WRAP_CLASS", "PersonaCard", "card_body",
           "card_header", "persona_card_body", "persona_card_header"]


def _span(text: str, emphasis: Emphasis, title: str) -> Any:
    hint = {"title": title} if title else {}
    if emphasis is Emphasis.STRONG:
        return html.Strong(text, **hint)
    if emphasis is Emphasis.MUTED:
        return html.Span(text, className="text-body-secondary", **hint)
    return html.Span(text, **hint) if hint else text


def _line_children(line: Line, icon: bool = True) -> Any:
    """The components of a line; a lone plain text is passed as the string itself (one
    component less in the page)."""
    icons = ([html.Span(line.icon, className="me-1", **{"aria-hidden": "true"})]
             if line.icon and icon else [])
    parts = icons + [_span(clip_label(s.text, TEXT_LIMIT), s.emphasis,
                           s.title or (s.text if len(s.text) > TEXT_LIMIT else ""))
                     for s in line.spans]
    return parts[0] if len(parts) == 1 and isinstance(parts[0], str) else parts


#: CSS custom property holding the decorative icon of every item of a list (drawn by
#: the stylesheet before each item, hidden from screen readers as the icon span was).
ICON_PROPERTY = "--dash-personas-icon"


def _list(lines: tuple[Line, ...]) -> html.Ul:
    """A list; the icon its lines share is given once, on the list, not per item."""
    icons = {line.icon for line in lines}
    shared = icons.pop() if len(icons) == 1 else ""
    style = {"style": {ICON_PROPERTY: json.dumps(shared, ensure_ascii=False)}} if shared else {}
    return html.Ul([html.Li(_line_children(line, icon=not shared)) for line in lines],
                   **({"className": "dash-personas-icons"} if shared else {}), **style)


#: Colour of bars that should not be read (small base); Bootstrap's secondary grey.
MUTED_COLOUR = "#6C757D"
#: The ``detail`` choices of a card and a gallery.
DETAILS = tuple(d.value for d in Detail)
#: Style of user text: a word longer than the card (a pasted URL, a 100,000-character
#: name) breaks anywhere instead of widening the page.
WRAP_ANYWHERE = {"overflowWrap": "anywhere", "wordBreak": "break-word"}
#: The stylesheet's class of :data:`WRAP_ANYWHERE` (what the cards use: a class name
#: is shorter in the page than the style).
WRAP_CLASS = "dash-personas-wrap"


def _bar(bar: DifferenceBar, colour: str) -> html.Div:
    colour = MUTED_COLOUR if bar.muted else colour
    # label, value and track are the bar's own children, laid out by the stylesheet's
    # .dash-personas-bar grid (no row wrapper: 40 bars on a page)
    return html.Div([
        html.Span(clip_label(bar.label),
                  **({"title": bar.label} if len(bar.label) > LABEL_LIMIT else {})),
        html.Span(bar.value, className="text-body-secondary"),
        # the track's size and shape, and the average (a line at 50 %), come from the
        # stylesheet's .dash-personas-track: the same for every bar of the page
        html.Div(html.Div(className="dash-personas-fill",
                          style={"left": f"{bar.offset:.1f}%", "width": f"{bar.width:.1f}%",
                                 "backgroundColor": colour}),
                 className="dash-personas-track", role="img",
                 # one plain-words copy, the hover and the image's accessible name
                 title=clip_label(bar.description, TEXT_LIMIT),
                 **{"data-direction": bar.direction.value}),
    ], className="dash-personas-bar small mb-1"
                 + (" text-body-secondary dash-personas-muted" if bar.muted else ""),
        **({"data-significant": "true"} if bar.significant else {}))


def _section(section: Section, colour: str) -> list[Any]:
    # flat children of the card body (no wrapper): every component counts when a
    # selection restyles the gallery
    # the other headings, the lists and the paragraphs are sized and spaced by the
    # stylesheet (.dash-personas-card): no class names repeated a hundred times a page
    spacing = {"className": "h6 mb-2"} if section.kind is SectionKind.BARS else {}
    children: list[Any] = [html.H4(section.heading, **spacing,
                                   **{"data-section": section.key})]
    if section.kind is SectionKind.BARS:
        children.append(html.Div([_bar(b, colour) for b in section.bars]))
    elif section.kind is SectionKind.LIST:
        children.append(_list(section.lines))
    else:
        children += [html.P(_line_children(line)) for line in section.lines]
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
    """Avatar, name, tagline, size and (when it is not the size) base of a
    :class:`PersonaView`."""
    heading = getattr(html, f"H{heading_level}")
    badges = [dbc.Badge(text, color="light", text_color="dark",
                        className="border" + (" ms-1 dash-personas-base" if i else
                                              " dash-personas-size"))
              for i, text in enumerate(view.badges)]
    return html.Div([
        html.Img(src=view.avatar.src, alt=clip_label(view.avatar.alt, NAME_LIMIT + 10),
                 width=view.avatar.size,
                 height=view.avatar.size, className="me-3 flex-shrink-0 rounded-circle"),
        html.Div([
            # the heading shows at most NAME_LIMIT characters, the title the whole name
            heading(clip_label(view.name, NAME_LIMIT), className="h5 card-title mb-1 "
                    "dash-personas-name " + WRAP_CLASS,
                    **({"title": view.name} if len(view.name) > NAME_LIMIT else {})),
            html.P(clip_label(view.tagline, TEXT_LIMIT), className="small mb-1 " + WRAP_CLASS),
            *badges,
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
    legend_id : str, optional
        The id of a legend shown once for several cards (the gallery's, see
        :func:`~dash_personas.personas.share_notes`): the card leaves out the notes that
        legend says and is described by it (``aria-describedby``).
    view : PersonaView, optional
        ``persona_view(persona, detail=detail)`` when the caller has made it already
        (a gallery makes every card's view for its legend); made here by default.
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
                 legend_id: str | None = None, view: PersonaView | None = None,
                 **div_props: Any) -> None:
        check_choice("detail", str(getattr(detail, "value", detail)), DETAILS)
        self.aio_id = aio_id or new_aio_id()
        view = persona_view(persona, detail=detail) if view is None else view
        if legend_id is not None:
            (view,), _ = share_notes([view])
            div_props.setdefault("aria-describedby", legend_id)
        # a small base greys the whole card out (secondary text keeps WCAG AA contrast)
        muted = " text-body-secondary dash-personas-small-base" if view.small_base else ""
        props = {"className": f"h-100 shadow-sm dash-personas-card {WRAP_CLASS}" + muted,
                 "style": {"borderTop": f"6px solid "
                                        f"{MUTED_COLOUR if view.small_base else view.colour}"}}
        props.update(card_props or {})
        parts = [dbc.CardHeader(card_header(view), className="bg-transparent"),
                 dbc.CardBody(card_body(view))]
        if footer is not None:
            parts.append(dbc.CardFooter(footer, className="bg-transparent"))
        card = dbc.Card(parts, **props)
        div_props.setdefault("role", "region")
        div_props.setdefault("aria-label", clip_label(view.label, TEXT_LIMIT))
        super().__init__(card, **div_props)
