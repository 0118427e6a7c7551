"""The compact quota grid: expanded into the ordinary cells (exported, enforced and reported
like them), every mistake located as ``file:line field``, and the fieldwork report's table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_fieldwork_exports import GRIDS, ROOT, drive

from survey_builder.cli import main
from survey_builder.codebook import build_codebook, column_names
from survey_builder.errors import SurveyError
from survey_builder.exporters import surveyjs
from survey_builder.fieldwork import fieldwork_report
from survey_builder.spec import grid_targets, load_survey, survey_from_dict, survey_to_dict

DATA = Path(__file__).parent / "data"
SPEC = (DATA / "survey_fieldwork.yaml").read_text(encoding="utf-8")
CELLS = SPEC[SPEC.index("  - name: age_gender"):SPEC.index("sections:")]
GRID = """\
  - name: age_gender
    grid:
      rows: {question: age_band, levels: [18_34, 35_plus]}
      columns: {question: gender, levels: [woman, man]}
      targets: [[40, 40], [30, 30]]
"""


def write(tmp_path: Path, quotas: str, name: str = "survey.yaml") -> tuple[Path, str]:
    text = SPEC.replace(CELLS, quotas)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


def line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if needle in line)


def frame(survey, rows: list[dict]) -> pd.DataFrame:
    columns = column_names(build_codebook(survey))
    table = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows])
    return table.astype(object).where(table.notna(), None)


@pytest.fixture
def survey(tmp_path: Path):
    return load_survey(write(tmp_path, GRID)[0])


def test_a_grid_is_expanded_into_cells_and_written_back_as_the_grid(survey) -> None:
    [quota] = survey.quotas
    assert [(c.name, c.when, c.target) for c in quota.cells] == [
        ("age_gender_18_34_woman", "${age_band} = '18_34' and ${gender} = 'woman'", 40),
        ("age_gender_18_34_man", "${age_band} = '18_34' and ${gender} = 'man'", 40),
        ("age_gender_35_plus_woman", "${age_band} = '35_plus' and ${gender} = 'woman'", 30),
        ("age_gender_35_plus_man", "${age_band} = '35_plus' and ${gender} = 'man'", 30)]
    data = survey_to_dict(survey)
    assert "cells" not in data["quotas"][0] and data["quotas"][0]["grid"]["targets"][1] == [
        30, 30]
    assert survey_from_dict(data) == survey


def test_total_and_shares_split_by_largest_remainders(tmp_path: Path) -> None:
    quotas = GRID.replace("levels: [18_34, 35_plus]}", "levels: [18_34, 35_plus], "
                          "shares: [0.4, 0.6]}").replace(
        "levels: [woman, man]}", "levels: [woman, man], shares: [0.5, 0.5]}").replace(
        "targets: [[40, 40], [30, 30]]", "total: 101")
    survey = load_survey(write(tmp_path, quotas)[0])
    # 101 x 0.4 x 0.5 = 20.2 and 101 x 0.6 x 0.5 = 30.3: floors 20, 20, 30, 30 leave one
    # complete, which goes to the largest remainder (the first 30.3)
    assert grid_targets(survey.quotas[0].grid) == [[20, 20], [31, 30]]
    assert sum(c.target for c in survey.quotas[0].cells) == 101


def test_a_grid_without_columns_takes_a_plain_list(tmp_path: Path) -> None:
    quotas = """\
  - name: age
    grid:
      rows: {question: age_band, levels: [18_34, 35_plus]}
      targets: [80, 60]
