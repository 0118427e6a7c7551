"""Filters and the view in the URL, in a real headless Chromium (dash[testing]'s dash_duo)."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from _browser import wait_for_dash_idle, wait_until

from dash_personas.app import create_app

pytestmark = pytest.mark.browser

# every chart of the comparison section: what it plots, trace by trace
_CHARTS_JS = """
return [...document.querySelectorAll('#compare .js-plotly-plot')].map(el => JSON.stringify(
    (el.data || []).map(t => [t.x, t.y, t.z, t.r, t.text])));
"""


def _cards(dash_duo):
    return [card.text for card in dash_duo.find_elements(".dash-personas-card")]


def _query(dash_duo):
    return parse_qs(urlsplit(dash_duo.driver.current_url).query)


def _wait(predicate):
    return wait_until(predicate, timeout=30.0)  # a loaded CI machine


def _click(dash_duo, element):
    """Scroll ``element`` to the middle of the window and click it like a user."""
    from selenium.common.exceptions import ElementClickInterceptedException

    for attempt in range(10):  # charts render asynchronously and can shift the page
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})",
                                       element)
        time.sleep(0.2)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == 9:
                raise


def _tick(dash_duo, key, value):
    """Open the checklist ``key`` (a column, or ``question:...``) and tick ``value``."""
    box = dash_duo.driver.execute_script("""
        const [key, value] = arguments;
        for (const holder of document.querySelectorAll('[id]')) {
            let id = null;
            try { id = JSON.parse(holder.id); } catch (e) { continue; }
            if (id && (id.column === key || (key.endsWith(':') && String(id.column)
                    .startsWith(key)))) {
                holder.closest('details').open = true;
                return [...holder.querySelectorAll('input')].find(i => i.value === value);
            }
        }
        return null;
    """, key, value)
    _click(dash_duo, box)


def test_a_filter_changes_every_number_and_the_url_keeps_the_view(dash_duo, survey_case):
    app = create_app(survey_case.personas, survey_case.scores)
    dash_duo.start_server(app)
    dash_duo.wait_for_element(".dash-personas-card")
    _wait(lambda: len(dash_duo.find_elements("#compare .js-plotly-plot")) >= 6)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    cards, charts = _cards(dash_duo), dash_duo.driver.execute_script(_CHARTS_JS)
    table = dash_duo.find_element("#profiles table").text
    assert _query(dash_duo) == {}

    _tick(dash_duo, "gender", "Woman")
    _wait(lambda: _query(dash_duo).get("f.gender") == ["Woman"])
    # the options of a multiple-choice question: one checklist, a box per option
    _tick(dash_duo, "question:", "channels__store")
    _wait(lambda: _query(dash_duo).get("f.channels__store") == ["1"])
    scores = survey_case.scores
    kept = int(((scores["gender"] == "Woman") & (scores["channels__store"] == 1)).sum())
    _wait(lambda: f"{kept:,} of {len(scores):,} respondents" in dash_duo.find_element(
        "[data-view-note=filtered]").text)
    _wait(lambda: _cards(dash_duo) != cards)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    filtered_cards = _cards(dash_duo)
    after = dash_duo.driver.execute_script(_CHARTS_JS)
    assert len(after) == len(charts) >= 6
    assert all(a != b for a, b in zip(after, charts)), "a chart kept the unfiltered numbers"
    assert all(a != b for a, b in zip(filtered_cards, cards)), "a card kept its numbers"
    assert dash_duo.find_element("#profiles table").text != table

    _click(dash_duo, dash_duo.find_elements(".dash-personas-select")[1])
    second = survey_case.personas[1].id
    _wait(lambda: _query(dash_duo).get("persona") == [second])
    wait_for_dash_idle(dash_duo.driver, 30.0)
    filtered_cards = _cards(dash_duo)
    link = dash_duo.driver.current_url

    # a copied link opens the same view
    dash_duo.driver.get(link)
    dash_duo.wait_for_element("[data-view-note=filtered]", timeout=30)
    _wait(lambda: _cards(dash_duo) == filtered_cards)
    checked = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('.dash-personas-filter input:checked')]"
        ".map(i => i.value)")
    assert checked == ["Woman", "channels__store"]
    selected = dash_duo.find_elements(".dash-personas-selected")
    assert len(selected) == 1 and survey_case.personas[1].name in selected[0].text
    assert _query(dash_duo) == {"persona": [second], "f.gender": ["Woman"],
                                "f.channels__store": ["1"]}
    assert dash_duo.get_logs() == []


def test_unknown_parts_of_a_link_are_ignored_with_a_note(dash_duo, survey_case):
    app = create_app(survey_case.personas, survey_case.scores)
    dash_duo.start_server(app)
    dash_duo.wait_for_element(".dash-personas-card")
    dash_duo.driver.get(dash_duo.server_url + "/?f.planet=Mars&f.gender=Martian"
                        "&f.region=North&persona=p99")
    note = dash_duo.wait_for_element("[data-view-note=ignored]", timeout=30)
    for part in ("planet", "Martian", "p99"):
        assert part in note.text
    dash_duo.wait_for_element("[data-view-note=filtered]", timeout=30)
    _wait(lambda: _query(dash_duo) == {"f.region": ["North"]})
    time.sleep(0.2)
    assert json.dumps(dash_duo.get_logs()) == "[]"


def test_back_after_a_filter_shows_the_first_numbers_again(dash_duo, survey_case):
    """After a filter and Back (the section of every respondent sent again), every
    card, chart and table cell is the first one."""
    app = create_app(survey_case.personas, survey_case.scores)
    dash_duo.start_server(app)
    dash_duo.wait_for_element(".dash-personas-card")
    _wait(lambda: len(dash_duo.find_elements("#compare .js-plotly-plot")) >= 6)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    first = (_cards(dash_duo), dash_duo.driver.execute_script(_CHARTS_JS),
             dash_duo.find_element("#profiles table").text)

    _tick(dash_duo, "gender", "Woman")
    _wait(lambda: dash_duo.find_elements("[data-view-note=filtered]"))
    _wait(lambda: _cards(dash_duo) != first[0])
    wait_for_dash_idle(dash_duo.driver, 30.0)
    dash_duo.driver.back()
    _wait(lambda: not dash_duo.find_elements("[data-view-note=filtered]"))
    _wait(lambda: _cards(dash_duo) == first[0])
    wait_for_dash_idle(dash_duo.driver, 30.0)
    assert dash_duo.driver.execute_script(_CHARTS_JS) == first[1]
    assert dash_duo.find_element("#profiles table").text == first[2]
    assert _query(dash_duo) == {}
    assert dash_duo.get_logs() == []


_PANEL_JS = """
const panel = document.querySelector('.dash-personas-filters > details');
const card = document.querySelector('.dash-personas-card');
return [panel.open, panel.querySelector('summary').textContent,
        card.getBoundingClientRect().top, window.innerHeight];
