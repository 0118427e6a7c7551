"""Deliverables benchmark: the persona deck and the print sheet of 8 personas.

Measures, in one process on the same personas:

* the reference: one ``export_figure`` call (the segment-sizes chart to PNG: kaleido
  starts Chromium, renders one figure and stops it);
* ``persona_deck`` for 8 personas (title, 8 persona slides, 5 chart slides, methods;
  the charts and avatars rendered in one Chromium session) — target <= 10 s;
* ``persona_sheet_pdf`` (Chromium prints the HTML sheet, A4, one persona per page).

Each time is printed with its ratio to the reference, which is what to compare across
machines (starting Chromium dominates both). Exits 1 when the deck takes more than 10 s.

Run: ``.venv/bin/python benchmarks/bench_deck.py [--respondents N] [--repeat R]``
(needs the "export" extra and Chromium: ``tools/install-chromium.sh``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N_PERSONAS = 8
DECK_LIMIT_S = 10.0


def _personas(n_respondents: int):
    from dash_personas.pipeline import run_pipeline
    from survey_builder.codebook import build_codebook
    from survey_builder.compose import compose_survey
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses
    from survey_builder.spec import survey_from_dict

    survey = survey_from_dict(compose_survey("aspects", ["demographics", "behaviour", "journey",
                                                         "clv"], languages=["en"]))
    responses, _ = simulate_responses(survey, n_respondents, N_PERSONAS, 0)
    scores = score_responses(survey, responses).scores
    return run_pipeline(scores, codebook=build_codebook(survey), k=N_PERSONAS, n_init=2,
                        random_state=0).personas


def _time(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1, help="median of this many runs")
    args = parser.parse_args(argv)

    from pptx import Presentation

    from dash_personas.deck import persona_deck
    from dash_personas.export import export_figure
    from dash_personas.figures import segment_sizes
    from dash_personas.print_sheet import persona_sheet_pdf

    people = _personas(args.respondents)
    with tempfile.TemporaryDirectory() as work:
        png = Path(work) / "sizes.png"
        reference = _time(lambda: export_figure(segment_sizes(people), png), args.repeat)
    deck: dict[str, bytes] = {}
    deck_s = _time(lambda: deck.update(pptx=persona_deck(people)), args.repeat)
    pdf_s = _time(lambda: persona_sheet_pdf(people, paper="A4"), args.repeat)
    import io

    n_slides = len(Presentation(io.BytesIO(deck["pptx"])).slides)
    print(f"{len(people)} personas, {n_slides} slides, {len(deck['pptx']) / 1e6:.1f} MB")
    print(f"one export_figure call (reference)  {reference:6.2f} s   1.00x")
    print(f"persona deck (pptx)                 {deck_s:6.2f} s  {deck_s / reference:5.2f}x"
          f"   target <= {DECK_LIMIT_S:.0f} s: {'ok' if deck_s <= DECK_LIMIT_S else 'OVER'}")
    print(f"persona sheet (pdf, A4)             {pdf_s:6.2f} s  {pdf_s / reference:5.2f}x")
    return 0 if deck_s <= DECK_LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
