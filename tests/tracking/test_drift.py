"""Drift from the baseline, the re-segment rule and split detection, on planted waves.

Each figure of the report is recomputed here from the raw wave tables with plain NumPy
(weighted means, deciles by ``np.quantile``, level shares): the stored profiles must
give the same numbers.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from _planted import planted_wave
from scipy import stats
from test_refit import split_wave

from dash_personas.tracking import PSI_EPSILON, PSI_MAJOR, PSI_MODERATE, Study, drift_level, psi
from dash_personas.tracking._drift import BIN_QUANTILES

P_BASE = np.array([0.4, 0.3, 0.3])
P_SHIFTED = np.array([0.15, 0.55, 0.30])
#: Added to num_0 of every respondent of the drifted wave (noise sd 1 around the centres).
DRIFT = 1.5
#: Added to num_1 of planted segment 1's members only.
PERSONA_MOVE = 2.0


def test_psi_is_the_symmetric_kullback_leibler_divergence():
    rng = np.random.default_rng(0)
    for _ in range(50):
        p, q = rng.dirichlet(np.full(8, 5.0)), rng.dirichlet(np.full(8, 5.0))
        assert psi(p, q) == pytest.approx(stats.entropy(p, q) + stats.entropy(q, p))
    assert psi([3, 1], [3, 1]) == 0.0
    # an empty bin counts as PSI_EPSILON, not as infinitely far
    floored = np.array([PSI_EPSILON, 1.0])
    expected = stats.entropy(floored, [0.5, 0.5]) + stats.entropy([0.5, 0.5], floored)
    assert psi([0, 1], [1, 1]) == pytest.approx(expected, rel=1e-3)


def test_drift_levels_follow_the_stated_thresholds():
    assert [drift_level(v) for v in (0.0, PSI_MODERATE - 1e-9, PSI_MODERATE, PSI_MAJOR,
                                     PSI_MAJOR + 1e-9)] == [
        "stable", "stable", "moderate", "moderate", "major"]


def _expected_psi(before: np.ndarray, after: np.ndarray, w_before: np.ndarray,
                  w_after: np.ndarray) -> float:
    """PSI on the baseline's weighted deciles, computed from the raw values."""
    edges = np.unique(np.quantile(before, BIN_QUANTILES, weights=w_before,
                                  method="inverted_cdf"))
    edges = edges[edges > before.min()]
    p = np.bincount(np.searchsorted(edges, before, side="right"), w_before,
                    minlength=edges.size + 1)
    q = np.bincount(np.searchsorted(edges, after, side="right"), w_after,
                    minlength=edges.size + 1)
    p, q = np.maximum(p / p.sum(), PSI_EPSILON), np.maximum(q / q.sum(), PSI_EPSILON)
    return float(np.sum((q - p) * np.log(q / p)))


def _weighted_smd(before, after, w_before, w_after) -> float:
    mean_b, mean_a = np.average(before, weights=w_before), np.average(after, weights=w_after)
    var_b = np.average((before - mean_b) ** 2, weights=w_before)
    var_a = np.average((after - mean_a) ** 2, weights=w_after)
    return float((mean_a - mean_b) / np.sqrt((var_b + var_a) / 2))


@pytest.fixture
def drifted(study_target, segmentation):
    """W1 baseline, W2 unchanged, W3 shares shifted, W4 num_0 drifted (weighted)."""
    model, personas, mapping = segmentation
    frames = {}
    frames["W1"], _ = planted_wave(P_BASE, 1500, seed=31)
    frames["W2"], _ = planted_wave(P_BASE, 1500, seed=32, ids=10_000 + np.arange(1500))
    frames["W3"], _ = planted_wave(P_SHIFTED, 1500, seed=33, ids=20_000 + np.arange(1500))
    frames["W4"], _ = planted_wave(P_BASE, 1500, seed=34, ids=30_000 + np.arange(1500))
    frames["W4"]["num_0"] += DRIFT
    rng = np.random.default_rng(35)
    for frame in frames.values():
        frame["w"] = rng.uniform(0.5, 2.0, len(frame))
    with Study.create(study_target, model=model, personas=personas) as study:
        for label, frame in frames.items():
            study.add_wave(frame, label=label, weight="w")
        yield study, frames, mapping


