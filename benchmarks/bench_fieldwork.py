"""How long does the daily fieldwork report take on 100k responses?

Simulates ``--respondents`` answers to the fieldwork test spec (screening at 55 % incidence,
interview times with speeders), writes them as the canonical CSV, then times, each the median
of ``--repeat`` runs in this process:

* ``pandas.read_csv`` of the file — the reference: the bare cost of touching the data;
* :func:`survey_builder.readers.read_responses` — the validated read the command does;
* :func:`survey_builder.fieldwork.fieldwork_report` — screen-outs, quota cells (in completion
  order), lengths, speeders, straight-liners and attention checks, vectorised;
* the per-respondent alternative: the scalar evaluator :func:`survey_builder.expressions.evaluate`
  on every screening rule and quota cell, one respondent at a time (timed on a sample of
  ``--loop-sample`` rows and scaled up).

Run: ``python benchmarks/bench_fieldwork.py [--respondents 100000] [--repeat 3]``. Prints the
wall and CPU times and the CPU ratios to the reference; nothing is asserted (wall time on a
shared machine is noisy).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPEC = ROOT / "tests" / "survey_builder" / "data" / "survey_fieldwork.yaml"


def median_time(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in seconds (on a shared
    machine the CPU time is the steadier of the two)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-sample", type=int, default=5_000)
    args = parser.parse_args()

    import pandas as pd

    from survey_builder import expressions as ex
    from survey_builder.fieldwork import fieldwork_report
    from survey_builder.readers import read_responses, write_responses
    from survey_builder.simulate import SimulationSettings, simulate_with_truth
    from survey_builder.spec import load_survey, screenout_conditions

    survey = load_survey(SPEC)
    n = args.respondents
    simulated = simulate_with_truth(survey, n, 4, seed=0, settings=SimulationSettings(
        incidence=0.55, interview_times=True))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "responses.csv"
        write_responses(simulated.responses, survey, path)
        size = path.stat().st_size / 1e6
        raw = median_time(lambda: pd.read_csv(path), args.repeat)
        read = median_time(lambda: read_responses(path, survey), args.repeat)
        frame = read_responses(path, survey)
    report_time = median_time(lambda: fieldwork_report(survey, frame), args.repeat)
    report = fieldwork_report(survey, frame)

    rules = [rule for _, rule in screenout_conditions(survey)]
    rules += [cell.when for quota in survey.quotas for cell in quota.cells]
    sample = frame.head(args.loop_sample).to_dict("records")
    parsed = [ex.parse(rule) for rule in rules]

    def loop() -> None:
        for answers in sample:
            for tree in parsed:
                ex.evaluate(tree, answers)

    loop_time = tuple(t * n / len(sample) for t in median_time(loop, 1))

    print(f"fieldwork report on {n:,} responses ({size:.1f} MB CSV, {report.completes:,} "
          f"completes, incidence {report.incidence:.1%}, {len(report.cells)} quota cells)")
    rows = [("pandas.read_csv (reference)", raw), ("read_responses (validated)", read),
            ("fieldwork_report", report_time),
            ("read_responses + fieldwork_report",
             (read[0] + report_time[0], read[1] + report_time[1])),
            (f"per-respondent evaluate, rules only (from {len(sample):,} rows)", loop_time)]
    print(f"  {'':<58} {'wall':>8} {'cpu':>8}   cpu / read_csv")
    for label, (wall, cpu) in rows:
        print(f"  {label:<58} {wall:7.2f}s {cpu:7.2f}s   {cpu / raw[1]:6.1f}x")
    print(f"  the whole vectorised report vs the per-respondent rules alone: "
          f"{loop_time[1] / report_time[1]:.0f}x less CPU")


if __name__ == "__main__":
    main()
