"""``dash-personas export``: hand a segmentation over in portable formats."""

from __future__ import annotations

from pathlib import Path

import click

FORMATS = ("sql",)


@click.command("export")
@click.argument("source", metavar="MODEL_OR_TOOL",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "format_", required=True, metavar="FORMAT",
              help="What to write: sql (one SELECT assigning each row of --table).")
@click.option("--table", help="SQL: the table or view holding the model's columns "
              "(schema.table allowed; missing answers as NULL).")
@click.option("--id-column", default="id", show_default=True,
              help="SQL: the column returned next to the segment.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the export.")
def export_command(source: Path, format_: str, table: str | None, id_column: str,
                   out: Path) -> None:
    """Export a model (or a typing tool) so that other systems can use it.

    --format sql writes one standard-SQL query, SELECT <id>, <CASE ...> AS segment
    FROM <table>, that computes the k-prototypes distance of every row to every
    prototype and picks the nearest, exactly like `dash-personas assign` with the
    model: a data warehouse can assign segments without Python. A typing tool's
    query reads only its golden questions.

    \b
    Example:
      dash-personas export model.json --format sql --table crm.customers \\
          --id-column customer_id --out assign.sql
    """
    from survey_builder.atomic import write_text_atomic
    from survey_builder.errors import UserError

    if format_ not in FORMATS:
        raise UserError(f"unknown export format {format_!r}; choose one of: "
                        + ", ".join(FORMATS))
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
