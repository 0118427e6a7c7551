"""Personas: building, naming, guidelines, overrides matched by prototype, persistence."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dash_personas.personas import (
    PersonaSet,
    apply_overrides,
    assign_personas,
    build_personas,
    load_personas,
    save_personas,
    write_overrides_template,
)
from dash_personas.personas._rules import DISTINCT_SD, SCALE_RULES


def test_personas_cover_every_segment_with_unique_names(survey_case):
    personas = survey_case.personas
    assert len(personas) == 4
    assert sum(p.size for p in personas) == len(survey_case.scores)
    assert abs(sum(p.share for p in personas) - 1) < 1e-9
    names = [p.name for p in personas]
    assert len(set(names)) == len(names)
    sizes = [p.size for p in personas]
    assert sizes == sorted(sizes, reverse=True)
    assert [p.id for p in personas] == ["p1", "p2", "p3", "p4"]
    colours = [p.colour for p in personas]
    assert len(set(colours)) == 4


def test_texts_follow_the_distinguishing_scales(survey_case):
    for persona in survey_case.personas:
        scales = {s.scale: s for s in persona.aspects}
        assert set(scales) == {s["name"] for s in survey_case.codebook["scales"]}
        top = max(persona.aspects, key=lambda s: abs(s.std_diff))
        assert abs(top.std_diff) >= DISTINCT_SD
        direction = "high" if top.std_diff > 0 else "low"
        rule = SCALE_RULES[top.scale][direction]
        assert persona.name.startswith(rule["adj"] + " ")
        assert rule["phrase"] in persona.tagline
        assert persona.quote.startswith(rule["quote"])
        assert persona.guidelines.tone
        assert persona.guidelines.rules  # traceable
        for rule_id in persona.guidelines.rules:
            kind, _, scale = rule_id.partition(":")
            if kind in ("do-high", "dont-high"):
                assert scales[scale].std_diff >= DISTINCT_SD
            if kind in ("do-low", "dont-low"):
                assert scales[scale].std_diff <= -DISTINCT_SD


def test_codebook_notes_are_never_pasted_in_as_guidelines(survey_case):
    notes = {s["name"]: s["high_score"]["en"] for s in survey_case.codebook["scales"]}
    for persona in survey_case.personas:
        said = [*persona.guidelines.do, *persona.guidelines.dont]
        assert not [text for text in said if text in notes.values()]
        assert not [text for text in said if "high scorers" in text]
        # nor its description of high scorers ("A planner; ..." pasted in as a "Do")
        heads = {note.split(";")[0].strip() for note in notes.values() if ";" in note}
        assert heads and not [text for text in said for head in heads if head in text]
        for rule_id in persona.guidelines.rules:
            kind, _, scale = rule_id.partition(":")
            if kind == "do-high":  # bank scales: the rule table's own sentence
                assert SCALE_RULES[scale]["high"]["do"].text in persona.guidelines.do


def test_profiles_match_the_data(survey_case):
    scores, model = survey_case.scores, survey_case.model
    persona = survey_case.personas[0]
    rows = scores[model.labels_ == persona.segment]
    clv = next(d for d in persona.profile if d.feature == "clv")
    assert clv.mean == pytest.approx(rows["clv"].mean())
    assert persona.behaviour.clv == pytest.approx(rows["clv"].mean())
    assert persona.behaviour.currency == "EUR"
    stages = [j.stage for j in persona.journey]
    assert stages == ["awareness", "consideration", "purchase", "retention", "advocacy"]
    assert sum(j.share for j in persona.journey) == pytest.approx(1.0)
    assert persona.demographics and all(d.share >= 0.15 for d in persona.demographics)
    # the prototype is the model's centre of the persona's segment, in original units
    assert set(persona.prototype) == set(model.feature_names_in_)
    centre = model.cluster_centers_.loc[persona.segment]
    members = survey_case.features[model.labels_ == persona.segment]
    for column, value in persona.prototype.items():
        if column in model.numeric_features_:
            assert value == pytest.approx(float(centre[column])), column
            # a (near-)converged centre is the mean of its members
            assert value == pytest.approx(members[column].mean(), rel=1e-2), column
        else:
            assert value == centre[column], column


def test_generic_data_without_codebook(blobs_case):
    X, model = blobs_case
    personas = build_personas(model, X)
    assert len({p.name for p in personas}) == 3
    assert all(p.aspects for p in personas)  # numeric columns act as scales
    labels_only = build_personas(model.labels_, X)
    assert [p.size for p in labels_only] == [p.size for p in personas]


def test_builder_is_deterministic(blobs_case):
    X, model = blobs_case
    assert build_personas(model, X).to_json() == build_personas(model, X).to_json()


def test_save_load_roundtrip_and_version_check(survey_case, tmp_path):
    path = tmp_path / "personas.json"
    save_personas(survey_case.personas, path)
    loaded = load_personas(path)
    assert loaded == survey_case.personas
    raw = json.loads(path.read_text())
    raw["version"] = 99
    path.write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="version 99 is not supported"):
        load_personas(path)
    path.write_text("{}")
    with pytest.raises(ValueError, match="not a dash-personas personas file"):
        load_personas(path)


def test_overrides_survive_a_refit_with_permuted_labels(blobs_case, tmp_path):
    from dash_personas import KPrototypes

    X, model = blobs_case
    first = build_personas(model, X)
    template = tmp_path / "overrides.yaml"
    write_overrides_template(first, template)
    import yaml

    doc = yaml.safe_load(template.read_text())
    target = first[1]  # edit the second persona
    doc["personas"][1]["name"] = "Edited Eve"
    doc["personas"][1]["guidelines"] = {"tone": "very formal"}
    template.write_text(yaml.safe_dump(doc))

    # re-fit with the segments numbered differently: same prototypes, permuted labels
    perm = np.array([2, 0, 1])
    init = model.cluster_centers_.iloc[np.argsort(perm)].reset_index(drop=True)
    refit = KPrototypes(3, init=init, n_init=1, random_state=5).fit(X)
    assert not np.array_equal(refit.labels_, model.labels_)
    second = build_personas(refit, X, overrides=template)
    edited = [p for p in second if p.name == "Edited Eve"]
    assert len(edited) == 1
    assert edited[0].guidelines.tone == "very formal"
    assert edited[0].segment != target.segment  # a different label number...
    assert edited[0].size == target.size  # ...for the same segment
    assert edited[0].guidelines.do == target.guidelines.do  # nested fields merged


def test_overrides_without_model_use_the_stored_distance(blobs_case):
    X, model = blobs_case
    personas = build_personas(model, X)
    entry = {"prototype": dict(personas[2].prototype), "tagline": "Custom."}
    changed = apply_overrides(personas, {"personas": [entry]})
    assert changed[2].tagline == "Custom."
    assert changed[0].tagline == personas[0].tagline


def test_bad_overrides_are_one_line_errors(blobs_case, tmp_path):
    X, model = blobs_case
    personas = build_personas(model, X)
    with pytest.raises(ValueError, match="needs a 'prototype'"):
        apply_overrides(personas, [{"name": "x"}])
    with pytest.raises(ValueError, match="cannot be overridden"):
        apply_overrides(personas, [{"prototype": {"num_0": 1}, "size": 3}])
    clash = [{"prototype": dict(p.prototype), "name": "Same"} for p in personas][:2]
    with pytest.raises(ValueError, match="two personas would be called 'Same'"):
        apply_overrides(personas, clash)
    bad = tmp_path / "bad.yaml"
    bad.write_text("personas: [")
    with pytest.raises(ValueError, match="not valid YAML"):
        apply_overrides(personas, bad)


def test_assign_personas_agrees_with_the_model(survey_case):
    ids = assign_personas(survey_case.personas, survey_case.scores)
    segment = {p.id: p.segment for p in survey_case.personas}
    agreement = np.mean([segment[i] for i in ids] == survey_case.model.labels_)
    assert agreement > 0.98


def test_assign_personas_with_gaps_and_unseen_levels_matches_the_formula(survey_case):
    """Brute force, row by row: sum over observed features of ((x - c) / scale)^2 and
    gamma per mismatch (a level no persona has always mismatches), rescaled to all
    features."""
    personas = survey_case.personas
    scale = personas.matching["numeric_scale"]
    categorical = personas.matching["categorical"]
    gamma = personas.matching["gamma"]
    rng = np.random.default_rng(3)
    data = survey_case.scores.iloc[:300].astype(object).copy()
    for column in [*scale, *categorical]:
        data.loc[rng.random(len(data)) < 0.2, column] = None
    data.loc[data.index[:15], categorical[0]] = "a level no persona has"
    ids = assign_personas(personas, data)
    n_features = len(scale) + len(categorical)
    for i, (_, row) in enumerate(data.iterrows()):
        costs = []
        for persona in personas:
            total, used = 0.0, 0
            for column, s in scale.items():
                if row[column] is not None and not pd.isna(row[column]):
                    total += ((float(row[column]) - persona.prototype[column]) / s) ** 2
                    used += 1
            for column in categorical:
                if row[column] is not None and not pd.isna(row[column]):
                    total += gamma * (str(row[column]) != str(persona.prototype[column]))
                    used += 1
            costs.append(total * n_features / used if used else 0.0)
        assert ids[i] == list(personas)[int(np.argmin(costs))].id, i


def test_avatar_is_local_svg_with_escaped_text():
    from dash_personas.personas import Persona

    p = Persona(id="p1", segment=0, name="<img src=x onerror=alert(1)> Bob", size=1, share=1.0,
                colour="#0072B2")
    svg = p.avatar_svg()
    assert svg.startswith("<svg") and "<img" not in svg and "&lt;img" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert p.avatar_data_uri().startswith("data:image/svg+xml;base64,")


def test_persona_set_lookup(survey_case):
    personas = survey_case.personas
    assert isinstance(personas, PersonaSet)
    assert personas["p2"] is personas[1]
    with pytest.raises(KeyError):
        personas["nope"]


def test_personas_display_in_notebooks_without_a_server_and_escape_text():
    from dash_personas.personas import Persona, PersonaSet

    persona = Persona(id="p1", segment=0, name="<img src=x onerror=alert(1)>", size=10,
                      share=0.5, colour="#E69F00", quote="I <b>love</b> it")
    html = persona._repr_html_()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html and "<b>love</b>" not in html
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org", "")
    gallery = PersonaSet(personas=[persona])._repr_html_()
    assert gallery.count("dash-personas-card") >= 1
    assert "&lt;img src=x onerror=alert(1)&gt;" in gallery


def test_personas_evolve_with_a_new_wave_of_respondents(survey_case, tmp_path):
    """New data: assign with the typing tool, re-fit warm from the current prototypes,
    and the analysts' edits follow their segments into the refreshed personas."""
    import pandas as pd
    import yaml

    from dash_personas import KPrototypes, TypingTool
    from dash_personas.pipeline import select_features
    from survey_builder.compose import compose_survey
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses
    from survey_builder.spec import survey_from_dict

    survey = survey_from_dict(compose_survey("aspects", ["demographics", "behaviour", "journey",
                                                         "clv"], languages=["en"]))
    responses, _ = simulate_responses(survey, 2300, 4, 3)  # one population, two waves
    scores = score_responses(survey, responses).scores
    features = scores[select_features(scores, codebook=survey_case.codebook).features]
    first_wave, new_wave = features.iloc[:1500], features.iloc[1500:]
    model = KPrototypes(4, n_init=3, random_state=0).fit(first_wave)
    first = build_personas(model, first_wave, survey_case.codebook)
    template = tmp_path / "overrides.yaml"
    write_overrides_template(first, template)
    doc = yaml.safe_load(template.read_text())
    doc["personas"][0]["name"] = "Loyal Lou"
    template.write_text(yaml.safe_dump(doc))

    tool = TypingTool.build(model, first_wave, max_questions=6, target_accuracy=0.95,
                            random_state=0)
    agreement = np.mean(tool.predict(new_wave[tool.questions]) == model.predict(new_wave))
    assert agreement == pytest.approx(tool.accuracy, abs=0.08)

    combined = pd.concat([first_wave, new_wave], ignore_index=True)
    refit = KPrototypes(4, init=model.cluster_centers_, n_init=1).fit(combined)
    second = build_personas(refit, combined, survey_case.codebook, overrides=template)
    assert sum(p.size for p in second) == len(combined)
    lou = [p for p in second if p.name == "Loyal Lou"]
    assert len(lou) == 1
    # the edited persona is still the segment that started from the same prototype
    assert lou[0].segment == first[0].segment
