"""Persona avatars drawn locally as SVG: initials over a pattern in the persona's colour."""

from __future__ import annotations

import base64
import hashlib
from xml.sax.saxutils import escape

from ..palette import contrast_text

__all__ = ["avatar_data_uri", "avatar_svg"]


def avatar_svg(initials: str, colour: str, *, seed: str = "", size: int = 96,
               title: str = "") -> str:
    """An SVG avatar: a circle in ``colour``, a few lighter dots and the initials.

    The dot pattern is derived from ``seed`` (a hash), so a persona always gets the
    same picture and two personas of the same colour still look different. All text
    is XML-escaped.

    Parameters
    ----------
    initials : str
        One or two letters.
    colour : str
        ``#RRGGBB`` background.
    seed : str
        Determines the pattern.
    size : int
        Width and height in pixels.
    title : str
        Accessible name (``<title>``).

    Returns
    -------
    str
        A standalone ``<svg>`` document.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    ink = contrast_text(colour)
    dots = []
    for i in range(6):
        x = 10 + digest[i] % 80
        y = 10 + digest[i + 6] % 80
        r = 4 + digest[i + 12] % 10
        dots.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{ink}" fill-opacity="0.12"/>')
    label = escape((title or initials)[:120])  # an accessible name, not a document
    text = escape(initials[:2])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">'
        f"<title>{label}</title>"
        f'<circle cx="50" cy="50" r="50" fill="{escape(colour)}"/>'
        + "".join(dots)
        + f'<text x="50" y="50" dy="0.35em" text-anchor="middle" font-family="sans-serif" '
        f'font-size="38" font-weight="700" fill="{ink}">{text}</text></svg>'
    )


def avatar_data_uri(svg: str) -> str:
    """Embed an SVG document as a base64 ``data:`` URI (usable as an ``<img src>``)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
