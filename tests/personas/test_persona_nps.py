"""NPS per persona: each persona's Net Promoter Score (weighted when the personas are), its
base and small-base flag, on the card, the HTML sheet and the dashboard's profile table."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from dash_personas.app import profile_table
from dash_personas.components import PersonaCard
from dash_personas.export import persona_sheet_html
from dash_personas.personas import (
    build_personas,
    load_personas,
    nps_text,
    persona_card_html,
    persona_view,
    save_personas,
)
from survey_builder.codebook import build_codebook
from survey_builder.scores import read_scores, write_scores
from survey_builder.scoring import score_responses
from survey_builder.simulate import simulate_with_truth
from survey_builder.spec import survey_from_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "survey_builder"))
from test_nps_maxdiff_survey import SPEC


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):
    """600 simulated respondents of 3 planted personas, scored and read back as the
    ``personas`` command reads them (scores.csv + scores.codebook.json)."""
    survey = survey_from_dict(yaml.safe_load(SPEC))
    planted = simulate_with_truth(survey, 600, 3, seed=11)
    result = score_responses(survey, planted.responses)
    path = tmp_path_factory.mktemp("scores") / "scores.csv"
    write_scores(result.scores, build_codebook(survey), path)
    table = read_scores(path)
    data = table.frame[[c for c in table.frame.columns if c.startswith("md_")]]
    labels = planted.personas.to_numpy()
    raw = planted.responses["recommend"].astype(float).to_numpy()
    return table, data, labels, raw


def by_hand(raw: np.ndarray, weight: np.ndarray | None = None) -> float:
    w = np.ones(len(raw)) if weight is None else weight
    answered = ~np.isnan(raw)
    total = w[answered].sum()
    return 100 * (w[answered & (raw >= 9)].sum() - w[answered & (raw <= 6)].sum()) / total


def test_each_persona_carries_its_nps_with_its_base(study) -> None:
    table, data, labels, raw = study
    personas = build_personas(labels, data, table.codebook, scores=table.frame)
    everyone = by_hand(raw)
    scores = []
    for persona in personas:
        [nps] = persona.nps
        mine = raw[labels == persona.segment]
        assert nps.feature == "recommend_nps"
        assert nps.label == "How likely are you to recommend us?"
        assert nps.score == pytest.approx(by_hand(mine))
        assert nps.overall == pytest.approx(everyone)
        assert nps.promoters == pytest.approx((mine >= 9).mean())
        assert nps.detractors == pytest.approx((mine <= 6).mean())
        assert nps.promoters + nps.passives + nps.detractors == pytest.approx(1.0)
        assert nps.base == int((~np.isnan(mine)).sum()) and not nps.small_base
        assert nps.unweighted is None and nps.effective_base is None
        scores.append(nps.score)
    assert max(scores) - min(scores) > 10  # the planted personas differ in loyalty
    text = nps_text(personas[0].nps[0])
    assert text.startswith(f"NPS {personas[0].nps[0].score:+.0f} (")
    assert f"n = {personas[0].nps[0].base:,}" in text


def test_weighted_nps_keeps_the_unweighted_one_and_the_effective_base(study) -> None:
    table, data, labels, raw = study
    weight = np.random.default_rng(3).uniform(0.3, 3.0, len(raw))
    personas = build_personas(labels, data, table.codebook, scores=table.frame,
                              sample_weight=weight)
    for persona in personas:
        [nps] = persona.nps
        mine = labels == persona.segment
        w = weight[mine]
        assert nps.score == pytest.approx(by_hand(raw[mine], w))
        assert nps.unweighted == pytest.approx(by_hand(raw[mine]))
        assert nps.overall == pytest.approx(by_hand(raw, weight))
        assert nps.effective_base == pytest.approx(w.sum() ** 2 / (w ** 2).sum())
        assert nps.base == mine.sum()
    text = nps_text(personas[0].nps[0])
    assert " weighted (" in text and " unweighted; " in text and "effective n = " in text


def test_a_small_base_is_flagged_and_said(study) -> None:
    table, data, labels, _ = study
    personas = build_personas(labels, data, table.codebook, scores=table.frame,
                              min_base=10_000)
    nps = personas[0].nps[0]
    assert nps.small_base
    assert nps_text(nps).endswith("(small base: do not read)")


def test_card_sheet_and_profile_table_show_the_nps(study, tmp_path: Path) -> None:
    table, data, labels, _ = study
    personas = build_personas(labels, data, table.codebook, scores=table.frame)
    persona = personas[0]
    expected = nps_text(persona.nps[0])
    for detail in ("full", "compact"):
        section = persona_view(persona, detail=detail).section("nps")
        assert section is not None and [line.text for line in section.lines] == [expected]
    assert expected in persona_card_html(persona)
    assert expected in str(PersonaCard(persona).to_plotly_json())
    assert expected in persona_sheet_html(personas)
    rendered = str(profile_table(personas).to_plotly_json())
    row = f"NPS: {persona.nps[0].label}"
    assert row in rendered
    assert f"{persona.nps[0].score:+.0f} ({persona.nps[0].promoters:.0%} − " in rendered
    path = tmp_path / "personas.json"
    save_personas(personas, path)
    assert load_personas(path)[0].nps == persona.nps


def test_without_an_nps_question_in_the_codebook_there_is_no_nps(study) -> None:
    table, data, labels, _ = study
    assert all(not p.nps for p in build_personas(labels, data, scores=table.frame))
    plain = build_personas(labels, data, table.codebook)  # the NPS column not given
    assert all(not p.nps for p in plain)
    assert all(p.section("nps") is None for p in map(persona_view, plain))
    frame = pd.DataFrame({"recommend_nps": table.frame["recommend_nps"]})
    assert build_personas(labels, data, table.codebook, scores=frame)[0].nps


def test_the_filtered_personas_recount_their_nps_on_the_subset(study) -> None:
    from dash_personas.personas import filter_personas

    table, data, labels, raw = study
    personas = build_personas(labels, data, table.codebook, scores=table.frame)
    frame = pd.concat([data, table.frame[["recommend_nps"]]], axis=1)
    everyone = filter_personas(personas, frame, {})
    half = frame["recommend_nps"].astype(str).isin(["promoter", "passive"])
    subset = filter_personas(personas, frame.assign(keep=np.where(half, "y", "n")),
                             {"keep": ["y"]})
    from dash_personas.personas import assign_personas

    assigned = np.array(assign_personas(personas, frame))
    for before, after in zip(everyone, subset):
        mine = (assigned == after.id) & half.to_numpy()
        [nps] = after.nps
        assert nps.base == mine.sum()
        assert nps.score == pytest.approx(by_hand(raw[mine]))
        assert nps.detractors == 0.0  # the subset has no detractor
        assert before.nps[0].base >= nps.base
