"""The fieldwork keys of the spec (terminate_if, redirects, quotas): loading, and every
mistake reported as ``file:line field: message`` (by the CLI as one line, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_builder.cli import main
from survey_builder.errors import SurveyError
from survey_builder.spec import (
    load_survey,
    screenout_conditions,
    survey_from_dict,
    survey_to_dict,
)

SPEC = (Path(__file__).parent / "data" / "survey_fieldwork.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if needle in line)


def test_the_fieldwork_keys_load_and_survive_a_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "survey.yaml"
    path.write_text(SPEC, encoding="utf-8")
    survey = load_survey(path)
    assert screenout_conditions(survey) == [("age_band", "${age_band} = 'u18'"),
                                            ("buys", "${buys} = 'no'")]
    assert survey.redirects.respondent_id == "rid"
    assert set(survey.redirects.urls()) == {"complete", "screenout", "overquota"}
    assert [(c.name, c.target) for q in survey.quotas for c in q.cells] == [
        ("young_women", 40), ("young_men", 40), ("older", 60)]
    again = survey_from_dict(survey_to_dict(survey))
    assert again == survey


def test_a_hidden_question_screens_nobody_out() -> None:
    data = survey_to_dict(load_survey_text(SPEC))
    data["sections"][0]["questions"][2]["relevant"] = "${gender} = 'man'"
    survey = survey_from_dict(data)
    assert dict(screenout_conditions(survey))["buys"] == "(${gender} = 'man') and (${buys} = 'no')"


def load_survey_text(text: str):
    import yaml

    from survey_builder._source import SpecLoader

    return survey_from_dict(yaml.load(text, Loader=SpecLoader))


ERRORS = [
    ("terminate-unknown", "terminate_if: \"${buys} = 'no'\"", "terminate_if: \"${buy} = 'no'\"",
     "${buy} = 'no'", "sections[0].questions[2].terminate_if",
     "unknown question 'buy' (did you mean 'buys'?)"),
    ("terminate-later", "terminate_if: \"${age_band} = 'u18'\"",
     "terminate_if: \"${buys} = 'no'\"", "terminate_if: \"${buys} = 'no'\"",
     "sections[0].questions[0].terminate_if", "'buys', which comes later"),
    ("terminate-bad-option", "terminate_if: \"${age_band} = 'u18'\"",
     "terminate_if: \"${age_band} = 'under_18'\"", "under_18",
     "sections[0].questions[0].terminate_if", "'under_18' is not an option of 'age_band'"),
    ("terminate-syntax", "terminate_if: \"${age_band} = 'u18'\"",
     "terminate_if: \"${age_band} = \"", "terminate_if: \"${age_band} = \"",
     "sections[0].questions[0].terminate_if", "invalid condition"),
    ("url-malformed", "complete: \"https://panel.example.com/end?status=complete&rid=${rid}\"",
     "complete: \"panel.example.com/end?rid=${rid}\"", "complete: \"panel",
     "redirects.complete", "malformed URL"),
    ("url-space", "screenout: \"https://panel.example.com/end?status=screenout&rid=${rid}\"",
     "screenout: \"https://panel.example.com/end?status=screen out\"", "status=screen out",
     "redirects.screenout", "malformed URL"),
    ("url-placeholder", "complete: \"https://panel.example.com/end?status=complete&rid=${rid}\"",
     "complete: \"https://panel.example.com/end?id=${panel_id}\"", "${panel_id}",
     "redirects.complete", "unknown placeholder ${panel_id}"),
    ("rid-is-a-question", "respondent_id: rid", "respondent_id: gender",
     "respondent_id: gender", "redirects.respondent_id", "'gender' is a question"),
    ("target-zero", "target: 40}\n      - {name: young_men", "target: 0}\n      - {name: young_men",
     "target: 0}", "quotas[0].cells[0].target", "target must be at least 1, not 0"),
    ("target-negative", "target: 60}", "target: -5}", "target: -5}",
     "quotas[0].cells[2].target", "not -5"),
    ("cell-unknown-question", "when: \"${age_band} = '35_plus'\"",
     "when: \"${age} = '35_plus'\"", "${age} = '35_plus'", "quotas[0].cells[2].when",
     "unknown question 'age'"),
    ("cell-bad-option", "when: \"${age_band} = '35_plus'\"",
     "when: \"${age_band} = '65_plus'\"", "65_plus", "quotas[0].cells[2].when",
     "'65_plus' is not an option of 'age_band'"),
    ("cell-duplicate", "- {name: young_men,", "- {name: young_women,",
     "- {name: young_women, when: \"${age_band} = '18_34' and ${gender} = 'man'\"",
     "quotas[0].cells[1].name", "duplicate quota cell name 'young_women'"),
    ("cell-target-text", "target: 60}", "target: many}", "target: many}",
     "quotas[0].cells[2].target", "valid integer"),
    ("unknown-key", "  respondent_id: rid", "  respondent_id: rid\n  complet: \"https://x.org\"",
     "complet:", "redirects.complet", "unknown field 'complet'"),
]


@pytest.mark.parametrize(("old", "new", "needle", "field", "fragment"),
                         [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_mistakes_name_file_line_and_field(tmp_path: Path, old: str, new: str, needle: str,
                                           field: str, fragment: str) -> None:
    assert SPEC.count(old) == 1, old
    text = SPEC.replace(old, new)
    path = tmp_path / "survey.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    err = info.value
    assert (err.file, err.field) == (str(path), field), str(err)
    assert fragment in err.message
    assert err.line == line_of(text, needle)


def test_overquota_redirect_without_quotas_and_a_note_that_screens(tmp_path: Path) -> None:
    text = SPEC[:SPEC.index("quotas:")] + SPEC[SPEC.index("sections:"):]
    path = tmp_path / "survey.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyError, match="an over-quota URL needs quotas") as info:
        load_survey(path)
    assert info.value.field == "redirects.overquota"
    data = survey_to_dict(load_survey_text(SPEC))
    data["sections"][1]["questions"].append({
        "type": "note", "name": "bye", "label": {"en": "Bye"}, "terminate_if": "${buys} = 'no'"})
    with pytest.raises(ValueError, match="a note has no answer and cannot screen"):
        survey_from_dict(data)


def test_validate_lists_every_fieldwork_mistake_one_line_each(tmp_path: Path, capsys) -> None:
    text = SPEC.replace("target: 60}", "target: 0}").replace(
        "complete: \"https://panel.example.com/end?status=complete&rid=${rid}\"",
        "complete: \"ftp://panel.example.com\"")
    path = tmp_path / "survey.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if str(path) in line]
    assert any("redirects.complete: malformed URL" in line for line in lines)
    assert any("quotas[0].cells[2].target: target must be at least 1" in line for line in lines)
