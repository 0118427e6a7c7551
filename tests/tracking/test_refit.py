"""Re-fitting a study on SQLite and PostgreSQL: planted split, unchanged population, identity."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sqlalchemy as sa
from _planted import planted_wave
from test_cli_track import ok, run_main
from test_store import snapshot

from dash_personas.tracking import SCHEMA_VERSION, Study
from survey_builder.errors import UserError

#: Planted segment 2 comes back as two groups this far apart on num_2 (noise sd 1).
SPLIT_OFFSET = 4.0


def split_wave(n: int, seed: int, ids=None):
    """A wave whose planted segment 2 is drawn from two centres, ±SPLIT_OFFSET on num_2."""
    frame, planted = planted_wave([1, 1, 1], n, seed=seed, ids=ids)
    rng = np.random.default_rng(seed + 1)
    half = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    frame.loc[planted == 2, "num_2"] += SPLIT_OFFSET * half[planted == 2]
    return frame, np.where(planted == 2, np.where(half < 0, 2, 3), planted)


@pytest.fixture
def study(study_target, segmentation):
    model, personas, _ = segmentation
    with Study.create(study_target, model=model, personas=personas) as created:
        yield created


def test_a_planted_split_is_labelled_split(study, segmentation):
    mapping = segmentation[2]
    study.add_wave(planted_wave([1, 1, 1], 400, seed=20)[0], label="2026-Q1")
    frame, truth = split_wave(600, seed=21, ids=np.arange(1000, 1600))
    study.add_wave(frame, label="2026-Q2")
    old_names = study.segmentations[0].personas
    result = study.refit(["2026-Q2"], k=4, n_init=3)
    assert (result.version, result.parent_version, result.waves, result.n, result.k) == (
        2, 1, ["2026-Q2"], 600, 4)
    by_old = {o.segment: o for o in result.transitions.old_segments}
    split = by_old[int(mapping[2])]
    assert split.kind == "split" and len(split.new) == 2
    for planted in (0, 1):
        assert by_old[int(mapping[planted])].kind == "survived"
    # the two parts are the two planted halves: each new part is mostly one half
    labels = study.model(2).predict(frame.drop(columns="respondent_id"))
    for part in split.new:
        halves = np.bincount(truth[labels == part], minlength=4)[2:]
        assert halves.max() / halves.sum() > 0.9
    # survivors keep their persona, the parts get new ones with a note of their origin
    new_names = study.segmentations[1].personas
    for planted in (0, 1):
        outcome = by_old[int(mapping[planted])]
        assert new_names[outcome.new[0]] == old_names[outcome.segment]
    parts = [new_names[y] for y in split.new]
    assert not set(parts) & set(old_names)
    text = result.to_text()
    assert f"{old_names[split.segment]} split into {parts[0]} (" in text
    assert f"{parts[1]} is a new persona: out of the split of {old_names[split.segment]}" in text
    # the new version is stored with its reason and parent; later waves use it
    info = study.segmentations[1]
    assert (info.version, info.parent_version, info.reason) == (2, 1, "refit on 2026-Q2")
    assert study.typing_tool(2) is None
    study.add_wave(split_wave(300, seed=22)[0], label="2026-Q3")
    report = study.report()
    assert [w.segmentation_version for w in report.waves] == [1, 1, 2]
    assert [len(w.segments) for w in report.waves] == [3, 3, 4]
    [document] = report.to_dict()["transitions"]
    assert document["version"] == 2 and document["parent_version"] == 1
    assert document["old_segments"][split.segment]["kind"] == "split"
    assert document["thresholds"] == {"survival": 0.7, "split": 0.3, "purity": 0.5}
    assert "Segmentation v2 re-fitted from v1 on 600 respondents of 2026-Q2" in report.to_text()


def test_an_unchanged_population_is_all_survived(study):
    study.add_wave(planted_wave([1, 1, 1], 500, seed=30)[0], label="w1")
    study.add_wave(planted_wave([1, 2, 1], 500, seed=31, ids=np.arange(500, 1000))[0],
                   label="w2")
    result = study.refit(k=3)
    assert "warm-started" in result.how and result.n == 1000
    assert [o.kind for o in result.transitions.old_segments] == ["survived"] * 3
    assert [o.kind for o in result.transitions.new_segments] == ["survived"] * 3
    assert all(o.shares[0] > 0.95 for o in result.transitions.old_segments)
    # warm-started: the segments keep their numbers and persona names
    assert result.transitions.survivors == {0: 0, 1: 1, 2: 2}
    assert result.new_personas == result.old_personas
    assert study.personas(2)[0].name in result.old_personas
    # k chosen with evidence still finds three segments and warm-starts
    again = study.refit(["w2"], k="auto", k_range=[2, 3, 4], n_init=2, n_bootstrap=3)
    assert again.k == 3 and "chosen by" in again.how and "warm-started" in again.how
    assert [o.kind for o in again.transitions.old_segments] == ["survived"] * 3
    assert [s.parent_version for s in study.segmentations] == [None, 1, 2]


def test_overrides_follow_survivors(study_target, segmentation):
    model, personas, _ = segmentation
    target = personas[0]
    entry = {"prototype": dict(target.prototype), "name": "Busy Blake",
             "tagline": "Always in a hurry."}
    with Study.create(study_target, model=model, personas=personas, overrides=[entry]) as study:
        study.add_wave(planted_wave([1, 1, 1], 500, seed=40)[0], label="w1")
        result = study.refit(k=3)
        assert result.new_personas == [
            "Busy Blake" if n == target.name else n for n in result.old_personas]
        renamed = next(p for p in study.personas(2) if p.name == "Busy Blake")
        assert renamed.tagline == "Always in a hurry."
        assert int(renamed.segment) == int(target.segment)
        carried = study.overrides(2)
        assert len(carried) == 3 and sum(e.get("tagline") == "Always in a hurry."
                                        for e in carried) == 1
        # and again through a second re-fit, from the stored overrides
        study.refit(k=3)
        assert "Busy Blake" in [p.name for p in study.personas(3)]


def test_a_wave_stores_its_feature_values(study, segmentation):
    model, _, _ = segmentation
    frame, _ = planted_wave([1, 1, 1], 200, seed=50)
    frame["respondent_id"] = [f"id-{i}" for i in range(200)][::-1]
    frame.loc[3, "cat_1"] = None
    study.add_wave(frame, label="w1")
    with study._engine.connect() as connection:
        _, data, weights = study._refit_data(connection, ["w1"])
    expected = frame.sort_values("respondent_id").reset_index(drop=True)
    features = [str(c) for c in model.feature_names_in_]
    assert list(data.columns) == features
    np.testing.assert_array_equal(data[model.numeric_features_].to_numpy(),
                                  expected[model.numeric_features_].to_numpy(dtype=float))
    for name in model.categorical_features_:
        assert data[name].tolist() == expected[name].tolist()
    assert weights.tolist() == [1.0] * 200


def test_bad_refit_input_is_one_clear_error_and_changes_nothing(study, study_target):
    study.add_wave(planted_wave([1, 1, 1], 100, seed=60)[0], label="2026-Q1")
    before = snapshot(study_target)
    for kwargs, message in [
        ({"waves": ["2030-Q9"]}, r"no wave '2030-Q9' \(the study has '2026-Q1'\)"),
        ({"k": 1}, "k: must be 'auto' or a whole number of segments >= 2, not 1"),
        ({"k": "three"}, "not 'three'"),
        ({"k": 100}, "100 segments need more than 100 respondents"),
        ({"waves": []}, "at least one wave"),
        ({"survival": 0.2, "k": 3}, "0 < split < survival"),
    ]:
        with pytest.raises(UserError, match=message):
            study.refit(**kwargs)
    assert snapshot(study_target) == before


def test_a_study_without_waves_cannot_be_refitted(study):
    with pytest.raises(UserError, match="no waves to re-fit on"):
        study.refit()


def test_a_version_1_study_upgrades_and_refuses_its_old_waves(study, study_target):
    study.add_wave(planted_wave([1, 1, 1], 100, seed=70)[0], label="old")
    study.close()
    url = study_target if "://" in study_target else f"sqlite:///{study_target}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # what increment 1 wrote: no version 2 tables
        connection.execute(sa.text("DROP TABLE wave_features"))
        connection.execute(sa.text("DROP TABLE refits"))
        connection.execute(sa.text("DROP TABLE wave_columns"))
        connection.execute(sa.text("DELETE FROM schema_migrations WHERE version >= 2"))
    engine.dispose()
    with Study.open(study_target) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        with pytest.raises(UserError, match="'old' were added before the study stored"):
            upgraded.refit(k=3)
        upgraded.add_wave(planted_wave([1, 1, 1], 100, seed=71, ids=np.arange(100, 200))[0],
                          label="new")
        assert upgraded.refit(["new"], k=3).waves == ["new"]


def test_track_refit_cli(study_target, model_files, tmp_path, capsys):
    model, personas = model_files
    wave = tmp_path / "w.csv"
    split_wave(600, seed=80)[0].to_csv(wave, index=False)
    ok(["init", study_target, "--model", model, "--personas", personas], capsys)
    ok(["add-wave", study_target, wave, "--label", "2026-Q1"], capsys)
    with Study.open(study_target) as opened:
        names = opened.segmentations[0].personas
    out = ok(["refit", study_target, "--waves", "2026-Q1", "--k", "4"], capsys)
    assert out.startswith("Segmentation v2 re-fitted from v1 on 600 respondents of 2026-Q1")
    assert sum(f"{name} survived (" in out for name in names) == 2
    assert sum(f"{name} split into " in out for name in names) == 1
    report_path = tmp_path / "report.json"
    ok(["report", study_target, "--json", report_path], capsys)
    [document] = json.loads(report_path.read_text())["transitions"]
    assert [o["kind"] for o in document["old_segments"]].count("split") == 1
    before = snapshot(study_target)
    for args, message in [
        (["refit", study_target, "--waves", "2026-Q1,nope"], "no wave 'nope'"),
        (["refit", study_target, "--k", "1"], "k: must be 'auto' or a whole number"),
        (["refit", study_target, "--waves", ","], "--waves: give at least one wave"),
    ]:
        code, _, err = run_main(args, capsys)
        assert code == 2 and err.count("\n") == 1 and message in err, err
    assert snapshot(study_target) == before


def test_overrides_of_a_split_segment_are_reported_not_carried(tmp_path, segmentation):
    model, personas, mapping = segmentation
    target = next(p for p in personas if int(p.segment) == int(mapping[2]))
    entry = {"prototype": dict(target.prototype), "name": "Sceptical Sam"}
    with Study.create(tmp_path / "s.db", model=model, personas=personas,
                      overrides=[entry]) as study:
        study.add_wave(split_wave(600, seed=90)[0], label="w1")
        result = study.refit(k=4, n_init=3)
        assert result.transitions.old_segments[int(mapping[2])].kind == "split"
        assert "Sceptical Sam" not in result.new_personas
        assert f"the overrides of {target.name} were not carried over: it split" in \
            result.notes
        assert len(study.overrides(2)) == 2


def test_a_weighted_wave_is_refitted_with_its_weights(study):
    frame, _ = planted_wave([1, 1, 1], 300, seed=95)
    frame["w"] = np.where(np.arange(300) % 3 == 0, 2.5, 0.5)
    study.add_wave(frame, label="weighted", weight="w")
    result = study.refit(k=3)
    assert result.transitions.overlap.sum() == pytest.approx(frame["w"].sum())
    assert [o.kind for o in result.transitions.old_segments] == ["survived"] * 3
