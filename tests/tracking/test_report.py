"""The report recovers planted truth: shares, significance, migration, emerging segments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _pgcluster import new_database
from _planted import planted_wave
from scipy import stats

from dash_personas.tracking import Study
from dash_personas.tracking._stats import holm, two_proportion_test, wilson_interval

P_BASE = np.array([0.4, 0.3, 0.3])
P_SHIFTED = np.array([0.15, 0.55, 0.30])
PANEL = np.arange(800)


@pytest.mark.parametrize("k, n", [(0, 20), (3, 20), (57, 140), (500, 1000), (999, 1000)])
def test_wilson_interval_matches_scipy(k, n):
    low, high = wilson_interval(np.array([k / n]), n)
    expected = stats.binomtest(k, n).proportion_ci(method="wilson")
    np.testing.assert_allclose([low[0], high[0]], [expected.low, expected.high], atol=1e-12)


def test_two_proportion_test_matches_the_chi_square_test():
    counts = np.array([[130, 870], [170, 830]])
    p = two_proportion_test(np.array([0.13]), 1000, np.array([0.17]), 1000)
    expected = stats.chi2_contingency(counts, correction=False).pvalue
    np.testing.assert_allclose(p, expected, rtol=1e-10)


def test_holm_rejects_what_the_step_down_procedure_rejects():
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = rng.uniform(0, 0.2, size=rng.integers(1, 8))
        alpha = 0.05
        rejected = np.zeros(p.size, dtype=bool)
        for rank, index in enumerate(np.argsort(p)):
            if p[index] > alpha / (p.size - rank):
                break
            rejected[index] = True
        np.testing.assert_array_equal(holm(p) <= alpha, rejected)


def _panel_segments(base_segments: np.ndarray, source: int, target: int) -> np.ndarray:
    """The panel's planted segments after moving 30 % of ``source`` (by id) to ``target``."""
    moved = (base_segments == source) & (PANEL % 10 < 3)
    return np.where(moved, target, base_segments)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def tracked(request, tmp_path_factory, segmentation):
    """Four waves: baseline, unchanged (panel of stayers), shifted (panel moves), emerging.

    Built once per backend; the tests using it only read.
    """
    model, personas, mapping = segmentation
    target = (str(tmp_path_factory.mktemp("tracked") / "study.db")
              if request.param == "sqlite"
              else new_database(request.getfixturevalue("postgres_server")))
    study = Study.create(target, model=model, personas=personas)
    base, base_planted = planted_wave(P_BASE, 1500, seed=11)
    study.add_wave(base, label="W1", date="2026-03-31")

    panel2, _ = planted_wave(None, len(PANEL), seed=12, ids=PANEL,
                             segments=base_planted[PANEL])
    fresh2, fresh2_planted = planted_wave(P_BASE, 700, seed=13, ids=5000 + np.arange(700))
    study.add_wave(pd.concat([panel2, fresh2], ignore_index=True), label="W2")

    moved = _panel_segments(base_planted[PANEL], source=0, target=1)
    panel3, _ = planted_wave(None, len(PANEL), seed=14, ids=PANEL, segments=moved)
    fresh3, fresh3_planted = planted_wave(P_SHIFTED, 700, seed=15, ids=9000 + np.arange(700))
    study.add_wave(pd.concat([panel3, fresh3], ignore_index=True), label="W3")

    emerging, _ = planted_wave(P_BASE, 1500, seed=16, ids=20000 + np.arange(1500),
                               emerging=0.15)
    study.add_wave(emerging, label="W4")
    truth = {"base": base_planted, "panel2": base_planted[PANEL], "panel3": moved,
             "W2": np.concatenate([base_planted[PANEL], fresh2_planted]),
             "W3": np.concatenate([moved, fresh3_planted])}
    yield study, mapping, truth
    study.close()


def _planted_crosstab(before: np.ndarray, after: np.ndarray, mapping: np.ndarray) -> np.ndarray:
    counts = np.zeros((3, 3), dtype=np.int64)
    np.add.at(counts, (mapping[before], mapping[after]), 1)
    return counts


