"""A persona selection stays in the browser: no server round trip, the URL written there."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from _browser import wait_for_dash_idle, wait_until

from dash_personas.app import create_app

pytestmark = pytest.mark.browser

_UPDATES_JS = """
return performance.getEntriesByType('resource')
    .filter(e => e.name.includes('_dash-update-component')).length;
"""

_TICK_JS = """
for (const holder of document.querySelectorAll('.dash-personas-filter [id]')) {
    let id = null;
    try { id = JSON.parse(holder.id); } catch (e) { continue; }
    if (id && id.column === arguments[0]) {
        holder.closest('details').open = true;
        [...holder.querySelectorAll('input')].find(i => i.value === arguments[1]).click();
    }
}
"""


def _query(dash_duo):
    return parse_qs(urlsplit(dash_duo.driver.current_url).query)


def _select(dash_duo, index):
    dash_duo.driver.execute_script(
        "document.querySelectorAll('.dash-personas-select')[arguments[0]].click()", index)


def _selected(dash_duo):
    return [card.text for card in dash_duo.find_elements(".dash-personas-selected")]


def test_a_selection_writes_the_url_without_a_server_callback(dash_duo, survey_case):
    dash_duo.start_server(create_app(survey_case.personas, survey_case.scores))
    dash_duo.wait_for_element(".dash-personas-card")
    wait_until(lambda: len(dash_duo.find_elements("#compare .js-plotly-plot")) >= 6, 30.0)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    history = dash_duo.driver.execute_script("return history.length")
    before = dash_duo.driver.execute_script(_UPDATES_JS)
    assert before >= 1  # the page's own view callback did reach the server

    second, third = survey_case.personas[1], survey_case.personas[2]
    _select(dash_duo, 1)
    wait_until(lambda: _query(dash_duo) == {"persona": [second.id]}, 30.0)
    _select(dash_duo, 2)
    wait_until(lambda: _query(dash_duo) == {"persona": [third.id]}, 30.0)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    assert dash_duo.driver.execute_script(_UPDATES_JS) == before
    # replaced, not pushed: Back leaves the page instead of stepping through selections
    assert dash_duo.driver.execute_script("return history.length") == history

    # a filter change (a server callback) keeps the persona chosen in the browser
    dash_duo.driver.execute_script(_TICK_JS, "gender", "Woman")
    wait_until(lambda: _query(dash_duo) == {"persona": [third.id], "f.gender": ["Woman"]}, 30.0)
    wait_until(lambda: dash_duo.find_elements("[data-view-note=filtered]"), 30.0)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    assert len(_selected(dash_duo)) == 1 and third.name in _selected(dash_duo)[0]
    assert dash_duo.driver.execute_script("return history.length") == history + 1

    # clearing the selection drops it from the URL, the filter stays
    _select(dash_duo, 2)
    wait_until(lambda: _query(dash_duo) == {"f.gender": ["Woman"]}, 30.0)
    wait_until(lambda: not _selected(dash_duo), 30.0)

    # Back returns to the unfiltered view with the persona selected before the filter
    dash_duo.driver.back()
    wait_until(lambda: _query(dash_duo) == {"persona": [third.id]}, 30.0)
    wait_until(lambda: not dash_duo.find_elements("[data-view-note=filtered]"), 30.0)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    assert len(_selected(dash_duo)) == 1 and third.name in _selected(dash_duo)[0]
    assert dash_duo.get_logs() == []


_WATCH_JS = """
// tag the nodes a re-render would replace, count Plotly re-plots and record which
// elements of the gallery change
window.__watch = {plots: 0, added: 0, changed: new Set()};
for (const el of document.querySelectorAll(
        '.dash-personas-card, .dash-personas-slot, .js-plotly-plot, #profiles table')) {
    el.__before = true;
}
for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    gd.on('plotly_afterplot', () => { window.__watch.plots += 1; });
}
new MutationObserver(records => records.forEach(r => {
    const slot = r.target.closest && r.target.closest('.dash-personas-slot');
    if (r.type === 'childList' && !(r.target.matches && r.target.matches('button'))) {
        window.__watch.added += r.addedNodes.length + r.removedNodes.length;
    }
    // any attribute: Dash marks every output of a running callback (data-dash-is-loading)
    if (slot) { window.__watch.changed.add(JSON.parse(slot.id).persona); }
})).observe(document.getElementById('personas'),
            {subtree: true, childList: true, attributes: true, characterData: true});
"""

_WATCHED_JS = """
const all = [...document.querySelectorAll(
    '.dash-personas-card, .dash-personas-slot, .js-plotly-plot, #profiles table')];
return {same: all.length > 0 && all.every(el => el.__before === true), plots: window.__watch.plots,
        added: window.__watch.added, changed: [...window.__watch.changed].sort()};
