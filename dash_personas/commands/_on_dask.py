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
                    seed: int, quiet: bool, scheduler: str | None, workers: int | None) -> None:
    """The ``segment`` command on Dask (see :func:`segment_command`)."""
    if k == "auto":
        raise UserError("--k auto compares fits in memory; give --k N with --scheduler or "
                        "--workers")
    with dask_client(scheduler, workers) as client:
        from ..pipeline import select_features
        from ..segmentation import KPrototypes, profile_segments

        frame = read_table(responses)
        first = frame.partitions[0].compute()
        chosen = select_features(first, include=include, exclude=exclude, source=responses)
        if chosen.automatic and not quiet:
            click.echo(f"Left out (judged on the first partition): {chosen.describe()}",
                       err=True)
        if not quiet:
            click.echo(f"Fitting on {len(client.scheduler_info(n_workers=-1)['workers'])} "
                       f"Dask worker(s), {frame.npartitions} partition(s)", err=True)
        data = frame[chosen.features]
        model = KPrototypes(int(k), categorical=categorical, n_init=n_init, random_state=seed,
                            verbose=not quiet)
        model.fit(data)
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
        click.echo(profile_segments(data, model.labels_).table().to_string())
        click.echo(f"Model written to {out}" + (f", labels to {labels_out}/" if labels_out
                                                 else ""))


def assign_on_dask(model_path: Path, responses: str, out: Path, scheduler: str | None,
                   workers: int | None) -> None:
    """The ``assign`` command on Dask: partitioned Parquet labels in ``out``."""
    import json

    try:
        kind = json.loads(model_path.read_text(encoding="utf-8")).get("format")
    except (json.JSONDecodeError, AttributeError, OSError):
        kind = None
    if kind == "dash-personas/typing-tool":
        raise UserError("a typing tool assigns in memory; on Dask use the model from "
                        "dash-personas segment", str(model_path))
    with dask_client(scheduler, workers) as client:
        from ..pipeline import identifier_columns
        from ..segmentation import KPrototypes

        model = KPrototypes.load(model_path)
        frame = read_table(responses)
        names = [str(n) for n in model.feature_names_in_]
        _columns_present(frame, names, responses)
        membership = model.membership(frame[names])
        ids = identifier_columns(frame.partitions[0].compute())
        columns = ["segment", "second_segment", "confidence", "probability"]
        table = membership[columns]
        if ids:
            table = frame[[ids[0]]].assign(**{c: membership[c] for c in columns})
        click.echo(f"Assigning {frame.npartitions} partition(s) on "
                   f"{len(client.scheduler_info(n_workers=-1)['workers'])} Dask worker(s)",
                   err=True)
        (sizes,) = write_parquet(table, out, client, membership["segment"].value_counts())
        sizes = sizes.sort_index()
        click.echo(f"Assigned {int(sizes.sum())} rows: "
                   + ", ".join(f"segment {s}: {n}" for s, n in sizes.items())
                   + f"; labels written to {out}/")
