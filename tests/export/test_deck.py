"""The persona deck: ``dash-personas export --format pptx`` read back with python-pptx.

The deck is built once through the command line (one real kaleido/Chromium render of
the charts and avatars: a few seconds, shared by the tests of this module).
"""

from __future__ import annotations

import io

import pytest
from _deck_case import LONG_NAME
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu

from dash_personas.cli import main
from dash_personas.deck import NAME_LIMIT, deck_charts, fit_font_size
from dash_personas.personas import base_label, persona_view


@pytest.fixture(scope="module")
def deck(deck_case, tmp_path_factory):
    out = tmp_path_factory.mktemp("pptx") / "personas.pptx"
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(deck_case.personas_path), "--format", "pptx", "--typing-tool",
              str(deck_case.tool_path), "--title", "Shoppers 2026", "--out", str(out)])
    assert exit_info.value.code == 0
    return Presentation(str(out))


def _texts(slide):
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def _pictures(slide):
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_the_deck_is_16_9_with_title_persona_chart_and_methods_slides(deck, deck_case):
    people = deck_case.personas
    n_charts = len(deck_charts(people))
    assert n_charts == 5  # sizes, radar, heatmap, CLV, journey: the survey has them all
    assert len(deck.slides) == 1 + len(people) + n_charts + 1
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 1e-3
    title = " ".join(_texts(deck.slides[0]))
    assert "Shoppers 2026" in title and f"{len(people)} personas" in title


def test_every_persona_slide_says_what_its_card_says_as_text(deck, deck_case):
    for persona, slide in zip(deck_case.personas, list(deck.slides)[1:9]):
        view = persona_view(persona)
        texts = "\n".join(_texts(slide))
        shown_name = next(s for s in slide.shapes if s.name == "Persona name").text_frame.text
        assert shown_name == persona.name or len(persona.name) > NAME_LIMIT
        # the base once: in the size ("1,039 respondents") unless it is another number
        assert all(badge in texts for badge in view.badges)
        assert view.base_is_size or base_label(persona) in texts
        assert texts.count(f"{persona.size:,}") == 1 or not view.base_is_size
        for key in ("differences", "talk"):
            section = view.section(key)
            assert section.heading in texts
        for bar in view.section("differences").bars:
            assert bar.value in texts
        for key in ("do", "dont"):
            section = view.section(key)
            if section is not None:
                assert section.lines[0].text in texts
        # the persona text is text: the only picture is the avatar
        assert [p._element.nvPicPr.cNvPr.get("descr") for p in _pictures(slide)] == [
            view.avatar.alt]
        band = next(s for s in slide.shapes if s.name == "Persona colour")
        assert str(band.fill.fore_color.rgb) == persona.colour.lstrip("#").upper()
        assert persona.name in slide.notes_slide.notes_text_frame.text


def test_small_base_personas_carry_the_warning(deck_case):
    from dash_personas import deck as deck_module

    persona = deck_case.personas[2].model_copy(update={"small_base": True, "base": 12.0})
    slides = deck_module._Slides()
    view = persona_view(persona)
    deck_module._persona_slide(slides, view, _png())
    [slide] = slides.prs.slides
    assert view.warning and view.warning in "\n".join(_texts(slide))


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#E69F00").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_very_long_name_is_shortened_and_shrunk_and_kept_in_the_notes(deck, deck_case):
    slide = list(deck.slides)[1 + [p.name for p in deck_case.personas].index(LONG_NAME)]
    name = next(s for s in slide.shapes if s.name == "Persona name")
    shown = name.text_frame.text
    assert len(shown) <= NAME_LIMIT and shown.endswith("…") and LONG_NAME.startswith(
        shown[:-1].rstrip())
    short = next(s for s in list(deck.slides)[3].shapes if s.name == "Persona name")
    assert name.text_frame.paragraphs[0].runs[0].font.size < \
        short.text_frame.paragraphs[0].runs[0].font.size
    goals = next(s for s in slide.shapes if s.name == "Goals and frustrations")
    assert "more in the notes" in goals.text_frame.text  # 12 goals do not fit a column
    notes = slide.notes_slide.notes_text_frame.text
    assert LONG_NAME in notes and "Goal number 11" in notes
    for shape in slide.shapes:  # every box stays on the slide
        assert shape.left + shape.width <= deck.slide_width + Emu(1)
        assert shape.top + shape.height <= deck.slide_height + Emu(1)


def test_comparison_slides_show_the_charts_as_pictures(deck, deck_case):
    people = deck_case.personas
    charts = deck_charts(people)
    chart_slides = list(deck.slides)[1 + len(people):1 + len(people) + len(charts)]
    for chart, slide in zip(charts, chart_slides):
        assert chart.title in _texts(slide)
        [picture] = _pictures(slide)
        assert picture.image.content_type == "image/png" and len(picture.image.blob) > 10_000
        bases = next(s for s in slide.shapes if s.name == "Bases").text_frame.text
        assert base_label(people[3]) in bases


def test_the_methods_slide_reports_n_weighting_k_and_typing_accuracy(deck, deck_case):
    methods = "\n".join(_texts(list(deck.slides)[-1]))
    people, tool = deck_case.personas, deck_case.tool
    assert f"n = {people.n_respondents:,}" in methods
    assert "Weighting: none" in methods and "k = 8" in methods
    assert f"held-out accuracy {tool.accuracy:.1%}" in methods
    assert all(question in methods for question in tool.questions)
    accuracy = tool.segment_accuracy
    worst = next(p.name for p in people if p.segment == accuracy.idxmin())
    assert f"Lowest accuracy: {worst} {accuracy.min():.1%}." in methods


def test_font_sizes_shrink_until_the_text_fits():
    assert fit_font_size(["short"], 4, 1, largest=30, smallest=10) == 30
    long = ["word " * 80]
    size = fit_font_size(long, 4, 2, largest=30, smallest=8)
    assert 8 < size < 30
    assert fit_font_size(long, 4, 2, largest=size, smallest=size - 1) == size
    assert fit_font_size(long * 50, 4, 2, largest=30, smallest=8) == 8
