"""``dash-personas serve``: the personas dashboard on a production web server.

waitress serves the app with brotli/gzip compression (:mod:`dash_personas.serving`);
``--debug`` keeps Flask's development server with Dash's dev tools. Other machines can
only reach a dashboard that asks for a password (``DASH_PERSONAS_AUTH`` or
``--auth-file``) or that is served with ``--public``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from survey_builder.errors import UserError

from ..serving import LOOPBACK, check_exposure, enable_compression, protect, read_credentials

__all__ = ["LOOPBACK", "run_dashboard", "serve_command"]


def run_dashboard(app: Any, host: str, port: int, debug: bool = False, *,
                  credentials: Any = None, public: bool = False) -> None:
    """Serve ``app`` until Ctrl+C or SIGTERM, telling the user where and how to stop.

    Parameters
    ----------
    app : dash.Dash
    host, port
        Where to listen.
    debug : bool
        Flask's development server with Dash's dev tools instead of waitress.
    credentials : Credentials, optional
        Ask for a user name and password (:func:`dash_personas.serving.read_credentials`).
    public : bool
        Serve a non-loopback ``host`` without credentials.

    Raises
    ------
    UserError
        A non-loopback ``host`` without credentials or ``public``; an unusable address.
    """
    from ..serving import serve_app

    check_exposure(host, credentials, public)
    protect(enable_compression(app), credentials)
    if host not in LOOPBACK:
        click.echo(f"Warning: listening on {host}: other machines can reach this dashboard"
                   + (" (password required)." if credentials is not None else "."), err=True)
    if credentials is not None:
        click.echo(f"Sign-in required: {len(credentials.users)} user(s) from "
                   f"{credentials.source}.")

    def ready(url: str) -> None:
        click.echo(f"Dashboard running at {url}  (press Ctrl+C to stop)")

    if not debug:
        serve_app(app, host, port, ready=ready)
        click.echo("Stopped.")
        return
    ready(f"http://{f'[{host}]' if ':' in host else host}:{port}/")
    try:
        app.run(host=host, port=port, debug=True)
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
@click.option("--auth-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Ask for a password: a file of user:password lines (the password may be "
                   "a Werkzeug hash). Or set DASH_PERSONAS_AUTH=user:password.")
@click.option("--public", is_flag=True,
              help="Allow a non-loopback --host without a password.")
@click.option("--debug", is_flag=True,
              help="Flask's development server with Dash's dev tools (not for production).")
def serve_command(personas_path: Path | None, study: str | None, data_path: Path | None,
                  host: str, port: int, theme: str, title: str | None, auth_file: Path | None,
                  public: bool, debug: bool) -> None:
    """Serve the personas dashboard (gallery, comparisons, profiles, k evidence).

    With --study, the tracking study's dashboard: the wave selector, each persona's
    share wave by wave, the cards' trends, drift and alerts, and who moved where,
    followed by the current personas.

    \b
    Served by waitress with brotli/gzip compression; --debug runs Flask's
    development server instead. A --host other than this machine (127.0.0.1,
    localhost, ::1) needs a password (DASH_PERSONAS_AUTH=user:password or
    --auth-file) or --public.

    \b
    Example:
      dash-personas serve --personas personas.json --data scores.csv --port 8050
      dash-personas serve --study study.db
      DASH_PERSONAS_AUTH=team:s3cret dash-personas serve --study study.db --host 0.0.0.0
    """
    credentials = read_credentials(auth_file)
    check_exposure(host, credentials, public)  # before reading a large study
    if study is not None:
        if personas_path is not None or data_path is not None:
            raise UserError("--study serves the study's own personas: leave out --personas "
                            "and --data")
        from ..app import create_study_app

        app = create_study_app(study, theme=theme, title=title or "Tracking study")
        run_dashboard(app, host, port, debug, credentials=credentials, public=public)
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
    run_dashboard(app, host, port, debug, credentials=credentials, public=public)
