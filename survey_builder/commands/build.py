"""``survey-builder build``: export a spec to questionnaire formats plus ``codebook.json``."""

from __future__ import annotations

from pathlib import Path

import click

FORMATS = ("xlsform", "surveyjs", "redcap", "html", "markdown")


def _formats(value: str) -> list[str]:
    from ..compose import parse_list
    from ..errors import SurveyError

    names = parse_list(value)
    if not names:
        raise SurveyError("give at least one format", field="--format")
    out: list[str] = []
    for name in names:
        expanded = list(FORMATS) if name == "all" else [name]
        for fmt in expanded:
            if fmt not in FORMATS:
                raise SurveyError(f"unknown format {fmt!r} (choose from "
                                  f"{', '.join(FORMATS)} or all)", field="--format")
            if fmt not in out:
                out.append(fmt)
    return out


def build_outputs(spec_path: str, formats: list[str], out_dir: Path,
                  languages: list[str] | None = None) -> list[Path]:
    """Export ``spec_path`` in ``formats`` into ``out_dir``, all or nothing.

    Everything is written to a staging directory next to ``out_dir`` first and moved into
    place only when every exporter succeeded, so a failure leaves no partial output.

    Returns
    -------
    list of Path
        Files written, ``codebook.json`` last.
    """
    import contextlib
    import os
    import shutil
    import tempfile
    import warnings

    from ..codebook import build_codebook, write_codebook
    from ..errors import SurveyError
    from ..exporters import get_exporter
    from ..spec import load_survey

    survey = load_survey(spec_path)
    exporters = [(fmt, get_exporter(fmt)) for fmt in formats]  # fail before writing
    if out_dir.exists() and not out_dir.is_dir():
        raise SurveyError(f"{out_dir} exists and is not a directory", field="--out")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))
    try:
        staged: list[Path] = []
        for fmt, export in exporters:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                written = export(survey, staging, languages=languages)
            for warning in caught:
                click.echo(f"warning ({fmt}): {warning.message}", err=True)
            staged.extend(Path(p) for p in written)
        staged.append(write_codebook(build_codebook(survey), staging / "codebook.json"))
        out_dir.mkdir(parents=True, exist_ok=True)
        final: list[Path] = []
        for path in staged:
            relative = path.resolve().relative_to(staging.resolve())
            target = out_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            final.append(target)
        return final
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)


@click.command("build")
@click.argument("spec", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "-f", "fmt", default="all", show_default=True, metavar="LIST",
              help="Comma-separated: xlsform, surveyjs, redcap, html, markdown, or all.")
@click.option("--out", "-o", "out", default="build", show_default=True,
              type=click.Path(file_okay=False), help="Output directory.")
@click.option("--languages", default=None, metavar="LIST",
              help="Comma-separated languages to export (default: all of the spec's).")
def build_command(spec: str, fmt: str, out: str, languages: str | None) -> None:
    """Export SPEC as questionnaire file(s) plus codebook.json into a directory.

    The codebook describes every column of the response file (see `simulate` and
    `score`). Output is all-or-nothing: if one export fails nothing is written.

    \b
    Examples:
      survey-builder build survey.yaml --format all --out build/
      survey-builder build survey.yaml --format xlsform,html --languages es --out es/
    """
    from ..compose import parse_list

    formats = _formats(fmt)
    langs = parse_list(languages) if languages is not None else None
    written = build_outputs(spec, formats, Path(out), langs)
    for path in written:
        click.echo(str(path))
    from ..spec import load_survey

    minutes = load_survey(spec).estimated_minutes() if spec != "-" else None
    if minutes is not None:
        click.echo(f"length: about {minutes:.0f} minutes (every question shown)", err=True)
