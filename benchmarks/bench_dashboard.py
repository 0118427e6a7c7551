"""Dashboard benchmark: 100,000 respondents, 8 personas.

Measures
--------
* the initial payload: bytes of the page, ``/_dash-layout`` and ``/_dash-dependencies``
  (the JSON the browser needs before anything interactive happens) — target <= 300 KB;
* the persona-selection latency in headless Chromium: from the click on a card's
  "Select" button to the first animation frame at which every chart (the heatmap's
  drawn outline too) and card of the page shows the new highlight and the address bar
  holds it (that frame is then painted), timed inside the browser with
  ``performance.now()``, p95 over 50 selections, each made once Dash's renderer has
  run what the previous one set off (that time is printed too) —
  target <= 200 ms — and the server callbacks those selections made (the browser's
  resource timing of ``_dash-update-component``; the selection and its URL are
  handled in the browser: 0 expected);
* the first load as ``dash-personas serve`` ships it (waitress, brotli/gzip): the bytes a
  fresh Chromium transfers for the page and every resource it loads (scripts including
  plotly.min.js, stylesheets, layout, callbacks), from the browser's Performance API
  (``transferSize``; ``decodedBodySize`` for the uncompressed size) — target <= 2 MB;
* the axe-core counts of the dashboard, light (bootstrap) and dark (darkly), at 1400
  and 390 px: serious + critical violations (target 0) and all violations.

* the filter-change latency: from ticking an answer in the filter panel to the moment
  every chart shows the recomputed numbers (in Chromium), and the server time of that
  callback (its ``Server-Timing``, read by Chromium's resource timing): the personas
  recomputed on the filtered respondents and the persona sections rebuilt — p95 over
  ``--filters`` changes, target <= 200 ms server time — and the CPU time of the thread
  that answered (what the request cost on a busy machine); before it, the CPU time of a
  filter's profiles from the rows coded once against ``profile_segments`` on the kept
  rows (a ratio).

With ``--study``, the tracking view of a study of 20 waves × 100,000 respondents
(``--waves``): the same payload limit, and the wave-change latency — from choosing a
wave in the selector to the moment its summary, cards and timeline marker are shown —
p95 over ``--clicks`` changes, target <= 200 ms. The study is built fast through the
public API: one simulated, scored and segmented sample of 100,000 respondents, then
every wave is a bootstrap resample of it (rows drawn with replacement, each wave with
its own persona mix) added with ``Study.add_wave`` (assignment, aggregates and drift
computed as for real data); 40 % of each wave keeps the previous wave's respondent ids,
so every pair of neighbouring waves has a panel.

Run: ``.venv/bin/python benchmarks/bench_dashboard.py [--study]`` (needs chromium and
chromium-driver: ``tools/install-chromium.sh``); ``--respondents``, ``--personas``,
``--waves`` and ``--clicks`` give a quicker run (the limits stay the same).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N_RESPONDENTS = 100_000
N_PERSONAS = 8
N_CLICKS = 50
N_FILTERS = 30
N_WAVES = 20
PANEL_SHARE = 0.4
PAYLOAD_LIMIT = 300 * 1024
LATENCY_LIMIT_MS = 200.0

_CLICK_AND_WAIT = """
const [index, dim, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const buttons = [...document.querySelectorAll('.dash-personas-select')];
const persona = JSON.parse(buttons[index].id).persona;
const plots = () => [...document.querySelectorAll('.js-plotly-plot')].filter(
    el => (el.data || []).some(t => typeof t.meta === 'string'));
// the heatmap's outline shapes, as drawn (opacity 1 around the selected column only)
const outlines = () => [...document.querySelectorAll('.js-plotly-plot')].filter(
    el => el.data && el.data[0].type === 'heatmap').every(el => {
        const ids = el.layout.meta.persona_ids;
        return (el.layout.shapes || []).every((s, i) => s.name !== 'highlight'
            || getComputedStyle(el.querySelector('.shapelayer path[data-index="' + i + '"]'))
                   .opacity === (ids[Math.round(s.x0 + 0.5)] === persona ? '1' : '0'));
    });
// Dash's renderer has nothing left to run (its callback queues empty)
function idle() {
    const state = window.store.getState();
    const queues = ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed'];
    return !state.isLoading && queues.every(q => state.callbacks[q].length === 0);
}
const t0 = performance.now();
buttons[index].click();
// every chart, every card and the address bar show the new selection
function ready() {
    return plots().every(el => el.data.filter(t => typeof t.meta === 'string').every(
        (t, i) => (t.opacity === undefined ? 1 : t.opacity) === (i === index ? 1 : dim)))
        && outlines()
        && buttons.every((b, i) => b.getAttribute('aria-pressed') === String(i === index))
        && document.querySelectorAll('.dash-personas-selected').length === 1
        && new URLSearchParams(window.location.search).get('persona') === persona;
}
// checked at each animation frame (the frame that shows it is then painted), from the
// first one after the click; then until Dash has run what the selection set off
let shown = -1;
function settle() {
    if (idle() || performance.now() - t0 > 5000) { done([shown, performance.now() - t0]); }
    else { setTimeout(settle, 5); }
}
requestAnimationFrame(function poll() {
    if (ready()) { shown = performance.now() - t0; setTimeout(settle, 0); }
    else if (performance.now() - t0 > 5000) { done([-1, -1]); }
    else { requestAnimationFrame(poll); }
});
"""


def build_case(n_respondents: int = N_RESPONDENTS, n_personas: int = N_PERSONAS):
    """Simulate, score and segment the respondents; return the personas, scores and model."""
    from dash_personas.pipeline import run_pipeline
    from survey_builder.codebook import build_codebook
    from survey_builder.compose import compose_survey
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses
    from survey_builder.spec import survey_from_dict

    survey = survey_from_dict(compose_survey(
        "aspects", ["demographics", "behaviour", "journey", "clv"], languages=["en"]))
    responses, _ = simulate_responses(survey, n_respondents, n_personas, 0)
    scores = score_responses(survey, responses).scores
    result = run_pipeline(scores, codebook=build_codebook(survey), k=n_personas, n_init=1,
                          max_iter=30, random_state=0)
    return result.personas, scores, result.model


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=N_RESPONDENTS)
    parser.add_argument("--personas", type=int, default=N_PERSONAS)
    parser.add_argument("--clicks", type=int, default=N_CLICKS)
    parser.add_argument("--filters", type=int, default=N_FILTERS,
                        help="Filter changes to time.")
    parser.add_argument("--study", action="store_true",
                        help="Benchmark the tracking view of a study instead.")
    parser.add_argument("--waves", type=int, default=N_WAVES, help="Waves of the study.")
    parser.add_argument("--study-file", type=Path,
                        help="Keep the built study in this SQLite file, or reuse it if it "
                             "exists (building 20 x 100k takes minutes).")
    return parser.parse_args(argv)


def payload_of(app, biggest: int = 12) -> int:
    """Print and return the bytes of the page, its layout and its dependencies; print
    the layout's ``biggest`` subtrees (:func:`layout_subtrees`)."""
    client = app.server.test_client()
    bodies = {path: client.get(path).data
              for path in ("/", "/_dash-layout", "/_dash-dependencies")}
    sizes = {path: len(body) for path, body in bodies.items()}
    payload = sum(sizes.values())
    for path, size in sizes.items():
        print(f"  {path:22s} {size / 1024:8.1f} KB")
    verdict = "OK" if payload <= PAYLOAD_LIMIT else "FAIL"
    print(f"initial payload (page + layout + dependencies): {payload / 1024:.1f} KB "
          f"(limit {PAYLOAD_LIMIT / 1024:.0f} KB) -> {verdict}")
    if biggest:
        import json

        layout = json.loads(bodies["/_dash-layout"])
        rows, count = layout_subtrees(layout)
        print(f"  layout: {count:,} components; biggest subtrees (KB in all, how many):")
        for path, n, size in rows[:biggest]:
            print(f"    {size / 1024:7.1f} KB x{n:<3d} {path}")
    return payload


def layout_subtrees(layout, max_depth: int = 12) -> tuple[list[tuple[str, int, int]], int]:
    """The layout's subtrees by JSON size, alike ones (same path of types, ids and
    classes: the eight cards, their sections) grouped.

    Returns
    -------
    rows : list of (path, count, bytes)
        Per kind of subtree down to ``max_depth`` levels: how many there are and their
        bytes in all, biggest first.
    count : int
        The components in the layout.
    """
    import json

    groups: dict[str, list[int]] = {}
    count = 0

    def name(node) -> str:
        props = node["props"]
        key = props.get("id") if isinstance(props.get("id"), str) else None
        section = props.get("data-section")
        return node["type"] + (f"#{key}" if key else "") + (f"[{section}]" if section else "")

    def walk(node, path: str, depth: int) -> None:
        nonlocal count
        if isinstance(node, list):
            for child in node:
                walk(child, path, depth)
            return
        if not (isinstance(node, dict) and "props" in node and "type" in node):
            return
        count += 1
        here = f"{path}/{name(node)}" if path else name(node)
        if depth <= max_depth:
            groups.setdefault(here, []).append(len(json.dumps(node, separators=(",", ":"))))
        for value in node["props"].values():
            walk(value, here, depth + 1)

    walk(layout, "", 0)
    rows = sorted(((path, len(found), sum(found)) for path, found in groups.items()),
                  key=lambda row: -row[2])
    # a wrapper and the one subtree it wraps say the same: keep the innermost
    return [row for row in rows if not any(
        other[0].startswith(row[0] + "/") and other[1] == row[1] and other[2] > 0.9 * row[2]
        for other in rows)], count


def open_browser(app, plots: int):
    """Serve ``app`` on a free port and load it in headless Chromium.

    Returns
    -------
    driver, stop
        The Selenium driver on the loaded page (``plots`` charts drawn) and a function
        that closes the browser and stops the server.
    """
    import logging

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)

    def stop() -> None:
        driver.quit()
        server.shutdown()

    try:
        driver.set_script_timeout(10)
        driver.get(f"http://127.0.0.1:{port}/")
        from selenium.common.exceptions import TimeoutException

        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                ready = driver.execute_script(
                    "return document.querySelectorAll('.js-plotly-plot').length")
            except TimeoutException:  # the page is still busy rendering (loaded machine)
                continue
            if ready >= plots:
                break
            time.sleep(0.2)
        time.sleep(1.0)
    except BaseException:
        stop()
        raise
    return driver, stop


