"""``dash-personas personas``: turn a fitted model and scored respondents into personas."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("personas")
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.argument("scores_path", metavar="SCORES", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the personas (versioned JSON).")
@click.option("--codebook", "codebook_path", type=click.Path(path_type=Path),
              help="survey-builder codebook.json or the survey spec, for labels and guidelines "
                   "(default: the codebook beside SCORES, e.g. scores.codebook.json).")
@click.option("--overrides", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML/JSON analyst edits, matched to segments by prototype.")
@click.option("--overrides-template", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an editable overrides file for these personas.")
@click.option("--sheet", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML persona sheet.")
@click.option("--language", default=None, help="Language of codebook texts.")
@click.option("--answers", "answers_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The responses SCORES was scored from (any format survey-builder reads), "
                   "for scores written without the behaviour answers (before survey-builder "
                   "score carried them): purchase frequency, spend, channels, triggers and "
                   "choice drivers, matched by respondent id.")
@click.option("--weight", "weight", metavar="COLUMN",
              help="Column of survey weights in SCORES (default: the column the model was "
                   "fitted with, if any).")
@click.option("--min-base", default=30.0, show_default=True, type=click.FloatRange(min=0),
              help="Effective base under which a persona or answer is flagged as too small "
                   "to read.")
@click.option("--correction", default="holm", show_default=True,
              type=click.Choice(["holm", "fdr_bh"]),
              help="Multiple-comparison correction of the significance markers "
                   "(Holm, or Benjamini-Hochberg).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Profile on this Dask scheduler (e.g. tcp://host:8786); SCORES is then "
              "Parquet or CSV files (a glob such as 'crm/*.parquet') holding the model's "
              "columns and the columns to describe.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Profile on a local Dask cluster of this many worker processes.")
def personas_command(model_path: Path, scores_path: Path, out: Path, codebook_path: Path | None,
                     overrides: Path | None, overrides_template: Path | None, sheet: Path | None,
                     language: str | None, weight: str | None, min_base: float,
                     correction: str, answers_path: Path | None = None,
                     scheduler: str | None = None, workers: int | None = None) -> None:
    """Build personas from MODEL (dash-personas segment) and SCORES (a CSV).

    Labels, answer order, demographics and guideline texts come from the codebook that
    `survey-builder score` writes beside SCORES (scores.codebook.json); --codebook
    overrides it.

    \b
    Example:
      dash-personas personas model.json scores.csv --out personas.json
      dash-personas personas model.json scores.csv --out personas.json --overrides edits.yaml
      dash-personas personas model.json old_scores.csv --codebook survey.yaml --out p.json
      dash-personas personas model.json old_scores.csv --answers responses.csv --out p.json
      dash-personas personas model.json scores.csv --weight weight --out personas.json
      dash-personas personas model.json "crm/*.parquet" --codebook survey.yaml \
          --workers 4 --out personas.json
    """
    from survey_builder.codebook import load_codebook
    from survey_builder.errors import UserError
    from survey_builder.scores import read_scores

    from ..personas import build_personas, save_personas, write_overrides_template
    from ..pipeline import read_weights
    from ..segmentation import KPrototypes, model_frame

    options = dict(overrides=overrides, language=language, min_base=min_base,
                   correction=correction)
    if scheduler is not None or workers is not None:
        from ._on_dask import personas_on_dask

        if answers_path is not None:
            raise UserError("--answers matches responses in memory; on Dask put the "
                            "behaviour columns in SCORES", field="--answers")
        personas = personas_on_dask(model_path, str(scores_path), codebook_path, weight,
                                    options, scheduler, workers)
    else:
        if scores_path.is_dir():
            raise UserError(f"{scores_path} is a directory; SCORES is a CSV file (a "
                            "directory of Parquet files only with --scheduler or --workers)",
                            str(scores_path))
        model = KPrototypes.load(model_path)  # a ModelFileError (a UserError) names the file
        table = read_scores(scores_path)
        scores = table.frame
        data = model_frame(model, scores, source=str(scores_path))
        weight = weight or getattr(model, "weight_column_", None)
        if weight:
            read_weights(scores, weight, source=str(scores_path))  # names the file and column
        codebook = load_codebook(codebook_path) if codebook_path else table.codebook
        if codebook is None:
            click.echo(f"Note: {table.note}: showing column names; pass --codebook survey.yaml",
                       err=True)
        if answers_path is not None:
            scores = _with_answers(scores, answers_path, codebook)
        personas = build_personas(model, data, codebook, scores=scores, sample_weight=weight,
                                  **options)
    save_personas(personas, out)
    for p in personas:
        click.echo(f"{p.id}  {p.share:6.1%}  {p.name} — {p.tagline}")
    click.echo(f"Personas written to {out}")
    if overrides_template:
        write_overrides_template(personas, overrides_template)
        click.echo(f"Overrides template written to {overrides_template}")
    if sheet:
        from ..export import write_persona_sheet

        write_persona_sheet(personas, sheet)
        click.echo(f"Persona sheet written to {sheet}")


def _with_answers(scores, answers_path: Path, codebook):
    """``scores`` plus the behaviour answers of ``answers_path`` (by respondent id)."""
    from survey_builder.errors import UserError
    from survey_builder.readers import read_responses

    from ..personas import behaviour_answers, with_answers

    if codebook is None:
        raise UserError("--answers needs the questionnaire's codebook: pass --codebook "
                        "survey.yaml", file=str(answers_path))
    responses = read_responses(answers_path, codebook, allow_extra_columns=True)
    return with_answers(scores, behaviour_answers(responses, codebook), codebook.id_column,
                        source=str(answers_path))
