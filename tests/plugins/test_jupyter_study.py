"""The Jupyter plugin given a tracking study: ``show_study`` and the ``%study`` magic."""

from __future__ import annotations

import html

import pytest
from _study import EVIL, build_study
from dash_personas_jupyter import NotebookStudy, load_ipython_extension, show_study, study_html
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from dash_personas.tracking import Study


@pytest.fixture(scope="module")
def study_path(tmp_path_factory):
    return build_study(tmp_path_factory.mktemp("jupyter-study") / "study.db")


@pytest.fixture(scope="module")
def shell():
    """An in-process IPython shell (display() publishes to it; no kernel, no server)."""
    return InteractiveShell.instance()


def test_show_study_without_a_kernel_shows_the_escaped_summary(study_path, shell):
    with capture_output() as shown:
        result = show_study(study_path, mode="inline")  # no kernel here: HTML, no server
    assert isinstance(result, NotebookStudy) and result.url is None
    page = shown.outputs[0].data["text/html"]
    assert html.escape(EVIL) in page and EVIL not in page
    with Study.open(study_path) as study:
        report = study.report()
    for wave in report.waves:
        assert f">{wave.label}</th>" in page
        for share in wave.segments:
            assert f"{share.share:.1%}</td>" in page
    assert all(html.escape(a.detail) in page for a in report.alerts)
    assert "Not running in a Jupyter kernel" in page


def test_the_study_app_is_the_tracking_view(study_path, shell):
    with capture_output():
        result = show_study(study_path, mode="static")
    assert result.view.labels == ["W1", "W2", "W3"]
    layout = result.app().server.test_client().get("/_dash-layout").get_data(as_text=True)
    assert '"tracking"' in layout and "study-wave" in layout
    assert study_html(result.view) == result._repr_html_()


def test_study_magic_and_its_bad_input(study_path, tmp_path, shell):
    load_ipython_extension(shell)
    with capture_output() as shown:
        result = shell.run_line_magic("study", f"{study_path} --mode static")
    assert isinstance(result, NotebookStudy)
    assert "W3" in shown.outputs[0].data["text/html"]
    with capture_output() as shown:
        assert shell.run_line_magic("study", str(tmp_path / "nope.db")) is None
    assert "Cannot show the study" in shown.stdout and "no such study" in shown.stdout
    with capture_output() as shown:
        assert shell.run_line_magic("study", "") is None
    assert "%study STUDY" in shown.stdout
