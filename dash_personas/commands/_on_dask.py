"""``segment`` and ``assign`` on Dask: ``--scheduler tcp://host:8786`` or ``--workers N``.

Imported only when one of those options is given, so the in-memory commands and
``--help`` never import Dask.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from survey_builder.errors import UserError

CONNECT_TIMEOUT = "10s"  # dask.config "dash_personas.connect-timeout" overrides it


def _require_dask() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise UserError("--scheduler and --workers need Dask: "
                        "pip install 'dash-personas[dask]'") from None


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None,
                timeout: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler``, or to a new LocalCluster of ``workers``.

    An unreachable scheduler is a :class:`UserError` after ``timeout`` (one line,
    exit 2), never a hang.
    """
    _require_dask()
    import dask
    from distributed import Client, LocalCluster

    timeout = timeout or dask.config.get("dash_personas.connect-timeout", CONNECT_TIMEOUT)

    if scheduler is not None and workers is not None:
        raise UserError("give --scheduler or --workers, not both")
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise UserError(f"cannot reach the Dask scheduler at {scheduler} within "
                            f"{timeout} ({type(exc).__name__}: {exc}); check the address and "
                            "that the scheduler is running") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=int(workers or 1), threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def read_table(pattern: str) -> Any:
    """A Dask DataFrame from Parquet (files, a glob or a directory) or CSV files."""
    import dask.dataframe as dd

    lowered = pattern.lower()
    try:
        if lowered.endswith((".csv", ".csv.gz", ".txt")):
            return dd.read_csv(pattern)
        return dd.read_parquet(pattern)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read {pattern} ({exc})", pattern) from None


def write_parquet(frame: Any, out: Path, client: Any, *also: Any) -> list[Any]:
    """Write ``frame`` as a partitioned Parquet directory, atomically, with progress.

    ``also`` are further Dask collections computed in the same run (sharing its
    tasks); their results are returned.

    The partitions go to a temporary sibling directory that replaces ``out`` only
    when every partition is written, so a failed run leaves ``out`` as it was.
    """
    from distributed import progress

    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory; --out names a directory of "
                        "Parquet files on Dask", str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        futures = client.compute([frame.to_parquet(str(staging), compute=False,
                                                   write_index=False), *also])
        progress(futures)
        click.echo("", err=True)
        results = client.gather(futures)[1:]
        if out.exists():
            retired = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(out, retired)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return results


def _columns_present(frame: Any, names: list[str], source: str) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise UserError(f"lacks column(s) the model was fitted on: {', '.join(missing[:5])}"
                        + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                        source)


def segment_on_dask(responses: str, k: int | str, out: Path, labels_out: Path | None,
                    include: list[str], exclude: list[str], categorical: Any, n_init: int,
                    seed: int, quiet: bool, scheduler: str | None, workers: int | None,
                    weight: str | None = None) -> None:
    """The ``segment`` command on Dask (see :func:`segment_command`)."""
    if k == "auto":
        raise UserError("--k auto compares fits in memory; give --k N with --scheduler or "
                        "--workers")
    with dask_client(scheduler, workers) as client:
        from ..pipeline import select_features
        from ..segmentation import KPrototypes, profile_segments
        from ..segmentation._dask import first_rows

        frame = read_table(responses)
        if weight is not None:
            if weight not in frame.columns:
                raise UserError(f"--weight: no column {weight!r}", responses)
            if weight in include:
                raise UserError(f"--weight {weight}: the weight column cannot also be "
                                "--include'd as a feature", responses)
        first = first_rows(frame)
        chosen = select_features(first, include=include,
                                 exclude=exclude + ([weight] if weight else []),
                                 source=responses)
        if chosen.automatic and not quiet:
            click.echo(f"Left out (judged on the first partition): {chosen.describe()}",
                       err=True)
        if not quiet:
            click.echo(f"Fitting on {len(client.scheduler_info(n_workers=-1)['workers'])} "
                       f"Dask worker(s), {frame.npartitions} partition(s)"
                       + (f", weighted by {weight}" if weight else ""), err=True)
        data = frame[chosen.features]
        weights = frame[weight] if weight else None
        model = KPrototypes(int(k), categorical=categorical, n_init=n_init, random_state=seed,
                            verbose=not quiet)
        model.fit(data, sample_weight=weights)
        model.weight_column_ = weight
        model.save(out)
        if labels_out is not None:
            labels = model.predict(data).to_frame()
            if chosen.ids.name in frame.columns:
                labels = frame[[chosen.ids.name]].assign(segment=labels["segment"])
            write_parquet(labels, labels_out, client)
        if quiet:
            click.echo(str(k))
            return
        click.echo(f"Chosen k = {k} (given)")
        profiles = profile_segments(data, model.labels_, sample_weight=weights)
        click.echo(profiles.table().to_string())
        click.echo(profiles.legend)
        click.echo(f"Model written to {out}" + (f", labels to {labels_out}/" if labels_out
                                                 else ""))


def personas_on_dask(model_path: Path, responses: str, codebook_path: Path | None,
                     weight: str | None, options: dict[str, Any], scheduler: str | None,
                     workers: int | None) -> Any:
    """The personas of RESPONSES on Dask (profiles and typical people from partitions)."""
    with dask_client(scheduler, workers) as client:
        from survey_builder.codebook import load_codebook

        from ..personas import build_personas
        from ..segmentation import KPrototypes

        model = KPrototypes.load(model_path)
        frame = read_table(responses)
        _columns_present(frame, [str(n) for n in model.feature_names_in_], responses)
        weight = weight or getattr(model, "weight_column_", None)
        if weight and weight not in frame.columns:
            raise UserError(f"--weight: no column {weight!r}", responses)
        codebook = load_codebook(codebook_path) if codebook_path else None
        if codebook is None:
            click.echo("Note: no --codebook: showing column names", err=True)
        click.echo(f"Profiling {frame.npartitions} partition(s) on "
                   f"{len(client.scheduler_info(n_workers=-1)['workers'])} Dask worker(s)",
                   err=True)
        return build_personas(model, frame, codebook, sample_weight=weight, **options)


