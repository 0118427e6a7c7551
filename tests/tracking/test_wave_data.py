"""``Study.wave_data``: a wave's rows as stored, on SQLite and PostgreSQL, and the personas
recomputed from them with the stored assignment (``PersonaFilter(labels=...)``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from _planted import planted_wave

from dash_personas import PersonaFilter
from dash_personas.tracking import SCHEMA_VERSION, Study, WaveData


@pytest.fixture
def study(study_target, segmentation):
    model, personas, _ = segmentation
    with Study.create(study_target, model=model, personas=personas) as created:
        yield created


def _wave(n, seed, ids):
    """A planted wave with answers the segmentation does not use: a demographic, a
    number, a free-text comment and a weight."""
    frame, _ = planted_wave([1, 2, 1], n, seed=seed, ids=ids)
    rng = np.random.default_rng(seed)
    frame["region"] = rng.choice(["North", "South", "East"], n)
    frame["spend"] = rng.gamma(2.0, 40.0, n).round(2)
    frame["comment"] = [f"free text {i}" for i in range(n)]
    frame["w"] = rng.uniform(0.5, 2.0, n)
    return frame


def test_wave_data_gives_back_every_row_as_stored(study):
    frame = _wave(240, seed=1, ids=[f"r{i:03d}" for i in range(240)][::-1])
    study.add_wave(frame, label="W1", weight="w")
    data = study.wave_data("W1")
    assert isinstance(data, WaveData)
    assert (data.label, data.segmentation_version, data.weighted) == ("W1", 1, True)
    expected = frame.sort_values("respondent_id").reset_index(drop=True)
    assert list(data.frame["respondent_id"]) == list(expected["respondent_id"])
    # the features, and the other answers the personas describe or can filter on;
    # not the free text, the id or the weight (kept with the respondents)
    assert list(data.frame.columns) == ["respondent_id", "num_0", "num_1", "num_2", "cat_0",
                                        "cat_1", "region", "spend"]
    for column in ("num_0", "num_1", "num_2", "spend"):
        np.testing.assert_allclose(data.frame[column], expected[column])
    for column in ("cat_0", "cat_1", "region"):
        assert list(data.frame[column].astype(str)) == list(expected[column])
    np.testing.assert_allclose(data.weight, expected["w"])
    stored = study.respondents("W1")
    np.testing.assert_array_equal(data.segment, stored["segment"])
    with pytest.raises(Exception, match="no wave 'W9'"):
        study.wave_data("W9")


def test_personas_of_a_wave_are_recomputed_from_its_rows(study):
    study.add_wave(_wave(300, seed=2, ids=np.arange(300)), label="W1", weight="w")
    data = study.wave_data("W1")
    personas = study.personas(data.segmentation_version)
    source = PersonaFilter(personas, data.frame, labels=data.segment,
                           sample_weight=data.weight)
    south = (data.frame["region"] == "South").to_numpy()
    every, subset = source.apply({}), source.apply({"region": ["South"]})
    assert (every.n_respondents, subset.n_respondents) == (300, int(south.sum()))
    for shown, keep in ((every, np.ones(300, bool)), (subset, south)):
        w, segment = data.weight[keep], data.segment[keep]
        for persona in shown:
            member = segment == int(persona.segment)
            assert persona.size == int(member.sum())
            assert persona.share == pytest.approx(w[member].sum() / w.sum())
            # the Kish effective base of the members' weights
            assert persona.base == pytest.approx(w[member].sum() ** 2
                                                 / np.square(w[member]).sum())
    with pytest.raises(ValueError, match="not among the personas"):
        PersonaFilter(personas, data.frame, labels=np.full(300, 7))


def test_a_version_2_study_upgrades_and_its_old_waves_have_features_only(study, study_target):
    study.add_wave(_wave(100, seed=3, ids=np.arange(100)), label="old")
    study.close()
    url = study_target if "://" in study_target else f"sqlite:///{study_target}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # what schema version 2 wrote
        connection.execute(sa.text("DROP TABLE wave_columns"))
        connection.execute(sa.text("DELETE FROM schema_migrations WHERE version >= 3"))
    engine.dispose()
    with Study.open(study_target) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        old = upgraded.wave_data("old")
        assert list(old.frame.columns) == ["respondent_id", "num_0", "num_1", "num_2",
                                           "cat_0", "cat_1"]
        assert old.has_answers
        upgraded.add_wave(_wave(100, seed=4, ids=np.arange(100, 200)), label="new")
        assert {"region", "spend"} <= set(upgraded.wave_data("new").frame.columns)


def test_a_wave_without_stored_answers_still_has_its_assignment(study, study_target):
    study.add_wave(_wave(50, seed=5, ids=np.arange(50)), label="v1")
    study.close()
    url = study_target if "://" in study_target else f"sqlite:///{study_target}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # a wave stored under schema version 1
        connection.execute(sa.text("DELETE FROM wave_features"))
        connection.execute(sa.text("DELETE FROM wave_columns"))
    engine.dispose()
    with Study.open(study_target) as reopened:
        data = reopened.wave_data("v1")
        assert list(data.frame.columns) == ["respondent_id"] and not data.has_answers
        shown = PersonaFilter(reopened.personas(), data.frame, labels=data.segment).apply({})
        counts = pd.Series(data.segment).value_counts()
        assert [p.size for p in shown] == [int(counts.get(int(p.segment), 0)) for p in shown]
