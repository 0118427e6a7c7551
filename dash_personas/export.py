"""Export personas: a self-contained HTML persona sheet, and charts as PNG/SVG.

The sheet has no external resources (inline CSS, avatars as ``data:`` URIs) and every
persona text is HTML-escaped. Static chart images need the ``export`` extra
(``pip install "dash-personas[export]"``: kaleido) and a Chromium/Chrome browser;
kaleido finds it on ``PATH`` or through ``BROWSER_PATH`` (this module points it at
``/usr/bin/chromium`` when that exists).
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

from survey_builder.atomic import write_bytes_atomic, write_text_atomic
from survey_builder.errors import UserError

__all__ = ["ExportError", "export_figure", "persona_sheet_html", "write_persona_sheet"]

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#212529}
.persona{border:1px solid #dee2e6;border-top:6px solid var(--c);border-radius:.5rem;
 padding:1rem 1.25rem;margin:0 0 1.5rem;break-inside:avoid;max-width:56rem}
.head{display:flex;gap:1rem;align-items:center}.head img{border-radius:50%}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin:.2rem 0}h3{font-size:1rem;margin:1rem 0 .3rem}
.tag{margin:.2rem 0;color:#495057}.quote{font-style:italic;border-left:4px solid var(--c);
 padding-left:.75rem;margin:1rem 0}
table{border-collapse:collapse;font-size:.9rem}td,th{padding:.15rem .5rem;text-align:left}
.bar{display:inline-block;height:.6rem;background:var(--c);vertical-align:middle}
ul{margin:.2rem 0;padding-left:1.2rem}
@media (prefers-color-scheme: dark){body{background:#212529;color:#f8f9fa}.tag{color:#ced4da}}
"""


class ExportError(RuntimeError):
    """Static image export is not available (missing extra or browser)."""


def _items(title: str, values: list[str]) -> str:
    if not values:
        return ""
    return f"<h3>{escape(title)}</h3><ul>" + "".join(f"<li>{escape(v)}</li>"
                                                      for v in values) + "</ul>"


def _persona_html(p: Any) -> str:
    scales = sorted(p.aspects or p.profile, key=lambda s: -abs(s.std_diff))
    rows = "".join(
        f"<tr><th scope='row'>{escape(s.label)}</th><td>{s.std_diff:+.2f} SD</td>"
        f"<td><span class='bar' style='width:{min(abs(s.std_diff), 2) * 4:.1f}rem'></span>"
        f"</td></tr>" for s in scales)
    g = p.guidelines
    facts = []
    if p.behaviour.clv is not None:
        facts.append(f"CLV {p.behaviour.clv:,.0f} {p.behaviour.currency or ''}".strip())
    facts += [f"{d.label}: {d.level_label} ({d.share:.0%})" for d in p.demographics]
    facts += [f"Journey: {j.label} {j.share:.0%}" for j in p.journey if j.share >= 0.2]
    return (
        f"<section class='persona' style='--c:{escape(p.colour)}' "
        f"aria-label='{escape(p.name, quote=True)}'>"
        f"<div class='head'><img src='{p.avatar_data_uri(72)}' width='72' height='72' "
        f"alt='Avatar of {escape(p.name, quote=True)}'><div><h2>{escape(p.name)}</h2>"
        f"<p class='tag'>{escape(p.tagline)}</p><p class='tag'>{p.share:.0%} of respondents "
        f"({p.size:,})</p></div></div>"
        + (f"<blockquote class='quote'>{escape(p.quote)}</blockquote>" if p.quote else "")
        + f"<h3>Profile (difference from everyone)</h3><table>{rows}</table>"
        + _items("Motivations", p.motivations) + _items("Frustrations", p.frustrations)
        + _items("Facts", facts)
        + f"<h3>How to talk to them</h3><p>Tone: <strong>{escape(g.tone)}</strong></p>"
        + (f"<p>Channels: {escape(', '.join(g.channels))}</p>" if g.channels else "")
        + _items("Do", g.do) + _items("Don't", g.dont) + "</section>"
    )


def persona_sheet_html(personas: Any, title: str = "Personas") -> str:
    """A standalone HTML document describing every persona (all text escaped).

    Parameters
    ----------
    personas : PersonaSet, list of Persona or Persona
    title : str

    Returns
    -------
    str
    """
    people = [personas] if hasattr(personas, "guidelines") else list(
        getattr(personas, "personas", personas))
    body = "".join(_persona_html(p) for p in people)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
            f"<body><h1>{escape(title)}</h1>{body}</body></html>")


def write_persona_sheet(personas: Any, path: str | Path, title: str = "Personas") -> Path:
    """Write :func:`persona_sheet_html` to ``path`` atomically and return the path."""
    write_text_atomic(path, persona_sheet_html(personas, title))
    return Path(path)


def export_figure(fig: Any, path: str | Path, *, format: str | None = None,
                  width: int = 900, height: int = 560, scale: float = 2.0) -> Path:
    """Write a Plotly figure as PNG or SVG with kaleido and the system Chromium.

    Parameters
    ----------
    fig : plotly Figure
    path : path-like
        Destination; the format defaults to its suffix (``.png``/``.svg``).
    format : {"png", "svg"}, optional
    width, height : int
    scale : float
        Pixel density for PNG.

    Returns
    -------
    Path

    Raises
    ------
    ExportError
        kaleido is not installed or no browser could be started.
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".") or "png").lower()
    if fmt not in ("png", "svg"):
        raise UserError(f"format must be 'png' or 'svg', got {fmt!r}")
    try:
        import kaleido  # noqa: F401
    except ImportError:
        raise ExportError('image export needs the "export" extra: '
                          'pip install "dash-personas[export]"') from None
    if "BROWSER_PATH" not in os.environ and os.path.exists("/usr/bin/chromium"):
        os.environ["BROWSER_PATH"] = "/usr/bin/chromium"
    try:
        data = fig.to_image(format=fmt, width=width, height=height, scale=scale)
    except Exception as exc:  # kaleido/choreographer raise several types
        raise ExportError(f"could not render the figure with kaleido ({exc.__class__.__name__}: "
                          f"{exc}); install Chromium (tools/install-chromium.sh) or set "
                          "BROWSER_PATH") from None
    write_bytes_atomic(path, data)
    return path
