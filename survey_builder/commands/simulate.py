"""``survey-builder simulate``: synthetic respondents from planted personas."""

from __future__ import annotations

import click

FORMATS = ("canonical", "odk", "surveyjs", "redcap")
#: Options of a single simulation that a wave plan decides instead (parameter: option).
_PLAN_SETS = {"n": "-n", "personas": "--personas", "labels_out": "--labels-out",
              "grid_straightliners": "--grid-straightliners", "incidence": "--incidence",
              "timing": "--timing", "speeders": "--speeders"}


@click.command("simulate")
@click.argument("spec", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-n", "--respondents", "n", type=click.IntRange(min=1), default=2000,
              show_default=True, help="Number of respondents.")
@click.option("--personas", type=click.IntRange(min=1), default=4, show_default=True,
              help="Number of planted personas.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed (same seed, same data).")
@click.option("--out", "-o", default="-", show_default=True,
              type=click.Path(allow_dash=True),
              help="Response file; '-' writes to standard output. With --waves: the "
                   "directory of the wave files.")
@click.option("--labels-out", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Planted truth (respondent_id,persona,straightliner, and screened_out "
                   "and speeder when planted). Default: "
                   "<out stem>.planted.csv next to --out; none when --out is '-'.")
@click.option("--grid-straightliners", type=click.FloatRange(0, 1), default=0.0,
              show_default=True,
              help="Share of respondents who also straight-line some Likert grids (each "
                   "grid with a 60 %% chance), marked in the planted truth.")
@click.option("--incidence", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Share of respondents who pass the spec's screening questions "
                   "(terminate_if), planted exactly; screen-outs are marked in the planted "
                   "truth (default: as the answers fall).")
@click.option("--timing", is_flag=True,
              help="Add started_at/ended_at interview times, with planted speeders "
                   "(--speeders of the completes) marked in the planted truth.")
@click.option("--speeders", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="With --timing: share of the completes who speed through.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="canonical",
              show_default=True,
              help="Write the canonical layout, or shape the data like an ODK/Kobo CSV, a "
                   "SurveyJS result JSON or a REDCap CSV export (to exercise the importers).")
@click.option("--waves", "plan", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Simulate the waves of this plan (YAML/JSON, see below) into the "
                   "directory --out instead of one response file.")
@click.option("--quiet", "-q", is_flag=True, help="No summary on standard error.")
@click.pass_context
def simulate_command(ctx: click.Context, spec: str, n: int, personas: int, seed: int,
                     out: str, labels_out: str | None, grid_straightliners: float,
                     incidence: float | None, timing: bool, speeders: float,
                     output_format: str, plan: str | None, quiet: bool) -> None:
    """Simulate respondents to SPEC drawn from planted personas.

    Each persona has its own ASPECTS profile (a latent score per scale), correlated
    behaviour (frequency, spend, lifespan, channels), demographics and journey-stage mix.
    Items are latent score plus noise, reverse-keyed items flipped, rounded to the Likert
    points. Some non-required answers are missing, questions hidden by their relevance
    condition are blank, a few respondents fail attention checks or straight-line.

    The responses use the canonical column layout of the codebook (one column per question
    or grid row, multiple choice as q__option 0/1 columns); the planted persona of every
    respondent goes to a separate file so that it can be compared with a segmentation,
    with whether they were planted as a straight-liner (to measure the flag's recall).
    Output is deterministic for a given --seed.

    With --waves PLAN, a sequence of waves is drawn from one population that changes
    as the plan says, into the directory --out: one <label>.csv per wave (.json for
    --format surveyjs) and truth.json (per wave: the planted persona of every
    respondent, planted and realised shares, the panel's transition matrix and counts,
    which persona split or emerged). The plan sets the number of personas and
    respondents, so -n, --personas and --labels-out do not apply. A plan:

    \b
      personas: 4                  # planted personas of wave 1, numbered 1..4
      respondents: 2000            # per wave, unless a wave says otherwise
      waves:
        - label: 2026-Q1           # names the file; letters, digits, . _ -
          shares: {1: 0.4, 2: 0.3, 3: 0.2, 4: 0.1}     # default: equal
        - label: 2026-Q2           # nothing said: shares as before (no change)
          panel: {share: 0.4}      # 40 % re-interviewed from the previous wave, ids kept
        - label: 2026-Q3
          shares: {1: 0.25, 2: 0.45, 3: 0.2, 4: 0.1}   # shares of new respondents
          panel: {share: 0.4, moves: {1: {2: 0.3}}}    # 30 % of 1's panel moves to 2
        - label: 2026-Q4           # 3 splits into two nearby profiles, new personas 5, 6
          split: {persona: 3, into: [5, 6], distance: 1.5}
        - label: 2027-Q1           # a new persona with 15 % of the new respondents
          respondents: 2500
          emerge: {persona: 7, share: 0.15}

    Panel moves not listed stay; panel members answer afresh from the persona they are
    in now. Shares given must name every persona of that wave.

    \b
    Examples:
      survey-builder simulate survey.yaml -n 2000 --personas 4 --seed 0 --out responses.csv
      survey-builder simulate survey.yaml -n 500 --format odk --out kobo_export.csv
      survey-builder simulate survey.yaml -n 100 --out - | head
      survey-builder simulate survey.yaml --waves plan.yaml --out waves/
    """
    from pathlib import Path

    from ..atomic import atomic_write
    from ..errors import SurveyError
    from ..readers import write_responses
    from ..simulate import (
        PERSONA_COLUMN,
        SimulationSettings,
        default_labels_path,
        simulate_with_truth,
    )
    from ..spec import ID_COLUMN, load_survey

    survey = load_survey(spec)
    if plan is not None:
        fixed = [option for name, option in _PLAN_SETS.items()
                 if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if fixed:
            raise SurveyError(f"{fixed[0]} does not apply with --waves (the plan sets personas "
                              "and respondents; the planted personas go to truth.json)",
                              field=fixed[0])
        if out == "-":
            raise SurveyError("--waves writes a directory: give it with --out", field="--out")
        _simulate_waves(survey, plan, seed, out, output_format, quiet)
        return
    if Path(out).is_dir():
        raise SurveyError(f"{out} is a directory (a directory is for --waves)", field="--out")
    simulated = simulate_with_truth(
        survey, n, personas, seed,
        settings=SimulationSettings(grid_straightliner_rate=grid_straightliners,
                                    incidence=incidence, interview_times=timing,
                                    speeder_rate=speeders))
    responses, planted = simulated.responses, simulated.personas
    if labels_out is None and out != "-":
        labels_out = str(default_labels_path(out))
    if labels_out is not None and labels_out != "-" and out != "-" and (
            Path(labels_out).resolve() == Path(out).resolve()):
        raise SurveyError("--labels-out must differ from --out", field="--labels-out")
    write_responses(responses, survey, out, output_format)
    if labels_out is not None:
        table = responses[[ID_COLUMN]].assign(**{
            PERSONA_COLUMN: planted.to_numpy(),
            simulated.straightliners.name: simulated.straightliners.to_numpy()})
        for truth in (simulated.screened_out, simulated.speeders):
            if truth is not None and (truth.any() or truth is simulated.speeders):
                table[truth.name] = truth.to_numpy()
        with atomic_write(labels_out, "w", newline="") as handle:
            table.to_csv(handle, index=False, lineterminator="\n")
    if not quiet:
        sizes = planted.value_counts().sort_index()
        mix = ", ".join(f"{k}: {v}" for k, v in sizes.items())
        where = "standard output" if out == "-" else out
        message = (f"simulated {n} respondents from {personas} personas ({mix}), seed {seed}, "
                   f"{output_format} layout -> {where}")
        if labels_out is not None:
            target = "standard output" if labels_out == "-" else labels_out
            message += f"; planted labels -> {target}"
        click.echo(message, err=True)


def _simulate_waves(survey: object, plan: str, seed: int, out: str, output_format: str,
                    quiet: bool) -> None:
    """``--waves``: every wave of the plan and the truth into the directory ``out``."""
    from pathlib import Path

    from ..simulate_waves import load_wave_plan, simulate_waves, write_waves

    if Path(out).exists() and not Path(out).is_dir():
        from ..errors import SurveyError

        raise SurveyError(f"{out} is a file; --waves writes a directory", field="--out")
    waves = simulate_waves(survey, load_wave_plan(plan), seed)
    written = write_waves(waves, survey, out, output_format)
    if not quiet:
        for wave, path in zip(waves.waves, written):
            mix = ", ".join(f"{p}: {s:.0%}" for p, s in wave.shares.items())
            notes = [f"panel {wave.panel['n']} from {wave.panel['from_wave']}"
                     if wave.panel else "", "unchanged" if wave.unchanged else "",
                     f"persona {wave.split['persona']} split" if wave.split else "",
                     f"persona {wave.emerged['persona']} emerged" if wave.emerged else ""]
            extra = "; ".join(n for n in notes if n)
            click.echo(f"{wave.label}: {len(wave.responses)} respondents ({mix})"
                       + (f"; {extra}" if extra else "") + f" -> {path}", err=True)
        click.echo(f"truth -> {written[-1]} (seed {seed})", err=True)
