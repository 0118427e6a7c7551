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

from .personas import persona_card_html

__all__ = ["ExportError", "export_figure", "persona_sheet_html", "write_persona_sheet"]

# page layout only: the cards bring their own inline styles (the notebook's cards)
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#212529;
 line-height:1.35}
h1{font-size:1.6rem}
.dash-personas-card{margin:0 0 1.5rem;break-inside:avoid;max-width:56rem}
@media (prefers-color-scheme: dark){body{background:#212529;color:#f8f9fa}}
"""


class ExportError(RuntimeError):
    """Static image export is not available (missing extra or browser)."""


def persona_sheet_html(personas: Any, title: str = "Personas") -> str:
    """A standalone HTML document describing every persona (all text escaped).

    Each persona is the card of :func:`~dash_personas.personas.persona_view`, the
    content of the dashboard's cards.

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
    body = "".join(persona_card_html(p, heading_level=2) for p in people)
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