FIRST_LOAD_LIMIT = 2 * 1024 * 1024
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"

_RESOURCES_JS = """
const entries = [...performance.getEntriesByType('navigation'),
                 ...performance.getEntriesByType('resource')];
return entries.map(e => ({name: e.name, transfer: e.transferSize,
                          encoded: e.encodedBodySize, decoded: e.decodedBodySize}));
"""


def chrome(width: int = 1280, height: int = 1000):
    """A fresh headless Chromium (empty cache)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(60)
    return driver


def production_server(app):
    """Serve ``app`` as ``dash-personas serve`` does (waitress + compression) on a free
    port in a thread; return its URL and a function that stops it."""
    from waitress import create_server

    from dash_personas.serving import enable_compression

    enable_compression(app)
    server = create_server(app.server, host="127.0.0.1", port=free_port(), threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.effective_port}/", server.close


def wait_for_plots(driver, plots: int, timeout: float = 120) -> None:
    from selenium.common.exceptions import TimeoutException

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if driver.execute_script(
                    "return document.querySelectorAll('.js-plotly-plot').length") >= plots:
                break
        except TimeoutException:  # the page is still busy rendering (loaded machine)
            pass
        time.sleep(0.2)
    time.sleep(1.0)


def first_load(url: str, plots: int) -> int:
    """Print and return the bytes a fresh browser transfers to show ``url``."""
    driver = chrome()
    try:
        driver.get(url)
        wait_for_plots(driver, plots)
        entries = driver.execute_script(_RESOURCES_JS)
    finally:
        driver.quit()
    transferred = sum(e["transfer"] for e in entries)
    decoded = sum(e["decoded"] for e in entries)
    biggest = sorted(entries, key=lambda e: -e["decoded"])[:3]
    for e in biggest:
        print(f"  {e['name'].rsplit('/', 1)[-1][:48]:48s} {e['encoded'] / 1024:8.1f} KB "
              f"(uncompressed {e['decoded'] / 1024:8.1f} KB)")
    verdict = "OK" if transferred <= FIRST_LOAD_LIMIT else "FAIL"
    print(f"first load, {len(entries)} requests: {transferred / 1024:.0f} KB transferred "
          f"(uncompressed {decoded / 1024:.0f} KB, {decoded / max(transferred, 1):.1f}x; "
          f"limit {FIRST_LOAD_LIMIT / 1024:.0f} KB) -> {verdict}")
    return transferred


def axe_matrix(personas, scores) -> int:
    """Print the axe-core counts of the dashboard per theme and width; return the serious
    and critical total."""
    from dash_personas.app import create_app

    if not AXE.is_file():
        raise SystemExit("node_modules/axe-core is missing: run `npm ci --no-audit --no-fund`")
    script = AXE.read_text(encoding="utf-8")
    run = """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag',
                                     values: ['wcag2a', 'wcag2aa', 'best-practice']},
                           resultTypes: ['violations']})
           .then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length])));
    """
    severe_total = 0
    for theme in ("bootstrap", "darkly"):
        url, stop = production_server(create_app(personas, scores, theme=theme))
        driver = chrome(1400, 1000)
        try:
            driver.get(url)
            wait_for_plots(driver, 6)
            for width, height in ((1400, 1000), (390, 844)):
                driver.set_window_size(width, height)
                time.sleep(0.5)
                driver.execute_script(script)
                found = driver.execute_async_script(run)
                severe = [v for v in found if v[1] in ("serious", "critical")]
                severe_total += len(severe)
                print(f"axe {theme:9s} {width:4d} px: {len(severe)} serious/critical, "
                      f"{len(found)} violations in all {[v[0] for v in found]}")
        finally:
            driver.quit()
            stop()
    return severe_total


def console_errors(driver) -> None:
    logs = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    if logs:
        print(f"browser console errors: {logs}")


_WAVE_AND_WAIT = """
const [label, done] = [arguments[0], arguments[arguments.length - 1]];
const select = document.querySelector('select.study-wave');
const summary = document.querySelector('.study-wave-summary');
const cards = document.querySelector('.study-cards');
const t0 = performance.now();
// React tracks the value it set: go through the native setter, as a user's choice does
Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(select, label);
select.dispatchEvent(new Event('change', {bubbles: true}));
function ready() {
    const plot = document.querySelector('.study-timeline .js-plotly-plot');
    const marks = (plot.layout.shapes || []).filter(s => s.name === 'selected-wave');
    return summary.textContent.startsWith('Wave ' + label + ':')
        && cards.querySelector('.dash-personas-share').textContent.includes(' in ' + label)
        && marks.length === 1 && marks[0].x0 === label;
}
(function poll() {
    if (ready()) { done(performance.now() - t0); }
    else if (performance.now() - t0 > 5000) { done(-1); }
    else { requestAnimationFrame(poll); }
})();
"""


_FILTER_AND_WAIT = """
const [column, level, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
let box = null;
for (const holder of document.querySelectorAll('.dash-personas-filter [id]')) {
    let id = null;
    try { id = JSON.parse(holder.id); } catch (e) { continue; }
    if (id && id.column === column) {
        box = [...holder.querySelectorAll('input')].find(i => i.value === level);
    }
}
const sections = document.getElementById('persona-sections');
const note = document.getElementById('view-note');
// what every chart plots: "drawn" is every chart of the new section showing new
// numbers (and the note its new count)
const plotted = () => [...sections.querySelectorAll('.js-plotly-plot')].map(
    el => JSON.stringify((el.data || []).map(t => [t.x, t.y, t.z])));
const [before, noteBefore] = [plotted(), note.textContent];
const seen = performance.getEntriesByType('resource').length;
const t0 = performance.now();
box.click();
function drawn() {
    const now = plotted();
    return note.textContent !== noteBefore && now.length >= 6
        && now.every((p, i) => p !== before[i])
        && [...sections.querySelectorAll('.js-plotly-plot')].every(el => el._fullLayout);
}
(function poll() {
    if (drawn()) {
        const elapsed = performance.now() - t0;
        const timing = (name) => performance.getEntriesByType('resource').slice(seen)
            .filter(e => e.name.includes('_dash-update-component'))
            .flatMap(e => e.serverTiming.filter(t => t.name === name))
            .map(t => t.duration);
        const [server, cpu] = [timing('dash-callback'), timing('dash-callback-cpu')];
        done([elapsed, server.length ? Math.max(...server) : -1,
              cpu.length ? Math.max(...cpu) : -1]);
    }
    else if (performance.now() - t0 > 20000) { done([-1, -1, -1]); }
    else { requestAnimationFrame(poll); }
})();
"""


def time_callbacks(app) -> None:
    """Add a ``Server-Timing: dash-callback;dur=<ms>, dash-callback-cpu;dur=<ms>`` header
    to every callback response: its wall time, and the CPU time of the thread that
    answered it (what the request itself cost, whatever else the machine runs)."""
    from flask import g

    @app.server.before_request
    def _start() -> None:
        g.bench_start = (time.perf_counter(), time.thread_time())

    @app.server.after_request
    def _stop(response):
        start = g.get("bench_start")
        if start is not None:
            wall, cpu = time.perf_counter() - start[0], time.thread_time() - start[1]
            response.headers.add("Server-Timing", f"dash-callback;dur={wall * 1e3:.1f}, "
                                                  f"dash-callback-cpu;dur={cpu * 1e3:.1f}")
        return response


def filter_latency(driver, n_changes: int) -> tuple[float, float]:
    """Tick or untick answers ``n_changes`` times; print and return the p95s (ms):
    in the browser until the charts are drawn, and the callback's server time."""
    options = driver.execute_script("""
        return [...document.querySelectorAll('.dash-personas-filter [id]')].flatMap(h => {
            let id = null;
            try { id = JSON.parse(h.id); } catch (e) { return []; }
            return [...h.querySelectorAll('input')].map(i => [id.column, i.value]);
        });""")
    demographic = [o for o in options if o[0] in ("gender", "age_band", "region",
                                                  "income_band")] or options
    driver.set_script_timeout(30)
    browser, server, cpu = [], [], []
    for i in range(n_changes):
        # tick a level, untick it the next time: every change is a new subset
        column, level = demographic[(i // 2) % len(demographic)]
        elapsed, callback, callback_cpu = driver.execute_async_script(
            _FILTER_AND_WAIT, column, level)
        if elapsed < 0:
            raise RuntimeError(f"filter change {i} did not redraw the charts within 20 s")
        browser.append(elapsed)
        server.append(callback)
        cpu.append(callback_cpu)
    p95_browser = statistics.quantiles(browser, n=20)[-1]
    p95_server = statistics.quantiles(server, n=20)[-1]
    print(f"filter change over {n_changes} changes: server time median "
          f"{statistics.median(server):.1f} ms, p95 {p95_server:.1f} ms (limit "
          f"{LATENCY_LIMIT_MS:.0f} ms) -> {'OK' if p95_server <= LATENCY_LIMIT_MS else 'FAIL'}; "
          f"its CPU time median {statistics.median(cpu):.1f} ms, p95 "
          f"{statistics.quantiles(cpu, n=20)[-1]:.1f} ms; until drawn in Chromium median "
          f"{statistics.median(browser):.1f} ms, p95 {p95_browser:.1f} ms")
    return p95_browser, p95_server


def profile_sums_ratio(personas, scores, repeats: int = 5) -> float:
    """Print and return how many times faster a filter's profiles come from the rows
    coded once (``PersonaFilter``: one matrix product and one ``bincount`` over the kept
    rows) than from ``profile_segments`` on the kept rows (what a filter change did
    before), same subsets, same process, in CPU time."""
    from threadpoolctl import threadpool_limits

    from dash_personas import profile_segments
    from dash_personas.personas import PersonaFilter
    from dash_personas.segmentation._profile import _from_statistics

    source = PersonaFilter(personas, scores)
    sums = source._sums
    columns = sums.numeric + sums.categorical
    frame = scores[columns].assign(**{c: scores[c].astype("category")
                                      for c in sums.categorical})
    masks = [source.mask({o.column: [level]}) for o in source.options[:4]
             for level in o.levels[:2]]

    def run(fast: bool) -> float:
        start = time.process_time()
        for _ in range(repeats):
            for keep in masks:
                if fast:
                    _from_statistics(sums.of(keep), "holm", 0.05, 30.0, drivers=False)
                else:
                    profile_segments(frame[keep], source._labels[keep],
                                     categorical=sums.categorical)
        return (time.process_time() - start) / repeats / len(masks) * 1e3

    with threadpool_limits(1, "blas"):  # as the dashboard computes them
        fast, reference = run(True), run(False)
    print(f"a filter's profiles ({len(scores):,} rows): {fast:.1f} ms CPU from the coded "
          f"rows, {reference:.1f} ms by profile_segments on the kept rows "
          f"({reference / fast:.1f}x)")
    return reference / fast


def figure_build_ratio(personas, repeats: int = 5) -> float:
    """Print and return how many times faster the page's six charts are built as plain
    dicts (``as_dict=True``, what the callbacks use) than as validated ``go.Figure``s."""
    from dash_personas import figures

    feature = next((c.feature for p in personas for c in p.categories), None)
    charts = [(figures.aspects_dots, {}), (figures.segment_sizes, {}),
              (figures.difference_heatmap, {}), (figures.segment_clv, {}),
              (figures.journey_mix, {}), (figures.category_shares, {"feature": feature})]

    def build(as_dict: bool) -> float:
        start = time.perf_counter()
        for _ in range(repeats):
            for make, kwargs in charts:
                make(personas, selected=personas[0].id, as_dict=as_dict, **kwargs)
        return (time.perf_counter() - start) / repeats * 1e3

    validated, plain = build(False), build(True)
    print(f"the six charts of the page: {plain:.1f} ms as dicts, {validated:.1f} ms as "
          f"go.Figure ({validated / plain:.1f}x)")
    return validated / plain


def build_study(path: Path, n_respondents: int, n_personas: int, n_waves: int):
    """A study of ``n_waves`` bootstrap resamples of one segmented sample (module doc)."""
    import numpy as np

    from dash_personas.tracking import Study

    personas, scores, model = build_case(n_respondents, n_personas)
    rng = np.random.default_rng(0)
    n_panel = int(PANEL_SHARE * n_respondents)
    ids = np.arange(n_respondents)
    next_id = n_respondents
    labels = model.labels_
    with Study.create(path, model=model, personas=personas) as study:
        for w in range(n_waves):
            # each wave its own persona mix: rows drawn with weights that favour a
            # different segment per wave
            favour = np.where(labels == w % n_personas, 1.0 + 0.1 * (w % 5), 1.0)
            rows = rng.choice(n_respondents, n_respondents, p=favour / favour.sum())
            frame = scores.iloc[rows].reset_index(drop=True)
            if w:
                fresh = np.arange(next_id, next_id + n_respondents - n_panel)
                next_id += fresh.size
                ids = np.concatenate([rng.choice(ids, n_panel, replace=False), fresh])
            frame["respondent_id"] = ids
            study.add_wave(frame, label=f"W{w + 1:02d}")
    return path


def main_study(args: argparse.Namespace) -> int:
    import tempfile

    from dash_personas.app import create_study_app
    from dash_personas.serving import enable_compression

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = args.study_file or Path(folder) / "study.db"
        if path.exists():
            print(f"reusing the study {path}")
        else:
            build_study(path, args.respondents, args.personas, args.waves)
            print(f"built a study of {args.waves} waves x {args.respondents:,} respondents, "
                  f"{args.personas} personas in {time.perf_counter() - start:.1f}s")
        start = time.perf_counter()
        app = enable_compression(create_study_app(str(path)))
        print(f"create_study_app: {time.perf_counter() - start:.2f}s")
        payload = payload_of(app)
        url, stop_production = production_server(app)
        try:
            first_load(url, plots=2)
        finally:
            stop_production()
        driver, stop = open_browser(app, plots=2)
        try:
            labels = driver.execute_script(
                "return [...document.querySelector('select.study-wave').options].map(o => o.value)"
                ".filter(v => v)")
            timings = []
            for i in range(args.clicks):
                label = labels[(i * 7) % len(labels)]
                if label == driver.execute_script(
                        "return document.querySelector('select.study-wave').value"):
                    label = labels[(i * 7 + 1) % len(labels)]
                elapsed = driver.execute_async_script(_WAVE_AND_WAIT, label)
                if elapsed < 0:
                    raise RuntimeError(f"wave change {i} did not update the view within 5 s")
                timings.append(elapsed)
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"wave change over {args.clicks} changes: median "
                  f"{statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max "
                  f"{max(timings):.1f} ms (limit p95 {LATENCY_LIMIT_MS:.0f} ms) -> "
                  f"{'OK' if p95 <= LATENCY_LIMIT_MS else 'FAIL'}")
            console_errors(driver)
        finally:
            stop()
    return 0 if payload <= PAYLOAD_LIMIT and p95 <= LATENCY_LIMIT_MS else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.study:
        return main_study(args)
    start = time.perf_counter()
    personas, scores, _ = build_case(args.respondents, args.personas)
    print(f"built {len(personas)} personas from {len(scores):,} respondents "
          f"in {time.perf_counter() - start:.1f}s")
    from dash_personas.app import create_app
    from dash_personas.serving import enable_compression

    figure_build_ratio(personas)
    profile_sums_ratio(personas, scores)
    app = enable_compression(create_app(personas, scores))  # as `serve` does
    time_callbacks(app)
    payload = payload_of(app)
    url, stop_production = production_server(app)
    try:
        loaded = first_load(url, plots=6)
    finally:
        stop_production()
    severe = axe_matrix(personas, scores)
    driver, stop = open_browser(app, plots=6)
    try:
        from dash_personas.figures import DIM_OPACITY

        timings, settled = [], []
        updates = "return performance.getEntriesByType('resource').filter(" \
                  "e => e.name.includes('_dash-update-component')).length"
        requests_before = driver.execute_script(updates)
        for i in range(args.clicks):
            index = i % len(personas)
            elapsed, finished = driver.execute_async_script(_CLICK_AND_WAIT, index,
                                                            DIM_OPACITY)
            if elapsed < 0:
                raise RuntimeError(f"selection {i} did not update the charts, cards and URL "
                                   "within 5 s")
            timings.append(elapsed)
            settled.append(finished)
        time.sleep(0.5)  # a server callback a selection triggered would have been sent
        round_trips = driver.execute_script(updates) - requests_before
        p95 = statistics.quantiles(timings, n=20)[-1]
        median = statistics.median(timings)
        print(f"selection latency over {args.clicks} clicks: median {median:.1f}"
              f" ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms "
              f"(limit p95 {LATENCY_LIMIT_MS:.0f} ms) -> "
              f"{'OK' if p95 <= LATENCY_LIMIT_MS else 'FAIL'}; server callbacks during "
              f"the selections: {round_trips}")
        print(f"  Dash's renderer done with each selection (store, URL callback, props; "
              f"after it is shown): median {statistics.median(settled):.1f} ms, p95 "
              f"{statistics.quantiles(settled, n=20)[-1]:.1f} ms")
        _, filter_p95 = filter_latency(driver, args.filters) if args.filters else (0.0, 0.0)
        console_errors(driver)
    finally:
        stop()
    return 0 if (payload <= PAYLOAD_LIMIT and max(p95, filter_p95) <= LATENCY_LIMIT_MS
                 and loaded <= FIRST_LOAD_LIMIT and severe == 0) else 1


if __name__ == "__main__":
    sys.exit(main())
