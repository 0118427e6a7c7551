"""The clientside functions Dash writes into the page are compacted (compact_js)."""

from __future__ import annotations

from dash_personas.app import create_app
from dash_personas.components.callbacks import compact_js


def test_compact_js_drops_indentation_blank_lines_and_comment_lines_only():
    source = """
    function(a) {
        // a comment line
        const url = 'http://example.org/x';  // a trailing comment stays

        return a + 1;
    }
    """
    assert compact_js(source) == ("function(a) {\nconst url = 'http://example.org/x';  "
                                  "// a trailing comment stays\nreturn a + 1;\n}")


def test_the_dashboard_page_carries_compact_functions(survey_case):
    page = create_app(survey_case.personas, survey_case.scores).server.test_client().get(
        "/").get_data(as_text=True)
    assert "window.history.pushState" in page and "dp.showSelection" in page
    assert "// the page first" not in page
    assert "\n        const" not in page  # no indented code line
