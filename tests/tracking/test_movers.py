"""Joiners and leavers (``track movers``): who changed persona, checked by respondent id."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _study import build_study

from dash_personas.cli import main
from dash_personas.tracking import MOVER_COLUMNS, Study, movers


@pytest.fixture(scope="module")
def study_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_study(tmp_path_factory.mktemp("movers") / "study.db")


def test_movers_are_the_panel_respondents_whose_persona_changed(study_path: Path) -> None:
    with Study.open(study_path) as study:
        table = movers(study, "W2")
        before = study.respondents("W1").set_index("respondent_id")["segment"]
        after = study.respondents("W2").set_index("respondent_id")["segment"]
        names = study.segmentations[0].personas
    panel = before.index.intersection(after.index)
    changed = sorted(i for i in panel if before[i] != after[i])
    assert list(table.columns) == MOVER_COLUMNS
    assert sorted(table["respondent_id"]) == changed and len(changed) > 20
    assert table["respondent_id"].is_unique
    for _, row in table.iterrows():
        assert row["previous_segment"] == before[row["respondent_id"]]
        assert row["segment"] == after[row["respondent_id"]]
        assert row["previous_persona"] == names[row["previous_segment"]]
        assert row["persona"] == names[row["segment"]]
    assert set(table["previous_wave"]) == {"W1"} and set(table["wave"]) == {"W2"}


def test_first_wave_and_unknown_wave_are_refused(study_path: Path) -> None:
    from survey_builder.errors import UserError

    with Study.open(study_path) as study:
        with pytest.raises(UserError, match="first wave"):
            movers(study, "W1")
        with pytest.raises(UserError, match="no wave 'W9'"):
            movers(study, "W9")
        assert movers(study).equals(movers(study, "W3"))


def test_cli_writes_one_csv_and_counts_joiners_and_leavers(study_path, tmp_path, capsys
                                                          ) -> None:
    out = tmp_path / "movers.csv"
    with pytest.raises(SystemExit) as exit_info:
        main(["track", "movers", str(study_path), "--wave", "W2", "--out", str(out)])
    assert (exit_info.value.code or 0) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out, dtype={"respondent_id": str})
    for name in set(table["persona"]):
        assert f"{name}: {int((table['persona'] == name).sum())} joined" in printed
    with pytest.raises(SystemExit) as exit_info:
        main(["track", "movers", str(study_path), "--wave", "W1", "--out",
              str(tmp_path / "none.csv")])
    assert exit_info.value.code == 2 and not (tmp_path / "none.csv").exists()
    assert "first wave" in capsys.readouterr().err
