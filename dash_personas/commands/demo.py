"""``dash-personas demo``: the toolkit end to end, from questionnaire to dashboard.

Steps (every file lands in ``--out``):

1. ``survey-builder init`` an ASPECTS questionnaire (``survey.yaml``) and its
   ``codebook.json``;
2. ``survey-builder simulate`` respondents with planted personas (``responses.csv``,
   ``planted.csv``);
3. ``survey-builder score`` them (``scores.csv``, reliability report);
4. ``select_k`` and fit k-prototypes on the scale scores, CLV, journey stage and
   answers (``model.json``, ``selection.csv``);
5. build the personas (``personas.json``, ``personas.html``, ``overrides.yaml``);
6. a tracking study (``study.db``, embedded SQLite): the first sample is the baseline
   wave, then ``survey-builder simulate --waves`` draws later waves of the same
   population with planted change (:data:`DEMO_WAVE_PLAN`: a wave with a panel that
   stays, a share shift with a migrating panel, an emerging persona; files and truth in
   ``waves/``), scored and added wave by wave;
7. serve the study's dashboard at http://127.0.0.1:8050, tracking view first (unless
   ``--no-serve``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from survey_builder.errors import UserError

#: Survey modules of the demo questionnaire.
DEMO_MODULES = "demographics,behaviour,journey,clv,attention"
#: Labels of the demo's waves.
DEMO_WAVES = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")


def demo_wave_plan(n: int, n_personas: int) -> dict[str, Any]:
    """The demo's wave plan (format: :mod:`survey_builder.simulate_waves`).

    Four quarterly waves of ``n`` respondents: the baseline (equal shares); a wave with
    a 40 % panel that stays (no change); a share shift — persona 1 loses 45 % of its
    share to persona 2 — while 30 % of persona 1's panel moves to persona 2; and a new
    persona taking 15 % of the new respondents.
    """
    equal = 1.0 / n_personas
    shifted = {p: equal for p in range(1, n_personas + 1)}
    shifted[1], shifted[2] = 0.55 * equal, 1.45 * equal
    return {"personas": n_personas, "respondents": n, "waves": [
        {"label": DEMO_WAVES[0]},
        {"label": DEMO_WAVES[1], "panel": {"share": 0.4}},
        {"label": DEMO_WAVES[2], "shares": shifted,
         "panel": {"share": 0.4, "moves": {1: {2: 0.3}}}},
        {"label": DEMO_WAVES[3], "panel": {"share": 0.4},
         "emerge": {"persona": n_personas + 1, "share": 0.15}},
    ]}


def _survey_builder(args: list[str]) -> None:
    """Run a ``survey-builder`` sub-command in this process."""
    from survey_builder.cli import cli as survey_cli

    try:
        survey_cli.main(args=args, prog_name="survey-builder", standalone_mode=False)
    except UserError as exc:
        raise UserError(f"survey-builder {args[0]}: {exc}") from None


def build_demo(out_dir: Path, n: int = 5000, n_personas: int = 5, seed: int = 0,
               k_range: range = range(2, 8), echo: Any = click.echo) -> dict[str, Path]:
    """Produce every demo file in ``out_dir`` and return their paths by name.

    Parameters
    ----------
    out_dir : Path
    n : int
        Respondents to simulate per wave.
    n_personas : int
        Planted personas.
    seed : int
    k_range : range
        Candidate numbers of segments.
    echo : callable
        Progress printer.

    Returns
    -------
    dict of str to Path
        ``survey``, ``codebook``, ``plan``, ``waves`` (directory), ``truth``,
        ``responses`` and ``scores`` (the baseline wave's), ``reliability``, ``model``,
        ``selection``, ``personas``, ``sheet``, ``overrides``, ``study``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    waves_dir = out_dir / "waves"
    paths = {name: out_dir / file for name, file in (
        ("survey", "survey.yaml"), ("codebook", "codebook.json"), ("plan", "wave_plan.json"),
        ("waves", "waves"), ("truth", "waves/truth.json"),
        ("responses", f"waves/{DEMO_WAVES[0]}.csv"), ("scores", "scores.csv"),
        ("reliability", "reliability.json"), ("model", "model.json"),
        ("selection", "selection.csv"), ("personas", "personas.json"),
        ("sheet", "personas.html"), ("overrides", "overrides.yaml"), ("study", "study.db"))}
    start = time.perf_counter()

    def step(text: str) -> None:
        echo(f"[{time.perf_counter() - start:5.1f}s] {text}")

    step("survey-builder init: ASPECTS questionnaire")
    _survey_builder(["init", "--template", "aspects", "--modules", DEMO_MODULES,
                     "--languages", "en", "--title", "Customer survey (demo)",
                     "--out", str(paths["survey"]), "--force"])
    import json

    from survey_builder.atomic import atomic_write
    from survey_builder.codebook import build_codebook, write_codebook
    from survey_builder.spec import load_survey

    codebook = build_codebook(load_survey(paths["survey"]))
    write_codebook(codebook, paths["codebook"])
    with atomic_write(paths["plan"], "w") as handle:
        json.dump(demo_wave_plan(n, n_personas), handle, indent=1)

    step(f"survey-builder simulate --waves: {len(DEMO_WAVES)} waves of {n:,} respondents, "
         f"{n_personas} planted personas (a shift, a migrating panel, an emerging persona)")
    _survey_builder(["simulate", str(paths["survey"]), "--waves", str(paths["plan"]),
                     "--seed", str(seed), "--out", str(waves_dir), "--quiet"])
    step("survey-builder score: scale scores, CLV, journey stage, quality flags")
    wave_scores = {label: waves_dir / f"{label}.scores.csv" for label in DEMO_WAVES}
    wave_scores[DEMO_WAVES[0]] = paths["scores"]
    for label, scores_path in wave_scores.items():
        _survey_builder(["score", str(paths["survey"]), str(waves_dir / f"{label}.csv"),
                         "--out", str(scores_path), "--quiet",
                         *(["--report", str(paths["reliability"])]
                           if label == DEMO_WAVES[0] else [])])

    from survey_builder import read_scores

    from ..personas import save_personas, write_overrides_template
    from ..pipeline import fit_segments, make_personas, select_features

    scores = read_scores(paths["scores"]).frame
    features = scores[select_features(scores, codebook=codebook).features]
    step(f"select_k on the baseline wave {DEMO_WAVES[0]}: trying k = "
         f"{k_range.start}..{k_range.stop - 1} on {features.shape[1]} features")
    # 5 restarts per k (select_k's default): with 2, the baseline's k=5 restarts ended in
    # a poor optimum (a persona split, two merged) and the BIC's elbow moved to 6
    segmentation = fit_segments(features, "auto", k_range=k_range, n_init=5, n_bootstrap=4,
                                random_state=seed)
    selection, model = segmentation.selection, segmentation.model
    model.save(paths["model"])
    with atomic_write(paths["selection"], "w", newline="") as handle:
        selection.to_csv(handle)
    step(f"chose k = {selection.recommended_k} ({selection.rule})")

    # the scores carry the behaviour answers (frequency, spend, channels, triggers, drivers)
    personas = make_personas(segmentation, features, scores=scores, codebook=codebook)
    save_personas(personas, paths["personas"])
    write_overrides_template(personas, paths["overrides"])
    from ..export import write_persona_sheet

    write_persona_sheet(personas, paths["sheet"], title="Customer personas (demo)")
    for p in personas:
        echo(f"    {p.share:5.1%}  {p.name} — {p.tagline}")
    step(f"personas written to {paths['personas']}")

    from ..tracking import Study

    for suffix in ("", "-wal", "-shm"):  # the demo rebuilds its study from scratch
        Path(f"{paths['study']}{suffix}").unlink(missing_ok=True)
    with Study.create(paths["study"], model=model, personas=personas,
                      codebook=dict(codebook)) as study:
        for label, scores_path in wave_scores.items():
            study.add_wave(read_scores(scores_path).frame, label=label)
        alerts = study.report().alerts
    step(f"tracking study {paths['study']}: {len(DEMO_WAVES)} waves, {len(alerts)} alerts")
    return paths


@click.command("demo")
@click.option("--out", "out_dir", default="demo-output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the questionnaire, responses, scores, model and personas.")
@click.option("-n", "n_samples", default=5000, show_default=True,
              type=click.IntRange(min=100), help="Respondents to simulate per wave.")
@click.option("--personas", "n_personas", default=5, show_default=True,
              type=click.IntRange(2, 8), help="Planted personas.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option("--public", is_flag=True,
              help="Allow a non-loopback --host without a password (DASH_PERSONAS_AUTH).")
@click.option("--no-serve", is_flag=True, help="Build everything but do not start the server.")
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path),
              help="Save a PNG of the tracking view taken by headless Chromium, then stop "
                   "(how README's docs/tracking.png is made).")
