"""Export personas: a self-contained HTML persona sheet, and charts as PNG/SVG.

The sheet has no external resources (inline CSS, avatars as ``data:`` URIs) and every
persona text is HTML-escaped. Static chart images need the ``export`` extra
(``pip install "dash-personas[export]"``: kaleido) and a Chromium/Chrome browser:
``BROWSER_PATH`` when set, else ``/usr/bin/chromium`` or the first on ``PATH``
(:func:`browser_path`). :func:`render_figures` renders many figures
in one browser session (starting Chromium costs seconds, a figure a fraction of one).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from survey_builder.atomic import write_bytes_atomic, write_text_atomic
from survey_builder.errors import UserError

from .personas import persona_card_html

__all__ = ["INSTALL_BROWSER", "PAPER_SIZES", "ExportError", "browser_path", "export_figure",
           "paper_size", "persona_sheet_html", "render_figures", "write_persona_sheet"]

#: What to do when no browser can be started.
INSTALL_BROWSER = ("install Chromium (bash tools/install-chromium.sh, or apt-get install "
                   "chromium) or point BROWSER_PATH at a Chrome/Chromium executable")
_SYSTEM_CHROMIUM = "/usr/bin/chromium"

# page layout only: the cards bring their own inline styles (the notebook's cards)
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#212529;
 line-height:1.35}
h1{font-size:1.6rem}
.dash-personas-card{margin:0 0 1.5rem;break-inside:avoid;max-width:56rem}
@media (prefers-color-scheme: dark){body{background:#212529;color:#f8f9fa}}
"""


#: Paper sizes of the printed sheet (CSS ``@page`` sizes) and their size in PDF points.
PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": (595.28, 841.89), "Letter": (612.0, 792.0)}

MM_PER_POINT = 25.4 / 72
PRINT_MARGIN_MM = 12

# One persona per page. The body is as wide as the printed page, so the script measures
# the cards as they will print and zooms out a card taller than a page: never cut.
_PRINT_CSS = """
@page{size:%(paper)s;margin:%(margin)smm}
html{width:%(width).1fmm}
body{margin:0}
h1{font-size:1.3rem;margin:0 0 0.5rem}
.dash-personas-card{max-width:none;margin:0 0 1rem;break-inside:avoid}
.dash-personas-card+.dash-personas-card{break-before:page}
"""
_FIT_PAGE_JS = """
(function(){
  const probe=document.createElement('div');
  probe.style.height='%(height).1fmm';document.body.appendChild(probe);
  const page=probe.getBoundingClientRect().height;probe.remove();
  document.querySelectorAll('.dash-personas-card').forEach(function(card, i){
    const top=i===0?card.getBoundingClientRect().top+window.scrollY:0;
    const room=(page-top)*0.97, height=card.getBoundingClientRect().height;
    if(height>room){card.style.zoom=(room/height).toFixed(3);}
  });
})();
"""


def paper_size(paper: str) -> str:
    """The canonical name of a paper size (``"a4"`` -> ``"A4"``).

    Raises
    ------
    UserError
        Not one of :data:`PAPER_SIZES`.
    """
    for name in PAPER_SIZES:
        if name.lower() == str(paper).strip().lower():
            return name
    raise UserError(f"unknown paper size {paper!r}; choose one of: {', '.join(PAPER_SIZES)}")


class ExportError(RuntimeError):
    """Static image export is not available (missing extra or browser)."""


def persona_sheet_html(personas: Any, title: str = "Personas", *,
                       paper: str | None = None) -> str:
    """A standalone HTML document describing every persona (all text escaped).

    Each persona is the card of :func:`~dash_personas.personas.persona_view`, the
    content of the dashboard's cards.

    Parameters
    ----------
    personas : PersonaSet, list of Persona or Persona
    title : str
    paper : {"A4", "Letter"}, optional
        Adds print CSS: that page size, one persona per page.

    Returns
    -------
    str
    """
    people = [personas] if hasattr(personas, "guidelines") else list(
        getattr(personas, "personas", personas))
    body = "".join(persona_card_html(p, heading_level=2) for p in people)
    css, script = _CSS, ""
    if paper:
        name = paper_size(paper)
        width, height = (points * MM_PER_POINT - 2 * PRINT_MARGIN_MM
                         for points in PAPER_SIZES[name])
        css += _PRINT_CSS % {"paper": name, "margin": PRINT_MARGIN_MM, "width": width}
        script = f"<script>{_FIT_PAGE_JS % {'height': height}}</script>"
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{css}</style></head>"
            f"<body><h1>{escape(title)}</h1>{body}{script}</body></html>")


