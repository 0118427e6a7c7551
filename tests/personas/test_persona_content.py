"""Behaviour, goals, triggers, objections and the typical purchase come from the answers,
and every number a card shows is explained in plain words."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dash_personas.personas import (
    CategoryShare,
    Persona,
    explain_lift,
    explain_share,
    explain_std_diff,
    persona_card_html,
    persona_view,
)
from dash_personas.personas._rules import DRIVER_GOALS, TRIGGER_PHRASES


@pytest.fixture(scope="module")
def case(simulate):
    return simulate(900, 4, 21)


def _members(case, persona):
    return case.frame[case.labels == persona.segment]


def test_behaviour_is_filled_from_the_behaviour_and_channel_questions(case):
    levels = {lv.code: lv.label for lv in case.codebook.levels("purchase_frequency", "en")}
    for persona in case.personas:
        rows = _members(case, persona)
        b = persona.behaviour
        # the scores carry the answer's label (responses carry its code)
        answers = rows["purchase_frequency"].astype(object).map(lambda v: levels.get(v, v))
        counts = answers.value_counts(normalize=True)
        assert b.frequency in counts.index[counts == counts.max()]
        assert b.frequency_share == pytest.approx(counts.max())
        assert b.spend == pytest.approx(rows["avg_purchase_value"].mean())
        assert b.overall_spend == pytest.approx(case.frame["avg_purchase_value"].mean())
        channels = [c for c in case.frame.columns if c.startswith("channels__")]
        used = rows[channels].mean().sort_values(ascending=False, kind="stable")
        assert [c.feature for c in b.channel_shares] == list(used.index)
        assert [c.share for c in b.channel_shares] == pytest.approx(list(used))
        assert b.channels == [c.level_label for c in b.channel_shares[:3]]
        assert b.clv == pytest.approx(rows["clv"].mean())


def test_triggers_goals_and_objections_come_from_the_questions_that_measure_them(case):
    found = {"triggers": 0, "goals": 0, "objections": 0}
    for persona in case.personas:
        rows = _members(case, persona)
        for trigger in persona.triggers:
            assert trigger.feature.startswith("purchase_triggers__")
            assert trigger.share == pytest.approx(rows[trigger.feature].mean())
            assert trigger.share >= 1.2 * trigger.overall_share
            found["triggers"] += 1
        drivers = {code: rows[f"choice_drivers__{code}"].mean() -
                   case.frame[f"choice_drivers__{code}"].mean() for code in DRIVER_GOALS}
        for goal in persona.goals:
            code = next(c for c, text in DRIVER_GOALS.items() if text == goal)
            assert drivers[code] < 0  # ranked nearer the top than by everyone
            found["goals"] += 1
        lows_and_highs = {(s.scale, s.std_diff > 0) for s in persona.aspects
                          if abs(s.std_diff) >= 0.3}
        found["objections"] += len(persona.objections)
        assert len(persona.objections) <= len(lows_and_highs)
    assert all(found.values()), found  # the planted personas do differ on each


def test_the_typical_purchase_says_only_what_the_answers_say(case):
    for persona in case.personas:
        b = persona.behaviour
        line = persona.day_in_life
        first = persona.name.split()[1]
        top_channel = b.channel_shares[0].level_label
        assert line.startswith(f"{first} buys {b.frequency[:1].lower()}{b.frequency[1:]}, ")
        assert f"most often {top_channel[:1].lower()}{top_channel[1:]}" in line
        said = [code for code, phrase in TRIGGER_PHRASES.items() if phrase in line]
        if said:
            (code,) = said
            assert _members(case, persona)[f"purchase_triggers__{code}"].mean() >= 0.5


def test_without_behaviour_answers_nothing_is_invented(survey_and_codebook):
    from dash_personas.personas import build_personas
    from survey_builder.scoring import behaviour_columns, score_responses
    from survey_builder.simulate import simulate_responses

    survey, codebook = survey_and_codebook
    responses, planted = simulate_responses(survey, 400, 3, 2)
    # scores written before survey-builder score carried the behaviour answers
    scores = score_responses(survey, responses).scores.drop(columns=behaviour_columns(codebook))
    for persona in build_personas(planted.to_numpy(), scores, codebook=codebook):
        assert persona.behaviour.frequency is None and persona.behaviour.spend is None
        assert not persona.triggers and not persona.goals and not persona.day_in_life
        assert persona.behaviour.clv is not None


def test_numbers_in_plain_words():
    assert explain_std_diff(-1.1) == "1.1 standard deviations below average"
    assert explain_std_diff(1.0) == "1.0 standard deviation above average"
    assert explain_std_diff(0.02) == "about average"
    assert explain_lift(1.8) == "1.8 times as common as overall"
    assert explain_share(0.45, 0.25) == ("45% of them gave this answer, against 25% of all "
                                         "respondents: 1.8 times as common as overall")


def _persona_with_everything() -> Persona:
    from dash_personas.personas import Behaviour, ScaleScore

    def share(feature, level, s, overall):
        return CategoryShare(feature=feature, label="Q?", level=level, level_label=level,
                             share=s, overall_share=overall, lift=s / overall)

    return Persona(
        id="p1", segment=0, name="Busy Bo", size=120, share=0.3, colour="#0072B2",
        aspects=[ScaleScore(scale="cn_convenience", label="Convenience", mean=4.0,
                            overall_mean=3.0, std_diff=-1.1)],
        demographics=[share("age_band", "25 to 34", 0.45, 0.25)],
        behaviour=Behaviour(frequency="About once a week", frequency_share=0.4,
                            overall_frequency_share=0.2, spend=25.0, overall_spend=30.0,
                            currency="EUR", channel_shares=[share("channels__app", "In our app",
                                                                  0.6, 0.3)],
                            channels=["In our app"]),
        goals=["Get what they need with the least effort"],
        triggers=[share("purchase_triggers__impulse", "An impulse", 0.36, 0.2)],
        objections=["Delivery times, queues or a slow checkout"],
        day_in_life="Bo buys about once a week, most often in our app.")


def test_the_view_explains_every_number_on_hover_and_in_a_legend():
    view = persona_view(_persona_with_everything())
    keys = [s.key for s in view.sections]
    assert keys == ["differences", "goals", "objections", "who", "behaviour", "triggers", "day",
                    "talk", "legend"]
    (bar,) = view.section("differences").bars
    assert (bar.value, bar.description) == (
        "-1.1 SD", "Convenience: 1.1 standard deviations below average")
    hinted = {span.text: span.title for s in view.sections for line in s.lines
              for span in line.spans if span.title}
    assert hinted["(45%, ×1.8)"] == explain_share(0.45, 0.25)
    assert hinted["(40%)"].startswith("40% of them gave this answer, the most common one, "
                                      "against 20% of all respondents: 2.0 times")
    assert hinted["In our app (60%)"] == explain_share(0.6, 0.3, "use it")
    assert hinted["(36%, ×1.8)"] == explain_share(0.36, 0.2, "named it")
    assert hinted["(average 30.00 EUR)"] == "The average over all respondents"
    # every number with "SD" or "×" on the card has its explanation next to it or in the legend
    legend = " ".join(line.text for line in view.section("legend").lines)
    assert "standard deviations" in legend and "times as common" in legend
    assert view.section("day").lines[0].text == "Bo buys about once a week, most often in our app."


def test_explanations_reach_the_html_sheet_and_the_dash_card():
    from dash_personas.components import PersonaCard

    persona = _persona_with_everything()
    html = persona_card_html(persona)
    assert "title='Convenience: 1.1 standard deviations below average'" in html
    assert f"title='{explain_share(0.45, 0.25)}'" in html
    assert "Reading the numbers" in html
    card = str(PersonaCard(persona).to_plotly_json())
    assert "Convenience: 1.1 standard deviations below average" in card
    assert explain_share(0.45, 0.25) in card


def test_comparison_cells_are_explained(case):
    from dash_personas.personas import comparison_table_html, comparison_view

    view = comparison_view(case.personas)
    cell = view.rows[0].cells[0]
    assert cell.hint == explain_std_diff(cell.std_diff)
    html = comparison_table_html(case.personas)
    assert len(re.findall(r"standard deviations? (above|below) average|about average",
                          html)) >= len(view.rows)
    assert "standard deviations from the average" in view.caption


def test_persona_content_roundtrips_through_json(case):
    from dash_personas.personas import PersonaSet

    again = PersonaSet.from_json(case.personas.to_json())
    assert again == case.personas
    assert any(p.day_in_life for p in again) and any(p.triggers for p in again)
    assert np.isfinite([p.behaviour.spend for p in again]).all()


def test_analysts_can_edit_goals_objections_and_the_typical_purchase(case, tmp_path):
    import yaml

    from dash_personas.personas import apply_overrides, write_overrides_template

    template = tmp_path / "overrides.yaml"
    write_overrides_template(case.personas, template)
    doc = yaml.safe_load(template.read_text())
    first = doc["personas"][0]
    assert {"goals", "objections", "day_in_life"} <= set(first)
    first.update(goals=["Find a gift quickly"], objections=[], day_in_life="Shops on Sundays.")
    template.write_text(yaml.safe_dump(doc))
    edited = apply_overrides(case.personas, template)
    assert (edited[0].goals, edited[0].objections, edited[0].day_in_life) == (
        ["Find a gift quickly"], [], "Shops on Sundays.")
    assert edited[1].goals == case.personas[1].goals
