"""ViewSource: a view (wave, filters, persona) checked against the data, and its personas."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dash_personas import ViewState
from dash_personas.tracking import Study
from dash_personas.view_source import ViewSource


@pytest.fixture(scope="module")
def study(study_case):
    with Study.open(study_case) as opened:
        yield opened


def _sizes(people):
    return [p.size for p in people]


def test_the_views_of_a_study_are_its_waves_recomputed(study):
    views = ViewSource.of_study(study.wave_data, study.personas, ["W1", "W2", "W3"],
                                study.codebook)
    assert (views.waves, views.default_wave) == (["W1", "W2", "W3"], "W3")
    w1 = study.wave_data("W1")
    shown = views.personas(ViewState(wave="W1"))
    assert _sizes(shown) == [int((w1.segment == int(p.segment)).sum()) for p in shown]
    assert _sizes(views.personas(ViewState())) == _sizes(views.personas(ViewState(wave="W3")))
    assert _sizes(shown) != _sizes(views.personas(ViewState(wave="W3")))
    # a wave and a range together: the rows of that wave in that range
    spend = w1.frame["avg_spend"].to_numpy()
    state, notes = views.check(ViewState({"avg_spend": ("20..60",)}, wave="W1"))
    assert notes == [] and state.filters == {"avg_spend": ("20..60",)}
    kept = (spend >= 20) & (spend <= 60)
    assert views.personas(state).n_respondents == int(kept.sum())
    assert _sizes(views.personas(state)) == [int((w1.segment[kept] == int(p.segment)).sum())
                                             for p in shown]


def test_what_a_study_lacks_is_left_out_with_a_note(study):
    def wave_data(label):  # a wave stored before the study kept its other answers
        data = study.wave_data(label)
        if label == "W1":
            data = dataclasses.replace(data, frame=data.frame.drop(columns=["gender"]))
        return data

    views = ViewSource.of_study(wave_data, study.personas, ["W1", "W2", "W3"])
    state, notes = views.check(ViewState({"gender": ("Woman",)}, persona="p99", wave="W9"))
    assert state == ViewState({"gender": ("Woman",)})  # the latest wave has a gender
    assert len(notes) == 2 and "'W9'" in notes[0] and "'p99'" in notes[1]
    state, notes = views.check(ViewState({"gender": ("Woman",)}, wave="W1"))
    assert state == ViewState(wave="W1") and "'gender'" in notes[0]


def test_the_view_of_one_data_set(survey_case):
    views = ViewSource.of_data(survey_case.personas, survey_case.scores, survey_case.codebook)
    assert views.waves == [] and views.default_wave is None
    # unfiltered: the personas as built (a recount would drop e.g. the typical share)
    assert views.personas(ViewState()) is survey_case.personas
    state, notes = views.check(ViewState({"gender": ("Woman",)}, wave="2026-Q1"))
    assert notes == [] and state.wave == "2026-Q1"  # no waves here: kept, not checked
    women = (survey_case.scores["gender"] == "Woman").to_numpy()
    assert views.personas(state).n_respondents == int(np.sum(women))
    assert views.personas(state) is views.personas(state)  # kept for the next request
