"""``dash-personas typing-tool`` and ``assign``: golden questions and new respondents."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("typing-tool")
@click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("responses", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the typing tool (versioned JSON, model included).")
@click.option("--max-questions", default=8, show_default=True,
              help="Most questions the tool may ask.")
@click.option("--target-accuracy", default=0.9, show_default=True,
              help="Stop adding questions once held-out accuracy reaches this.")
@click.option("--seed", default=0, show_default=True, help="Seed of the held-out split.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the CSV.")
def typing_tool_command(model_path: Path, responses: Path, out: Path, max_questions: int,
                        target_accuracy: float, seed: int, encoding: str) -> None:
    """Choose the golden questions that put respondents in MODEL's segments.

    RESPONSES holds respondents with the model's columns (usually the data it was
    fitted on). Prints how accurate the tool is with 1, 2, ... questions, measured
    on respondents held out from the choice.

    \b
    Example:
      dash-personas typing-tool model.json scores.csv --max-questions 6 --out typing.json
      dash-personas assign typing.json new-wave.csv --out new-labels.csv
    """
    import numpy as np

    from survey_builder import read_scores

    from ..segmentation import KPrototypes, TypingTool

    model = KPrototypes.load(model_path)
    frame = read_scores(responses, encoding=encoding).frame
    tool = TypingTool.build(model, frame, max_questions=max_questions,
                            target_accuracy=target_accuracy, random_state=seed)
    click.echo("questions  accuracy  added")
    for n_questions, row in tool.curve.iterrows():
        click.echo(f"{n_questions:>9}  {row['accuracy']:>8.1%}  {row['question']}")
    click.echo(f"{len(tool.questions)} golden questions (features) reproduce the segments of "
               f"{tool.accuracy:.1%} of held-out respondents.")
    click.echo("Held-out respondents by segment (rows: full model, columns: typing tool):")
    confusion = tool.confusion
    width = max(6, len(str(int(confusion.to_numpy().max()))) + 1)
    click.echo("segment  " + "".join(f"{c:>{width}}" for c in confusion.columns)
               + "  accuracy")
    for segment, counts in confusion.iterrows():
        share = tool.segment_accuracy[segment]
        shown = "n/a" if np.isnan(share) else f"{share:.1%}"
        click.echo(f"{segment:>7}  " + "".join(f"{n:>{width}}" for n in counts)
                   + f"  {shown:>8}")
    tool.save(out)
    click.echo(f"Typing tool written to {out}")


@click.command("assign")
@click.argument("tool_path", metavar="TOOL_OR_MODEL",
                type=click.Path(dir_okay=False, path_type=Path))
@click.argument("responses", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Where to write one row per respondent with its segment (CSV; a "
              "directory of Parquet files with --scheduler or --workers).")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the CSV.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Assign on this Dask scheduler (e.g. tcp://host:8786); RESPONSES is then "
              "Parquet or CSV files (a glob such as 'crm/*.parquet').")
@click.option("--workers", type=click.IntRange(min=1),
              help="Assign on a local Dask cluster of this many worker processes.")
def assign_command(tool_path: Path, responses: Path, out: Path, encoding: str,
                   scheduler: str | None = None, workers: int | None = None) -> None:
    """Assign new respondents to existing segments.

    Writes, per respondent, its segment, the second-best segment, the confidence
    (relative margin (d2 - d1) / d2 between the two nearest prototypes: 0 halfway
    between them, 1 on the prototype) and the membership probability of the segment.

    TOOL_OR_MODEL is a typing tool (only its golden questions are needed in
    RESPONSES) or a model from ``dash-personas segment`` (all its columns are used;
    unanswered questions are allowed).

    \b
    Example:
      dash-personas assign typing.json new-wave.csv --out new-labels.csv
      dash-personas assign model.json "crm/*.parquet" --out labels/ --workers 4
    """
    if scheduler is not None or workers is not None:
        from ._on_dask import assign_on_dask

        assign_on_dask(tool_path, str(responses), out, scheduler, workers)
        return
    import json

    import numpy as np

    from survey_builder import read_scores
    from survey_builder.errors import UserError

    from ..pipeline import identifier_columns
    from ..segmentation import KPrototypes, TypingTool, model_frame
    from ..segmentation._io import write_labels

    if out.is_dir():
        raise UserError(f"{out} is a directory; --out names a CSV file (a directory only "
                        "with --scheduler or --workers)", str(out))
    frame = read_scores(responses, encoding=encoding).frame
    try:
        kind = json.loads(tool_path.read_text(encoding="utf-8")).get("format")
    except (json.JSONDecodeError, AttributeError):
        kind = None
    if kind == "dash-personas/typing-tool":
        membership = TypingTool.load(tool_path).membership(frame)
    else:
        model = KPrototypes.load(tool_path)
        membership = model.membership(model_frame(model, frame, source=str(responses)))
    labels = membership.segment
    ids_found = identifier_columns(frame)
    ids = frame[ids_found[0]] if ids_found else frame.index.to_series(name="row") + 1
    write_labels(out, ids, labels, second_segment=membership.second_segment,
                 confidence=membership.confidence, probability=membership.probability)
    sizes = np.bincount(labels, minlength=int(labels.max()) + 1)
    click.echo(f"Assigned {len(labels)} respondents: "
               + ", ".join(f"segment {s}: {n}" for s, n in enumerate(sizes)))
