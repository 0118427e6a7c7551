"""The fieldwork report, interview timing and speeders, and simulate's planted screen-outs
and speeders (recall measured against what was planted)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey_builder.cli import main
from survey_builder.codebook import build_codebook, column_names
from survey_builder.fieldwork import fieldwork_report, screenout_mask
from survey_builder.readers import read_responses, write_responses
from survey_builder.scoring import score_responses
from survey_builder.simulate import SimulationSettings, simulate_with_truth
from survey_builder.spec import load_survey
from survey_builder.timing import flag_speeders, interview_minutes

DATA = Path(__file__).parent / "data"
SPEC = DATA / "survey_fieldwork.yaml"


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return int(done.value.code or 0)


@pytest.fixture(scope="module")
def survey():
    return load_survey(SPEC)


@pytest.fixture(scope="module")
def planted(survey):
    return simulate_with_truth(survey, 3000, 4, seed=5, settings=SimulationSettings(
        incidence=0.55, interview_times=True, speeder_rate=0.06))


def frame(survey, rows: list[dict]) -> pd.DataFrame:
    """Canonical responses from a few hand-written rows (unlisted answers blank)."""
    columns = column_names(build_codebook(survey))
    table = pd.DataFrame([{c: row.get(c) for c in columns} | {
        k: v for k, v in row.items() if k not in columns} for row in rows])
    return table.astype(object).where(table.notna(), None)


# --------------------------------------------------------------------------- the report
def test_report_counts_each_rule_on_hand_made_respondents(survey) -> None:
    grid = {"trust_1": 4, "trust_2": 2, "trust_3": 3, "price_1": 3, "price_2": 4,
            "price_3": 2}
    same = dict.fromkeys(grid, 3)
    t0 = pd.Timestamp("2026-05-04T10:00:00Z")

    def times(minutes: float, offset: int) -> dict:
        start = t0 + pd.Timedelta(hours=offset)
        return {"started_at": start, "ended_at": start + pd.Timedelta(minutes=minutes)}

    rows = [
        {"respondent_id": "a", "age_band": "u18", **times(0.2, 0)},
        {"respondent_id": "b", "age_band": "18_34", "gender": "man", "buys": "no",
         **times(0.4, 1)},
        {"respondent_id": "c", "age_band": "18_34", "gender": "woman", "buys": "yes", **grid,
         "attn": "agree", **times(10, 2)},
        {"respondent_id": "d", "age_band": "18_34", "gender": "woman", "buys": "yes", **same,
         "attn": "disagree", **times(2, 3)},  # straight-liner, failed check, speeder
        {"respondent_id": "e", "age_band": "35_plus", "gender": "man", "buys": "yes", **grid,
         "attn": "agree", **times(12, 4)},
        {"respondent_id": "f", "age_band": "35_plus", "gender": "woman", "buys": "yes",
         **grid, "attn": "agree", **times(8, 5)},
    ]
    report = fieldwork_report(survey, frame(survey, rows))
    assert (report.n_responses, report.completes, report.screenouts) == (6, 4, 2)
    assert report.screenouts_by_question == {"age_band": 1, "buys": 1}
    assert report.incidence == pytest.approx(4 / 6)
    assert report.median_minutes == pytest.approx(9.0)  # of the completes: 2, 8, 10, 12
    assert report.speeders == 1  # 2 < 9 / 3; the screen-outs' short times do not count
    assert (report.straightliners, report.attention_failed) == (1, 1)
    cells = {c.cell: (c.completes, c.remaining) for c in report.cells}
    assert cells == {"young_women": (2, 38), "young_men": (0, 40), "older": (2, 58)}
    assert report.overquota == 0


def test_over_quota_counts_completes_after_the_cell_filled_in_completion_order(survey):
    data = survey.model_dump()
    data["quotas"][0]["cells"][2]["target"] = 2
    small = type(survey).model_validate(data)
    ends = ["2026-05-04T12:00:00Z", "2026-05-04T09:00:00Z", "2026-05-04T11:00:00Z",
            "2026-05-04T10:00:00Z"]
    rows = [{"respondent_id": f"r{i}", "age_band": "35_plus", "gender": "man", "buys": "yes",
             "ended_at": pd.Timestamp(end), "started_at": pd.Timestamp(end)
             - pd.Timedelta(minutes=5)} for i, end in enumerate(ends)]
    report = fieldwork_report(small, frame(small, rows))
    older = next(c for c in report.cells if c.cell == "older")
    assert (older.completes, older.target, older.remaining) == (4, 2, 0)
    assert older.percent == 200.0
    assert report.overquota == 2  # the two that ended last (r0 at 12:00, r2 at 11:00)


def test_report_without_times_says_so_and_renders_user_text_as_text(survey) -> None:
    report = fieldwork_report(survey, frame(survey, [{"respondent_id": "a",
                                                      "age_band": "u18"}]))
    assert report.median_minutes is None and report.speeders is None
    assert report.completes == 0 and report.incidence == 0.0
    page = dataclasses.replace(report, survey_version="<script>alert(1)</script>|x").to_html()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;|x" in page
    assert "n/a (no interview times)" in page
    assert "| Screen-outs | 1 |" in report.to_markdown()
    assert json.loads(json.dumps(report.to_dict()))["cells"][0]["remaining"] == 40


def test_speeders_are_relative_to_the_median_and_the_fraction_is_checked() -> None:
    minutes = np.array([9.0, 10.0, 11.0, 3.2, 2.9, np.nan])
    assert flag_speeders(minutes).tolist() == [False, False, False, False, True, False]
    assert flag_speeders(minutes, 0.5).tolist() == [False, False, False, True, True, False]
    with pytest.raises(ValueError, match="between 0 and 1"):
        flag_speeders(minutes, 1.5)


# --------------------------------------------------------------------------- simulate
def test_simulate_plants_the_incidence_exactly_and_marks_the_screen_outs(survey, planted):
    screened, _ = screenout_mask(survey, planted.responses)
    assert planted.screened_out.mean() == pytest.approx(0.45)  # 1 - incidence, exactly
    assert (screened == planted.screened_out.to_numpy()).all()
    out = planted.responses[planted.screened_out.to_numpy()]
    # the interview ended at the screening question: nothing after it was answered
    assert out[["trust_1", "price_3", "attn"]].isna().all().all()
    assert out["age_band"].notna().all()
    report = fieldwork_report(survey, planted.responses)
    assert report.incidence == pytest.approx(0.55)


def test_planted_speeders_are_recalled_by_the_speeder_rule(survey, planted) -> None:
    minutes = interview_minutes(planted.responses)
    completes = ~planted.screened_out.to_numpy()
    flagged = flag_speeders(minutes, among=completes) & completes
    truth = planted.speeders.to_numpy()
    recall = (flagged & truth).sum() / truth.sum()
    precision = (flagged & truth).sum() / flagged.sum()
    assert truth.sum() > 100
    assert recall >= 0.95 and precision >= 0.95, (recall, precision)
    median = np.median(minutes[completes])
    estimate = survey.estimated_minutes()
    assert 0.8 * estimate < median < 1.25 * estimate  # plausible lengths around the estimate


def test_simulate_without_the_new_settings_is_unchanged(survey) -> None:
    plain = simulate_with_truth(survey, 200, 3, seed=1)
    assert list(plain.responses.columns) == column_names(build_codebook(survey))
    assert plain.speeders is None


# --------------------------------------------------------------------------- scores
def test_scores_carry_interview_minutes_and_speeders_but_screen_outs_are_neither(
        survey, planted) -> None:
    result = score_responses(survey, planted.responses)
    scores = result.scores
    screened = planted.screened_out.to_numpy()
    assert not scores["speeder"].to_numpy()[screened].any()
    assert scores["speeder"].to_numpy()[~screened].sum() == result.reliability["flags"][
        "speeder"]
    assert not scores["breaks_spec"].to_numpy()[screened].any()  # required answers never reached
    np.testing.assert_allclose(scores["interview_minutes"], interview_minutes(planted.responses))


# --------------------------------------------------------------------------- command line
def test_fieldwork_command_writes_html_markdown_and_json(survey, planted, tmp_path,
                                                         capsys) -> None:
    responses = tmp_path / "kobo.csv"
    write_responses(planted.responses, survey, responses, "odk")
    back = read_responses(responses, survey)
    assert back["started_at"].notna().all()
    html_out = tmp_path / "report.html"
    assert run(["fieldwork", str(SPEC), str(responses), "--out", str(html_out)]) == 0
    page = html_out.read_text(encoding="utf-8")
    assert "<h2>Quotas</h2>" in page and "young_women" in page
    assert run(["fieldwork", str(SPEC), str(responses), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["completes"] == int((~planted.screened_out).sum())
    assert report["speeders"] >= 0.9 * planted.speeders.sum()
    assert run(["fieldwork", str(SPEC), str(responses), "--out", str(tmp_path / "r.md"),
                "--speeder-fraction", "0.25"]) == 0
    assert "Speeders (< 0.25 of the median)" in (tmp_path / "r.md").read_text("utf-8")


@pytest.mark.parametrize(("content", "fragment"), [
    ("respondent_id,age_band\nr1,u18\n", "codebook column(s) missing"),
    (None, "'teen' is not one of the options"),
    (None, "'yesterday' is not a date and time"),
])
def test_fieldwork_command_rejects_a_wrong_responses_file(survey, tmp_path, capsys,
                                                          content, fragment) -> None:
    path = tmp_path / "responses.csv"
    if content is None:
        table = simulate_with_truth(survey, 5, 2, seed=0, settings=SimulationSettings(
            interview_times=True)).responses.astype(object)
        if "teen" in fragment:
            table.loc[3, "age_band"] = "teen"
        else:
            table.loc[3, "started_at"] = "yesterday"
        table.to_csv(path, index=False)
    else:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "report.html"
    assert run(["fieldwork", str(SPEC), str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(path) in err
    if content is None:  # the row and the column are named
        assert f"{path}:5" in err and ("age_band" in err or "started_at" in err)
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_fieldwork_command_refuses_a_codebook_and_an_unknown_report_format(tmp_path, capsys):
    codebook = tmp_path / "codebook.json"
    codebook.write_text(json.dumps(build_codebook(load_survey(SPEC)).to_dict()), "utf-8")
    responses = tmp_path / "r.csv"
    responses.write_text("respondent_id\n", encoding="utf-8")
    assert run(["fieldwork", str(codebook), str(responses)]) == 2
    assert "fieldwork needs the survey spec" in capsys.readouterr().err
    assert run(["fieldwork", str(SPEC), str(responses), "--out", str(tmp_path / "r.pdf")]) == 2
    assert "use a .html, .md or .json file" in capsys.readouterr().err


def test_simulate_command_plants_and_marks_screen_outs_and_speeders(tmp_path) -> None:
    out = tmp_path / "responses.csv"
    assert run(["simulate", str(SPEC), "-n", "400", "--incidence", "0.7", "--timing",
                "--out", str(out), "-q"]) == 0
    truth = pd.read_csv(tmp_path / "responses.planted.csv")
    assert list(truth.columns) == ["respondent_id", "persona", "straightliner",
                                   "screened_out", "speeder"]
    assert truth["screened_out"].sum() == 120
    assert not (truth["screened_out"] & truth["speeder"]).any()
    assert run(["simulate", str(DATA / "survey_small.yaml"), "-n", "50", "--incidence",
                "0.5", "--out", str(tmp_path / "x.csv"), "-q"]) == 2