def write_persona_sheet(personas: Any, path: str | Path, title: str = "Personas") -> Path:
    """Write :func:`persona_sheet_html` to ``path`` atomically and return the path."""
    write_text_atomic(path, persona_sheet_html(personas, title))
    return Path(path)


def browser_path() -> str:
    """The Chromium/Chrome executable used for images and PDFs (``BROWSER_PATH`` first).

    Returns
    -------
    str

    Raises
    ------
    ExportError
        No browser found, with what to install.
    """
    import shutil

    chosen = os.environ.get("BROWSER_PATH", "").strip()
    if chosen:  # what the user asked for, or an error: never another browser silently
        if os.path.isfile(chosen) and os.access(chosen, os.X_OK):
            return chosen
        raise ExportError(f"no browser at BROWSER_PATH={chosen!r}: {INSTALL_BROWSER}")
    for candidate in (_SYSTEM_CHROMIUM, *(shutil.which(name) or "" for name in
                                          ("chromium", "chromium-browser", "google-chrome",
                                           "chrome"))):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise ExportError(f"no Chromium/Chrome found: {INSTALL_BROWSER}")


def _kaleido() -> Any:
    try:
        import kaleido
    except ImportError:
        raise ExportError('image export needs the "export" extra: '
                          'pip install "dash-personas[export]"') from None
    return kaleido


def _run_in_thread(coroutine: Any) -> Any:
    """Run ``coroutine`` on an event loop of its own (callers may be inside a running
    loop: a notebook, an async server)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="dash-personas-render")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def render_figures(figures: Sequence[Any], *, format: str = "png", width: int = 900,
                   height: int = 560, scale: float = 2.0,
                   sizes: Sequence[tuple[int, int]] | None = None) -> list[bytes]:
    """Render Plotly figures to PNG or SVG bytes in one kaleido browser session.

    Parameters
    ----------
    figures : sequence of plotly Figure
    format : {"png", "svg"}
    width, height : int
        Size of every image in CSS pixels.
    scale : float
        Pixel density for PNG.
    sizes : sequence of (width, height), optional
        One size per figure instead of ``width`` and ``height``.

    Returns
    -------
    list of bytes
        One image per figure, in order.

    Raises
    ------
    ExportError
        kaleido is not installed or no browser could be started.
    """
    fmt = format.lower()
    if fmt not in ("png", "svg"):
        raise UserError(f"format must be 'png' or 'svg', got {format!r}")
    if not figures:
        return []
    sizes = list(sizes) if sizes is not None else [(width, height)] * len(figures)
    if len(sizes) != len(figures):
        raise ValueError(f"{len(sizes)} sizes for {len(figures)} figures")
    kaleido = _kaleido()
    browser_exe = browser_path()

    async def render() -> list[bytes]:
        # mathjax=False: kaleido would otherwise load MathJax from a CDN
        async with kaleido.Kaleido(mathjax=False, path=browser_exe) as browser:
            return [await browser.calc_fig(fig, opts={"format": fmt, "width": w, "height": h,
                                                      "scale": scale})
                    for fig, (w, h) in zip(figures, sizes)]

    try:
        return _run_in_thread(render())
    except Exception as exc:  # kaleido/choreographer raise several types
        raise ExportError(f"could not render the figures with kaleido "
                          f"({exc.__class__.__name__}: {exc}); {INSTALL_BROWSER}") from None


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
    [data] = render_figures([fig], format=fmt, width=width, height=height, scale=scale)
    write_bytes_atomic(path, data)
    return path
