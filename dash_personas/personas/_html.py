"""Self-contained HTML for personas in notebooks (no server, no script, no external file).

Every text that comes from data or from analysts is escaped; avatars are the locally
generated SVGs as ``data:`` URIs; styles are inline so the output survives notebook
sanitisers and looks right in light and dark notebook themes.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["comparison_table_html", "persona_card_html", "personas_html"]

_CARD = ("border:1px solid rgba(128,128,128,.35);border-top:6px solid {colour};"
         "border-radius:8px;padding:12px 14px;min-width:0")
_GRID = "display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px"
_MUTED = "opacity:.75;font-size:.9em"


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _items(title: str, values: list[str]) -> str:
    if not values:
        return ""
    lis = "".join(f"<li>{_e(v)}</li>" for v in values)
    return (f"<div style='margin-top:6px'><strong>{_e(title)}</strong>"
            f"<ul style='margin:2px 0 0 0;padding-left:18px'>{lis}</ul></div>")


def _bar(label: str, std_diff: float, colour: str) -> str:
    width = min(abs(std_diff), 2.0) / 2.0 * 50
    left = 50 if std_diff >= 0 else 50 - width
    return (
        "<div style='margin:3px 0'>"
        f"<div style='display:flex;justify-content:space-between;font-size:.85em'>"
        f"<span>{_e(label)}</span><span>{std_diff:+.1f} SD</span></div>"
        "<div style='position:relative;height:7px;background:rgba(128,128,128,.2);"
        "border-radius:3px'>"
        "<div style='position:absolute;left:50%;top:0;bottom:0;"
        "border-left:1px solid rgba(128,128,128,.8)'></div>"
        f"<div style='position:absolute;left:{left:.1f}%;width:{width:.1f}%;top:0;bottom:0;"
        f"background:{_e(colour)};border-radius:3px'></div></div></div>")


def persona_card_html(persona: Any, n_scales: int = 4) -> str:
    """One persona as an HTML card (escaped text, inline styles)."""
    p = persona
    colour = p.colour
    scales = sorted(p.aspects or p.profile, key=lambda s: -abs(s.std_diff))[:n_scales]
    bars = "".join(_bar(s.label, s.std_diff, colour) for s in scales)
    facts = []
    if p.behaviour.clv is not None:
        facts.append(f"CLV {p.behaviour.clv:,.0f} {p.behaviour.currency or ''}".strip())
    facts += [f"{d.label}: {d.level_label} ({d.share:.0%})" for d in p.demographics[:3]]
    g = p.guidelines
    talk = []
    if g.tone:
        talk.append(f"Tone: {g.tone}")
    if g.channels:
        talk.append("Channels: " + ", ".join(g.channels))
    quote = (f"<blockquote style='margin:8px 0;padding-left:8px;border-left:3px solid "
             f"{_e(colour)};font-style:italic'>{_e(p.quote)}</blockquote>" if p.quote else "")
    return (
        f"<div class='dash-personas-card' style='{_CARD.format(colour=_e(colour))}'>"
        "<div style='display:flex;gap:10px;align-items:center'>"
        f"<img src='{_e(p.avatar_data_uri(56))}' width='56' height='56' "
        f"alt='{_e('Avatar of ' + p.name)}' style='border-radius:50%;flex:none'>"
        f"<div><div class='dash-personas-name' style='font-weight:700;font-size:1.1em'>"
        f"{_e(p.name)}</div>"
        f"<div style='{_MUTED}'>{p.share:.0%} of respondents ({p.size:,})</div></div></div>"
        f"<div style='margin-top:6px'>{_e(p.tagline)}</div>{quote}{bars}"
        f"{_items('Motivations', p.motivations[:3])}{_items('Frustrations', p.frustrations[:3])}"
        f"{_items('Facts', facts)}{_items('How to talk to them', talk)}"
        f"{_items('Do', g.do[:2])}{_items('Don’t', g.dont[:2])}"
        "</div>")


def _cell_style(std_diff: float) -> str:
    alpha = min(abs(std_diff), 2.0) / 2.0 * 0.6
    rgb = "33,102,172" if std_diff >= 0 else "178,24,43"  # blue above, red below average
    return f"background:rgba({rgb},{alpha:.2f});text-align:right;padding:2px 8px"


def comparison_table_html(personas: Any, max_rows: int = 12) -> str:
    """Feature × persona table of standardised differences, most distinguishing first."""
    people = list(personas)
    labels: dict[str, str] = {}
    diffs: dict[str, dict[str, float]] = {}
    for p in people:
        for d in list(p.aspects) + list(p.profile):
            key = getattr(d, "scale", None) or getattr(d, "feature", None)
            labels.setdefault(key, d.label)
            diffs.setdefault(key, {})[p.id] = d.std_diff
    if not diffs:
        return ""
    order = sorted(diffs, key=lambda k: -max(abs(v) for v in diffs[k].values()))[:max_rows]
    head = "".join(f"<th style='padding:2px 8px;text-align:right'>{_e(p.name)}</th>"
                   for p in people)
    rows = []
    for key in order:
        cells = "".join(
            f"<td style='{_cell_style(diffs[key][p.id])}'>{diffs[key][p.id]:+.2f}</td>"
            if p.id in diffs[key] else "<td style='text-align:right;padding:2px 8px'>—</td>"
            for p in people)
        rows.append(f"<tr><th scope='row' style='text-align:left;padding:2px 8px'>"
                    f"{_e(labels[key])}</th>{cells}</tr>")
    return ("<table class='dash-personas-comparison' style='border-collapse:collapse;"
            "font-size:.9em;margin-top:10px'>"
            "<caption style='caption-side:top;text-align:left;font-weight:600'>"
            "How the personas differ (standardised difference from all respondents)</caption>"
            f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def personas_html(personas: Any, title: str | None = None) -> str:
    """A persona gallery and comparison table as one self-contained HTML fragment."""
    people = list(personas)
    n = getattr(personas, "n_respondents", 0) or sum(p.size for p in people)
    heading = (f"<div style='font-weight:700;font-size:1.2em;margin-bottom:2px'>"
               f"{_e(title)}</div>" if title else "")
    cards = "".join(persona_card_html(p) for p in people)
    return (
        "<div class='dash-personas-gallery' style='font-family:inherit;line-height:1.35'>"
        f"{heading}<div style='{_MUTED};margin-bottom:8px'>{len(people)} personas from "
        f"{n:,} respondents</div>"
        f"<div style='{_GRID}'>{cards}</div>{comparison_table_html(personas)}</div>")