"""
    survey = load_survey(write(tmp_path, quotas)[0])
    assert [(c.name, c.when, c.target) for c in survey.quotas[0].cells] == [
        ("age_18_34", "${age_band} = '18_34'", 80), ("age_35_plus", "${age_band} = '35_plus'",
                                                       60)]


def test_grid_cells_count_and_overflow_like_written_out_cells(survey, tmp_path) -> None:
    cells_survey = load_survey(write(tmp_path, CELLS.replace(
        "      - {name: older, when: \"${age_band} = '35_plus'\", target: 60}\n",
        "      - {name: older_w, when: \"${age_band} = '35_plus' and ${gender} = 'woman'\", "
        "target: 30}\n      - {name: older_m, when: \"${age_band} = '35_plus' and "
        "${gender} = 'man'\", target: 30}\n"), "cells.yaml")[0])
    rows = ([{"age_band": "18_34", "gender": "woman", "buys": "yes"}] * 3
            + [{"age_band": "35_plus", "gender": "man", "buys": "yes"}] * 33
            + [{"age_band": "35_plus", "gender": "woman", "buys": "no"}] * 5)  # screened out
    rows = [{"respondent_id": f"r{i}", **row} for i, row in enumerate(rows)]
    grid = fieldwork_report(survey, frame(survey, rows))
    cells = fieldwork_report(cells_survey, frame(cells_survey, rows))
    assert [(c.completes, c.target) for c in grid.cells] == [
        (c.completes, c.target) for c in cells.cells] == [(3, 40), (0, 40), (0, 30), (33, 30)]
    assert grid.overquota == cells.overquota == 3
    [table] = grid.grids
    assert (table.completes, table.targets) == ([[3, 0], [0, 33]], [[40, 40], [30, 30]])
    assert table.table() == [
        ["age_band \\ gender", "woman", "man", "total"],
        ["18_34", "3 / 40", "0 / 40", "3 / 80"],
        ["35_plus", "0 / 30", "33 / 30", "33 / 60"],
        ["total", "3 / 70", "33 / 70", "36 / 140"]]
    markdown = grid.to_markdown()
    assert "### age_gender (completes / target)" in markdown
    assert "| 35_plus | 0 / 30 | 33 / 30 | 33 / 60 |" in markdown
    page = grid.to_html()
    assert "<th scope='row'>35_plus</th><td>0 / 30</td><td>33 / 30</td>" in page
    data = json.loads(json.dumps(grid.to_dict()))
    assert data["grids"][0]["completes"] == [[3, 0], [0, 33]]
    assert data["grids"][0]["columns"] == {"question": "gender", "levels": ["woman", "man"]}


def test_the_cli_report_shows_the_grid_in_text_and_json(survey, tmp_path, capsys) -> None:
    spec, _ = write(tmp_path, GRID)
    responses = tmp_path / "responses.csv"
    rows = [{"respondent_id": "a", "age_band": "18_34", "gender": "man", "buys": "yes"}]
    frame(survey, rows).to_csv(responses, index=False)
    with pytest.raises(SystemExit) as done:
        main(["fieldwork", str(spec), str(responses)])
    assert done.value.code in (0, None)
    assert "| 18_34 | 0 / 40 | 1 / 40 | 1 / 80 |" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["fieldwork", str(spec), str(responses), "--json"])
    grids = json.loads(capsys.readouterr().out)["grids"]
    assert grids[0]["quota"] == "age_gender" and grids[0]["completes"][0] == [0, 1]


def test_survey_core_sends_a_respondent_of_a_full_grid_cell_to_the_overquota_url(
        survey, tmp_path: Path) -> None:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "survey-core").is_dir():
        pytest.fail("node and node_modules/survey-core are needed: run `npm ci --no-audit "
                    "--no-fund` in the repository root (`make test` does it)")
    assert surveyjs.host_variables(survey)[1:] == [
        "completes_age_gender_18_34_woman", "completes_age_gender_18_34_man",
        "completes_age_gender_35_plus_woman", "completes_age_gender_35_plus_man"]
    form = surveyjs.export(survey, tmp_path)[0]
    older = {"age_band": "35_plus", "gender": "man", "buys": "yes", **GRIDS, "attn": "agree"}
    full = {"completes_age_gender_35_plus_man": 30}
    runs = drive(form, [{"answers": older, "variables": {"rid": "A", **full}},
                        {"answers": {**older, "gender": "woman"},
                         "variables": {"rid": "B", **full}}], tmp_path)
    base = "https://panel.example.com/end?status="
    assert [r["url"] for r in runs] == [f"{base}overquota&rid=A", f"{base}complete&rid=B"]


G = "      rows: {question: age_band, levels: [18_34, 35_plus]}"
C = "      columns: {question: gender, levels: [woman, man]}"
T = "      targets: [[40, 40], [30, 30]]"
ERRORS = [
    ("unknown-question", G, G.replace("age_band", "age_bnd"), "age_bnd",
     "quotas[0].grid.rows.question", "unknown question 'age_bnd' (did you mean 'age_band'?)"),
    ("not-single-choice", C, C.replace("gender", "comment"), "comment",
     "quotas[0].grid.columns.question", "splits on a single-choice question; 'comment' is text"),
    ("unknown-level", C, C.replace("man]", "men]"), "men]",
     "quotas[0].grid.columns.levels[1]", "'men' is not an option of 'gender' (options: woman, "
                                         "man)"),
    ("level-twice", G, G.replace("35_plus]", "18_34]"), "[18_34, 18_34]",
     "quotas[0].grid.rows.levels[1]", "level '18_34' is listed twice"),
    ("same-question", C, G.replace("rows", "columns"), "columns: {question: age_band",
     "quotas[0].grid.columns.question", "rows and columns split on the same question"),
    ("rows-of-targets", T, "      targets: [[40, 40]]", "targets: [[40, 40]]",
     "quotas[0].grid.targets", "1 row(s) of targets for 2 level(s) of 'age_band'"),
    ("columns-of-targets", T, "      targets: [[40, 40], [30]]", "targets: [[40, 40], [30]]",
     "quotas[0].grid.targets[1]", "1 target(s) for 2 column(s) of 'gender'"),
    ("negative-target", T, "      targets: [[40, 40], [-3, 30]]", "targets: [[40",
     "quotas[0].grid.targets[1][0]", "target must be at least 1, not -3"),
    ("zero-target", T, "      targets: [[40, 0], [3, 30]]", "targets: [[40",
     "quotas[0].grid.targets[0][1]", "target must be at least 1, not 0"),
    ("text-target", T, "      targets: [[40, many], [3, 30]]", "targets: [[40",
     "quotas[0].grid.targets[0][1]", "valid integer"),
    ("neither", T, "", "grid:", "quotas[0].grid", "needs either targets (one per cell) or a "
                                                  "total with shares per level, not neither"),
    ("both", T, T + "\n      total: 100", "grid:", "quotas[0].grid", "not both"),
    ("total-without-shares", T, "      total: 100", "rows: {", "quotas[0].grid.rows",
     "a total needs shares: one per level of 'age_band'"),
    ("shares-without-total", G, G.replace("]}", "], shares: [0.5, 0.5]}"), "shares",
     "quotas[0].grid.rows.shares", "shares split a total"),
    ("shares-sum", G + "\n" + C + "\n" + T,
     G.replace("]}", "], shares: [0.5, 0.4]}") + "\n" + C.replace(
         "]}", "], shares: [0.5, 0.5]}") + "\n      total: 100", "[0.5, 0.4]",
     "quotas[0].grid.rows.shares", "shares must sum to 1, not 0.9"),
    ("shares-length", G + "\n" + C + "\n" + T,
     G.replace("]}", "], shares: [1.0]}") + "\n" + C.replace(
         "]}", "], shares: [0.5, 0.5]}") + "\n      total: 100", "[1.0]",
     "quotas[0].grid.rows.shares", "1 share(s) for 2 level(s)"),
    ("total-too-small", G + "\n" + C + "\n" + T,
     G.replace("]}", "], shares: [0.9, 0.1]}") + "\n" + C.replace(
         "]}", "], shares: [0.5, 0.5]}") + "\n      total: 4", "total: 4",
     "quotas[0].grid.total", "total 4 leaves 2 cell(s) without a complete (first: 35_plus × "
                             "woman)"),
    ("unknown-key", C, C + "\n      target: 5", "target: 5", "quotas[0].grid.target",
     "unknown field 'target'"),
]


@pytest.mark.parametrize(("old", "new", "needle", "field", "fragment"),
                         [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_grid_mistakes_name_file_line_and_field(tmp_path: Path, old: str, new: str,
                                                needle: str, field: str, fragment: str) -> None:
    assert GRID.count(old) == 1, old
    path, text = write(tmp_path, GRID.replace(old, new))
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    err = info.value
    assert (err.file, err.field) == (str(path), field), str(err)
    assert fragment in err.message, err.message
    assert err.line == line_of(text, needle)


def test_a_quota_with_both_forms_or_a_clashing_cell_name_is_refused(tmp_path: Path) -> None:
    both = GRID + "    cells:\n      - {name: x, when: \"${age_band} = '18_34'\", target: 5}\n"
    path, text = write(tmp_path, both)
    with pytest.raises(SurveyError, match="either cells or a grid, not both") as info:
        load_survey(path)
    assert (info.value.field, info.value.line) == ("quotas[0].cells", line_of(text, "cells:"))
    clash = GRID + ("  - name: more\n    cells:\n      - {name: age_gender_18_34_man, when: "
                    "\"${buys} = 'yes'\", target: 5}\n")
    path, text = write(tmp_path, clash)
    with pytest.raises(SurveyError, match="duplicate quota cell name 'age_gender_18_34_man'"):
        load_survey(path)
    first = clash[len(GRID):] + GRID  # the written-out cell first: the grid's is the clash
    path, text = write(tmp_path, first)
    with pytest.raises(SurveyError, match="the grid's cell 'age_gender_18_34_man' has the "
                                          "name of another quota cell") as info:
        load_survey(path)
    assert (info.value.field, info.value.line) == ("quotas[1].grid", line_of(text, "grid:"))
    path, _ = write(tmp_path, "  - name: empty\n")
    with pytest.raises(SurveyError, match="a quota needs cells or a grid") as info:
        load_survey(path)
    assert info.value.field == "quotas[0]"


def test_validate_lists_every_grid_mistake_one_line_each(tmp_path: Path, capsys) -> None:
    path, _ = write(tmp_path, GRID.replace("age_band", "age_bnd").replace(
        "[30, 30]]", "[30, -1]]"))
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if str(path) in line]
    assert any("quotas[0].grid.rows.question: unknown question" in line for line in lines)
    assert any("quotas[0].grid.targets[1][1]: target must be at least 1" in line
               for line in lines)
