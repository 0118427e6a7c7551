"""``dash-personas serve``: the personas dashboard on a local web server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from survey_builder.errors import UserError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def run_dashboard(app: Any, host: str, port: int, debug: bool = False) -> None:
    """Serve ``app`` until Ctrl+C, telling the user where and how to stop."""
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Dashboard running at http://{shown}:{port}/  (press Ctrl+C to stop)")
    if host not in LOOPBACK:
        click.echo(f"Warning: listening on {host}: other machines can reach this dashboard.",
                   err=True)
    try:
        app.run(host=host, port=port, debug=debug)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                         "pass another --port") from None


@click.command("serve")
@click.option("--personas", "personas_path",
              type=click.Path(dir_okay=False, path_type=Path), help="Personas JSON file.")
@click.option("--study", "study",
              help="A tracking study (SQLite path or SQLAlchemy URL): serve its tracking view.")
@click.option("--data", "data_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Respondent scores (CSV) to count segment sizes on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (default: this machine only).")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option("--theme", default="bootstrap", show_default=True,
              help="Bootstrap or Bootswatch theme (served locally), e.g. flatly, darkly.")
@click.option("--title", help="Page title  [default: Customer personas; with --study: "
                               "Tracking study]")
@click.option("--debug", is_flag=True, help="Dash debug mode (dev tools, reloading).")
def serve_command(personas_path: Path | None, study: str | None, data_path: Path | None,
                  host: str, port: int, theme: str, title: str | None, debug: bool) -> None:
    """Serve the personas dashboard (gallery, comparisons, profiles, k evidence).

    With --study, the tracking study's dashboard: the wave selector, each persona's
    share wave by wave, the cards' trends, drift and alerts, and who moved where,
    followed by the current personas.

    \b
    Example:
      dash-personas serve --personas personas.json --data scores.csv --port 8050
      dash-personas serve --study study.db
    """
    if study is not None:
        if personas_path is not None or data_path is not None:
            raise UserError("--study serves the study's own personas: leave out --personas "
                            "and --data")
        from ..app import create_study_app

        app = create_study_app(study, theme=theme, title=title or "Tracking study")
        run_dashboard(app, host, port, debug)
        return
    if personas_path is None:
        raise UserError("give --personas personas.json (a snapshot) or --study STUDY "
                        "(a tracking study)")
    from ..app import create_app
    from ..personas import load_personas

    personas = load_personas(personas_path)
    data = None
    if data_path is not None:
        from survey_builder.scores import read_scores

        data = read_scores(data_path).frame
    app = create_app(personas, data, theme=theme, title=title or "Customer personas")
    run_dashboard(app, host, port, debug)