def assign_on_dask(model_path: Path, responses: str, out: Path, scheduler: str | None,
                   workers: int | None, *, personas_path: Path | None = None,
                   id_column: str | None = None, email_column: str | None = None,
                   strict: bool = False) -> None:
    """The ``assign`` command on Dask: a partitioned Parquet segment file in ``out``.

    The same columns as the in-memory segment file (:func:`~dash_personas.activation.
    segment_file`, applied to every partition): id, segment, persona, second segment,
    confidence, probability, segmentation version and date, ``email_sha256``.
    """
    from ..activation import hash_emails, load_segmentation
    from ..segmentation import TypingTool

    assigner, stamp = load_segmentation(model_path)
    model = assigner.model if isinstance(assigner, TypingTool) else assigner
    personas = None
    if personas_path is not None:
        from ..personas import load_personas

        personas = load_personas(personas_path)
        if len(personas.personas) != model.prototypes_.n_clusters:
            raise UserError(f"the personas file describes {len(personas.personas)} segments "
                            f"but the model has {model.prototypes_.n_clusters}: it belongs to "
                            "another segmentation", file=str(personas_path))
    with dask_client(scheduler, workers) as client:
        from ..pipeline import identifier_columns
        from ..segmentation._dask import first_rows

        frame = read_table(responses)
        for option, column in (("--id-column", id_column), ("--email-column", email_column)):
            if column is not None and column not in frame.columns:
                raise UserError(f"{option}: no column {column!r}", responses)
        if email_column is not None and email_column == id_column:
            raise UserError("--id-column and --email-column are the same column: the raw "
                            "addresses would be written", responses)
        if isinstance(assigner, TypingTool):
            _columns_present(frame, list(assigner.questions), responses)
            features = frame.map_partitions(assigner._question_frame)
        else:
            names = [str(n) for n in model.feature_names_in_]
            _columns_present(frame, names, responses)
            features = frame[names]
        membership = model.membership(features)
        if id_column is None:
            # an e-mail column is unique per row too; it must never become the id
            found = [c for c in identifier_columns(first_rows(frame))
                     if c != email_column]
            if not found:
                # row numbers would restart in every partition: useless for activation
                raise UserError("no identifier column found (judged on the first "
                                "partition): pass --id-column", responses)
            id_column = found[0]
        if email_column is not None and strict:
            _refuse_invalid_emails(frame, email_column, id_column, hash_emails)
        keep = frame[[c for c in (id_column, email_column) if c is not None]]
        meta = _segment_file_partition(_membership_meta(), keep._meta, stamp, personas,
                                       id_column, email_column)
        table = membership.map_partitions(_segment_file_partition, keep, stamp, personas,
                                          id_column, email_column, meta=meta)
        click.echo(f"Assigning {frame.npartitions} partition(s) on "
                   f"{len(client.scheduler_info(n_workers=-1)['workers'])} Dask worker(s)",
                   err=True)
        also = [membership["segment"].value_counts()]
        if email_column is not None:
            also.append(table["email_sha256"].isna().sum())
        results = write_parquet(table, out, client, *also)
        sizes = results[0].sort_index()
        click.echo(f"Assigned {int(sizes.sum())} rows: "
                   + ", ".join(f"segment {s}: {n}" for s, n in sizes.items())
                   + f"; segment file written to {out}/")
        if email_column is not None and int(results[1]):
            click.echo(f"warning: {int(results[1])} e-mail address(es) empty or malformed: "
                       "their email_sha256 is empty (--strict refuses them)", err=True)


def _segment_file_partition(membership: Any, columns: Any, stamp: Any, personas: Any,
                            id_column: str, email_column: str | None) -> Any:
    """One partition's segment file (the in-memory ``segment_file``)."""
    from ..activation import segment_file

    emails = columns[email_column] if email_column is not None else None
    table = segment_file(membership, columns[id_column].reset_index(drop=True), stamp,
                         personas=personas, emails=emails)
    # text as pandas strings: Parquet needs a type even for the empty metadata frame
    text = [c for c in table.columns if table[c].dtype == object]
    return table.astype(dict.fromkeys(text, "string")).set_axis(membership.index)


def _membership_meta() -> Any:
    from ..segmentation._dask import _membership_meta as meta

    return meta()


def _refuse_invalid_emails(frame: Any, email_column: str, id_column: str,
                           hash_emails: Any) -> None:
    """--strict on Dask: find the empty or malformed addresses before writing anything."""
    def invalid_ids(part: Any) -> Any:
        return part.loc[hash_emails(part[email_column]).isna().to_numpy(), id_column]

    invalid = frame[[id_column, email_column]].map_partitions(
        invalid_ids, meta=frame._meta[id_column])
    count = int(invalid.size.compute())
    if count:
        shown = ", ".join(str(v) for v in invalid.head(5, npartitions=-1).tolist())
        raise UserError(f"{count} e-mail address(es) empty or malformed (ids {shown}); fix "
                        "them or leave out --strict to write the file without their hashes",
                        field=email_column)
