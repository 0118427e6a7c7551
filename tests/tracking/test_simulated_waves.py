"""A tracking study recovers the truth planted by ``survey_builder.simulate_waves``.

Five simulated waves of one population: a baseline, an unchanged wave (a panel that
stays), a wave whose shares shift while the panel moves with a planted transition
matrix, a wave in which a persona splits in two, and a wave in which a new persona
emerges. The waves are scored, wave 1 is
segmented with :func:`dash_personas.pipeline.run_pipeline`, and every wave is added to a
study; planted personas are mapped to segments by majority on wave 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dash_personas.pipeline import run_pipeline
from dash_personas.tracking import Study
from survey_builder.codebook import build_codebook
from survey_builder.scoring import score_responses
from survey_builder.simulate import SimulationSettings
from survey_builder.simulate_waves import simulate_waves
from survey_builder.spec import load_survey

DATA = Path(__file__).parents[1] / "survey_builder" / "data"
#: Latent distance between the two parts of the split persona: 2.5 latent units puts
#: them about 2.5 within-persona SDs apart on the scale scores it moves (a split the
#: example plan's 1.5 leaves nearly unimodal, and no signal can see).
SPLIT_DISTANCE = 2.5
PLAN = {"personas": 4, "respondents": 2500, "waves": [
    {"label": "W1", "shares": {1: 0.35, 2: 0.30, 3: 0.20, 4: 0.15}},
    {"label": "W2", "panel": {"share": 0.4}},
    {"label": "W3", "shares": {1: 0.20, 2: 0.45, 3: 0.20, 4: 0.15},
     "panel": {"share": 0.4, "moves": {1: {2: 0.3}, 3: {4: 0.1}}}},
    {"label": "W4", "split": {"persona": 3, "into": [5, 6], "distance": SPLIT_DISTANCE}},
    {"label": "W5", "emerge": {"persona": 7, "share": 0.15}},
]}
#: Personas further apart than the simulator's default, so that a segmentation can find
#: them again (recovering the truth needs a truth that is recoverable).
SETTINGS = SimulationSettings(profile_spread=1.6, within_sd=0.4)


@pytest.fixture(scope="module")
def tracked(tmp_path_factory):
    """The simulated waves, the study built from them, its report, planted -> segment."""
    survey = load_survey(DATA / "survey_small.yaml")
    waves = simulate_waves(survey, PLAN, seed=2, settings=SETTINGS)
    scores = {w.label: score_responses(survey, w.responses).scores for w in waves.waves}
    result = run_pipeline(scores["W1"], codebook=build_codebook(survey), k=4, n_init=3)
    planted = waves["W1"].personas.to_numpy()
    mapping = {p: int(np.bincount(result.model.labels_[planted == p]).argmax())
               for p in range(1, 5)}
    study = Study.create(tmp_path_factory.mktemp("waves") / "study.db",
                         model=result.model, personas=result.personas)
    with study:
        for wave in waves.waves:
            study.add_wave(scores[wave.label], label=wave.label)
        report = study.report()
    return waves, report, mapping


def test_planted_personas_map_to_distinct_segments(tracked):
    _, _, mapping = tracked
    assert sorted(mapping.values()) == [0, 1, 2, 3]


@pytest.mark.parametrize("label", ["W1", "W2", "W3"])
def test_shares_lie_within_their_intervals(tracked, label):
    waves, report, mapping = tracked
    summary = next(w for w in report.waves if w.label == label)
    for persona, share in waves[label].shares.items():
        segment = summary.segments[mapping[persona]]
        assert segment.ci_low <= share <= segment.ci_high, (label, persona, share, segment)


def test_migration_matrix_is_close_to_the_planted_transitions(tracked):
    waves, report, mapping = tracked
    planted = waves["W3"].panel
    migration = next(m for m in report.migration if m.to_wave == "W3")
    assert migration.from_wave == planted["from_wave"] == "W2"
    assert migration.n_panel == planted["n"] == 1000
    order = [mapping[p] for p in planted["from_personas"]]
    observed = migration.row_shares[np.ix_(order, order)]
    np.testing.assert_allclose(observed, planted["transitions"], atol=0.08)
    # the planted moves are the two main flows the report puts in words
    main = {(flow["from"], flow["to"]) for flow in migration.flows[:2]}
    names = {p: migration.personas[mapping[p]] for p in mapping}
    assert main == {(names[1], names[2]), (names[3], names[4])}


def test_the_unchanged_wave_raises_no_alert(tracked):
    waves, report, _ = tracked
    assert waves["W2"].unchanged and not waves["W3"].unchanged
    assert [a for a in report.alerts if a.wave == "W2"] == []
    stayed = next(m for m in report.migration if m.to_wave == "W2")
    assert stayed.stayers / stayed.n_panel > 0.9  # the panel stayed: so does the study's


def test_the_shift_is_flagged_in_its_wave(tracked):
    waves, report, mapping = tracked
    before, after = waves["W2"].target_shares, waves["W3"].target_shares
    planted = {p for p in after if abs(after[p] - before[p]) > 0.01}
    assert planted == {1, 2}
    names = report.waves[0].segments
    shifted = {a.detail.split(":")[0] for a in report.alerts
               if a.wave == "W3" and a.kind == "size_shift"}
    assert shifted == {names[mapping[p]].persona for p in planted}


def test_the_emerging_persona_is_flagged_in_the_wave_it_appears(tracked):
    waves, report, _ = tracked
    assert waves["W5"].emerged == {"persona": 7, "share": 0.15}
    emerging = [a.wave for a in report.alerts if a.kind == "emerging"]
    assert emerging == ["W5"]
    w5 = next(w for w in report.waves if w.label == "W5")
    assert w5.unfit_share > 2 * report.waves[0].unfit_share


def test_only_the_split_and_the_emerging_waves_ask_for_a_refit(tracked):
    _, report, _ = tracked
    waves = {w.label: w for w in report.waves}
    assert waves["W1"].drift is None and not waves["W1"].recommendation.resegment
    stable = waves["W2"]
    assert stable.drift.against == "W1"
    assert {f.level for f in stable.drift.features} == {"stable"}
    assert stable.recommendation.resegment is False and stable.recommendation.reasons == []
    assert not waves["W3"].recommendation.resegment  # shares moved, the personas still fit
    recommended = [a.wave for a in report.alerts if a.kind == "refit_recommended"]
    assert recommended == ["W4", "W5"]
    assert all(a.detail.startswith("re-segment recommended: ") for a in report.alerts
               if a.kind == "refit_recommended")
    assert any("fit no persona" in reason for reason in waves["W5"].recommendation.reasons)


def test_the_split_persona_is_named_before_any_refit(tracked):
    waves, report, mapping = tracked
    assert waves["W4"].split == {"persona": 3, "into": [5, 6], "distance": SPLIT_DISTANCE}
    name = report.waves[0].segments[mapping[3]].persona
    splits = [(a.wave, a.detail.split(":")[0]) for a in report.alerts if a.kind == "split"]
    assert ("W4", name) in splits
    assert [wave for wave, _ in splits if wave != "W5"] == ["W4"]  # one persona, one wave
    w4 = next(w for w in report.waves if w.label == "W4")
    assert any(reason.startswith(f"{name} may be splitting")
               for reason in w4.recommendation.reasons)
    signal = w4.drift.personas[mapping[3]].split
    assert signal.r2 > signal.baseline_r2 + 0.12 and signal.smaller_part > 0.3


def test_the_json_drift_and_history_layout(tracked):
    _, report, _ = tracked
    document = report.to_dict()
    first, later = document["waves"][0], document["waves"][1]
    assert first["drift"] is None
    assert first["recommendation"] == {"resegment": False, "reasons": []}
    drift = later["drift"]
    assert drift["against"] == "W1"
    feature = drift["features"][0]
    assert {"feature", "label", "kind", "smd", "psi", "level"} <= set(feature)
    psis = [f["psi"] for f in drift["features"]]
    assert psis == sorted(psis, reverse=True)
    assert {f["kind"] for f in drift["features"]} == {"numeric", "categorical"}
    assert all((f["smd"] is None) == (f["kind"] == "categorical") for f in drift["features"])
    persona = drift["personas"][0]
    assert {"persona", "segment", "shift", "changes"} <= set(persona)
    history = report.persona_history()
    assert document["persona_history"] == history
    names = [s["persona"] for s in first["segments"]]
    assert [h["persona"] for h in history] == names
    for entry in history:
        assert entry["waves"] == ["W1", "W2", "W3", "W4", "W5"]
        shares = [w["segments"][entry["segment"]]["share"] for w in document["waves"]]
        assert entry["shares"] == shares
        assert all(lo <= s <= hi for lo, s, hi in zip(entry["ci_low"], shares,
                                                      entry["ci_high"]))
        assert entry["trend"] == (f"{shares[0] * 100:.0f} % → {shares[-1] * 100:.0f} % "
                                  "since W1")
        assert entry["changes"] == document["waves"][-1]["drift"]["personas"][
            entry["segment"]]["changes"]
