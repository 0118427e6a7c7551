"""Dashboard benchmark: 100,000 respondents, 8 personas.

Measures
--------
* the initial payload: bytes of the page, ``/_dash-layout`` and ``/_dash-dependencies``
  (the JSON the browser needs before anything interactive happens) — target <= 300 KB;
* the persona-selection latency in headless Chromium: from the click on a card's
  "Select" button to the moment every chart of the page shows the new highlight,
  timed inside the browser with ``performance.now()``, p95 over 50 selections —
  target <= 200 ms.

Run: ``.venv/bin/python benchmarks/bench_dashboard.py`` (needs chromium and
chromium-driver: ``tools/install-chromium.sh``); ``--respondents``, ``--personas`` and
``--clicks`` give a quicker run (the limits stay the same).
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
PAYLOAD_LIMIT = 300 * 1024
LATENCY_LIMIT_MS = 200.0

_CLICK_AND_WAIT = """
const [index, dim, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const button = document.querySelectorAll('.dash-personas-select')[index];
const plots = () => [...document.querySelectorAll('.js-plotly-plot')].filter(
    el => (el.data || []).some(t => typeof t.meta === 'string'));
const t0 = performance.now();
button.click();
const ids = [...document.querySelectorAll('.dash-personas-select')].map((b, i) => i);
function ready() {
    return plots().every(el => el.data.filter(t => typeof t.meta === 'string').every(
        (t, i) => (t.opacity === undefined ? 1 : t.opacity) === (i === index ? 1 : dim)));
}
(function poll() {
    if (ready()) { done(performance.now() - t0); }
    else if (performance.now() - t0 > 5000) { done(-1); }
    else { requestAnimationFrame(poll); }
})();
"""


def build_case(n_respondents: int = N_RESPONDENTS, n_personas: int = N_PERSONAS):
    """Simulate, score and segment the respondents; return the personas and scores."""
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
    return result.personas, scores


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=N_RESPONDENTS)
    parser.add_argument("--personas", type=int, default=N_PERSONAS)
    parser.add_argument("--clicks", type=int, default=N_CLICKS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    personas, scores = build_case(args.respondents, args.personas)
    print(f"built {len(personas)} personas from {len(scores):,} respondents "
          f"in {time.perf_counter() - start:.1f}s")
    from dash_personas.app import create_app

    app = create_app(personas, scores)
    client = app.server.test_client()
    sizes = {path: len(client.get(path).data)
             for path in ("/", "/_dash-layout", "/_dash-dependencies")}
    payload = sum(sizes.values())
    for path, size in sizes.items():
        print(f"  {path:22s} {size / 1024:8.1f} KB")
    verdict = "OK" if payload <= PAYLOAD_LIMIT else "FAIL"
    print(f"initial payload (page + layout + dependencies): {payload / 1024:.1f} KB "
          f"(limit {PAYLOAD_LIMIT / 1024:.0f} KB) -> {verdict}")

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from werkzeug.serving import make_server

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
    try:
        driver.set_script_timeout(10)
        driver.get(f"http://127.0.0.1:{port}/")
        deadline = time.time() + 60
        while time.time() < deadline:
            ready = driver.execute_script(
                "return document.querySelectorAll('.js-plotly-plot').length")
            if ready >= 6:
                break
            time.sleep(0.2)
        time.sleep(1.0)
        from dash_personas.figures import DIM_OPACITY

        timings = []
        for i in range(args.clicks):
            index = i % len(personas)
            if timings and index == 0 and len(personas) == 1:
                index = 0
            elapsed = driver.execute_async_script(_CLICK_AND_WAIT, index, DIM_OPACITY)
            if elapsed < 0:
                raise RuntimeError(f"selection {i} did not update the charts within 5 s")
            timings.append(elapsed)
        p95 = statistics.quantiles(timings, n=20)[-1]
        median = statistics.median(timings)
        print(f"selection latency over {args.clicks} clicks: median {median:.1f}"
              f" ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms "
              f"(limit p95 {LATENCY_LIMIT_MS:.0f} ms) -> "
              f"{'OK' if p95 <= LATENCY_LIMIT_MS else 'FAIL'}")
        logs = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        if logs:
            print(f"browser console errors: {logs}")
    finally:
        driver.quit()
        server.shutdown()
    return 0 if payload <= PAYLOAD_LIMIT and p95 <= LATENCY_LIMIT_MS else 1


if __name__ == "__main__":
    sys.exit(main())