def test_feature_drift_equals_the_raw_computation(drifted):
    study, frames, _ = drifted
    report = study.report()
    waves = {w.label: w for w in report.waves}
    assert waves["W1"].drift is None
    base = frames["W1"]
    for label in ("W2", "W3", "W4"):
        drift = waves[label].drift
        assert drift.against == "W1"
        by_name = {f.feature: f for f in drift.features}
        assert [f.psi for f in drift.features] == sorted((f.psi for f in drift.features),
                                                         reverse=True)
        for name in ("num_0", "num_1", "num_2"):
            args = (base[name].to_numpy(), frames[label][name].to_numpy(),
                    base["w"].to_numpy(), frames[label]["w"].to_numpy())
            assert by_name[name].psi == pytest.approx(_expected_psi(*args), rel=1e-9)
            assert by_name[name].smd == pytest.approx(_weighted_smd(*args), rel=1e-9)
            assert by_name[name].kind == "numeric"
        for name in ("cat_0", "cat_1"):
            levels = sorted(set(base[name]))
            p = base.groupby(name)["w"].sum().reindex(levels).to_numpy()
            q = frames[label].groupby(name)["w"].sum().reindex(levels, fill_value=0).to_numpy()
            assert by_name[name].psi == pytest.approx(psi(p, q), rel=1e-9)
            assert by_name[name].smd is None and by_name[name].kind == "categorical"
    # the unchanged wave is stable everywhere; the drifted feature is major in W4 only
    assert {f.level for f in waves["W2"].drift.features} == {"stable"}
    w4 = {f.feature: f for f in waves["W4"].drift.features}
    assert waves["W4"].drift.features[0].feature == "num_0"
    assert w4["num_0"].level == "major" and w4["num_0"].smd > 0.2
    assert w4["num_0"].psi_mix_adjusted > PSI_MAJOR and w4["num_0"].p_value < 1e-6
    assert w4["num_0"].p_value_mix_adjusted < 1e-6
    # under no change PSI / (1/n_base + 1/n_wave) is about chi-square(bins - 1): not rare
    assert min(f.p_value for f in waves["W2"].drift.features) > 0.001


def test_a_share_shift_is_drift_the_personas_explain(drifted):
    study, _, _ = drifted
    report = study.report()
    w3 = next(w for w in report.waves if w.label == "W3")
    num_0 = next(f for f in w3.drift.features if f.feature == "num_0")
    assert num_0.psi > PSI_MODERATE > num_0.psi_mix_adjusted
    assert not w3.recommendation.resegment
    assert {a.kind for a in report.alerts if a.wave == "W3"} <= {"size_shift", "drift"}
    for alert in report.alerts:
        if alert.wave == "W3" and alert.kind == "drift":
            assert "the personas' new shares explain it" in alert.detail


def test_alerts_and_recommendation_follow_the_rule(drifted):
    study, _, _ = drifted
    report = study.report()
    by_wave = {}
    for alert in report.alerts:
        by_wave.setdefault(alert.wave, []).append(alert)
    assert "W1" not in by_wave and "W2" not in by_wave  # nothing on a stable wave
    w2 = next(w for w in report.waves if w.label == "W2")
    assert w2.recommendation.to_dict() == {"resegment": False, "reasons": []}
    kinds = [a.kind for a in by_wave["W4"]]
    assert "drift" in kinds and kinds[-1] == "refit_recommended"
    drift_alert = next(a for a in by_wave["W4"] if a.kind == "drift")
    assert drift_alert.detail.startswith("major drift from W1 on Num 0 (PSI ")
    w4 = next(w for w in report.waves if w.label == "W4")
    assert w4.recommendation.resegment
    assert w4.recommendation.reasons[0].startswith("major drift within the segments on Num 0")
    assert by_wave["W4"][-1].detail == ("re-segment recommended: "
                                        + "; ".join(w4.recommendation.reasons))


def test_a_persona_whose_members_moved_says_how(study_target, segmentation):
    model, personas, mapping = segmentation
    base, _ = planted_wave(P_BASE, 1500, seed=41)
    moved, planted = planted_wave(P_BASE, 1500, seed=42, ids=5000 + np.arange(1500))
    moved.loc[planted == 1, "num_1"] += PERSONA_MOVE
    with Study.create(study_target, model=model, personas=personas) as study:
        study.add_wave(base, label="2026-Q1")
        study.add_wave(moved, label="2026-Q2")
        report = study.report()
        segments_b = study.respondents("2026-Q1").set_index("respondent_id")["segment"]
        segments_w = study.respondents("2026-Q2").set_index("respondent_id")["segment"]
    target = int(mapping[1])
    wave = report.waves[1]
    # independent: members' mean difference over the pooled whole-wave SD
    sd = np.sqrt((base["num_1"].var(ddof=0) + moved["num_1"].var(ddof=0)) / 2)
    member_b = base["num_1"].to_numpy()[segments_b.loc[base.respondent_id.astype(str)] == target]
    member_w = moved["num_1"].to_numpy()[segments_w.loc[moved.respondent_id.astype(str)]
                                         == target]
    expected = (member_w.mean() - member_b.mean()) / sd
    persona = wave.drift.personas[target]
    assert persona.effects["num_1"] == pytest.approx(expected, rel=1e-9)
    assert persona.changes[0] == f"higher Num 1: {expected:+.1f} SD"
    others = [p for p in wave.drift.personas if p.segment != target]
    assert all(not any("Num 1" in c for c in p.changes) for p in others)
    assert persona.shift > max(p.shift for p in others)
    [history] = [h for h in report.persona_history() if h["segment"] == target]
    assert history["changes"] == persona.changes
    assert history["trend"] == (f"{history['shares'][0] * 100:.0f} % → "
                                f"{history['shares'][1] * 100:.0f} % since 2026-Q1")


