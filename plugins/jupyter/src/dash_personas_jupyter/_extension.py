"""The IPython extension: ``%load_ext dash_personas_jupyter`` and the ``%personas`` magic."""

from __future__ import annotations

import argparse
import shlex
from typing import Any

__all__ = ["load_ipython_extension", "personas_magic", "register_formatters", "study_magic",
           "unload_ipython_extension"]

USAGE = """%personas DATAFRAME [--k auto|N] [--mode inline|external|jupyterlab|tab|static]
          [--codebook NAME] [--port N] [--height PX] [--seed N]

Segment DATAFRAME (a variable of the notebook) into personas and show the personas
dashboard in the notebook. The result (NotebookPersonas) is returned, so
`result = %personas df --k auto` keeps it."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # no SystemExit inside a kernel
        raise _UsageError(f"{message}\n\n{USAGE}")


class _UsageError(ValueError):
    def _render_traceback_(self) -> list[str]:
        return [f"UsageError: {self}"]


def _parser() -> _Parser:
    parser = _Parser(prog="%personas", add_help=False)
    parser.add_argument("data")
    parser.add_argument("--k", default="auto")
    parser.add_argument("--mode", default="inline")
    parser.add_argument("--codebook", default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--seed", type=int, default=0)
    return parser


def _show_error(message: str, what: str = "make personas") -> None:
    from html import escape

    from IPython.display import HTML, display

    display(HTML(
        "<div class='dash-personas-error' role='alert' style='border-left:4px solid #b2182b;"
        f"padding:8px 12px;background:rgba(178,24,43,.08)'><strong>Cannot {escape(what)}:"
        f"</strong> {escape(message)}</div>"),
        metadata={"dash_personas": {"error": message}})
    print(f"Cannot {what}: {message}")


def personas_magic(line: str, shell: Any = None) -> Any:
    """``%personas df --k auto``: segment a DataFrame and show the dashboard inline."""
    from ._core import NoUsableColumnsError, show_personas

    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    try:
        args = _parser().parse_args(shlex.split(line))
    except _UsageError as exc:
        _show_error(str(exc))
        return None
    namespace = shell.user_ns if shell is not None else {}
    if args.data not in namespace:
        _show_error(f"no variable named {args.data!r} in the notebook")
        return None
    codebook = None
    if args.codebook:
        codebook = namespace.get(args.codebook, args.codebook)
    try:
        return show_personas(namespace[args.data], args.k, mode=args.mode, port=args.port,
                             height=args.height, codebook=codebook, random_state=args.seed)
    except (NoUsableColumnsError, ValueError) as exc:
        _show_error(str(exc))
        return None


STUDY_USAGE = """%study STUDY [--mode inline|external|jupyterlab|tab|static] [--port N]
       [--height PX]

Show the dashboard of a tracking study (a SQLite path or a SQLAlchemy URL), tracking
view first. The result (NotebookStudy) is returned."""


def study_magic(line: str) -> Any:
    """``%study study.db``: the tracking study's dashboard inline."""
    from survey_builder.errors import UserError

    from ._study import show_study

    parser = _Parser(prog="%study", add_help=False)
    parser.add_argument("study")
    parser.add_argument("--mode", default="inline")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--height", type=int, default=1200)
    try:
        args = parser.parse_args(shlex.split(line))
    except _UsageError as exc:
        _show_error(str(exc).replace(USAGE, STUDY_USAGE), what="show the study")
        return None
    try:
        return show_study(args.study, mode=args.mode, port=args.port, height=args.height)
    except (UserError, ValueError) as exc:
        _show_error(str(exc), what="show the study")
        return None


def register_formatters(shell: Any = None) -> None:
    """Rich HTML for ``PersonaSet`` and ``Persona`` objects in this IPython session."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        return
    from dash_personas.personas import Persona, PersonaSet

    from ._html import persona_card_html, personas_html

    html = shell.display_formatter.formatters["text/html"]
    html.for_type(PersonaSet, personas_html)
    html.for_type(Persona, persona_card_html)


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext dash_personas_jupyter``."""
    register_formatters(shell)

    def personas(line: str) -> Any:
        return personas_magic(line, shell)

    personas.__doc__ = USAGE
    shell.register_magic_function(personas, magic_kind="line", magic_name="personas")
    study_magic.__doc__ = STUDY_USAGE
    shell.register_magic_function(study_magic, magic_kind="line", magic_name="study")


def unload_ipython_extension(shell: Any) -> None:
    """``%unload_ext dash_personas_jupyter``: the rich display is removed."""
    from dash_personas.personas import Persona, PersonaSet

    html = shell.display_formatter.formatters["text/html"]
    for cls in (PersonaSet, Persona):
        html.type_printers.pop(cls, None)
