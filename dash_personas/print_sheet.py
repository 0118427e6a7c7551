"""The print-ready persona sheet: a PDF printed by the system Chromium.

It is the HTML sheet of :func:`~dash_personas.export.persona_sheet_html` (the cards of
:func:`~dash_personas.personas.persona_view`, the same content as the dashboard) with
print CSS: the chosen paper size, one persona per page. Chromium runs headless on a
local file with networking off; the sheet has no external resources.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from survey_builder.atomic import write_bytes_atomic

from .export import ExportError, browser_path, paper_size, persona_sheet_html

__all__ = ["PRINT_TIMEOUT", "persona_sheet_pdf", "write_persona_sheet_pdf"]

#: Seconds Chromium may take to print the sheet.
PRINT_TIMEOUT = 120
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
          "--disable-extensions", "--disable-background-networking", "--disable-sync",
          "--disable-component-update", "--no-default-browser-check",
          "--no-pdf-header-footer", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")


def persona_sheet_pdf(personas: Any, *, paper: str = "A4", title: str = "Personas") -> bytes:
    """The persona sheet as a PDF: one persona per page, printed by Chromium.

    Parameters
    ----------
    personas : PersonaSet, list of Persona or Persona
    paper : {"A4", "Letter"}
    title : str
        The sheet's heading and the PDF's title.

    Returns
    -------
    bytes
        The PDF document.

    Raises
    ------
    UserError
        An unknown paper size.
    ExportError
        No Chromium, or Chromium failed to print.
    """
    html = persona_sheet_html(personas, title, paper=paper_size(paper))
    executable = browser_path()
    with tempfile.TemporaryDirectory(prefix="dash-personas-print-") as work:
        page, pdf = Path(work) / "sheet.html", Path(work) / "sheet.pdf"
        page.write_text(html, encoding="utf-8")
        command = [executable, *_FLAGS, f"--user-data-dir={Path(work) / 'profile'}",
                   f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=PRINT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise ExportError(f"Chromium did not print the sheet within {PRINT_TIMEOUT} s"
                              ) from None
        if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ExportError(f"Chromium could not print the sheet (exit {done.returncode}: "
                              f"{last})")
        return pdf.read_bytes()


def write_persona_sheet_pdf(personas: Any, path: str | Path, *, paper: str = "A4",
                            title: str = "Personas") -> Path:
    """Write :func:`persona_sheet_pdf` to ``path`` atomically and return the path."""
    data = persona_sheet_pdf(personas, paper=paper, title=title)
    write_bytes_atomic(path, data)
    return Path(path)