def test_a_planted_split_is_flagged_with_the_persona_named(study_target, segmentation):
    model, personas, mapping = segmentation
    with Study.create(study_target, model=model, personas=personas) as study:
        study.add_wave(planted_wave([1, 1, 1], 900, seed=51)[0], label="W1")
        study.add_wave(planted_wave([1, 1, 1], 900, seed=52, ids=np.arange(1000, 1900))[0],
                       label="W2")
        study.add_wave(split_wave(900, seed=53, ids=np.arange(2000, 2900))[0], label="W3")
        report = study.report()
    name = report.waves[0].segments[int(mapping[2])].persona
    assert [(a.wave, a.kind) for a in report.alerts if a.wave != "W3"] == []
    splits = [a for a in report.alerts if a.kind == "split"]
    assert [(a.wave, a.detail.split(":")[0]) for a in splits] == [("W3", name)]
    w3 = report.waves[2]
    assert w3.recommendation.resegment
    assert any(r.startswith(f"{name} may be splitting in two") for r in
               w3.recommendation.reasons)
    assert report.to_dict()["waves"][2]["drift"]["personas"][int(mapping[2])]["split"][
        "smaller_part"] > 0.3


def _assert_same_document(actual, expected):
    """Equal JSON documents, numbers to 1e-9 relative."""
    if isinstance(expected, dict):
        assert sorted(actual) == sorted(expected)
        for key in expected:
            _assert_same_document(actual[key], expected[key])
    elif isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_same_document(a, e)
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-12)
    else:
        assert actual == expected


def test_waves_stored_before_profiles_report_the_same_drift(drifted, study_target):
    study, _, _ = drifted
    before = study.report().to_dict()
    url = study_target if "://" in study_target else f"sqlite:///{study_target}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # aggregates as version 1 stored them
        for wave_id, text in connection.execute(sa.text(
                "SELECT wave_id, document FROM aggregates")).all():
            document = json.loads(text)
            del document["profile"]
            document["format_version"] = 1
            connection.execute(sa.text("UPDATE aggregates SET document = :d WHERE wave_id = :w"),
                               {"d": json.dumps(document), "w": wave_id})
    engine.dispose()
    with Study.open(study_target) as reopened:
        after = reopened.report().to_dict()
        # a wave added now finds its baseline's bins from the stored feature values too
        frame, _ = planted_wave(P_BASE, 600, seed=61, ids=90_000 + np.arange(600))
        reopened.add_wave(frame.assign(w=1.0), label="W5", weight="w")
        newest = reopened.report(wave="W5").waves[0].drift
    _assert_same_document(after, before)  # up to summation order (ids vs input order)
    assert newest is not None and newest.against == "W1"
    assert {f.level for f in newest.features} == {"stable"}


def test_features_without_numbers_or_weights_still_drift(tmp_path):
    from dash_personas import KPrototypes, build_personas

    rng = np.random.default_rng(0)
    group = rng.integers(0, 2, 600)  # two planted groups, each with its preferred levels
    keep = rng.random((600, 2)) < 0.95
    frame = pd.DataFrame({"respondent_id": np.arange(600),
                          "a": np.where(keep[:, 0], np.array(["x", "z"])[group],
                                        rng.choice(list("xyz"), 600)),
                          "b": np.where(keep[:, 1], np.array(["p", "q"])[group],
                                        rng.choice(list("pq"), 600)),
                          "c": np.array(["m", "n"])[group]})
    features = frame.drop(columns="respondent_id")
    model = KPrototypes(2, random_state=0, n_init=2).fit(features)
    with Study.create(tmp_path / "s.db", model=model,
                      personas=build_personas(model, features)) as study:
        study.add_wave(frame, label="W1")
        later = frame.assign(respondent_id=frame.respondent_id + 1000,
                             a=np.where(rng.random(600) < 0.6, "y", frame.a))
        study.add_wave(later, label="W2")
        drift = study.report().waves[1].drift
    assert [f.kind for f in drift.features] == ["categorical"] * 3
    assert drift.features[0].feature == "a" and drift.features[0].level != "stable"
    assert all(p.split is None for p in drift.personas)
