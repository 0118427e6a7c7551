"""Synthetic respondents: layout, determinism, data-quality features, planted structure."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey_builder import expressions as ex
from survey_builder.codebook import build_codebook, column_names
from survey_builder.errors import SurveyError
from survey_builder.scoring import score_responses
from survey_builder.simulate import (
    SimulationSettings,
    default_labels_path,
    relevance_mask,
    respondent_ids,
    simulate_responses,
)
from survey_builder.spec import load_survey

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def survey():
    return load_survey(DATA / "survey_small.yaml")


@pytest.fixture(scope="module")
def simulated(survey):
    return simulate_responses(survey, 3000, n_personas=4, seed=11)


def test_layout_matches_codebook(survey, simulated) -> None:
    responses, personas = simulated
    codebook = build_codebook(survey)
    assert list(responses.columns) == column_names(codebook)
    assert len(responses) == 3000
    assert responses["respondent_id"].is_unique
    assert responses["respondent_id"].iloc[0] == "r0001"
    assert personas.name == "persona"
    assert personas.index.equals(responses.index)
    assert set(personas.unique()) == {1, 2, 3, 4}
    for column in codebook["columns"]:
        series = responses[column["name"]]
        if column["value_type"] == "integer":
            assert str(series.dtype) == "Int64", column["name"]
        if column["levels"] and column["value_type"] == "string":
            codes = {level["code"] for level in column["levels"]}
            assert set(series.dropna().unique()) <= codes, column["name"]
        if column["min"] is not None:
            assert series.dropna().astype(float).min() >= column["min"], column["name"]
        if column["max"] is not None:
            assert series.dropna().astype(float).max() <= column["max"], column["name"]


def test_deterministic_for_a_seed(survey) -> None:
    a, pa = simulate_responses(survey, 300, 3, seed=5)
    b, pb = simulate_responses(survey, 300, 3, seed=5)
    c, _ = simulate_responses(survey, 300, 3, seed=6)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(pa, pb)
    assert not a.drop(columns="respondent_id").equals(c.drop(columns="respondent_id"))


def test_accepts_a_path_and_validates_arguments(survey) -> None:
    responses, _ = simulate_responses(DATA / "survey_small.yaml", 5, 2, seed=0)
    assert len(responses) == 5
    with pytest.raises(SurveyError, match="at least 1"):
        simulate_responses(survey, 0)
    with pytest.raises(SurveyError, match="personas"):
        simulate_responses(survey, 10, n_personas=0)


def test_required_answered_and_optional_sometimes_missing(simulated) -> None:
    responses, _ = simulated
    for name in ("age_band", "attn", "purchase_frequency", "avg_spend", "lifespan",
                 "journey_stage", "channels__store"):
        assert responses[name].notna().all(), name
    for name in ("gender", "trust_1", "open_3", "eco_2", "triggers__need", "drivers__price"):
        share = responses[name].isna().mean()
        assert 0.005 < share < 0.08, (name, share)


def test_relevance_skips_are_blank(simulated) -> None:
    responses, _ = simulated
    app = responses["channels__app"].astype(float).to_numpy()
    ease = responses["app_ease"]
    assert ease[app != 1].isna().all()
    assert ease[app == 1].notna().mean() > 0.9  # shown: answered unless missing at random
    stage, trust = responses["journey_stage"], responses["trust_1"].astype(float)
    shown = (stage != "awareness") & (trust >= 2)
    assert responses.loc[~shown.to_numpy(), "nps"].isna().all()
    assert responses.loc[shown.to_numpy(), "nps"].notna().mean() > 0.9


def test_choice_structures(simulated) -> None:
    responses, _ = simulated
    channels = responses[["channels__store", "channels__web", "channels__app"]].astype(float)
    assert (channels.sum(axis=1) >= 1).all()  # answered multiple choice: at least one tick
    triggers = responses[["triggers__need", "triggers__promo", "triggers__gift"]].astype(float)
    answered = triggers.notna().all(axis=1)
    assert triggers[answered].sum(axis=1).between(1, 2).all()  # max_selected: 2
    assert triggers[~answered].isna().all(axis=1).all()  # unanswered: every option blank
    ranks = responses[["drivers__price", "drivers__quality", "drivers__brand"]].dropna()
    assert (np.sort(ranks.astype(int).to_numpy(), axis=1) == [1, 2, 3]).all()
    nps = responses["nps"].dropna().astype(float)
    assert (nps == nps.round()).all()
    comments = responses["comment"].dropna()
    assert 0.1 < len(comments) / len(responses) < 0.3
    assert comments.str.len().max() <= 200


def test_quality_problems_are_planted(survey) -> None:
    responses, _ = simulate_responses(survey, 4000, 4, seed=3)
    scores = score_responses(survey, responses).scores
    assert 0.02 < scores["attention_failed"].mean() < 0.1
    assert 0.01 < scores["straightliner"].mean() < 0.05
    clean, _ = simulate_responses(survey, 4000, 4, seed=3, settings=SimulationSettings(
        straightliner_rate=0.0, attention_fail_rate=0.0))
    clean_scores = score_responses(survey, clean).scores
    assert not clean_scores["attention_failed"].any()
    assert clean_scores["straightliner"].mean() < 0.01  # few false positives


def test_planted_straightliners_are_recalled() -> None:
    """Straight-liners of every grid and of some grids, planted on the ASPECTS template
    (14 grids of 4 items), are found by the default rule with no false alarm."""
    from survey_builder.compose import compose_survey
    from survey_builder.scoring import straightlining
    from survey_builder.simulate import simulate_with_truth
    from survey_builder.spec import survey_from_dict

    aspects = survey_from_dict(compose_survey())
    simulated = simulate_with_truth(aspects, 3000, 4, seed=11, settings=SimulationSettings(
        straightliner_rate=0.02, grid_straightliner_rate=0.05))
    truth = simulated.straightliners.to_numpy()
    assert 150 < truth.sum() < 300
    lining = straightlining(build_codebook(aspects), simulated.responses)
    assert lining.flag[truth].mean() > 0.85  # recall (measured: 0.92; see README)
    assert lining.flag[~truth].mean() < 0.002
    # some grids only: recalled through the share of grids; one 4-item grid answered alike
    # is common among the others (~5 % of grids), which is why one grid alone never flags
    some = truth & (lining.share < 1)
    assert some.sum() > 50 and lining.flag[some].mean() > 0.75
    assert 0 < lining.grids.to_numpy()[~truth].mean() < 0.1


def test_reverse_keyed_items_are_flipped(simulated) -> None:
    responses, _ = simulated
    trust = responses[["trust_1", "trust_2", "trust_3"]].astype(float)
    corr = trust.corr()
    assert corr.loc["trust_1", "trust_2"] > 0.3
    assert corr.loc["trust_1", "trust_3"] < -0.3  # raw reverse-keyed item runs the other way


def test_personas_have_distinct_profiles_and_behaviour(survey, simulated) -> None:
    responses, personas = simulated
    scores = score_responses(survey, responses).scores
    means = scores.groupby(personas.to_numpy())[["brand_trust", "price_focus", "openness",
                                                  "eco"]].mean()
    gaps = [np.abs(means.iloc[i] - means.iloc[j]).max()
            for i in range(4) for j in range(i + 1, 4)]
    assert min(gaps) > 0.4
    clv = scores.groupby(personas.to_numpy())["clv"].median()
    assert clv.max() / clv.min() > 1.5  # behaviour differs between personas
    freq = pd.crosstab(personas, responses["purchase_frequency"], normalize="index")
    assert (freq.max() - freq.min()).max() > 0.15


def test_planted_personas_are_recoverable(survey) -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    responses, personas = simulate_responses(survey, 2000, 4, seed=0)
    scores = score_responses(survey, responses).scores
    features = scores[["brand_trust", "price_focus", "openness", "eco"]]
    complete = features.notna().all(axis=1).to_numpy()
    z = (features[complete] - features[complete].mean()) / features[complete].std()
    labels = KMeans(4, n_init=10, random_state=0).fit_predict(z.to_numpy())
    assert adjusted_rand_score(personas[complete], labels) > 0.6


def test_relevance_mask_matches_row_by_row_evaluation(simulated) -> None:
    responses, _ = simulated
    sample = responses.iloc[:400]
    expressions = [
        "selected(${channels}, 'app')",
        "${journey_stage} != 'awareness' and ${trust_1} >= 2",
        "not (${age_band} = '18_34') or ${gender} = 'woman'",
        "answered(${gender}) and ${avg_spend} > 40.5",
        "answered(${triggers})",
        "${nps} < 5 or ${eco_1} <> 3",
        "not selected(${triggers}, 'promo')",
    ]
    for expr in expressions:
        vectorised = relevance_mask(expr, sample)
        for i, (_, row) in enumerate(sample.iterrows()):
            answers = {k: (None if pd.isna(v) else v) for k, v in row.items()}
            answers["channels"] = {o: answers[f"channels__{o}"] for o in ("store", "web", "app")}
            answers["triggers"] = {o: answers[f"triggers__{o}"]
                                   for o in ("need", "promo", "gift")}
            if all(v is None for v in answers["triggers"].values()):
                answers["triggers"] = None
            assert vectorised[i] == ex.evaluate(expr, answers), (expr, i)


def test_helpers() -> None:
    assert default_labels_path("out/responses.csv") == Path("out/responses.planted.csv")
    assert default_labels_path("x.json").name == "x.planted.csv"
    ids = respondent_ids(12345)
    assert ids[0] == "r00001" and ids[-1] == "r12345" and len(set(ids)) == 12345


def test_hundred_thousand_respondents_are_fast(survey) -> None:
    start = time.perf_counter()
    responses, personas = simulate_responses(survey, 100_000, 4, seed=1)
    elapsed = time.perf_counter() - start
    assert len(responses) == 100_000 and len(personas) == 100_000
    assert elapsed < 15, f"{elapsed:.1f}s"  # ~1 s on a laptop; generous for shared CI
    assert not math.isnan(responses["avg_spend"].mean())


# --------------------------------------------------------------------------- waves
#: SHA-256 of `survey-builder simulate` output made by the simulator before waves existed
#: (commit d670002): a single simulation for a seed must never change.
SINGLE_WAVE_DIGESTS = {
    ("500", "4", "7", "canonical"): (
        "dab93f801c00d8f0684ee00a3c9b55e79287c836ebf89e7900be78348d2aea01",
        "dd48ef177be1045b81c08dd50ef298b88e3cc5ca099a1ebfc7c4a94f42f7046f"),
    ("300", "3", "2", "surveyjs"): (
        "14e755cea2f86215e67333b403c1e5530b151b43ab2e741ca52311c90b6517db",
        "04a334b4629ac060ba6ff70276d287bddb885824988adf33f64ae297ebaf1b63"),
}
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PLAN = ROOT / "examples" / "wave_plan.yaml"
PLAN = {"personas": 3, "respondents": 1500, "waves": [
    {"label": "W1", "shares": {1: 0.5, 2: 0.3, 3: 0.2}},
    {"label": "W2", "panel": {"share": 0.5}},
    {"label": "W3", "panel": {"share": 0.4, "moves": {1: {2: 0.25, 3: 0.25}}}},
    {"label": "W4", "split": {"persona": 2, "into": [4, 5], "distance": 1.5}},
    {"label": "W5", "respondents": 1200, "emerge": {"persona": 6, "share": 0.2},
     "panel": {"share": 0.3}},
]}


def _run_cli(argv: list[str]) -> int:
    from survey_builder.cli import main

    with pytest.raises(SystemExit) as done:
        main(argv)
    return int(done.value.code or 0)


@pytest.mark.parametrize("n, personas, seed, fmt", list(SINGLE_WAVE_DIGESTS))
def test_single_wave_output_is_byte_identical(tmp_path, n, personas, seed, fmt) -> None:
    import hashlib

    out = tmp_path / ("r.json" if fmt == "surveyjs" else "r.csv")
    assert _run_cli(["simulate", str(DATA / "survey_small.yaml"), "-n", n, "--personas",
                     personas, "--seed", seed, "--format", fmt, "--out", str(out), "-q"]) == 0
    responses, planted = SINGLE_WAVE_DIGESTS[(n, personas, seed, fmt)]
    assert hashlib.sha256(out.read_bytes()).hexdigest() == responses
    # the planted personas (the first two columns; the straightliner truth came later)
    lines = default_labels_path(out).read_text(encoding="utf-8").splitlines()
    labels = "".join(",".join(line.split(",")[:2]) + "\n" for line in lines).encode()
    assert hashlib.sha256(labels).hexdigest() == planted


@pytest.fixture(scope="module")
def waves(survey):
    from survey_builder.simulate_waves import simulate_waves

    return simulate_waves(survey, PLAN, seed=4)


def test_waves_are_deterministic_and_keep_the_layout(survey, waves) -> None:
    from survey_builder.simulate_waves import simulate_waves

    again = simulate_waves(survey, PLAN, seed=4)
    other = simulate_waves(survey, PLAN, seed=5)
    for a, b, c in zip(waves.waves, again.waves, other.waves):
        pd.testing.assert_frame_equal(a.responses, b.responses)
        pd.testing.assert_series_equal(a.personas, b.personas)
        assert list(a.responses.columns) == column_names(build_codebook(survey))
        assert not a.responses.drop(columns="respondent_id").equals(
            c.responses.drop(columns="respondent_id"))
    assert [len(w.responses) for w in waves.waves] == [1500] * 4 + [1200]


def test_panel_members_keep_their_ids_and_move_as_planted(waves) -> None:
    seen: set[str] = set()
    for previous, wave in zip(waves.waves, waves.waves[1:]):
        ids = wave.responses["respondent_id"]
        assert ids.is_unique
        earlier = dict(zip(previous.responses["respondent_id"], previous.personas))
        panel = ids[ids.isin(list(earlier))]
        expected = 0 if wave.panel is None else wave.panel["n"]
        assert len(panel) == expected
        seen |= set(previous.responses["respondent_id"])
        fresh = ids[~ids.isin(list(earlier))]
        assert not fresh.isin(list(seen)).any()  # new respondents get new ids
        if wave.panel is None:
            continue
        before = panel.map(earlier).to_numpy()
        after = wave.personas[panel.index].to_numpy()
        rows, cols = wave.panel["from_personas"], wave.panel["to_personas"]
        counts = pd.crosstab(before, after).reindex(index=rows, columns=cols, fill_value=0)
        np.testing.assert_array_equal(counts.to_numpy(), wave.panel["counts"])
    w3 = waves["W3"].panel
    np.testing.assert_allclose(w3["transitions"][0], [0.5, 0.25, 0.25])
    shares = np.asarray(w3["counts"][0]) / sum(w3["counts"][0])
    np.testing.assert_allclose(shares, [0.5, 0.25, 0.25], atol=0.08)
    assert np.diag(waves["W2"].panel["counts"]).sum() == waves["W2"].panel["n"]  # all stay


def test_truth_flags_unchanged_split_and_emerging_waves(waves) -> None:
    assert [w.unchanged for w in waves.waves] == [False, True, False, False, False]
    assert waves["W4"].split == {"persona": 2, "into": [4, 5], "distance": 1.5}
    assert sorted(waves["W4"].target_shares) == [1, 3, 4, 5]
    assert set(waves["W4"].personas) == {1, 3, 4, 5}
    assert waves["W5"].emerged == {"persona": 6, "share": 0.2}
    assert 6 not in set(waves["W4"].personas)
    assert abs(waves["W5"].target_shares[6] - 0.2) < 1e-12
    fresh = ~waves["W5"].responses["respondent_id"].isin(
        list(waves["W4"].responses["respondent_id"]))
    assert abs((waves["W5"].personas[fresh] == 6).mean() - 0.2) < 0.04
    origins = {o["persona"]: o for o in waves.truth()["personas"]}
    assert origins[4] == {"persona": 4, "origin": "split", "of": 2, "wave": "W4"}
    assert origins[6]["origin"] == "emerged" and origins[6]["wave"] == "W5"


def test_one_population_across_waves(survey, waves) -> None:
    features = ["brand_trust", "price_focus", "openness", "eco"]
    means = [score_responses(survey, waves[label].responses).scores.groupby(
        waves[label].personas.to_numpy())[features].mean() for label in ("W1", "W2")]
    np.testing.assert_allclose(means[0].to_numpy(), means[1].to_numpy(), atol=0.15)


def test_a_split_persona_comes_from_two_nearby_profiles(survey, waves) -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    features = ["brand_trust", "price_focus", "openness", "eco"]
    scores = score_responses(survey, waves["W4"].responses).scores
    parts = waves["W4"].personas.isin([4, 5]).to_numpy()
    members = scores.loc[parts, features]
    complete = members.notna().all(axis=1).to_numpy()
    labels = KMeans(2, n_init=5, random_state=0).fit_predict(members[complete])
    truth = waves["W4"].personas.to_numpy()[parts][complete]
    assert adjusted_rand_score(truth, labels) > 0.5
    # the two profiles sit on either side of the old one
    centres = scores[features].groupby(waves["W4"].personas.to_numpy()).mean()
    before = score_responses(survey, waves["W3"].responses).scores
    parent = before[features][waves["W3"].personas.to_numpy() == 2].mean()
    midpoint = (centres.loc[4] + centres.loc[5]) / 2
    assert np.linalg.norm(midpoint - parent) < 0.25
    assert np.linalg.norm(centres.loc[4] - centres.loc[5]) > 0.75


@pytest.mark.parametrize("change, field", [
    ({"waves": [{"label": "W1", "colour": 1}]}, "waves[0]"),
    ({"waves": [{"label": "W1", "panel": {"share": 0.2}}]}, "waves[0].panel"),
    ({"waves": [{"label": "W1"}, {"label": "W1"}]}, "waves[1].label"),
    ({"waves": [{"label": "a/b"}]}, "waves[0].label"),
    ({"waves": [{"label": "W1", "shares": {1: 0.5, 7: 0.5}}]}, "waves[0].shares"),
    ({"waves": [{"label": "W1"}, {"label": "W2", "split": {"persona": 1, "into": [2, 5]}}]},
     "waves[1].split.into"),
    ({"waves": [{"label": "W1", "emerge": {"persona": 3, "share": 0.1}}]},
     "waves[0].emerge.persona"),
    ({"waves": [{"label": "W1"}, {"label": "W2", "panel": {"share": 1.5}}]},
     "waves[1].panel.share"),
    ({"waves": [{"label": "W1"}, {"label": "W2",
                                  "panel": {"share": 0.5, "moves": {1: {2: 0.8, 3: 0.4}}}}]},
     "waves[1].panel.moves.1"),
    ({"respondents": 100, "waves": [{"label": "W1"}, {"label": "W2", "respondents": 500,
                                                       "panel": {"share": 0.5}}]},
     "waves[1].panel.share"),
    ({"waves": [{"label": "W1"}, {"label": "W2", "emerge": {"persona": 4, "share": 0.1},
                                  "panel": {"share": 0.5, "moves": {4: {1: 0.5}}}}]},
     "waves[1].panel.moves"),
    ({"waves": []}, "waves"),
])
def test_bad_plans_are_user_errors_naming_the_field(survey, change, field) -> None:
    from survey_builder.simulate_waves import simulate_waves

    plan = {"personas": 3, "respondents": 50, **change}
    with pytest.raises(SurveyError) as raised:
        simulate_waves(survey, plan)
    assert raised.value.field == field


def test_cli_writes_the_waves_and_their_truth(tmp_path, capsys) -> None:
    import json

    from survey_builder.readers import read_responses

    out = tmp_path / "waves"
    assert _run_cli(["simulate", str(DATA / "survey_small.yaml"), "--waves",
                     str(EXAMPLE_PLAN), "--seed", "3", "--out", str(out)]) == 0
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    labels = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{label}.csv" for label in labels] + ["truth.json"])
    assert [w["label"] for w in truth["waves"]] == labels
    assert truth["seed"] == 3 and [w["unchanged"] for w in truth["waves"]][1]
    survey = load_survey(DATA / "survey_small.yaml")
    for entry in truth["waves"]:
        responses = read_responses(out / entry["file"], survey)
        assert responses["respondent_id"].tolist() == entry["respondents"]["respondent_id"]
        planted = pd.Series(entry["respondents"]["persona"])
        shares = planted.value_counts(normalize=True)
        assert {int(k): v for k, v in entry["shares"].items()} == pytest.approx(
            shares.to_dict())
    err = capsys.readouterr().err
    assert "2026-Q4: 2000 respondents" in err and "persona 3 split" in err
    assert "persona 7 emerged" in err and "truth.json" in err


@pytest.mark.parametrize("extra, message", [
    (["-n", "100"], "-n does not apply with --waves"),
    (["--personas", "3"], "--personas does not apply with --waves"),
    (["--out", "-"], "give it with --out"),
])
def test_cli_refuses_options_a_plan_decides(tmp_path, capsys, extra, message) -> None:
    argv = ["simulate", str(DATA / "survey_small.yaml"), "--waves", str(EXAMPLE_PLAN)]
    if "--out" not in extra:
        argv += ["--out", str(tmp_path / "w")]
    assert _run_cli(argv + extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


def test_a_json_plan_file_loads_like_the_dataclasses(tmp_path) -> None:
    import json

    from survey_builder.simulate_waves import (
        PanelSpec,
        WavePlan,
        WaveSpec,
        load_wave_plan,
    )

    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"personas": 2, "respondents": 300, "waves": [
        {"label": "A", "shares": {"1": 3, "2": 1}},
        {"label": "B", "panel": {"share": 0.5, "moves": {"1": {"2": 0.2}}}}]}),
        encoding="utf-8")
    assert load_wave_plan(path) == WavePlan(
        [WaveSpec("A", shares={1: 3.0, 2: 1.0}),
         WaveSpec("B", panel=PanelSpec(0.5, {1: {2: 0.2}}))], personas=2, respondents=300)
    path.write_text('{"personas": 2, "waves": [{"label": "A"}, {"label": "A"}]}',
                    encoding="utf-8")
    with pytest.raises(SurveyError) as raised:
        load_wave_plan(path)
    assert raised.value.file == str(path) and raised.value.field == "waves[1].label"