"""


def test_on_a_phone_the_filter_panel_is_one_line_that_counts_the_active_filters(
        dash_duo, survey_case):
    from selenium.webdriver.common.keys import Keys

    app = create_app(survey_case.personas, survey_case.scores)
    dash_duo.start_server(app)
    dash_duo.wait_for_element(".dash-personas-card")
    assert dash_duo.driver.execute_script(_PANEL_JS)[0] is True  # open on a desktop
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.driver.refresh()
    dash_duo.wait_for_element(".dash-personas-card")
    wait_for_dash_idle(dash_duo.driver, 30.0)
    _wait(lambda: dash_duo.driver.execute_script(_PANEL_JS)[0] is False)
    _, summary, card_top, height = dash_duo.driver.execute_script(_PANEL_JS)
    assert summary == "Filter respondents (0 active)"
    assert card_top < height  # the first persona is on the first screen
    # a keyboard opens it (a native <details>: its summary is a focusable button)
    toggle = dash_duo.find_element(".dash-personas-filters > details > summary")
    dash_duo.driver.execute_script("arguments[0].focus()", toggle)
    toggle.send_keys(Keys.ENTER)
    _wait(lambda: dash_duo.driver.execute_script(_PANEL_JS)[0] is True)
    _tick(dash_duo, "gender", "Woman")
    _wait(lambda: dash_duo.driver.execute_script(_PANEL_JS)[1]
          == "Filter respondents (1 active)")
    assert dash_duo.get_logs() == []
