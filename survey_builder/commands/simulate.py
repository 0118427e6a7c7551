"""``survey-builder simulate``: synthetic respondents from planted personas."""

from __future__ import annotations

import click

FORMATS = ("canonical", "odk", "surveyjs", "redcap")


@click.command("simulate")
@click.argument("spec", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-n", "--respondents", "n", type=click.IntRange(min=1), default=2000,
              show_default=True, help="Number of respondents.")
@click.option("--personas", type=click.IntRange(min=1), default=4, show_default=True,
              help="Number of planted personas.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed (same seed, same data).")
@click.option("--out", "-o", default="-", show_default=True,
              type=click.Path(dir_okay=False, allow_dash=True),
              help="Response file; '-' writes to standard output.")
@click.option("--labels-out", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Planted persona labels (respondent_id,persona). Default: "
                   "<out stem>.planted.csv next to --out; none when --out is '-'.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="canonical",
              show_default=True,
              help="Write the canonical layout, or shape the data like an ODK/Kobo CSV, a "
                   "SurveyJS result JSON or a REDCap CSV export (to exercise the importers).")
@click.option("--quiet", "-q", is_flag=True, help="No summary on standard error.")
def simulate_command(spec: str, n: int, personas: int, seed: int, out: str,
                     labels_out: str | None, output_format: str, quiet: bool) -> None:
    """Simulate respondents to SPEC drawn from planted personas.

    Each persona has its own ASPECTS profile (a latent score per scale), correlated
    behaviour (frequency, spend, lifespan, channels), demographics and journey-stage mix.
    Items are latent score plus noise, reverse-keyed items flipped, rounded to the Likert
    points. Some non-required answers are missing, questions hidden by their relevance
    condition are blank, a few respondents fail attention checks or straight-line.

    The responses use the canonical column layout of the codebook (one column per question
    or grid row, multiple choice as q__option 0/1 columns); the planted persona of every
    respondent goes to a separate file so that it can be compared with a segmentation.
    Output is deterministic for a given --seed.

    \b
    Examples:
      survey-builder simulate survey.yaml -n 2000 --personas 4 --seed 0 --out responses.csv
      survey-builder simulate survey.yaml -n 500 --format odk --out kobo_export.csv
      survey-builder simulate survey.yaml -n 100 --out - | head
    """
    from pathlib import Path

    from ..atomic import atomic_write
    from ..readers import write_responses
    from ..simulate import PERSONA_COLUMN, default_labels_path, simulate_responses
    from ..spec import ID_COLUMN, load_survey

    survey = load_survey(spec)
    responses, planted = simulate_responses(survey, n, personas, seed)
    if labels_out is None and out != "-":
        labels_out = str(default_labels_path(out))
    if labels_out is not None and labels_out != "-" and out != "-" and (
            Path(labels_out).resolve() == Path(out).resolve()):
        from ..errors import SurveyError

        raise SurveyError("--labels-out must differ from --out", field="--labels-out")
    write_responses(responses, survey, out, output_format)
    if labels_out is not None:
        table = responses[[ID_COLUMN]].assign(**{PERSONA_COLUMN: planted.to_numpy()})
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
