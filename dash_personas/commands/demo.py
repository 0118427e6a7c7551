"""``dash-personas demo``: the toolkit end to end on bundled synthetic data."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("demo")
@click.option("--out", "out_dir", default="demo-output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the generated data, model and labels.")
@click.option("-n", "n_samples", default=3000, show_default=True, help="Respondents.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
@click.pass_context
def demo_command(ctx: click.Context, out_dir: Path, n_samples: int, seed: int) -> None:
    """Generate respondents with planted segments, choose k, segment and profile them.

    \b
    Example:
      dash-personas demo --out demo-output
    """
    import numpy as np

    from .._atomic import atomic_write
    from ..datasets import make_mixed_blobs
    from .segment import segment_command

    data, planted = make_mixed_blobs(n_samples, n_numeric=4, n_categorical=4, n_clusters=4,
                                     separation=3.0, random_state=seed)
    data.insert(0, "respondent_id", [f"R{i:05d}" for i in range(1, n_samples + 1)])
    out_dir.mkdir(parents=True, exist_ok=True)
    responses = out_dir / "example.csv"
    with atomic_write(responses, "w", newline="") as handle:
        data.to_csv(handle, index=False)
    click.echo(f"Wrote {n_samples} synthetic respondents with 4 planted segments to {responses}")
    ctx.invoke(segment_command, responses=responses, k="auto", k_range="2-7",
               out=out_dir / "model.json", labels_out=out_dir / "labels.csv", include=None,
               exclude=None, categorical=None, n_init=5, seed=seed, encoding="utf-8",
               quiet=False)
    click.echo(f"Planted segment sizes: {np.bincount(planted).tolist()}")
