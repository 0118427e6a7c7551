"""``dash-personas typing-tool`` and ``assign``: golden questions and new respondents."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("typing-tool")
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.argument("responses", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Where to write the typing tool (versioned JSON, model included); with "
              "--screener, a folder for the tool, its report and the screener files.")
@click.option("--max-questions", default=8, show_default=True, type=click.IntRange(min=1),
              help="Most questions the tool may ask.")
@click.option("--target-accuracy", default=0.9, show_default=True,
              type=click.FloatRange(0, 1), help="Stop adding questions once held-out "
              "accuracy reaches this.")
@click.option("--seed", default=0, show_default=True, help="Seed of the held-out split.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the CSV.")
@click.option("--screener", "screener_formats", metavar="FORMATS",
              help="Also write the golden questions as a screener that assigns the segment "
              "in the form: surveyjs, xlsform, redcap, excel (comma-separated) or all.")
@click.option("--codebook", "codebook_path", type=click.Path(path_type=Path),
              help="Codebook (or spec) for the screener's wording, codes and translations "
              "[default: the one beside RESPONSES].")
@click.option("--personas", "personas_path", type=click.Path(path_type=Path),
              help="Personas file: the screener names them [default: Segment 0, 1, ...].")
@click.option("--workbook", "workbook_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the Excel scoring workbook to this .xlsx file.")
def typing_tool_command(model_path: Path, responses: Path, out: Path, max_questions: int,
                        target_accuracy: float, seed: int, encoding: str,
                        screener_formats: str | None = None, codebook_path: Path | None = None,
                        personas_path: Path | None = None,
                        workbook_path: Path | None = None) -> None:
    """Choose the golden questions that put respondents in MODEL's segments.

    RESPONSES holds respondents with the model's columns (usually the data it was
    fitted on). Prints how accurate the tool is with 1, 2, ... questions, measured
    on respondents held out from the choice, and each segment's accuracy. MODEL may
    also be a typing tool: it is then reported and compiled as it is.

    With --screener, OUT is a folder holding typing.json, typing_report.txt,
    typing_confusion.csv and the screener: screener.surveyjs.json, screener.xlsx
    (XLSForm), screener_redcap.csv (REDCap) and scoring_workbook.xlsx (Excel), each
    computing `segment` and `persona` while the respondent answers. The folder is
    written all or nothing.

    \b
    Example:
      dash-personas typing-tool model.json scores.csv --max-questions 6 --out typing.json
      dash-personas typing-tool model.json scores.csv --screener all \\
          --personas personas.json --out screener/
      dash-personas assign typing.json new-wave.csv --out new-labels.csv
    """
    from survey_builder import read_scores
    from survey_builder.errors import UserError, about_file

    from ..activation import load_segmentation
    from ..segmentation import TypingTool

    formats = None
    if screener_formats is not None:
        from ..screener._write import parse_formats

        formats = parse_formats(screener_formats)  # fail before any work
        if out.exists() and not out.is_dir():
            raise UserError(f"{out} exists and is not a directory: with --screener, --out "
                            "names a folder", field="--out")
    elif out.is_dir():
        raise UserError(f"{out} is a directory; --out names the typing-tool file (a folder "
                        "only with --screener)", field="--out")
    assigner, _ = load_segmentation(model_path)
    table = read_scores(responses, encoding=encoding)
    if isinstance(assigner, TypingTool):
        tool = assigner
    else:
        with about_file(responses):  # a bad value in the data names the file
            tool = TypingTool.build(assigner, table.frame, max_questions=max_questions,
                                    target_accuracy=target_accuracy, random_state=seed)
    report = typing_report(tool)
    click.echo(report, nl=False)
    rule = None
    if formats is not None or workbook_path is not None:
        rule = _screener_rule(tool, table, codebook_path, personas_path)
    if formats is None:
        if workbook_path is not None:
            _write_workbook(rule, workbook_path)
        tool.save(out)
        click.echo(f"Typing tool written to {out}")
        return
    from ..screener import screener_files, write_screener

    files = {"typing.json": tool.to_json().encode(), "typing_report.txt": report.encode(),
             "typing_confusion.csv": _confusion_csv(tool).encode(),
             **screener_files(rule, formats)}
    written = write_screener(files, out)
    if workbook_path is not None:
        _write_workbook(rule, workbook_path)
    click.echo(f"Screener written to {out}/: " + ", ".join(p.name for p in written))


def typing_report(tool: object) -> str:
    """The accuracy curve, per-segment accuracy and confusion table, as printed."""
    import numpy as np

    from ..segmentation._profile import DEFAULT_MIN_BASE
    from ..segmentation._typing import held_out_text

    lines = ["questions  accuracy  added"]
    if len(tool.curve):
        for n_questions, row in tool.curve.iterrows():
            lines.append(f"{n_questions:>9}  {row['accuracy']:>8.1%}  {row['question']}")
    lines.append(f"{len(tool.questions)} golden questions (features) reproduce the segments "
                 f"of {tool.accuracy:.1%} of {held_out_text(tool)}.")
    if tool.held_out_base is not None and tool.held_out_base < DEFAULT_MIN_BASE:
        lines.append(f"Under the small base of {DEFAULT_MIN_BASE:g}: too few held-out "
                     "respondents to rely on these accuracies.")
    confusion = tool.confusion
    if confusion is None:
        lines.append("(this typing tool was saved without its confusion table)")
        return "\n".join(lines) + "\n"
    lines.append("Held-out respondents by segment (rows: full model, columns: typing tool):")
    width = max(6, len(str(int(confusion.to_numpy().max()))) + 1)
    lines.append("segment  " + "".join(f"{c:>{width}}" for c in confusion.columns)
                 + "  accuracy")
    for segment, counts in confusion.iterrows():
        share = tool.segment_accuracy[segment]
        shown = "n/a" if np.isnan(share) else f"{share:.1%}"
        lines.append(f"{segment:>7}  " + "".join(f"{n:>{width}}" for n in counts)
                     + f"  {shown:>8}")
    return "\n".join(lines) + "\n"


def _confusion_csv(tool: object) -> str:
    if tool.confusion is None:
        return ""
    table = tool.confusion.copy()
    table.columns = [f"typing_tool_segment_{c}" for c in table.columns]
    table["accuracy"] = tool.segment_accuracy
    return table.to_csv(lineterminator="\n")


def _screener_rule(tool: object, table: object, codebook_path: Path | None,
                   personas_path: Path | None) -> object:
    """The compiled screener: the codebook given or found, the personas' names."""
    import numpy as np

    from survey_builder import load_codebook
    from survey_builder.errors import UserError

    from ..screener import compile_screener

    codebook = load_codebook(codebook_path) if codebook_path is not None else table.codebook
    if codebook is None:
        raise UserError(f"the screener needs the questionnaire's codebook and {table.note}; "
                        "pass --codebook", field="--codebook")
    names = None
    k = tool.model.prototypes_.n_clusters
    if personas_path is not None:
        from ..activation import persona_names
        from ..personas import load_personas

        personas = load_personas(personas_path)
        if len(personas.personas) != k:
            raise UserError(f"the personas file describes {len(personas.personas)} segments "
                            f"but the model has {k}: it belongs to another segmentation",
                            file=str(personas_path))
        names = [str(n) for n in persona_names(personas, np.arange(k))]
    return compile_screener(tool, codebook, persona_names=names)


