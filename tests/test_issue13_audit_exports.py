"""Issue 13, re-checked on the files the study dashboard hands out: every format of its
Export menu states the view of the page it was asked from (wave and filters).

The files are fetched through the study dashboard's real export route with the query
string of a "Personas now" page showing a wave under five filters, and read back:
the CSV's "View" row, the deck's title slide (python-pptx), the PDF's document title
(the sheet's ``<title>``, printed by Chromium) and the PNG's charts — the subtitle of
every chart as it was given to the renderer, and the file's ``Title`` / ``Description``
text chunks. The counts are recomputed from the study's stored rows, not taken from
the code under test.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from _issue13 import pdf_reader, study

from dash_personas.app import create_study_app
from dash_personas.components import export_href

pytestmark = pytest.mark.browser  # kaleido and the PDF print use the system Chromium

#: A wave, two answers of two questions, a range, a ticked channel and two frequencies.
QUERY = ("?wave=W2&f.gender=Woman&f.gender=Other&f.age_band=18-34&f.age_band=35-54"
         "&f.clv=100..20000&f.channels__web=1&f.purchase_frequency=Weekly"
         "&f.purchase_frequency=Monthly")
#: How the page (and so every file) names those filters.
FILTERS = ("Customer lifetime value: 100 to 20,000", "Age: 18-34 or 35-54",
           "Gender: Woman or Other", "How often?: Weekly or Monthly",
           "Where do you buy? — Website: selected")
TITLE = "Tracking study"


def _expected_note() -> str:
    """The view in words, with the respondents counted on the study's stored rows."""
    from dash_personas.tracking import Study

    with Study.open(study()) as opened:
        frame = opened.wave_data("W2").frame
    kept = (frame["gender"].astype(str).isin(["Woman", "Other"])
            & frame["age_band"].astype(str).isin(["18-34", "35-54"])
            & frame["clv"].between(100, 20_000)
            & (frame["channels__web"] == 1)
            & frame["purchase_frequency"].astype(str).isin(["Weekly", "Monthly"]))
    assert 0 < kept.sum() < len(frame)
    return (f"Wave W2: {int(kept.sum()):,} of {len(frame):,} respondents "
            f"({'; '.join(FILTERS)})")


@pytest.fixture(scope="module")
def dashboard():
    """The study dashboard (its Flask test client) and its export route's URL."""
    app = create_study_app(study(), title=TITLE, name="audit13-exports")
    return app.server.test_client(), lambda fmt: export_href(app, fmt)


@pytest.fixture(scope="module")
def exported(dashboard):
    """Each format of the study dashboard's Export menu for QUERY, and the figures the PNG
    was rendered from (the real renderer runs; it is only watched)."""
    import dash_personas.export as export

    client, href = dashboard
    rendered = []
    real = export.render_figures

    def watched(figures, *args, **kwargs):
        rendered.extend(figures)
        return real(figures, *args, **kwargs)

    files = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export, "render_figures", watched)
        for fmt in ("csv", "pdf", "png"):
            response = client.get(href(fmt) + QUERY)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            files[fmt] = response.data
        png_figures = list(rendered)
    response = client.get(href("pptx") + QUERY)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    files["pptx"] = response.data
    return files, png_figures


def test_the_note_is_the_view_counted_on_the_stored_rows(exported):
    files, _ = exported
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert rows[-1] == ["View", _expected_note()]


def test_the_deck_title_slide_states_the_whole_view(exported):
    """Found by this audit: the view was appended to the deck's title, which the title
    slide cuts at 120 characters ("… Gender: W…"): the filters after it were lost."""
    from pptx import Presentation

    files, _ = exported
    deck = Presentation(io.BytesIO(files["pptx"]))
    first = deck.slides[0]
    texts = {shape.name: shape.text_frame.text for shape in first.shapes
             if shape.has_text_frame}
    assert texts["Title"] == TITLE
    subtitle = texts["Subtitle"].split("\n")
    assert subtitle[0] == _expected_note()  # whole: no "…"
    sizes = [run.font.size.pt for shape in first.shapes if shape.name == "Subtitle"
             for paragraph in shape.text_frame.paragraphs for run in paragraph.runs]
    assert sizes and min(sizes) >= 12  # readable, not shrunk out of sight
    # the persona slides are those of the view: their bases add up to its respondents
    n_view = int(_expected_note().split(": ")[1].split(" of ")[0].replace(",", ""))
    bases = [shape.text_frame.text for slide in list(deck.slides)[1:]
             for shape in slide.shapes if shape.name == "Size and base"]
    assert bases and sum(int(text.split("· ")[1].split(" respondents")[0].replace(",", ""))
                         for text in bases) == n_view


def test_the_pdf_title_states_the_view(exported):
    files, _ = exported
    pdf = files["pdf"]
    assert pdf.startswith(b"%PDF-")
    assert pdf_reader().title(pdf) == f"{TITLE} — {_expected_note()}"


def test_every_chart_of_the_png_has_the_view_as_subtitle(exported):
    from PIL import Image

    from dash_personas.figures import _t

    files, figures = exported
    assert len(figures) >= 5  # sizes, scales, heatmap, CLV, journey, the study's charts
    note = _expected_note()
    assert [f.layout.title.subtitle.text for f in figures] == [_t(note)] * len(figures)
    image = Image.open(io.BytesIO(files["png"]))
    assert image.format == "PNG" and image.height > len(figures) * 500
    assert image.info["Description"] == note
    assert image.info["Title"] == f"{TITLE} — {note}"


def test_an_unfiltered_wave_says_the_wave_and_all_its_respondents(dashboard):
    from dash_personas.tracking import Study

    client, href = dashboard
    response = client.get(href("csv") + "?wave=W2")
    with Study.open(study()) as opened:
        n = len(opened.wave_data("W2").frame)
        segments = np.asarray(opened.wave_data("W2").segment)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[-1] == ["View", f"Wave W2: {n:,} respondents"]
    assert len(segments) == n
