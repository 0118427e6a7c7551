"""The tracking view of a study without a browser: its data, figures, callbacks, CLI errors.

``study_case`` (conftest) is a SQLite study of three simulated waves: a baseline, a share
shift with a migrating panel, and an emerging persona. Its first persona is renamed to an
HTML snippet, which must stay text everywhere.
"""

from __future__ import annotations

import dataclasses
import html
import json

import numpy as np
import plotly
import pytest

from dash_personas.app import create_study_app
from dash_personas.cli import main
from dash_personas.components.tracking import card_texts, drift_panel, migration_base
from dash_personas.study_figures import WAVE_MARKER, migration_sankey, share_timeline
from dash_personas.tracking import Study
from dash_personas.tracking_view import study_view

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def study(study_case):
    with Study.open(study_case) as opened:
        yield opened


@pytest.fixture(scope="module")
def view(study):
    return study_view(study)


def test_view_holds_every_wave_alert_and_persona_colour(view, study):
    report = study.report()
    assert view.labels == [w.label for w in study.waves] == ["W1", "W2", "W3"]
    assert view.alerts == [a.to_dict() for a in report.alerts]
    assert [a["kind"] for a in view.wave("W3").alerts].count("emerging") == 1
    assert view.wave("W1").alerts == []
    assert view.colours == {p.name: p.colour for p in study.personas()}
    assert EVIL in view.colours


def test_timeline_has_a_trace_per_persona_with_its_interval(view, study):
    report = study.report().to_dict()
    fig = share_timeline(report["waves"], view.colours, selected_wave="W2")
    personas = sorted(study.personas(), key=lambda p: int(p.segment))
    assert [t.meta for t in fig.data] == [p.name for p in personas]
    assert html.escape(EVIL, quote=False) in [t.name for t in fig.data]
    for trace, persona in zip(fig.data, personas):
        assert trace.line.color == persona.colour
        assert list(trace.x) == ["W1", "W2", "W3"]
        rows = [w["segments"][int(persona.segment)] for w in report["waves"]]
        np.testing.assert_allclose(trace.y, [r["share"] for r in rows], atol=1e-5)
        np.testing.assert_allclose(np.asarray(trace.y) + trace.error_y.array,
                                   [r["ci_high"] for r in rows], atol=1e-5)
        np.testing.assert_allclose(np.asarray(trace.y) - trace.error_y.arrayminus,
                                   [r["ci_low"] for r in rows], atol=1e-5)
    marks = [s for s in fig.layout.shapes if s.name == WAVE_MARKER]
    assert len(marks) == 1 and marks[0].x0 == "W2"


def test_sankey_between_any_two_waves_counts_the_panel(view, study):
    for pair in (("W1", "W3"), ("W3", "W1"), ("W1", "W2")):
        expected = study.migration(*pair)
        assert expected.n_panel > 0
        fig = migration_sankey(view.migration(*pair), view.colours)
        sankey = fig.data[0]
        k = len(expected.personas)
        counts = np.zeros((k, len(expected.to_personas)), dtype=int)
        for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value):
            counts[s, t - k] = v
        np.testing.assert_array_equal(counts, expected.counts)
        assert f"{expected.n_panel:,} panel respondents" in fig.layout.title.text
        assert html.escape(EVIL, quote=False) in sankey.node.label


def _layout_json(app):
    return json.dumps(app.layout, cls=plotly.utils.PlotlyJSONEncoder)


def test_study_front_page_is_the_tracking_view_of_aggregates(study, view):
    app = create_study_app(view)
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert '"tracking"' in layout and '"study-nav-personas"' in layout
    ids = study.respondents("W2")["respondent_id"].astype(str)
    assert not any(f'"{i}"' in layout for i in ids[:50])
    # a 20-wave study of 100k respondents must stay under 300 KB
    # (benchmarks/bench_dashboard.py --study): this one is far smaller
    assert len(layout.encode()) < 200_000


def test_a_wave_card_says_the_wave_share_change_and_trend(study, view):
    report = study.report()
    w2 = view.wave("W2")
    for share in report.waves[1].segments:
        texts = card_texts(w2, share.segment, share.persona)
        assert texts["share"].startswith(f"{share.share * 100:.1f} % in W2 (95 % CI "
                                         f"{share.ci_low * 100:.1f} %")
        change = share.change_from_previous
        assert texts["change"].startswith(f"{change.difference * 100:+.1f} pts vs W1")
        assert ("not significant" in texts["change"]) is not change.significant
    history = {h["persona"]: h for h in dataclasses.replace(
        report, waves=report.waves[:2]).persona_history()}
    assert {name: card_texts(w2, h["segment"], name)["trend"]
            for name, h in history.items()} == {n: h["trend"] for n, h in history.items()}
    assert card_texts(view.wave("W1"), 0, report.waves[0].segments[0].persona)["change"] == ""


def test_the_drift_panel_lists_the_wave_alerts(view):
    w3 = view.wave("W3")
    text = json.dumps(drift_panel(w3), cls=plotly.utils.PlotlyJSONEncoder)
    assert w3.alerts and all(json.dumps(a["detail"])[1:-1] in text for a in w3.alerts)
    baseline = json.dumps(drift_panel(view.wave("W1")), cls=plotly.utils.PlotlyJSONEncoder)
    assert "No alerts in W1" in baseline and "W1 is the baseline" in baseline


def test_the_migration_base_is_the_panel_in_words(study, view):
    migration = study.migration("W1", "W3")
    text = json.dumps(migration_base(view.migration("W1", "W3")),
                      cls=plotly.utils.PlotlyJSONEncoder)
    assert (f"Base: {migration.n_panel:,} panel respondents seen in both W1 and W3; "
            f"{migration.stayers:,}") in text
    assert all(flow["text"] in text for flow in migration.flows)


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code, capsys.readouterr()


@pytest.mark.parametrize("case", ["not a study", "unknown path", "unreachable URL",
                                  "with --personas"])
def test_serve_study_bad_input_is_one_line_exit_2(case, tmp_path, capsys, study_case):
    not_a_study = tmp_path / "notes.db"
    not_a_study.write_text("just text")
    argv, words = {
        "not a study": (["--study", str(not_a_study)], "not a dash-personas study"),
        "unknown path": (["--study", str(tmp_path / "nope.db")], "no such study"),
        "unreachable URL": (["--study", "postgresql+psycopg://u@127.0.0.1:9/db",
                             "--port", "8999"], "cannot reach"),
        "with --personas": (["--study", str(study_case), "--personas", "p.json"],
                            "leave out --personas"),
    }[case]
    code, captured = _run(["serve", *argv], capsys)
    assert code == 2
    assert captured.err.strip().count("\n") == 0 and words in captured.err
    assert "Traceback" not in captured.err


def test_serve_needs_personas_or_a_study(capsys):
    code, captured = _run(["serve"], capsys)
    assert code == 2 and "--study STUDY" in captured.err