def _write_workbook(rule: object, path: Path) -> None:
    from survey_builder.atomic import write_bytes_atomic

    from ..screener import scoring_workbook

    write_bytes_atomic(path, scoring_workbook(rule))
    click.echo(f"Scoring workbook written to {path}")


@click.command("assign")
@click.argument("tool_path", metavar="TOOL_OR_MODEL",
                type=click.Path(path_type=Path))
@click.argument("responses", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Where to write one row per respondent: segments.csv or segments.parquet "
              "(a directory of Parquet files with --scheduler or --workers).")
@click.option("--personas", "personas_path", type=click.Path(path_type=Path),
              help="Personas file (from `dash-personas personas`): adds the persona name.")
@click.option("--id-column", help="Column identifying each customer [default: the first "
              "identifier column found, else the row number].")
@click.option("--email-column", help="Column of e-mail addresses: written only as "
              "email_sha256 (SHA-256 of the trimmed, lower-cased address).")
@click.option("--strict", is_flag=True,
              help="Refuse empty or malformed e-mail addresses instead of reporting them.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the CSV.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Assign on this Dask scheduler (e.g. tcp://host:8786); RESPONSES is then "
              "Parquet or CSV files (a glob such as 'crm/*.parquet').")
@click.option("--workers", type=click.IntRange(min=1),
              help="Assign on a local Dask cluster of this many worker processes.")