"""


def test_a_selection_restyles_two_cards_and_replots_no_chart(dash_duo, survey_case):
    """Only the cards whose state changes are touched; no node is replaced, no chart
    re-plotted (the opacity is set on the drawn traces): a selection that re-rendered
    the page, the gallery or the figures, or that had every card as a callback output,
    would fail here."""
    from dash_personas.figures import DIM_OPACITY

    personas = _served_with_first_selected(dash_duo, survey_case)
    dash_duo.driver.execute_script(_WATCH_JS)

    _select(dash_duo, 2)
    wait_until(lambda: _query(dash_duo) == {"persona": [personas[2].id]}, 30.0)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    watched = dash_duo.driver.execute_script(_WATCHED_JS)
    assert watched == {"same": True, "plots": 0, "added": 0,
                       "changed": sorted([personas[0].id, personas[2].id])}
    # ... and yet every chart and card shows the new selection
    opacities = dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('#compare .js-plotly-plot')].map(
            gd => gd.data.filter(t => typeof t.meta === 'string').map(
                t => [t.meta, t.opacity === undefined ? 1 : t.opacity]));""")
    assert len(opacities) >= 6 and all(
        opacity == (1 if meta == personas[2].id else DIM_OPACITY)
        for chart in opacities for meta, opacity in chart)
    assert len(_selected(dash_duo)) == 1 and personas[2].name in _selected(dash_duo)[0]
    pressed = [b.get_attribute("aria-pressed") for b in
               dash_duo.find_elements(".dash-personas-select")]
    assert pressed == ["true" if i == 2 else "false" for i in range(len(personas))]
    assert dash_duo.get_logs() == []


def test_a_selection_set_by_the_host_app_shows_on_cards_and_charts(dash_duo, survey_case):
    """A host callback that writes the gallery's selection store: the cards, buttons
    and charts of the group follow, as after a click."""
    import dash
    import dash_bootstrap_components as dbc
    from dash import Input, Output, html

    from dash_personas.components import (
        PersonaGallery,
        SegmentSizes,
        bootstrap_stylesheet,
        register_callbacks,
    )
    from dash_personas.figures import DIM_OPACITY

    personas = survey_case.personas
    app = dash.Dash(__name__, serve_locally=True)
    app.config.external_stylesheets = [bootstrap_stylesheet(app)]
    app.layout = dbc.Container([
        html.Button("Show the third persona", id="host-pick"),
        PersonaGallery(personas, aio_id="main", group="g", detail="compact"),
        SegmentSizes(personas, aio_id="sizes", group="g"),
    ])
    register_callbacks(app)

    @app.callback(Output(PersonaGallery.selection_id("main", "g"), "data"),
                  Input("host-pick", "n_clicks"), prevent_initial_call=True)
    def _pick(_clicks):
        return personas[2].id

    dash_duo.start_server(app)
    wait_until(lambda: dash_duo.find_elements(".js-plotly-plot"), 30.0)
    dash_duo.find_element("#host-pick").click()
    wait_until(lambda: len(_selected(dash_duo)) == 1, 30.0)
    assert personas[2].name in _selected(dash_duo)[0]
    buttons = dash_duo.find_elements(".dash-personas-select")
    wait_until(lambda: buttons[2].get_attribute("aria-pressed") == "true", 30.0)
    assert buttons[2].text == "Selected"
    opacities = dash_duo.driver.execute_script(
        "return document.querySelector('.js-plotly-plot').data.map("
        "t => t.opacity === undefined ? 1 : t.opacity)")
    assert opacities[:len(personas)] == [1 if i == 2 else DIM_OPACITY
                                         for i in range(len(personas))]
    # a click afterwards toggles from the host's selection
    _select(dash_duo, 2)
    wait_until(lambda: not _selected(dash_duo), 30.0)
    assert dash_duo.get_logs() == []


_CLICK_AND_READ_JS = """
// the click, then what the page shows at once: nothing has run in between (Dash's
// callbacks run in later tasks)
const buttons = [...document.querySelectorAll('.dash-personas-select')];
const button = buttons[arguments[0]];
const slot = button.closest('.dash-personas-slot');
button.click();
const heat = [...document.querySelectorAll('.js-plotly-plot')].find(
    gd => gd.data[0].type === 'heatmap');
const outlines = heat.layout.shapes.map((s, i) => [s, i]).filter(([s]) => s.name === 'highlight')
    .map(([s, i]) => getComputedStyle(heat.querySelector(
        `.shapelayer path[data-index='${i}']`)).opacity);
const shown = {
    slot: slot.className, pressed: buttons.map(b => b.getAttribute('aria-pressed')),
    text: button.textContent, search: window.location.search, outlines: outlines,
    // the drawn trace groups' opacity, not only Plotly's data
    traces: [...document.querySelectorAll('#compare .js-plotly-plot')].filter(
        gd => gd.data.some(t => typeof t.meta === 'string')).map(gd => gd.calcdata
        .filter(cd => typeof cd[0].trace.meta === 'string')
        .map(cd => [cd[0].trace.meta, Number(cd[0].node3.style('opacity'))])),
};
// from now on, every change Dash makes to the gallery: its old values must be the
// values shown now (no flicker back to the previous selection)
window.__later = [];
new MutationObserver(records => records.forEach(r => window.__later.push({
    slot: (r.target.closest ? r.target : r.target.parentElement).closest(
        '.dash-personas-slot') === slot, type: r.type, name: r.attributeName,
    old: r.oldValue,
}))).observe(document.getElementById('personas'), {subtree: true, attributes: true,
    attributeOldValue: true, characterData: true, characterDataOldValue: true,
    childList: true});
return shown;
"""


