"""Numbers people read: never scientific notation where a reader looks (issue 13: CLV
printed as "1.88e+03"), on the dashboard, the persona sheet and the analyst's tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from dash_personas.stats import format_p_value

#: A number in scientific notation inside a text ("1.88e+03", "8.15e-261", "2E+05"; not
#: a colour such as "#56B4E9").
SCIENTIFIC = re.compile(r"(?<![\w#.])\d+(?:\.\d+)?[eE][+-]\d+")


def _texts(node):
    """Every string of a Dash layout / figure JSON tree (numbers are data, not text)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)
    elif isinstance(node, str) and not node.startswith("data:"):  # avatars: base64 SVG
        yield node


def test_the_pattern_finds_scientific_notation_and_nothing_else():
    assert SCIENTIFIC.findall("CLV 1.88e+03 EUR, p = 8.15e-261, 2E+05") == [
        "1.88e+03", "8.15e-261", "2E+05"]
    assert SCIENTIFIC.findall("#56B4E9 #009E73 1,880 EUR p < 0.001 rgb(1,2,3)") == []


@pytest.mark.parametrize(("p", "text"), [(8.15e-261, "p < 0.001"), (0.0, "p < 0.001"),
                                         (0.000999, "p < 0.001"), (0.001, "p = 0.001"),
                                         (0.04234, "p = 0.042"), (1.0, "p = 1.000")])
def test_p_values_read_as_reports_print_them(p, text):
    assert format_p_value(p) == text


def test_the_dashboard_shows_no_scientific_notation(survey_case):
    from dash_personas.app import create_app

    personas = survey_case.personas
    # the case the issue saw: amounts in the thousands and p-values far below 0.001
    assert max(p.behaviour.clv for p in personas) > 1000
    assert min(d.p_adjusted for p in personas for d in p.profile) < 1e-10
    app = create_app(personas, survey_case.scores)
    layout = app.server.test_client().get("/_dash-layout").get_json()
    texts = list(_texts(layout))
    assert any("p < 0.001" in t for t in texts)  # the heatmap's hover
    assert [t for t in texts if SCIENTIFIC.search(t)] == []


def test_the_persona_sheet_shows_no_scientific_notation(survey_case):
    from dash_personas.export import persona_sheet_html

    sheet = persona_sheet_html(survey_case.personas)
    assert "CLV" in sheet
    assert SCIENTIFIC.findall(sheet.replace("svg+xml", "")) == []


def test_segment_profiles_print_amounts_in_full():
    """``dash-personas segment`` prints ``profiles.table()``: a CLV mean of 10,200 was
    "1.02e+04" there, and in the drivers' descriptions."""
    from dash_personas.segmentation import profile_segments

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    frame = pd.DataFrame({"clv": np.r_[rng.normal(10_200, 500, 200),
                                       rng.normal(250_000, 9_000, 200)],
                          "tiny": rng.normal(0.0004, 0.0001, 400)})
    profiles = profile_segments(frame, labels)
    table = profiles.table().to_string()
    assert re.search(r"\b10,\d{3} \(", table) and re.search(r"\b2\d\d,\d{3} \(", table)
    assert SCIENTIFIC.findall(table) == []
    descriptions = " ".join(profiles.drivers["description"].astype(str))
    assert "vs" in descriptions and SCIENTIFIC.findall(descriptions) == []
