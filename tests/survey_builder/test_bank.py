"""The built-in item bank covers ASPECTS and every layer, in English and Spanish."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest
import yaml

from survey_builder.bank import BANK_DIR, list_modules, list_scales, load_bank
from survey_builder.compose import compose_survey
from survey_builder.errors import SurveyError
from survey_builder.spec import (
    ASPECTS_DIMENSIONS,
    MultipleChoiceQuestion,
    NumericQuestion,
    RankingQuestion,
    SingleChoiceQuestion,
    survey_from_dict,
)

LANGUAGES = {"en", "es"}
NAME_RE = re.compile(r"^[a-z](?:[a-z0-9]|_(?!_))*$")


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_all_six_dimensions_have_two_scales_of_four_items(bank):
    by_dimension = Counter(scale.dimension for scale in bank.list_scales())
    assert set(by_dimension) == set(ASPECTS_DIMENSIONS)
    for dimension in ASPECTS_DIMENSIONS:
        scales = list_scales(dimension)
        assert len(scales) >= 2, dimension
        assert {s.dimension for s in scales} == {dimension}
        for scale in scales:
            assert len(scale.items) >= 4, scale.name
            assert 1 <= len(scale.reverse_keyed) < len(scale.items), scale.name
            assert scale.points in (5, 7)
            assert len(bank.anchor_sets[scale.anchors]) == scale.points


def test_scale_metadata_is_complete_and_bilingual(bank):
    for scale in bank.list_scales():
        for text in (scale.label, scale.description, scale.high_score):
            assert set(text) == LANGUAGES and all(v.strip() for v in text.values())
        assert scale.description["en"] != scale.high_score["en"]
        for item in scale.items:
            assert set(item.label) == LANGUAGES, item.name
            assert item.label["en"] != item.label["es"], item.name


def _texts(node, path=""):
    """Every {language: text} mapping in a raw bank document."""
    if isinstance(node, dict):
        if node and set(node) <= LANGUAGES | {"fr", "de"} and all(
                isinstance(v, str) for v in node.values()):
            yield path, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, f"{path}[{i}]")


@pytest.mark.parametrize("path", sorted(BANK_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_text_in_every_file_has_english_and_spanish(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = list(_texts(data))
    assert texts, f"{path.name} has no texts"
    for where, text in texts:
        assert set(text) == LANGUAGES, f"{path.name}{where}"
        assert all(value.strip() for value in text.values()), f"{path.name}{where}"


def test_names_are_unique_and_safe(bank):
    names = [item.name for scale in bank.list_scales() for item in scale.items]
    names += [scale.name for scale in bank.list_scales()]
    names += [f"{scale.name}_grid" for scale in bank.list_scales()]
    names += [q["name"] for m in bank.modules.values() for q in m.questions]
    duplicates = [n for n, c in Counter(names).items() if c > 1]
    assert not duplicates
    for name in names:
        assert NAME_RE.match(name) and len(name) <= 26, name


def test_no_item_wording_is_repeated(bank):
    labels = [item.label["en"].lower() for s in bank.list_scales() for item in s.items]
    assert len(labels) == len(set(labels))


def test_layer_modules_exist(bank):
    assert set(list_modules("layer")) >= {"demographics", "behaviour", "clv", "journey",
                                          "technographic", "firmographic", "attention"}
    assert set(list_modules("aspects")) == set(ASPECTS_DIMENSIONS)


def _module_survey(modules):
    return survey_from_dict(compose_survey("aspects", modules, ["en", "es"]))


def test_demographics_layer():
    survey = _module_survey(["demographics"])
    for name in ("age_band", "gender", "income_band", "education", "occupation", "region"):
        assert isinstance(survey.get(name), SingleChoiceQuestion), name


def test_behaviour_layer_and_clv_conversions():
    survey = _module_survey(["behaviour", "clv"])
    assert isinstance(survey.get("channels"), MultipleChoiceQuestion)
    assert isinstance(survey.get("purchase_triggers"), MultipleChoiceQuestion)
    assert isinstance(survey.get("choice_drivers"), RankingQuestion)
    assert isinstance(survey.get("customer_tenure"), SingleChoiceQuestion)
    clv = survey.clv
    assert clv is not None
    assert isinstance(survey.get(clv.value.question), NumericQuestion)
    frequency = survey.get(clv.frequency.question)
    per_year = {c.value: c.numeric for c in frequency.choices}
    assert per_year["weekly"] == 52 and per_year["monthly"] == 12 and per_year["yearly"] == 1
    values = [c.numeric for c in frequency.choices]
    assert values == sorted(values, reverse=True)           # ordered most to least often
    lifespan = survey.get(clv.lifespan.question)
    years = [c.numeric for c in lifespan.choices if c.numeric is not None]
    assert years == sorted(years) and all(y > 0 for y in years)
    assert any(c.numeric is None for c in lifespan.choices)  # "don't know" stays unknown


def test_clv_without_behaviour_brings_its_inputs():
    survey = _module_survey(["clv"])
    section = next(s for s in survey.sections if s.name == "clv")
    assert {q.name for q in section.questions} == {
        survey.clv.value.question, survey.clv.frequency.question, survey.clv.lifespan.question}
    with pytest.raises(KeyError):
        survey.get("channels")


def test_journey_layer_stage_order():
    survey = _module_survey(["journey"])
    assert survey.journey.stages == ["awareness", "consideration", "purchase", "retention",
                                     "advocacy"]
    question = survey.get(survey.journey.question)
    assert [c.value for c in question.choices] == survey.journey.stages


def test_b2b_layers_and_attention():
    survey = survey_from_dict(compose_survey("b2b", None, ["en"]))
    for name in ("company_size", "industry", "buying_role", "tech_stack", "cloud_adoption"):
        survey.get(name)
    checks = survey.attention_checks()
    assert len(checks) == 2
    aspects = [s.name for s in survey.sections if s.name in ASPECTS_DIMENSIONS]
    holders = {s.name for s in survey.sections for q in s.questions if q in checks}
    assert holders <= set(aspects) and len(holders) == 2    # spread among ASPECTS sections


ALL_MODULES = ["demographics", "behaviour", "clv", "journey", "technographic", "firmographic",
               "attention"]


@pytest.mark.parametrize("template", ["aspects", "b2b"])
@pytest.mark.parametrize("size", [0, 1, 3, 7])
def test_templates_and_module_combinations_validate(template, size):
    for modules in itertools.islice(itertools.combinations(ALL_MODULES, size), 6):
        survey = survey_from_dict(compose_survey(template, list(modules), ["en", "es"]))
        dims = {s.dimension for s in survey.scales}
        if template == "aspects":
            assert dims == set(ASPECTS_DIMENSIONS)
        for scale in survey.scales:
            assert len(survey.scale_items(scale)) >= 4


def test_single_language_keeps_only_that_language():
    document = compose_survey("aspects", ALL_MODULES, ["es"], title="Estudio")
    survey = survey_from_dict(document)
    assert survey.languages == ["es"]
    assert survey.title == {"es": "Estudio"}
    assert all(set(t) == {"es"} for _, t in _texts(document))


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"template": "nope"}, "--template"),
    ({"modules": ["behavior"]}, "--modules"),
    ({"languages": ["fr"]}, "--languages"),
    ({"dimensions": ["feelings"]}, "--dimensions"),
])
def test_compose_errors(kwargs, field):
    with pytest.raises(SurveyError) as info:
        compose_survey(**kwargs)
    assert info.value.field == field


def test_dimension_filter():
    survey = survey_from_dict(compose_survey("aspects", [], ["en"],
                                             dimensions=["traits", "emotions"]))
    assert {s.dimension for s in survey.scales} == {"traits", "emotions"}
    with pytest.raises(SurveyError):
        list_scales("feelings")
