"""The print-ready persona sheet (``--format pdf``) printed by the system Chromium.

What is checked without a PDF library (see ``_pdf``): the page size (MediaBox), one page
per persona (a card cut over two pages would add a page), which persona is on which page
(the tagged PDF's figure alternative texts: the avatar "Avatar of <name>" and the card's
difference bars) and the title. The visible text is in compressed, font-encoded streams
and is not decoded here; it comes from the same HTML as the tested HTML sheet.
"""

from __future__ import annotations

import _pdf
import pytest

from dash_personas.cli import main
from dash_personas.export import PAPER_SIZES
from dash_personas.personas import persona_view
from dash_personas.print_sheet import persona_sheet_pdf


def _check_pages(pdf, people, paper):
    assert pdf.startswith(b"%PDF-")
    width, height = PAPER_SIZES[paper]
    boxes = _pdf.media_boxes(pdf)
    assert len(boxes) == len(people)
    for box in boxes:
        assert box[:2] == (0.0, 0.0)
        assert box[2] == pytest.approx(width, abs=1) and box[3] == pytest.approx(height, abs=1)
    for persona, figures in zip(people, _pdf.figures_by_page(pdf)):
        view = persona_view(persona)
        bars = [bar.description for bar in view.section("differences").bars]
        assert figures == [view.avatar.alt, *bars]  # the whole card on its own page


def test_one_page_per_persona_on_a4(deck_case):
    pdf = persona_sheet_pdf(deck_case.personas, paper="A4", title="Shoppers")
    _check_pages(pdf, deck_case.personas, "A4")
    assert _pdf.title(pdf) == "Shoppers"


def test_the_command_writes_the_pdf_atomically(deck_case, tmp_path, capsys):
    out = tmp_path / "sheet.pdf"
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(deck_case.personas_path), "--format", "pdf", "--paper", "letter",
              "--out", str(out)])
    assert exit_info.value.code == 0
    assert f"{len(deck_case.personas)} pages, Letter" in capsys.readouterr().out
    _check_pages(out.read_bytes(), deck_case.personas, "Letter")
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.pdf"]  # no temporary file left
