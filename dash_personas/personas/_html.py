"""Self-contained HTML for personas: notebook display and the static persona sheet.

The cards render :func:`~dash_personas.personas.persona_view` (what a card says is
decided there). No server, no script, no external file: every text that comes from
data or from analysts is escaped; avatars are the locally generated SVGs as ``data:``
URIs; styles are inline so the output survives notebook sanitisers and looks right in
light and dark notebook themes.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ._view import (
    N_COMPARISON_ROWS,
    ComparisonCell,
    ComparisonView,
    Detail,
    DifferenceBar,
    Direction,
    Emphasis,
    Line,
    PersonaView,
    SectionKind,
    comparison_view,
    gallery_view,
    persona_view,
)

__all__ = ["comparison_table_html", "persona_card_html", "personas_html", "view_html"]

_CARD = ("border:1px solid rgba(128,128,128,.35);border-top:6px solid {colour};"
         "border-radius:8px;padding:12px 14px;min-width:0")
_GRID = "display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px"
_MUTED = "opacity:.75;font-size:.9em"
_BADGE = ("display:inline-block;border:1px solid rgba(128,128,128,.5);border-radius:4px;"
          "padding:0 6px;font-size:.8em;font-weight:600")
_HEADING = "font-weight:600;font-size:1em;margin:10px 0 2px"
_LIST = "list-style:none;padding-left:0;margin:0;font-size:.9em"


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _tag(name: str, text: str, style: str = "", **attrs: str) -> str:
    """``<name attrs style>text</name>``; ``text`` is already escaped, empty attributes dropped."""
    props = "".join(f" {k.rstrip('_').replace('_', '-')}='{_e(v)}'"
                    for k, v in {**attrs, "style": style}.items() if v)
    return f"<{name}{props}>{text}</{name}>"


def _line(line: Line) -> str:
    parts = [_tag("span", _e(line.icon), "margin-right:4px", aria_hidden="true")
             if line.icon else ""]
    for span in line.spans:
        if span.emphasis is Emphasis.STRONG:
            parts.append(_tag("strong", _e(span.text), title=span.title))
        elif span.emphasis is Emphasis.MUTED:
            parts.append(_tag("span", _e(span.text), "opacity:.75", title=span.title))
        elif span.title:
            parts.append(_tag("span", _e(span.text), title=span.title))
        else:
            parts.append(_e(span.text))
    return "".join(parts)


#: Colour of what should not be read (small base).
_MUTED_COLOUR = "#6C757D"


def _bar(bar: DifferenceBar, colour: str) -> str:
    colour = _MUTED_COLOUR if bar.muted else colour
    flags = (" data-significant='true'" if bar.significant else "") + \
        (" data-muted='true'" if bar.muted else "")
    return (
        f"<div style='margin:3px 0{';color:' + _MUTED_COLOUR if bar.muted else ''}'{flags}>"
        "<div style='display:flex;justify-content:space-between;font-size:.85em'>"
        f"<span>{_e(bar.label)}</span><span style='opacity:.75;white-space:nowrap;margin-left:6px'"
        f" title='{_e(bar.description)}'>{_e(bar.value)}</span></div>"
        f"<div role='img' aria-label='{_e(bar.description)}' data-direction='"
        f"{_e(bar.direction.value)}' style='position:relative;height:7px;"
        "background:rgba(128,128,128,.2);border-radius:3px'>"
        "<div style='position:absolute;left:50%;top:0;bottom:0;"
        "border-left:1px solid rgba(128,128,128,.8)'></div>"
        f"<div style='position:absolute;left:{bar.offset:.1f}%;width:{bar.width:.1f}%;top:0;"
        f"bottom:0;background:{_e(colour)};border-radius:3px'></div></div></div>")


def _heading(level: int | None, text: str, style: str, class_: str = "",
             section: str = "") -> str:
    name = "div" if level is None else f"h{min(level, 6)}"
    return _tag(name, _e(text), style, class_=class_, data_section=section)


def view_html(view: PersonaView, heading_level: int | None = None) -> str:
    """One :class:`PersonaView` as an HTML card (escaped text, inline styles).

    Parameters
    ----------
    view : PersonaView
    heading_level : int, optional
        Render the name as ``<h{level}>`` and section headings one level below;
        by default (notebooks) they are styled ``<div>`` elements, which notebook
        front ends do not turn into document headings.
    """
    sub = None if heading_level is None else heading_level + 1
    colour = _e(view.colour)
    body: list[str] = []
    for section in view.sections:
        content = [_heading(sub, section.heading, _HEADING, "dash-personas-heading",
                            section.key)]
        if section.kind is SectionKind.BARS:
            content += [_bar(b, view.colour) for b in section.bars]
        elif section.kind is SectionKind.LIST:
            content.append(f"<ul style='{_LIST}'>"
                           + "".join(f"<li>{_line(x)}</li>" for x in section.lines) + "</ul>")
        else:
            content += [f"<p style='margin:2px 0;font-size:.9em'>{_line(x)}</p>"
                        for x in section.lines]
        body += content
    quote = "" if view.quote is None else (
        "<figure style='margin:10px 0'>"
        f"<blockquote style='margin:0;padding-left:8px;border-left:3px solid {colour};"
        f"font-style:italic'><p style='margin:0'>{_e(view.quote.text)}</p></blockquote>"
        f"<figcaption style='{_MUTED}'><span aria-hidden='true'>— </span>"
        f"{_e(view.quote.attribution)}</figcaption></figure>")
    avatar = view.avatar
    warning = "" if not view.warning else (
        "<p class='dash-personas-warning' role='note' data-small-base='true' "
        "style='margin:6px 0;padding:2px 6px;border:1px solid #B8860B;border-radius:4px;"
        f"font-size:.85em'>{_e(view.warning)}</p>")
    grey = f";color:{_MUTED_COLOUR}" if view.small_base else ""
    edge = _MUTED_COLOUR if view.small_base else colour
    small = " dash-personas-small-base" if view.small_base else ""
    return (
        f"<section class='dash-personas-card{small}'"
        f" aria-label='{_e(view.label)}' style='{_CARD.format(colour=edge)}{grey}'>"
        "<div style='display:flex;gap:10px;align-items:flex-start'>"
        f"<img src='{_e(avatar.src)}' width='{avatar.size}' height='{avatar.size}' "
        f"alt='{_e(avatar.alt)}' style='border-radius:50%;flex:none'>"
        "<div style='min-width:0'>"
        + _heading(heading_level, view.name, "font-weight:700;font-size:1.1em;margin:0",
                   "dash-personas-name")
        + f"<p style='margin:2px 0'>{_e(view.tagline)}</p>"
        + " ".join(f"<span class='dash-personas-{kind}' style='{_BADGE}'>{_e(badge)}</span>"
                   for kind, badge in zip(("size", "base"), view.badges))
        + f"</div></div>{warning}{quote}{''.join(body)}</section>")


def persona_card_html(persona: Any, *, detail: Detail | str = Detail.FULL,
                      heading_level: int | None = None) -> str:
    """One persona as an HTML card (escaped text, inline styles).

    Parameters
    ----------
    persona : Persona
    detail : {"full", "compact"}, default="full"
        See :func:`~dash_personas.personas.persona_view`.
    heading_level : int, optional
        See :func:`view_html`.

    Returns
    -------
    str
    """
    return view_html(persona_view(persona, detail=detail), heading_level)


def _cell_style(cell: ComparisonCell) -> str:
    if cell.muted:
        return f"text-align:right;padding:2px 8px;color:{_MUTED_COLOUR};font-style:italic"
    if cell.direction is None:
        return "text-align:right;padding:2px 8px"
    rgb = "33,102,172" if cell.direction is Direction.ABOVE else "178,24,43"
    return (f"background:rgba({rgb},{cell.strength * 0.6:.2f});text-align:right;"
            "padding:2px 8px")


def comparison_table_html(personas: Any, max_rows: int = N_COMPARISON_ROWS) -> str:
    """Feature × persona table of standardised differences, most distinguishing first.

    Renders :func:`~dash_personas.personas.comparison_view` (blue above, red below
    average); empty when there is nothing to compare.
    """
    return _comparison_html(comparison_view(personas, max_rows))


def _comparison_html(view: ComparisonView) -> str:
    if not view.rows:
        return ""
    bases = view.bases or ("",) * len(view.columns)
    head = "".join(f"<th style='padding:2px 8px;text-align:right'>{_e(name)}"
                   f"<br><span style='{_MUTED};font-weight:400'>{_e(base)}</span></th>"
                   for name, base in zip(view.columns, bases))
    rows = "".join(
        f"<tr><th scope='row' style='text-align:left;padding:2px 8px'>{_e(row.label)}</th>"
        + "".join(_tag("td", _e(c.text), _cell_style(c), title=c.hint) for c in row.cells)
        + "</tr>" for row in view.rows)
    return ("<table class='dash-personas-comparison' style='border-collapse:collapse;"
            "font-size:.9em;margin-top:10px'>"
            f"<caption style='caption-side:top;text-align:left;font-weight:600'>"
            f"{_e(view.caption)}</caption>"
            f"<thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>"
            + (f"<p class='dash-personas-legend' style='{_MUTED};margin:4px 0'>"
               f"{_e(view.legend)}</p>" if view.legend else ""))


def personas_html(personas: Any, title: str | None = None) -> str:
    """A persona gallery and comparison table as one self-contained HTML fragment.

    Renders :func:`~dash_personas.personas.gallery_view`.
    """
    view = gallery_view(personas, title)
    heading = (f"<div style='font-weight:700;font-size:1.2em;margin-bottom:2px'>"
               f"{_e(view.title)}</div>" if view.title else "")
    cards = "".join(view_html(card) for card in view.cards)
    return (
        "<div class='dash-personas-gallery' style='font-family:inherit;line-height:1.35'>"
        f"{heading}<div style='{_MUTED};margin-bottom:8px'>{_e(view.summary)}</div>"
        f"<div style='{_GRID}'>{cards}</div>{_comparison_html(view.comparison)}</div>")
