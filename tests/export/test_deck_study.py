"""The deck of a tracking study: the share-timeline and migration slides."""

from __future__ import annotations

import io

import pytest
from _study import EVIL, build_study
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from dash_personas.deck import deck_charts, persona_deck
from dash_personas.tracking_view import study_view


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return build_study(tmp_path_factory.mktemp("study") / "study.db")


def test_a_study_adds_the_timeline_and_the_migration_into_the_wave(study):
    view = study_view(study)
    people = view.personas[view.current_version]
    def study_charts(personas, *, study, wave):  # the study's two (one render fewer)
        return deck_charts(personas, study=study, wave=wave)[-2:]

    deck = Presentation(io.BytesIO(persona_deck(people, study=view, wave="W2",
                                                charts=study_charts)))
    titles = {}
    for slide in deck.slides:
        title = next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "")
        titles[title] = slide
    timeline, migration = titles["Persona shares wave by wave"], titles[
        "Who moved where: W1 → W2"]
    for slide in (timeline, migration):
        assert any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)
    note = next(s for s in timeline.shapes if s.name == "Bases").text_frame.text
    assert note == "Bases: " + "; ".join(f"{w.label} n = {int(w.summary['n']):,}"
                                         for w in view.waves)
    panel = sum(map(sum, view.migration("W1", "W2")["counts"]))
    assert f"{panel:,} panel respondents" in next(
        s for s in migration.shapes if s.name == "Bases").text_frame.text
    methods = "\n".join(s.text_frame.text for s in list(deck.slides)[-1].shapes
                        if s.has_text_frame)
    assert "3 waves (W1 to W3)" in methods
    names = [s.text_frame.text for slide in list(deck.slides)[1:1 + len(people)]
             for s in slide.shapes if s.name == "Persona name"]
    assert names == [p.name for p in people] and EVIL in names  # text, never markup


def test_an_unknown_wave_is_a_user_error(study):
    from survey_builder.errors import UserError

    view = study_view(study)
    with pytest.raises(UserError, match="no wave 'W9'"):
        persona_deck(view.personas[view.current_version], study=view, wave="W9")
