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
6. serve the dashboard at http://127.0.0.1:8050 (unless ``--no-serve``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from survey_builder.errors import UserError

#: Survey modules of the demo questionnaire.
DEMO_MODULES = "demographics,behaviour,journey,clv,attention"


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
        Respondents to simulate.
    n_personas : int
        Planted personas.
    seed : int
    k_range : range
        Candidate numbers of segments.
    echo : callable
        Progress printer.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / file for name, file in (
        ("survey", "survey.yaml"), ("codebook", "codebook.json"),
        ("responses", "responses.csv"), ("planted", "planted.csv"), ("scores", "scores.csv"),
        ("reliability", "reliability.json"), ("model", "model.json"),
        ("selection", "selection.csv"), ("personas", "personas.json"),
        ("sheet", "personas.html"), ("overrides", "overrides.yaml"))}
    start = time.perf_counter()

    def step(text: str) -> None:
        echo(f"[{time.perf_counter() - start:5.1f}s] {text}")

    step("survey-builder init: ASPECTS questionnaire")
    _survey_builder(["init", "--template", "aspects", "--modules", DEMO_MODULES,
                     "--languages", "en", "--title", "Customer survey (demo)",
                     "--out", str(paths["survey"]), "--force"])
    from survey_builder.codebook import build_codebook, write_codebook
    from survey_builder.spec import load_survey

    codebook = build_codebook(load_survey(paths["survey"]))
    write_codebook(codebook, paths["codebook"])

    step(f"survey-builder simulate: {n:,} respondents, {n_personas} planted personas")
    _survey_builder(["simulate", str(paths["survey"]), "-n", str(n), "--personas",
                     str(n_personas), "--seed", str(seed), "--out", str(paths["responses"]),
                     "--labels-out", str(paths["planted"]), "--quiet"])
    step("survey-builder score: scale scores, CLV, journey stage, quality flags")
    _survey_builder(["score", str(paths["survey"]), str(paths["responses"]),
                     "--out", str(paths["scores"]), "--report", str(paths["reliability"]),
                     "--quiet"])

    from survey_builder import read_scores
    from survey_builder.atomic import atomic_write

    from ..personas import save_personas, write_overrides_template
    from ..pipeline import fit_segments, make_personas, select_features

    scores = read_scores(paths["scores"]).frame
    features = scores[select_features(scores, codebook=codebook).features]
    step(f"select_k: trying k = {k_range.start}..{k_range.stop - 1} on "
         f"{features.shape[1]} features")
    segmentation = fit_segments(features, "auto", k_range=k_range, n_init=2, n_bootstrap=4,
                                random_state=seed)
    selection, model = segmentation.selection, segmentation.model
    model.save(paths["model"])
    with atomic_write(paths["selection"], "w", newline="") as handle:
        selection.to_csv(handle)
    step(f"chose k = {selection.recommended_k} ({selection.rule})")

    from survey_builder.readers import read_responses

    from ..personas import behaviour_answers, with_answers

    # purchase frequency, spend, channels, triggers, choice drivers: in the responses only
    answers = behaviour_answers(read_responses(paths["responses"], codebook), codebook)
    described = with_answers(scores, answers, codebook.id_column, source=str(paths["responses"]))
    personas = make_personas(segmentation, features, scores=described, codebook=codebook)
    save_personas(personas, paths["personas"])
    write_overrides_template(personas, paths["overrides"])
    from ..export import write_persona_sheet

    write_persona_sheet(personas, paths["sheet"], title="Customer personas (demo)")
    for p in personas:
        echo(f"    {p.share:5.1%}  {p.name} — {p.tagline}")
    step(f"personas written to {paths['personas']}")
    return paths


@click.command("demo")
@click.option("--out", "out_dir", default="demo-output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the questionnaire, responses, scores, model and personas.")
@click.option("-n", "n_samples", default=5000, show_default=True,
              type=click.IntRange(min=100), help="Respondents to simulate.")
@click.option("--personas", "n_personas", default=5, show_default=True,
              type=click.IntRange(2, 8), help="Planted personas.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Build everything but do not start the server.")
def demo_command(out_dir: Path, n_samples: int, n_personas: int, seed: int, host: str,
                 port: int, no_serve: bool) -> None:
    """Questionnaire -> simulated answers -> scores -> segments -> personas -> dashboard.

    \b
    Example:
      dash-personas demo --out demo-output
      dash-personas demo --no-serve      # build the files only
    """
    paths = build_demo(out_dir, n_samples, n_personas, seed)
    click.echo(f"Serve it again later with: dash-personas serve --personas {paths['personas']} "
               f"--data {paths['scores']}")
    if no_serve:
        return
    from ..app import create_app
    from ..personas import load_personas
    from .serve import run_dashboard

    app = create_app(load_personas(paths["personas"]), title="Customer personas (demo)")
    run_dashboard(app, host, port)