def demo_command(out_dir: Path, n_samples: int, n_personas: int, seed: int, host: str,
                 port: int, public: bool, no_serve: bool, screenshot: Path | None) -> None:
    """Questionnaire -> simulated waves -> scores -> segments -> personas -> tracking study
    -> dashboard (the tracking view first).

    \b
    Example:
      dash-personas demo --out demo-output
      dash-personas demo --no-serve      # build the files only
      dash-personas demo --screenshot docs/tracking.png
    """
    from ..serving import check_exposure, read_credentials

    credentials = read_credentials()
    if not no_serve and screenshot is None:
        check_exposure(host, credentials, public)  # before minutes of building
    paths = build_demo(out_dir, n_samples, n_personas, seed)
    click.echo(f"Serve it again later with: dash-personas serve --study {paths['study']}\n"
               f"(the personas alone: dash-personas serve --personas {paths['personas']} "
               f"--data {paths['scores']})")
    if no_serve and screenshot is None:
        return
    from ..app import create_study_app

    app = create_study_app(paths["study"], title="Tracking study (demo)")
    if screenshot is not None:
        take_screenshot(app, screenshot)
        click.echo(f"wrote {screenshot}")
        return
    from .serve import run_dashboard

    run_dashboard(app, host, port, credentials=credentials, public=public)


#: Browser window of :func:`take_screenshot`: wide enough for four cards in a row.
SCREENSHOT_SIZE = (1280, 2300)
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def take_screenshot(app: Any, path: Path, size: tuple[int, int] = SCREENSHOT_SIZE) -> None:
    """Serve ``app`` on a free local port and save headless Chromium's PNG of its page.

    Raises
    ------
    UserError
        No Chromium on this machine.
    """
    import shutil
    import socket
    import subprocess
    import threading

    from werkzeug.serving import make_server

    browser = next((found for name in CHROMIUM if (found := shutil.which(name))), None)
    if browser is None:
        raise UserError("--screenshot needs Chromium: run `bash tools/install-chromium.sh`")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    server = make_server("127.0.0.1", free, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # the virtual time budget lets the page run its callbacks and draw its charts
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--window-size={size[0]},{size[1]}",
                        "--virtual-time-budget=15000", f"--screenshot={path}",
                        f"http://127.0.0.1:{free}/"], check=True, capture_output=True,
                       timeout=180)
    finally:
        server.shutdown()
