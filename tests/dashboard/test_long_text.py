"""Long user text: clipped labels, override length limits, and pages that stay usable."""

from __future__ import annotations

import pytest

from dash_personas.labels import LABEL_LIMIT, clip_label, menu_option
from dash_personas.personas import TEXT_LIMITS, apply_overrides, load_overrides

HUGE = 100_000


def test_clip_label_keeps_short_text_and_cuts_long_text_at_a_word():
    assert clip_label("Price focus") == "Price focus"
    text = "word " * 5000
    clipped = clip_label(text, 40)
    assert len(clipped) <= 40 and clipped.endswith("…") and not clipped[:-1].endswith(" ")
    assert clip_label("x" * 10_000, 10) == "x" * 9 + "…"
    option = menu_option("y" * 10_000, "col")
    assert len(option["label"]) == LABEL_LIMIT and option["title"] == "y" * 10_000
    assert "title" not in menu_option("Age", "age")


def _entry(personas, **texts):
    return {"personas": [{"prototype": dict(personas[0].prototype), **texts}]}


@pytest.mark.parametrize(("texts", "field", "limit"), [
    ({"name": "N" * HUGE}, "personas[0].name", TEXT_LIMITS["name"]),
    ({"quote": "q" * 401}, "personas[0].quote", TEXT_LIMITS["quote"]),
    ({"motivations": ["ok", "m" * 301]}, "personas[0].motivations[1]", TEXT_LIMITS["item"]),
    ({"guidelines": {"do": ["d" * 301]}}, "personas[0].guidelines.do[0]", TEXT_LIMITS["item"]),
    ({"goals": ["g"] * 13}, "personas[0].goals", TEXT_LIMITS["items"]),
])
def test_overrides_refuse_texts_over_their_limit(survey_case, tmp_path, texts, field, limit):
    import yaml

    from survey_builder.errors import UserError

    path = tmp_path / "overrides.yaml"
    path.write_text(yaml.safe_dump(_entry(survey_case.personas, **texts)), encoding="utf-8")
    with pytest.raises(UserError) as info:
        apply_overrides(survey_case.personas, path)
    error = info.value
    assert (error.file, error.field) == (str(path), field)
    assert f"the limit is {limit:,}" in error.message
    assert len(str(error)) < 300  # one readable line, not the text itself
    # in memory (no file): the field and the limit, no file
    with pytest.raises(UserError) as info:
        load_overrides(_entry(survey_case.personas, **texts))
    assert info.value.file is None and info.value.field == field


def test_overrides_within_the_limits_apply(survey_case):
    name = "N" * TEXT_LIMITS["name"]
    updated = apply_overrides(survey_case.personas, _entry(survey_case.personas, name=name))
    assert name in [p.name for p in updated]


def test_an_over_long_override_reads_as_one_line(survey_case, tmp_path):
    import yaml

    from survey_builder.errors import UserError

    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(yaml.safe_dump(_entry(survey_case.personas, name="N" * HUGE)),
                         encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_overrides(overrides)
    line = str(info.value)  # what the CLIs print after "Error: "
    assert line == (f"{overrides} personas[0].name: too long: 100,000 characters "
                    "(the limit is 80)")
