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


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_one_page_per_persona_in_the_paper_size(deck_case, paper):
    people = deck_case.personas
    pdf = persona_sheet_pdf(people, paper=paper, title="Shoppers")
    assert pdf.startswith(b"%PDF-")
    width, height = PAPER_SIZES[paper]
    boxes = _pdf.media_boxes(pdf)
    assert len(boxes) == len(people)
    for box in boxes:
        assert box[:2] == (0.0, 0.0)
        assert box[2] == pytest.approx(width, abs=1) and box[3] == pytest.approx(height, abs=1)
    assert _pdf.title(pdf) == "Shoppers"
    for persona, figures in zip(people, _pdf.figures_by_page(pdf)):
        view = persona_view(persona)
        bars = [bar.description for bar in view.section("differences").bars]
        assert figures == [view.avatar.alt, *bars]  # the whole card on its own page


def test_the_command_writes_the_pdf_atomically(deck_case, tmp_path, capsys):
    out = tmp_path / "sheet.pdf"
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(deck_case.personas_path), "--format", "pdf", "--paper", "letter",
              "--out", str(out)])
    assert exit_info.value.code == 0
    assert f"{len(deck_case.personas)} pages, Letter" in capsys.readouterr().out
    assert _pdf.media_boxes(out.read_bytes())[0][2:] == pytest.approx(PAPER_SIZES["Letter"],
                                                                       abs=1)
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.pdf"]  # no temporary file left