def assign_command(tool_path: Path, responses: Path, out: Path, personas_path: Path | None,
                   id_column: str | None, email_column: str | None, strict: bool,
                   encoding: str, scheduler: str | None = None,
                   workers: int | None = None) -> None:
    """Assign new respondents to existing segments and write a segment file.

    Writes, per respondent: its id, segment, persona name (with --personas), the
    second-best segment, the confidence (relative margin (d2 - d1) / d2 between the
    two nearest prototypes: 0 halfway between them, 1 on the prototype), the
    membership probability, and the segmentation's version and date: ready to
    import as CRM fields or ad audiences.

    TOOL_OR_MODEL is a typing tool (only its golden questions are needed in
    RESPONSES) or a model from ``dash-personas segment`` (all its columns are used;
    unanswered questions are allowed).

    \b
    Example:
      dash-personas assign typing.json new-wave.csv --out new-labels.csv
      dash-personas assign model.json customers.csv --personas personas.json \\
          --id-column customer_id --email-column email --out segments.parquet
      dash-personas assign model.json "crm/*.parquet" --out labels/ --workers 4
    """
    from survey_builder.errors import UserError, about_file

    if scheduler is not None or workers is not None:
        from ._on_dask import assign_on_dask

        assign_on_dask(tool_path, str(responses), out, scheduler, workers,
                       personas_path=personas_path, id_column=id_column,
                       email_column=email_column, strict=strict)
        return
    import numpy as np

    from survey_builder import read_scores

    from ..activation import (
        invalid_email_summary,
        load_segmentation,
        segment_file,
        segment_file_format,
        write_segment_file,
    )
    from ..pipeline import identifier_columns
    from ..segmentation import TypingTool, model_frame

    if out.is_dir():
        raise UserError(f"{out} is a directory; --out names a CSV or Parquet file (a "
                        "directory only with --scheduler or --workers)", str(out))
    segment_file_format(out)
    assigner, stamp = load_segmentation(tool_path)
    personas = None
    if personas_path is not None:
        from ..personas import load_personas

        personas = load_personas(personas_path)
        model = assigner.model if isinstance(assigner, TypingTool) else assigner
        if len(personas.personas) != model.prototypes_.n_clusters:
            raise UserError(f"the personas file describes {len(personas.personas)} segments "
                            f"but the model has {model.prototypes_.n_clusters}: it belongs to "
                            "another segmentation", file=str(personas_path))
    frame = read_scores(responses, encoding=encoding).frame
    for option, column in (("--id-column", id_column), ("--email-column", email_column)):
        if column is not None and column not in frame.columns:
            raise UserError(f"{option}: no column {column!r}", file=str(responses))
    if email_column is not None and email_column == id_column:
        raise UserError("--id-column and --email-column are the same column: the raw "
                        "addresses would be written", file=str(responses))
    with about_file(responses):  # a bad value in the data names the file
        if isinstance(assigner, TypingTool):
            membership = assigner.membership(frame)
        else:
            membership = assigner.membership(model_frame(assigner, frame,
                                                         source=str(responses)))
    if id_column is None:
        # an e-mail column is unique per row too; it must never become the id
        found = [c for c in identifier_columns(frame) if c != email_column]
        id_column = found[0] if found else None
    ids = frame[id_column] if id_column else frame.index.to_series(name="row") + 1
    emails = frame[email_column] if email_column else None
    table = segment_file(membership, ids.reset_index(drop=True), stamp, personas=personas,
                         emails=emails, strict=strict)
    write_segment_file(table, out)
    labels = membership.segment
    sizes = np.bincount(labels, minlength=int(labels.max()) + 1)
    click.echo(f"Assigned {len(labels)} respondents: "
               + ", ".join(f"segment {s}: {n}" for s, n in enumerate(sizes)))
    if emails is not None:
        invalid = np.flatnonzero(table["email_sha256"].isna().to_numpy())
        if invalid.size:
            click.echo(f"warning: {invalid_email_summary(invalid, ids)}: their email_sha256 "
                       "is empty (--strict refuses them)", err=True)
    click.echo(f"Segment file written to {out}")
