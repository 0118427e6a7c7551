"""``dash-personas segment``: fit k-prototypes on a CSV and report the segments."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click


def parse_k(value: str) -> int | str:
    """``"auto"`` or a positive integer."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        k = int(value)
    except ValueError:
        raise click.BadParameter(f"expected 'auto' or an integer, got {value!r}") from None
    if k < 1:
        raise click.BadParameter("k must be >= 1")
    return k


def parse_k_range(value: str) -> range:
    """``"2-10"`` -> ``range(2, 11)``."""
    try:
        low, high = (int(part) for part in value.split("-", 1))
    except ValueError:
        raise click.BadParameter(f"expected a range like 2-10, got {value!r}") from None
    if not 2 <= low <= high:
        raise click.BadParameter("the range must satisfy 2 <= low <= high")
    return range(low, high + 1)


def split_columns(value: str | None) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()] if value else []


@click.command("segment")
@click.argument("responses", type=click.Path(path_type=Path))
@click.option("--k", "k", default="auto", show_default=True,
              help="Number of segments, or 'auto' to choose it with select_k.")
@click.option("--k-range", default="2-8", show_default=True,
              help="Candidates tried by --k auto.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the fitted model (versioned JSON).")
@click.option("--labels", "labels_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write one row per respondent with its segment.")
@click.option("--include", help="Comma-separated columns to use (default: all).")
@click.option("--exclude", help="Comma-separated columns to leave out.")
@click.option("--categorical", help="Comma-separated columns to treat as categorical "
              "(default: text, category and yes/no columns).")
@click.option("--weight", "weight", metavar="COLUMN",
              help="Column of survey weights: the fit and the profiles are weighted and the "
                   "model records the column (it is never a feature).")
@click.option("--n-init", default=10, show_default=True, type=click.IntRange(min=1),
              help="Restarts per fit.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**32 - 1),
              help="Random seed.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the CSV.")
@click.option("--quiet", is_flag=True, help="Print only the chosen k.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Fit on this Dask scheduler (e.g. tcp://host:8786); RESPONSES is then "
              "Parquet or CSV files (a glob such as 'crm/*.parquet') and --labels a "
              "directory of Parquet files.")
@click.option("--workers", type=click.IntRange(min=1),
              help="Fit on a local Dask cluster of this many worker processes (as "
              "--scheduler).")
def segment_command(responses: Path, k: str, k_range: str, out: Path, labels_out: Path | None,
                    include: str | None, exclude: str | None, categorical: str | None,
                    weight: str | None, n_init: int, seed: int, encoding: str,
                    quiet: bool, scheduler: str | None = None,
                    workers: int | None = None) -> None:
    """Segment the respondents in RESPONSES (a CSV) with k-prototypes.

    Identifier columns (a different value on every row, such as a respondent id),
    survey-builder's data-quality flags (attention_failed, straightliner, n_answered),
    empty and constant columns, free text and dates are left out automatically and
    reported with the reason.

    \b
    Example:
      dash-personas segment scores.csv --k auto --out model.json --labels labels.csv
      dash-personas segment scores.csv --k 5 --exclude attention_failed --out model.json
      dash-personas segment scores.csv --weight weight --out model.json
      dash-personas segment "crm/*.parquet" --k 8 --scheduler tcp://host:8786 --out model.json
    """
    from survey_builder import read_scores
    from survey_builder.errors import about_file

    from ..pipeline import fit_segments, profile, select_features, weights_of
    from ..segmentation._io import write_labels

    chosen_k = parse_k(k)
    if scheduler is not None or workers is not None:
        from ._on_dask import segment_on_dask

        segment_on_dask(str(responses), chosen_k, out, labels_out, split_columns(include),
                        split_columns(exclude), split_columns(categorical) or "auto", n_init,
                        seed, quiet, scheduler, workers, weight)
        return
    candidates = parse_k_range(k_range) if chosen_k == "auto" else range(0)
    table = read_scores(responses, encoding=encoding)
    frame = table.frame
    weight_name, weights = weights_of(frame, weight, include=split_columns(include),
                                      source=str(responses))
    chosen = select_features(frame, include=split_columns(include),
                             exclude=split_columns(exclude) + ([weight] if weight else []),
                             codebook=table.codebook, source=str(responses))
    if chosen.automatic and not quiet:
        click.echo(f"Left out: {chosen.describe()}", err=True)
    data = frame[chosen.features]
    cat_param: Any = split_columns(categorical) or "auto"

    if chosen_k == "auto":
        stderr = sys.stderr  # click.get_text_stream is deprecated (removed in Click 9)
        with click.progressbar(length=len(candidates), label="Trying k", file=stderr) as bar:
            last = [0]

            def advance(done: int, total: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            with about_file(responses):
                segmentation = fit_segments(data, "auto", k_range=candidates,
                                            categorical=cat_param, n_init=n_init,
                                            random_state=seed, progress=advance,
                                            sample_weight=weights, weight_column=weight_name)
        selection = segmentation.selection
        if not quiet:
            shown = selection[["cost", "bic", "silhouette", "prediction_strength",
                               "min_jaccard", "stability", "smallest_share", "eligible"]]
            click.echo(shown.round(3).to_string())
            click.echo(selection.explain())
    else:
        with about_file(responses):
            segmentation = fit_segments(data, int(chosen_k), categorical=cat_param,
                                        n_init=n_init, random_state=seed,
                                        sample_weight=weights, weight_column=weight_name)
        if not quiet:
            click.echo(f"Chosen k = {chosen_k} (given)")
    model = segmentation.model
    if quiet:
        click.echo(str(model.n_clusters))
    model.save(out)
    if labels_out is not None:
        write_labels(labels_out, chosen.ids, model.labels_)
    if not quiet:
        if table.note:
            click.echo(f"Note: {table.note}: the profiles show column names", err=True)
        labels = ({name: table.codebook.label(name) or name for name in chosen.features}
                  if table.codebook is not None else None)
        profiles = profile(segmentation, data, sample_weight=weights)
        click.echo(profiles.table(labels=labels).to_string())
        click.echo(profiles.legend)
        click.echo(f"Model written to {out}" + (f", labels to {labels_out}" if labels_out else ""))