_TWO_CLICKS_JS = """
// a second click right after the first one reached Dash (its store just set, its
// callbacks not yet run): from then on the first persona's card is never shown
// selected again
const done = arguments[arguments.length - 1];
const buttons = [...document.querySelectorAll('.dash-personas-select')];
const first = buttons[1].closest('.dash-personas-slot');
const reselected = [];
buttons[1].click();
requestAnimationFrame(() => setTimeout(() => {
    buttons[3].click();
    new MutationObserver(records => records.forEach(r => {
        if (r.target === first && first.classList.contains('dash-personas-selected')) {
            reselected.push(first.className);
        }
    })).observe(first, {attributes: true});
    setTimeout(() => done(reselected), 1500);
}, 0));
"""


def test_a_click_shows_the_selection_before_dash_processes_it(dash_duo, survey_case):
    """The cards, buttons, charts (the drawn traces and the heatmap outline) and the
    address bar show a click's selection in the click's own task: a selection that
    waited for Dash's callbacks would fail here. Dash's later updates of the same
    props change nothing visible, and every part still agrees once it is done."""
    from dash_personas.figures import DIM_OPACITY

    personas = _served_with_first_selected(dash_duo, survey_case)

    shown = dash_duo.driver.execute_script(_CLICK_AND_READ_JS, 2)
    assert "dash-personas-selected" in shown["slot"].split()
    assert shown["pressed"] == ["true" if i == 2 else "false" for i in range(len(personas))]
    assert shown["text"] == "Selected"
    assert parse_qs(shown["search"].lstrip("?")) == {"persona": [personas[2].id]}
    assert shown["outlines"] == ["1" if i == 2 else "0" for i in range(len(personas))]
    assert len(shown["traces"]) >= 4 and all(
        opacity == (1 if meta == personas[2].id else DIM_OPACITY)
        for chart in shown["traces"] for meta, opacity in chart)

    wait_for_dash_idle(dash_duo.driver, 30.0)
    later = dash_duo.driver.execute_script("return window.__later")
    slot = dash_duo.find_elements(".dash-personas-slot")[2]
    button = dash_duo.find_elements(".dash-personas-select")[2]
    assert later, "Dash did not bring its copy of the props in line"
    for change in later:
        if change["type"] == "attributes" and change["name"] == "class" and change["slot"]:
            assert change["old"] in (slot.get_attribute("class"), button.get_attribute("class"))
        if change["type"] == "attributes" and change["name"] == "aria-pressed":
            assert change["old"] == ("true" if change["slot"] else "false")
        if change["type"] == "characterData":
            assert change["old"] == ("Selected" if change["slot"] else "Select")
    # Dash's state agrees: the store, the view's query, the props a re-render would use
    assert _query(dash_duo) == {"persona": [personas[2].id]}
    assert [b.get_attribute("aria-pressed") for b in
            dash_duo.find_elements(".dash-personas-select")] == shown["pressed"]
    assert dash_duo.driver.execute_script(
        "return sessionStorage.getItem(Object.keys(sessionStorage).find("
        "k => k.includes('selection')))").strip('"') == personas[2].id

    # a quick second click: Dash, still running what the first set off, never shows
    # the first persona again (fails if the gallery callback restores the store's value)
    assert dash_duo.driver.execute_async_script(_TWO_CLICKS_JS) == []
    wait_for_dash_idle(dash_duo.driver, 30.0)
    assert _query(dash_duo) == {"persona": [personas[3].id]}
    assert len(_selected(dash_duo)) == 1 and personas[3].name in _selected(dash_duo)[0]
    pressed = [b.get_attribute("aria-pressed") for b in
               dash_duo.find_elements(".dash-personas-select")]
    assert pressed == ["true" if i == 3 else "false" for i in range(len(personas))]
    assert dash_duo.get_logs() == []


def _served_with_first_selected(dash_duo, survey_case):
    """Serve the survey case's dashboard, select the first persona and wait until Dash
    is done with it; return the personas."""
    personas = survey_case.personas
    dash_duo.start_server(create_app(personas, survey_case.scores))
    wait_until(lambda: len(dash_duo.find_elements("#compare .js-plotly-plot")) >= 6, 30.0)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    _select(dash_duo, 0)
    wait_until(lambda: _query(dash_duo) == {"persona": [personas[0].id]}, 30.0)
    wait_for_dash_idle(dash_duo.driver, 30.0)
    return personas
