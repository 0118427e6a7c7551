"""The files a dashboard hands out for its current view: deck, sheet, picture, table.

:func:`deliverable` turns a persona set (already narrowed to the current view by the
caller) into the bytes, media type and file name of one format. The dashboards' Export
menu (:mod:`dash_personas.components.export_menu`) serves them.

The PNG of the current view is the view's charts rendered by kaleido and stacked into
one picture, rather than a browser screenshot of the page: the server would have to
load its own page (through any authentication, in a second browser, waiting for
Dash to render), and the picture would depend on the visitor's window size.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from survey_builder.errors import UserError

__all__ = ["DELIVERABLE_FORMATS", "Deliverable", "deliverable", "profile_table_rows",
           "view_png"]

#: Format -> (label in the menu, media type).
DELIVERABLE_FORMATS: dict[str, tuple[str, str]] = {
    "pptx": ("Persona deck (PowerPoint)",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "pdf": ("Persona sheet (PDF)", "application/pdf"),
    "png": ("Charts of this view (PNG)", "image/png"),
    "csv": ("Profile table (CSV)", "text/csv"),
}
_GAP = 16


@dataclass(frozen=True)
class Deliverable:
    """A file to download: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str


def _text(component: Any) -> str:
    full = getattr(component, "title", None)  # a clipped label's whole text
    if isinstance(full, str):
        return full
    children = getattr(component, "children", component)
    if children is None:
        return ""
    if isinstance(children, (str, int, float)):
        return str(children)
    if isinstance(children, (list, tuple)):
        return "".join(_text(child) for child in children)
    return _text(children)


def profile_table_rows(personas: Any) -> list[list[str]]:
    """The cells of the dashboard's profile table, header row first.

    Read from the table the dashboard shows (:func:`dash_personas.app.profile_table`), so
    the CSV says exactly what the page says, with the whole text of labels the page
    clips (kept in their ``title``).
    """
    from dash import html

    from .app import profile_table

    rows: list[list[str]] = []

    def walk(component: Any) -> None:
        if isinstance(component, html.Tr):
            rows.append([_text(cell) for cell in component.children])
            return
        children = getattr(component, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)

    walk(profile_table(personas))
    return rows


def view_png(personas: Any, *, study: Any = None, wave: str | None = None,
             selected: str | None = None, width: int = 1200, height: int = 560,
             note: str | None = None, title: str | None = None) -> bytes:
    """The charts of the current view stacked into one PNG (titles drawn in the charts,
    ``note`` under each: which view it is).

    ``title`` and ``note`` are also the file's PNG text chunks ``Title`` and
    ``Description``, so the file says which view it shows without being looked at.
    """
    from PIL import Image, PngImagePlugin

    from .deck import deck_charts
    from .export import render_figures
    from .figures import _t

    charts = deck_charts(personas, study=study, wave=wave, selected=selected)
    for chart in charts:
        chart.figure.update_layout(title={"text": _t(chart.title)})
        if note:
            chart.figure.update_layout(title_subtitle_text=_t(note))
    images = [Image.open(io.BytesIO(png)).convert("RGBA") for png in render_figures(
        [chart.figure for chart in charts], width=width, height=height, scale=1.5)]
    sheet = Image.new("RGB", (max(i.width for i in images),
                              sum(i.height for i in images) + _GAP * (len(images) - 1)),
                      "white")
    top = 0
    for image in images:
        sheet.paste(image, (0, top), image)
        top += image.height + _GAP
    info = PngImagePlugin.PngInfo()
    for key, text in (("Title", title), ("Description", note)):
        if text:
            info.add_itxt(key, text)  # international text: UTF-8, any persona name
    out = io.BytesIO()
    sheet.save(out, format="PNG", compress_level=6, pnginfo=info)
    return out.getvalue()


def _filename(fmt: str, wave: str | None) -> str:
    import re

    stem = "personas" if not wave else f"personas-{re.sub(r'[^A-Za-z0-9_.-]+', '-', wave)}"
    return f"{stem}-{date.today().isoformat()}.{fmt}"


def deliverable(fmt: str, personas: Any, *, study: Any = None,
                args: Mapping[str, str] | None = None,
                title: str = "Customer personas", note: str | None = None) -> Deliverable:
    """One downloadable file of the current view.

    Parameters
    ----------
    fmt : {"pptx", "pdf", "png", "csv"}
    personas : PersonaSet
        The personas of the view (filtered by the caller).
    study : StudyView, optional
        The study of a study dashboard (the deck and the PNG add its charts).
    args : mapping, optional
        The page's query: ``wave`` (a study's wave), ``persona`` (the selected persona's
        id, emphasised in the PNG), ``paper`` (``A4``/``Letter`` for the PDF).
    title : str
    note : str, optional
        Which view the file shows (``"Wave W3: 412 of 1,000 respondents (Gender:
        Woman)"``): the subtitle of the deck's title slide, after the title of the
        sheet, a last ``View`` row of the CSV, the subtitle of every chart of the PNG
        (and its ``Description``).

    Returns
    -------
    Deliverable
        Named ``personas[-<wave>]-<date>.<fmt>``.

    Raises
    ------
    UserError
        An unknown format, wave or paper size.
    ExportError
        No kaleido or Chromium (PPTX, PDF, PNG).
    """
    args = args or {}
    if fmt not in DELIVERABLE_FORMATS:
        raise UserError(f"unknown export format {fmt!r}; choose one of: "
                        + ", ".join(DELIVERABLE_FORMATS))
    wave = args.get("wave") or None
    if study is not None and wave is not None:
        study.wave(wave)  # an unknown wave is a user error, whatever the format
    titled = f"{title} — {note}" if note else title
    if fmt == "pptx":
        from .deck import persona_deck

        # the title slide's subtitle: a title longer than a slide's is cut, a view's
        # filters would be lost
        content = persona_deck(personas, study=study, wave=wave, title=title,
                               subtitle=note or "")
    elif fmt == "pdf":
        from .print_sheet import persona_sheet_pdf

        content = persona_sheet_pdf(personas, paper=args.get("paper") or "A4", title=titled)
    elif fmt == "png":
        content = view_png(personas, study=study, wave=wave,
                           selected=args.get("persona") or None, note=note, title=titled)
    else:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(profile_table_rows(personas)
                                     + ([["View", note]] if note else []))
        content = buffer.getvalue().encode("utf-8-sig")  # the BOM: Excel reads UTF-8
    return Deliverable(content, DELIVERABLE_FORMATS[fmt][1], _filename(fmt, wave))
