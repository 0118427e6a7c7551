"""``dash-personas export``: hand a segmentation over in portable formats."""

from __future__ import annotations

from pathlib import Path

import click

#: Format -> what the source is.
FORMATS = {"sql": "model or typing tool", "pptx": "personas", "pdf": "personas"}


def check_writable(out: Path) -> None:
    """Refuse an ``--out`` that cannot be written before any work is done.

    Raises
    ------
    UserError
        ``out`` is a directory, or a parent is a file or not writable.
    """
    import os

    from survey_builder.errors import UserError

    if out.is_dir():
        raise UserError(f"{out}: --out is a directory; give a file name")
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"{out}: cannot write there, {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"{out}: cannot write there, {parent} is not writable")


@click.command("export")
@click.argument("source", metavar="SOURCE", type=click.Path(path_type=Path))
@click.option("--format", "format_", required=True, metavar="FORMAT",
              help="What to write: sql (one SELECT assigning each row of --table, from a "
                   "model or typing tool), pptx (the persona deck) or pdf (the print-ready "
                   "persona sheet), from a personas file.")
@click.option("--table", help="SQL: the table or view holding the model's columns "
              "(schema.table allowed; missing answers as NULL).")
@click.option("--id-column", default="id", show_default=True,
              help="SQL: the column returned next to the segment.")
@click.option("--study", metavar="STUDY",
              help="pptx: a tracking study (path or SQLAlchemy URL); adds the share-timeline "
                   "and migration slides.")
@click.option("--wave", metavar="LABEL",
              help="pptx with --study: the wave marked and migrated into (default: latest).")
@click.option("--typing-tool", type=click.Path(path_type=Path),
              help="pptx: a typing tool (typing-tool --out); its accuracy goes on the "
                   "methods slide.")
@click.option("--title", default="Customer personas", show_default=True,
              help="pptx/pdf: the title of the deck or sheet.")
@click.option("--paper", metavar="A4|Letter",
              help="pdf: the paper size.  [default: A4]")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Where to write the export.")
def export_command(source: Path, format_: str, table: str | None, id_column: str,
                   study: str | None, wave: str | None, typing_tool: Path | None, title: str,
                   paper: str | None, out: Path) -> None:
    """Export a segmentation so that other systems and people can use it.

    --format sql writes one standard-SQL query, SELECT <id>, <CASE ...> AS segment
    FROM <table>, that computes the k-prototypes distance of every row to every
    prototype and picks the nearest, exactly like `dash-personas assign` with the
    model: a data warehouse can assign segments without Python. A typing tool's
    query reads only its golden questions.

    --format pptx writes the persona deck from a personas file (16:9, editable text):
    a title slide, one slide per persona, the comparison charts, the methods. --format
    pdf writes the persona sheet for print, one persona per page. Both need the
    "export" extra and Chromium.

    \b
    Examples:
      dash-personas export model.json --format sql --table crm.customers \\
          --id-column customer_id --out assign.sql
      dash-personas export personas.json --format pptx --typing-tool tool.json \\
          --out personas.pptx
      dash-personas export personas.json --format pdf --paper Letter --out personas.pdf
    """
    from survey_builder.errors import UserError

    if format_ not in FORMATS:
        raise UserError(f"unknown export format {format_!r}; choose one of: "
                        + ", ".join(f"{name} ({what})" for name, what in FORMATS.items()))
    only = {"--table": (table, "sql"), "--study": (study, "pptx"), "--wave": (wave, "pptx"),
            "--typing-tool": (typing_tool, "pptx"), "--paper": (paper, "pdf")}
    for option, (value, applies_to) in only.items():
        if value is not None and format_ != applies_to:
            raise UserError(f"{option} applies to --format {applies_to} only")
    check_writable(out)
    if format_ == "sql":
        _export_sql(source, table, id_column, out)
        return
    from ..export import ExportError, browser_path, paper_size

    paper = paper_size(paper or "A4")
    try:
        browser_path()  # before the work: a missing browser is said at once
        if format_ == "pptx":
            _export_deck(source, study, wave, typing_tool, title, out)
        else:
            _export_pdf(source, paper, title, out)
    except ExportError as exc:
        raise UserError(str(exc)) from None


def _export_sql(source: Path, table: str | None, id_column: str, out: Path) -> None:
    from survey_builder.atomic import write_text_atomic
    from survey_builder.errors import UserError

    if table is None:
        raise UserError("--format sql needs --table (the table holding the model's columns)")
    from ..activation import load_segmentation
    from ..segmentation import TypingTool, model_to_sql

    assigner, _ = load_segmentation(source)
    if isinstance(assigner, TypingTool):  # only the golden questions are read
        model, features = assigner.model, assigner.questions
    else:
        model, features = assigner, None
    write_text_atomic(out, model_to_sql(model, table, id_column=id_column, features=features))
    click.echo(f"SQL assigning {model.prototypes_.n_clusters} segments written to {out}")


def _export_deck(source: Path, study: str | None, wave: str | None,
                 typing_tool: Path | None, title: str, out: Path) -> None:
    from survey_builder.errors import UserError

    from ..deck import write_persona_deck
    from ..personas import load_personas

    if wave is not None and study is None:
        raise UserError("--wave needs --study (the study the wave belongs to)")
    personas = load_personas(source)
    from pptx import Presentation

    write_persona_deck(personas, out, study=study, wave=wave, typing_tool=typing_tool,
                       title=title)
    n_slides = len(Presentation(str(out)).slides)
    click.echo(f"Deck of {len(personas)} personas ({n_slides} slides) written to {out}")


def _export_pdf(source: Path, paper: str, title: str, out: Path) -> None:
    from ..personas import load_personas
    from ..print_sheet import write_persona_sheet_pdf

    personas = load_personas(source)
    write_persona_sheet_pdf(personas, out, paper=paper, title=title)
    click.echo(f"Persona sheet ({len(personas)} pages, {paper}) written to {out}")
