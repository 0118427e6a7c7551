"""A study's "Personas now" page in a real headless Chromium: any wave, a numeric range.

One page load (starting a server costs more than a check): the page opens on the latest
wave; choosing a wave and typing a range recomputes the cards and charts from that
wave's stored rows (checked against ``Study.wave_data``), the URL keeps the view and a
copied link restores it, a bad link part is ignored with a note; no console error, and
axe-core finds no serious or critical violation with the range boxes open.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from _browser import axe_violations, console_errors, wait_for_dash_idle, wait_until

from dash_personas.app import create_study_app
from dash_personas.tracking import Study

pytestmark = pytest.mark.browser

_CHARTS_JS = """
return [...document.querySelectorAll('#compare .js-plotly-plot')].map(el => JSON.stringify(
    (el.data || []).map(t => [t.x, t.y, t.z, t.r, t.text])));
"""
_BOX_JS = """
return [...document.querySelectorAll('input[type=number]')].find(i => {
    const id = JSON.parse(i.id);
    return id.column === arguments[0] && id.bound === arguments[1];
});
"""


def _wait(predicate):
    return wait_until(predicate, timeout=30.0)  # a loaded CI machine


def _query(driver):
    return parse_qs(urlsplit(driver.current_url).query)


def _sizes(driver):
    """Each card's size, e.g. "144 respondents" of "18% · 144 respondents" (read in one go)."""
    return driver.execute_script(
        "return [...document.querySelectorAll('#personas .dash-personas-card .badge')]"
        ".filter(b => !b.classList.contains('dash-personas-base'))"
        ".map(b => b.textContent.split(' · ').pop())")


def _type(driver, column, bound, value):
    """Type ``value`` in a range box and leave it (Enter), as a keyboard user does."""
    from selenium.webdriver.common.keys import Keys

    box = driver.execute_script(_BOX_JS, column, bound)
    driver.execute_script("arguments[0].closest('details').open = true;"
                          "arguments[0].scrollIntoView({block: 'center'})", box)
    box.clear()
    box.send_keys(str(value), Keys.ENTER)


def test_a_wave_and_a_numeric_range_on_the_personas_page(dash_duo, study_case):
    from selenium.webdriver.support.ui import Select

    with Study.open(study_case) as study:
        w1, w3 = study.wave_data("W1"), study.wave_data("W3")
        personas = study.personas()
    spend = w1.frame["avg_spend"].to_numpy()
    low, high = (float(v) for v in np.round(np.quantile(spend, [0.2, 0.7])))
    kept = (spend >= low) & (spend <= high)

    def expected_sizes(segments):
        return [f"{int((segments == int(p.segment)).sum()):,} respondents" for p in personas]

    dash_duo.driver.set_window_size(1280, 1000)
    dash_duo.start_server(create_study_app(study_case))
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + "/personas")
    dash_duo.wait_for_element("#personas .dash-personas-card", timeout=30)
    # the latest wave first, its sizes counted from its stored assignment
    _wait(lambda: _sizes(driver) == expected_sizes(w3.segment))
    dash_duo.wait_for_contains_text("[data-view-note=wave]", "Wave W3: 600 respondents")
    _wait(lambda: len(dash_duo.find_elements("#compare .js-plotly-plot")) >= 4)
    wait_for_dash_idle(driver, 30.0)
    charts = driver.execute_script(_CHARTS_JS)

    Select(dash_duo.find_element("#view-wave")).select_by_value("W1")
    _wait(lambda: _query(driver).get("wave") == ["W1"])
    _wait(lambda: _sizes(driver) == expected_sizes(w1.segment))
    wait_for_dash_idle(driver, 30.0)
    w1_charts = driver.execute_script(_CHARTS_JS)
    assert w1_charts != charts

    _type(driver, "avg_spend", "from", f"{low:g}")
    _type(driver, "avg_spend", "to", f"{high:g}")
    _wait(lambda: _query(driver).get("f.avg_spend") == [f"{low:g}..{high:g}"])
    _wait(lambda: _sizes(driver) == expected_sizes(w1.segment[kept]))
    dash_duo.wait_for_contains_text(
        "[data-view-note=filtered]", f"Wave W1: {int(kept.sum()):,} of 600 respondents")
    wait_for_dash_idle(driver, 30.0)
    filtered = driver.execute_script(_CHARTS_JS)
    assert all(a != b for a, b in zip(filtered, w1_charts)), "a chart kept its numbers"
    assert axe_violations(driver) == []  # the range boxes are open

    # a copied link opens the same view: wave chosen, boxes filled, same numbers
    link = driver.current_url
    driver.get(link)
    dash_duo.wait_for_element("[data-view-note=filtered]", timeout=30)
    _wait(lambda: _sizes(driver) == expected_sizes(w1.segment[kept]))
    assert Select(dash_duo.find_element("#view-wave")).first_selected_option.text == "W1"
    assert [driver.execute_script(_BOX_JS, "avg_spend", b).get_attribute("value")
            for b in ("from", "to")] == [f"{low:g}", f"{high:g}"]

    # a bad range and an unknown wave: ignored with a note, never a server error
    driver.get(dash_duo.server_url + "/personas?wave=W9&f.avg_spend=cheap..&f.gender=Woman")
    note = dash_duo.wait_for_element("[data-view-note=ignored]", timeout=30)
    assert "'W9'" in note.text and "'cheap..' is not a range" in note.text
    _wait(lambda: _query(driver) == {"f.gender": ["Woman"]})
    wait_for_dash_idle(driver, 30.0)
    assert console_errors(driver) == []
