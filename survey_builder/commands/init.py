"""``survey-builder init``: write a starting spec from the built-in item bank."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.option("--template", default="aspects", show_default=True,
              help="Starting point: 'aspects' (consumers, all six ASPECTS dimensions) or "
                   "'b2b' (business buyers).")
@click.option("--modules", default=None, metavar="LIST",
              help="Comma-separated layer modules: demographics, behaviour, clv, journey, "
                   "technographic, firmographic, attention. Default: the template's. "
                   "Pass '' for none.")
@click.option("--languages", default="en,es", show_default=True, metavar="LIST",
              help="Comma-separated languages; the first is the default language.")
@click.option("--dimensions", default=None, metavar="LIST",
              help="Keep only these ASPECTS dimensions (default: the template's scales).")
@click.option("--title", default=None, help="Survey title (used for every language).")
@click.option("--id", "survey_id", default=None,
              help="Survey id (default: derived from the title).")
@click.option("--out", "-o", "out", default="survey.yaml", show_default=True,
              help="Output file (.yaml/.yml, or .json); '-' writes to stdout.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def init_command(template: str, modules: str | None, languages: str, dimensions: str | None,
                 title: str | None, survey_id: str | None, out: str, force: bool) -> None:
    """Write a ready-to-edit questionnaire spec from the item bank.

    \b
    Example:
      survey-builder init --template aspects \\
          --modules demographics,behaviour,journey,clv --languages en,es \\
          --title "Brand study 2025" --out survey.yaml
    """
    from ..compose import compose_survey, parse_list
    from ..errors import SurveyError
    from ..spec import dump_survey, survey_from_dict

    if out != "-" and Path(out).exists() and not force:
        raise SurveyError(f"{out} already exists (use --force to overwrite)", field="--out")
    document = compose_survey(
        template,
        None if modules is None else parse_list(modules),
        parse_list(languages),
        title=title,
        survey_id=survey_id,
        dimensions=None if dimensions is None else parse_list(dimensions),
    )
    survey = survey_from_dict(document, source=f"template {template!r}")
    dump_survey(survey, out)
    if out != "-":
        click.echo(f"wrote {out}: {len(survey.sections)} sections, "
                   f"{sum(1 for _ in survey.iter_questions())} questions "
                   f"({survey.items_summary()}), {len(survey.scales)} scales, languages "
                   f"{', '.join(survey.languages)}", err=True)