def test_the_report_recovers_the_planted_waves(tracked):
    study, mapping, truth = tracked
    report = study.report()
    waves = {w.label: w for w in report.waves}
    assert list(waves) == ["W1", "W2", "W3", "W4"]
    # assignment recovers the planted segments, so the shares are the planted composition
    for label in ("W2", "W3"):
        stored = study.respondents(label).set_index("respondent_id")
        ids = np.concatenate([PANEL, (5000 if label == "W2" else 9000) + np.arange(700)])
        np.testing.assert_array_equal(stored.loc[ids.astype(str), "segment"],
                                      mapping[truth[label]])
        composition = np.bincount(mapping[truth[label]], minlength=3) / len(ids)
        np.testing.assert_allclose([s.share for s in waves[label].segments], composition)
    # the unchanged wave's intervals hold the population shares it was drawn from
    for segment in waves["W2"].segments:
        planted = P_BASE[np.flatnonzero(mapping == segment.segment)[0]]
        assert segment.ci_low <= planted <= segment.ci_high
        assert not segment.change_from_previous.significant
    # W3 moved planted segment 0 towards 1: both shifts are flagged, segment 2 is not
    shifted = {a.detail.split(":")[0] for a in report.alerts
               if a.wave == "W3" and a.kind == "size_shift"}
    names = {s.segment: s.persona for s in waves["W3"].segments}
    assert shifted == {names[mapping[0]], names[mapping[1]]}
    w3 = {s.segment: s for s in waves["W3"].segments}
    assert w3[mapping[0]].change_from_previous.difference < 0 < \
        w3[mapping[1]].change_from_previous.difference
    assert w3[mapping[0]].change_from_baseline.significant
    # no alert at all on the unchanged wave, and the emerging segment shows in W4 only
    assert [a for a in report.alerts if a.wave in ("W1", "W2")] == []
    assert [a.wave for a in report.alerts if a.kind == "emerging"] == ["W4"]
    assert waves["W4"].unfit_share > 0.15 > waves["W3"].unfit_share
    assert waves["W1"].unfit_share == pytest.approx(0.05, abs=1 / 1500)


def test_migration_counts_equal_the_planted_moves(tracked):
    study, mapping, truth = tracked
    report = study.report()
    by_pair = {(m.from_wave, m.to_wave): m for m in report.migration}
    assert list(by_pair) == [("W1", "W2"), ("W2", "W3"), ("W3", "W4")]
    stayers = by_pair["W1", "W2"]
    np.testing.assert_array_equal(stayers.counts,
                                  _planted_crosstab(truth["panel2"], truth["panel2"], mapping))
    assert stayers.stayers == stayers.n_panel == len(PANEL)
    assert stayers.flows == []
    moves = by_pair["W2", "W3"]
    expected = _planted_crosstab(truth["panel2"], truth["panel3"], mapping)
    np.testing.assert_array_equal(moves.counts, expected)
    assert by_pair["W3", "W4"].n_panel == 0
    source, target = mapping[0], mapping[1]
    share = expected[source, target] / expected[source].sum()
    assert moves.flows[0]["text"] == (f"{share * 100:.0f} % of {moves.personas[source]} "
                                      f"moved to {moves.personas[target]}")
    np.testing.assert_array_equal(study.migration("W1", "W3").counts,
                                  _planted_crosstab(truth["panel2"], truth["panel3"], mapping))


def test_the_json_layout_of_the_issue(tracked):
    study, _, _ = tracked
    document = study.report().to_dict()
    wave = document["waves"][0]
    assert {"label", "n", "segmentation_version", "segments", "unfit_share"} <= set(wave)
    assert {"persona", "segment", "share", "ci_low", "ci_high"} <= set(wave["segments"][0])
    assert {"from_wave", "to_wave", "n_panel", "personas", "counts"} <= set(
        document["migration"][0])
    assert {"wave", "kind", "detail"} == set(document["alerts"][0])
    single = study.report(wave="W3").to_dict()
    assert [w["label"] for w in single["waves"]] == ["W3"]
    assert [(m["from_wave"], m["to_wave"]) for m in single["migration"]] == [("W2", "W3")]
    assert {a["wave"] for a in single["alerts"]} == {"W3"}


def test_weighted_shares_use_the_effective_base(study_target, segmentation):
    model, personas, mapping = segmentation
    frame, planted = planted_wave(P_BASE, 600, seed=21)
    weights = np.where(mapping[planted] == 0, 2.0, 1.0)
    with Study.create(study_target, model=model, personas=personas) as study:
        study.add_wave(frame.assign(w=weights), label="weighted", weight="w")
        [wave] = study.report().waves
    segment = mapping[planted]
    expected = np.bincount(segment, weights, minlength=3) / weights.sum()
    np.testing.assert_allclose([s.share for s in wave.segments], expected)
    assert wave.n_effective == pytest.approx(weights.sum() ** 2 / np.square(weights).sum())
    assert wave.n_effective < 600 and wave.weighted
    unweighted = wilson_interval(expected, 600)
    widths = np.array([s.ci_high - s.ci_low for s in wave.segments])
    assert (widths > unweighted[1] - unweighted[0]).all()
