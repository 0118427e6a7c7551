"""``survey-builder fieldwork``: the daily fieldwork report (quotas, screen-outs, quality)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # pragma: no cover
    from ..spec import Survey

INPUT_FORMATS = ("auto", "canonical", "odk", "surveyjs", "redcap")
_RENDERERS = {".md": "to_markdown", ".markdown": "to_markdown", ".html": "to_html",
              ".htm": "to_html", ".json": "json"}


@click.command("fieldwork")
@click.argument("spec", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("responses", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--out", "-o", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the report here: .html, .md or .json (by the suffix); without "
                   "it the Markdown report goes to standard output.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the report as JSON on standard output.")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto",
              show_default=True, help="Format of RESPONSES (auto-detected by default).")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of RESPONSES.")
@click.option("--ignore-extra-columns", is_flag=True,
              help="Drop columns the codebook does not know instead of failing.")
@click.option("--speeder-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=1 / 3, show_default="1/3",
              help="A complete faster than this share of the median length is a speeder.")
def fieldwork_command(spec: str, responses: str, out: str | None, as_json: bool,
                      input_format: str, encoding: str, ignore_extra_columns: bool,
                      speeder_fraction: float) -> None:
    """Report fieldwork progress of RESPONSES against SPEC's quotas and screening.

    Completes per quota cell against the target (share reached, completes still needed),
    screen-outs (per screening question) and incidence, over-quota completes, the median
    interview length and speeders (with interview times), straight-liners and failed
    attention checks. RESPONSES is any format `score` reads; SPEC must be the spec (the
    quotas and screening rules live there, not in codebook.json).

    \b
    Examples:
      survey-builder fieldwork survey.yaml responses.csv
      survey-builder fieldwork survey.yaml kobo_export.csv --out fieldwork.html
      survey-builder fieldwork survey.yaml results.json --json > fieldwork.json
    """
    import json
    from pathlib import Path

    from ..atomic import write_text_atomic
    from ..errors import SurveyError, about_file
    from ..fieldwork import fieldwork_report
    from ..readers import read_responses

    if spec == "-" and responses == "-":
        raise SurveyError("SPEC and RESPONSES cannot both be read from standard input")
    renderer = None
    if out is not None and out != "-":
        renderer = _RENDERERS.get(Path(out).suffix.lower())
        if renderer is None:
            raise SurveyError(f"cannot tell the report format from {out!r}: use a .html, "
                              ".md or .json file", field="--out")
    survey = _load_spec(spec)
    frame = read_responses(responses, survey, input_format=input_format, encoding=encoding,
                           allow_extra_columns=ignore_extra_columns)
    with about_file(responses):
        report = fieldwork_report(survey, frame, speeder_fraction=speeder_fraction)
    json_text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2,
                           allow_nan=False) + "\n"
    if renderer is not None:
        text = json_text if renderer == "json" else getattr(report, renderer)()
        write_text_atomic(out, text)  # type: ignore[arg-type]
    if as_json:
        click.echo(json_text, nl=False)
    elif out is None or out == "-":
        click.echo(report.to_markdown(), nl=False)


def _load_spec(path: str) -> Survey:
    """The spec at ``path``; a codebook is refused with what to pass instead."""
    from ..errors import SurveyError
    from ..spec import load_survey

    if path != "-" and path.lower().endswith(".json"):
        import json

        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and "format" in data:
            raise SurveyError("this is a codebook; fieldwork needs the survey spec (its "
                              "screening rules and quotas are not in the codebook)", path, 1)
    try:
        return load_survey(path)
    except FileNotFoundError:
        raise SurveyError("no such file", path) from None
