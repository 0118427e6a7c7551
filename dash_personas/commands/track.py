"""``dash-personas track``: a tracking study that follows the personas wave after wave.

STUDY is a SQLite file path (the embedded default) or a SQLAlchemy URL such as
``postgresql+psycopg://analyst@db.example.org/brand_tracker``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

_FILE = click.Path(dir_okay=False, path_type=Path)
# files read: their readers name a directory or an unreadable file in one line
_INPUT = click.Path(path_type=Path)
_TIMEOUT = click.option("--timeout", default=30.0, show_default=True, type=float,
                        help="Seconds to wait for another writer (or the server).")


@click.group("track")
def track_group() -> None:
    """Keep segmentations and survey waves in one study and report how personas evolve.

    \b
    Example:
      dash-personas track init study.db --model model.json --personas personas.json
      dash-personas track add-wave study.db wave1.csv --label 2026-Q1 --date 2026-03-31
      dash-personas track report study.db --json report.json
      dash-personas track refit study.db --waves 2026-Q1,2026-Q2 --k auto
    """


@track_group.command("init")
@click.argument("study")
@click.option("--model", "model_path", required=True, type=_INPUT,
              help="The fitted model (dash-personas segment --out).")
@click.option("--personas", "personas_path", required=True, type=_INPUT,
              help="Its personas (dash-personas personas --out).")
@click.option("--overrides", type=_INPUT, help="The analyst's overrides (YAML/JSON).")
@click.option("--typing", "typing_path", type=_INPUT,
              help="The typing tool (dash-personas typing-tool --out).")
@_TIMEOUT
def init_command(study: str, model_path: Path, personas_path: Path, overrides: Path | None,
                 typing_path: Path | None, timeout: float) -> None:
    """Create STUDY holding the segmentation MODEL and its PERSONAS (version 1)."""
    from ..tracking import Study

    with Study.create(study, model=model_path, personas=personas_path, overrides=overrides,
                      typing=typing_path, timeout=timeout) as created:
        names = created.segmentations[0].personas
        click.echo(f"Study {created.location} created: segmentation v1 with "
                   f"{len(names)} personas ({', '.join(names)})")


@track_group.command("add-wave")
@click.argument("study")
@click.argument("scores", type=_INPUT)
@click.option("--label", required=True, help="Unique wave name, e.g. 2026-Q1.")
@click.option("--date", default=None, help="Field date, YYYY-MM-DD.")
@click.option("--id-column", default="respondent_id", show_default=True,
              help="Respondent id column (panel members keep their id).")
@click.option("--weight", default=None, help="Column of survey weights.")
@_TIMEOUT
def add_wave_command(study: str, scores: Path, label: str, date: str | None, id_column: str,
                     weight: str | None, timeout: float) -> None:
    """Assign the respondents in SCORES to the current segments and add them as a wave."""
    from ..tracking import Study

    with Study.open(study, timeout=timeout) as opened:
        info = opened.add_wave(scores, label=label, date=date, id_column=id_column,
                               weight=weight)
        click.echo(f"Wave {info.label} added: {info.n} respondents under segmentation "
                   f"v{info.segmentation_version}")


@track_group.command("report")
@click.argument("study")
@click.option("--json", "json_path", type=_FILE, help="Also write the report as JSON.")
@click.option("--wave", default=None, help="Report this wave only.")
@_TIMEOUT
def report_command(study: str, json_path: Path | None, wave: str | None,
                   timeout: float) -> None:
    """Print each persona's share per wave, the panel's migration and the alerts."""
    from survey_builder.atomic import write_text_atomic

    from ..tracking import Study

    with Study.open(study, timeout=timeout) as opened:
        report = opened.report(wave=wave)
    click.echo(report.to_text())
    if json_path is not None:
        write_text_atomic(json_path, json.dumps(report.to_dict(), indent=1,
                                                ensure_ascii=False, allow_nan=False) + "\n")
        click.echo(f"Report written to {json_path}")


@track_group.command("movers")
@click.argument("study")
@click.option("--wave", default=None, help="The wave to compare with the one before it "
              "[default: the latest].")
@click.option("--out", required=True, type=_FILE,
              help="CSV of the panel respondents who changed persona: one row each.")
@_TIMEOUT
def movers_command(study: str, wave: str | None, out: Path, timeout: float) -> None:
    """Write the joiners and leavers of every persona since the previous wave.

    One row per panel respondent (seen in both waves, by respondent id) whose persona
    changed: respondent_id, previous_wave, wave, previous_persona, persona,
    previous_segment, segment. A persona's joiners are its rows under `persona`, its
    leavers its rows under `previous_persona`; the id stays a unique key for a CRM
    import.

    \b
    Example:
      dash-personas track movers study.db --wave 2026-Q2 --out movers.csv
    """
    from survey_builder.atomic import atomic_write

    from ..tracking import Study, movers

    with Study.open(study, timeout=timeout) as opened:
        table = movers(opened, wave)
    with atomic_write(out, "w", newline="") as handle:
        table.to_csv(handle, index=False, lineterminator="\n")
    if table.empty:
        click.echo(f"Nobody in the panel changed persona; {out} has the header only")
    else:
        first = table.iloc[0]
        click.echo(f"{len(table)} panel respondents changed persona from "
                   f"{first['previous_wave']} to {first['wave']}:")
        personas = sorted(set(table["persona"]) | set(table["previous_persona"]))
        for name in personas:
            joined = int((table["persona"] == name).sum())
            left = int((table["previous_persona"] == name).sum())
            click.echo(f"  {name}: {joined} joined, {left} left")
    click.echo(f"Movers written to {out}")


def _wave_labels(value: str | None) -> list[str] | None:
    if value is None:
        return None
    labels = [label.strip() for label in value.split(",") if label.strip()]
    if not labels:
        from survey_builder.errors import UserError

        raise UserError("--waves: give at least one wave label, e.g. --waves 2026-Q1,2026-Q2")
    return labels


@track_group.command("refit")
@click.argument("study")
@click.option("--waves", default=None,
              help="Comma-separated wave labels to fit on (default: every wave).")
@click.option("--k", "k", default="auto", show_default=True,
              help="Number of segments, or 'auto' to choose it with evidence.")
@click.option("--reason", default=None, help="Why (default: 'refit on <waves>').")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@_TIMEOUT
def refit_command(study: str, waves: str | None, k: str, reason: str | None, seed: int,
                  timeout: float) -> None:
    """Fit a new segmentation version (warm-started) and print the segments' transitions.

    Each current segment is labelled survived, merged, split or disappeared and each
    new one emerged where it comes from none (MONIC); survivors keep their persona.
    Waves added from now on are assigned under the new version.
    """
    from ..tracking import Study

    with Study.open(study, timeout=timeout) as opened:
        result = opened.refit(_wave_labels(waves), k=k, reason=reason, random_state=seed)
    click.echo(result.to_text())
