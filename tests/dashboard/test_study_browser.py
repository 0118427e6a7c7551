"""The tracking view of a study in a real headless Chromium (dash[testing]'s dash_duo).

One page load covers the whole view (starting a server costs more than a check): the
tracking view is the front page, the timeline has a trace per persona with its interval, the
alerts of the wave are listed, changing the wave updates the cards, a Sankey between two
chosen waves shows ``study.migration``'s counts, persona text stays text, the console has
no errors, axe-core finds no serious or critical violation, and the "Personas now" page
shows the current personas.
"""

from __future__ import annotations

import time

import pytest
from _browser import axe_violations, wait_for_dash_idle, wait_until

from dash_personas.app import create_study_app
from dash_personas.tracking import Study

pytestmark = pytest.mark.browser

EVIL = "<img src=x onerror=alert(1)>"


def _wait(predicate):
    return wait_until(predicate, timeout=10.0)


def _select(dash_duo, css, value):
    """Choose ``value`` in the native <select> ``css`` as a user would."""
    from selenium.webdriver.support.ui import Select

    Select(dash_duo.find_element(css)).select_by_value(value)


def _click(driver, element):
    """Scroll ``element`` into view and click it; charts drawing can shift the page."""
    from selenium.common.exceptions import ElementClickInterceptedException

    for attempt in range(10):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        time.sleep(0.2)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == 9:
                raise


def _texts(driver, css):
    """Text of every element matching ``css`` (read in one go: re-renders replace nodes)."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", css)


def _timeline(driver):
    return driver.execute_script("""
        const el = document.querySelector('.study-timeline .js-plotly-plot');
        if (!el || !el.data) { return null; }
        return {traces: el.data.map(t => ({name: t.meta, y: t.y, plus: t.error_y.array,
                                           minus: t.error_y.arrayminus})),
                marks: (el.layout.shapes || []).filter(s => s.name === 'selected-wave')
                                               .map(s => s.x0)};
    """)


def _sankey(driver):
    return driver.execute_script("""
        const el = document.querySelector('.study-sankey .js-plotly-plot');
        if (!el || !el.data) { return null; }
        const l = el.data[0].link;
        return {source: l.source, target: l.target, value: l.value};
    """)


def test_study_dashboard_in_chromium(dash_duo, study_case):
    with Study.open(study_case) as study:
        report = study.report()
        migration = study.migration("W1", "W3")
        names = [p.name for p in sorted(study.personas(), key=lambda p: int(p.segment))]
        dash_duo.driver.set_window_size(1280, 1000)
        dash_duo.start_server(create_study_app(study))
        driver = dash_duo.driver
        dash_duo.wait_for_element(".dash-personas-trend-card")

        # the front page is the tracking view
        assert driver.execute_script(
            "return [...document.querySelectorAll('main > section')].map(s => s.id)"
        ) == ["tracking"]

        # timeline: a trace per persona, shares with their interval, the latest wave marked
        _wait(lambda: _timeline(driver))
        timeline = _timeline(driver)
        assert [t["name"] for t in timeline["traces"]] == names
        for trace, j in zip(timeline["traces"], range(len(names))):
            shares = [w.segments[j] for w in report.waves]
            assert trace["y"] == pytest.approx([s.share for s in shares], abs=1e-4)
            assert [y + p for y, p in zip(trace["y"], trace["plus"])] == pytest.approx(
                [s.ci_high for s in shares], abs=1e-4)
            assert [y - m for y, m in zip(trace["y"], trace["minus"])] == pytest.approx(
                [s.ci_low for s in shares], abs=1e-4)
        assert timeline["marks"] == ["W3"]

        # the latest wave's alerts are listed, each with its kind
        listed = driver.execute_script(
            "return [...document.querySelectorAll('.study-drift > :not([hidden]) [data-kind]')]"
            ".map(li => [li.dataset.kind, li.textContent])")
        expected = [a for a in report.alerts if a.wave == "W3"]
        assert [kind for kind, _ in listed] == [a.kind for a in expected]
        assert all(a.detail in text for (_, text), a in zip(listed, expected))
        assert "emerging" in [kind for kind, _ in listed]

        # changing the wave updates the cards, the summary and the timeline marker
        def shares():
            return [t.split(" in ")[0] for t in _texts(driver, ".study-cards .dash-personas-share")]

        w1 = [f"{report.waves[0].segments[int(p.segment)].share * 100:.1f} %"
              for p in study.personas()]  # cards in the persona set's order
        assert shares() != w1
        _select(dash_duo, ".study-wave", "W1")
        _wait(lambda: shares() == w1)
        dash_duo.wait_for_contains_text(".study-wave-summary", "Wave W1")
        _wait(lambda: _timeline(driver)["marks"] == ["W1"])
        assert _texts(driver, ".study-drift > :not([hidden]) .study-wave-alerts") == [
            "No alerts in W1: shares, fit and profiles are stable."]

        # Sankey between two chosen waves: study.migration's counts, its base in words
        _select(dash_duo, ".study-from", "W1")
        k = len(migration.personas)
        _wait(lambda: sum((_sankey(driver) or {"value": [0]})["value"]) == migration.n_panel)
        cells = _sankey(driver)
        counts = {(s, t - k): v for s, t, v in zip(cells["source"], cells["target"],
                                                   cells["value"])}
        assert counts == {(r, c): int(n) for (r, c), n in
                          ((rc, migration.counts[rc]) for rc in
                           zip(*migration.counts.nonzero()))}
        dash_duo.wait_for_contains_text(".study-migration-base",
                                        f"Base: {migration.n_panel:,} panel respondents")

        # persona text is text: the HTML-like name is shown, never run
        assert EVIL in _texts(driver, ".study-cards .dash-personas-name")
        sources = driver.execute_script(
            "return [...document.querySelectorAll('img')].map(i => i.getAttribute('src'))")
        assert "x" not in sources

        wait_for_dash_idle(driver, timeout=10.0)
        assert axe_violations(driver) == []

        # "Personas now": the current personas' gallery, then back to the tracking view
        _click(driver, dash_duo.find_element("#study-nav-personas"))
        _wait(lambda: len(dash_duo.find_elements(".dash-personas-card")) == len(names))
        assert EVIL in _texts(driver, "#personas .dash-personas-name")
        _click(driver, dash_duo.find_element("#study-nav-tracking"))
        _wait(lambda: dash_duo.find_elements(".study-cards .dash-personas-share"))
        wait_for_dash_idle(driver, timeout=10.0)
        assert dash_duo.get_logs() == []
